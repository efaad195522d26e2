//! The JSON keys the seed, HA JSON and Zigbee2MQTT dialects share (`state`, `brightness`,
//! `color`, `color_temp`, ...), applied to one [`Light`]. Where the systems differ (numeric
//! strings, `TOGGLE`, unknown keys) the [`Dialect`] decides.

use serde_json::{Map, Value};

use super::seed::SeedExtras;
use super::{Features, Light, Mode};
use crate::color::{Color, Rgb};

/// Whose rules a JSON command follows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dialect {
    Seed,
    Ha,
    Z2m,
}

/// Applies the keys of a command or seed document to `light`; returns whether any key was
/// applied. Nothing changes when no key applies. Seed documents keep unknown keys in `extras`.
pub(crate) fn apply(
    light: &mut Light,
    features: &Features,
    obj: &Map<String, Value>,
    dialect: Dialect,
    notes: &mut Vec<String>,
    extras: &mut SeedExtras,
) -> bool {
    let max = features.brightness_max;
    let mut next = light.clone();
    let mut explicit_state: Option<bool> = None;
    let mut implicit: Option<bool> = None;
    let mut applied = false;
    for (key, value) in obj {
        match key.as_str() {
            "state" => match value.as_str().map(str::to_ascii_uppercase).as_deref() {
                Some("ON") => explicit_state = Some(true),
                Some("OFF") => explicit_state = Some(false),
                Some("TOGGLE") if dialect == Dialect::Z2m => explicit_state = Some(!light.on),
                _ => {
                    notes.push(format!("state {value} is not ON/OFF; ignored"));
                    continue;
                }
            },
            "brightness" => {
                let Some(b) = number(value, dialect) else {
                    notes.push(format!("brightness {value} is not a number; ignored"));
                    continue;
                };
                let clamped = b.round().clamp(0.0, f64::from(max)) as u16;
                if f64::from(clamped) != b {
                    notes.push(format!("brightness {value} clamped to {clamped}"));
                }
                if dialect != Dialect::Seed && clamped == 0 {
                    implicit = Some(false);
                } else {
                    next.brightness = clamped;
                    implicit = Some(true);
                }
            }
            "brightness_step" if dialect == Dialect::Z2m => {
                let Some(step) = number(value, dialect) else {
                    notes.push(format!("brightness_step {value} is not a number; ignored"));
                    continue;
                };
                let b = (f64::from(next.brightness) + step.round()).clamp(0.0, f64::from(max));
                if b == 0.0 {
                    implicit = Some(false);
                } else {
                    next.brightness = b as u16;
                    implicit = Some(true);
                }
            }
            "color" => {
                if !features.color {
                    notes.push("no colour on this lamp; color ignored".into());
                    continue;
                }
                let Some(c) = parse_color(value, dialect) else {
                    notes.push(format!("color {value} not understood; ignored"));
                    continue;
                };
                next.color = Some(c);
                next.mode = Mode::Color;
                implicit = Some(true);
            }
            "color_temp" => {
                let range = match (dialect, features.color_temp) {
                    (_, Some(r)) => r,
                    (Dialect::Seed, None) => (1, u16::MAX),
                    _ => {
                        notes.push("no colour temperature on this lamp; ignored".into());
                        continue;
                    }
                };
                let Some(m) = number(value, dialect) else {
                    notes.push(format!("color_temp {value} is not a number; ignored"));
                    continue;
                };
                let clamped = m.round().clamp(f64::from(range.0), f64::from(range.1)) as u16;
                if f64::from(clamped) != m {
                    notes.push(format!("color_temp {value} clamped to {clamped}"));
                }
                next.color_temp = Some(clamped);
                next.mode = Mode::ColorTemp;
                if dialect == Dialect::Seed {
                    extras.mode_key = true;
                }
                implicit = Some(true);
            }
            "color_mode" if dialect == Dialect::Seed => {
                match value.as_str() {
                    Some("color_temp") => next.mode = Mode::ColorTemp,
                    Some("rgb" | "xy" | "hs" | "rgbw" | "rgbww") => next.mode = Mode::Color,
                    Some("brightness" | "onoff" | "white") => next.mode = Mode::Brightness,
                    _ => {
                        notes.push(format!("color_mode {value} not understood; ignored"));
                        continue;
                    }
                }
                extras.mode_key = true;
            }
            "effect" if dialect != Dialect::Seed => match value.as_str() {
                Some(e) if features.effects.iter().any(|known| known == e) => {
                    next.effect = Some(e.to_string());
                }
                _ if features.effects.is_empty() => {
                    notes.push("no effects on this lamp; effect ignored".into());
                    continue;
                }
                _ => {
                    notes.push(format!(
                        "effect {value} is not one of {:?}; ignored",
                        features.effects
                    ));
                    continue;
                }
            },
            // Accepted and meaningless for a simulated lamp: no fades, no flashes.
            "transition" | "flash" if dialect != Dialect::Seed => {}
            other => match dialect {
                Dialect::Seed => {
                    extras.extra.insert(other.to_string(), value.clone());
                }
                Dialect::Ha => {
                    notes.push(format!("unknown key '{other}' ignored"));
                    continue;
                }
                Dialect::Z2m => {
                    notes.push(format!("No converter available for '{other}'"));
                    continue;
                }
            },
        }
        applied = true;
    }
    next.on = match (explicit_state, implicit, dialect) {
        (Some(on), _, _) => on,
        // A seed document's other keys never switch the lamp: the writer said the state.
        (None, _, Dialect::Seed) => next.on,
        (None, Some(on), _) => on,
        (None, None, _) => next.on,
    };
    if applied {
        *light = next;
    }
    applied
}

