//! Colour conversions: hue/saturation, CIE xy and colour temperature to a displayable sRGB.
//!
//! The formulas are Home Assistant's own (`homeassistant/util/color.py`): lamps, Zigbee2MQTT
//! and HA users compare what Lampboard paints with what HA paints, so matching HA's numbers
//! (and its quirks, such as the gamut-less "Wide RGB D65" matrix) avoids "why is my lamp a
//! different orange here" reports. Every function is total: out-of-range inputs are clamped.

/// A displayable 8-bit sRGB colour, kept separate from brightness so a dim lamp still shows
/// its hue (the card applies brightness itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Rgb {
    /// Red channel.
    pub r: u8,
    /// Green channel.
    pub g: u8,
    /// Blue channel.
    pub b: u8,
}

impl Rgb {
    /// Builds a colour in one expression, because struct literals are noisy in tests and UI code.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Rgb { r, g, b }
    }

    /// `#RRGGBB`, because that is what CSS and `<input type=color>` speak.
    pub fn to_hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.r, self.g, self.b)
    }

    /// Parses `#RRGGBB` or `RRGGBB` (any case), because colour pickers hand us hex and some
    /// lamps (milight hub, Zigbee2MQTT `hex`) publish it.
    pub fn from_hex(text: &str) -> Option<Rgb> {
        let t = text.trim();
        let t = t.strip_prefix('#').unwrap_or(t);
        if t.len() != 6 || !t.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&t[i..i + 2], 16).ok();
        Some(Rgb::new(byte(0)?, byte(2)?, byte(4)?))
    }
}

/// Clamps and rounds a float channel, because every conversion ends in 0..=255 and NaN must
/// never reach a `u8` cast silently.
fn channel(v: f64) -> u8 {
    if v.is_nan() {
        return 0;
    }
    v.round().clamp(0.0, 255.0) as u8
}

/// Hue (degrees) and saturation (percent) to RGB at full value, as HA's `color_hs_to_RGB`
/// (HSV with V = 100 %), rounded: brightness is shown separately on the card.
pub fn hs_to_rgb(hue: f64, saturation: f64) -> Rgb {
    let h = if hue.is_finite() {
        hue.rem_euclid(360.0)
    } else {
        0.0
    };
    let s = if saturation.is_finite() {
        (saturation / 100.0).clamp(0.0, 1.0)
    } else {
        0.0
    };
    // colorsys.hsv_to_rgb with v = 1
    let h6 = h / 60.0;
    let sector = h6.floor();
    let f = h6 - sector;
    let p = 1.0 - s;
    let q = 1.0 - s * f;
    let t = 1.0 - s * (1.0 - f);
    let (r, g, b) = match sector as i64 % 6 {
        0 => (1.0, t, p),
        1 => (q, 1.0, p),
        2 => (p, 1.0, t),
        3 => (p, q, 1.0),
        4 => (t, p, 1.0),
        _ => (1.0, p, q),
    };
    Rgb::new(channel(r * 255.0), channel(g * 255.0), channel(b * 255.0))
}

