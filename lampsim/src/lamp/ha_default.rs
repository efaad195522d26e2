//! Home Assistant's default ("basic") light schema, as a Tasmota bulb with legacy discovery
//! (SetOption19) announces it: one command topic per feature and one JSON telemetry topic
//! that every `*_state_topic` points at, read through value templates.
//!
//! What Home Assistant sends (schema_basic.py, `on_command_type: brightness`): turning on
//! publishes only the level on the `Dimmer` topic (the last level, or full scale), scaled to
//! `brightness_scale` 100 (`"40"`); a colour is `"r,g,b"` on `Color` (not scaled by
//! brightness, since a brightness topic exists); a temperature is mireds as text on `CT`; an
//! effect is its name on `Scheme`; turning off is `payload_off` (`"0"`, HA renders the
//! configured number as text) on `POWER`. With `on_command_type` first or last HA would add
//! `payload_on` (`"1"`) before or after those; this lamp obeys either order.
//!
//! What the lamp does, like Tasmota: `POWER` takes `1`/`0` (also `ON`/`OFF`/`TOGGLE`/`2`);
//! `Dimmer` 1-100 switches on at that level, 0 switches off; `Color` (`r,g,b` or `#rrggbb`)
//! and `CT` switch on; `Scheme` changes the effect only. After every accepted command it
//! publishes its whole telemetry on the state topic:
//! `{"POWER":"1","Dimmer":40,"Color":"255,0,0","Scheme":"none"}`, with `CT` instead of
//! `Color` while it shows white (the key of the output that is not showing is left out, so
//! Home Assistant's colour mode follows the one it last received).

use serde::Serialize;

use super::{Features, Kind, Lamp, Light, Mode, Reply, Role};
use crate::color::{Color, Rgb};

/// `payload_on` as announced (the number 1; Home Assistant sends it as the text `1`).
pub const PAYLOAD_ON: &str = "1";
/// `payload_off` as announced (the number 0, sent as `0`).
pub const PAYLOAD_OFF: &str = "0";

/// The topics of one Tasmota-style lamp.
#[derive(Clone, Debug, PartialEq)]
pub struct DefaultTopics {
    /// `command_topic`: power, `1`/`0`.
    pub power: String,
    /// Every `*_state_topic`: the telemetry JSON.
    pub state: String,
    /// `brightness_command_topic`: 0-100.
    pub dimmer: String,
    /// `rgb_command_topic`: `r,g,b`.
    pub color: String,
    /// `color_temp_command_topic`: mireds.
    pub ct: String,
    /// `effect_command_topic`: an effect name.
    pub scheme: String,
    /// `availability_topic` (Tasmota's last will): `Online` / `Offline`.
    pub lwt: String,
}

