//! Colour representations and the few conversions a simulated lamp needs.
//!
//! Lamps answer in their own ecosystem's representation (Zigbee2MQTT in CIE xy, Home Assistant
//! JSON lamps in rgb) while commands may arrive in another one, so a lamp keeps the colour the
//! way it was given ([`Color`]) and converts only when it reports. Keeping the given
//! representation means an xy command is echoed with the same xy, as Zigbee2MQTT does, instead
//! of drifting through an rgb round trip.

use serde::Serialize;

/// An sRGB colour, 8 bits per channel, as lamps put it on the wire (`{"r":..,"g":..,"b":..}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Rgb {
    /// Shorthand for tables of colours.
    pub const fn new(r: u8, g: u8, b: u8) -> Rgb {
        Rgb { r, g, b }
    }

    /// Parses `#rrggbb` or `rrggbb` (Zigbee2MQTT accepts both as `color` / `color.hex`).
    pub fn from_hex(text: &str) -> Option<Rgb> {
        let hex = text.trim().trim_start_matches('#');
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb::new(channel(0)?, channel(2)?, channel(4)?))
    }
}

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// A colour as a command gave it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Color {
    /// `{"r","g","b"}`.
    Rgb(Rgb),
    /// CIE 1931 chromaticity, `{"x","y"}`.
    Xy {
        /// x in 0..=1.
        x: f64,
        /// y in 0..=1.
        y: f64,
    },
    /// Hue in degrees (0..360) and saturation in percent (0..=100).
    Hs {
        /// Hue, degrees.
        h: f64,
        /// Saturation, percent.
        s: f64,
    },
}

impl Color {
    /// The colour as sRGB at full brightness, for rgb lamps and for logs.
    pub fn to_rgb(self) -> Rgb {
        match self {
            Color::Rgb(c) => c,
            Color::Xy { x, y } => xy_to_rgb(x, y),
            Color::Hs { h, s } => hs_to_rgb(h, s),
        }
    }

