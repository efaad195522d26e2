//! The Shelly Gen2+ system (Plus, Pro): light components found on any one-level topic
//! prefix, and what the card must be told about a device (a refused command, no status).
//!
//! Discovery, and why: Gen2 has no announce topic of its own (the `shellies/announce` of Gen1
//! needs a script on the device), and its prefix is free text, so Lampboard listens where
//! every Gen2 device speaks and recognises the component names:
//! * `+/status/+`: `<prefix>/status/rgb:0` (and `rgbw:N`, `light:N`, `cct:N`) when "Generic
//!   status update over MQTT" is on; other components and non-Shelly topics are ignored.
//! * `+/events/rpc`: `NotifyStatus` / `NotifyFullStatus` carrying a light component ("RPC
//!   status notifications", on by default), so a device with generic status off is found the
//!   first time it changes.
//! * `+/online`: the retained `true` of a prefix that starts with `shelly` (the default
//!   `<model>-<mac>`) asks `Shelly.GetStatus` over RPC, whose reply lists the components. A
//!   custom prefix is only asked once it has spoken one of the above, so Lampboard never sends
//!   RPC frames to devices that are not Shellies.
//! * `lampboard/rpc`: the replies.
//!
//! A reply's `error` is shown on the device's cards in words (cleared by its next good reply);
//! a device that answered two commands and never published `<prefix>/status/...` gets a note
//! saying to turn "Generic status update over MQTT" on.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::gen2_component::{CompKind, Gen2Component};
use super::rpc::{self, Purpose};
use crate::lamp::system::{BindingRef, Found, LampSpec, LampSystem, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::LampId;

/// The words a card shows when a device answers RPC but publishes no status.
pub const NO_STATUS_NOTE: &str = "This Shelly answers commands but publishes no status: turn on \
     “Generic status update over MQTT” in its MQTT settings, or this card will not follow \
     changes made elsewhere";

/// Set replies without status in between after which the device is told to turn status on.
const SILENT_REPLIES: u8 = 2;

/// What is known about one device.
#[derive(Debug, Default)]
struct Device {
    /// Whether it ever published `<prefix>/status/<comp>`.
    status_heard: bool,
    /// `.Set` replies since it was found, while no status was heard.
    silent_replies: u8,
    /// The last reply's error, in words.
    error: Option<String>,
    /// Light components -> the binding handed out.
    comps: BTreeMap<(CompKind, u8), BindingRef>,
    /// The note the bindings carry now.
    note: Option<String>,
}

impl Device {
    fn wanted_note(&self) -> Option<String> {
        if let Some(e) = &self.error {
            return Some(format!("The lamp refused the last change: {e}"));
        }
        (!self.status_heard && self.silent_replies >= SILENT_REPLIES)
            .then(|| NO_STATUS_NOTE.to_string())
    }
}

/// Where Gen2+ devices report (statuses, events, `online`) and where their RPC replies to
/// Lampboard arrive. Also what the page subscribes to before this system's code has loaded
/// (`crate::lamp::systems::code`).
pub fn discovery_filters() -> Vec<String> {
    vec![
        "+/status/+".to_string(),
        "+/events/rpc".to_string(),
        "+/online".to_string(),
        rpc::reply_topic(),
    ]
}

/// Shelly Gen2+ devices under one-level topic prefixes.
#[derive(Debug, Default)]
pub struct ShellyGen2System {
    devices: BTreeMap<String, Device>,
    /// Prefixes asked for `Shelly.GetStatus` (from their `online`), not yet answered.
    asked: BTreeSet<String>,
}

fn spec(prefix: &str, kind: CompKind, index: u8, binding: BindingRef) -> LampSpec {
    let device = super::device_name(prefix);
    let name = if index == 0 && kind != CompKind::Light {
        device
    } else {
        format!("{device} {} {}", kind.key(), index + 1)
    };
    LampSpec {
        id: LampId(format!("{prefix}/status/{}:{index}", kind.key())),
        name,
        room: None,
        binding,
    }
}

/// Whether a prefix is one level Lampboard may treat as a device's (not Gen1's `shellies`).
fn plausible_prefix(prefix: &str) -> bool {
    !prefix.is_empty() && prefix != "shellies" && prefix != rpc::RPC_SRC && !prefix.starts_with('$')
}

impl ShellyGen2System {
    /// A system that knows no device yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn binding(prefix: &str, kind: CompKind, index: u8, note: Option<String>) -> BindingRef {
        BindingRef::new(Gen2Component {
            prefix: prefix.to_string(),
            kind,
            index,
            note,
        })
    }

    /// Lamps for components not seen before on `prefix`.
    fn ensure<'a>(&mut self, prefix: &str, keys: impl Iterator<Item = &'a String>) -> Vec<Found> {
        let device = self.devices.entry(prefix.to_string()).or_default();
        let mut found = Vec::new();
        for (kind, index) in keys.filter_map(|k| CompKind::parse(k)) {
            if device.comps.contains_key(&(kind, index)) {
                continue;
            }
            let b = Self::binding(prefix, kind, index, device.note.clone());
            device.comps.insert((kind, index), b.clone());
            found.push(Found::Lamp(spec(prefix, kind, index, b)));
        }
        found
    }

    /// New bindings (with the new note) for every lamp of a device whose note changed.
    fn renote(&mut self, prefix: &str) -> Vec<Found> {
        let Some(device) = self.devices.get_mut(prefix) else {
            return Vec::new();
        };
        let note = device.wanted_note();
        if note == device.note {
            return Vec::new();
        }
        device.note = note.clone();
        let mut found = Vec::new();
        for ((kind, index), b) in device.comps.iter_mut() {
            *b = Self::binding(prefix, *kind, *index, note.clone());
            found.push(Found::Lamp(spec(prefix, *kind, *index, b.clone())));
        }
        found
    }

    fn status(&mut self, prefix: &str, comp: &str, payload: &[u8]) -> Option<Vec<Found>> {
        CompKind::parse(comp)?;
        super::object(payload)?;
        let mut found = self.ensure(prefix, std::iter::once(&comp.to_string()));
        let device = self.devices.entry(prefix.to_string()).or_default();
        device.status_heard = true;
        device.silent_replies = 0;
        found.extend(self.renote(prefix));
        Some(found)
    }

    fn notification(&mut self, prefix: &str, payload: &[u8]) -> Option<Vec<Found>> {
        let obj = super::object(payload)?;
        match obj.get("method").and_then(Value::as_str) {
            Some("NotifyStatus" | "NotifyFullStatus") => {}
            _ => return None,
        }
        let params = obj.get("params")?.as_object()?;
        if !params.keys().any(|k| CompKind::parse(k).is_some()) {
            return None;
        }
        Some(self.ensure(prefix, params.keys()))
    }

    fn online(&mut self, prefix: &str, payload: &[u8]) -> Option<Vec<Found>> {
        if super::read_online(payload) != Some(true)
            || !prefix.to_ascii_lowercase().starts_with("shelly")
            || self.devices.contains_key(prefix)
            || !self.asked.insert(prefix.to_string())
        {
            return None;
        }
        let (topic, payload) = rpc::get_status(prefix);
        Some(vec![Found::Publish(vec![Outgoing::command(
            topic, payload,
        )])])
    }

    fn reply(&mut self, payload: &[u8]) -> Option<Vec<Found>> {
        let obj = super::object(payload)?;
        let reply = rpc::read_reply(&obj)?;
        // The device's own id is its default prefix: a reply replayed from the offline
        // snapshot, before anything was asked, still names its device.
        let (prefix, purpose) = self
            .devices
            .keys()
            .chain(self.asked.iter())
            .chain(reply.src.iter().filter(|p| plausible_prefix(p)))
            .find_map(|p| rpc::purpose_for(p, reply.id).map(|why| (p.clone(), why)))?;
        let mut found = Vec::new();
        match (&reply.outcome, purpose) {
            (Ok(Value::Object(result)), Purpose::GetStatus) => {
                self.asked.remove(&prefix);
                found.extend(self.ensure(&prefix, result.keys()));
            }
            (Ok(_), Purpose::GetStatus) => {}
            (Ok(_), Purpose::Set) => {
                let device = self.devices.entry(prefix.clone()).or_default();
                device.error = None;
                if !device.status_heard {
                    device.silent_replies = device.silent_replies.saturating_add(1);
                }
            }
            (Err(words), _) => {
                let device = self.devices.entry(prefix.clone()).or_default();
                device.error = Some(words.clone());
            }
        }
        found.extend(self.renote(&prefix));
        Some(found)
    }
}