impl DefaultTopics {
    /// Tasmota's layout for device topic `t`: `cmnd/<t>/<Command>`, `tele/<t>/STATE`,
    /// `tele/<t>/LWT`.
    pub fn tasmota(t: &str) -> DefaultTopics {
        DefaultTopics {
            power: format!("cmnd/{t}/POWER"),
            state: format!("tele/{t}/STATE"),
            dimmer: format!("cmnd/{t}/Dimmer"),
            color: format!("cmnd/{t}/Color"),
            ct: format!("cmnd/{t}/CT"),
            scheme: format!("cmnd/{t}/Scheme"),
            lwt: format!("tele/{t}/LWT"),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TasmotaOut<'a> {
    #[serde(rename = "POWER")]
    power: &'static str,
    dimmer: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<String>,
    #[serde(rename = "CT", skip_serializing_if = "Option::is_none")]
    ct: Option<u16>,
    scheme: &'a str,
}

impl Lamp {
    /// A default-schema lamp on `topics`; `features.effects[0]` is the "no effect" scheme.
    pub fn ha_default(
        name: &str,
        topics: &DefaultTopics,
        features: Features,
        light: Light,
    ) -> Lamp {
        Lamp {
            other_topics: vec![
                (topics.dimmer.clone(), Role::Brightness),
                (topics.color.clone(), Role::Rgb),
                (topics.ct.clone(), Role::ColorTemp),
                (topics.scheme.clone(), Role::Effect),
            ],
            features,
            light,
            ..Lamp::base(Kind::HaDefault, name, &topics.state, &topics.power)
        }
    }

    pub(super) fn ha_default_state(&self) -> Vec<u8> {
        let l = &self.light;
        let rgb = l.color.map(Color::to_rgb);
        serde_json::to_vec(&TasmotaOut {
            power: if l.on { PAYLOAD_ON } else { PAYLOAD_OFF },
            dimmer: l.brightness,
            color: (l.mode != Mode::ColorTemp)
                .then_some(rgb)
                .flatten()
                .map(|c| format!("{},{},{}", c.r, c.g, c.b)),
            ct: (l.mode == Mode::ColorTemp)
                .then_some(l.color_temp)
                .flatten(),
            scheme: l
                .effect
                .as_deref()
                .or(self.features.effects.first().map(String::as_str))
                .unwrap_or(""),
        })
        .unwrap_or_else(|_| b"{}".to_vec())
    }

    pub(super) fn ha_default_command(&mut self, role: Role, payload: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(payload);
        let text = text.trim();
        let before = self.light.clone();
        let result = match role {
            Role::Brightness => self.dimmer(text),
            Role::Rgb => self.tasmota_color(text),
            Role::ColorTemp => self.tasmota_ct(text),
            Role::Effect => self.scheme(text),
            _ => self.power(text),
        };
        match result {
            Ok(note) => Reply {
                accepted: true,
                changed: self.light != before,
                publish: Some(self.state_payload()),
                notes: note.into_iter().collect(),
                extra: Vec::new(),
            },
            Err(why) => super::ignored(&why),
        }
    }

    fn power(&mut self, text: &str) -> Result<Option<String>, String> {
        self.light.on = match text.to_ascii_uppercase().as_str() {
            PAYLOAD_ON | "ON" => true,
            PAYLOAD_OFF | "OFF" => false,
            "2" | "TOGGLE" => !self.light.on,
            _ => return Err(format!("POWER '{text}' is not 1/0/ON/OFF/TOGGLE")),
        };
        Ok(None)
    }

    fn dimmer(&mut self, text: &str) -> Result<Option<String>, String> {
        let v: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("Dimmer '{text}' is not a number"))?;
        let max = self.features.brightness_max;
        let level = v.round().clamp(0.0, f64::from(max)) as u16;
        if level == 0 {
            self.light.on = false;
        } else {
            self.light.brightness = level;
            self.light.on = true;
        }
        Ok((f64::from(level) != v).then(|| format!("Dimmer {text} clamped to {level}")))
    }

    fn tasmota_color(&mut self, text: &str) -> Result<Option<String>, String> {
        let rgb = parse_rgb_text(text).ok_or_else(|| format!("Color '{text}' is not r,g,b"))?;
        self.light.color = Some(Color::Rgb(rgb));
        self.light.mode = Mode::Color;
        self.light.on = true;
        Ok(None)
    }

    fn tasmota_ct(&mut self, text: &str) -> Result<Option<String>, String> {
        let (lo, hi) = self
            .features
            .color_temp
            .ok_or("no colour temperature on this lamp")?;
        let v: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("CT '{text}' is not a number"))?;
        let ct = v.round().clamp(f64::from(lo), f64::from(hi)) as u16;
        self.light.color_temp = Some(ct);
        self.light.mode = Mode::ColorTemp;
        self.light.on = true;
        Ok((f64::from(ct) != v).then(|| format!("CT {text} clamped to {ct}")))
    }

    fn scheme(&mut self, text: &str) -> Result<Option<String>, String> {
        if !self.features.effects.iter().any(|e| e == text) {
            return Err(format!(
                "Scheme '{text}' is not one of {:?}",
                self.features.effects
            ));
        }
        self.light.effect = Some(text.to_string());
        Ok(None)
    }
}

