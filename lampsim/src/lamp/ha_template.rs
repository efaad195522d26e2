//! Home Assistant's template light schema, with the command templates of HA's documentation:
//! HA renders `command_on_template` to `{"state": "on", "brightness": 128, "color": [255, 0,
//! 0], "effect": "rainbow"}` (each key only when the call carries it; brightness 0-255; the
//! colour is not scaled by brightness because a `brightness_template` exists) and
//! `command_off_template` to `{"state": "off"}`. The lamp parses that JSON and publishes
//! `{"state":"on","brightness":128,"color":[255,0,0],"effect":"none"}` on its state topic,
//! which HA reads with `state_template` (`on`/`off`), `brightness_template`,
//! `red/green/blue_template` (`value_json.color[0..2]`) and `effect_template`. `effect` is
//! always reported (HA ignores values not in `effect_list`, so `none` is in the list).

use serde::Serialize;
use serde_json::Value;

use super::{ignored, json_object, Features, Kind, Lamp, Light, Mode, Reply};
use crate::color::Color;

#[derive(Serialize)]
struct TemplateOut<'a> {
    state: &'static str,
    brightness: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<[u8; 3]>,
    effect: &'a str,
}

impl Lamp {
    /// A template-schema lamp; `features.effects[0]` is the "no effect" name.
    pub fn ha_template(
        name: &str,
        state_topic: &str,
        command_topic: &str,
        features: Features,
        light: Light,
    ) -> Lamp {
        Lamp {
            features,
            light,
            ..Lamp::base(Kind::HaTemplate, name, state_topic, command_topic)
        }
    }

    pub(super) fn ha_template_state(&self) -> Vec<u8> {
        let l = &self.light;
        serde_json::to_vec(&TemplateOut {
            state: if l.on { "on" } else { "off" },
            brightness: l.brightness,
            color: l.color.map(Color::to_rgb).map(|c| [c.r, c.g, c.b]),
            effect: l
                .effect
                .as_deref()
                .or(self.features.effects.first().map(String::as_str))
                .unwrap_or(""),
        })
        .unwrap_or_else(|_| b"{}".to_vec())
    }

    pub(super) fn ha_template_command(&mut self, payload: &[u8]) -> Reply {
        let obj = match json_object(payload) {
            Ok(o) => o,
            Err(why) => return ignored(&why),
        };
        let mut next = self.light.clone();
        let mut notes = Vec::new();
        let mut applied = false;
        for (key, value) in &obj {
            let ok = match key.as_str() {
                "state" => match value.as_str() {
                    Some("on") => {
                        next.on = true;
                        true
                    }
                    Some("off") => {
                        next.on = false;
                        true
                    }
                    _ => false,
                },
                "brightness" => match value.as_f64().filter(|v| v.is_finite()) {
                    Some(b) => {
                        let b = b
                            .round()
                            .clamp(0.0, f64::from(self.features.brightness_max));
                        if b == 0.0 {
                            next.on = false;
                        } else {
                            next.brightness = b as u16;
                        }
                        true
                    }
                    None => false,
                },
                "color" if self.features.color => match rgb_array(value) {
                    Some(c) => {
                        next.color = Some(Color::Rgb(c));
                        next.mode = Mode::Color;
                        true
                    }
                    None => false,
                },
                "effect" => match value.as_str() {
                    Some(e) if self.features.effects.iter().any(|k| k == e) => {
                        next.effect = Some(e.to_string());
                        true
                    }
                    _ => false,
                },
                // A command_off_template may carry a transition; nothing to fade here.
                "transition" => true,
                _ => false,
            };
            if ok {
                applied = true;
            } else {
                notes.push(format!("{key} {value} not understood; ignored"));
            }
        }
        if !applied {
            return Reply {
                notes,
                ..Reply::default()
            };
        }
        let changed = next != self.light;
        self.light = next;
        Reply {
            accepted: true,
            changed,
            publish: Some(self.state_payload()),
            notes,
            extra: Vec::new(),
        }
    }
}

fn rgb_array(v: &Value) -> Option<crate::color::Rgb> {
    let a = v.as_array()?;
    let ch = |i: usize| -> Option<u8> {
        let f = a.get(i)?.as_f64()?;
        (0.0..=255.0).contains(&f).then(|| f.round() as u8)
    };
    (a.len() == 3).then_some(())?;
    Some(crate::color::Rgb::new(ch(0)?, ch(1)?, ch(2)?))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Role;
    use super::*;
    use crate::color::Rgb;
    use serde_json::json;

    fn lamp() -> Lamp {
        Lamp::ha_template(
            "Template Lamp",
            "lampsim/t/status",
            "lampsim/t/set",
            Features::new(255, true, None).with_effects(&["none", "rainbow", "colorloop"]),
            cyan(),
        )
    }

    #[test]
    fn obeys_what_has_docs_templates_render() {
        let mut lamp = lamp();
        assert_eq!(
            String::from_utf8(lamp.state_payload()).unwrap(),
            r#"{"state":"on","brightness":180,"color":[0,255,255],"effect":"none"}"#
        );
        // command_on_template rendered for brightness 128, rgb (255,0,0) and an effect,
        // with the template's own spacing.
        let reply = lamp.handle(
            Role::Command,
            br#"{"state": "on", "brightness": 128, "color": [255, 0, 0], "effect": "rainbow"}"#,
        );
        assert!(reply.accepted && reply.changed, "{reply:?}");
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"state":"on","brightness":128,"color":[255,0,0],"effect":"rainbow"})
        );
        let reply = lamp.handle(Role::Command, br#"{"state": "off"}"#);
        assert_eq!(json_of(&reply.publish.unwrap())["state"], "off");
        assert_eq!(lamp.light.brightness, 128, "level kept while off");
        // Turn on with nothing else: the template renders the state alone.
        lamp.handle(Role::Command, br#"{"state": "on"}"#);
        assert!(lamp.light.on);
        assert_eq!(lamp.light.color, Some(Color::Rgb(Rgb::new(255, 0, 0))));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let mut lamp = lamp();
        let before = lamp.clone();
        for bad in [
            &b"on"[..],
            b"",
            br#"{"state": "ON"}"#,
            br#"{"color": [1, 2]}"#,
            br#"{"color": [300, 0, 0]}"#,
            br#"{"effect": "disco"}"#,
            br#"{"color_temp": 300}"#,
        ] {
            let reply = lamp.handle(Role::Command, bad);
            assert!(!reply.accepted && reply.publish.is_none(), "{bad:?}");
        }
        assert_eq!(lamp, before);
    }
}
