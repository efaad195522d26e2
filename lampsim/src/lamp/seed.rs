//! Seed lamps (`smarthome/<room>/lamps/<name>`): the topic *is* the state. Another client
//! writes a new (retained) state there and the lamp adopts it. Keys it does not know are kept,
//! a partial or out-of-range write is completed/clamped and the full state re-published so
//! the retained value stays whole; an unreadable or empty write is answered by re-publishing
//! the last good state (the lamp still owns its topic).

use serde::Serialize;
use serde_json::{Map, Value};

use super::keys::{self, mode_name, on_off, Dialect};
use super::{Features, Kind, Lamp, Light, Reply};
use crate::color::{Color, Rgb};

/// What a seed document carries beyond the light.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct SeedExtras {
    /// Keys a writer put in the document that the lamp does not interpret, kept so the
    /// retained document round-trips (the app preserves unknown keys too).
    pub extra: Map<String, Value>,
    /// Report `color_mode` (once a writer used it or a temperature).
    pub mode_key: bool,
}

#[derive(Serialize)]
struct SeedOut<'a> {
    state: &'static str,
    brightness: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<Rgb>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_temp: Option<u16>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
}

impl Lamp {
    /// A seed lamp at `smarthome/<room>/lamps/<name>`: colour and brightness 0-255.
    pub fn seed(room: &str, name: &str, light: Light) -> Lamp {
        let topic = format!("smarthome/{room}/lamps/{name}");
        Lamp {
            features: Features::new(255, true, None),
            light,
            ..Lamp::base(Kind::Seed, &format!("{room}/{name}"), &topic, &topic)
        }
    }

    pub(super) fn seed_state(&self) -> Vec<u8> {
        let l = &self.light;
        serde_json::to_vec(&SeedOut {
            state: on_off(l.on),
            brightness: l.brightness,
            color: l.color.map(Color::to_rgb),
            color_mode: self.seed.mode_key.then(|| mode_name(l.mode, "rgb")),
            color_temp: l.color_temp,
            extra: &self.seed.extra,
        })
        // Serialising a plain struct and a string-keyed map cannot fail.
        .unwrap_or_else(|_| b"{}".to_vec())
    }

