//! WLED strips, as WLED answers MQTT (WLED docs "MQTT", "JSON API", "HTTP request API"):
//!
//! * `<base>` takes `ON`, `OFF`, `T` (toggle) or a brightness 0-255 (0 = off; `ON` comes
//!   back at the last level).
//! * `<base>/col` takes `#RRGGBB`, `#WWRRGGBB`, `h`/`H` instead of `#`, or a 32-bit decimal.
//!   A colour does not switch the strip on.
//! * `<base>/api` takes the JSON API (`{"on":true,"bri":128,"seg":[{"col":[[r,g,b]],"fx":9}]}`,
//!   `"on":"t"` toggles, `seg` as an array or one object) or HTTP API parameters
//!   (`FX=9&A=128&T=1&R=255&G=0&B=0`).
//! * After a change (and on connecting) WLED publishes `<base>/g` (brightness, 0 while off),
//!   `<base>/c` (`#RRGGBB`) and `<base>/v` (its XML state), retained here as with WLED's
//!   "Retain brightness & color messages" option on (without it a page opened later hears
//!   nothing until the next change). `<base>/status` is its retained last will.

use serde_json::Value;

use super::{ignored, Kind, Lamp, Light, Mode, Publish, Reply, Role};
use crate::color::{Color, Rgb};

/// A simulated WLED strip's device topic and name (`<ds>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WledInfo {
    /// The MQTT device topic (`wled/5c3f1a`).
    pub base: String,
    /// The server description shown as the name.
    pub name: String,
}

/// Effects lampsim runs (ids; WLED has over a hundred).
const MAX_FX: u64 = 117;

