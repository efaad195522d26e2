//! Zigbee2MQTT: lights from the retained `<base>/bridge/devices` list (one lamp per `light`
//! expose, so a two-channel dimmer is two lamps), groups of lights from `<base>/bridge/groups`,
//! state on `<base>/<friendly_name>`, commands to `<base>/<friendly_name>/set`.
//!
//! The device list says which devices are lights and what they can do, so sensors and relays
//! that also publish `"state":"ON"` never become lamp cards. One job per module: [`devices`]
//! reads the device list, [`groups`] the group list, [`endpoints`] the endpoint-suffixed keys,
//! [`names`] names, rooms and ids, [`scenes`] native scenes, [`binding`] one lamp's wire format; this module is the
//! system that turns both lists into lamps and follows renames and removals.
//!
//! Renames: Zigbee2MQTT republishes `bridge/devices` (or `bridge/groups`) with the new
//! friendly name under the same IEEE address (group id). Such a light is reported as
//! [`Found::Renamed`], so the directory moves the card, with its state, to the new id and
//! topics. Lights missing from a new list are [`Found::Gone`].

pub mod binding;
pub mod devices;
pub mod endpoints;
pub mod groups;
pub mod names;
pub mod scenes;

use std::collections::BTreeMap;

pub use binding::{read_availability, Z2mBinding};
pub use devices::{parse_bridge_devices, parse_devices, Z2mDevice, Z2mLight};
pub use groups::{parse_groups, Z2mGroup};
pub use scenes::Z2mScene;

use super::SourceKind;
use crate::lamp::system::{BindingRef, Found, LampSpec, LampSystem};
use crate::lamp::LampId;

/// What stays the same when a light is renamed: its device and endpoint, or its group.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Identity {
    /// A device's light, by IEEE address (the friendly name for devices listed without one).
    Device(String, Option<String>),
    /// A group, by group id.
    Group(u64),
}

/// A lamp handed out, kept so an unchanged light keeps its binding and a renamed one is
/// recognised.
#[derive(Debug)]
struct Known {
    id: LampId,
    binding: BindingRef,
    model: Z2mBinding,
}

/// Zigbee2MQTT's own lists under `base`: the devices and the groups. Also what the page
/// subscribes to before this system's code has loaded (`crate::lamp::systems::code`).
pub fn discovery_filters(base: &str) -> Vec<String> {
    vec![
        format!("{base}/bridge/devices"),
        format!("{base}/bridge/groups"),
    ]
}

/// Zigbee2MQTT under one base topic.
#[derive(Debug)]
pub struct Zigbee2MqttSystem {
    base: String,
    /// The last good device list (groups need members' exposes).
    devices: Vec<Z2mDevice>,
    /// The last good group list.
    groups: Vec<Z2mGroup>,
    known: BTreeMap<Identity, Known>,
}

impl Zigbee2MqttSystem {
    /// Zigbee2MQTT under `base` (its default is `zigbee2mqtt`).
    pub fn new(base: String) -> Self {
        Zigbee2MqttSystem {
            base,
            devices: Vec::new(),
            groups: Vec::new(),
            known: BTreeMap::new(),
        }
    }

    fn devices_topic(&self) -> String {
        format!("{}/bridge/devices", self.base)
    }

    fn groups_topic(&self) -> String {
        format!("{}/bridge/groups", self.base)
    }

    /// Every lamp the two lists describe, with its identity, id, name and room.
    fn lamps(&self) -> Vec<(Identity, LampSpecParts)> {
        let mut out = Vec::new();
        for device in &self.devices {
            for light in &device.lights {
                let who = device
                    .ieee_address
                    .clone()
                    .unwrap_or_else(|| device.friendly_name.clone());
                let identity = Identity::Device(who, light.endpoint.clone());
                let (room, name) = names::room_and_name(&light.friendly_name);
                let name = match &light.endpoint {
                    Some(ep) => names::endpoint_name(&name, ep, light.label.as_deref()),
                    None => name,
                };
                let id =
                    names::lamp_id(&self.base, &light.friendly_name, light.endpoint.as_deref());
                out.push((
                    identity,
                    LampSpecParts {
                        id: LampId(id),
                        name,
                        room,
                        model: Z2mBinding {
                            base: self.base.clone(),
                            light: light.clone(),
                            group: None,
                        },
                    },
                ));
            }
        }
        for group in &self.groups {
            let Some(light) = groups::group_light(group, &self.devices) else {
                continue;
            };
            let (room, name) = names::room_and_name(&group.friendly_name);
            out.push((
                Identity::Group(group.id),
                LampSpecParts {
                    id: LampId(names::lamp_id(&self.base, &group.friendly_name, None)),
                    name,
                    room,
                    model: Z2mBinding {
                        base: self.base.clone(),
                        light,
                        group: Some(group.clone()),
                    },
                },
            ));
        }
        out
    }

    /// Compares the lamps the lists now describe with those handed out before: new or changed
    /// lamps are [`Found::Lamp`], renamed ones [`Found::Renamed`], missing ones [`Found::Gone`].
    fn diff(&mut self) -> Vec<Found> {
        let mut found = Vec::new();
        let mut next = BTreeMap::new();
        for (identity, parts) in self.lamps() {
            if next.contains_key(&identity) {
                continue;
            }
            let old = self.known.remove(&identity);
            if let Some(k) = old
                .as_ref()
                .filter(|k| k.model == parts.model && k.id == parts.id)
            {
                next.insert(
                    identity,
                    Known {
                        id: k.id.clone(),
                        binding: k.binding.clone(),
                        model: parts.model,
                    },
                );
                continue;
            }
            let binding = BindingRef::new(parts.model.clone());
            let spec = LampSpec {
                id: parts.id.clone(),
                name: parts.name,
                room: parts.room,
                binding: binding.clone(),
            };
            found.push(match old {
                Some(k) if k.id != parts.id => Found::Renamed { from: k.id, spec },
                _ => Found::Lamp(spec),
            });
            next.insert(
                identity,
                Known {
                    id: parts.id,
                    binding,
                    model: parts.model,
                },
            );
        }
        found.extend(
            std::mem::take(&mut self.known)
                .into_values()
                .map(|k| Found::Gone(k.id)),
        );
        self.known = next;
        found
    }
}

/// A lamp the lists describe, before it gets a binding.
struct LampSpecParts {
    id: LampId,
    name: String,
    room: Option<String>,
    model: Z2mBinding,
}

impl LampSystem for Zigbee2MqttSystem {
    fn kind(&self) -> SourceKind {
        SourceKind::Zigbee2Mqtt
    }

    fn subscriptions(&self) -> Vec<String> {
        discovery_filters(&self.base)
    }

    fn settings_key(&self) -> String {
        self.base.clone()
    }

    /// Zigbee2MQTT's own lists outrank the Home Assistant discovery it also publishes.
    fn precedence(&self) -> u8 {
        0
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        _known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        if topic == self.devices_topic() {
            match parse_devices(payload) {
                Ok(devices) => self.devices = devices,
                Err(reason) => return Some(vec![Found::Rejected(reason)]),
            }
        } else if topic == self.groups_topic() {
            match parse_groups(payload) {
                Ok(groups) => self.groups = groups,
                Err(reason) => return Some(vec![Found::Rejected(reason)]),
            }
        } else {
            return None;
        }
        Some(self.diff())
    }
}