/// CIE 1931 xy to RGB at full brightness, as HA's `color_xy_brightness_to_RGB(x, y, 255)`
/// without a lamp gamut ("Wide RGB D65" matrix, sRGB gamma, scaled so the largest channel is
/// 1, truncated like HA's `int()`), so xy lamps look the same here as in HA.
pub fn xy_to_rgb(x: f64, y: f64) -> Rgb {
    let x = if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut y = if y.is_finite() {
        y.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if y == 0.0 {
        y = 1e-11;
    }
    let big_y = 1.0;
    let big_x = (big_y / y) * x;
    let big_z = (big_y / y) * (1.0 - x - y);
    let r = big_x * 1.656492 - big_y * 0.354851 - big_z * 0.255038;
    let g = -big_x * 0.707196 + big_y * 1.655397 + big_z * 0.036152;
    let b = big_x * 0.051713 - big_y * 0.121364 + big_z * 1.011530;
    let gamma = |c: f64| {
        if c <= 0.0031308 {
            12.92 * c
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        }
    };
    let (r, g, b) = (gamma(r).max(0.0), gamma(g).max(0.0), gamma(b).max(0.0));
    let max = r.max(g).max(b);
    let (r, g, b) = if max > 1.0 {
        (r / max, g / max, b / max)
    } else {
        (r, g, b)
    };
    let trunc = |c: f64| (c * 255.0).floor().clamp(0.0, 255.0) as u8;
    Rgb::new(trunc(r), trunc(g), trunc(b))
}

/// Colour temperature in kelvin to RGB with Tanner Helland's fit, as HA's
/// `color_temperature_to_rgb` (input clamped to 1000..=40000 K), rounded: a lamp in white mode
/// still needs a colour to paint.
pub fn kelvin_to_rgb(kelvin: f64) -> Rgb {
    let k = if kelvin.is_finite() {
        kelvin.clamp(1000.0, 40000.0)
    } else {
        6500.0
    };
    let t = k / 100.0;
    let red = if t <= 66.0 {
        255.0
    } else {
        329.698727446 * (t - 60.0).powf(-0.1332047592)
    };
    let green = if t <= 66.0 {
        99.4708025861 * t.ln() - 161.1195681661
    } else {
        288.1221695283 * (t - 60.0).powf(-0.0755148492)
    };
    let blue = if t >= 66.0 {
        255.0
    } else if t <= 19.0 {
        0.0
    } else {
        138.5177312231 * (t - 10.0).ln() - 305.0447927307
    };
    Rgb::new(channel(red), channel(green), channel(blue))
}

/// Mireds to RGB through [`kelvin_to_rgb`]`(1e6 / mireds)`, because HA JSON and Zigbee2MQTT
/// speak mireds while the fit is in kelvin.
pub fn mireds_to_rgb(mireds: f64) -> Rgb {
    if !(mireds.is_finite() && mireds > 0.0) {
        return kelvin_to_rgb(40000.0);
    }
    kelvin_to_rgb(1_000_000.0 / mireds)
}

/// Mireds to kelvin, floored like HA's `color_temperature_mired_to_kelvin`, so a round trip
/// through a `color_temp_kelvin` lamp gives HA's numbers.
pub fn mireds_to_kelvin(mireds: u16) -> u32 {
    1_000_000 / u32::from(mireds.max(1))
}

/// Kelvin to mireds, floored like HA's `color_temperature_kelvin_to_mired`.
pub fn kelvin_to_mireds(kelvin: u32) -> u16 {
    (1_000_000 / kelvin.max(16)).min(u32::from(u16::MAX)) as u16
}

/// RGB plus cold and warm white channels to one displayable RGB, as HA's `color_rgbww_to_rgb`:
/// the white channels are mixed in at the colour temperature their ratio implies within the
/// lamp's range, then scaled back to the input's maximum so nothing overflows.
pub fn rgbww_to_rgb(rgb: [f64; 3], cold: f64, warm: f64, min_mireds: u16, max_mireds: u16) -> Rgb {
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(0.0, 255.0)
        } else {
            0.0
        }
    };
    let [r, g, b] = rgb.map(clamp);
    let (cw, ww) = (clamp(cold), clamp(warm));
    // HA derives the mired range from kelvin limits floored both ways; min/max mireds here.
    let min_m = f64::from(min_mireds.min(max_mireds).max(1));
    let max_m = f64::from(max_mireds.max(min_mireds).max(1));
    let ratio = if cw + ww == 0.0 { 0.5 } else { ww / (cw + ww) };
    let mired = min_m + ratio * (max_m - min_m);
    let white = kelvin_to_rgb((1_000_000.0 / mired).floor());
    let level = cw.max(ww) / 255.0;
    let out = [
        r + f64::from(white.r) * level,
        g + f64::from(white.g) * level,
        b + f64::from(white.b) * level,
    ];
    let max_in = r.max(g).max(b).max(cw).max(ww);
    let max_out = out[0].max(out[1]).max(out[2]);
    let factor = if max_out == 0.0 {
        0.0
    } else {
        max_in / max_out
    };
    Rgb::new(
        channel(out[0] * factor),
        channel(out[1] * factor),
        channel(out[2] * factor),
    )
}

/// RGB to (hue degrees, saturation percent), as HA's `color_RGB_to_hs`, because a lamp that
/// only accepts `hs` still gets its colour from an RGB picker.
pub fn rgb_to_hs(c: Rgb) -> (f64, f64) {
    let (r, g, b) = (
        f64::from(c.r) / 255.0,
        f64::from(c.g) / 255.0,
        f64::from(c.b) / 255.0,
    );
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    if max == min || max == 0.0 {
        return (0.0, 0.0);
    }
    let d = max - min;
    let s = d / max;
    let rc = (max - r) / d;
    let gc = (max - g) / d;
    let bc = (max - b) / d;
    let h = if r == max {
        bc - gc
    } else if g == max {
        2.0 + rc - bc
    } else {
        4.0 + gc - rc
    };
    let h = (h / 6.0).rem_euclid(1.0);
    (round_to(h * 360.0, 3), round_to(s * 100.0, 3))
}

/// RGB to CIE xy, as HA's `color_RGB_to_xy` (gamut-less), because xy-only lamps need it.
/// Black has no chromaticity; HA answers (0, 0) and so do we.
pub fn rgb_to_xy(c: Rgb) -> (f64, f64) {
    if u16::from(c.r) + u16::from(c.g) + u16::from(c.b) == 0 {
        return (0.0, 0.0);
    }
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v > 0.04045 {
            ((v + 0.055) / 1.055).powf(2.4)
        } else {
            v / 12.92
        }
    };
    let (r, g, b) = (lin(c.r), lin(c.g), lin(c.b));
    let x = r * 0.664511 + g * 0.154324 + b * 0.162028;
    let y = r * 0.283881 + g * 0.668433 + b * 0.047685;
    let z = r * 0.000088 + g * 0.072310 + b * 0.986039;
    let sum = x + y + z;
    (round_to(x / sum, 3), round_to(y / sum, 3))
}

/// Rounds to a number of decimals, because HA rounds hs/xy before publishing and compact
/// commands read better without 17 digits.
fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// RGB plus a white channel to one displayable RGB, as HA's `color_rgbw_to_rgb`: the white
/// is added to every channel, then scaled back to the input's maximum so nothing overflows.
pub fn rgbw_to_rgb(rgb: [f64; 3], white: f64) -> Rgb {
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(0.0, 255.0)
        } else {
            0.0
        }
    };
    let [r, g, b] = rgb.map(clamp);
    let w = clamp(white);
    let out = [r + w, g + w, b + w];
    let max_in = r.max(g).max(b).max(w);
    let max_out = out[0].max(out[1]).max(out[2]);
    let factor = if max_out == 0.0 {
        0.0
    } else {
        max_in / max_out
    };
    Rgb::new(
        channel(out[0] * factor),
        channel(out[1] * factor),
        channel(out[2] * factor),
    )
}
