//! One Shelly Gen2+ light component's wire format (Gen2 API: "RGB", "RGBW", "Light" and
//! "CCT" components; "MQTT" for the topics).
//!
//! * State: `<prefix>/status/<comp>:<N>` (the whole component status, published only when
//!   the device's "Generic status update over MQTT" option is on), `NotifyStatus` /
//!   `NotifyFullStatus` on `<prefix>/events/rpc` (deltas: only changed keys), and the
//!   `Shelly.GetStatus` reply on `lampboard/rpc`. Keys: `output` (on/off), `brightness`
//!   0-100, `rgb` `[r,g,b]`, `white` 0-255 (rgbw), `ct` in kelvin (cct).
//! * Commands: `<Comp>.Set` over RPC on `<prefix>/rpc`, only the change with `"on":true`
//!   (`{"id":0,"on":true,"brightness":50}`); brightness 0 is `"on":false`.
//! * Availability: `<prefix>/online`, `true`/`false`.

use serde_json::{json, Map, Value};

use super::rpc::{self, Purpose};
use super::{channel, num, read_kelvin, read_online};
use crate::lamp::color::{self, Rgb};
use crate::lamp::command::LampChange;
use crate::lamp::read::ReadError;
use crate::lamp::state::{ColorMode, StateUpdate};
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// The Gen2 component types that are lights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompKind {
    /// `rgb:N` (`RGB.Set`): colour and brightness.
    Rgb,
    /// `rgbw:N` (`RGBW.Set`): colour, brightness and a white channel.
    Rgbw,
    /// `light:N` (`Light.Set`): a dimmable channel.
    Light,
    /// `cct:N` (`CCT.Set`): tunable white, `ct` in kelvin.
    Cct,
}

impl CompKind {
    /// The component key's type (`rgb` in `rgb:0`).
    pub fn key(self) -> &'static str {
        match self {
            CompKind::Rgb => "rgb",
            CompKind::Rgbw => "rgbw",
            CompKind::Light => "light",
            CompKind::Cct => "cct",
        }
    }

    /// The RPC namespace (`RGB` in `RGB.Set`).
    pub fn namespace(self) -> &'static str {
        match self {
            CompKind::Rgb => "RGB",
            CompKind::Rgbw => "RGBW",
            CompKind::Light => "Light",
            CompKind::Cct => "CCT",
        }
    }

    /// Parses a component key (`rgbw:1`), `None` for components that are not lights.
    pub fn parse(key: &str) -> Option<(CompKind, u8)> {
        let (kind, index) = key.split_once(':')?;
        let kind = match kind {
            "rgb" => CompKind::Rgb,
            "rgbw" => CompKind::Rgbw,
            "light" => CompKind::Light,
            "cct" => CompKind::Cct,
            _ => return None,
        };
        Some((kind, index.parse().ok()?))
    }
}

/// The kelvin range the CCT component documents by default (`ct_range` in its config).
pub const CCT_RANGE_K: (u16, u16) = (2700, 6500);

/// One Gen2 light component.
#[derive(Clone, Debug, PartialEq)]
pub struct Gen2Component {
    /// The device's MQTT topic prefix (`shellyplusrgbwpm-a8032ab12345`).
    pub prefix: String,
    /// The component type.
    pub kind: CompKind,
    /// The component id.
    pub index: u8,
    /// What the card should say about this device (a refused command, no status updates).
    pub note: Option<String>,
}

impl Gen2Component {
    /// `rgb:0`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.key(), self.index)
    }

    /// `<prefix>/status/<comp>:<N>`, the primary state topic and the lamp id.
    pub fn status_topic(&self) -> String {
        format!("{}/status/{}", self.prefix, self.key())
    }

    fn events_topic(&self) -> String {
        format!("{}/events/rpc", self.prefix)
    }

    fn rpc_topic(&self) -> String {
        format!("{}/rpc", self.prefix)
    }

    fn set(&self, params: Value) -> CommandResult {
        let method = format!("{}.Set", self.kind.namespace());
        Ok(vec![Outgoing::command(
            self.rpc_topic(),
            rpc::request(&self.prefix, Purpose::Set, &method, Some(params)),
        )])
    }

    /// This component's object in a message on one of its topics, if it carries one.
    fn component_in(&self, topic: &str, obj: Map<String, Value>) -> Option<Map<String, Value>> {
        let key = self.key();
        if topic == self.status_topic() {
            return Some(obj);
        }
        let holder = if topic == self.events_topic() {
            match obj.get("method").and_then(Value::as_str) {
                Some("NotifyStatus" | "NotifyFullStatus") => obj.get("params")?,
                _ => return None,
            }
        } else {
            let reply = rpc::read_reply(&obj)?;
            if rpc::purpose_for(&self.prefix, reply.id) != Some(Purpose::GetStatus) {
                return None;
            }
            obj.get("result")?
        };
        holder.get(&key)?.as_object().cloned()
    }
}

