//! One Shelly Gen1 light channel's wire format (Shelly Gen1 API: RGBW2 "color-mode MQTT" and
//! "white-mode MQTT", Bulb, Duo and Vintage MQTT pages).
//!
//! * State: `shellies/<id>/<kind>/<N>` carries `on`/`off`; `.../status` carries JSON
//!   (`ison`, and `red`/`green`/`blue`/`white`/`gain` in colour mode, `brightness`/`temp` in
//!   white mode or on `white/N` and `light/N`, `effect` as a number). Both are read; the
//!   status, a fuller picture, is the primary topic.
//! * Commands: on/off as the plain words on `.../command` (the documented form), every other
//!   change as JSON on `.../set` with `"turn":"on"`, because a Gen1 device left off ignores
//!   a new colour until it is switched on.
//! * Availability: `shellies/<id>/online`, `true`/`false`.
//! * Refresh: `update` on `shellies/<id>/command` makes the device publish its status now
//!   (Gen1 does not retain states unless its "retain" option is on).

use serde_json::{json, Map, Value};

use super::models::{ChannelFeatures, ChannelKind, Model};
use super::{channel, num, read_kelvin, read_online};
use crate::lamp::color::{self, Rgb};
use crate::lamp::command::LampChange;
use crate::lamp::read::ReadError;
use crate::lamp::state::{ColorMode, StateUpdate};
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// What the device's announce said about it, for the lamp sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Announced {
    /// Model code (`SHRGBW2`).
    pub model: Option<String>,
    /// MAC address.
    pub mac: Option<String>,
    /// IP address.
    pub ip: Option<String>,
    /// Firmware version.
    pub fw_ver: Option<String>,
}

/// One Gen1 light channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Gen1Channel {
    /// The device id (`shellyrgbw2-11ABD9`).
    pub device: String,
    /// `color`, `white` or `light`.
    pub kind: ChannelKind,
    /// The channel number.
    pub index: u8,
    /// The model, when known from the announce or the id.
    pub model: Option<Model>,
    /// What it can do.
    pub features: ChannelFeatures,
    /// What the announce said.
    pub announced: Announced,
}

impl Gen1Channel {
    /// `shellies/<id>/<kind>/<N>`, the bare channel topic (`on`/`off`), also the lamp id.
    pub fn topic(&self) -> String {
        format!(
            "shellies/{}/{}/{}",
            self.device,
            self.kind.level(),
            self.index
        )
    }

    fn status_topic(&self) -> String {
        format!("{}/status", self.topic())
    }

    fn set_topic(&self) -> String {
        format!("{}/set", self.topic())
    }

    fn command_topic(&self) -> String {
        format!("{}/command", self.topic())
    }

    /// The mireds range the card's slider uses (from the kelvin range).
    fn mireds_range(&self) -> Option<(u16, u16)> {
        self.features.temp_k.map(|(lo, hi)| {
            (
                color::kelvin_to_mireds(u32::from(hi)),
                color::kelvin_to_mireds(u32::from(lo)),
            )
        })
    }

    fn set(&self, body: Value) -> CommandResult {
        Ok(vec![Outgoing::command(self.set_topic(), body.to_string())])
    }
}

/// Reads a Gen1 status object (`ison`, colour-mode and white-mode keys). Only what the
/// message carries is set; invalid values become warnings.
pub fn read_status(
    obj: &Map<String, Value>,
    kind: ChannelKind,
    features: &ChannelFeatures,
) -> StateUpdate {
    let mut u = StateUpdate {
        recognized: true,
        ..StateUpdate::default()
    };
    match obj.get("ison") {
        None => {}
        Some(Value::Bool(b)) => u.on = Some(*b),
        Some(other) => u.warnings.push(format!("invalid ison {other}")),
    }
    let white_mode = obj.get("mode").and_then(Value::as_str) == Some("white");
    let percent = |key: &str, u: &mut StateUpdate| match num(obj.get(key)) {
        Some(p) if (0.0..=100.0).contains(&p) => u.brightness_pct = Some(p as f32),
        Some(p) => u.warnings.push(format!("{key} {p} is outside 0-100")),
        None => {}
    };
    if kind == ChannelKind::Color && !white_mode {
        percent("gain", &mut u);
        let rgb = (
            channel(obj.get("red")),
            channel(obj.get("green")),
            channel(obj.get("blue")),
        );
        if let (Some(r), Some(g), Some(b)) = rgb {
            u.rgb = Some(Rgb::new(r, g, b));
            u.color_mode = Some(ColorMode::Rgb);
        }
        // A bulb in colour mode still says its white setting: the slider shows it.
        if let Some(k) = num(obj.get("temp")).filter(|k| *k >= 1000.0) {
            if features.temp_k.is_some() {
                u.color_temp_mireds = Some(color::kelvin_to_mireds(k as u32));
            }
        }
    } else {
        percent("brightness", &mut u);
        if !read_kelvin("temp", num(obj.get("temp")), &mut u) && obj.contains_key("brightness") {
            u.color_mode = Some(ColorMode::Brightness);
        }
    }
    if let Some(n) = num(obj.get("effect")) {
        let n = n as usize;
        match features.effects.get(n) {
            Some(name) => u.effect = Some(name.clone()),
            None if features.effects.is_empty() => {}
            None => u.warnings.push(format!("unknown effect {n}")),
        }
    }
    u
}