    pub(super) fn seed_write(&mut self, payload: &[u8]) -> Reply {
        let restore = |lamp: &Lamp, note: String| Reply {
            accepted: false,
            changed: false,
            publish: Some(lamp.state_payload()),
            notes: vec![note],
            extra: Vec::new(),
        };
        if payload.trim_ascii().is_empty() {
            return restore(self, "retained state cleared; restoring it".into());
        }
        let written = match serde_json::from_slice::<Value>(payload) {
            Ok(v) => v,
            Err(e) => return restore(self, format!("unreadable ({e}); restoring the last state")),
        };
        let Value::Object(obj) = &written else {
            return restore(self, "not a JSON object; restoring the last state".into());
        };
        let before = (self.light.clone(), self.seed.clone());
        let mut notes = Vec::new();
        let applied = keys::apply(
            &mut self.light,
            &self.features,
            obj,
            Dialect::Seed,
            &mut notes,
            &mut self.seed,
        );
        let changed = (self.light.clone(), self.seed.clone()) != before;
        let canonical = self.state_payload();
        let same = serde_json::from_slice::<Value>(&canonical).ok().as_ref() == Some(&written);
        Reply {
            accepted: applied,
            changed,
            // The writer's retained payload already is the state when it was complete and
            // valid; otherwise complete it, so the retained value never lies.
            publish: (!same).then_some(canonical),
            notes,
            extra: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Mode, Role};
    use super::*;
    use serde_json::json;

    fn seed() -> Lamp {
        Lamp::seed("kitchen", "ceiling", cyan())
    }

    #[test]
    fn seed_state_has_the_documented_shape() {
        assert_eq!(
            String::from_utf8(seed().state_payload()).unwrap(),
            r#"{"state":"ON","brightness":180,"color":{"r":0,"g":255,"b":255}}"#
        );
        assert_eq!(seed().state_topic, "smarthome/kitchen/lamps/ceiling");
        assert_eq!(seed().command_topic, seed().state_topic);
    }

    #[test]
    fn seed_adopts_a_whole_write_without_republishing() {
        let mut lamp = seed();
        let write = br#"{"state":"OFF","brightness":40,"color":{"r":255,"g":0,"b":0}}"#;
        let reply = lamp.handle(Role::Command, write);
        assert!(reply.accepted && reply.changed, "{reply:?}");
        assert_eq!(
            reply.publish, None,
            "the writer's retained payload is the state"
        );
        assert!(!lamp.light.on);
        assert_eq!(lamp.light.brightness, 40);
        assert_eq!(lamp.light.color, Some(Color::Rgb(Rgb::new(255, 0, 0))));
        // The same write again (e.g. our own echo) changes nothing and publishes nothing.
        let again = lamp.handle(Role::Command, write);
        assert!(!again.changed && again.publish.is_none());
    }

    #[test]
    fn seed_completes_a_partial_write_and_keeps_unknown_keys() {
        let mut lamp = seed();
        let reply = lamp.handle(Role::Command, br#"{"state":"OFF","scene":"movie"}"#);
        assert!(reply.changed);
        let published = json_of(&reply.publish.expect("completed state is re-published"));
        assert_eq!(
            published,
            json!({"state":"OFF","brightness":180,"color":{"r":0,"g":255,"b":255},"scene":"movie"})
        );
        // The app writes the whole document back with the unknown key: no republish.
        let reply = lamp.handle(
            Role::Command,
            br#"{"state":"ON","brightness":180,"color":{"r":0,"g":255,"b":255},"scene":"movie"}"#,
        );
        assert!(reply.changed && reply.publish.is_none(), "{reply:?}");
    }

    #[test]
    fn seed_keeps_an_effect_key_as_an_unknown_key() {
        let mut lamp = seed();
        let reply = lamp.handle(Role::Command, br#"{"state":"ON","effect":"party"}"#);
        assert_eq!(json_of(&reply.publish.unwrap())["effect"], "party");
        assert_eq!(lamp.light.effect, None, "seed lamps run no effects");
    }

    #[test]
    fn seed_accepts_what_the_app_writes_for_colour_temperature() {
        let mut lamp = seed();
        let write = br#"{"brightness":180,"color":{"b":255,"g":255,"r":0},"color_mode":"color_temp","color_temp":300,"state":"ON"}"#;
        let reply = lamp.handle(Role::Command, write);
        assert!(reply.changed && reply.publish.is_none(), "{reply:?}");
        assert_eq!(lamp.light.mode, Mode::ColorTemp);
        assert_eq!(lamp.light.color_temp, Some(300));
        assert_eq!(lamp.summary(), "ON 71% 300 mired");
    }

    #[test]
    fn seed_clamps_and_restores() {
        let mut lamp = seed();
        let reply = lamp.handle(Role::Command, br#"{"state":"on","brightness":300}"#);
        assert_eq!(lamp.light.brightness, 255);
        let published = json_of(reply.publish.as_deref().unwrap());
        assert_eq!(published["state"], "ON");
        assert_eq!(published["brightness"], 255);
        assert!(reply.notes.iter().any(|n| n.contains("clamped")));

        let before = lamp.state_payload();
        for garbage in [&b"not json"[..], b"", b"  ", b"[1,2]", b"\"ON\""] {
            let reply = lamp.handle(Role::Command, garbage);
            assert!(!reply.accepted && !reply.changed, "{garbage:?}");
            assert_eq!(reply.publish.as_deref(), Some(&before[..]), "restores");
        }
        let reply = lamp.handle(Role::Command, br#"{"state":true}"#);
        assert!(lamp.light.on, "invalid state keeps the lamp as it was");
        assert!(reply.publish.is_some(), "and the bad value is overwritten");
    }
}
