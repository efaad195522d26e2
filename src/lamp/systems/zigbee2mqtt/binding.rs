//! One Zigbee2MQTT light's wire format: a device's plain light, one endpoint of a
//! multi-endpoint device, or a group.
//!
//! * State on `<base>/<name>` (an endpoint reads its suffixed keys there, see
//!   [`super::endpoints`], and also `<base>/<name>/<endpoint>`, where Zigbee2MQTT republishes
//!   them unsuffixed when its Home Assistant integration is on).
//! * Commands to `<base>/<name>/set`, only the change, endpoint keys suffixed.
//! * Availability on `<base>/<name>/availability`, devices and groups alike, `online`/`offline`
//!   as text (1.x) or `{"state":"online"}` (2.x); silence means available, since Zigbee2MQTT's
//!   availability feature is optional.

use serde_json::{Map, Value};

use super::devices::Z2mLight;
use super::endpoints::{endpoint_key, endpoint_view, to_endpoint};
use super::groups::Z2mGroup;
use crate::lamp::availability::AvailabilityMode;
use crate::lamp::command::{change_payload, CommandStyle, Dialect, LampChange};
use crate::lamp::read::{read_object, read_state, ReadError, ReadOptions};
use crate::lamp::state::{ColorMode, StateUpdate};
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// One Zigbee2MQTT lamp: what it can do and where it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Z2mBinding {
    /// The base topic (`zigbee2mqtt`).
    pub base: String,
    /// The light (for a group, what its members can do together).
    pub light: Z2mLight,
    /// The group, when this lamp is one (its members and native scenes).
    pub group: Option<Z2mGroup>,
}

impl Z2mBinding {
    /// The device's or group's topic, `<base>/<friendly_name>`.
    pub fn topic(&self) -> String {
        format!("{}/{}", self.base, self.light.friendly_name)
    }

    fn endpoint(&self) -> Option<&str> {
        self.light.endpoint.as_deref()
    }

    fn options(&self) -> ReadOptions {
        ReadOptions {
            brightness_scale: self.light.brightness_max.unwrap_or(254),
            color_temp_kelvin: false,
            mireds_range: self.light.color_temp_range.unwrap_or((153, 500)),
        }
    }

    /// A plain command object addressed to this lamp's endpoint, if it has one.
    fn addressed(&self, payload: Vec<u8>) -> Vec<u8> {
        let Some(ep) = self.endpoint() else {
            return payload;
        };
        match serde_json::from_slice::<Value>(&payload) {
            Ok(Value::Object(m)) => {
                let m = to_endpoint(m, ep, &self.light.properties);
                serde_json::to_vec(&Value::Object(m)).unwrap_or(payload)
            }
            _ => payload,
        }
    }
}

impl Binding for Z2mBinding {
    fn kind(&self) -> SourceKind {
        SourceKind::Zigbee2Mqtt
    }

    /// An endpoint's primary topic is `<name>/<endpoint>`, the state topic Zigbee2MQTT's Home
    /// Assistant discovery gives that endpoint, so the two announcements are one lamp.
    fn state_topics(&self) -> Vec<String> {
        match self.endpoint() {
            Some(ep) => vec![format!("{}/{ep}", self.topic()), self.topic()],
            None => vec![self.topic()],
        }
    }

    fn read(
        &self,
        topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        let opts = self.options();
        if let (Some(ep), true) = (self.endpoint(), topic == self.topic()) {
            if let Ok(Value::Object(state)) = serde_json::from_slice::<Value>(payload) {
                let view = endpoint_view(&state, ep, &self.light.properties);
                return Ok(read_object(&view, &opts));
            }
        }
        read_state(payload, &opts)
    }

    fn capabilities(&self) -> Capabilities {
        let light = &self.light;
        Capabilities {
            brightness: light.brightness_max.is_some(),
            color: light.color_xy || light.color_hs,
            color_temp: light.color_temp_range.is_some(),
            color_temp_range: light.color_temp_range,
            effects: light.effects.clone(),
        }
    }

