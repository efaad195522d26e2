//! Shelly Gen1 lights as their firmware answers over MQTT (Shelly Gen1 API, RGBW2 and Bulb
//! pages): `shellies/<id>/color/0/command` takes `on`/`off`/`toggle`, `.../set` takes JSON
//! (`turn`, `mode`, `red`/`green`/`blue`/`white`, `gain`, `brightness`, `temp`, `effect`),
//! `shellies/<id>/command` and the broadcast `shellies/command` take `announce` (publish the
//! announce on `shellies/announce`) and `update` (publish the status now). After every change
//! the device publishes `.../color/0/status` (JSON) and `.../color/0` (`on`/`off`), retained
//! only when the device's "retain" option is on (the RGBW2 here has it on, the bulb not: the
//! mix real homes have). The announce is never retained.
//!
//! The extra messages a Shelly sends besides its state (announce, RPC replies for Gen2, see
//! [`super::shelly_gen2`]) wait in [`ShellyExtras::outbox`] for the runner.

use serde_json::{json, Map, Value};

use super::{ignored, json_object, Features, Kind, Lamp, Light, Mode, Reply, Role};
use crate::color::{Color, Rgb};

/// A message a Shelly publishes, with its own retain flag: the fleet's one message type.
pub type Wire = super::Publish;

/// The Gen1 broadcast topic every device listens on.
pub const BROADCAST: &str = "shellies/command";

/// What a Shelly keeps besides [`Light`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ShellyExtras {
    /// Gen1 device id (`shellyrgbw2-4A1B2C`) or Gen2 topic prefix.
    pub device: String,
    /// Model code for the announce (`SHRGBW2`) or Gen2 `model`.
    pub model: String,
    /// Gen1 channel topic level (`color`) or Gen2 component type (`rgbw`).
    pub channel: String,
    /// Gen1: the "retain" option.
    pub retain: bool,
    /// RGBW2's separate white channel (0-255).
    pub white: u8,
    /// A bulb's white-mode `brightness` (its colour mode dims with `gain`).
    pub white_brightness: u16,
    /// Gen2: "Generic status update over MQTT".
    pub status_ntf: bool,
    /// Messages to publish after the state.
    pub outbox: Vec<Wire>,
}

/// RGBW2 effects 0-3, bulbs 0-6 (0 is none).
fn effect_count(model: &str) -> u64 {
    if model == "SHRGBW2" {
        4
    } else {
        7
    }
}

impl Lamp {
    /// A Gen1 colour channel (`color/0`) of `device` (model code `model`), `retain` as the
    /// device's retain option, with effects and, for bulbs, a white mode (3000-6500 K).
    pub fn shelly_gen1(device: &str, model: &str, retain: bool, light: Light) -> Lamp {
        let base = format!("shellies/{device}/color/0");
        let bulb = model != "SHRGBW2";
        let mut lamp = Lamp {
            features: Features {
                brightness_max: 100,
                color: true,
                color_temp: bulb.then_some((3000, 6500)),
                kelvin: true,
                effects: Vec::new(),
            },
            light,
            other_topics: vec![
                (format!("{base}/set"), Role::ShellySet),
                (format!("shellies/{device}/command"), Role::ShellyDevice),
            ],
            ..Lamp::base(
                Kind::ShellyGen1,
                device,
                &format!("{base}/status"),
                &format!("{base}/command"),
            )
        };
        lamp.shelly = ShellyExtras {
            device: device.to_string(),
            model: model.to_string(),
            channel: "color".into(),
            retain,
            white: 0,
            white_brightness: 50,
            ..ShellyExtras::default()
        };
        lamp
    }

    fn gen1_base(&self) -> String {
        format!("shellies/{}/{}/0", self.shelly.device, self.shelly.channel)
    }

    pub(super) fn shelly_gen1_status(&self) -> Vec<u8> {
        let l = &self.light;
        let c = l
            .color
            .map(Color::to_rgb)
            .unwrap_or(Rgb::new(255, 255, 255));
        let effect: u64 = l
            .effect
            .as_deref()
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        let mut s = json!({
            "ison": l.on,
            "source": "mqtt",
            "has_timer": false,
            "timer_started": 0,
            "timer_duration": 0,
            "timer_remaining": 0,
            "mode": if l.mode == Mode::ColorTemp { "white" } else { "color" },
            "red": c.r,
            "green": c.g,
            "blue": c.b,
            "white": self.shelly.white,
            "gain": l.brightness,
            "effect": effect,
            "transition": 0,
        });
        if self.features.color_temp.is_some() {
            s["temp"] = l.color_temp.unwrap_or(4750).into();
            s["brightness"] = self.shelly.white_brightness.into();
        } else {
            s["power"] = json!(0.0);
            s["overpower"] = false.into();
        }
        s.to_string().into_bytes()
    }

