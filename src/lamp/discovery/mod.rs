//! Discovery: how lamps come to exist. Three sources, one module each, all pure: the seed's
//! own topic naming, Home Assistant MQTT discovery and Zigbee2MQTT's device list.

pub mod home_assistant;
pub mod seed;
pub(crate) mod template;
pub mod zigbee2mqtt;