    fn command(&self, change: &LampChange, _lamp: &Lamp) -> CommandResult {
        let light = &self.light;
        let refuse = |what: &str| Err(format!("this lamp has no {what} control"));
        match change {
            LampChange::Effect(name) if !light.effects.contains(name) => {
                return Err(format!("this lamp has no effect called “{name}”"));
            }
            LampChange::Brightness(p) if *p > 0 && light.brightness_max.is_none() => {
                return refuse("brightness");
            }
            LampChange::Color(_) if !(light.color_xy || light.color_hs) => {
                return refuse("colour");
            }
            LampChange::ColorTemp(_) if light.color_temp_range.is_none() => {
                return refuse("colour temperature");
            }
            _ => {}
        }
        let mut modes = Vec::new();
        if light.color_xy {
            modes.push(ColorMode::Xy);
            // Zigbee2MQTT converts {r,g,b} itself for xy lamps.
            modes.push(ColorMode::Rgb);
        }
        if light.color_hs {
            modes.push(ColorMode::Hs);
        }
        let style = CommandStyle {
            dialect: Dialect::Zigbee2Mqtt,
            brightness_scale: light.brightness_max.unwrap_or(254),
            color_temp_kelvin: false,
            mireds_range: light.color_temp_range,
            color_modes: modes,
        };
        Ok(vec![Outgoing::command(
            format!("{}/set", self.topic()),
            self.addressed(change_payload(change, &style)),
        )])
    }

    /// Zigbee2MQTT does not retain states by default: ask (`{"state":""}`, or the endpoint's
    /// `state_l1`), so a fresh page does not show "unknown" until the lamp changes.
    fn refresh(&self) -> Vec<Outgoing> {
        let key = match self.endpoint() {
            Some(ep) => endpoint_key("state", ep, &self.light.properties),
            None => "state".to_string(),
        };
        let mut m = Map::new();
        m.insert(key, Value::String(String::new()));
        vec![Outgoing::command(
            format!("{}/get", self.topic()),
            serde_json::to_vec(&Value::Object(m)).unwrap_or_default(),
        )]
    }

    fn availability_topics(&self) -> Vec<String> {
        vec![format!("{}/availability", self.topic())]
    }

    fn read_availability(&self, _topic: &str, payload: &[u8]) -> Option<bool> {
        read_availability(payload)
    }

    fn availability_mode(&self) -> AvailabilityMode {
        AvailabilityMode::Latest
    }

    /// A group's scenes from `bridge/groups`, a device's from its endpoints in
    /// `bridge/devices`.
    fn native_scenes(&self) -> Vec<(u64, String)> {
        let scenes = match &self.group {
            Some(g) => &g.scenes,
            None => &self.light.scenes,
        };
        scenes.iter().map(|s| (s.id, s.name.clone())).collect()
    }

    /// `{"scene_recall": id}` on `<base>/<name>/set`, for groups and devices alike, as
    /// Zigbee2MQTT's scene docs give it.
    fn recall_native_scene(&self, id: u64) -> CommandResult {
        if !self.native_scenes().iter().any(|(s, _)| *s == id) {
            let what = if self.group.is_some() {
                "group"
            } else {
                "lamp"
            };
            return Err(format!("this {what} has no scene {id}"));
        }
        Ok(vec![Outgoing::command(
            format!("{}/set", self.topic()),
            serde_json::json!({ "scene_recall": id }).to_string(),
        )])
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        let mut d = vec![
            ("State topic", self.topic()),
            ("Command topic", format!("{}/set", self.topic())),
        ];
        d.extend(self.endpoint().map(|e| ("Endpoint", e.to_string())));
        d.extend(self.light.ieee_address.clone().map(|a| ("IEEE address", a)));
        if let Some(g) = &self.group {
            d.push(("Group id", g.id.to_string()));
            d.push(("Members", g.members.len().to_string()));
        }
        let scenes: Vec<String> = self.native_scenes().into_iter().map(|(_, n)| n).collect();
        if !scenes.is_empty() {
            d.push(("Scenes", scenes.join(", ")));
        }
        d
    }
}

/// Zigbee2MQTT availability: `online`/`offline` as text (1.x) or `{"state":"online"}` (2.x),
/// compared case-insensitively because the set has `Offline`.
pub fn read_availability(payload: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(payload);
    let value = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(o)) => o.get("state")?.as_str()?.to_string(),
        _ => text.trim().to_string(),
    };
    if value.eq_ignore_ascii_case("online") {
        Some(true)
    } else if value.eq_ignore_ascii_case("offline") {
        Some(false)
    } else {
        None
    }
}
