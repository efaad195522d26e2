//! The colours one tap away in the lamp sheet: the fixed presets, the user's favourite
//! colours, which of them is the lamp's current colour, and the warm/neutral/cool white
//! presets. Pure, tested natively; the sheet (`ui/lamp_sheet.rs`) draws them and stores the
//! favourites in localStorage as [`Favourites::to_storage`] text.

use super::color::{mireds_to_kelvin, Rgb};

/// A named colour of the presets row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// What the swatch is called (its accessible name).
    pub name: &'static str,
    /// What a tap sends.
    pub color: Rgb,
}

const fn preset(name: &'static str, r: u8, g: u8, b: u8) -> Preset {
    Preset {
        name,
        color: Rgb { r, g, b },
    }
}

/// Colours chosen to look good on real RGB bulbs. Their swatches are painted from the
/// stylesheet (`.preset[data-preset="N"]`, no inline style under the CSP); the browser test
/// `every_preset_swatch_shows_the_colour_it_publishes` keeps the two in step.
pub const PRESETS: [Preset; 10] = [
    preset("Warm white", 255, 183, 107),
    preset("Daylight", 255, 244, 229),
    preset("Red", 255, 48, 48),
    preset("Orange", 255, 128, 0),
    preset("Yellow", 255, 214, 0),
    preset("Green", 40, 220, 90),
    preset("Turquoise", 0, 255, 255),
    preset("Blue", 40, 90, 255),
    preset("Purple", 160, 60, 255),
    preset("Pink", 255, 80, 180),
];

/// How far apart (largest channel difference) two colours may be and still be "the same" for
/// marking the current swatch: lamps answer through hs or xy and round on the way back (Red
/// 255/48/48 sent as xy comes back as 255/49/47), so exact equality would rarely mark
/// anything.
pub const SAME_COLOR_TOLERANCE: u8 = 10;

/// Whether two colours are the same as far as a swatch is concerned (see
/// [`SAME_COLOR_TOLERANCE`]).
pub fn same_color(a: Rgb, b: Rgb) -> bool {
    a.r.abs_diff(b.r) <= SAME_COLOR_TOLERANCE
        && a.g.abs_diff(b.g) <= SAME_COLOR_TOLERANCE
        && a.b.abs_diff(b.b) <= SAME_COLOR_TOLERANCE
}

/// Which of `swatches` is the lamp's `current` colour: the closest one within the
/// tolerance, None when the colour is unknown or none is close (then nothing is marked,
/// rather than a wrong one).
pub fn marked(current: Option<Rgb>, swatches: &[Rgb]) -> Option<usize> {
    let current = current?;
    let distance = |c: &Rgb| {
        let d = |a: u8, b: u8| u32::from(a.abs_diff(b));
        d(c.r, current.r) + d(c.g, current.g) + d(c.b, current.b)
    };
    swatches
        .iter()
        .enumerate()
        .filter(|(_, c)| same_color(**c, current))
        .min_by_key(|(_, c)| distance(c))
        .map(|(i, _)| i)
}

/// At most this many favourite colours: one row in the sheet.
pub const MAX_FAVOURITES: usize = 12;

/// The user's favourite colours, newest last, no two the same (by [`same_color`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Favourites {
    colors: Vec<Rgb>,
}

impl Favourites {
    /// The colours, oldest first.
    pub fn colors(&self) -> &[Rgb] {
        &self.colors
    }

    /// Whether `color` is already a favourite.
    pub fn contains(&self, color: Rgb) -> bool {
        self.colors.iter().any(|c| same_color(*c, color))
    }

    /// Adds `color` unless an equal one is there; when full, the oldest goes. Returns
    /// whether the list changed.
    pub fn add(&mut self, color: Rgb) -> bool {
        if self.contains(color) {
            return false;
        }
        if self.colors.len() >= MAX_FAVOURITES {
            self.colors.remove(0);
        }
        self.colors.push(color);
        true
    }

    /// Removes every favourite equal to `color`. Returns whether one was there.
    pub fn remove(&mut self, color: Rgb) -> bool {
        let before = self.colors.len();
        self.colors.retain(|c| !same_color(*c, color));
        self.colors.len() != before
    }

    /// The stored form: hex colours separated by commas ("ff3030,28dc5a").
    pub fn to_storage(&self) -> String {
        self.colors
            .iter()
            .map(|c| c.to_hex().trim_start_matches('#').to_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form; entries that are not colours are skipped (a hand-edited or
    /// damaged value loses only those), duplicates and overflow dropped as [`Self::add`] does.
    pub fn from_storage(text: &str) -> Self {
        let mut f = Favourites::default();
        for part in text.split(',') {
            let part = part.trim();
            if let Some(c) = Rgb::from_hex(part) {
                f.add(c);
            }
        }
        f
    }
}

/// A white of the colour-temperature presets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhitePreset {
    /// "Warm", "Neutral", "Cool".
    pub name: &'static str,
    /// Its temperature in kelvin.
    pub kelvin: u32,
}

/// Warm (2700 K, a classic bulb), neutral (4000 K) and cool (6500 K, daylight), the three
/// whites people ask for.
pub const WHITE_PRESETS: [WhitePreset; 3] = [
    WhitePreset {
        name: "Warm",
        kelvin: 2700,
    },
    WhitePreset {
        name: "Neutral",
        kelvin: 4000,
    },
    WhitePreset {
        name: "Cool",
        kelvin: 6500,
    },
];

/// The mireds a white preset sends to a lamp whose range is `range` (min, max mireds): the
/// preset's own, clamped into what the lamp can do (a lamp that stops at 2200 K gets its
/// warmest for "Warm" at 2000 K, not a refused value).
pub fn white_mireds(preset: WhitePreset, range: (u16, u16)) -> u16 {
    let (lo, hi) = (range.0.min(range.1), range.0.max(range.1));
    let m = (1_000_000 / preset.kelvin.max(1)).min(u32::from(u16::MAX)) as u16;
    m.clamp(lo, hi)
}

/// Which white preset the lamp is at: the one whose (clamped) mireds are within 5 % of the
/// lamp's, None when it is between presets or unknown.
pub fn marked_white(current: Option<u16>, range: (u16, u16)) -> Option<usize> {
    let current = f64::from(current?);
    WHITE_PRESETS
        .iter()
        .position(|p| (f64::from(white_mireds(*p, range)) - current).abs() <= current * 0.05)
}

/// The white's temperature in words for its output ("2702 K").
pub fn kelvin_text(mireds: u16) -> String {
    format!("{} K", mireds_to_kelvin(mireds))
}
