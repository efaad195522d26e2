//! Home Assistant MQTT discovery for lights: `<prefix>/light/[<node_id>/]<object_id>/config`.
//!
//! Most lamp firmwares (ESPHome, Zigbee2MQTT, Tasmota legacy, Shelly scripts) announce
//! themselves this way, so reading it gives Lampboard names, topics and capabilities without
//! any setup. Configs are abbreviated and use `~` as a base topic; both are expanded here
//! before anything is read.

use serde_json::{Map, Value};

use std::sync::Arc;

use super::template::Templates;
use crate::lamp::availability::AvailabilityMode;
use crate::lamp::state::ColorMode;

/// The abbreviations of HA's `abbreviations.py` a light config can use (every light, shared
/// and availability key); unknown keys pass through unchanged.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("avty", "availability"),
    ("avty_mode", "availability_mode"),
    ("avty_t", "availability_topic"),
    ("avty_tpl", "availability_template"),
    ("b_tpl", "blue_template"),
    ("bri_cmd_t", "brightness_command_topic"),
    ("bri_cmd_tpl", "brightness_command_template"),
    ("bri_scl", "brightness_scale"),
    ("bri_stat_t", "brightness_state_topic"),
    ("bri_tpl", "brightness_template"),
    ("bri_val_tpl", "brightness_value_template"),
    ("clr_temp_cmd_t", "color_temp_command_topic"),
    ("clr_temp_cmd_tpl", "color_temp_command_template"),
    ("clr_temp_k", "color_temp_kelvin"),
    ("clr_temp_stat_t", "color_temp_state_topic"),
    ("clr_temp_tpl", "color_temp_template"),
    ("clr_temp_val_tpl", "color_temp_value_template"),
    ("clrm", "color_mode"),
    ("clrm_stat_t", "color_mode_state_topic"),
    ("clrm_val_tpl", "color_mode_value_template"),
    ("cmd_off_tpl", "command_off_template"),
    ("cmd_on_tpl", "command_on_template"),
    ("cmd_t", "command_topic"),
    ("cmd_tpl", "command_template"),
    ("cmps", "components"),
    ("def_ent_id", "default_entity_id"),
    ("dev", "device"),
    ("dev_cla", "device_class"),
    ("e", "encoding"),
    ("en", "enabled_by_default"),
    ("ent_cat", "entity_category"),
    ("flsh_tlng", "flash_time_long"),
    ("flsh_tsht", "flash_time_short"),
    ("fx_cmd_t", "effect_command_topic"),
    ("fx_cmd_tpl", "effect_command_template"),
    ("fx_list", "effect_list"),
    ("fx_stat_t", "effect_state_topic"),
    ("fx_tpl", "effect_template"),
    ("fx_val_tpl", "effect_value_template"),
    ("g_tpl", "green_template"),
    ("hs_cmd_t", "hs_command_topic"),
    ("hs_cmd_tpl", "hs_command_template"),
    ("hs_stat_t", "hs_state_topic"),
    ("hs_val_tpl", "hs_value_template"),
    ("ic", "icon"),
    ("json_attr_t", "json_attributes_topic"),
    ("json_attr_tpl", "json_attributes_template"),
    ("max_k", "max_kelvin"),
    ("max_mirs", "max_mireds"),
    ("min_k", "min_kelvin"),
    ("min_mirs", "min_mireds"),
    ("o", "origin"),
    ("obj_id", "object_id"),
    ("on_cmd_type", "on_command_type"),
    ("opt", "optimistic"),
    ("p", "platform"),
    ("pl_avail", "payload_available"),
    ("pl_not_avail", "payload_not_available"),
    ("pl_off", "payload_off"),
    ("pl_on", "payload_on"),
    ("r_tpl", "red_template"),
    ("ret", "retain"),
    ("rgb_cmd_t", "rgb_command_topic"),
    ("rgb_cmd_tpl", "rgb_command_template"),
    ("rgb_stat_t", "rgb_state_topic"),
    ("rgb_val_tpl", "rgb_value_template"),
    ("rgbw_cmd_t", "rgbw_command_topic"),
    ("rgbw_cmd_tpl", "rgbw_command_template"),
    ("rgbw_stat_t", "rgbw_state_topic"),
    ("rgbw_val_tpl", "rgbw_value_template"),
    ("rgbww_cmd_t", "rgbww_command_topic"),
    ("rgbww_cmd_tpl", "rgbww_command_template"),
    ("rgbww_stat_t", "rgbww_state_topic"),
    ("rgbww_val_tpl", "rgbww_value_template"),
    ("stat_t", "state_topic"),
    ("stat_tpl", "state_template"),
    ("stat_val_tpl", "state_value_template"),
    ("sup_clrm", "supported_color_modes"),
    ("t", "topic"),
    ("uniq_id", "unique_id"),
    ("val_tpl", "value_template"),
    ("whit_cmd_t", "white_command_topic"),
    ("whit_scl", "white_scale"),
    ("xy_cmd_t", "xy_command_topic"),
    ("xy_cmd_tpl", "xy_command_template"),
    ("xy_stat_t", "xy_state_topic"),
    ("xy_val_tpl", "xy_value_template"),
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

