//! The lamp systems Lampboard speaks, one module each behind the interface of
//! [`crate::lamp::system`]. This registry is the only place that names them all: it builds the
//! enabled ones from the settings, and [`code`] says where each one's code is (linked, or a
//! chunk the browser fetches on first need); nothing else in the app knows which systems exist.

pub mod code;
pub mod home_assistant;
pub mod pending;
pub mod seed;
pub mod shelly;
pub mod tasmota;
pub mod wled;
pub mod zigbee2mqtt;

use super::directory::DirectorySettings;
use super::system::{LampSystem, Outgoing};

/// Which system a lamp came from, without the details: the card shows a badge, rooms fall
/// back to it, and the settings page groups by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// A plain MQTT lamp under the user's filters (default `smarthome/+/lamps/#`).
    Seed,
    /// Announced by Home Assistant MQTT discovery.
    HomeAssistant,
    /// Listed in Zigbee2MQTT's `bridge/devices`.
    Zigbee2Mqtt,
    /// Tasmota's own discovery, or a Tasmota device topic listed in settings.
    Tasmota,
    /// A WLED device under the WLED topic filter.
    Wled,
    /// A Shelly Gen1 light channel (`shellies/<id>/...`).
    ShellyGen1,
    /// A Shelly Gen2+ light component (`<prefix>/status/rgb:0`, RPC commands).
    ShellyGen2,
}

impl SourceKind {
    /// A short label for badges.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Seed => "MQTT",
            SourceKind::HomeAssistant => "Home Assistant",
            SourceKind::Zigbee2Mqtt => "Zigbee2MQTT",
            SourceKind::Tasmota => "Tasmota",
            SourceKind::Wled => "WLED",
            // One label for both generations: their cards share the "Shelly" room.
            SourceKind::ShellyGen1 | SourceKind::ShellyGen2 => "Shelly",
        }
    }
}

/// What the page knows of a system before its code has loaded: whether the settings turn it
/// on, what it subscribes to, what its settings come to, and what it says on connect. Kept
/// here, in the first load, so a system's discovery reaches the page (and brings the code)
/// without the system being linked into it (`code`).
struct Entry {
    kind: SourceKind,
    enabled: fn(&DirectorySettings) -> bool,
    filters: fn(&DirectorySettings) -> Vec<String>,
    key: fn(&DirectorySettings) -> String,
    /// The code is wanted as soon as the system is on (devices listed by topic show without
    /// any discovery message to bring it).
    wanted: fn(&DirectorySettings) -> bool,
    hello: fn() -> Vec<Outgoing>,
}

/// Every system but the plain lamps (always linked), in the order they are offered each message.
const ENTRIES: &[Entry] = &[
    Entry {
        kind: SourceKind::HomeAssistant,
        enabled: |s| s.home_assistant,
        filters: |s| home_assistant::discovery_filters(&s.home_assistant_prefix),
        key: |s| s.home_assistant_prefix.clone(),
        wanted: |_| false,
        hello: Vec::new,
    },
    Entry {
        kind: SourceKind::Zigbee2Mqtt,
        enabled: |s| s.zigbee2mqtt,
        filters: |s| zigbee2mqtt::discovery_filters(&s.zigbee2mqtt_base),
        key: |s| s.zigbee2mqtt_base.clone(),
        wanted: |_| false,
        hello: Vec::new,
    },
    Entry {
        kind: SourceKind::Tasmota,
        enabled: |s| s.tasmota,
        filters: |s| tasmota::waiting_filters(&s.tasmota_topics),
        key: |s| tasmota::listed_topics(&s.tasmota_topics).join("\n"),
        wanted: |s| !tasmota::listed_topics(&s.tasmota_topics).is_empty(),
        hello: Vec::new,
    },
    Entry {
        kind: SourceKind::Wled,
        enabled: |s| s.wled,
        filters: |s| wled::discovery_filters(&s.wled_filter),
        key: |s| s.wled_filter.clone(),
        wanted: |_| false,
        hello: Vec::new,
    },
    Entry {
        kind: SourceKind::ShellyGen1,
        enabled: |s| s.shelly_gen1,
        filters: |_| shelly::gen1::discovery_filters(),
        key: |_| shelly::gen1::SETTINGS_KEY.into(),
        wanted: |_| false,
        hello: shelly::gen1::hello,
    },
    Entry {
        kind: SourceKind::ShellyGen2,
        enabled: |s| s.shelly_gen2,
        filters: |_| shelly::gen2::discovery_filters(),
        key: |_| shelly::rpc::RPC_SRC.into(),
        wanted: |_| false,
        hello: Vec::new,
    },
];

/// The enabled systems for `settings`, in the order they are offered each message. A system
/// whose code has not loaded yet (`code`) is a [`pending::PendingSystem`] in its place,
/// which holds its messages and asks for the code.
pub fn build(settings: &DirectorySettings) -> Vec<Box<dyn LampSystem>> {
    let mut systems: Vec<Box<dyn LampSystem>> = vec![Box::new(seed::SeedSystem::new(
        settings.lamp_filters.clone(),
    ))];
    for entry in ENTRIES.iter().filter(|e| (e.enabled)(settings)) {
        systems.push(match code::builder(entry.kind) {
            Some(build) => build(settings),
            None => Box::new(pending::PendingSystem {
                kind: entry.kind,
                filters: (entry.filters)(settings),
                key: (entry.key)(settings),
                wanted: (entry.wanted)(settings),
                hello: (entry.hello)(),
            }),
        });
    }
    systems
}