    /// The status JSON and the plain `on`/`off`, with the device's retain option.
    pub(super) fn shelly_gen1_messages(&self) -> Vec<Wire> {
        let base = self.gen1_base();
        let retain = self.shelly.retain;
        vec![
            Wire::new(format!("{base}/status"), self.shelly_gen1_status(), retain),
            Wire::new(base, if self.light.on { "on" } else { "off" }, retain),
        ]
    }

    fn shelly_announce(&self) -> Wire {
        let mac = self
            .shelly
            .device
            .rsplit('-')
            .next()
            .unwrap_or_default()
            .to_string();
        let body = json!({
            "id": self.shelly.device,
            "model": self.shelly.model,
            "mac": mac,
            "ip": "192.168.1.77",
            "new_fw": false,
            "fw_ver": "20230913-114521/v1.14.0-gcb84623",
            "mode": "color",
        });
        Wire::new("shellies/announce", body.to_string(), false)
    }

    fn published(&self, before: &Light, notes: Vec<String>) -> Reply {
        Reply {
            accepted: true,
            changed: self.light != *before,
            publish: Some(self.state_payload()),
            notes,
            extra: Vec::new(),
        }
    }

    pub(super) fn shelly_gen1_command(&mut self, role: Role, payload: &[u8]) -> Reply {
        let before = self.light.clone();
        let word = String::from_utf8_lossy(payload).trim().to_ascii_lowercase();
        match role {
            Role::ShellyDevice => match word.as_str() {
                "announce" => {
                    let a = self.shelly_announce();
                    self.shelly.outbox.push(a);
                    Reply {
                        accepted: true,
                        ..Reply::default()
                    }
                }
                "update" => self.published(&before, Vec::new()),
                _ => ignored("shellies/<id>/command takes announce or update"),
            },
            Role::ShellySet => match json_object(payload) {
                Ok(obj) => {
                    let mut notes = Vec::new();
                    if !self.shelly_set(&obj, &mut notes) {
                        return Reply {
                            notes,
                            ..Reply::default()
                        };
                    }
                    self.published(&before, notes)
                }
                Err(why) => ignored(&why),
            },
            _ => {
                match word.as_str() {
                    "on" => self.light.on = true,
                    "off" => self.light.on = false,
                    "toggle" => self.light.on = !self.light.on,
                    _ => return ignored("…/command takes on, off or toggle"),
                }
                self.published(&before, Vec::new())
            }
        }
    }