impl Binding for Gen1Channel {
    fn kind(&self) -> SourceKind {
        SourceKind::ShellyGen1
    }

    fn state_topics(&self) -> Vec<String> {
        vec![self.status_topic(), self.topic()]
    }

    fn read(
        &self,
        topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        let text = payload.trim_ascii();
        if text.is_empty() {
            return Err(ReadError::Empty);
        }
        if topic == self.topic() {
            let word = String::from_utf8_lossy(text);
            return match word.to_ascii_lowercase().as_str() {
                "on" | "off" => Ok(StateUpdate {
                    on: Some(word.eq_ignore_ascii_case("on")),
                    recognized: true,
                    ..StateUpdate::default()
                }),
                _ => Err(ReadError::NotAState {
                    found: format!("“{word}” (a Gen1 channel says on or off)"),
                }),
            };
        }
        match serde_json::from_slice::<Value>(text) {
            Ok(Value::Object(obj)) => Ok(read_status(&obj, self.kind, &self.features)),
            Ok(_) => Err(ReadError::NotAState {
                found: "JSON that is not an object".into(),
            }),
            Err(e) => Err(ReadError::InvalidJson {
                message: e.to_string(),
            }),
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            brightness: true,
            color: self.features.color,
            color_temp: self.features.temp_k.is_some(),
            color_temp_range: self.mireds_range(),
            effects: self.features.effects.clone(),
        }
    }

    fn command(&self, change: &LampChange, lamp: &Lamp) -> CommandResult {
        let f = &self.features;
        match change {
            LampChange::On(on) => Ok(vec![Outgoing::command(
                self.command_topic(),
                if *on { "on" } else { "off" },
            )]),
            LampChange::Brightness(0) => Ok(vec![Outgoing::command(self.command_topic(), "off")]),
            LampChange::Brightness(p) => {
                // Colour mode dims with `gain`; white mode, `white/N` and `light/N` with
                // `brightness`.
                let white = lamp.state.color_mode == Some(ColorMode::ColorTemp);
                let key = if self.kind == ChannelKind::Color && !white {
                    "gain"
                } else {
                    "brightness"
                };
                self.set(json!({"turn": "on", key: (*p).min(100)}))
            }
            LampChange::Color(c) if f.color => {
                let mut body = json!({"turn": "on", "red": c.r, "green": c.g, "blue": c.b});
                if f.modes {
                    body["mode"] = "color".into();
                }
                self.set(body)
            }
            LampChange::Color(_) => Err("this lamp has no colour control".into()),
            LampChange::ColorTemp(mireds) => {
                let Some((lo, hi)) = f.temp_k else {
                    return Err("this lamp has no colour temperature control".into());
                };
                let k =
                    color::mireds_to_kelvin((*mireds).max(1)).clamp(u32::from(lo), u32::from(hi));
                let mut body = json!({"turn": "on", "temp": k});
                if f.modes {
                    body["mode"] = "white".into();
                }
                self.set(body)
            }
            LampChange::Effect(name) => match f.effects.iter().position(|e| e == name) {
                Some(n) => self.set(json!({"turn": "on", "effect": n})),
                None => Err(format!("this lamp has no effect called “{name}”")),
            },
        }
    }

    fn refresh(&self) -> Vec<Outgoing> {
        vec![Outgoing::command(
            format!("shellies/{}/command", self.device),
            "update",
        )]
    }

    fn availability_topics(&self) -> Vec<String> {
        vec![format!("shellies/{}/online", self.device)]
    }

    fn read_availability(&self, _topic: &str, payload: &[u8]) -> Option<bool> {
        read_online(payload)
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        let mut d = vec![
            ("Device", self.device.clone()),
            ("State topic", self.status_topic()),
            (
                "Command topics",
                format!("{} , {}", self.command_topic(), self.set_topic()),
            ),
        ];
        if let Some(m) = self.model {
            d.push(("Model", m.label().to_string()));
        }
        let a = &self.announced;
        d.extend(a.model.clone().map(|m| ("Model code", m)));
        d.extend(a.mac.clone().map(|m| ("MAC", m)));
        d.extend(a.ip.clone().map(|m| ("IP address", m)));
        d.extend(a.fw_ver.clone().map(|m| ("Firmware", m)));
        d
    }
}
