//! Writing: turning a user's change into the bytes a lamp understands.
//!
//! Two shapes, because the ecosystems differ: a seed lamp's topic *is* its state, so we publish
//! the whole (previous) JSON object with only the changed keys overwritten, keeping fields
//! Lampboard does not know; a command topic (HA `command_topic`, Zigbee2MQTT `<name>/set`)
//! takes just the change. Output is always compact JSON.

use serde_json::{json, Map, Value};

use super::color::{self, Rgb};
use super::state::{ColorMode, LampState};

/// One thing the user asked a lamp to do; the UI produces these, the directory turns them
/// into MQTT messages, so the UI never writes JSON itself.
#[derive(Clone, Debug, PartialEq)]
pub enum LampChange {
    /// Switch on or off.
    On(bool),
    /// Brightness in percent (0..=100, larger values are clamped); 0 means "off", because a
    /// lamp at brightness 0 that reports "ON" confuses every dashboard.
    Brightness(u8),
    /// Colour (chromaticity); converted to hs/xy for lamps that only accept those.
    Color(Rgb),
    /// Colour temperature in mireds; clamped to the lamp's range when known.
    ColorTemp(u16),
    /// Run one of the effects the lamp lists, by its name.
    Effect(String),
}

impl LampChange {
    /// The change as the lamp will look once it obeys: what a card shows before the echo,
    /// and what an optimistic lamp (one that never reports its state) is taken to be.
    pub fn apply_to(&self, state: &mut LampState) {
        match self {
            LampChange::On(on) => state.on = Some(*on),
            LampChange::Brightness(pct) => {
                state.brightness_pct = Some(f32::from((*pct).min(100)));
                state.on = Some(*pct > 0);
            }
            LampChange::Color(rgb) => {
                state.rgb = Some(*rgb);
                state.color_mode = Some(ColorMode::Rgb);
            }
            LampChange::ColorTemp(mireds) => {
                state.color_temp_mireds = Some(*mireds);
                state.rgb = Some(color::mireds_to_rgb(f64::from(*mireds)));
                state.color_mode = Some(ColorMode::ColorTemp);
            }
            LampChange::Effect(name) => state.effect = Some(name.clone()),
        }
    }
}

/// Which command dialect a command topic speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// HA JSON schema: HA itself always sends `"state":"ON"` with a brightness or colour,
    /// and some firmwares require it, so we do too.
    HomeAssistantJson,
    /// Zigbee2MQTT `/set`: just the change; setting brightness or colour turns the lamp on.
    Zigbee2Mqtt,
}

/// What the writer must know about a lamp's command topic, taken from discovery, because the
/// same change is `128` on one lamp and `127` or kelvin on another.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandStyle {
    /// The dialect.
    pub dialect: Dialect,
    /// Full-scale brightness of the lamp (255 HA default, 254 Zigbee2MQTT).
    pub brightness_scale: u16,
    /// `color_temp` is sent in kelvin (HA discovery `color_temp_kelvin: true`).
    pub color_temp_kelvin: bool,
    /// Supported colour temperature range in mireds, to clamp requests into.
    pub mireds_range: Option<(u16, u16)>,
    /// Supported colour modes, to choose rgb, hs or xy for a colour; empty = unknown (rgb).
    pub color_modes: Vec<ColorMode>,
}

/// Percent to the lamp's scale, never 0 for a non-zero request (0 would read as "off").
fn scaled(pct: u8, scale: u16) -> u64 {
    let pct = f64::from(pct.min(100));
    let v = (pct / 100.0 * f64::from(scale)).round() as u64;
    v.max(1)
}

fn clamp_mireds(m: u16, range: Option<(u16, u16)>) -> u16 {
    match range {
        Some((lo, hi)) if lo <= hi => m.clamp(lo, hi),
        _ => m,
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "ON"
    } else {
        "OFF"
    }
}