/// The HA light schemas, each with its own binding module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HaSchema {
    /// `schema: json`: one JSON document carries the whole state.
    Json,
    /// No schema key (or `default`/`basic`): state and commands spread over several topics.
    Default,
    /// `schema: template`: commands and state through Jinja templates.
    Template,
}

/// One availability source (HA's `availability_topic` or an `availability` list entry).
#[derive(Clone, Debug, PartialEq)]
pub struct Availability {
    /// Topic carrying the availability payload.
    pub topic: String,
    /// Payload meaning "available" (default `online`).
    pub payload_available: String,
    /// Payload meaning "not available" (default `offline`).
    pub payload_not_available: String,
    /// The key of its value template in the light's [`Templates`], when it has one.
    template_key: Option<String>,
    /// The light's templates (shared).
    templates: Arc<Templates>,
}

impl Availability {
    /// Reads an availability payload as HA's mixin does (through its value template when it
    /// has one); `None` when it is neither payload (or the template fails), so an unknown
    /// payload never flips a lamp.
    pub fn read(&self, payload: &[u8]) -> Option<bool> {
        let text = String::from_utf8_lossy(payload);
        let value = match &self.template_key {
            Some(k) => self.templates.render_value(k, &text).ok()?,
            None => text.into_owned(),
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

/// A discovered HA light: the expanded config (each schema module reads its own keys from it)
/// plus what every schema shares.
#[derive(Clone, Debug, PartialEq)]
pub struct HaLight {
    /// The discovery topic the config came on (for the lamp sheet).
    pub config_topic: String,
    /// `unique_id`, when given (HA keeps the first entity with a given unique_id).
    pub unique_id: Option<String>,
    /// Display name: `name`; a `null` or missing name is the device's name (HA names such an
    /// entity after its device), else the object id.
    pub name: String,
    /// Light schema.
    pub schema: HaSchema,
    /// The whole config, abbreviations and `~` expanded.
    pub config: Map<String, Value>,
    /// Every `*_template` of the config, parsed once.
    pub templates: Arc<Templates>,
    /// Where the lamp publishes its state; `None` means an optimistic lamp.
    pub state_topic: Option<String>,
    /// Where commands go.
    pub command_topic: String,
    /// Full-scale brightness (`brightness_scale`, default 255).
    pub brightness_scale: u16,
    /// `color_temp` is in kelvin instead of mireds.
    pub color_temp_kelvin: bool,
    /// Supported colour modes of the JSON schema (its `supported_color_modes`, else HA's
    /// legacy flags); the default and template schemas derive theirs in their modules.
    pub supported_color_modes: Vec<ColorMode>,
    /// Colour temperature range in mireds (min, max), with HA's defaults (2000-6535 K) for
    /// a bound that is not given; `None` for a lamp without colour temperature.
    pub mireds_range: Option<(u16, u16)>,
    /// Effect names offered (`effect_list`).
    pub effects: Vec<String>,
    /// Whether commands are published retained (`retain`, default false as in HA).
    pub retain: bool,
    /// `optimistic: true`: the state follows commands even with a state topic.
    pub optimistic: bool,
    /// Default-schema payload meaning on, as text (HA's `cv.string` turns `1` into `"1"`).
    pub payload_on: String,
    /// Default-schema payload meaning off, as text.
    pub payload_off: String,
    /// Availability sources.
    pub availability: Vec<Availability>,
    /// How the availability sources combine (`availability_mode`).
    pub availability_mode: AvailabilityMode,
    /// `suggested_area` of the device, used as the room.
    pub area: Option<String>,
}

impl HaLight {
    /// A string option of the config (numbers and booleans as HA's `cv.string` writes them).
    pub fn text(&self, key: &str) -> Option<String> {
        text(&self.config, key)
    }

    /// A boolean option, `default` when absent.
    pub fn flag(&self, key: &str, default: bool) -> bool {
        self.config
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(default)
    }

    /// A positive integer option.
    pub fn uint(&self, key: &str) -> Option<u64> {
        uint(&self.config, key)
    }

    /// The availability topics, the same for every schema.
    pub fn availability_topics(&self) -> Vec<String> {
        self.availability.iter().map(|a| a.topic.clone()).collect()
    }

    /// Reads one availability message on `topic` through that topic's payloads and template.
    pub fn read_availability(&self, topic: &str, payload: &[u8]) -> Option<bool> {
        self.availability
            .iter()
            .filter(|a| a.topic == topic)
            .find_map(|a| a.read(payload))
    }

    /// The facts the lamp sheet shows, with the schema's name.
    pub fn details(&self, schema: &str) -> Vec<(&'static str, String)> {
        let mut d = vec![
            ("Schema", schema.to_owned()),
            ("Config topic", self.config_topic.clone()),
        ];
        d.extend(self.state_topic.clone().map(|t| ("State topic", t)));
        d.push(("Command topic", self.command_topic.clone()));
        d
    }
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

/// True for `<prefix>/device/<object_id>/config`, HA 2024.11's device-based discovery
/// carrying several components (`cmps`).
pub fn is_device_config_topic(prefix: &str, topic: &str) -> bool {
    let Some(rest) = topic
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix("/device/"))
    else {
        return false;
    };
    let levels: Vec<&str> = rest.split('/').collect();
    matches!(levels.as_slice(), [id, "config"] if !id.is_empty())
}

/// Text as HA's `cv.string` makes it: strings as they are, numbers and booleans printed as
/// Python prints them (`1`, `1.5`, `True`).
fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_owned()),
        _ => None,
    }
}

