//! Endpoint-suffixed keys: how one light of a multi-endpoint device is read from, and written
//! to, the device's shared state and `/set` topics.
//!
//! Zigbee2MQTT publishes `{"state_l1":"ON","brightness_l1":200,"state_l2":"OFF"}` on
//! `<base>/<name>`. Its Home Assistant extension reads one endpoint by taking every key that
//! ends in `_<endpoint>` without the suffix (`lib/extension/homeassistant.ts`,
//! `onPublishEntityState`), and its `publish` extension routes a `/set` key that ends in
//! `_<endpoint>` to that endpoint (`lib/extension/publish.ts`, `propertyEndpointRegex`), as the
//! device pages document (`{"state_l1": "ON"}` on `<base>/<name>/set`). This module does both,
//! preferring the property names the expose itself gives.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// The part of a device state that belongs to `endpoint`, with plain keys (`state`,
/// `brightness`): the expose's own properties first, then any `<key>_<endpoint>`.
pub fn endpoint_view(
    state: &Map<String, Value>,
    endpoint: &str,
    properties: &BTreeMap<String, String>,
) -> Map<String, Value> {
    let mut view = Map::new();
    for (name, property) in properties {
        if let Some(v) = state.get(property) {
            view.insert(name.clone(), v.clone());
        }
    }
    let suffix = format!("_{endpoint}");
    for (key, value) in state {
        if let Some(plain) = key.strip_suffix(&suffix).filter(|p| !p.is_empty()) {
            if !view.contains_key(plain) {
                view.insert(plain.to_string(), value.clone());
            }
        }
    }
    view
}

/// The key that sets `key` on `endpoint`: the expose's property for it, else `<key>_<endpoint>`.
pub fn endpoint_key(key: &str, endpoint: &str, properties: &BTreeMap<String, String>) -> String {
    properties
        .get(key)
        .cloned()
        .unwrap_or_else(|| format!("{key}_{endpoint}"))
}

/// A plain command object (`{"brightness":254}`) with every key addressed to `endpoint`.
pub fn to_endpoint(
    command: Map<String, Value>,
    endpoint: &str,
    properties: &BTreeMap<String, String>,
) -> Map<String, Value> {
    command
        .into_iter()
        .map(|(k, v)| (endpoint_key(&k, endpoint, properties), v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props() -> BTreeMap<String, String> {
        [("state", "state_l1"), ("brightness", "brightness_l1")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_view_takes_only_its_endpoints_keys() {
        let state = json!({"brightness_l1":200,"brightness_l2":60,"linkquality":118,
                           "state_l1":"ON","state_l2":"OFF","color_mode_l1":"xy"});
        let view = endpoint_view(state.as_object().unwrap(), "l1", &props());
        assert_eq!(
            Value::Object(view),
            json!({"state":"ON","brightness":200,"color_mode":"xy"})
        );
        let view = endpoint_view(state.as_object().unwrap(), "l2", &BTreeMap::new());
        assert_eq!(Value::Object(view), json!({"state":"OFF","brightness":60}));
    }

    #[test]
    fn commands_carry_the_endpoint_suffix() {
        let cmd = json!({"brightness":254}).as_object().unwrap().clone();
        assert_eq!(
            Value::Object(to_endpoint(cmd, "l1", &props())),
            json!({"brightness_l1":254})
        );
        assert_eq!(endpoint_key("color", "l2", &props()), "color_l2");
    }
}