/// The `color` object in the representation the lamp accepts: rgb when it takes rgb (or we do
/// not know), else hs, else xy, mirroring what HA sends for each mode.
fn color_value(c: Rgb, modes: &[ColorMode]) -> Value {
    let takes = |m: ColorMode| modes.contains(&m);
    if modes.is_empty()
        || takes(ColorMode::Rgb)
        || takes(ColorMode::Rgbw)
        || takes(ColorMode::Rgbww)
    {
        json!({"r": c.r, "g": c.g, "b": c.b})
    } else if takes(ColorMode::Hs) {
        let (h, s) = color::rgb_to_hs(c);
        json!({"h": h, "s": s})
    } else if takes(ColorMode::Xy) {
        let (x, y) = color::rgb_to_xy(c);
        json!({"x": x, "y": y})
    } else {
        json!({"r": c.r, "g": c.g, "b": c.b})
    }
}

fn compact(map: Map<String, Value>) -> Vec<u8> {
    // Serialising a Value cannot fail (string keys, finite numbers); fall back to `{}` anyway
    // rather than panic.
    serde_json::to_vec(&Value::Object(map)).unwrap_or_else(|_| b"{}".to_vec())
}

/// The payload for a command topic: only the change, e.g. `{"state":"ON"}`,
/// `{"brightness":128}` or `{"color_temp":300}` (HA adds `"state":"ON"`, see [`Dialect`]).
pub fn change_payload(change: &LampChange, style: &CommandStyle) -> Vec<u8> {
    let mut m = Map::new();
    let turn_on = style.dialect == Dialect::HomeAssistantJson;
    match change {
        LampChange::On(on) => {
            m.insert("state".into(), on_off(*on).into());
        }
        LampChange::Brightness(0) => {
            m.insert("state".into(), "OFF".into());
        }
        LampChange::Brightness(p) => {
            if turn_on {
                m.insert("state".into(), "ON".into());
            }
            m.insert(
                "brightness".into(),
                scaled(*p, style.brightness_scale).into(),
            );
        }
        LampChange::Color(c) => {
            if turn_on {
                m.insert("state".into(), "ON".into());
            }
            m.insert("color".into(), color_value(*c, &style.color_modes));
        }
        LampChange::ColorTemp(mireds) => {
            if turn_on {
                m.insert("state".into(), "ON".into());
            }
            let mireds = clamp_mireds(*mireds, style.mireds_range).max(1);
            let value = if style.color_temp_kelvin {
                u64::from(color::mireds_to_kelvin(mireds))
            } else {
                u64::from(mireds)
            };
            m.insert("color_temp".into(), value.into());
        }
        LampChange::Effect(name) => {
            if turn_on {
                m.insert("state".into(), "ON".into());
            }
            m.insert("effect".into(), name.clone().into());
        }
    }
    compact(m)
}

/// The whole state for a lamp whose topic is its state (the seed model): the previous JSON
/// object with the change written over it, so keys Lampboard does not understand survive.
/// Colour changes also set `color_mode` when the object has one (and colour temperature always
/// does) so a stale mode cannot win when the state is read back.
pub fn whole_state_payload(
    doc: &Map<String, Value>,
    change: &LampChange,
    brightness_scale: u16,
) -> Vec<u8> {
    let mut m = doc.clone();
    match change {
        LampChange::On(on) => {
            m.insert("state".into(), on_off(*on).into());
        }
        LampChange::Brightness(0) => {
            m.insert("state".into(), "OFF".into());
        }
        LampChange::Brightness(p) => {
            m.insert("brightness".into(), scaled(*p, brightness_scale).into());
        }
        LampChange::Color(c) => {
            m.insert("color".into(), json!({"r": c.r, "g": c.g, "b": c.b}));
            if m.contains_key("color_mode") {
                m.insert("color_mode".into(), "rgb".into());
            }
        }
        LampChange::ColorTemp(mireds) => {
            m.insert("color_temp".into(), u64::from((*mireds).max(1)).into());
            m.insert("color_mode".into(), "color_temp".into());
        }
        LampChange::Effect(name) => {
            m.insert("effect".into(), name.clone().into());
        }
    }
    compact(m)
}
