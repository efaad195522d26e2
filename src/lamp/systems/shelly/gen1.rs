//! The Shelly Gen1 system: finds light channels from `shellies/announce` (asked for with
//! `announce` on `shellies/command` when Lampboard connects) and, for devices whose announce
//! was never heard, from their own status topics (`shellies/<id>/<color|white|light>/<N>/status`,
//! retained on setups that turned the device's retain option on, or answering `update`).
//!
//! Ids are the bare channel topic (`shellies/shellyrgbw2-11ABD9/color/0`); the name is the
//! product and MAC tail of a default id (`RGBW2 11ABD9`), or a custom id as it is, with the
//! channel for RGBW2's four white channels; Gen1 gives no room, so the
//! cards are filed under "Shelly".
//!
//! An RGBW2 announce with a new `mode` (colour <-> white) replaces its channels: the old ones
//! are [`Found::Gone`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::gen1_channel::{Announced, Gen1Channel};
use super::models::{ChannelFeatures, ChannelKind, Model};
use crate::lamp::system::{BindingRef, Found, LampSpec, LampSystem, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::LampId;

/// Where Gen1 devices announce themselves.
pub const ANNOUNCE_TOPIC: &str = "shellies/announce";
/// Where every Gen1 device listens for `announce` and `update`.
pub const BROADCAST_TOPIC: &str = "shellies/command";

/// What is known about one device.
#[derive(Debug, Default)]
struct Device {
    model: Option<Model>,
    mode: Option<String>,
    announced: Announced,
    /// Channel -> the lamp handed out for it.
    channels: BTreeMap<(ChannelKind, u8), (Gen1Channel, BindingRef)>,
}

/// What the system's settings come to: Gen1 has none.
pub const SETTINGS_KEY: &str = "shellies";

/// Where Gen1 lights announce themselves and report. Also what the page subscribes to before
/// this system's code has loaded (`crate::lamp::systems::code`).
pub fn discovery_filters() -> Vec<String> {
    vec![
        ANNOUNCE_TOPIC.to_string(),
        "shellies/+/color/+/status".to_string(),
        "shellies/+/white/+/status".to_string(),
        "shellies/+/light/+/status".to_string(),
    ]
}

/// Sent on every connect: every Gen1 device answers `announce` on `shellies/command` with its
/// announce, and `update` with its status, so a fresh page fills without waiting for a change.
/// Sent before this system's code has loaded too: the answers are what loads it.
pub fn hello() -> Vec<Outgoing> {
    vec![
        Outgoing::command(BROADCAST_TOPIC, "announce"),
        Outgoing::command(BROADCAST_TOPIC, "update"),
    ]
}

/// Shelly Gen1 under the fixed `shellies/` prefix.
#[derive(Debug, Default)]
pub struct ShellyGen1System {
    devices: BTreeMap<String, Device>,
}

impl ShellyGen1System {
    /// A system that knows no device yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A channel lamp for `device`, naming it after the device (and the channel when the
    /// device has several of that kind).
    fn spec(device_id: &str, channel: &Gen1Channel, binding: BindingRef) -> LampSpec {
        let device = super::device_name(device_id);
        let name = match channel.kind {
            ChannelKind::White => format!("{device} white {}", channel.index + 1),
            _ if channel.index > 0 => format!("{device} {}", channel.index + 1),
            _ => device,
        };
        LampSpec {
            id: LampId(channel.topic()),
            name,
            room: None,
            binding,
        }
    }

    /// Hands out (or keeps) the lamp of one channel; `temp_key` says whether a status showed
    /// `temp`, for models Lampboard does not know.
    fn ensure(&mut self, id: &str, kind: ChannelKind, index: u8, temp_key: bool) -> Option<Found> {
        let device = self.devices.entry(id.to_string()).or_default();
        let model = device.model.or_else(|| Model::from_id(id));
        let channel = Gen1Channel {
            device: id.to_string(),
            kind,
            index,
            model,
            features: ChannelFeatures::of(model, kind, temp_key),
            announced: device.announced.clone(),
        };
        if let Some((known, _)) = device.channels.get(&(kind, index)) {
            // A later status without `temp` does not take a temperature away.
            if *known == channel || (!temp_key && known.features.temp_k.is_some()) {
                return None;
            }
        }
        let binding = BindingRef::new(channel.clone());
        let spec = Self::spec(id, &channel, binding.clone());
        device.channels.insert((kind, index), (channel, binding));
        Some(Found::Lamp(spec))
    }

    fn announce(&mut self, payload: &[u8]) -> Vec<Found> {
        let Some(obj) = super::object(payload) else {
            return vec![Found::Rejected(
                "a Shelly announce must be a JSON object".into(),
            )];
        };
        let Some(id) = obj.get("id").and_then(Value::as_str).map(str::trim) else {
            return vec![Found::Rejected("a Shelly announce needs an “id”".into())];
        };
        if id.is_empty() || id.contains(['/', '+', '#']) {
            return vec![Found::Rejected(format!("“{id}” is not a Shelly device id"))];
        }
        // Gen2 devices with the compatibility script announce here too; they have `gen`.
        if obj
            .get("gen")
            .and_then(Value::as_u64)
            .is_some_and(|g| g >= 2)
        {
            return Vec::new();
        }
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let code = text("model").or_else(|| text("type"));
        let model = code
            .as_deref()
            .and_then(Model::from_code)
            .or_else(|| Model::from_id(id));
        let mode = text("mode");
        let device = self.devices.entry(id.to_string()).or_default();
        device.model = model;
        device.announced = Announced {
            model: code,
            mac: text("mac"),
            ip: text("ip"),
            fw_ver: text("fw_ver"),
        };
        let mut found = Vec::new();
        let Some(model) = model else {
            // Not a light Lampboard knows (a relay, a sensor): nothing to show.
            return found;
        };
        let wanted = model.channels(mode.as_deref());
        if device.mode != mode && device.mode.is_some() {
            let old: Vec<(ChannelKind, u8)> = device
                .channels
                .keys()
                .filter(|k| !wanted.contains(k))
                .copied()
                .collect();
            for key in old {
                if let Some((c, _)) = device.channels.remove(&key) {
                    found.push(Found::Gone(LampId(c.topic())));
                }
            }
        }
        device.mode = mode;
        for (kind, index) in wanted {
            found.extend(self.ensure(id, kind, index, false));
        }
        found
    }
}

/// `(device id, kind, index)` for `shellies/<id>/<kind>/<N>/status`.
fn status_topic(topic: &str) -> Option<(&str, ChannelKind, u8)> {
    let rest = topic.strip_prefix("shellies/")?.strip_suffix("/status")?;
    let mut levels = rest.split('/');
    let (id, kind, index) = (levels.next()?, levels.next()?, levels.next()?);
    if levels.next().is_some() || id.is_empty() {
        return None;
    }
    Some((id, ChannelKind::from_level(kind)?, index.parse().ok()?))
}

impl LampSystem for ShellyGen1System {
    fn kind(&self) -> SourceKind {
        SourceKind::ShellyGen1
    }

    fn subscriptions(&self) -> Vec<String> {
        discovery_filters()
    }

    fn settings_key(&self) -> String {
        SETTINGS_KEY.into()
    }

    fn on_connect(&self) -> Vec<Outgoing> {
        hello()
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        _known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        if topic == ANNOUNCE_TOPIC {
            return Some(self.announce(payload));
        }
        let (id, kind, index) = status_topic(topic)?;
        let obj = super::object(payload)?;
        // A status is a light's when it says on/off; anything else is left to the binding.
        if !obj.contains_key("ison") {
            return None;
        }
        let temp_key = obj.contains_key("temp");
        Some(self.ensure(id, kind, index, temp_key).into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_topics_are_parsed_exactly() {
        assert_eq!(
            status_topic("shellies/shellyrgbw2-11ABD9/white/2/status"),
            Some(("shellyrgbw2-11ABD9", ChannelKind::White, 2))
        );
        assert_eq!(status_topic("shellies/x/relay/0/status"), None);
        assert_eq!(status_topic("shellies/x/color/0"), None);
        assert_eq!(status_topic("shellies/x/color/a/status"), None);
    }
}
