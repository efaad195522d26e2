//! Reading Zigbee2MQTT's retained `<base>/bridge/devices` list: which devices are lights and
//! what each `light` expose can do.
//!
//! A device has one light per `light` expose. Most have one without `endpoint`; multi-channel
//! dimmers and dual-light fittings have one per endpoint (`"endpoint": "l1"`), whose features'
//! `property` carry the endpoint as a suffix (`state_l1`, `brightness_l1`), as
//! zigbee-herdsman-converters' `withEndpoint` builds them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::scenes::{read_scenes, Z2mScene};

/// One Zigbee2MQTT light (a device's `light` expose) and what it can do, read from the
/// expose's features, never guessed from state messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Z2mLight {
    /// The friendly name; also the topic suffix (it may contain `/`, spaces, UTF-8).
    pub friendly_name: String,
    /// IEEE address, the one identifier that survives renames.
    pub ieee_address: Option<String>,
    /// The expose's endpoint name (`l1`, `rgb`), for lights that are one of several on a
    /// device; `None` for a device's plain light.
    pub endpoint: Option<String>,
    /// The expose's own label or description, when the converter gives one, to name the
    /// endpoint in words.
    pub label: Option<String>,
    /// Brightness full scale when dimmable (the feature's `value_max`, usually 254).
    pub brightness_max: Option<u16>,
    /// Accepts `color` as xy.
    pub color_xy: bool,
    /// Accepts `color` as hue/saturation.
    pub color_hs: bool,
    /// Colour temperature range in mireds (the feature's `value_min`/`value_max`).
    pub color_temp_range: Option<(u16, u16)>,
    /// Effect names from the device's `effect` enum expose.
    pub effects: Vec<String>,
    /// Feature name (`state`, `brightness`, `color_temp`, `color`) -> the property that
    /// carries it in states and commands (`state_l1`), as the expose says.
    pub properties: BTreeMap<String, String>,
    /// Native scenes stored in the device (every endpoint's, for a device's plain light);
    /// empty for an endpoint's light, whose Zigbee endpoint number the list does not map to
    /// its name, and for groups (their scenes are the group's own).
    pub scenes: Vec<Z2mScene>,
}

/// One device of the list, lights or not: groups need every member's exposes.
#[derive(Clone, Debug, PartialEq)]
pub struct Z2mDevice {
    /// The friendly name.
    pub friendly_name: String,
    /// IEEE address (how groups name their members).
    pub ieee_address: Option<String>,
    /// Its lights, one per `light` expose, in expose order.
    pub lights: Vec<Z2mLight>,
    /// Every value of every `effect` enum expose, in order, without repeats (what Zigbee2MQTT's
    /// Home Assistant extension offers for a group containing the device).
    pub effects: Vec<String>,
}

fn u16_of(v: Option<&Value>) -> Option<u16> {
    v.and_then(Value::as_f64)
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n.round().min(f64::from(u16::MAX)) as u16)
}

