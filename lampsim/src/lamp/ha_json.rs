//! Home Assistant MQTT lights, JSON schema, as ESPHome implements them: one JSON command on
//! `command_topic` (`state`, `brightness` on the announced scale, `color` r/g/b, x/y or h/s,
//! `color_temp` in mireds or, with `color_temp_kelvin`, kelvin, `effect` from `effect_list`,
//! `transition`), and the whole new state published on `state_topic`. A lamp with effects
//! always reports `effect` (`None` when none runs), as ESPHome does.

use serde::Serialize;

use super::keys::{self, mode_name, on_off, Dialect};
use super::seed::SeedExtras;
use super::{ignored, json_object, Features, Kind, Lamp, Light, Reply};
use crate::color::{Color, Rgb};

/// What ESPHome reports when no effect runs (and what stops one).
pub const NO_EFFECT: &str = "None";

#[derive(Serialize)]
struct HaOut<'a> {
    state: &'static str,
    brightness: u16,
    color_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<Rgb>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_temp: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    effect: Option<&'a str>,
}

impl Lamp {
    /// A Home Assistant JSON-schema lamp with its own state and command topics.
    pub fn home_assistant(
        name: &str,
        state_topic: &str,
        command_topic: &str,
        features: Features,
        light: Light,
    ) -> Lamp {
        Lamp {
            features,
            light,
            ..Lamp::base(Kind::HomeAssistant, name, state_topic, command_topic)
        }
    }

    pub(super) fn ha_json_state(&self) -> Vec<u8> {
        let l = &self.light;
        serde_json::to_vec(&HaOut {
            state: on_off(l.on),
            brightness: l.brightness,
            color_mode: mode_name(l.mode, "rgb"),
            color: (l.mode == super::Mode::Color)
                .then_some(l.color)
                .flatten()
                .map(Color::to_rgb),
            color_temp: (l.mode == super::Mode::ColorTemp)
                .then_some(l.color_temp)
                .flatten(),
            effect: (!self.features.effects.is_empty())
                .then(|| l.effect.as_deref().unwrap_or(NO_EFFECT)),
        })
        .unwrap_or_else(|_| b"{}".to_vec())
    }

    pub(super) fn ha_json_command(&mut self, payload: &[u8]) -> Reply {
        let obj = match json_object(payload) {
            Ok(o) => o,
            Err(why) => return ignored(&why),
        };
        let before = self.light.clone();
        let mut notes = Vec::new();
        let applied = keys::apply(
            &mut self.light,
            &self.features,
            &obj,
            Dialect::Ha,
            &mut notes,
            &mut SeedExtras::default(),
        );
        if !applied {
            return Reply {
                notes,
                ..Reply::default()
            };
        }
        Reply {
            accepted: true,
            changed: self.light != before,
            publish: Some(self.state_payload()),
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

    fn ha_rgb() -> Lamp {
        Lamp::home_assistant(
            "Desk Strip",
            "lampsim/desk/state",
            "lampsim/desk/set",
            Features::new(255, true, None).with_effects(&["Rainbow", "Strobe", NO_EFFECT]),
            cyan(),
        )
    }

    fn ha_white() -> Lamp {
        Lamp::home_assistant(
            "Reading Lamp",
            "lampsim/reading/state",
            "lampsim/reading/set",
            Features::new(255, false, Some((153, 454))),
            Light {
                color_temp: Some(370),
                mode: Mode::ColorTemp,
                ..Light::dimmed(false, 100)
            },
        )
    }

    #[test]
    fn ha_command_publishes_the_whole_state() {
        let mut lamp = ha_rgb();
        let reply = lamp.handle(
            Role::Command,
            br#"{"state":"ON","brightness":128,"color":{"r":255,"g":0,"b":128}}"#,
        );
        assert!(reply.accepted && reply.changed);
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"state":"ON","brightness":128,"color_mode":"rgb","color":{"r":255,"g":0,"b":128},"effect":"None"})
        );
        let reply = lamp.handle(Role::Command, br#"{"state":"OFF"}"#);
        assert_eq!(json_of(&reply.publish.unwrap())["state"], "OFF");
        assert_eq!(lamp.light.brightness, 128, "level kept while off");
        // Brightness 0 means off; a colour alone switches on.
        lamp.handle(Role::Command, br#"{"state":"ON"}"#);
        lamp.handle(Role::Command, br#"{"brightness":0}"#);
        assert!(!lamp.light.on);
        lamp.handle(Role::Command, br#"{"color":{"h":120,"s":100}}"#);
        assert!(lamp.light.on);
        assert_eq!(lamp.light.color.unwrap().to_rgb(), Rgb::new(0, 255, 0));
    }

    #[test]
    fn ha_effects_run_from_the_list_and_stop_with_none() {
        let mut lamp = ha_rgb();
        // What HA sends when an effect is picked: state ON plus the effect name.
        let reply = lamp.handle(Role::Command, br#"{"state":"ON","effect":"Rainbow"}"#);
        assert_eq!(json_of(&reply.publish.unwrap())["effect"], "Rainbow");
        let reply = lamp.handle(Role::Command, br#"{"state":"ON","effect":"Disco"}"#);
        assert!(reply.notes.iter().any(|n| n.contains("Disco")), "{reply:?}");
        assert_eq!(lamp.light.effect.as_deref(), Some("Rainbow"));
        lamp.handle(Role::Command, br#"{"state":"ON","effect":"None"}"#);
        assert_eq!(json_of(&lamp.state_payload())["effect"], "None");
        assert!(
            json_of(&ha_white().state_payload()).get("effect").is_none(),
            "a lamp without effects reports none"
        );
    }

    #[test]
    fn ha_kelvin_lamp_takes_and_reports_kelvin() {
        let mut lamp = Lamp::home_assistant(
            "Pendant",
            "p/state",
            "p/set",
            Features {
                kelvin: true,
                ..Features::new(255, false, Some((2200, 6500)))
            },
            Light::dimmed(true, 200),
        );
        let reply = lamp.handle(Role::Command, br#"{"state":"ON","color_temp":2700}"#);
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"state":"ON","brightness":200,"color_mode":"color_temp","color_temp":2700})
        );
        lamp.handle(Role::Command, br#"{"color_temp":370}"#);
        assert_eq!(
            lamp.light.color_temp,
            Some(2200),
            "a mired value is clamped"
        );
        assert_eq!(lamp.summary(), "ON 78% 2200 K");
    }

    #[test]
    fn ha_ignores_what_it_cannot_do() {
        let mut lamp = ha_white();
        let reply = lamp.handle(Role::Command, br#"{"color":{"r":1,"g":2,"b":3}}"#);
        assert!(!reply.accepted && reply.publish.is_none());
        let reply = lamp.handle(Role::Command, br#"{"effect":"Rainbow"}"#);
        assert!(!reply.accepted && reply.publish.is_none());
        let reply = lamp.handle(
            Role::Command,
            br#"{"state":"ON","color_temp":600,"transition":2}"#,
        );
        assert!(reply.accepted);
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"state":"ON","brightness":100,"color_mode":"color_temp","color_temp":454})
        );
        for bad in [&b"ON"[..], b"", b"{\"state\":\"TOGGLE\"}", b"[]"] {
            let reply = lamp.handle(Role::Command, bad);
            assert!(!reply.accepted && reply.publish.is_none(), "{bad:?}");
        }
    }
}