    /// Applies a `/set` object; false when nothing in it was understood.
    fn shelly_set(&mut self, obj: &Map<String, Value>, notes: &mut Vec<String>) -> bool {
        let mut applied = false;
        let num = |k: &str| obj.get(k).and_then(Value::as_u64);
        let bulb = self.features.color_temp.is_some();
        match obj.get("mode").and_then(Value::as_str) {
            Some("white") if bulb => {
                self.light.mode = Mode::ColorTemp;
                applied = true;
            }
            Some("color") => {
                self.light.mode = Mode::Color;
                applied = true;
            }
            Some(other) => notes.push(format!("mode {other} ignored")),
            None => {}
        }
        let old = self
            .light
            .color
            .map(Color::to_rgb)
            .unwrap_or(Rgb::new(255, 255, 255));
        let channel = |k: &str, was: u8, notes: &mut Vec<String>| match num(k) {
            Some(v) if v <= 255 => Some(v as u8),
            Some(v) => {
                notes.push(format!("{k} {v} is over 255, ignored"));
                None
            }
            None => Some(was),
        };
        let (r, g, b) = (
            channel("red", old.r, notes),
            channel("green", old.g, notes),
            channel("blue", old.b, notes),
        );
        if ["red", "green", "blue"]
            .iter()
            .any(|k| obj.contains_key(*k))
        {
            if let (Some(r), Some(g), Some(b)) = (r, g, b) {
                self.light.color = Some(Color::Rgb(Rgb::new(r, g, b)));
                self.light.mode = Mode::Color;
                applied = true;
            }
        }
        if let Some(w) = num("white") {
            self.shelly.white = w.min(255) as u8;
            applied = true;
        }
        if let Some(g) = num("gain") {
            self.light.brightness = g.min(100) as u16;
            applied = true;
        }
        if let Some(br) = num("brightness") {
            // Bulbs keep a separate white-mode level; the RGBW2's colour channel has none.
            if bulb {
                self.shelly.white_brightness = br.min(100) as u16;
                applied = true;
            } else {
                notes.push("brightness is for white mode; colour mode dims with gain".into());
            }
        }
        if let Some(t) = num("temp") {
            match self.features.color_temp {
                Some((lo, hi)) => {
                    self.light.color_temp = Some((t as u16).clamp(lo, hi));
                    applied = true;
                }
                None => notes.push("temp ignored: no white mode".into()),
            }
        }
        if let Some(e) = num("effect") {
            if e < effect_count(&self.shelly.model) {
                self.light.effect = Some(e.to_string());
                applied = true;
            } else {
                notes.push(format!("effect {e} unknown"));
            }
        }
        match obj.get("turn").and_then(Value::as_str) {
            Some("on") => {
                self.light.on = true;
                applied = true;
            }
            Some("off") => {
                self.light.on = false;
                applied = true;
            }
            Some("toggle") => {
                self.light.on = !self.light.on;
                applied = true;
            }
            Some(other) => notes.push(format!("turn {other} ignored")),
            None => {}
        }
        applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lamp::test_support::json_of;

    fn rgbw2() -> Lamp {
        Lamp::shelly_gen1(
            "shellyrgbw2-4A1B2C",
            "SHRGBW2",
            true,
            Light {
                on: true,
                brightness: 60,
                color: Some(Color::Rgb(Rgb::new(255, 80, 0))),
                color_temp: None,
                mode: Mode::Color,
                effect: None,
            },
        )
    }

    #[test]
    fn set_json_and_plain_commands_answer_with_status_and_on_off() {
        let mut l = rgbw2();
        let r = l.handle(
            Role::ShellySet,
            br#"{"turn":"on","red":0,"green":0,"blue":255,"gain":30}"#,
        );
        assert!(r.accepted && r.changed);
        let s = json_of(&r.publish.unwrap());
        assert_eq!(
            (s["blue"].clone(), s["gain"].clone(), s["ison"].clone()),
            (json!(255), json!(30), json!(true))
        );
        let wires = l.shelly_gen1_messages();
        assert_eq!(wires[1].topic, "shellies/shellyrgbw2-4A1B2C/color/0");
        assert_eq!(wires[1].payload, b"on");
        assert!(wires.iter().all(|w| w.retain), "this RGBW2 retains");
        let r = l.handle(Role::Command, b"off");
        assert!(r.changed && !l.light.on);
        assert!(!l.handle(Role::ShellySet, br#"{"red":300}"#).accepted);
        assert!(
            !l.handle(Role::ShellySet, br#"{"effect":5}"#).accepted,
            "RGBW2 has 4 effects"
        );
        let r = l.handle(Role::ShellySet, br#"{"brightness":20}"#);
        assert!(!r.accepted, "colour mode dims with gain: {:?}", r.notes);
    }

    #[test]
    fn announce_goes_to_the_outbox_unretained() {
        let mut l = rgbw2();
        assert!(l.handle(Role::ShellyDevice, b"announce").accepted);
        let a = l.take_outbox();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].topic, "shellies/announce");
        assert!(!a[0].retain);
        assert_eq!(json_of(&a[0].payload)["model"], "SHRGBW2");
        assert!(l.take_outbox().is_empty());
    }

    #[test]
    fn a_bulb_switches_to_white_mode_with_its_own_brightness() {
        let mut l = Lamp::shelly_gen1("shellycolorbulb-3C61A1", "SHCB-1", false, rgbw2().light);
        let r = l.handle(
            Role::ShellySet,
            br#"{"turn":"on","mode":"white","temp":2000,"brightness":35}"#,
        );
        let s = json_of(&r.publish.unwrap());
        assert_eq!(
            (
                s["mode"].clone(),
                s["temp"].clone(),
                s["brightness"].clone(),
                s["gain"].clone()
            ),
            (json!("white"), json!(3000), json!(35), json!(60))
        );
        assert!(
            l.shelly_gen1_messages().iter().all(|w| !w.retain),
            "the bulb does not retain"
        );
    }
}
