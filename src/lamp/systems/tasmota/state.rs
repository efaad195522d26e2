//! Reading a Tasmota light's state from `stat/<t>/RESULT` and `tele/<t>/STATE` (JSON) and
//! `stat/<t>/POWER<n>` (plain text), as Tasmota's light driver reports it (docs
//! `Lights.md`, `Commands.md#light`):
//!
//! * `POWER` (one output) or `POWER<n>` in the words of the discovery's `state` list.
//! * `Dimmer` 0-100 is the brightness (`Dimmer1`/`Dimmer2` for the halves of a split light,
//!   `Channel<n>` for SetOption68 channels).
//! * `HSBColor` `h,s,b` is the colour; `Color` (`r,g,b[,cw[,ww]]` or hex) is already scaled
//!   by the dimmer, so it is only used, normalised, when there is no `HSBColor`.
//! * `White` > 0 on an RGBW/RGBCW light means white mode (its RGB channels are 0, `HSBColor`
//!   stale); `CT` 153-500 mireds is the white's temperature (stale in colour mode).
//! * `Scheme` is the effect number; on a cold/warm-only light `Color` is the two white
//!   channels and is ignored.

use serde_json::{Map, Value};

use super::config::{LightKind, TasmotaLight};
use crate::lamp::color::{self, Rgb};
use crate::lamp::state::{ColorMode, StateUpdate};

/// Tasmota's first five schemes (docs `Commands.md`, `Scheme`), offered as effects. Higher
/// numbers (the WS2812 patterns) read as "Scheme N".
pub const SCHEMES: [&str; 5] = ["Solid", "Wake up", "Cycle up", "Cycle down", "Random"];

/// The effect name for a scheme number.
pub fn scheme_name(n: u64) -> String {
    match usize::try_from(n).ok().and_then(|i| SCHEMES.get(i)) {
        Some(name) => (*name).to_string(),
        None => format!("Scheme {n}"),
    }
}

/// The scheme number for an effect name offered or read.
pub fn scheme_number(name: &str) -> Option<u64> {
    if let Some(i) = SCHEMES.iter().position(|s| s.eq_ignore_ascii_case(name)) {
        return Some(i as u64);
    }
    name.strip_prefix("Scheme ")?.trim().parse().ok()
}

/// A number, also when Tasmota sends it as text.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// `h,s,b` into hue and saturation.
fn hsb(text: &str) -> Option<(f64, f64)> {
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [h, s, _] | [h, s] if (0.0..=360.0).contains(&h) && (0.0..=100.0).contains(&s) => {
            Some((h, s))
        }
        _ => None,
    }
}

/// `Color` as channels: decimal `r,g,b[,cw,ww]` (SetOption17 1) or hex `RRGGBB[CCWW]`.
pub fn color_channels(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if t.contains(',') {
        return t.split(',').map(|p| p.trim().parse::<u8>().ok()).collect();
    }
    let t = t.strip_prefix('#').unwrap_or(t);
    if t.is_empty() || !t.len().is_multiple_of(2) || !t.is_ascii() {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&t[i..i + 2], 16).ok())
        .collect()
}

/// Scales RGB up so its brightest channel is 255: Tasmota's `Color` carries the dimmer.
fn normalised(r: u8, g: u8, b: u8) -> Option<Rgb> {
    let max = r.max(g).max(b);
    if max == 0 {
        return None;
    }
    let k = 255.0 / f64::from(max);
    let c = |v: u8| (f64::from(v) * k).round().clamp(0.0, 255.0) as u8;
    Some(Rgb::new(c(r), c(g), c(b)))
}

/// The power key for a light: `POWER` for the first output when present, else `POWER<n>`.
fn power<'a>(obj: &'a Map<String, Value>, light: &TasmotaLight) -> Option<&'a Value> {
    if light.index == 0 {
        if let Some(v) = obj.get("POWER") {
            return Some(v);
        }
    }
    obj.get(&format!("POWER{}", light.index + 1))
}

/// Reads a power word (`ON`/`OFF` or the device's own words, any case).
pub fn power_word(word: &str, light: &TasmotaLight) -> Option<bool> {
    let w = word.trim();
    if w.eq_ignore_ascii_case(&light.power_on) {
        Some(true)
    } else if w.eq_ignore_ascii_case(&light.power_off) {
        Some(false)
    } else {
        None
    }
}

