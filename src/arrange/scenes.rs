//! Scenes: named lists of (lamp, target state). Saving one captures what the lamps show;
//! recalling one turns each target into [`LampChange`]s, which the store hands to each lamp's
//! own binding, so every lamp gets its command in its own system's format. Pure.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::lamp::{Capabilities, ColorMode, LampChange, LampId, LampState, Rgb};

/// What one lamp should be doing in a scene.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Target {
    /// On or off.
    pub on: bool,
    /// Brightness in percent, for a dimmable lamp that is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brightness: Option<u8>,
    /// Colour as `[r, g, b]`, for a colour lamp in a colour mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<[u8; 3]>,
    /// Colour temperature in mireds, for a white lamp in colour-temperature mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color_temp: Option<u16>,
}

/// How far a recalled brightness may be from the target and still count as reached: the
/// lamp's scale (0-254, 0-255) rounds a percent by up to one step each way.
const BRIGHTNESS_SLACK: f32 = 1.5;
/// The same for colour channels: hs and xy lamps round-trip a colour with some drift.
const COLOR_SLACK: i16 = 24;
/// The same for colour temperature in mireds (kelvin lamps round-trip with drift).
const MIREDS_SLACK: i32 = 3;

impl Target {
    /// What a lamp shows now, as a target; None when its on/off is unknown (a scene must not
    /// guess). Only what the lamp can do is kept, and the colour by the mode it is in.
    pub fn capture(state: &LampState, caps: &Capabilities) -> Option<Target> {
        let on = state.on?;
        let mut t = Target {
            on,
            ..Target::default()
        };
        if !on {
            return Some(t);
        }
        if caps.brightness {
            t.brightness = state
                .brightness_pct
                .map(|b| b.round().clamp(1.0, 100.0) as u8);
        }
        let in_temp_mode = state.color_mode == Some(ColorMode::ColorTemp);
        let temp = state.color_temp_mireds.filter(|_| caps.color_temp);
        let color = state.rgb.filter(|_| caps.color).map(|c| [c.r, c.g, c.b]);
        match (in_temp_mode, temp, color) {
            (true, Some(m), _) => t.color_temp = Some(m),
            (_, _, Some(c)) => t.color = Some(c),
            (_, Some(m), None) => t.color_temp = Some(m),
            _ => {}
        }
        Some(t)
    }

    /// The changes that bring a lamp to this target, in the order a person would make them:
    /// on (or off, and nothing else), then brightness, then colour or temperature.
    pub fn changes(&self) -> Vec<LampChange> {
        if !self.on {
            return vec![LampChange::On(false)];
        }
        let mut out = vec![LampChange::On(true)];
        if let Some(b) = self.brightness {
            out.push(LampChange::Brightness(b.clamp(1, 100)));
        }
        if let Some([r, g, b]) = self.color {
            out.push(LampChange::Color(Rgb { r, g, b }));
        } else if let Some(m) = self.color_temp {
            out.push(LampChange::ColorTemp(m));
        }
        out
    }

    /// Whether a lamp's confirmed state is this target, within the rounding its system
    /// adds: what "confirmed" counts after a recall.
    pub fn reached_by(&self, state: &LampState) -> bool {
        if state.on != Some(self.on) {
            return false;
        }
        if !self.on {
            return true;
        }
        let brightness_ok = self.brightness.is_none_or(|b| {
            state
                .brightness_pct
                .is_some_and(|now| (now - f32::from(b)).abs() <= BRIGHTNESS_SLACK)
        });
        let color_ok = self.color.is_none_or(|[r, g, b]| {
            state.rgb.is_some_and(|c| {
                [(c.r, r), (c.g, g), (c.b, b)]
                    .iter()
                    .all(|(x, y)| (i16::from(*x) - i16::from(*y)).abs() <= COLOR_SLACK)
            })
        });
        let temp_ok = self.color_temp.is_none_or(|m| {
            state
                .color_temp_mireds
                .is_some_and(|now| (i32::from(now) - i32::from(m)).abs() <= MIREDS_SLACK)
        });
        brightness_ok && color_ok && temp_ok
    }

    /// A few words for the scene editor ("on, 60 %", "off").
    pub fn describe(&self) -> String {
        if !self.on {
            return "off".to_owned();
        }
        let mut parts = vec!["on".to_owned()];
        if let Some(b) = self.brightness {
            parts.push(format!("{b} %"));
        }
        if let Some([r, g, b]) = self.color {
            parts.push(format!("#{r:02x}{g:02x}{b:02x}"));
        } else if let Some(m) = self.color_temp {
            parts.push(format!("{} K", 1_000_000 / u32::from(m.max(1))));
        }
        parts.join(", ")
    }
}

/// One lamp of a scene.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SceneItem {
    /// Which lamp.
    pub lamp: LampId,
    /// What it should do.
    pub target: Target,
}

/// A named scene.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Scene {
    /// Identity (the key it is stored under).
    #[serde(skip)]
    pub id: String,
    /// Its name on the button.
    pub name: String,
    /// Its lamps, each once.
    pub items: Vec<SceneItem>,
    /// Deleted: kept as a stamped tombstone for merges.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Wall-clock ms of the last change.
    pub updated_at: f64,
    /// Fields a newer Lampboard wrote.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Captures lamps as scene items: those whose on/off is known, each once, in the order
/// given. Lamps left out (unknown state) are returned too, so the form can name them.
pub fn capture<'a>(
    lamps: impl IntoIterator<Item = (&'a LampId, &'a LampState, &'a Capabilities)>,
) -> (Vec<SceneItem>, Vec<LampId>) {
    let mut items: Vec<SceneItem> = Vec::new();
    let mut unknown = Vec::new();
    for (id, state, caps) in lamps {
        if items.iter().any(|i| &i.lamp == id) {
            continue;
        }
        match Target::capture(state, caps) {
            Some(target) => items.push(SceneItem {
                lamp: id.clone(),
                target,
            }),
            None => unknown.push(id.clone()),
        }
    }
    (items, unknown)
}

/// How many of a scene's lamps have reached their target, of how many: `state` gives a
/// lamp's confirmed state (None for a lamp no longer known, which counts as not reached).
pub fn progress<'a>(
    scene: &Scene,
    state: impl Fn(&LampId) -> Option<&'a LampState>,
) -> (usize, usize) {
    let reached = scene
        .items
        .iter()
        .filter(|i| state(&i.lamp).is_some_and(|s| i.target.reached_by(s)))
        .count();
    (reached, scene.items.len())
}
