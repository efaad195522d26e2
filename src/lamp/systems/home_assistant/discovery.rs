//! Home Assistant MQTT discovery for lights: `<prefix>/light/[<node_id>/]<object_id>/config`.
//!
//! Most lamp firmwares (ESPHome, Zigbee2MQTT, Tasmota legacy, Shelly scripts) announce
//! themselves this way, so reading it gives Lampboard names, topics and capabilities without
//! any setup. Configs are abbreviated and use `~` as a base topic; both are expanded here
//! before anything is read.

use serde_json::{Map, Value};

use super::template;
use crate::lamp::state::ColorMode;

/// The abbreviations HA accepts that matter to a light card (from HA's `abbreviations.py`);
/// unknown keys pass through unchanged.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("avty", "availability"),
    ("avty_mode", "availability_mode"),
    ("avty_t", "availability_topic"),
    ("avty_tpl", "availability_template"),
    ("bri_cmd_t", "brightness_command_topic"),
    ("bri_scl", "brightness_scale"),
    ("bri_stat_t", "brightness_state_topic"),
    ("bri_val_tpl", "brightness_value_template"),
    ("clr_temp_cmd_t", "color_temp_command_topic"),
    ("clr_temp_k", "color_temp_kelvin"),
    ("clr_temp_stat_t", "color_temp_state_topic"),
    ("clr_temp_val_tpl", "color_temp_value_template"),
    ("clrm", "color_mode"),
    ("cmd_t", "command_topic"),
    ("def_ent_id", "default_entity_id"),
    ("dev", "device"),
    ("fx_list", "effect_list"),
    ("json_attr_t", "json_attributes_topic"),
    ("max_k", "max_kelvin"),
    ("max_mirs", "max_mireds"),
    ("min_k", "min_kelvin"),
    ("min_mirs", "min_mireds"),
    ("o", "origin"),
    ("obj_id", "object_id"),
    ("opt", "optimistic"),
    ("p", "platform"),
    ("pl_avail", "payload_available"),
    ("pl_not_avail", "payload_not_available"),
    ("pl_off", "payload_off"),
    ("pl_on", "payload_on"),
    ("ret", "retain"),
    ("stat_t", "state_topic"),
    ("stat_val_tpl", "state_value_template"),
    ("sup_clrm", "supported_color_modes"),
    ("t", "topic"),
    ("uniq_id", "unique_id"),
    ("val_tpl", "value_template"),
];

/// Device-registry abbreviations, for the `dev` block (a card falls back to the device name).
const DEVICE_ABBREVIATIONS: &[(&str, &str)] = &[
    ("cns", "connections"),
    ("ids", "identifiers"),
    ("mf", "manufacturer"),
    ("mdl", "model"),
    ("mdl_id", "model_id"),
    ("hw", "hw_version"),
    ("sw", "sw_version"),
    ("sa", "suggested_area"),
    ("sn", "serial_number"),
];

fn expand_keys(obj: &Map<String, Value>, table: &[(&str, &str)]) -> Map<String, Value> {
    obj.iter()
        .map(|(k, v)| {
            let key = table
                .iter()
                .find(|(short, _)| short == k)
                .map_or(k.as_str(), |(_, long)| long);
            (key.to_string(), v.clone())
        })
        .collect()
}

/// Replaces a `~` at the start or end of a topic with the base topic, exactly as HA does, so
/// `~/set` and `test_topic/~` both expand.
fn substitute_base(topic: &str, base: &str) -> String {
    if let Some(rest) = topic.strip_prefix('~') {
        format!("{base}{rest}")
    } else if let Some(rest) = topic.strip_suffix('~') {
        format!("{rest}{base}")
    } else {
        topic.to_string()
    }
}

/// Expands abbreviations (top level, `device`, availability entries) and the `~` base topic
/// in every `*_topic` and availability `topic`, so the rest of the code reads long keys only.
/// Public so the explorer can show a config the way HA understands it.
pub fn expand_config(config: &Map<String, Value>) -> Map<String, Value> {
    let mut out = expand_keys(config, ABBREVIATIONS);
    if let Some(Value::Object(dev)) = out.get("device") {
        let dev = expand_keys(dev, DEVICE_ABBREVIATIONS);
        out.insert("device".into(), Value::Object(dev));
    }
    if let Some(Value::Array(items)) = out.get("availability") {
        let items = items
            .iter()
            .map(|item| match item {
                Value::Object(o) => Value::Object(expand_keys(o, ABBREVIATIONS)),
                other => other.clone(),
            })
            .collect();
        out.insert("availability".into(), Value::Array(items));
    }
    let Some(Value::String(base)) = out.get("~").cloned() else {
        return out;
    };
    for (key, value) in out.iter_mut() {
        if let (true, Value::String(t)) = (key.ends_with("_topic"), &*value) {
            *value = Value::String(substitute_base(t, &base));
        }
    }
    if let Some(Value::Array(items)) = out.get_mut("availability") {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::String(t)) = item.get("topic") {
                let t = substitute_base(t, &base);
                item.insert("topic".into(), Value::String(t));
            }
        }
    }
    out
}

