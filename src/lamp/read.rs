//! Reading a lamp payload (seed JSON, HA JSON schema, Zigbee2MQTT state, plain `ON`/`OFF`)
//! into a [`StateUpdate`].
//!
//! Lenient on purpose, because the compatibility set shows real lamps sending lower-case
//! `"on"`, colours as hex strings or arrays, numbers as strings, null for unknown and stale
//! colour data next to the active mode. Invalid values become warnings and are left out of the
//! update (so the previous value stays); only bytes that are not a lamp message at all become a
//! [`ReadError`]. Nothing here panics on any input.

use serde_json::{Map, Value};

use super::color::{self, Rgb};
use super::state::{ColorMode, StateUpdate};

/// How to interpret numbers whose unit depends on discovery, because the payload alone cannot
/// say whether `brightness: 100` is 39 % (Zigbee2MQTT) or 100 % (Tasmota via HA).
#[derive(Clone, Debug, PartialEq)]
pub struct ReadOptions {
    /// The sender's full-scale brightness: 255 for HA and the seed, 254 for Zigbee2MQTT, or
    /// a discovery `brightness_scale`.
    pub brightness_scale: u16,
    /// HA discovery `color_temp_kelvin: true`: `color_temp` is in kelvin, not mireds.
    pub color_temp_kelvin: bool,
    /// The lamp's colour temperature range in mireds, used to mix rgbww white channels.
    pub mireds_range: (u16, u16),
}

impl Default for ReadOptions {
    /// HA's defaults (0-255, mireds, 153..=500), which also fit the seed's lamps.
    fn default() -> Self {
        ReadOptions {
            brightness_scale: 255,
            color_temp_kelvin: false,
            mireds_range: (153, 500),
        }
    }
}

