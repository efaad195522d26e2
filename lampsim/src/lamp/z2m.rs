//! Zigbee2MQTT devices and groups, as Zigbee2MQTT 1.x/2.x handles them.
//!
//! * `<base>/<name>/set` takes JSON (numbers may be strings, `TOGGLE`, `brightness_step`,
//!   colours as xy/rgb/hex/hue-saturation, `effect` from the device's enum) or a bare
//!   `ON`/`OFF`/`TOGGLE`; the full state is echoed on `<base>/<name>` with sorted keys;
//!   `<base>/<name>/get` asks for the state without changing it; an empty `/set` is ignored.
//! * An effect (`blink`, `breathe`, `okay`, ...) is a one-shot Identify command: accepted, but
//!   not part of the state, so a `/set` with only an effect publishes nothing (as Z2M).
//! * Multi-endpoint devices (a two-channel dimmer) take `state_l1`, `brightness_l2`, ... on
//!   `/set`, or plain keys on `<base>/<name>/<endpoint>/set`, and report every endpoint's
//!   keys with its suffix (`{"brightness_l1":..,"linkquality":..,"state_l1":"ON",...}`). Plain
//!   keys on `/set` go to the first endpoint (Z2M's default endpoint) and are reported with
//!   its suffix.
//! * Groups take the same commands on `<base>/<group>/set`; their state (no `linkquality`) is
//!   published on `<base>/<group>`. What a group command does to its members is the fleet's
//!   job (see [`crate::fleet::z2m_groups`]); [`Lamp::z2m_apply_optimistic`] is the member's side.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::keys::{self, mode_name, on_off, Dialect};
use super::seed::SeedExtras;
use super::{ignored, Features, Kind, Lamp, Light, Mode, Reply, Role};

#[derive(Serialize)]
struct Xy {
    x: f64,
    y: f64,
}

/// Field order is alphabetical: Zigbee2MQTT serialises with sorted keys.
#[derive(Serialize)]
struct Z2mOut {
    brightness: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<Xy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_temp: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    linkquality: Option<u8>,
    state: &'static str,
}

/// Keys a `/set` may carry that are not state: they never make the device report.
const NOT_STATE: &[&str] = &["effect", "transition"];

impl Lamp {
    /// A Zigbee2MQTT lamp under `<base>/<friendly_name>`.
    pub fn zigbee2mqtt(
        base: &str,
        friendly_name: &str,
        features: Features,
        light: Light,
        linkquality: u8,
    ) -> Lamp {
        let state_topic = format!("{base}/{friendly_name}");
        Lamp {
            get_topic: Some(format!("{state_topic}/get")),
            features,
            light,
            linkquality,
            ..Lamp::base(
                Kind::Zigbee2Mqtt,
                friendly_name,
                &state_topic,
                &format!("{state_topic}/set"),
            )
        }
    }

    /// A Zigbee2MQTT device with several light endpoints (`("l1", light), ("l2", light)`),
    /// each with the same features.
    pub fn zigbee2mqtt_multi(
        base: &str,
        friendly_name: &str,
        features: Features,
        endpoints: &[(&str, Light)],
        linkquality: u8,
    ) -> Lamp {
        let mut lamp = Lamp::zigbee2mqtt(
            base,
            friendly_name,
            features,
            endpoints
                .first()
                .map_or(Light::dimmed(false, 0), |e| e.1.clone()),
            linkquality,
        );
        for (i, (name, light)) in endpoints.iter().enumerate() {
            lamp.endpoints.push((*name).to_string());
            lamp.other_topics.push((
                format!("{}/{name}/set", lamp.state_topic),
                Role::EndpointSet(i),
            ));
            if i > 0 {
                lamp.more_lights.push(light.clone());
            }
        }
        lamp
    }

    /// A Zigbee2MQTT group under `<base>/<friendly_name>`, with its members' features.
    pub fn zigbee2mqtt_group(
        base: &str,
        friendly_name: &str,
        features: Features,
        light: Light,
    ) -> Lamp {
        Lamp {
            kind: Kind::Zigbee2MqttGroup,
            ..Lamp::zigbee2mqtt(base, friendly_name, features, light, 0)
        }
    }

    pub(super) fn z2m_state(&self) -> Vec<u8> {
        if self.endpoints.is_empty() {
            return serde_json::to_vec(&self.z2m_out(&self.light))
                .unwrap_or_else(|_| b"{}".to_vec());
        }
        let mut out = BTreeMap::new();
        for (i, name) in self.endpoints.iter().enumerate() {
            let Some(light) = self.endpoint_light(i) else {
                continue;
            };
            let Ok(Value::Object(keys)) = serde_json::to_value(self.z2m_out(light)) else {
                continue;
            };
            for (k, v) in keys {
                if k != "linkquality" {
                    out.insert(format!("{k}_{name}"), v);
                }
            }
        }
        out.insert("linkquality".to_string(), json!(self.linkquality));
        serde_json::to_vec(&out).unwrap_or_else(|_| b"{}".to_vec())
    }