fn string(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn uint(obj: &Map<String, Value>, key: &str) -> Option<u64> {
    obj.get(key)
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
        .filter(|n| *n > 0)
}

fn flag(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// JSON-schema modes: the explicit list, else HA's legacy flags (`brightness: true`, `rgb`,
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

/// HA's light defaults for a colour-temperature bound that is not given.
pub const DEFAULT_MIN_KELVIN: u64 = 2000;
/// See [`DEFAULT_MIN_KELVIN`].
pub const DEFAULT_MAX_KELVIN: u64 = 6535;

/// HA's `color_temperature_mired_to_kelvin` / `kelvin_to_mired`: `floor(1e6 / x)`.
fn invert(x: u64) -> u64 {
    1_000_000 / x.max(1)
}

/// The range in mireds as HA's schemas compute it: the minimum kelvin is from `max_mireds`
/// when given, else `min_kelvin`, else 2000 K; the maximum from `min_mireds`, else
/// `max_kelvin`, else 6535 K, each bound on its own.
fn mireds_range(c: &Map<String, Value>) -> (u16, u16) {
    let min_k = uint(c, "max_mireds")
        .map(invert)
        .or_else(|| uint(c, "min_kelvin"))
        .unwrap_or(DEFAULT_MIN_KELVIN);
    let max_k = uint(c, "min_mireds")
        .map(invert)
        .or_else(|| uint(c, "max_kelvin"))
        .unwrap_or(DEFAULT_MAX_KELVIN);
    let clamp = |m: u64| m.min(u64::from(u16::MAX)) as u16;
    (clamp(invert(max_k)), clamp(invert(min_k)))
}

fn availability(c: &Map<String, Value>, templates: &Arc<Templates>) -> Vec<Availability> {
    let default_on = text(c, "payload_available").unwrap_or_else(|| "online".into());
    let default_off = text(c, "payload_not_available").unwrap_or_else(|| "offline".into());
    let mut out = Vec::new();
    if let Some(topic) = string(c, "availability_topic") {
        out.push(Availability {
            topic,
            payload_available: default_on.clone(),
            payload_not_available: default_off.clone(),
            template_key: string(c, "availability_template")
                .map(|_| "availability_template".into()),
            templates: templates.clone(),
        });
    }
    if let Some(Value::Array(items)) = c.get("availability") {
        for (i, item) in items.iter().enumerate() {
            let Some(item) = item.as_object() else {
                continue;
            };
            if let Some(topic) = string(item, "topic") {
                out.push(Availability {
                    topic,
                    payload_available: text(item, "payload_available")
                        .unwrap_or_else(|| default_on.clone()),
                    payload_not_available: text(item, "payload_not_available")
                        .unwrap_or_else(|| default_off.clone()),
                    template_key: string(item, "value_template")
                        .map(|_| format!("availability[{i}].value_template")),
                    templates: templates.clone(),
                });
            }
        }
    }
    out
}

/// Parses every template of the config once: top-level `*_template` keys and the value
/// templates of the `availability` list.
fn parse_templates(c: &Map<String, Value>) -> Templates {
    let mut t = Templates::new();
    for (k, v) in c {
        if let (true, Value::String(src)) = (k.ends_with("_template"), v) {
            t.add(k, src);
        }
    }
    if let Some(Value::Array(items)) = c.get("availability") {
        for (i, item) in items.iter().enumerate() {
            if let Some(src) = item.get("value_template").and_then(Value::as_str) {
                t.add(&format!("availability[{i}].value_template"), src);
            }
        }
    }
    t
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
    let object_id = config_topic
        .rsplit('/')
        .nth(1)
        .unwrap_or(config_topic)
        .to_string();
    light_from_config(config_topic, &object_id, expand_config(&raw))
}

/// Builds a light from an expanded config (a light topic's, or one component of a device
/// config merged with the device's shared options).
pub fn light_from_config(
    config_topic: &str,
    object_id: &str,
    c: Map<String, Value>,
) -> HaDiscovery {
    let Some(command_topic) = string(&c, "command_topic") else {
        return HaDiscovery::Invalid("missing command_topic".into());
    };
    let device = c.get("device").and_then(Value::as_object);
    let device_name = device.and_then(|d| string(d, "name"));
    let name = match c.get("name") {
        Some(Value::String(n)) if !n.is_empty() => Some(n.clone()),
        _ => None,
    }
    .or(device_name)
    .or_else(|| string(&c, "object_id"))
    .unwrap_or_else(|| object_id.to_owned());
    let schema = match c.get("schema").and_then(Value::as_str) {
        None | Some("default") | Some("basic") => HaSchema::Default,
        Some("json") => HaSchema::Json,
        Some("template") => HaSchema::Template,
        Some(other) => {
            return HaDiscovery::Invalid(format!(
                "schema “{other}” is not one of Home Assistant's (default, json, template)"
            ))
        }
    };
    let supported_color_modes = color_modes(&c);
    let has_ct = match schema {
        HaSchema::Json => supported_color_modes.contains(&ColorMode::ColorTemp),
        HaSchema::Default => c.contains_key("color_temp_command_topic"),
        HaSchema::Template => c.contains_key("color_temp_template"),
    };
    let effects = match c.get("effect_list") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let templates = Arc::new(parse_templates(&c));
    let light = HaLight {
        config_topic: config_topic.to_string(),
        unique_id: text(&c, "unique_id"),
        name,
        schema,
        state_topic: string(&c, "state_topic"),
        command_topic,
        brightness_scale: uint(&c, "brightness_scale")
            .map_or(255, |s| s.min(u64::from(u16::MAX)) as u16),
        color_temp_kelvin: flag(&c, "color_temp_kelvin"),
        supported_color_modes,
        mireds_range: has_ct.then(|| mireds_range(&c)),
        effects,
        retain: flag(&c, "retain"),
        optimistic: flag(&c, "optimistic"),
        payload_on: text(&c, "payload_on").unwrap_or_else(|| "ON".into()),
        payload_off: text(&c, "payload_off").unwrap_or_else(|| "OFF".into()),
        availability: availability(&c, &templates),
        availability_mode: AvailabilityMode::from_name(
            c.get("availability_mode")
                .and_then(Value::as_str)
                .unwrap_or("all"),
        ),
        area: device.and_then(|d| string(d, "suggested_area")),
        templates,
        config: c,
    };
    HaDiscovery::Light(Box::new(light))
}

/// The options a device config shares with its components unless a component sets them
/// (HA's `SHARED_OPTIONS` in `discovery.py`), plus the device and origin blocks.
const SHARED_OPTIONS: &[&str] = &[
    "availability",
    "availability_mode",
    "availability_template",
    "availability_topic",
    "command_topic",
    "encoding",
    "payload_available",
    "payload_not_available",
    "state_topic",
    "qos",
    "device",
    "origin",
];

/// One component of a device config.
#[derive(Clone, Debug, PartialEq)]
pub enum DeviceComponent {
    /// A light component, read as a light config (or why it is invalid).
    Light(HaDiscovery),
    /// `{"p": "light"}` and nothing else: HA's documented removal of one component.
    Removed,
    /// Another platform (sensor, switch, ...): not a lamp.
    Other,
}

/// Reads a device config (`cmps`): each component id with what it is. `Err` for a payload HA
/// would reject; `Ok(None)` for an empty payload (the whole device is removed).
#[allow(clippy::type_complexity)]
pub fn parse_device_config(
    config_topic: &str,
    payload: &[u8],
) -> Result<Option<Vec<(String, DeviceComponent)>>, String> {
    if payload.trim_ascii().is_empty() {
        return Ok(None);
    }
    let raw = match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Err("device config is not a JSON object".into()),
        Err(e) => return Err(format!("invalid JSON: {e}")),
    };
    let device = expand_keys(&raw, ABBREVIATIONS);
    let Some(Value::Object(components)) = device.get("components") else {
        return Err("device config has no components (cmps)".into());
    };
    if !matches!(device.get("device"), Some(Value::Object(_))) {
        return Err("device config has no device (dev)".into());
    }
    let object_id = config_topic.rsplit('/').nth(1).unwrap_or(config_topic);
    let mut out = Vec::new();
    for (component_id, config) in components {
        let Some(config) = config.as_object() else {
            continue;
        };
        let mut c = expand_keys(config, ABBREVIATIONS);
        let platform = c.remove("platform");
        if platform.as_ref().and_then(Value::as_str) != Some("light") {
            out.push((component_id.clone(), DeviceComponent::Other));
            continue;
        }
        if c.is_empty() {
            out.push((component_id.clone(), DeviceComponent::Removed));
            continue;
        }
        for key in SHARED_OPTIONS {
            if let (Some(v), false) = (device.get(*key), c.contains_key(*key)) {
                c.insert((*key).to_owned(), v.clone());
            }
        }
        let c = expand_config(&c);
        let light = light_from_config(config_topic, &format!("{object_id} {component_id}"), c);
        out.push((component_id.clone(), DeviceComponent::Light(light)));
    }
    Ok(Some(out))
}