/// Why a payload is not a lamp state at all. Kept as a value (never a panic) so the card can
/// show the raw text next to the reason and keep the last good state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// A zero-length payload: a retained clear, not a state.
    Empty,
    /// Looked like JSON but did not parse (trailing comma, comments, leading zeros).
    InvalidJson {
        /// serde_json's explanation with line and column.
        message: String,
    },
    /// Valid JSON or text that is not a lamp state (`true`, `online`, `TOGGLE`, an array).
    NotAState {
        /// What was found instead.
        found: String,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Empty => write!(f, "empty payload"),
            ReadError::InvalidJson { message } => write!(f, "invalid JSON: {message}"),
            ReadError::NotAState { found } => write!(f, "not a lamp state: {found}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Sane colour temperatures in mireds (20000 K down to 1000 K); outside this a number is
/// either kelvin sent without discovery saying so, or garbage (McLighting's `24`).
const MIREDS_SANE: std::ops::RangeInclusive<f64> = 50.0..=1000.0;
/// Sane colour temperatures in kelvin.
const KELVIN_SANE: std::ops::RangeInclusive<f64> = 1000.0..=20000.0;

/// Reads one payload. Plain `ON`/`OFF` (any case) is accepted because the set shows it on
/// state topics; anything else must be a JSON object.
pub fn read_state(payload: &[u8], opts: &ReadOptions) -> Result<StateUpdate, ReadError> {
    let trimmed = payload.trim_ascii();
    if trimmed.is_empty() {
        return Err(ReadError::Empty);
    }
    if trimmed[0] != b'{' {
        return read_plain(trimmed);
    }
    match serde_json::from_slice::<Value>(trimmed) {
        Ok(Value::Object(obj)) => Ok(read_object(&obj, opts)),
        Ok(_) => Err(ReadError::NotAState {
            found: "JSON that is not an object".into(),
        }),
        Err(e) => Err(ReadError::InvalidJson {
            message: e.to_string(),
        }),
    }
}

/// Plain-text payloads: only on/off describe a state; `TOGGLE`, `online`, `true` do not.
fn read_plain(text: &[u8]) -> Result<StateUpdate, ReadError> {
    let text = String::from_utf8_lossy(text);
    let on = if text.eq_ignore_ascii_case("on") {
        true
    } else if text.eq_ignore_ascii_case("off") {
        false
    } else {
        return Err(ReadError::NotAState {
            found: shorten(&text),
        });
    };
    Ok(StateUpdate {
        on: Some(on),
        recognized: true,
        ..StateUpdate::default()
    })
}

/// Keeps error texts short, because a 30 KB payload in a toast helps nobody.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The keys that make an object a lamp state.
const LAMP_KEYS: [&str; 8] = [
    "state",
    "brightness",
    "brightness_percent",
    "color",
    "color_mode",
    "color_temp",
    "color_temp_kelvin",
    "effect",
];

/// Reads an already-parsed JSON object, because the directory parses once and also keeps the
/// object to rewrite it for seed lamps.
pub fn read_object(obj: &Map<String, Value>, opts: &ReadOptions) -> StateUpdate {
    let mut u = StateUpdate {
        recognized: LAMP_KEYS.iter().any(|k| obj.contains_key(*k)),
        ..StateUpdate::default()
    };
    read_on(obj, &mut u);
    read_brightness(obj, opts, &mut u);
    read_color(obj, opts, &mut u);
    match obj.get("effect") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => u.effect = Some(s.clone()),
        Some(other) => u.warnings.push(format!("invalid effect {other}")),
    }
    match obj.get("transition").map(number) {
        None | Some(Num::Null) => {}
        Some(Num::Ok(t)) if t >= 0.0 => u.transition = Some(t as f32),
        Some(_) => u.warnings.push("invalid transition".into()),
    }
    u
}

/// `state`: "ON"/"OFF" in any case, booleans (unambiguous); null = unknown (what was known is
/// forgotten, as Home Assistant does); a missing key keeps what was known. Never off by default.
fn read_on(obj: &Map<String, Value>, u: &mut StateUpdate) {
    match obj.get("state") {
        None => {}
        // Home Assistant's JSON schema: `"state": null` makes the light's state unknown.
        Some(Value::Null) => u.on_unknown = true,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("on") => u.on = Some(true),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("off") => u.on = Some(false),
        Some(Value::Bool(b)) => u.on = Some(*b),
        Some(other) => u.warnings.push(format!("invalid state {other}")),
    }
}

/// A JSON number, leniently: numeric strings are accepted because Zigbee2MQTT accepts them.
enum Num {
    Ok(f64),
    Null,
    Invalid,
}

fn number(v: &Value) -> Num {
    match v {
        Value::Null => Num::Null,
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map_or(Num::Invalid, Num::Ok),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or(Num::Invalid, Num::Ok),
        _ => Num::Invalid,
    }
}

/// `brightness` on the sender's scale (or `brightness_percent`). Zero while ON is ignored as
/// HA does (it would hide the level to restore); out-of-range values are clamped.
fn read_brightness(obj: &Map<String, Value>, opts: &ReadOptions, u: &mut StateUpdate) {
    let scale = f64::from(opts.brightness_scale.max(1));
    let (raw, full) = match obj.get("brightness") {
        Some(v) => (v, scale),
        None => match obj.get("brightness_percent") {
            Some(v) => (v, 100.0),
            None => return,
        },
    };
    let value = match number(raw) {
        Num::Null => return,
        Num::Invalid => {
            u.warnings.push(format!("invalid brightness {raw}"));
            return;
        }
        Num::Ok(v) => v,
    };
    if value == 0.0 && u.on == Some(true) {
        u.warnings
            .push("brightness 0 while on ignored (keeping the level)".into());
        return;
    }
    if !(0.0..=full).contains(&value) {
        u.warnings
            .push(format!("brightness {value} outside 0..={full}, clamped"));
    }
    u.brightness_pct = Some((value.clamp(0.0, full) / full * 100.0) as f32);
}

/// The colour representations a `color` value may carry; each is absent, invalid (with a
/// reason) or valid.
#[derive(Default)]
struct ColorFields {
    rgb: Option<Result<[f64; 3], String>>,
    cold_warm: Option<(f64, f64)>,
    white: bool,
    /// The white channel's value (`w`), for rgbw colours drawn with their white.
    white_value: Option<f64>,
    xy: Option<Result<(f64, f64), String>>,
    hs: Option<Result<(f64, f64), String>>,
}

/// Reads a pair/triple of numbers from an object, distinguishing absent from invalid.
fn fields<const N: usize>(
    obj: &Map<String, Value>,
    keys: [&str; N],
) -> Option<Result<[f64; N], String>> {
    if !keys
        .iter()
        .any(|k| obj.get(*k).is_some_and(|v| !v.is_null()))
    {
        return None;
    }
    let mut out = [0.0; N];
    for (slot, key) in out.iter_mut().zip(keys) {
        match obj.get(key).map(number) {
            Some(Num::Ok(v)) => *slot = v,
            Some(Num::Invalid) => return Some(Err(format!("invalid colour value {key}"))),
            _ => return Some(Err(format!("incomplete colour: no {key}"))),
        }
    }
    Some(Ok(out))
}

/// Parses `"a,b,c"` into numbers, for Zigbee2MQTT's `rgb`/`hsb`/`hsv` strings and CSV colours.
fn csv<const N: usize>(text: &str) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    let mut parts = text.split(',');
    for slot in out.iter_mut() {
        *slot = parts
            .next()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())?;
    }
    parts.next().is_none().then_some(out)
}

fn rgb_of(c: Rgb) -> [f64; 3] {
    [f64::from(c.r), f64::from(c.g), f64::from(c.b)]
}