/// Reads one RESULT or STATE object for one light; keys of other outputs are ignored.
pub fn read_light(obj: &Map<String, Value>, light: &TasmotaLight) -> StateUpdate {
    let mut u = StateUpdate::default();
    match power(obj, light) {
        None => {}
        Some(Value::String(s)) => match power_word(s, light) {
            Some(on) => {
                u.on = Some(on);
                u.recognized = true;
            }
            None => u.warnings.push(format!("unknown power word “{s}”")),
        },
        Some(other) => u.warnings.push(format!("invalid power {other}")),
    }
    if light.kind == Some(LightKind::Relay) {
        return u;
    }
    if let Some(v) = obj.get(&light.dimmer_key) {
        u.recognized = true;
        match number(v) {
            Some(d) if (0.0..=100.0).contains(&d) => {
                // A dimmer of 0 is "off" for Tasmota; keep the level to restore.
                if d > 0.0 {
                    u.brightness_pct = Some(d as f32);
                }
            }
            _ => u.warnings.push(format!("invalid {} {v}", light.dimmer_key)),
        }
    }
    read_colour(obj, light, &mut u);
    if let Some(v) = obj.get("Scheme") {
        u.recognized = true;
        match v.as_u64() {
            Some(n) => u.effect = Some(scheme_name(n)),
            None => u.warnings.push(format!("invalid Scheme {v}")),
        }
    }
    u
}

/// The colour temperature, when `CT` is readable.
fn ct(obj: &Map<String, Value>, u: &mut StateUpdate) -> Option<u16> {
    let v = obj.get("CT")?;
    u.recognized = true;
    match number(v) {
        Some(m) if (50.0..=1000.0).contains(&m) => Some(m.round() as u16),
        _ => {
            u.warnings.push(format!("invalid CT {v}"));
            None
        }
    }
}

fn white_mode(u: &mut StateUpdate, kind: Option<LightKind>, mireds: Option<u16>) {
    if kind == Some(LightKind::Rgbw) {
        u.color_mode = Some(ColorMode::White);
        u.rgb = Some(Rgb::new(255, 255, 255));
    } else {
        u.color_mode = Some(ColorMode::ColorTemp);
        if let Some(m) = mireds {
            u.color_temp_mireds = Some(m);
            u.rgb = Some(color::mireds_to_rgb(f64::from(m)));
        }
    }
}

fn read_colour(obj: &Map<String, Value>, light: &TasmotaLight, u: &mut StateUpdate) {
    let kind = light.kind;
    match kind {
        Some(LightKind::Relay) => {}
        Some(LightKind::Dimmer) => {
            if u.brightness_pct.is_some() {
                u.color_mode = Some(ColorMode::Brightness);
            }
        }
        Some(LightKind::ColdWarm) => {
            let mireds = ct(obj, u);
            if mireds.is_some() || u.recognized {
                white_mode(u, kind, mireds);
            }
        }
        _ => {
            let hs = obj.get("HSBColor").and_then(Value::as_str);
            // An RGB light (or the RGB half of a split one) has no white mode.
            let white = obj
                .get("White")
                .and_then(number)
                .filter(|_| kind != Some(LightKind::Rgb));
            let channels = obj
                .get("Color")
                .and_then(Value::as_str)
                .and_then(color_channels);
            let mireds = if kind == Some(LightKind::Rgb) || kind == Some(LightKind::Rgbw) {
                None
            } else {
                ct(obj, u)
            };
            let rgb_zero = kind != Some(LightKind::Rgb)
                && channels
                    .as_ref()
                    .is_some_and(|c| c.len() > 3 && c[..3].iter().all(|&v| v == 0));
            if hs.is_some() || channels.is_some() || white.is_some() {
                u.recognized = true;
            }
            if white.is_some_and(|w| w > 0.0) || (white.is_none() && rgb_zero) {
                white_mode(u, kind, mireds);
            } else if let Some((h, s)) = hs.and_then(hsb) {
                u.color_mode = Some(ColorMode::Hs);
                u.rgb = Some(color::hs_to_rgb(h, s));
            } else if let Some(c) = channels.filter(|c| c.len() >= 3) {
                if let Some(rgb) = normalised(c[0], c[1], c[2]) {
                    u.color_mode = Some(ColorMode::Hs);
                    u.rgb = Some(rgb);
                }
            } else if white.is_none() && mireds.is_some() {
                white_mode(u, kind, mireds);
            } else if let Some(h) = hs {
                u.warnings.push(format!("invalid HSBColor “{h}”"));
            }
        }
    }
}