/// A JSON number; Zigbee2MQTT also takes numeric strings (`"brightness":"200"`).
pub(crate) fn number(v: &Value, dialect: Dialect) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) if dialect == Dialect::Z2m => {
            s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
        }
        _ => None,
    }
}

fn channel(obj: &Map<String, Value>, key: &str, dialect: Dialect) -> Option<u8> {
    number(obj.get(key)?, dialect).map(|v| v.round().clamp(0.0, 255.0) as u8)
}

/// `{r,g,b}`, `{x,y}`, `{h,s}` / `{hue,saturation}`, `{hex}` or (Zigbee2MQTT) a `#rrggbb`
/// string.
pub(crate) fn parse_color(v: &Value, dialect: Dialect) -> Option<Color> {
    if let (Value::String(s), Dialect::Z2m) = (v, dialect) {
        return Rgb::from_hex(s).map(Color::Rgb);
    }
    let o = v.as_object()?;
    let num = |k: &str| o.get(k).and_then(|v| number(v, dialect));
    if let (Some(r), Some(g), Some(b)) = (
        channel(o, "r", dialect),
        channel(o, "g", dialect),
        channel(o, "b", dialect),
    ) {
        return Some(Color::Rgb(Rgb::new(r, g, b)));
    }
    if let (Some(x), Some(y)) = (num("x"), num("y")) {
        return (0.0..=1.0)
            .contains(&x)
            .then_some(())
            .filter(|_| (0.0..=1.0).contains(&y))
            .map(|_| Color::Xy { x, y });
    }
    if let (Some(h), Some(s)) = (
        num("h").or_else(|| num("hue")),
        num("s").or_else(|| num("saturation")),
    ) {
        return Some(Color::Hs { h, s });
    }
    if let Some(Value::String(hex)) = o.get("hex") {
        return Rgb::from_hex(hex).map(Color::Rgb);
    }
    None
}

/// `ON`/`OFF`, as the JSON dialects spell the state.
pub(crate) fn on_off(on: bool) -> &'static str {
    if on {
        "ON"
    } else {
        "OFF"
    }
}

/// The name of a colour mode: `color` for [`Mode::Color`] (`rgb`, `xy`, ...).
pub(crate) fn mode_name(mode: Mode, color: &'static str) -> &'static str {
    match mode {
        Mode::Color => color,
        Mode::ColorTemp => "color_temp",
        Mode::Brightness => "brightness",
    }
}