/// `r,g,b` (what HA sends without an `rgb_command_template`) or `#rrggbb`.
pub fn parse_rgb_text(text: &str) -> Option<Rgb> {
    if text.starts_with('#') {
        return Rgb::from_hex(text);
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [r, g, b] = parts.as_slice() else {
        return None;
    };
    Some(Rgb::new(r.parse().ok()?, g.parse().ok()?, b.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use serde_json::json;

    fn bulb() -> Lamp {
        Lamp::ha_default(
            "Tasmota Bulb",
            &DefaultTopics::tasmota("bulb"),
            Features::new(100, true, Some((153, 500))).with_effects(&["none", "wakeup", "random"]),
            Light {
                color: Some(Color::Rgb(Rgb::new(255, 0, 0))),
                mode: Mode::Color,
                ..Light::dimmed(false, 40)
            },
        )
    }

    #[test]
    fn telemetry_has_tasmotas_shape() {
        let lamp = bulb();
        assert_eq!(lamp.state_topic, "tele/bulb/STATE");
        assert_eq!(lamp.command_topic, "cmnd/bulb/POWER");
        assert_eq!(
            String::from_utf8(lamp.state_payload()).unwrap(),
            r#"{"POWER":"0","Dimmer":40,"Color":"255,0,0","Scheme":"none"}"#
        );
    }

    #[test]
    fn obeys_home_assistants_brightness_type_turn_on() {
        let mut lamp = bulb();
        // HA, on_command_type brightness, turn_on with no arguments: the level only.
        let reply = lamp.handle(Role::Brightness, b"100");
        assert!(reply.accepted && reply.changed);
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"POWER":"1","Dimmer":100,"Color":"255,0,0","Scheme":"none"})
        );
        // turn_on(rgb_color=[0,0,255], brightness=102): Color first, then Dimmer 40.
        lamp.handle(Role::Rgb, b"0,0,255");
        let reply = lamp.handle(Role::Brightness, b"40");
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"POWER":"1","Dimmer":40,"Color":"0,0,255","Scheme":"none"})
        );
        // turn_off: payload_off on the command topic; the level is kept.
        let reply = lamp.handle(Role::Command, b"0");
        assert_eq!(json_of(&reply.publish.unwrap())["POWER"], "0");
        assert_eq!(lamp.light.brightness, 40);
        // on_command_type first/last: payload_on around the other topics, either order.
        lamp.handle(Role::Command, b"1");
        assert!(lamp.light.on);
        lamp.handle(Role::Brightness, b"0");
        assert!(!lamp.light.on, "Dimmer 0 switches off");
        lamp.handle(Role::Command, b"TOGGLE");
        assert!(lamp.light.on);
    }

    #[test]
    fn white_and_effects() {
        let mut lamp = bulb();
        let reply = lamp.handle(Role::ColorTemp, b"300");
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"POWER":"1","Dimmer":40,"CT":300,"Scheme":"none"})
        );
        lamp.handle(Role::ColorTemp, b"900");
        assert_eq!(lamp.light.color_temp, Some(500));
        let reply = lamp.handle(Role::Effect, b"wakeup");
        assert_eq!(json_of(&reply.publish.unwrap())["Scheme"], "wakeup");
        lamp.handle(Role::Rgb, b"#00ff00");
        assert_eq!(json_of(&lamp.state_payload())["Color"], "0,255,0");
    }

    #[test]
    fn ignores_what_tasmota_would_refuse() {
        let mut lamp = bulb();
        let before = lamp.clone();
        for (role, bad) in [
            (Role::Command, &b"maybe"[..]),
            (Role::Command, b""),
            (Role::Brightness, b"bright"),
            (Role::Rgb, b"1,2"),
            (Role::Rgb, b"300,0,0"),
            (Role::ColorTemp, b"warm"),
            (Role::Effect, b"disco"),
        ] {
            let reply = lamp.handle(role, bad);
            assert!(
                !reply.accepted && reply.publish.is_none(),
                "{role:?} {bad:?}"
            );
        }
        assert_eq!(lamp, before);
    }
}
