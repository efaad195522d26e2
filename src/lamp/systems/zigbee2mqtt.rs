//! Zigbee2MQTT: lights from the retained `<base>/bridge/devices` list, state on
//! `<base>/<friendly_name>`, commands to `<base>/<friendly_name>/set`.
//!
//! The device list says which devices are lights (an expose of type `light`) and what they
//! can do, so sensors and relays that also publish `"state":"ON"` never become lamp cards.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::SourceKind;
use crate::lamp::availability::AvailabilityMode;
use crate::lamp::command::{change_payload, CommandStyle, Dialect, LampChange};
use crate::lamp::read::{read_state, ReadError, ReadOptions};
use crate::lamp::state::{ColorMode, StateUpdate};
use crate::lamp::system::{
    Binding, BindingRef, CommandResult, Found, LampSpec, LampSystem, Outgoing,
};
use crate::lamp::{Capabilities, Lamp, LampId};

/// A Zigbee2MQTT light and its capabilities, read from its `light` expose.
#[derive(Clone, Debug, PartialEq)]
pub struct Z2mLight {
    /// The friendly name; also the topic suffix (it may contain `/`, spaces, UTF-8).
    pub friendly_name: String,
    /// IEEE address, the one identifier that survives renames.
    pub ieee_address: Option<String>,
    /// Brightness full scale when dimmable (usually 254).
    pub brightness_max: Option<u16>,
    /// Accepts `color` as xy.
    pub color_xy: bool,
    /// Accepts `color` as hue/saturation.
    pub color_hs: bool,
    /// Colour temperature range in mireds, when tunable.
    pub color_temp_range: Option<(u16, u16)>,
    /// Effect names from the device's `effect` enum expose.
    pub effects: Vec<String>,
}

fn u16_of(v: Option<&Value>) -> Option<u16> {
    v.and_then(Value::as_u64)
        .map(|n| n.min(u64::from(u16::MAX)) as u16)
}

/// Reads one `light` expose (without endpoint: multi-endpoint lights use suffixed
/// properties such as `state_l1`, which this model does not read yet).
fn light_from(expose: &Map<String, Value>, device: &Map<String, Value>) -> Option<Z2mLight> {
    if expose.get("type").and_then(Value::as_str) != Some("light")
        || expose.contains_key("endpoint")
    {
        return None;
    }
    let friendly_name = device.get("friendly_name")?.as_str()?.to_string();
    let mut light = Z2mLight {
        friendly_name,
        ieee_address: device
            .get("ieee_address")
            .and_then(Value::as_str)
            .map(str::to_string),
        brightness_max: None,
        color_xy: false,
        color_hs: false,
        color_temp_range: None,
        effects: Vec::new(),
    };
    let features = expose.get("features").and_then(Value::as_array);
    for f in features.into_iter().flatten().filter_map(Value::as_object) {
        match f.get("name").and_then(Value::as_str) {
            Some("brightness") => light.brightness_max = u16_of(f.get("value_max")).or(Some(254)),
            Some("color_xy") => light.color_xy = true,
            Some("color_hs") => light.color_hs = true,
            Some("color_temp") => {
                light.color_temp_range =
                    match (u16_of(f.get("value_min")), u16_of(f.get("value_max"))) {
                        (Some(lo), Some(hi)) => Some((lo, hi)),
                        _ => Some((153, 500)),
                    }
            }
            _ => {}
        }
    }
    Some(light)
}

