//! The pure lamp model: lamp state <-> JSON for the seed's lamps, Home Assistant's JSON light
//! schema and Zigbee2MQTT, plus discovery and a directory the reactive store wraps.
//!
//! Pure on purpose: no web-sys, no leptos and no `crate::mqtt` (a lamp is a topic plus a
//! payload), so all of it is tested natively in milliseconds against real lamp messages.
//!
//! Entry point for the store: [`LampDirectory`] (`handle_message`, `command`,
//! `subscriptions`). The submodules are public so tests and the explorer can use the pieces.

pub mod availability;
pub mod color;
pub mod command;
pub mod deferred;
pub mod directory;
pub mod palette;
pub mod read;
pub mod state;
pub mod system;
pub mod systems;
pub mod templating;
pub mod topic_match;
pub mod wheel;

pub use color::Rgb;
pub use command::LampChange;
pub use directory::{DirectoryEvent, DirectorySettings, LampDirectory};
pub use read::{read_state, ReadError, ReadOptions};
pub use state::{ColorMode, LampState, StateUpdate};
pub use system::{Binding, BindingRef, Outgoing};
pub use systems::SourceKind;

use availability::AvailabilityState;

/// A lamp's stable identity: the seed lamp's topic, the HA discovery config topic, or the
/// Zigbee2MQTT state topic. Topics, because they are what survives a page reload and what a
/// user recognises in the explorer.
#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
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
    /// Room, when the system says (seed topic level, HA `suggested_area`).
    pub room: Option<String>,
    /// How the lamp is read and written, by its system.
    pub binding: BindingRef,
    /// What we believe the lamp is doing.
    pub state: LampState,
    /// What the card may offer: announced by the binding, or learned from messages.
    pub capabilities: Capabilities,
    /// Whether the lamp can be reached, from its availability topics (always true without).
    pub available: bool,
    /// The last unreadable payload, cleared by the next good one.
    pub unreadable: Option<Unreadable>,
    /// The merged JSON document of everything the lamp said, for bindings that write whole
    /// states back (seed lamps keep unknown keys intact) and for the explorer.
    document: serde_json::Map<String, serde_json::Value>,
    /// What each availability topic last said.
    availability: AvailabilityState,
    /// The precedence of the system that found it (lower wins a shared state topic).
    rank: u8,
}

impl Lamp {
    /// Which system it came from.
    pub fn source_kind(&self) -> SourceKind {
        self.binding.kind()
    }

    /// The merged JSON document of what the lamp said (empty for lamps that never sent JSON),
    /// for whole-state writes and the explorer.
    pub fn document(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.document
    }

    /// Whether any of the lamp's availability topics has spoken yet: an unavailable lamp that
    /// heard nothing is waiting for its first "online", one that heard is reported offline.
    pub fn availability_heard(&self) -> bool {
        self.availability.heard_any()
    }

    /// A lamp as its system found it, before any state.
    pub(crate) fn found(spec: system::LampSpec, rank: u8) -> Lamp {
        let capabilities = spec.binding.capabilities();
        let available =
            spec.binding.availability_topics().is_empty() || spec.binding.available_before_heard();
        Lamp {
            id: spec.id,
            name: spec.name,
            room: spec.room,
            binding: spec.binding,
            state: LampState::default(),
            capabilities,
            available,
            unreadable: None,
            document: serde_json::Map::new(),
            availability: AvailabilityState::default(),
            rank,
        }
    }
}