/// Collects every representation present in `color`, in whichever dialect it came.
fn color_fields(value: &Value) -> Result<ColorFields, String> {
    let mut f = ColorFields::default();
    match value {
        Value::Object(o) => {
            if o.contains_key("l") || o.contains_key("hsl") {
                return Err("HSL colours are not supported".into());
            }
            f.rgb = fields(o, ["r", "g", "b"]);
            if f.rgb.is_none() {
                if let Some(Value::String(s)) = o.get("rgb") {
                    f.rgb = Some(
                        csv::<3>(s).ok_or_else(|| format!("invalid rgb \"{}\"", s.escape_debug())),
                    );
                } else if let Some(Value::String(s)) = o.get("hex") {
                    f.rgb = Some(
                        Rgb::from_hex(s)
                            .map(rgb_of)
                            .ok_or_else(|| format!("invalid hex \"{}\"", s.escape_debug())),
                    );
                }
            }
            if let (Some(Num::Ok(c)), Some(Num::Ok(w))) =
                (o.get("c").map(number), o.get("w").map(number))
            {
                f.cold_warm = Some((c, w));
            }
            f.white = o.get("w").is_some();
            if let Some(Num::Ok(w)) = o.get("w").map(number) {
                f.white_value = Some(w);
            }
            f.xy = fields(o, ["x", "y"]).map(|r| r.map(|[x, y]| (x, y)));
            f.hs = fields(o, ["h", "s"])
                .or_else(|| fields(o, ["hue", "saturation"]))
                .map(|r| r.map(|[h, s]| (h, s)));
            if f.hs.is_none() {
                if let Some(Value::String(s)) = o.get("hsb").or_else(|| o.get("hsv")) {
                    f.hs = Some(
                        csv::<3>(s)
                            .map(|[h, s, _]| (h, s))
                            .ok_or_else(|| format!("invalid hsb \"{}\"", s.escape_debug())),
                    );
                }
            }
        }
        Value::String(s) => {
            let c = Rgb::from_hex(s).map(rgb_of).or_else(|| csv::<3>(s));
            f.rgb = Some(c.ok_or_else(|| format!("invalid colour \"{}\"", s.escape_debug())));
        }
        Value::Array(items) => {
            let nums: Vec<f64> = items
                .iter()
                .filter_map(|v| match number(v) {
                    Num::Ok(n) => Some(n),
                    _ => None,
                })
                .collect();
            f.rgb = Some(match nums[..] {
                [r, g, b] if items.len() == 3 => Ok([r, g, b]),
                _ => Err("colour array is not [r, g, b]".into()),
            });
        }
        Value::Null => {}
        other => return Err(format!("invalid colour {other}")),
    }
    Ok(f)
}

/// Clamps RGB channels into 0..=255 (warning when it had to), because negative or huge
/// channels come from buggy firmware and must still paint something.
fn clamp_rgb(v: [f64; 3], u: &mut StateUpdate) -> Rgb {
    if v.iter().any(|c| !(0.0..=255.0).contains(c)) {
        u.warnings.push(format!(
            "colour [{}, {}, {}] outside 0..=255, clamped",
            v[0], v[1], v[2]
        ));
    }
    let ch = |c: f64| c.round().clamp(0.0, 255.0) as u8;
    Rgb::new(ch(v[0]), ch(v[1]), ch(v[2]))
}

/// Reads `color_temp` (or `color_temp_kelvin`) into mireds, flagging values outside any
/// sane range and accepting kelvin sent without discovery saying so.
fn color_temp(
    obj: &Map<String, Value>,
    opts: &ReadOptions,
    u: &mut StateUpdate,
) -> Option<Result<u16, ()>> {
    let (raw, kelvin) = match (obj.get("color_temp"), obj.get("color_temp_kelvin")) {
        (Some(v), _) if !v.is_null() => (v, opts.color_temp_kelvin),
        (_, Some(v)) if !v.is_null() => (v, true),
        _ => return None,
    };
    let value = match number(raw) {
        Num::Ok(v) => v,
        _ => {
            u.warnings.push(format!("invalid color_temp {raw}"));
            return Some(Err(()));
        }
    };
    let mireds = if kelvin && KELVIN_SANE.contains(&value) {
        (1_000_000.0 / value).floor()
    } else if !kelvin && MIREDS_SANE.contains(&value) {
        value.round()
    } else if !kelvin && KELVIN_SANE.contains(&value) {
        u.warnings.push(format!(
            "color_temp {value} looks like kelvin, read as kelvin"
        ));
        (1_000_000.0 / value).floor()
    } else {
        u.warnings.push(format!(
            "color_temp {value} outside any sane range, ignored"
        ));
        return Some(Err(()));
    };
    Some(Ok(mireds as u16))
}

