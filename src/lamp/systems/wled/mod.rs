//! WLED: LED strips under their MQTT device topic (default `wled/<MAC part>`). WLED
//! publishes no discovery of its own, so a device appears by speaking under the configured
//! filter (default `wled/+`): its retained `<base>/status` (`online`, WLED's last will,
//! the one topic subscribed by wildcard), or its `g`/`c`/`v` state. Its name comes from `<ds>` in the XML state, else the topic's last level; it has
//! no room, so it is filed under "WLED".
//!
//! [`binding`] is one device's wire format, [`xml`] reads the XML state.

pub mod binding;
pub mod xml;

use std::collections::BTreeMap;

pub use binding::{effect_id, effect_name, parse_color, WledBinding, EFFECTS};

use super::SourceKind;
use crate::lamp::system::{BindingRef, Found, LampSpec, LampSystem};
use crate::lamp::topic_match::filter_matches;
use crate::lamp::LampId;

/// The sub-topics WLED publishes, which make a device known.
const PUBLISHED: [&str; 4] = ["status", "g", "c", "v"];

/// The default device filter: WLED's default device topic is `wled/<id>`.
pub const DEFAULT_FILTER: &str = "wled/+";

/// A device handed out, with the name it was given.
#[derive(Debug)]
struct Known {
    binding: BindingRef,
    name: String,
}

/// Where devices under `filter` are found: WLED's retained LWT is enough to find a device;
/// its state topics are then subscribed exactly, from the binding. Also what the page
/// subscribes to before this system's code has loaded (`crate::lamp::systems::code`).
pub fn discovery_filters(filter: &str) -> Vec<String> {
    vec![format!("{filter}/status")]
}

/// WLED devices under one topic filter.
#[derive(Debug)]
pub struct WledSystem {
    filter: String,
    known: BTreeMap<String, Known>,
}

impl WledSystem {
    /// Devices whose device topic matches `filter` (e.g. `wled/+`, or one `wled/kitchen`).
    pub fn new(filter: String) -> Self {
        WledSystem {
            filter,
            known: BTreeMap::new(),
        }
    }

    /// The device topic a published topic belongs to, when it is one of WLED's.
    fn base_of<'a>(&self, topic: &'a str) -> Option<&'a str> {
        let (base, last) = topic.rsplit_once('/')?;
        (PUBLISHED.contains(&last) && filter_matches(&self.filter, base)).then_some(base)
    }
}

impl LampSystem for WledSystem {
    fn kind(&self) -> SourceKind {
        SourceKind::Wled
    }

    fn subscriptions(&self) -> Vec<String> {
        discovery_filters(&self.filter)
    }

    fn settings_key(&self) -> String {
        self.filter.clone()
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        let base = self.base_of(topic)?.to_string();
        let id = LampId(base.clone());
        // The XML state names the device.
        let named = topic
            .ends_with("/v")
            .then(|| xml::parse(&String::from_utf8_lossy(payload)))
            .flatten()
            .and_then(|s| s.name);
        let fallback = base.rsplit('/').next().unwrap_or(&base).to_string();
        let entry = self.known.entry(base.clone()).or_insert_with(|| Known {
            binding: BindingRef::new(WledBinding { base: base.clone() }),
            name: fallback,
        });
        let renamed = named.as_ref().is_some_and(|n| *n != entry.name);
        if let Some(n) = named {
            entry.name = n;
        }
        if known(&id) && !renamed {
            return Some(Vec::new());
        }
        Some(vec![Found::Lamp(LampSpec {
            id,
            name: entry.name.clone(),
            room: None,
            binding: entry.binding.clone(),
        })])
    }

    /// A WLED device remembered from the last visit belongs here while the filter matches.
    fn keeps(&self, lamp: &crate::lamp::Lamp) -> bool {
        filter_matches(&self.filter, lamp.id.as_str())
    }
}