fn parse_col(text: &str) -> Option<Rgb> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix(['#', 'h', 'H']) {
        let hex = match hex.len() {
            6 => hex,
            8 => hex.get(2..)?,
            _ => return None,
        };
        return Rgb::from_hex(hex);
    }
    let n: u32 = t.parse().ok()?;
    Some(Rgb::new((n >> 16) as u8, (n >> 8) as u8, n as u8))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Lamp {
    /// A WLED strip under `info.base`.
    pub fn wled(info: WledInfo, light: Light) -> Lamp {
        let mut lamp = Lamp::base(
            Kind::Wled,
            &info.name,
            &format!("{}/g", info.base),
            &info.base,
        );
        lamp.other_topics = vec![
            (format!("{}/col", info.base), Role::Rgb),
            (format!("{}/api", info.base), Role::WledApi),
        ];
        lamp.features = super::Features::new(255, true, None);
        lamp.light = light;
        lamp.wled = Some(info);
        lamp
    }

    fn wled_info(&self) -> WledInfo {
        self.wled.clone().unwrap_or(WledInfo {
            base: self.command_topic.clone(),
            name: self.name.clone(),
        })
    }

    fn wled_rgb(&self) -> Rgb {
        self.light
            .color
            .map_or(Rgb::new(255, 160, 0), Color::to_rgb)
    }

    /// `/g`: the brightness, 0 while off.
    pub(super) fn wled_brightness(&self) -> Vec<u8> {
        let g = if self.light.on {
            self.light.brightness
        } else {
            0
        };
        g.to_string().into_bytes()
    }

    /// `/g`, `/c` and `/v`, as WLED publishes them after a change.
    pub(super) fn wled_messages(&self) -> Vec<Publish> {
        let info = self.wled_info();
        let c = self.wled_rgb();
        let fx: u64 = self
            .light
            .effect
            .as_deref()
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        let ac = if self.light.on {
            self.light.brightness
        } else {
            0
        };
        let xml = format!(
            "<?xml version=\"1.0\" ?><vs><ac>{ac}</ac><cl>{}</cl><cl>{}</cl><cl>{}</cl>\
             <cs>0</cs><cs>0</cs><cs>0</cs><ns>0</ns><nr>1</nr><nl>0</nl><nf>1</nf><nd>60</nd>\
             <nt>0</nt><fx>{fx}</fx><sx>128</sx><ix>128</ix><fp>0</fp><wv>-1</wv><ws>0</ws>\
             <ps>0</ps><cy>0</cy><ds>{}</ds><ss>0</ss></vs>",
            c.r,
            c.g,
            c.b,
            escape(&info.name)
        );
        vec![
            Publish::new(format!("{}/g", info.base), self.wled_brightness(), true),
            Publish::new(
                format!("{}/c", info.base),
                format!("#{:02X}{:02X}{:02X}", c.r, c.g, c.b),
                true,
            ),
            Publish::new(format!("{}/v", info.base), xml, true),
        ]
    }

    fn wled_set_bri(&mut self, bri: u64) {
        if bri == 0 {
            self.light.on = false;
        } else {
            self.light.brightness = bri.min(255) as u16;
            self.light.on = true;
        }
    }

    fn wled_json(&mut self, v: &serde_json::Map<String, Value>, notes: &mut Vec<String>) {
        match v.get("on") {
            Some(Value::Bool(b)) => self.light.on = *b,
            Some(Value::String(t)) if t == "t" => self.light.on = !self.light.on,
            Some(other) => notes.push(format!("on {other} ignored")),
            None => {}
        }
        if let Some(b) = v.get("bri").and_then(Value::as_u64) {
            self.wled_set_bri(b);
        }
        let segs: Vec<&Value> = match v.get("seg") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(o @ Value::Object(_)) => vec![o],
            _ => Vec::new(),
        };
        for seg in segs.into_iter().take(1) {
            if let Some(fx) = seg.get("fx").and_then(Value::as_u64) {
                if fx <= MAX_FX {
                    self.light.effect = Some(fx.to_string());
                } else {
                    notes.push(format!("effect {fx} not in this build"));
                }
            }
            let first = seg
                .get("col")
                .and_then(|c| c.get(0))
                .and_then(Value::as_array);
            if let Some(c) = first {
                let ch = |i: usize| c.get(i).and_then(Value::as_u64).map(|v| v.min(255) as u8);
                if let (Some(r), Some(g), Some(b)) = (ch(0), ch(1), ch(2)) {
                    self.light.color = Some(Color::Rgb(Rgb::new(r, g, b)));
                    self.light.mode = Mode::Color;
                }
            }
        }
    }

    fn wled_http(&mut self, query: &str, notes: &mut Vec<String>) {
        let mut rgb = self.wled_rgb();
        let mut colour = false;
        for pair in query
            .trim_start_matches("win")
            .trim_start_matches('&')
            .split('&')
        {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let n = v.parse::<u64>().ok();
            match (k.to_ascii_uppercase().as_str(), n) {
                ("A", Some(b)) => self.wled_set_bri(b),
                ("T", Some(0)) => self.light.on = false,
                ("T", Some(1)) => self.light.on = true,
                ("T", Some(2)) => self.light.on = !self.light.on,
                ("FX", Some(fx)) if fx <= MAX_FX => self.light.effect = Some(fx.to_string()),
                ("R", Some(c)) => (rgb.r, colour) = (c.min(255) as u8, true),
                ("G", Some(c)) => (rgb.g, colour) = (c.min(255) as u8, true),
                ("B", Some(c)) => (rgb.b, colour) = (c.min(255) as u8, true),
                ("", _) => {}
                _ => notes.push(format!("{pair} ignored")),
            }
        }
        if colour {
            self.light.color = Some(Color::Rgb(rgb));
            self.light.mode = Mode::Color;
        }
    }

    /// Answers one message on the device topic, `/col` or `/api`.
    pub(super) fn wled_command(&mut self, role: Role, payload: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(payload).trim().to_string();
        let before = self.light.clone();
        let mut notes = Vec::new();
        match role {
            Role::Command => match text.to_ascii_uppercase().as_str() {
                "ON" => self.light.on = true,
                "OFF" => self.light.on = false,
                "T" => self.light.on = !self.light.on,
                n => match n.parse::<u64>() {
                    Ok(b) => self.wled_set_bri(b),
                    Err(_) => return ignored("not ON, OFF, T or a brightness"),
                },
            },
            Role::Rgb => match parse_col(&text) {
                Some(c) => {
                    self.light.color = Some(Color::Rgb(c));
                    self.light.mode = Mode::Color;
                }
                None => return ignored("not a colour"),
            },
            Role::WledApi if text.starts_with('{') => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(o)) => self.wled_json(&o, &mut notes),
                _ => return ignored("JSON API call that is not an object"),
            },
            Role::WledApi => self.wled_http(&text, &mut notes),
            _ => return ignored("not a WLED topic"),
        }
        let changed = self.light != before;
        Reply {
            accepted: notes.is_empty(),
            changed,
            publish: None,
            notes,
            // WLED publishes only after a change.
            extra: if changed {
                self.wled_messages()
            } else {
                Vec::new()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip() -> Lamp {
        Lamp::wled(
            WledInfo {
                base: "wled/5c3f1a".into(),
                name: "Shelf Strip".into(),
            },
            Light {
                color: Some(Color::Rgb(Rgb::new(255, 160, 0))),
                mode: Mode::Color,
                ..Light::dimmed(true, 128)
            },
        )
    }

    fn topics(r: &Reply) -> Vec<(&str, String, bool)> {
        r.extra
            .iter()
            .map(|p| {
                (
                    p.topic.as_str(),
                    String::from_utf8_lossy(&p.payload).into_owned(),
                    p.retain,
                )
            })
            .collect()
    }

    #[test]
    fn device_topic_col_and_api_change_it_and_it_reports_g_c_v() {
        let mut s = strip();
        let r = s.handle(Role::Command, b"OFF");
        let t = topics(&r);
        assert_eq!(t[0], ("wled/5c3f1a/g", "0".into(), true));
        assert_eq!(t[1], ("wled/5c3f1a/c", "#FFA000".into(), true));
        assert!(t[2].1.contains("<ac>0</ac>") && t[2].1.contains("<ds>Shelf Strip</ds>"));
        assert!(t[2].2, "retained, with the retain option on");
        s.handle(Role::Command, b"ON");
        assert_eq!(
            (s.light.on, s.light.brightness),
            (true, 128),
            "back at its level"
        );
        s.handle(Role::Command, b"64");
        assert_eq!(s.light.brightness, 64);
        s.handle(Role::Rgb, b"#FF0080");
        assert_eq!(s.light.color, Some(Color::Rgb(Rgb::new(255, 0, 128))));
        s.handle(Role::Rgb, b"h1000FF00");
        assert_eq!(s.light.color, Some(Color::Rgb(Rgb::new(0, 255, 0))));
        let r = s.handle(Role::WledApi, br#"{"on":true,"seg":[{"fx":9}]}"#);
        assert!(r.accepted && r.changed);
        assert!(topics(&r)[2].1.contains("<fx>9</fx>"));
        s.handle(Role::WledApi, br#"{"bri":200,"seg":{"col":[[0,0,255]]}}"#);
        assert_eq!(s.light.brightness, 200);
        assert_eq!(s.light.color, Some(Color::Rgb(Rgb::new(0, 0, 255))));
        s.handle(Role::WledApi, b"FX=73&A=20&R=255&G=0&B=0");
        assert_eq!(s.light.effect.as_deref(), Some("73"));
        assert_eq!(s.light.color, Some(Color::Rgb(Rgb::new(255, 0, 0))));
        // Nothing changed: nothing published.
        let r = s.handle(Role::Command, b"20");
        assert!(r.extra.is_empty());
        assert!(!s.handle(Role::Command, b"bright").accepted);
        assert!(!s.handle(Role::Rgb, b"red").accepted);
    }
}