/// Picks the colour: the announced `color_mode` wins and selects its own representation
/// (stale hs/xy next to `color_temp` are ignored); without a mode, explicit RGB beats xy beats
/// hs beats colour temperature. A missing or invalid value keeps the previous colour.
fn read_color(obj: &Map<String, Value>, opts: &ReadOptions, u: &mut StateUpdate) {
    let mode = match obj.get("color_mode") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => None,
        Some(Value::String(s)) => {
            let m = ColorMode::from_name(s);
            if m.is_none() {
                u.warnings.push(format!(
                    "invalid color mode \"{}\" ignored",
                    s.escape_debug()
                ));
            }
            m
        }
        Some(Value::Number(n)) => {
            let m = n.as_i64().and_then(ColorMode::from_zcl);
            if m.is_none() {
                u.warnings.push(format!("invalid color mode {n} ignored"));
            }
            m
        }
        Some(other) => {
            u.warnings
                .push(format!("invalid color mode {other} ignored"));
            None
        }
    };
    let fields = match obj.get("color").map(color_fields) {
        None => ColorFields::default(),
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            u.warnings.push(e);
            ColorFields::default()
        }
    };
    let color_present = obj.get("color").is_some_and(|v| !v.is_null());
    let ct = color_temp(obj, opts, u);
    if let Some(mode) = mode {
        u.color_mode = Some(mode);
        match mode {
            ColorMode::ColorTemp => {
                if let Some(Ok(m)) = ct {
                    u.color_temp_mireds = Some(m);
                    u.rgb = Some(color::mireds_to_rgb(f64::from(m)));
                }
            }
            ColorMode::Hs => match fields.hs {
                Some(Ok((h, s))) => u.rgb = Some(color::hs_to_rgb(h, s)),
                ref other => warn_missing(u, "h/s", other, color_present),
            },
            ColorMode::Xy => match fields.xy {
                Some(Ok((x, y))) => u.rgb = Some(color::xy_to_rgb(x, y)),
                ref other => warn_missing(u, "x/y", other, color_present),
            },
            ColorMode::Rgb | ColorMode::Rgbw | ColorMode::Rgbww => match fields.rgb {
                Some(Ok(v)) => {
                    let raw = clamp_rgb(v, u);
                    u.rgb = Some(match (mode, fields.cold_warm) {
                        (ColorMode::Rgbww, Some((c, w))) => color::rgbww_to_rgb(
                            rgb_of(raw),
                            c,
                            w,
                            opts.mireds_range.0,
                            opts.mireds_range.1,
                        ),
                        (ColorMode::Rgbw, _) => match fields.white_value {
                            Some(w) => color::rgbw_to_rgb(rgb_of(raw), w),
                            None => raw,
                        },
                        _ => raw,
                    });
                }
                ref other => warn_missing(u, "r/g/b", other, color_present),
            },
            ColorMode::White => u.rgb = Some(Rgb::new(255, 255, 255)),
            ColorMode::OnOff | ColorMode::Brightness => {}
        }
        return;
    }
    // No announced mode: infer from the richest valid representation.
    if let Some(Ok(v)) = fields.rgb {
        u.rgb = Some(clamp_rgb(v, u));
        u.color_mode = Some(match (fields.cold_warm, fields.white) {
            (Some(_), _) => ColorMode::Rgbww,
            (None, true) => ColorMode::Rgbw,
            _ => ColorMode::Rgb,
        });
    } else if let Some(Ok((x, y))) = fields.xy {
        u.rgb = Some(color::xy_to_rgb(x, y));
        u.color_mode = Some(ColorMode::Xy);
    } else if let Some(Ok((h, s))) = fields.hs {
        u.rgb = Some(color::hs_to_rgb(h, s));
        u.color_mode = Some(ColorMode::Hs);
    } else if let Some(Ok(m)) = ct {
        u.color_temp_mireds = Some(m);
        u.rgb = Some(color::mireds_to_rgb(f64::from(m)));
        u.color_mode = Some(ColorMode::ColorTemp);
    } else {
        let errors = [
            fields.rgb.and_then(Result::err),
            fields.xy.and_then(Result::err),
            fields.hs.and_then(Result::err),
        ];
        u.warnings.extend(errors.into_iter().flatten());
    }
}

/// Warns when the announced mode's values are invalid, or absent although a `color` object
/// was sent (a bare mode without any colour is normal for Zigbee2MQTT and stays silent).
fn warn_missing<T>(
    u: &mut StateUpdate,
    what: &str,
    r: &Option<Result<T, String>>,
    color_present: bool,
) {
    match r {
        Some(Err(e)) => u.warnings.push(e.clone()),
        None if color_present => u
            .warnings
            .push(format!("incomplete colour: no {what} values")),
        _ => {}
    }
}
