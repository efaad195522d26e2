//! One WLED device's wire format over MQTT (WLED docs, "MQTT"): state on `<base>/g`
//! (brightness 0-255, 0 = off), `<base>/c` (primary colour `#RRGGBB`, `#WWRRGGBB` with a
//! white channel) and `<base>/v` (the XML state, see [`super::xml`]); availability on
//! `<base>/status` (`online`/`offline`, retained); commands to `<base>` (`ON`, `OFF`, `T`
//! or a brightness 0-255), `<base>/col` (`#RRGGBB`) and `<base>/api` (the JSON API, since
//! 0.11: `{"on":true,"seg":[{"fx":9}]}`).
//!
//! Effects: over MQTT WLED reports only the effect's number (`<fx>`); its name list is the
//! HTTP-only `/json/eff`, which differs between versions and builds. The first effects have
//! kept their numbers and names since WLED 0.8 ([`EFFECTS`]), so those are offered and shown
//! by name; any other number is shown as "Effect N".

use serde_json::{json, Map, Value};

use super::xml;
use crate::lamp::color::Rgb;
use crate::lamp::command::LampChange;
use crate::lamp::read::ReadError;
use crate::lamp::state::{ColorMode, StateUpdate};
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// WLED effects 0-10, unchanged since 0.8 (WLED's `FX.h` mode list).
pub const EFFECTS: [&str; 11] = [
    "Solid",
    "Blink",
    "Breathe",
    "Wipe",
    "Wipe Random",
    "Random Colors",
    "Sweep",
    "Dynamic",
    "Colorloop",
    "Rainbow",
    "Scan",
];

/// The effect name for an id.
pub fn effect_name(id: u64) -> String {
    match usize::try_from(id).ok().and_then(|i| EFFECTS.get(i)) {
        Some(n) => (*n).to_string(),
        None => format!("Effect {id}"),
    }
}

/// The id for an effect name (offered or read back).
pub fn effect_id(name: &str) -> Option<u64> {
    if let Some(i) = EFFECTS.iter().position(|e| e.eq_ignore_ascii_case(name)) {
        return Some(i as u64);
    }
    name.strip_prefix("Effect ")?.trim().parse().ok()
}

/// A WLED device under its MQTT device topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WledBinding {
    /// The device topic (`wled/5f1a2b`).
    pub base: String,
}

fn brightness(update: &mut StateUpdate, bri: u8) {
    update.on = Some(bri > 0);
    if bri > 0 {
        update.brightness_pct = Some(f32::from(bri) / 255.0 * 100.0);
    }
}

/// `#RRGGBB` or `#WWRRGGBB` (also with WLED's `h`/`H` prefix) into RGB.
pub fn parse_color(text: &str) -> Option<Rgb> {
    let t = text.trim();
    let t = t.strip_prefix(['#', 'h', 'H']).unwrap_or(t);
    match t.len() {
        6 => Rgb::from_hex(t),
        8 if t.is_ascii() => Rgb::from_hex(&t[2..]),
        _ => None,
    }
}

impl WledBinding {
    fn topic(&self, sub: &str) -> String {
        format!("{}/{sub}", self.base)
    }
}

impl Binding for WledBinding {
    fn kind(&self) -> SourceKind {
        SourceKind::Wled
    }

    fn state_topics(&self) -> Vec<String> {
        vec![self.topic("g"), self.topic("c"), self.topic("v")]
    }

    fn read(
        &self,
        topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        let text = String::from_utf8_lossy(payload);
        let t = text.trim();
        if t.is_empty() {
            return Err(ReadError::Empty);
        }
        let mut u = StateUpdate {
            recognized: true,
            ..StateUpdate::default()
        };
        let not = |what: &str| ReadError::NotAState {
            found: format!("{what} “{}”", t.chars().take(40).collect::<String>()),
        };
        match topic.rsplit('/').next() {
            Some("g") => brightness(&mut u, t.parse::<u8>().map_err(|_| not("brightness"))?),
            Some("c") => {
                u.rgb = Some(parse_color(t).ok_or_else(|| not("colour"))?);
                u.color_mode = Some(ColorMode::Rgb);
            }
            _ => {
                let state = xml::parse(t).ok_or_else(|| not("XML state"))?;
                if let Some(b) = state.brightness {
                    brightness(&mut u, b);
                }
                if let Some([r, g, b]) = state.color {
                    u.rgb = Some(Rgb::new(r, g, b));
                    u.color_mode = Some(ColorMode::Rgb);
                }
                u.effect = state.effect.map(effect_name);
            }
        }
        Ok(u)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            brightness: true,
            color: true,
            color_temp: false,
            color_temp_range: None,
            effects: EFFECTS.iter().map(|e| (*e).to_string()).collect(),
        }
    }

    fn command(&self, change: &LampChange, _lamp: &Lamp) -> CommandResult {
        let out = match change {
            LampChange::On(on) => {
                Outgoing::command(self.base.clone(), if *on { "ON" } else { "OFF" })
            }
            LampChange::Brightness(0) => Outgoing::command(self.base.clone(), "OFF"),
            LampChange::Brightness(p) => {
                let bri = (f64::from((*p).min(100)) / 100.0 * 255.0).round().max(1.0);
                Outgoing::command(self.base.clone(), (bri as u8).to_string())
            }
            LampChange::Color(c) => Outgoing::command(self.topic("col"), c.to_hex()),
            LampChange::ColorTemp(_) => {
                return Err("WLED takes colours, not a colour temperature, over MQTT".into())
            }
            LampChange::Effect(name) => {
                let id = effect_id(name)
                    .ok_or_else(|| format!("WLED has no effect called “{name}” here"))?;
                let body = json!({"on": true, "seg": [{"fx": id}]});
                Outgoing::command(self.topic("api"), body.to_string())
            }
        };
        Ok(vec![out])
    }

    fn availability_topics(&self) -> Vec<String> {
        vec![self.topic("status")]
    }

    fn read_availability(&self, _topic: &str, payload: &[u8]) -> Option<bool> {
        let text = String::from_utf8_lossy(payload);
        match text.trim() {
            t if t.eq_ignore_ascii_case("online") => Some(true),
            t if t.eq_ignore_ascii_case("offline") => Some(false),
            _ => None,
        }
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Device topic", self.base.clone()),
            ("State topics", self.state_topics().join(", ")),
            ("Colour topic", self.topic("col")),
            ("JSON API topic", self.topic("api")),
        ]
    }
}