    fn z2m_out(&self, l: &Light) -> Z2mOut {
        Z2mOut {
            brightness: l.brightness,
            color: if self.features.color {
                l.color.map(|c| {
                    let (x, y) = c.to_xy();
                    Xy { x, y }
                })
            } else {
                None
            },
            color_mode: match l.mode {
                Mode::Brightness => None,
                m => Some(mode_name(m, "xy")),
            },
            color_temp: l.color_temp,
            linkquality: (self.kind == Kind::Zigbee2Mqtt).then_some(self.linkquality),
            state: on_off(l.on),
        }
    }

    pub(super) fn z2m_command(&mut self, role: Role, payload: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(payload);
        let text = text.trim();
        if text.is_empty() {
            return ignored("empty /set ignored");
        }
        let obj = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => o,
            _ if ["ON", "OFF", "TOGGLE"]
                .iter()
                .any(|w| w.eq_ignore_ascii_case(text)) =>
            {
                let mut o = Map::new();
                o.insert("state".into(), Value::String(text.to_ascii_uppercase()));
                o
            }
            _ => {
                return ignored("Invalid message, not JSON (Zigbee2MQTT only accepts JSON on /set)")
            }
        };
        let fixed = match role {
            Role::EndpointSet(ep) => Some(ep),
            _ => None,
        };
        let mut per_endpoint: BTreeMap<usize, Map<String, Value>> = BTreeMap::new();
        for (key, value) in obj {
            let (ep, key) = match fixed {
                Some(ep) => (ep, key),
                None => self.split_endpoint(&key),
            };
            per_endpoint.entry(ep).or_default().insert(key, value);
        }
        let mut notes = Vec::new();
        let mut applied = false;
        let mut reports = false;
        let mut changed = false;
        for (ep, keys_here) in per_endpoint {
            let features = self.features.clone();
            let Some(light) = self.endpoint_light_mut(ep) else {
                notes.push(format!("no endpoint {ep}"));
                continue;
            };
            let before = light.clone();
            if keys::apply(
                light,
                &features,
                &keys_here,
                Dialect::Z2m,
                &mut notes,
                &mut SeedExtras::default(),
            ) {
                applied = true;
                reports |= keys_here.keys().any(|k| !NOT_STATE.contains(&k.as_str()));
            }
            // An effect is a one-shot Identify command, not state.
            light.effect = None;
            changed |= *light != before;
        }
        if !applied {
            return Reply {
                notes,
                ..Reply::default()
            };
        }
        Reply {
            accepted: true,
            changed,
            publish: reports.then(|| self.state_payload()),
            notes,
            extra: Vec::new(),
        }
    }

    /// `state_l2` -> (endpoint 1, `state`); a key without a known suffix -> endpoint 0.
    fn split_endpoint(&self, key: &str) -> (usize, String) {
        for (i, name) in self.endpoints.iter().enumerate() {
            if let Some(base) = key.strip_suffix(&format!("_{name}")) {
                return (i, base.to_string());
            }
        }
        (0, key.to_string())
    }

    /// Zigbee2MQTT's optimistic update of a group member (`state`, `brightness`,
    /// `color_temp`, `color` as x/y) on endpoint `ep`: applied without a command; returns
    /// whether the member changed (the caller publishes its state).
    pub fn z2m_apply_optimistic(&mut self, ep: usize, update: &Map<String, Value>) -> bool {
        let features = self.features.clone();
        let Some(light) = self.endpoint_light_mut(ep) else {
            return false;
        };
        let before = light.clone();
        keys::apply(
            light,
            &features,
            update,
            Dialect::Z2m,
            &mut Vec::new(),
            &mut SeedExtras::default(),
        );
        *light != before
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::color::Color;

    fn z2m_color() -> Lamp {
        Lamp::zigbee2mqtt(
            "zigbee2mqtt",
            "hallway/ceiling",
            Features::new(254, true, Some((153, 500))).with_effects(&["blink", "okay"]),
            Light {
                on: true,
                brightness: 254,
                color: Some(Color::Xy { x: 0.3, y: 0.3 }),
                color_temp: Some(250),
                mode: Mode::Color,
                effect: None,
            },
            120,
        )
    }

    fn dimmer() -> Lamp {
        Lamp::zigbee2mqtt_multi(
            "zigbee2mqtt",
            "living/dimmer",
            Features::new(254, false, None),
            &[
                ("l1", Light::dimmed(true, 200)),
                ("l2", Light::dimmed(false, 50)),
            ],
            99,
        )
    }

    #[test]
    fn z2m_echoes_sorted_full_state() {
        let mut lamp = z2m_color();
        assert_eq!(lamp.state_topic, "zigbee2mqtt/hallway/ceiling");
        assert_eq!(lamp.command_topic, "zigbee2mqtt/hallway/ceiling/set");
        let reply = lamp.handle(Role::Command, br#"{"brightness":"200"}"#);
        assert_eq!(
            String::from_utf8(reply.publish.unwrap()).unwrap(),
            r#"{"brightness":200,"color":{"x":0.3,"y":0.3},"color_mode":"xy","color_temp":250,"linkquality":120,"state":"ON"}"#
        );
        let reply = lamp.handle(Role::Command, b"TOGGLE");
        assert!(reply.changed && !lamp.light.on);
        lamp.handle(Role::Command, br#"{"state":"toggle"}"#);
        assert!(lamp.light.on);
        lamp.handle(Role::Command, br##"{"color":"#FF0000"}"##);
        let (x, y) = lamp.light.color.unwrap().to_xy();
        assert!(
            (x - 0.7006).abs() < 0.001 && (y - 0.2993).abs() < 0.001,
            "{x},{y}"
        );
        lamp.handle(Role::Command, br#"{"color":{"x":0.1355,"y":0.0399}}"#);
        assert_eq!(
            json_of(&lamp.state_payload())["color"],
            json!({"x":0.1355,"y":0.0399})
        );
        lamp.handle(Role::Command, br#"{"color_temp":"222"}"#);
        assert_eq!(lamp.light.mode, Mode::ColorTemp);
        assert_eq!(json_of(&lamp.state_payload())["color_mode"], "color_temp");
        lamp.handle(Role::Command, br#"{"brightness_step":-250}"#);
        assert!(!lamp.light.on, "stepping to 0 switches off");
        assert_eq!(lamp.light.brightness, 200, "and keeps the level");
    }

    #[test]
    fn z2m_effects_are_one_shot_commands() {
        let mut lamp = z2m_color();
        let before = lamp.clone();
        let reply = lamp.handle(Role::Command, br#"{"effect":"blink"}"#);
        assert!(
            reply.accepted && !reply.changed && reply.publish.is_none(),
            "{reply:?}"
        );
        assert_eq!(lamp, before);
        let reply = lamp.handle(Role::Command, br#"{"effect":"disco"}"#);
        assert!(!reply.accepted && reply.notes[0].contains("disco"));
        let reply = lamp.handle(Role::Command, br#"{"state":"OFF","effect":"okay"}"#);
        let state = json_of(&reply.publish.unwrap());
        assert_eq!(state["state"], "OFF");
        assert!(state.get("effect").is_none(), "Z2M does not report effects");
    }

    #[test]
    fn z2m_rejects_what_zigbee2mqtt_rejects() {
        let mut lamp = z2m_color();
        let before = lamp.clone();
        for bad in [
            &br#""#[..],
            b"   ",
            br#"{"state":true}"#,
            br#"{"state":1}"#,
            br#"{"brightness_step":-05}"#,
            br#"{"foo":1}"#,
            b"maybe",
        ] {
            let reply = lamp.handle(Role::Command, bad);
            assert!(!reply.accepted && reply.publish.is_none(), "{bad:?}");
            assert!(!reply.notes.is_empty());
        }
        assert_eq!(lamp, before);
        let reply = lamp.handle(Role::Get, br#"{"state":""}"#);
        assert!(!reply.changed && reply.publish.is_some());
    }

    #[test]
    fn multi_endpoint_keys_carry_the_endpoint() {
        let mut lamp = dimmer();
        assert_eq!(
            String::from_utf8(lamp.state_payload()).unwrap(),
            r#"{"brightness_l1":200,"brightness_l2":50,"linkquality":99,"state_l1":"ON","state_l2":"OFF"}"#
        );
        let reply = lamp.handle(Role::Command, br#"{"state_l1":"OFF","brightness_l2":100}"#);
        assert!(reply.changed);
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"brightness_l1":200,"brightness_l2":100,"linkquality":99,"state_l1":"OFF","state_l2":"ON"})
        );
        // The endpoint's own topic takes plain keys.
        assert!(lamp.other_topics.contains(&(
            "zigbee2mqtt/living/dimmer/l2/set".into(),
            Role::EndpointSet(1)
        )));
        lamp.handle(Role::EndpointSet(1), br#"{"state":"OFF"}"#);
        assert!(!lamp.more_lights[0].on && !lamp.light.on);
        // Plain keys on /set reach the default (first) endpoint.
        lamp.handle(Role::Command, b"ON");
        assert!(lamp.light.on && !lamp.more_lights[0].on);
        assert_eq!(lamp.summary(), "ON 79% | OFF 39%");
        let reply = lamp.handle(Role::Command, br#"{"state_l3":"ON"}"#);
        assert!(
            !reply.accepted,
            "no such endpoint: No converter for state_l3"
        );
    }

    #[test]
    fn groups_report_without_linkquality_and_members_take_optimistic_updates() {
        let mut group = Lamp::zigbee2mqtt_group(
            "zigbee2mqtt",
            "house/all",
            Features::new(254, false, None),
            Light::dimmed(false, 100),
        );
        let reply = group.handle(Role::Command, br#"{"state":"ON","brightness":50}"#);
        assert_eq!(
            String::from_utf8(reply.publish.unwrap()).unwrap(),
            r#"{"brightness":50,"state":"ON"}"#
        );
        let mut lamp = dimmer();
        let update = json!({"state":"OFF","brightness":10});
        assert!(lamp.z2m_apply_optimistic(1, update.as_object().unwrap()));
        assert_eq!(
            (lamp.more_lights[0].on, lamp.more_lights[0].brightness),
            (false, 10)
        );
    }
}
