//! What Lampboard believes about one lamp, and how a partial reading is merged into it.
//!
//! Lamps publish deltas (Zigbee2MQTT after a command, Shelly notifications, ESPHome without a
//! `state` key), so a reading is a [`StateUpdate`] holding only the fields the message really
//! said; merging keeps everything else. That is the single rule that stops "missing key" from
//! turning into "off" on the card.

use super::color::Rgb;

/// The colour modes of Home Assistant's JSON light schema (Zigbee2MQTT uses a subset), kept
/// as an enum so a stale representation can never win over the mode the lamp announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColorMode {
    /// Only on/off.
    OnOff,
    /// Dimmable white without colour control.
    Brightness,
    /// Tunable white, value in `color_temp`.
    ColorTemp,
    /// Hue/saturation colour.
    Hs,
    /// CIE 1931 xy colour.
    Xy,
    /// Plain RGB colour.
    Rgb,
    /// RGB plus a white channel.
    Rgbw,
    /// RGB plus cold and warm white channels.
    Rgbww,
    /// The white channel of an RGBW lamp.
    White,
}

impl ColorMode {
    /// Parses HA's lower-case names (ASCII case ignored, since the set has `"XY"`-style
    /// variants), returning `None` for unknown names so the caller can warn and keep the mode.
    pub fn from_name(name: &str) -> Option<ColorMode> {
        let all = [
            ColorMode::OnOff,
            ColorMode::Brightness,
            ColorMode::ColorTemp,
            ColorMode::Hs,
            ColorMode::Xy,
            ColorMode::Rgb,
            ColorMode::Rgbw,
            ColorMode::Rgbww,
            ColorMode::White,
        ];
        all.into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Old Zigbee2MQTT published the raw ZCL `colorMode` number (0 hs, 1 xy, 2 temperature);
    /// mapping it here keeps such lamps from being read as "unknown mode".
    pub fn from_zcl(n: i64) -> Option<ColorMode> {
        match n {
            0 => Some(ColorMode::Hs),
            1 => Some(ColorMode::Xy),
            2 => Some(ColorMode::ColorTemp),
            _ => None,
        }
    }

    /// HA's wire name, because commands and supported-mode lists use it.
    pub fn name(self) -> &'static str {
        match self {
            ColorMode::OnOff => "onoff",
            ColorMode::Brightness => "brightness",
            ColorMode::ColorTemp => "color_temp",
            ColorMode::Hs => "hs",
            ColorMode::Xy => "xy",
            ColorMode::Rgb => "rgb",
            ColorMode::Rgbw => "rgbw",
            ColorMode::Rgbww => "rgbww",
            ColorMode::White => "white",
        }
    }

    /// Whether the mode carries a hue, so the card knows whether to show the colour picker.
    pub fn is_color(self) -> bool {
        matches!(
            self,
            ColorMode::Hs | ColorMode::Xy | ColorMode::Rgb | ColorMode::Rgbw | ColorMode::Rgbww
        )
    }
}

/// The lamp as the dashboard shows it. Every field is optional because a lamp we only heard
/// "ON" from has no known colour, and "unknown" must be displayable rather than guessed.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LampState {
    /// On/off; `None` = never told.
    pub on: Option<bool>,
    /// Brightness in percent of the sender's scale (0.0..=100.0), kept as a float so that
    /// converting back to the sender's 0-254/0-255 scale does not drift.
    pub brightness_pct: Option<f32>,
    /// The colour mode the lamp announced (or that its payload implied).
    pub color_mode: Option<ColorMode>,
    /// The colour to paint at full brightness (chromaticity only).
    pub rgb: Option<Rgb>,
    /// Colour temperature in mireds, the unit HA and Zigbee2MQTT share.
    pub color_temp_mireds: Option<u16>,
    /// The running effect, as the lamp names it.
    pub effect: Option<String>,
}

impl LampState {
    /// Merges a reading: fields the message carried overwrite, the rest stay, so partial
    /// deltas and invalid values never erase what we knew. Returns whether anything changed,
    /// so the store can skip a re-render.
    pub fn apply(&mut self, update: &StateUpdate) -> bool {
        let before = self.clone();
        if let Some(on) = update.on {
            self.on = Some(on);
        } else if update.on_unknown {
            self.on = None;
        }
        if let Some(b) = update.brightness_pct {
            self.brightness_pct = Some(b);
        }
        if let Some(m) = update.color_mode {
            self.color_mode = Some(m);
        }
        if let Some(c) = update.rgb {
            self.rgb = Some(c);
        }
        if let Some(t) = update.color_temp_mireds {
            self.color_temp_mireds = Some(t);
        }
        if let Some(e) = &update.effect {
            self.effect = Some(e.clone());
        }
        *self != before
    }

    /// The colour the card should paint: none for plain dimmable/on-off modes (a stale colour
    /// there would lie), otherwise the last known colour.
    pub fn display_rgb(&self) -> Option<Rgb> {
        match self.color_mode {
            Some(ColorMode::OnOff) | Some(ColorMode::Brightness) => None,
            _ => self.rgb,
        }
    }
}

/// One message's worth of lamp state: only the fields it carried and could be read, plus the
/// warnings for the ones that could not, so the UI can say why a value did not move.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct StateUpdate {
    /// On/off, when the message said so.
    pub on: Option<bool>,
    /// The message said on/off is unknown (`"state": null`, the default schema's `None`):
    /// the card shows "unknown", never "off", and forgets what it knew.
    pub on_unknown: bool,
    /// Brightness in percent of the sender's scale.
    pub brightness_pct: Option<f32>,
    /// The colour mode announced or implied by the message.
    pub color_mode: Option<ColorMode>,
    /// The colour to paint, derived from the representation the mode selects.
    pub rgb: Option<Rgb>,
    /// Colour temperature in mireds (converted from kelvin when needed).
    pub color_temp_mireds: Option<u16>,
    /// Effect name.
    pub effect: Option<String>,
    /// Transition in seconds; read so a command echo can be understood, never stored.
    pub transition: Option<f32>,
    /// Whether the payload had any lamp key at all (even null or invalid), which is how a
    /// message on a lamp-ish topic qualifies as a lamp.
    pub recognized: bool,
    /// Human-readable reasons for values that were ignored or clamped.
    pub warnings: Vec<String>,
}