/// Reads `bridge/devices`: every enabled device with a light expose, in list order. A payload
/// that is not a JSON array is an error, so the directory keeps the lamps it had.
pub fn parse_bridge_devices(payload: &[u8]) -> Result<Vec<Z2mLight>, String> {
    let devices = match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Array(items)) => items,
        Ok(_) => return Err("bridge/devices is not a JSON array".into()),
        Err(e) => return Err(format!("invalid JSON: {e}")),
    };
    let mut lights = Vec::new();
    for device in devices.iter().filter_map(Value::as_object) {
        if device.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let Some(exposes) = device
            .get("definition")
            .and_then(|d| d.get("exposes"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        let exposes: Vec<&Map<String, Value>> =
            exposes.iter().filter_map(Value::as_object).collect();
        if let Some(mut light) = exposes.iter().find_map(|e| light_from(e, device)) {
            light.effects = exposes
                .iter()
                .find(|e| e.get("name").and_then(Value::as_str) == Some("effect"))
                .and_then(|e| e.get("values"))
                .and_then(Value::as_array)
                .map(|v| {
                    v.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            lights.push(light);
        }
    }
    Ok(lights)
}

/// Zigbee2MQTT under one base topic.
#[derive(Debug)]
pub struct Zigbee2MqttSystem {
    base: String,
    /// The lights of the last device list, by lamp id, with the binding handed out for each
    /// (kept so an unchanged light keeps its binding).
    lights: BTreeMap<LampId, (Z2mLight, BindingRef)>,
}

impl Zigbee2MqttSystem {
    /// Zigbee2MQTT under `base` (its default is `zigbee2mqtt`).
    pub fn new(base: String) -> Self {
        Zigbee2MqttSystem {
            base,
            lights: BTreeMap::new(),
        }
    }

    fn devices_topic(&self) -> String {
        format!("{}/bridge/devices", self.base)
    }
}

impl LampSystem for Zigbee2MqttSystem {
    fn kind(&self) -> SourceKind {
        SourceKind::Zigbee2Mqtt
    }

    fn subscriptions(&self) -> Vec<String> {
        vec![self.devices_topic()]
    }

    fn settings_key(&self) -> String {
        self.base.clone()
    }

    /// Zigbee2MQTT's own device list outranks the Home Assistant discovery it also publishes.
    fn precedence(&self) -> u8 {
        0
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        _known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        if topic != self.devices_topic() {
            return None;
        }
        let lights = match parse_bridge_devices(payload) {
            Ok(lights) => lights,
            Err(reason) => return Some(vec![Found::Rejected(reason)]),
        };
        let mut found = Vec::new();
        let mut next = BTreeMap::new();
        for light in lights {
            let id = LampId(format!("{}/{}", self.base, light.friendly_name));
            let binding = match self.lights.remove(&id) {
                Some((old, binding)) if old == light => binding,
                _ => {
                    let binding = BindingRef::new(Z2mBinding {
                        base: self.base.clone(),
                        light: light.clone(),
                    });
                    found.push(Found::Lamp(LampSpec {
                        id: id.clone(),
                        name: light.friendly_name.clone(),
                        room: None,
                        binding: binding.clone(),
                    }));
                    binding
                }
            };
            next.insert(id, (light, binding));
        }
        found.extend(self.lights.keys().cloned().map(Found::Gone));
        self.lights = next;
        Some(found)
    }
}

/// One Zigbee2MQTT light: state on `<base>/<name>`, commands to `<base>/<name>/set`.
#[derive(Debug)]
pub struct Z2mBinding {
    base: String,
    light: Z2mLight,
}

impl Z2mBinding {
    fn topic(&self) -> String {
        format!("{}/{}", self.base, self.light.friendly_name)
    }
}

impl Binding for Z2mBinding {
    fn kind(&self) -> SourceKind {
        SourceKind::Zigbee2Mqtt
    }

    fn state_topics(&self) -> Vec<String> {
        vec![self.topic()]
    }

    fn read(
        &self,
        _topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        read_state(
            payload,
            &ReadOptions {
                brightness_scale: self.light.brightness_max.unwrap_or(254),
                color_temp_kelvin: false,
                mireds_range: self.light.color_temp_range.unwrap_or((153, 500)),
            },
        )
    }

    fn capabilities(&self) -> Capabilities {
        let light = &self.light;
        Capabilities {
            brightness: light.brightness_max.is_some(),
            color: light.color_xy || light.color_hs,
            color_temp: light.color_temp_range.is_some(),
            color_temp_range: light.color_temp_range,
            effects: light.effects.clone(),
        }
    }

    fn command(&self, change: &LampChange, _lamp: &Lamp) -> CommandResult {
        let light = &self.light;
        if let LampChange::Effect(name) = change {
            if !light.effects.contains(name) {
                return Err(format!("this lamp has no effect called “{name}”"));
            }
        }
        let mut modes = Vec::new();
        if light.color_xy {
            modes.push(ColorMode::Xy);
        }
        if light.color_hs {
            modes.push(ColorMode::Hs);
        }
        if light.color_xy {
            // Zigbee2MQTT converts {r,g,b} itself for xy lamps.
            modes.push(ColorMode::Rgb);
        }
        let style = CommandStyle {
            dialect: Dialect::Zigbee2Mqtt,
            brightness_scale: light.brightness_max.unwrap_or(254),
            color_temp_kelvin: false,
            mireds_range: light.color_temp_range,
            color_modes: modes,
        };
        Ok(vec![Outgoing::command(
            format!("{}/set", self.topic()),
            change_payload(change, &style),
        )])
    }

    /// Zigbee2MQTT does not retain states by default: ask, so a fresh page does not show
    /// "unknown" until the lamp changes.
    fn refresh(&self) -> Vec<Outgoing> {
        vec![Outgoing::command(
            format!("{}/get", self.topic()),
            br#"{"state":""}"#.to_vec(),
        )]
    }

    fn availability_topics(&self) -> Vec<String> {
        vec![format!("{}/availability", self.topic())]
    }

    fn read_availability(&self, _topic: &str, payload: &[u8]) -> Option<bool> {
        read_availability(payload)
    }

    fn availability_mode(&self) -> AvailabilityMode {
        AvailabilityMode::Latest
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        let mut d = vec![("State topic", self.topic())];
        d.extend(self.light.ieee_address.clone().map(|a| ("IEEE address", a)));
        d
    }
}

/// Zigbee2MQTT availability: `online`/`offline` as text (1.x) or `{"state":"online"}` (2.x),
/// compared case-insensitively because the set has `Offline`.
pub fn read_availability(payload: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(payload);
    let value = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(o)) => o.get("state")?.as_str()?.to_string(),
        _ => text.trim().to_string(),
    };
    if value.eq_ignore_ascii_case("online") {
        Some(true)
    } else if value.eq_ignore_ascii_case("offline") {
        Some(false)
    } else {
        None
    }
}