/// The HA light schemas; only `json` is fully understood (see [`HaLight`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HaSchema {
    /// `schema: json`: one JSON document carries the whole state.
    Json,
    /// No schema key: state via `payload_on`/`payload_off` and value templates.
    Default,
    /// `schema: template` or anything else: not understood beyond its name.
    Other(String),
}

/// One availability source, because a lamp card should grey out when its device is offline.
#[derive(Clone, Debug, PartialEq)]
pub struct Availability {
    /// Topic carrying the availability payload.
    pub topic: String,
    /// Payload meaning "available" (default `online`).
    pub payload_available: String,
    /// Payload meaning "not available" (default `offline`).
    pub payload_not_available: String,
    /// Optional value template (only simple `value_json.key` and constants are evaluated).
    pub value_template: Option<String>,
}

impl Availability {
    /// Reads an availability payload; `None` when it is neither value (or the template is too
    /// complex to evaluate), so an unknown payload never flips a lamp offline.
    pub fn read(&self, payload: &[u8]) -> Option<bool> {
        let text = String::from_utf8_lossy(payload);
        let value = match &self.value_template {
            Some(t) => template::render(t, &text)?,
            None => text.trim().to_string(),
        };
        if value == self.payload_available {
            Some(true)
        } else if value == self.payload_not_available {
            Some(false)
        } else {
            None
        }
    }
}

/// A discovered HA light, with what a card and the command writer need.
///
/// Non-JSON schemas are accepted as on/off lamps (decision): HA's default schema spreads a
/// lamp over several topics and Jinja templates we do not run, so we read on/off from the
/// state topic through `payload_on`/`payload_off` (and a simple `value_json.key` template),
/// send `payload_on`/`payload_off` to the command topic, and offer nothing else.
#[derive(Clone, Debug, PartialEq)]
pub struct HaLight {
    /// The discovery topic, which is the lamp's stable id (removal arrives there).
    pub config_topic: String,
    /// `unique_id`, when given.
    pub unique_id: Option<String>,
    /// Display name: `name`, else the device's name, else the object id.
    pub name: String,
    /// Light schema.
    pub schema: HaSchema,
    /// Where the lamp publishes its state; `None` means an optimistic lamp.
    pub state_topic: Option<String>,
    /// Where commands go.
    pub command_topic: String,
    /// Full-scale brightness (`brightness_scale`, default 255).
    pub brightness_scale: u16,
    /// `color_temp` is in kelvin instead of mireds.
    pub color_temp_kelvin: bool,
    /// Supported colour modes (derived from legacy flags when absent).
    pub supported_color_modes: Vec<ColorMode>,
    /// Colour temperature range in mireds, when announced.
    pub mireds_range: Option<(u16, u16)>,
    /// Effect names offered.
    pub effects: Vec<String>,
    /// Whether commands are published retained (`retain`, default false as in HA).
    pub retain: bool,
    /// Default-schema payload meaning on.
    pub payload_on: String,
    /// Default-schema payload meaning off.
    pub payload_off: String,
    /// Default-schema template extracting the on/off value from the state payload.
    pub state_value_template: Option<String>,
    /// Availability sources.
    pub availability: Vec<Availability>,
    /// `suggested_area` of the device, used as the room.
    pub area: Option<String>,
}

/// What one message on a discovery topic means.
#[derive(Clone, Debug, PartialEq)]
pub enum HaDiscovery {
    /// A light to add or update.
    Light(Box<HaLight>),
    /// An empty config: remove what this topic announced.
    Remove,
    /// A config HA would reject (no command topic, not an object, invalid JSON).
    Invalid(String),
}

/// True for `<prefix>/light/<object_id>/config` and `<prefix>/light/<node_id>/<object_id>/config`,
/// the only discovery topics that can announce a single light.
pub fn is_light_config_topic(prefix: &str, topic: &str) -> bool {
    let Some(rest) = topic
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix("/light/"))
    else {
        return false;
    };
    let levels: Vec<&str> = rest.split('/').collect();
    matches!(levels.as_slice(), [id, "config"] | [_, id, "config"] if !id.is_empty())
}