/// Reads a Gen2 light component's status (or a delta of it): only the keys it carries.
pub fn read_component(obj: &Map<String, Value>, kind: CompKind) -> StateUpdate {
    let mut u = StateUpdate {
        recognized: true,
        ..StateUpdate::default()
    };
    match obj.get("output") {
        None => {}
        Some(Value::Bool(b)) => u.on = Some(*b),
        Some(other) => u.warnings.push(format!("invalid output {other}")),
    }
    match num(obj.get("brightness")) {
        Some(p) if (0.0..=100.0).contains(&p) => u.brightness_pct = Some(p as f32),
        Some(p) => u.warnings.push(format!("brightness {p} is outside 0-100")),
        None => {}
    }
    if let Some(v) = obj.get("rgb") {
        let parts = v.as_array().map(|a| {
            (
                channel(a.first()),
                channel(a.get(1)),
                channel(a.get(2)),
                a.len(),
            )
        });
        match parts {
            Some((Some(r), Some(g), Some(b), 3)) => {
                u.rgb = Some(Rgb::new(r, g, b));
                u.color_mode = Some(if kind == CompKind::Rgbw {
                    ColorMode::Rgbw
                } else {
                    ColorMode::Rgb
                });
            }
            _ => u.warnings.push(format!("invalid rgb {v}")),
        }
    }
    read_kelvin("ct", num(obj.get("ct")), &mut u);
    if kind == CompKind::Light && obj.contains_key("brightness") {
        u.color_mode = Some(ColorMode::Brightness);
    }
    u
}

impl Binding for Gen2Component {
    fn kind(&self) -> SourceKind {
        SourceKind::ShellyGen2
    }

    fn state_topics(&self) -> Vec<String> {
        vec![self.status_topic(), self.events_topic(), rpc::reply_topic()]
    }

    fn read(
        &self,
        topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        let text = payload.trim_ascii();
        if text.is_empty() {
            return Err(ReadError::Empty);
        }
        let obj = match serde_json::from_slice::<Value>(text) {
            Ok(Value::Object(o)) => o,
            // Notifications and replies that are not JSON objects are not this lamp's news.
            _ if topic != self.status_topic() => return Ok(StateUpdate::default()),
            Ok(_) => {
                return Err(ReadError::NotAState {
                    found: "JSON that is not an object".into(),
                })
            }
            Err(e) => {
                return Err(ReadError::InvalidJson {
                    message: e.to_string(),
                })
            }
        };
        Ok(self
            .component_in(topic, obj)
            .map(|c| read_component(&c, self.kind))
            .unwrap_or_default())
    }

    fn capabilities(&self) -> Capabilities {
        let cct = self.kind == CompKind::Cct;
        let (lo, hi) = CCT_RANGE_K;
        Capabilities {
            brightness: true,
            color: matches!(self.kind, CompKind::Rgb | CompKind::Rgbw),
            color_temp: cct,
            color_temp_range: cct.then(|| {
                (
                    color::kelvin_to_mireds(u32::from(hi)),
                    color::kelvin_to_mireds(u32::from(lo)),
                )
            }),
            effects: Vec::new(),
        }
    }

    fn command(&self, change: &LampChange, _lamp: &Lamp) -> CommandResult {
        let id = self.index;
        match change {
            LampChange::On(on) => self.set(json!({"id": id, "on": on})),
            LampChange::Brightness(0) => self.set(json!({"id": id, "on": false})),
            LampChange::Brightness(p) => {
                self.set(json!({"id": id, "on": true, "brightness": (*p).min(100)}))
            }
            LampChange::Color(c) if matches!(self.kind, CompKind::Rgb | CompKind::Rgbw) => {
                self.set(json!({"id": id, "on": true, "rgb": [c.r, c.g, c.b]}))
            }
            LampChange::Color(_) => Err("this lamp has no colour control".into()),
            LampChange::ColorTemp(m) if self.kind == CompKind::Cct => {
                let (lo, hi) = CCT_RANGE_K;
                let k = color::mireds_to_kelvin((*m).max(1)).clamp(u32::from(lo), u32::from(hi));
                self.set(json!({"id": id, "on": true, "ct": k}))
            }
            LampChange::ColorTemp(_) => Err("this lamp has no colour temperature control".into()),
            LampChange::Effect(_) => Err("Shelly Gen2 lights have no effects over RPC".into()),
        }
    }

    /// Asks the whole status once the lamp is found: without "Generic status update" nothing
    /// else says what the lamp is doing until it changes.
    fn refresh(&self) -> Vec<Outgoing> {
        let (topic, payload) = rpc::get_status(&self.prefix);
        vec![Outgoing::command(topic, payload)]
    }

    fn availability_topics(&self) -> Vec<String> {
        vec![format!("{}/online", self.prefix)]
    }

    fn read_availability(&self, _topic: &str, payload: &[u8]) -> Option<bool> {
        read_online(payload)
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Topic prefix", self.prefix.clone()),
            ("Component", self.key()),
            ("State topic", self.status_topic()),
            ("RPC topic", self.rpc_topic()),
            ("Replies", rpc::reply_topic()),
        ]
    }

    fn note(&self) -> Option<String> {
        self.note.clone()
    }
}