fn text(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Pushes the values of one `effect` enum expose, keeping order and dropping repeats.
fn push_effects(expose: &Map<String, Value>, into: &mut Vec<String>) {
    let values = expose.get("values").and_then(Value::as_array);
    for v in values.into_iter().flatten().filter_map(Value::as_str) {
        if !into.iter().any(|e| e == v) {
            into.push(v.to_string());
        }
    }
}

fn is_effect(expose: &Map<String, Value>) -> bool {
    expose.get("type").and_then(Value::as_str) == Some("enum")
        && expose.get("name").and_then(Value::as_str) == Some("effect")
}

/// Reads one `light` expose of a device.
fn light_from(expose: &Map<String, Value>, device: &Map<String, Value>) -> Option<Z2mLight> {
    if expose.get("type").and_then(Value::as_str) != Some("light") {
        return None;
    }
    let friendly_name = text(device, "friendly_name")?;
    let mut light = Z2mLight {
        friendly_name,
        ieee_address: text(device, "ieee_address"),
        endpoint: text(expose, "endpoint"),
        label: text(expose, "label").or_else(|| text(expose, "description")),
        brightness_max: None,
        color_xy: false,
        color_hs: false,
        color_temp_range: None,
        effects: Vec::new(),
        properties: BTreeMap::new(),
        scenes: Vec::new(),
    };
    let features = expose.get("features").and_then(Value::as_array);
    for f in features.into_iter().flatten().filter_map(Value::as_object) {
        let Some(name) = f.get("name").and_then(Value::as_str) else {
            continue;
        };
        let key = match name {
            "state" => "state",
            "brightness" => {
                light.brightness_max = u16_of(f.get("value_max")).filter(|m| *m > 0).or(Some(254));
                "brightness"
            }
            "color_xy" => {
                light.color_xy = true;
                "color"
            }
            "color_hs" => {
                light.color_hs = true;
                "color"
            }
            "color_temp" => {
                light.color_temp_range =
                    match (u16_of(f.get("value_min")), u16_of(f.get("value_max"))) {
                        (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
                        _ => Some((153, 500)),
                    };
                "color_temp"
            }
            _ => continue,
        };
        if let Some(property) = text(f, "property") {
            light.properties.insert(key.to_string(), property);
        }
    }
    Some(light)
}

/// Reads one device entry; `None` for disabled devices and entries without a name.
fn device_from(device: &Map<String, Value>) -> Option<Z2mDevice> {
    if device.get("disabled").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let friendly_name = text(device, "friendly_name")?;
    let exposes: Vec<&Map<String, Value>> = device
        .get("definition")
        .and_then(|d| d.get("exposes"))
        .and_then(Value::as_array)
        .map(|e| e.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let mut effects = Vec::new();
    for e in exposes.iter().filter(|e| is_effect(e)) {
        push_effects(e, &mut effects);
    }
    let mut lights: Vec<Z2mLight> = exposes
        .iter()
        .filter_map(|e| light_from(e, device))
        .collect();
    let mut scenes = Vec::new();
    let endpoints = device.get("endpoints").and_then(Value::as_object);
    for endpoint in endpoints.into_iter().flat_map(|e| e.values()) {
        read_scenes(endpoint.get("scenes"), &mut scenes);
    }
    for light in &mut lights {
        if light.endpoint.is_none() {
            light.scenes = scenes.clone();
        }
        // A plain light gets every effect of the device (as Zigbee2MQTT's Home Assistant
        // extension does); an endpoint's light those of its endpoint or of the whole device.
        for e in exposes.iter().filter(|e| is_effect(e)) {
            let ep = text(e, "endpoint");
            if light.endpoint.is_none() || ep.is_none() || ep == light.endpoint {
                push_effects(e, &mut light.effects);
            }
        }
    }
    Some(Z2mDevice {
        friendly_name,
        ieee_address: text(device, "ieee_address"),
        lights,
        effects,
    })
}

/// Reads `bridge/devices`: every enabled device, lights or not, in list order. A payload that
/// is not a JSON array is an error, so the directory keeps the lamps it had.
pub fn parse_devices(payload: &[u8]) -> Result<Vec<Z2mDevice>, String> {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Array(items)) => Ok(items
            .iter()
            .filter_map(Value::as_object)
            .filter_map(device_from)
            .collect()),
        Ok(_) => Err("bridge/devices is not a JSON array".into()),
        Err(e) => Err(format!("bridge/devices is not valid JSON: {e}")),
    }
}

/// Reads `bridge/devices` into its lights: one per `light` expose of every enabled device,
/// in list order (a two-channel dimmer gives two).
pub fn parse_bridge_devices(payload: &[u8]) -> Result<Vec<Z2mLight>, String> {
    Ok(parse_devices(payload)?
        .into_iter()
        .flat_map(|d| d.lights)
        .collect())
}