fn string(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn uint(obj: &Map<String, Value>, key: &str) -> Option<u64> {
    obj.get(key).and_then(Value::as_u64)
}

fn flag(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Supported modes: the explicit list, else HA's legacy flags (`brightness: true`, `rgb`,
/// `hs`, `xy`, `color_temp`), else on/off only.
fn color_modes(c: &Map<String, Value>) -> Vec<ColorMode> {
    if let Some(Value::Array(items)) = c.get("supported_color_modes") {
        return items
            .iter()
            .filter_map(Value::as_str)
            .filter_map(ColorMode::from_name)
            .collect();
    }
    let mut modes: Vec<ColorMode> = [
        ("color_temp", ColorMode::ColorTemp),
        ("hs", ColorMode::Hs),
        ("rgb", ColorMode::Rgb),
        ("xy", ColorMode::Xy),
    ]
    .into_iter()
    .filter(|(k, _)| flag(c, k))
    .map(|(_, m)| m)
    .collect();
    if modes.is_empty() {
        modes.push(if flag(c, "brightness") {
            ColorMode::Brightness
        } else {
            ColorMode::OnOff
        });
    }
    modes
}

fn availability(c: &Map<String, Value>) -> Vec<Availability> {
    let default_on = string(c, "payload_available").unwrap_or_else(|| "online".into());
    let default_off = string(c, "payload_not_available").unwrap_or_else(|| "offline".into());
    let mut out = Vec::new();
    if let Some(topic) = string(c, "availability_topic") {
        out.push(Availability {
            topic,
            payload_available: default_on.clone(),
            payload_not_available: default_off.clone(),
            value_template: string(c, "availability_template"),
        });
    }
    if let Some(Value::Array(items)) = c.get("availability") {
        for item in items.iter().filter_map(Value::as_object) {
            if let Some(topic) = string(item, "topic") {
                out.push(Availability {
                    topic,
                    payload_available: string(item, "payload_available")
                        .unwrap_or_else(|| default_on.clone()),
                    payload_not_available: string(item, "payload_not_available")
                        .unwrap_or_else(|| default_off.clone()),
                    value_template: string(item, "value_template"),
                });
            }
        }
    }
    out
}

/// Reads one message on a light discovery topic. An empty payload removes; a config without
/// `command_topic` is invalid, as in HA.
pub fn parse_config(config_topic: &str, payload: &[u8]) -> HaDiscovery {
    if payload.trim_ascii().is_empty() {
        return HaDiscovery::Remove;
    }
    let raw = match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return HaDiscovery::Invalid("config is not a JSON object".into()),
        Err(e) => return HaDiscovery::Invalid(format!("invalid JSON: {e}")),
    };
    let c = expand_config(&raw);
    let Some(command_topic) = string(&c, "command_topic") else {
        return HaDiscovery::Invalid("missing command_topic".into());
    };
    let device = c.get("device").and_then(Value::as_object);
    let object_id = config_topic
        .rsplit('/')
        .nth(1)
        .unwrap_or(config_topic)
        .to_string();
    let name = string(&c, "name")
        .or_else(|| device.and_then(|d| string(d, "name")))
        .or_else(|| string(&c, "object_id"))
        .unwrap_or(object_id);
    let schema = match c.get("schema").and_then(Value::as_str) {
        None | Some("default") | Some("basic") => HaSchema::Default,
        Some("json") => HaSchema::Json,
        Some(other) => HaSchema::Other(other.to_string()),
    };
    let mireds_range = match (uint(&c, "min_mireds"), uint(&c, "max_mireds")) {
        (Some(lo), Some(hi)) => Some((lo, hi)),
        _ => match (uint(&c, "min_kelvin"), uint(&c, "max_kelvin")) {
            (Some(lo_k), Some(hi_k)) if lo_k > 0 && hi_k > 0 => {
                Some((1_000_000 / hi_k, 1_000_000 / lo_k))
            }
            _ => None,
        },
    }
    .map(|(lo, hi)| {
        (
            lo.min(u64::from(u16::MAX)) as u16,
            hi.min(u64::from(u16::MAX)) as u16,
        )
    });
    let effects = match c.get("effect_list") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let light = HaLight {
        config_topic: config_topic.to_string(),
        unique_id: string(&c, "unique_id"),
        name,
        schema,
        state_topic: string(&c, "state_topic"),
        command_topic,
        brightness_scale: uint(&c, "brightness_scale")
            .filter(|s| *s > 0)
            .map_or(255, |s| s.min(u64::from(u16::MAX)) as u16),
        color_temp_kelvin: flag(&c, "color_temp_kelvin"),
        supported_color_modes: color_modes(&c),
        mireds_range,
        effects,
        retain: flag(&c, "retain"),
        payload_on: string(&c, "payload_on").unwrap_or_else(|| "ON".into()),
        payload_off: string(&c, "payload_off").unwrap_or_else(|| "OFF".into()),
        state_value_template: string(&c, "state_value_template")
            .or_else(|| string(&c, "value_template")),
        availability: availability(&c),
        area: device.and_then(|d| string(d, "suggested_area")),
    };
    HaDiscovery::Light(Box::new(light))
}

/// Reads on/off for a default-schema light: the (simply templated) value compared with
/// `payload_on`/`payload_off`; plain ON/OFF is accepted as a fallback because that is what
/// most such lamps send.
pub fn read_default_schema(light: &HaLight, payload: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(payload);
    let value = match &light.state_value_template {
        Some(t) => template::render(t, &text)?,
        None => text.trim().to_string(),
    };
    if value == light.payload_on {
        Some(true)
    } else if value == light.payload_off {
        Some(false)
    } else if value.eq_ignore_ascii_case("on") {
        Some(true)
    } else if value.eq_ignore_ascii_case("off") {
        Some(false)
    } else {
        None
    }
}
