//! Zigbee2MQTT: lights from the retained `<base>/bridge/devices` list, state on
//! `<base>/<friendly_name>`, commands to `<base>/<friendly_name>/set`.
//!
//! The device list says which devices are lights (an expose of type `light`) and what they
//! can do, so sensors and relays that also publish `"state":"ON"` never become lamp cards.

use serde_json::{Map, Value};

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