impl LampSystem for ShellyGen2System {
    fn kind(&self) -> SourceKind {
        SourceKind::ShellyGen2
    }

    fn subscriptions(&self) -> Vec<String> {
        discovery_filters()
    }

    fn settings_key(&self) -> String {
        rpc::RPC_SRC.into()
    }

    /// Gen2 statuses are not retained: on every (re)connect each device already known (from
    /// before, or from the offline snapshot) is asked `Shelly.GetStatus`, so its cards are live
    /// again without waiting for a change.
    fn on_connect(&self) -> Vec<Outgoing> {
        self.devices
            .iter()
            .filter(|(_, d)| !d.comps.is_empty())
            .map(|(prefix, _)| {
                let (topic, payload) = rpc::get_status(prefix);
                Outgoing::command(topic, payload)
            })
            .collect()
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        _known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        if topic == rpc::reply_topic() {
            return self.reply(payload);
        }
        let mut levels = topic.split('/');
        let (prefix, what, more) = (levels.next()?, levels.next()?, levels.next());
        if levels.next().is_some() || !plausible_prefix(prefix) {
            return None;
        }
        match (what, more) {
            ("status", Some(comp)) => self.status(prefix, comp, payload),
            ("events", Some("rpc")) => self.notification(prefix, payload),
            ("online", None) => self.online(prefix, payload),
            _ => None,
        }
    }
}
