//! The lamp systems Lampboard speaks, one module each behind the interface of
//! [`crate::lamp::system`]. This registry is the only place that names them all: it builds the
//! enabled ones from the settings; nothing else in the app knows which systems exist.

pub mod home_assistant;
pub mod seed;
pub mod shelly;
pub mod tasmota;
pub mod wled;
pub mod zigbee2mqtt;

use super::directory::DirectorySettings;
use super::system::LampSystem;

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

/// The enabled systems for `settings`, in the order they are offered each message.
pub fn build(settings: &DirectorySettings) -> Vec<Box<dyn LampSystem>> {
    let mut systems: Vec<Box<dyn LampSystem>> = vec![Box::new(seed::SeedSystem::new(
        settings.lamp_filters.clone(),
    ))];
    if settings.home_assistant {
        systems.push(Box::new(home_assistant::HomeAssistantSystem::new(
            settings.home_assistant_prefix.clone(),
        )));
    }
    if settings.zigbee2mqtt {
        systems.push(Box::new(zigbee2mqtt::Zigbee2MqttSystem::new(
            settings.zigbee2mqtt_base.clone(),
        )));
    }
    if settings.tasmota {
        systems.push(Box::new(tasmota::TasmotaSystem::new(
            settings.tasmota_topics.clone(),
        )));
    }
    if settings.wled {
        systems.push(Box::new(wled::WledSystem::new(
            settings.wled_filter.clone(),
        )));
    }
    if settings.shelly_gen1 {
        systems.push(Box::new(shelly::ShellyGen1System::new()));
    }
    if settings.shelly_gen2 {
        systems.push(Box::new(shelly::ShellyGen2System::new()));
    }
    systems
}
