//! Tasmota: lights from Tasmota's own discovery (`tasmota/discovery/<MAC>/config`, retained,
//! the default since Tasmota 9.2 with `SetOption19 0`), plus devices the user lists by their
//! topic (a device with discovery off is still on the broker, it just does not say so).
//!
//! One job per module: [`topics`] rebuilds a device's topics from its FullTopic, [`config`]
//! reads the discovery message into lights (one per light relay; two for a split RGB + white
//! light; one per channel with SetOption68), [`state`] reads RESULT/STATE/POWER,
//! [`binding`] one light's wire format; this module is the system that turns configs and
//! topic lists into lamps.
//!
//! Ids are a light's POWER topic (`stat/<t>/POWER`, `stat/<t>/POWER2`): the one topic that
//! is the light's alone, and the same for a device listed by topic and later discovered, so
//! discovery then replaces the guessed configuration in place, keeping the state.
//! `tasmota/discovery/<MAC>/sensors` (sensor descriptions) is ignored.

pub mod binding;
pub mod config;
pub mod state;
pub mod topics;

use std::collections::BTreeMap;

pub use binding::TasmotaBinding;
pub use config::{parse_config, topic_only, LightKind, TasmotaDevice, TasmotaLight};

use super::SourceKind;
use crate::lamp::system::{Binding, BindingRef, Found, LampSpec, LampSystem};
use crate::lamp::LampId;

/// Where Tasmota publishes discovery (fixed in the firmware).
pub const DISCOVERY_PREFIX: &str = "tasmota/discovery";

/// Where Tasmota's discovery arrives. Also what the page subscribes to before this system's
/// code has loaded (`crate::lamp::systems::code`).
pub fn discovery_filters() -> Vec<String> {
    vec![format!("{DISCOVERY_PREFIX}/+/config")]
}

/// What the page subscribes to before this system's code has loaded: the discovery, and
/// under each listed device's default `stat/` and `tele/` roots, so what they say (or what
/// the last visit kept of it) waits for the code instead of going nowhere. Wider than the
/// exact topics the system subscribes to once in, which then replace them.
pub fn waiting_filters(topics: &[String]) -> Vec<String> {
    let mut filters = discovery_filters();
    for t in listed_topics(topics) {
        filters.push(format!("stat/{t}/#"));
        filters.push(format!("tele/{t}/#"));
    }
    filters
}

/// The device topics the user listed, as the system keeps them: trimmed, blank lines and
/// repeats left out.
pub fn listed_topics(topics: &[String]) -> Vec<String> {
    let mut listed: Vec<String> = Vec::new();
    for t in topics {
        let t = t.trim();
        if !t.is_empty() && !listed.iter().any(|l| l == t) {
            listed.push(t.to_owned());
        }
    }
    listed
}

/// A light handed out, kept so an unchanged config keeps its binding.
#[derive(Debug)]
struct Known {
    id: LampId,
    name: String,
    light: TasmotaLight,
}

/// A device listed by topic, with its binding once built.
#[derive(Debug)]
struct Listed {
    topic: String,
    binding: BindingRef,
    id: LampId,
    topics: Vec<String>,
}

/// Tasmota discovery plus the devices listed by topic.
#[derive(Debug)]
pub struct TasmotaSystem {
    /// Lights per MAC, from the last good config.
    devices: BTreeMap<String, (String, Vec<Known>)>,
    listed: Vec<Listed>,
}

fn spec(id: LampId, name: String, binding: BindingRef) -> LampSpec {
    LampSpec {
        id,
        name,
        room: None,
        binding,
    }
}

impl TasmotaSystem {
    /// Tasmota discovery, plus `topics`: device topics (`t`) of devices without discovery,
    /// assumed on the default FullTopic `%prefix%/%topic%/`.
    pub fn new(topics: Vec<String>) -> Self {
        let mut listed: Vec<Listed> = Vec::new();
        for t in listed_topics(&topics) {
            let model = TasmotaBinding {
                light: topic_only(&t),
            };
            let mut topics = model.state_topics();
            topics.push(model.lwt_topic());
            listed.push(Listed {
                id: LampId(model.power_topic()),
                binding: BindingRef::new(model),
                topic: t,
                topics,
            });
        }
        TasmotaSystem {
            devices: BTreeMap::new(),
            listed,
        }
    }

    /// Whether a discovered device has this device topic (then its config wins).
    fn discovered(&self, topic: &str) -> bool {
        self.devices.values().any(|(t, _)| t == topic)
    }

    fn config(&mut self, mac: &str, payload: &[u8]) -> Vec<Found> {
        let old = self.devices.remove(mac);
        if payload.iter().all(u8::is_ascii_whitespace) {
            return old
                .map(|(_, lights)| lights.into_iter().map(|k| Found::Gone(k.id)).collect())
                .unwrap_or_default();
        }
        let device = match parse_config(payload, mac) {
            Ok(d) => d,
            Err(reason) => {
                if let Some(old) = old {
                    self.devices.insert(mac.to_string(), old);
                }
                return vec![Found::Rejected(reason)];
            }
        };
        let mut old_lights = old.map(|(_, l)| l).unwrap_or_default();
        let mut found = Vec::new();
        let mut lights = Vec::new();
        for (name, light) in device.lights {
            let model = TasmotaBinding { light };
            let id = LampId(model.power_topic());
            let same = old_lights
                .iter()
                .position(|k| k.id == id && k.light == model.light && k.name == name);
            if let Some(i) = same {
                lights.push(old_lights.remove(i));
                continue;
            }
            old_lights.retain(|k| k.id != id);
            let binding = BindingRef::new(model.clone());
            found.push(Found::Lamp(spec(id.clone(), name.clone(), binding)));
            lights.push(Known {
                id,
                name,
                light: model.light,
            });
        }
        found.extend(old_lights.into_iter().map(|k| Found::Gone(k.id)));
        // A device listed by topic whose lights now have other ids loses its guessed card.
        for l in &self.listed {
            if l.topic == device.topic && !lights.iter().any(|k| k.id == l.id) {
                found.push(Found::Gone(l.id.clone()));
            }
        }
        self.devices
            .insert(mac.to_string(), (device.topic.clone(), lights));
        found
    }
}

impl LampSystem for TasmotaSystem {
    fn kind(&self) -> SourceKind {
        SourceKind::Tasmota
    }

    fn subscriptions(&self) -> Vec<String> {
        let mut subs = discovery_filters();
        for l in &self.listed {
            subs.extend(l.topics.iter().cloned());
        }
        subs
    }

    fn settings_key(&self) -> String {
        let topics: Vec<&str> = self.listed.iter().map(|l| l.topic.as_str()).collect();
        topics.join("\n")
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        if let Some(rest) = topic.strip_prefix(DISCOVERY_PREFIX) {
            let levels: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
            return match levels[..] {
                [mac, "config"] if !mac.is_empty() => Some(self.config(mac, payload)),
                // Sensor descriptions: not lamps.
                [_, "sensors"] => Some(Vec::new()),
                _ => None,
            };
        }
        let listed = self
            .listed
            .iter()
            .find(|l| l.topics.iter().any(|t| t == topic))?;
        if known(&listed.id) || self.discovered(&listed.topic) {
            return Some(Vec::new());
        }
        Some(vec![Found::Lamp(spec(
            listed.id.clone(),
            listed.topic.clone(),
            listed.binding.clone(),
        ))])
    }

    /// Tasmota's own discovery outranks the Home Assistant discovery older Tasmota publishes
    /// (`SetOption19 1`) for the same light.
    fn precedence(&self) -> u8 {
        0
    }
}
