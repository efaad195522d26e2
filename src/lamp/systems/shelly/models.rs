//! What each Shelly Gen1 light model can do, from its id (`shellyrgbw2-11ABD9`) or the model
//! code its announce carries (`SHRGBW2`), so a card offers exactly the device's controls.
//!
//! Facts from Shelly's Gen1 API pages per device (RGBW2, Bulb, Bulb RGBW, Duo, Vintage,
//! Dimmer) and the effect numbers Home Assistant's `shelly` integration lists
//! (`const.py`: RGBW2's four effects, the bulbs' seven).

/// The Gen1 channel kinds that are lights: `color/N`, `white/N` and `light/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChannelKind {
    /// `color/N`: RGB(+W) with `gain`; bulbs also switch to `mode: white` here.
    Color,
    /// `white/N`: one dimmable white channel (RGBW2 in white mode, four of them).
    White,
    /// `light/N`: dimmable white (Duo and Vintage bulbs, Dimmer; Duo with `temp`).
    Light,
}

impl ChannelKind {
    /// The topic level (`color`, `white`, `light`).
    pub fn level(self) -> &'static str {
        match self {
            ChannelKind::Color => "color",
            ChannelKind::White => "white",
            ChannelKind::Light => "light",
        }
    }

    /// Parses a topic level.
    pub fn from_level(level: &str) -> Option<ChannelKind> {
        match level {
            "color" => Some(ChannelKind::Color),
            "white" => Some(ChannelKind::White),
            "light" => Some(ChannelKind::Light),
            _ => None,
        }
    }
}

/// A Gen1 light model Lampboard knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Shelly RGBW2 (`SHRGBW2`): `color/0` in colour mode, `white/0..3` in white mode.
    Rgbw2,
    /// Shelly Bulb / Bulb RGBW (`SHBLB-1`, `SHCB-1`): `color/0` with `mode` color or white.
    ColorBulb,
    /// Shelly Duo (`SHBDUO-1`): `light/0` with `brightness` and `temp`.
    Duo,
    /// Shelly Vintage (`SHVIN-1`) and Dimmer (`SHDM-1`, `SHDM-2`): `light/0`, brightness only.
    Dimmable,
}

/// RGBW2's effects by number (0 is "no effect").
const RGBW2_EFFECTS: [&str; 4] = ["Off", "Meteor Shower", "Gradual Change", "Flash"];
/// The colour bulbs' effects by number.
const BULB_EFFECTS: [&str; 7] = [
    "Off",
    "Meteor Shower",
    "Gradual Change",
    "Breath",
    "Flash",
    "On/Off Gradual",
    "Red/Green Change",
];

impl Model {
    /// The model from an announce's `model` (or older `type`) code.
    pub fn from_code(code: &str) -> Option<Model> {
        match code.trim().to_ascii_uppercase().as_str() {
            "SHRGBW2" => Some(Model::Rgbw2),
            "SHBLB-1" | "SHCB-1" => Some(Model::ColorBulb),
            "SHBDUO-1" => Some(Model::Duo),
            "SHVIN-1" | "SHDM-1" | "SHDM-2" => Some(Model::Dimmable),
            _ => None,
        }
    }

    /// The model from a device id's default prefix (`shellyrgbw2-<mac>`), for devices heard
    /// only through their status topics. `None` for custom ids.
    pub fn from_id(id: &str) -> Option<Model> {
        let id = id.to_ascii_lowercase();
        // Longest prefixes first: `shellybulbduo` also starts with `shellybulb`.
        if id.starts_with("shellybulbduo") {
            Some(Model::Duo)
        } else if id.starts_with("shellyrgbw2") {
            Some(Model::Rgbw2)
        } else if id.starts_with("shellycolorbulb") || id.starts_with("shellybulb") {
            Some(Model::ColorBulb)
        } else if id.starts_with("shellyvintage") || id.starts_with("shellydimmer") {
            Some(Model::Dimmable)
        } else {
            None
        }
    }

    /// A name for the lamp sheet.
    pub fn label(self) -> &'static str {
        match self {
            Model::Rgbw2 => "Shelly RGBW2",
            Model::ColorBulb => "Shelly Bulb RGBW",
            Model::Duo => "Shelly Duo",
            Model::Dimmable => "Shelly Vintage / Dimmer",
        }
    }

    /// The channels the model has in `mode` (the announce's `color`/`white`; RGBW2 only).
    pub fn channels(self, mode: Option<&str>) -> Vec<(ChannelKind, u8)> {
        match self {
            Model::Rgbw2 if mode == Some("white") => {
                (0..4).map(|n| (ChannelKind::White, n)).collect()
            }
            Model::Rgbw2 | Model::ColorBulb => vec![(ChannelKind::Color, 0)],
            Model::Duo | Model::Dimmable => vec![(ChannelKind::Light, 0)],
        }
    }
}

/// What one channel offers, and how its commands are worded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelFeatures {
    /// Takes `red`/`green`/`blue`.
    pub color: bool,
    /// The bulbs' `mode` key switches between colour and white (RGBW2's mode is a setting).
    pub modes: bool,
    /// Colour temperature range in kelvin (`temp`), when it has one.
    pub temp_k: Option<(u16, u16)>,
    /// Effect names by number.
    pub effects: Vec<String>,
}

impl ChannelFeatures {
    /// The features of `kind` on `model`; an unknown model gets what the channel kind always
    /// has (colour on `color/N`, brightness everywhere) plus a temperature if its status
    /// showed a `temp` key.
    pub fn of(model: Option<Model>, kind: ChannelKind, has_temp_key: bool) -> ChannelFeatures {
        let list = |l: &[&str]| l.iter().map(|e| (*e).to_string()).collect();
        match (model, kind) {
            (Some(Model::Rgbw2), ChannelKind::Color) => ChannelFeatures {
                color: true,
                modes: false,
                temp_k: None,
                effects: list(&RGBW2_EFFECTS),
            },
            (Some(Model::ColorBulb), ChannelKind::Color) => ChannelFeatures {
                color: true,
                modes: true,
                temp_k: Some((3000, 6500)),
                effects: list(&BULB_EFFECTS),
            },
            (Some(Model::Duo), ChannelKind::Light) => ChannelFeatures {
                color: false,
                modes: false,
                temp_k: Some((2700, 6500)),
                effects: Vec::new(),
            },
            (_, kind) => ChannelFeatures {
                color: kind == ChannelKind::Color,
                modes: false,
                temp_k: has_temp_key.then_some((3000, 6500)),
                effects: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_from_ids_and_codes() {
        assert_eq!(Model::from_id("shellyrgbw2-11ABD9"), Some(Model::Rgbw2));
        assert_eq!(Model::from_id("ShellyBulbDuo-1A2B3C"), Some(Model::Duo));
        assert_eq!(Model::from_id("shellybulb-AB12"), Some(Model::ColorBulb));
        assert_eq!(
            Model::from_id("ShellyVintage-1E121D"),
            Some(Model::Dimmable)
        );
        assert_eq!(Model::from_id("kitchen"), None);
        assert_eq!(Model::from_code("SHCB-1"), Some(Model::ColorBulb));
        assert_eq!(Model::Rgbw2.channels(Some("white")).len(), 4);
        assert_eq!(
            Model::Rgbw2.channels(Some("color")),
            [(ChannelKind::Color, 0)]
        );
    }
}
