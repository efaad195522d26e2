//! The pure lamp model: lamp state <-> JSON for the seed's lamps, Home Assistant's JSON light
//! schema and Zigbee2MQTT, plus discovery and a directory the reactive store wraps.
//!
//! Pure on purpose: no web-sys, no leptos and no `crate::mqtt` (a lamp is a topic plus a
//! payload), so all of it is tested natively in milliseconds against real lamp messages.
//!
//! Entry point for the store: [`LampDirectory`] (`handle_message`, `command`,
//! `subscriptions`). The submodules are public so tests and the explorer can use the pieces.

pub mod color;
pub mod command;
pub mod directory;
pub mod discovery;
pub mod read;
pub mod state;

pub use color::Rgb;
pub use command::LampChange;
pub use directory::{DirectoryEvent, DirectorySettings, LampDirectory, Outgoing};
pub use read::{read_state, ReadError, ReadOptions};
pub use state::{ColorMode, LampState, StateUpdate};

use discovery::home_assistant::{HaLight, HaSchema};
use discovery::zigbee2mqtt::Z2mLight;

/// A lamp's stable identity: the seed lamp's topic, the HA discovery config topic, or the
/// Zigbee2MQTT state topic. Topics, because they are what survives a page reload and what a
/// user recognises in the explorer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LampId(pub String);

impl LampId {
    /// The id as text, for keys in the UI and storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LampId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a lamp came from, without the details: the card shows a badge and the settings page
/// groups by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A `smarthome/<room>/lamps/<name>` lamp (or any user filter): the topic is the state.
    Seed,
    /// Announced by Home Assistant MQTT discovery.
    HomeAssistant,
    /// Listed in Zigbee2MQTT's `bridge/devices`.
    Zigbee2Mqtt,
}

impl SourceKind {
    /// A short label for badges.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Seed => "MQTT",
            SourceKind::HomeAssistant => "Home Assistant",
            SourceKind::Zigbee2Mqtt => "Zigbee2MQTT",
        }
    }
}

/// Where a lamp came from, with what reading and writing need to know about it.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The topic carries the whole state; we write the whole state back, retained.
    Seed,
    /// HA discovery; commands go to its command topic.
    HomeAssistant(Box<HaLight>),
    /// Zigbee2MQTT; commands go to `<base>/<friendly_name>/set`.
    Zigbee2Mqtt {
        /// The base topic (default `zigbee2mqtt`).
        base: String,
        /// The device as listed by the bridge.
        light: Z2mLight,
    },
}

impl Source {
    /// The kind, for badges and grouping.
    pub fn kind(&self) -> SourceKind {
        match self {
            Source::Seed => SourceKind::Seed,
            Source::HomeAssistant(_) => SourceKind::HomeAssistant,
            Source::Zigbee2Mqtt { .. } => SourceKind::Zigbee2Mqtt,
        }
    }
}

/// What the card may offer, so it never shows a colour wheel for a plain dimmer.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Capabilities {
    /// Dimmable.
    pub brightness: bool,
    /// Takes a colour (rgb, hs or xy).
    pub color: bool,
    /// Takes a colour temperature.
    pub color_temp: bool,
    /// Supported colour temperature range in mireds (min, max), when announced.
    pub color_temp_range: Option<(u16, u16)>,
    /// Effect names offered.
    pub effects: Vec<String>,
}

impl Capabilities {
    /// Capabilities announced by discovery. HA default-schema lamps are on/off only (see
    /// [`HaLight`]).
    pub fn of(source: &Source) -> Capabilities {
        match source {
            Source::Seed => Capabilities::default(),
            Source::HomeAssistant(l) if l.schema == HaSchema::Default => Capabilities::default(),
            Source::HomeAssistant(l) => {
                let modes = &l.supported_color_modes;
                let color_temp = modes.contains(&ColorMode::ColorTemp);
                Capabilities {
                    brightness: modes.iter().any(|m| *m != ColorMode::OnOff),
                    color: modes.iter().any(|m| m.is_color()),
                    color_temp,
                    color_temp_range: if color_temp {
                        Some(l.mireds_range.unwrap_or((153, 500)))
                    } else {
                        None
                    },
                    effects: l.effects.clone(),
                }
            }
            Source::Zigbee2Mqtt { light, .. } => Capabilities {
                brightness: light.brightness_max.is_some(),
                color: light.color_xy || light.color_hs,
                color_temp: light.color_temp_range.is_some(),
                color_temp_range: light.color_temp_range,
                effects: light.effects.clone(),
            },
        }
    }
}

/// The last payload that could not be read, kept with its raw text so the card can show
/// what arrived while still displaying the last good state.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreadable {
    /// The payload as text (lossy UTF-8).
    pub raw: String,
    /// Why it was not understood.
    pub error: ReadError,
}

/// One lamp as the dashboard shows it. Last-updated time is not tracked here: the store adds
/// time, keeping this model clock-free and deterministic.
#[derive(Clone, Debug, PartialEq)]
pub struct Lamp {
    /// Stable identity.
    pub id: LampId,
    /// Display name.
    pub name: String,
    /// Room, when the source says (seed topic level, HA `suggested_area`).
    pub room: Option<String>,
    /// Origin and binding.
    pub source: Source,
    /// What we believe the lamp is doing.
    pub state: LampState,
    /// What the card may offer.
    pub capabilities: Capabilities,
    /// Availability from the lamp's availability topic; `None` = not announced or not heard.
    pub available: Option<bool>,
    /// The last unreadable payload, cleared by the next good one.
    pub unreadable: Option<Unreadable>,
    /// Seed lamps: the merged JSON document of everything the topic said, rewritten (with
    /// unknown keys intact) when the user changes something.
    document: serde_json::Map<String, serde_json::Value>,
}

impl Lamp {
    /// Which ecosystem it came from.
    pub fn source_kind(&self) -> SourceKind {
        self.source.kind()
    }

    /// The merged JSON document of a seed lamp (empty for others), for the explorer.
    pub fn document(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.document
    }
}
