//! The lamp sheet's colour wheel as numbers: where a tap lands in hue and saturation, where
//! the wheel's handle sits for a colour, and what an arrow key does. Pure (no web-sys, no
//! leptos), so the geometry the user touches is tested natively; `ui/color_wheel.rs` only
//! measures the element and forwards events.
//!
//! The wheel is drawn by the stylesheet as a `conic-gradient` starting at the top and going
//! clockwise (red at 12 o'clock, yellow at 2, green at 4, ...) under a radial white-to-clear
//! gradient: hue is the angle clockwise from straight up, saturation the distance from the
//! centre (white in the middle, full colour at the rim). Screen coordinates: y grows down.

use super::color::{hs_to_rgb, rgb_to_hs, Rgb};

/// A point on the wheel: hue in degrees (0..360) and saturation in percent (0..=100).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hs {
    /// Degrees clockwise from red at the top, 0..360.
    pub hue: f64,
    /// Percent from the white centre to the rim, 0..=100.
    pub sat: f64,
}

/// Hue step of one arrow key press, in degrees: 72 steps round the wheel.
pub const HUE_STEP: f64 = 5.0;
/// Hue step with Shift or Page Up/Down, in degrees.
pub const HUE_BIG_STEP: f64 = 30.0;
/// Saturation step of one arrow key press, in percent.
pub const SAT_STEP: f64 = 5.0;
/// Saturation step with Shift, in percent.
pub const SAT_BIG_STEP: f64 = 20.0;

impl Hs {
    /// A wheel position, the hue wrapped into 0..360 and the saturation clamped to 0..=100,
    /// non-finite input read as 0, so nothing a browser reports can put the handle off the
    /// wheel.
    pub fn new(hue: f64, sat: f64) -> Self {
        let hue = if hue.is_finite() {
            hue.rem_euclid(360.0)
        } else {
            0.0
        };
        // rem_euclid may round up to exactly 360 for tiny negative inputs.
        let hue = if hue >= 360.0 { 0.0 } else { hue };
        let sat = if sat.is_finite() {
            sat.clamp(0.0, 100.0)
        } else {
            0.0
        };
        Hs { hue, sat }
    }

    /// The wheel position of a colour (its brightness is the separate slider's business).
    pub fn of(color: Rgb) -> Self {
        let (hue, sat) = rgb_to_hs(color);
        Hs::new(hue, sat)
    }

    /// The colour at this position at full value, what the lamp is sent.
    pub fn color(self) -> Rgb {
        hs_to_rgb(self.hue, self.sat)
    }
}

/// The position under a pointer at (`dx`, `dy`) from the wheel's centre (screen pixels, y
/// down) on a wheel of `radius` pixels. A point outside the rim counts as on the rim, so a
/// drag that overshoots keeps full saturation in the direction of the pointer; the exact
/// centre is white (hue 0).
pub fn hs_at(dx: f64, dy: f64, radius: f64) -> Hs {
    if !(dx.is_finite() && dy.is_finite() && radius.is_finite() && radius > 0.0) {
        return Hs::new(0.0, 0.0);
    }
    let distance = dx.hypot(dy);
    if distance == 0.0 {
        return Hs::new(0.0, 0.0);
    }
    // atan2(x, -y): 0 straight up, growing clockwise on a y-down screen.
    let hue = dx.atan2(-dy).to_degrees();
    let sat = (distance / radius).min(1.0) * 100.0;
    // Tenths: a pixel is about a degree on a phone's wheel, finer is noise.
    Hs::new(round_to(hue.rem_euclid(360.0), 1), round_to(sat, 1))
}

/// Where the handle for `hs` sits, from the centre of a wheel of `radius` pixels (y down):
/// the inverse of [`hs_at`].
pub fn handle_at(hs: Hs, radius: f64) -> (f64, f64) {
    let hs = Hs::new(hs.hue, hs.sat);
    let r = radius.max(0.0) * hs.sat / 100.0;
    let a = hs.hue.to_radians();
    (r * a.sin(), -r * a.cos())
}

/// What a key pressed on the focused wheel does, or None for keys it leaves alone (Tab must
/// still leave). Right/Left turn the hue clockwise/anticlockwise, Up/Down move toward the
/// rim/centre, Page Up/Down turn the hue a big step, Home goes to white (the centre), End to
/// full colour; `shift` makes the arrows' steps big.
pub fn key_step(hs: Hs, key: &str, shift: bool) -> Option<Hs> {
    let hue_step = if shift { HUE_BIG_STEP } else { HUE_STEP };
    let sat_step = if shift { SAT_BIG_STEP } else { SAT_STEP };
    let next = match key {
        "ArrowRight" => Hs::new(hs.hue + hue_step, hs.sat),
        "ArrowLeft" => Hs::new(hs.hue - hue_step, hs.sat),
        "ArrowUp" => Hs::new(hs.hue, hs.sat + sat_step),
        "ArrowDown" => Hs::new(hs.hue, hs.sat - sat_step),
        "PageUp" => Hs::new(hs.hue + HUE_BIG_STEP, hs.sat),
        "PageDown" => Hs::new(hs.hue - HUE_BIG_STEP, hs.sat),
        "Home" => Hs::new(hs.hue, 0.0),
        "End" => Hs::new(hs.hue, 100.0),
        _ => return None,
    };
    Some(next)
}

/// The hue's everyday name, for the wheel's spoken value ("Orange, 80 % saturation"), since
/// "hue 32°" means little to most people.
pub fn hue_name(hs: Hs) -> &'static str {
    if hs.sat < 12.0 {
        return "White";
    }
    match hs.hue {
        h if !(15.0..345.0).contains(&h) => "Red",
        h if h < 45.0 => "Orange",
        h if h < 70.0 => "Yellow",
        h if h < 160.0 => "Green",
        h if h < 200.0 => "Turquoise",
        h if h < 255.0 => "Blue",
        h if h < 290.0 => "Purple",
        _ => "Pink",
    }
}

/// The wheel's `aria-valuetext`: the colour's name, hue and saturation in words.
pub fn value_text(hs: Hs) -> String {
    format!(
        "{}, hue {:.0}°, saturation {:.0} %",
        hue_name(hs),
        hs.hue,
        hs.sat
    )
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}