    /// The colour as CIE xy rounded to 4 decimals, as Zigbee2MQTT reports it.
    pub fn to_xy(self) -> (f64, f64) {
        let (x, y) = match self {
            Color::Xy { x, y } => (x, y),
            other => rgb_to_xy(other.to_rgb()),
        };
        (round4(x), round4(y))
    }
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn linear(channel: u8) -> f64 {
    let c = f64::from(channel) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// sRGB to CIE xy with the "Wide RGB D65" matrix of Philips Hue's published conversion, which
/// Zigbee2MQTT uses for `{"color":{"r","g","b"}}` commands (white is x 0.3227, y 0.329). Black
/// has no chromaticity; it maps to that white so a lamp never reports NaN.
pub fn rgb_to_xy(c: Rgb) -> (f64, f64) {
    let (r, g, b) = (linear(c.r), linear(c.g), linear(c.b));
    let x = r * 0.664_511 + g * 0.154_324 + b * 0.162_028;
    let y = r * 0.283_881 + g * 0.668_433 + b * 0.047_685;
    let z = r * 0.000_088 + g * 0.072_310 + b * 0.986_039;
    let sum = x + y + z;
    if sum <= f64::EPSILON {
        return (0.3227, 0.3290);
    }
    (x / sum, y / sum)
}

/// CIE xy to sRGB at full brightness, Home Assistant's `color_xy_brightness_to_RGB` (the
/// inverse Wide RGB D65 matrix, reverse gamma, negatives to 0, scaled down when a channel
/// exceeds 1), so lampsim's logs paint what HA and Lampboard paint.
pub fn xy_to_rgb(x: f64, y: f64) -> Rgb {
    if !(x.is_finite() && y.is_finite()) || y <= 0.0 {
        return Rgb::new(255, 255, 255);
    }
    let big_y = 1.0;
    let big_x = big_y / y * x;
    let big_z = big_y / y * (1.0 - x - y);
    let r = big_x * 1.656_492 - big_y * 0.354_851 - big_z * 0.255_038;
    let g = -big_x * 0.707_196 + big_y * 1.655_397 + big_z * 0.036_152;
    let b = big_x * 0.051_713 - big_y * 0.121_364 + big_z * 1.011_530;
    let encode = |v: f64| {
        let v = if v <= 0.003_130_8 {
            12.92 * v
        } else {
            1.055 * v.powf(1.0 / 2.4) - 0.055
        };
        v.max(0.0)
    };
    let (r, g, b) = (encode(r), encode(g), encode(b));
    let max = r.max(g).max(b);
    let scale = if max > 1.0 { max } else { 1.0 };
    let byte = |v: f64| (v / scale * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb::new(byte(r), byte(g), byte(b))
}

/// Hue (degrees) and saturation (percent) to sRGB at full value, as HSV.
pub fn hs_to_rgb(h: f64, s: f64) -> Rgb {
    let h = if h.is_finite() {
        h.rem_euclid(360.0)
    } else {
        0.0
    };
    let s = if s.is_finite() {
        (s / 100.0).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let c = s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = 1.0 - c;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb::new(byte(r), byte(g), byte(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Rgb, b: Rgb, tol: i16) -> bool {
        (i16::from(a.r) - i16::from(b.r)).abs() <= tol
            && (i16::from(a.g) - i16::from(b.g)).abs() <= tol
            && (i16::from(a.b) - i16::from(b.b)).abs() <= tol
    }

    #[test]
    fn primaries_and_white_round_trip_through_xy() {
        for c in [
            Rgb::new(255, 0, 0),
            Rgb::new(0, 255, 0),
            Rgb::new(0, 0, 255),
            Rgb::new(255, 255, 255),
            Rgb::new(0, 255, 255),
            Rgb::new(255, 180, 107),
        ] {
            let (x, y) = rgb_to_xy(c);
            let back = xy_to_rgb(x, y);
            assert!(close(back, c, 2), "{c} -> ({x},{y}) -> {back}");
        }
        let (x, y) = rgb_to_xy(Rgb::new(255, 255, 255));
        assert!(
            (x - 0.3227).abs() < 0.001 && (y - 0.3290).abs() < 0.001,
            "{x},{y}"
        );
        let (x, y) = rgb_to_xy(Rgb::new(255, 0, 0));
        assert!(
            (x - 0.7006).abs() < 0.001 && (y - 0.2993).abs() < 0.001,
            "{x},{y}"
        );
    }

    #[test]
    fn black_and_nonsense_never_produce_nan() {
        let (x, y) = rgb_to_xy(Rgb::new(0, 0, 0));
        assert!(x.is_finite() && y.is_finite());
        assert_eq!(xy_to_rgb(0.3, 0.0), Rgb::new(255, 255, 255));
        assert_eq!(xy_to_rgb(f64::NAN, 0.3), Rgb::new(255, 255, 255));
        assert_eq!(hs_to_rgb(f64::NAN, f64::NAN), Rgb::new(255, 255, 255));
    }

    #[test]
    fn hue_saturation_follow_hsv() {
        assert_eq!(hs_to_rgb(0.0, 100.0), Rgb::new(255, 0, 0));
        assert_eq!(hs_to_rgb(120.0, 100.0), Rgb::new(0, 255, 0));
        assert_eq!(hs_to_rgb(240.0, 100.0), Rgb::new(0, 0, 255));
        assert_eq!(hs_to_rgb(180.0, 100.0), Rgb::new(0, 255, 255));
        assert_eq!(hs_to_rgb(-120.0, 100.0), Rgb::new(0, 0, 255));
        assert_eq!(hs_to_rgb(42.0, 0.0), Rgb::new(255, 255, 255));
    }

    #[test]
    fn hex_parses_with_or_without_hash() {
        assert_eq!(Rgb::from_hex("#0400FF"), Some(Rgb::new(4, 0, 255)));
        assert_eq!(Rgb::from_hex("ff8000"), Some(Rgb::new(255, 128, 0)));
        assert_eq!(Rgb::from_hex("#fff"), None);
        assert_eq!(Rgb::from_hex("#gg0000"), None);
        assert_eq!(Rgb::from_hex("#ééé"), None);
        assert_eq!(Rgb::new(0, 255, 255).to_string(), "#00ffff");
    }

    #[test]
    fn xy_is_kept_as_given() {
        let c = Color::Xy {
            x: 0.1355,
            y: 0.0399,
        };
        assert_eq!(c.to_xy(), (0.1355, 0.0399));
    }
}
