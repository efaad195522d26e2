//! The simulated house: which lamps exist, their names and first states, the retained
//! announcements that make them discoverable, which topic reaches which lamp, and what a
//! command to one lamp does to others (Zigbee2MQTT groups). Pure and deterministic (the same
//! flags give the same house), so tests and screenshots are stable.
//!
//! One module per system: [`names`] (the seed house), [`ha`] (Home Assistant, one config per
//! entity), [`ha_device`] (Home Assistant device-based discovery), [`z2m`] (Zigbee2MQTT
//! devices), [`z2m_groups`] (Zigbee2MQTT groups) and [`shelly`] (Shelly Gen1 and Gen2).

pub mod ha;
pub mod ha_device;
pub mod names;
pub mod shelly;
pub mod tasmota;
pub mod wled;
pub mod z2m;
pub mod z2m_groups;

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::color::Color;
use crate::lamp::{Kind, Lamp, Light, Mode, Reply, Role};
pub use names::room_name;

/// Zigbee2MQTT's default base topic.
pub const Z2M_BASE: &str = "zigbee2mqtt";
/// Home Assistant's default discovery prefix.
pub const HA_PREFIX: &str = "homeassistant";
/// The filter lampsim subscribes to for seed lamps (the app's default lamp filter is
/// `smarthome/+/lamps/#`, which covers it).
pub const SEED_FILTER: &str = "smarthome/+/lamps/+";

/// A retained message that announces something (discovery, device list, availability).
#[derive(Clone, Debug, PartialEq)]
pub struct Announcement {
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
}

/// An availability topic and its two payloads.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Avail {
    topic: String,
    online: Vec<u8>,
    offline: Vec<u8>,
}

impl Avail {
    /// `online` / `offline`, Home Assistant's default payloads.
    fn plain(topic: &str) -> Avail {
        Avail {
            topic: topic.to_string(),
            online: b"online".to_vec(),
            offline: b"offline".to_vec(),
        }
    }

    /// `zigbee2mqtt/<name>/availability` with Zigbee2MQTT 2.x's JSON payloads.
    fn z2m(name: &str) -> Avail {
        Avail {
            topic: format!("{Z2M_BASE}/{name}/availability"),
            online: br#"{"state":"online"}"#.to_vec(),
            offline: br#"{"state":"offline"}"#.to_vec(),
        }
    }
}

/// What the per-system builders add up to.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parts {
    lamps: Vec<Lamp>,
    announcements: Vec<Announcement>,
    avail: Vec<Avail>,
    announced_on: HashMap<usize, String>,
    z2m_devices: Vec<u8>,
    z2m_groups: Vec<u8>,
    groups: Vec<z2m_groups::Group>,
}

impl Parts {
    /// A lamp with its discovery config.
    fn add_config(&mut self, topic: String, config: Value, lamp: Lamp) {
        self.describe(self.lamps.len(), &topic);
        self.announcements.push(Announcement {
            topic,
            payload: config.to_string().into_bytes(),
        });
        self.lamps.push(lamp);
    }

    /// Notes where lamp `i` is announced, for the banner.
    fn describe(&mut self, i: usize, topic: &str) {
        self.announced_on.insert(i, topic.to_string());
    }
}

/// What one message did: the addressed lamp's reply, and other lamps whose state changed
/// because of it (a group's members, a member's groups), to be published too.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Outcome {
    /// The addressed lamp's answer.
    pub reply: Reply,
    /// Indices of further lamps to publish.
    pub cascade: Vec<usize>,
}

/// Every lamp plus what is needed to announce and address them.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// The lamps: seed lamps first, then Home Assistant, then Zigbee2MQTT (the group last).
    pub lamps: Vec<Lamp>,
    /// Number of rooms the seed lamps are spread over.
    pub rooms: usize,
    /// Zigbee2MQTT groups.
    pub groups: Vec<z2m_groups::Group>,
    routes: HashMap<String, (usize, Role)>,
    announcements: Vec<Announcement>,
    avail: Vec<Avail>,
    announced_on: HashMap<usize, String>,
    z2m_devices: Vec<u8>,
    z2m_groups: Vec<u8>,
}

impl Fleet {
    /// `seed_lamps` seed lamps spread round-robin over `rooms` rooms (at least one), plus the
    /// Home Assistant and Zigbee2MQTT lamps (the same set whatever the flags). Lamp `i` lives
    /// in room `i % rooms`, so the default 12 lamps in 4 rooms give three per room:
    /// `kitchen/ceiling`, `living/sofa`, ...
    pub fn new(seed_lamps: usize, rooms: usize) -> Fleet {
        let rooms = rooms.max(1);
        let mut parts = Parts::default();
        for i in 0..seed_lamps {
            let (room, slot) = (i % rooms, i / rooms);
            let light = Light {
                on: i % 3 != 2,
                brightness: 40 + ((i * 53) % 216) as u16,
                color: Some(Color::Rgb(names::PALETTE[i % names::PALETTE.len()])),
                color_temp: None,
                mode: Mode::Color,
                effect: None,
            };
            parts.lamps.push(Lamp::seed(
                &room_name(room),
                &names::lamp_name(room, slot),
                light,
            ));
        }
        ha::build(&mut parts);
        ha_device::build(&mut parts);
        z2m::build(&mut parts);
        tasmota::build(&mut parts);
        wled::build(&mut parts);
        shelly::build(&mut parts);
        let mut routes = HashMap::new();
        for (i, lamp) in parts.lamps.iter().enumerate() {
            routes.insert(lamp.command_topic.clone(), (i, Role::Command));
            if let Some(get) = &lamp.get_topic {
                routes.insert(get.clone(), (i, Role::Get));
            }
            for (topic, role) in &lamp.other_topics {
                routes.insert(topic.clone(), (i, *role));
            }
        }
        Fleet {
            lamps: parts.lamps,
            rooms,
            groups: parts.groups,
            routes,
            announcements: parts.announcements,
            avail: parts.avail,
            announced_on: parts.announced_on,
            z2m_devices: parts.z2m_devices,
            z2m_groups: parts.z2m_groups,
        }
    }

    /// Which lamp (and which of its topics) a message on `topic` is for.
    /// Tasmota listens on `cmnd/<t>/#` and takes command names in any case, so its
    /// commands are routed by their parent topic (`cmnd/<t>/+`).
    pub fn route(&self, topic: &str) -> Option<(usize, Role)> {
        if let Some(r) = self.routes.get(topic) {
            return Some(*r);
        }
        let (parent, command) = topic.rsplit_once('/')?;
        let (i, _) = *self.routes.get(&format!("{parent}/+"))?;
        (self.lamps[i].kind == Kind::Tasmota).then(|| {
            (
                i,
                Role::Tasmota(crate::lamp::tasmota::command_index(command)),
            )
        })
    }

    /// The lamps a broadcast topic reaches (Shelly Gen1's `shellies/command`), with the role
    /// it plays for each; empty for other topics.
    pub fn broadcast(&self, topic: &str) -> Vec<(usize, Role)> {
        if topic != crate::lamp::shelly::BROADCAST {
            return Vec::new();
        }
        (0..self.lamps.len())
            .filter(|&i| self.lamps[i].kind == Kind::ShellyGen1)
            .map(|i| (i, Role::ShellyDevice))
            .collect()
    }

    /// Lamp `i` answers `payload` on its `role` topic; Zigbee2MQTT groups and their members
    /// update each other as Zigbee2MQTT does (see [`z2m`]).
    pub fn handle(&mut self, i: usize, role: Role, payload: &[u8]) -> Outcome {
        let reply = self.lamps[i].handle(role, payload);
        let mut cascade = Vec::new();
        if reply.accepted && role != Role::Get && reply.publish.is_some() {
            match self.lamps[i].kind {
                Kind::Zigbee2MqttGroup => {
                    cascade = z2m_groups::group_commanded(
                        &mut self.lamps,
                        &self.groups,
                        i,
                        role,
                        payload,
                    );
                }
                Kind::Zigbee2Mqtt => {
                    let touched = z2m_groups::touched(&self.lamps[i], role, payload);
                    cascade = z2m_groups::member_changed(&mut self.lamps, &self.groups, i, touched);
                }
                _ => {}
            }
        }
        Outcome { reply, cascade }
    }

    /// Lamp `i` changed by itself (a wall switch): the other lamps to publish (its groups).
    pub fn changed_outside(&mut self, i: usize) -> Vec<usize> {
        if !z2m_groups::is_device(&self.lamps[i]) {
            return Vec::new();
        }
        let touched = vec![(0, z2m_groups::ALL_PROPS.to_vec())];
        z2m_groups::member_changed(&mut self.lamps, &self.groups, i, touched)
    }

    /// How many lamps of a kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.lamps.iter().filter(|l| l.kind == kind).count()
    }

    /// Filters lampsim subscribes to: the seed wildcard plus every command and get topic of
    /// the other lamps (exact topics, so nothing else reaches lampsim).
    pub fn subscriptions(&self) -> Vec<String> {
        let mut filters = Vec::new();
        if self.count(Kind::Seed) > 0 {
            filters.push(SEED_FILTER.to_string());
        }
        for lamp in self.lamps.iter().filter(|l| l.kind != Kind::Seed) {
            filters.push(lamp.command_topic.clone());
            filters.extend(lamp.get_topic.clone());
            filters.extend(lamp.other_topics.iter().map(|(t, _)| t.clone()));
        }
        if self.count(Kind::ShellyGen1) > 0 {
            filters.push(crate::lamp::shelly::BROADCAST.to_string());
        }
        filters
    }

    /// Retained messages published (before the lamp states) on every connect: HA discovery
    /// configs (and the pendant's sensor value), availability, Zigbee2MQTT's bridge state,
    /// device list and group list.
    pub fn announcements(&self) -> Vec<Announcement> {
        let mut out = self.announcements.clone();
        out.extend(self.availability(true));
        out.push(Announcement {
            topic: format!("{Z2M_BASE}/bridge/devices"),
            payload: self.z2m_devices.clone(),
        });
        out.push(Announcement {
            topic: format!("{Z2M_BASE}/bridge/groups"),
            payload: self.z2m_groups.clone(),
        });
        out
    }

    /// Availability messages, published retained at start (online) and stop (offline) so
    /// the app can grey out lamps when lampsim is gone: every HA lamp's availability topic,
    /// lampsim's own `lampsim/bridge/state`, Zigbee2MQTT's bridge state and each Zigbee
    /// device's `availability`.
    pub fn availability(&self, online: bool) -> Vec<Announcement> {
        let word = if online { "online" } else { "offline" };
        let mut out: Vec<Announcement> = self
            .avail
            .iter()
            .map(|a| Announcement {
                topic: a.topic.clone(),
                payload: if online { &a.online } else { &a.offline }.clone(),
            })
            .collect();
        let state = json!({ "state": word }).to_string().into_bytes();
        out.push(Announcement {
            topic: ha::BRIDGE_STATE.to_string(),
            payload: state.clone(),
        });
        out.push(Announcement {
            topic: format!("{Z2M_BASE}/bridge/state"),
            payload: state,
        });
        out
    }

    /// The topic of the flapping porch light's own availability (`online`/`offline`).
    pub fn flaky_topic(&self) -> String {
        format!("lampsim/{}/availability", ha::FLAKY_ID)
    }

    /// One line per lamp that is not a seed lamp, for the start banner: kind, name, where it
    /// is announced, its state topic and the topics it takes commands on.
    pub fn directory(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (i, lamp) in self.lamps.iter().enumerate() {
            if lamp.kind == Kind::Seed {
                continue;
            }
            let mut commands = vec![lamp.command_topic.clone()];
            commands.extend(lamp.other_topics.iter().map(|(t, _)| t.clone()));
            commands.extend(lamp.get_topic.clone());
            lines.push(format!(
                "{:<4} {:<16} {} -> state {} ; commands {}",
                lamp.kind.label(),
                lamp.name,
                self.announced_on.get(&i).map_or("", String::as_str),
                lamp.state_topic,
                commands.join(" "),
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_house_has_three_lamps_per_room_with_real_names() {
        let fleet = Fleet::new(12, 4);
        assert_eq!(fleet.count(Kind::Seed), 12);
        assert_eq!(
            fleet.count(Kind::HomeAssistant),
            4,
            "desk, reading, porch, pendant"
        );
        assert_eq!(fleet.count(Kind::HaDefault), 1);
        assert_eq!(fleet.count(Kind::HaTemplate), 1);
        assert_eq!(
            fleet.count(Kind::Zigbee2Mqtt),
            3,
            "two bulbs and the dimmer"
        );
        assert_eq!(fleet.count(Kind::Zigbee2MqttGroup), 1);
        assert_eq!(
            fleet.count(Kind::Tasmota),
            2,
            "the bulb and the two-channel controller"
        );
        assert_eq!(fleet.count(Kind::Wled), 1);
        let ann = fleet.announcements();
        let find = |t: &str| ann.iter().find(|a| a.topic == t).map(|a| a.payload.clone());
        let cfg: Value =
            serde_json::from_slice(&find("tasmota/discovery/A4CF12D4E5F6/config").unwrap())
                .unwrap();
        assert_eq!(
            (cfg["t"].clone(), cfg["fn"][1].clone()),
            (json!("tasmota_D4E5F6"), json!("Cabinet Right"))
        );
        assert!(find("tasmota/discovery/A4CF12A1B2C3/sensors").is_some());
        assert_eq!(
            find("tele/tasmota_A1B2C3/LWT").as_deref(),
            Some(&b"Online"[..])
        );
        assert_eq!(find("wled/5c3f1a/status").as_deref(), Some(&b"online"[..]));
        let off = fleet.availability(false);
        assert!(off
            .iter()
            .any(|a| a.topic == "tele/tasmota_D4E5F6/LWT" && a.payload == b"Offline"));
        let names: Vec<&str> = fleet.lamps.iter().map(|l| l.name.as_str()).collect();
        for expected in [
            "kitchen/ceiling",
            "kitchen/counter",
            "kitchen/island",
            "living/sofa",
            "bedroom/bedside-left",
            "office/shelf",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        for room in ["kitchen", "living", "bedroom", "office"] {
            let n = fleet
                .lamps
                .iter()
                .filter(|l| {
                    l.state_topic
                        .starts_with(&format!("smarthome/{room}/lamps/"))
                })
                .count();
            assert_eq!(n, 3, "{room}");
        }
    }

    #[test]
    fn any_size_gives_unique_topics() {
        for (lamps, rooms) in [(0, 1), (1, 1), (1000, 1), (1500, 20), (7, 0)] {
            let fleet = Fleet::new(lamps, rooms);
            let mut topics: Vec<&str> =
                fleet.lamps.iter().map(|l| l.state_topic.as_str()).collect();
            topics.sort_unstable();
            let before = topics.len();
            topics.dedup();
            assert_eq!(topics.len(), before, "{lamps} lamps in {rooms} rooms");
            assert_eq!(fleet.count(Kind::Seed), lamps);
        }
        assert_eq!(room_name(12), "room-13");
    }

    #[test]
    fn routes_reach_the_right_lamp_and_role() {
        let fleet = Fleet::new(12, 4);
        let (i, role) = fleet.route("smarthome/kitchen/lamps/ceiling").unwrap();
        assert_eq!(
            (fleet.lamps[i].name.as_str(), role),
            ("kitchen/ceiling", Role::Command)
        );
        let (i, role) = fleet.route("zigbee2mqtt/hallway/ceiling/get").unwrap();
        assert_eq!(
            (fleet.lamps[i].name.as_str(), role),
            ("hallway/ceiling", Role::Get)
        );
        let (i, _) = fleet.route("lampsim/lampsim_desk_strip/set").unwrap();
        assert_eq!(fleet.lamps[i].kind, Kind::HomeAssistant);
        assert_eq!(
            fleet.route("zigbee2mqtt/hallway/ceiling"),
            None,
            "state topics are not routes"
        );
        assert_eq!(fleet.route("smarthome/kitchen/lamps/nope"), None);
        let subs = fleet.subscriptions();
        assert_eq!(subs[0], SEED_FILTER);
        assert!(subs.contains(&"zigbee2mqtt/bedroom/bedside/set".to_string()));
        // seed filter, 4 HA JSON, 5 Tasmota topics, 1 template, 3 Z2M devices with /set and
        // /get, the dimmer's 2 endpoint topics, the group's /set and /get.
        // Then Tasmota's two `cmnd/<t>/+` and WLED's device topic, `/col` and `/api`; two
        // Shelly Gen1 channels' /command, /set and device command, the Gen2 /rpc,
        // `shellies/command`.
        assert_eq!(
            subs.len(),
            1 + 4 + 5 + 1 + 3 * 2 + 2 + 2 + 2 + 3 + 2 * 3 + 1 + 1
        );
        assert!(subs.contains(&"cmnd/tasmota_A1B2C3/+".to_string()));
        // Tasmota takes command names in any case.
        let (i, role) = fleet.route("cmnd/tasmota_A1B2C3/dimmer").unwrap();
        let dimmer = crate::lamp::tasmota::command_index("Dimmer");
        assert_eq!(
            (fleet.lamps[i].kind, role),
            (Kind::Tasmota, Role::Tasmota(dimmer))
        );
        let (_, role) = fleet.route("cmnd/tasmota_D4E5F6/Frobnicate").unwrap();
        assert_eq!(role, Role::Tasmota(crate::lamp::tasmota::UNKNOWN));
        assert_eq!(fleet.route("stat/tasmota_A1B2C3/RESULT"), None);
        let (i, role) = fleet.route("wled/5c3f1a/api").unwrap();
        assert_eq!((fleet.lamps[i].kind, role), (Kind::Wled, Role::WledApi));
        assert_eq!(fleet.route("wled/5c3f1a/col").unwrap().1, Role::Rgb);
        assert_eq!(fleet.route("wled/5c3f1a").unwrap().1, Role::Command);
        let (i, role) = fleet
            .route("shellies/shellyrgbw2-4A1B2C/color/0/set")
            .unwrap();
        assert_eq!(
            (fleet.lamps[i].kind, role),
            (Kind::ShellyGen1, Role::ShellySet)
        );
        let (i, _) = fleet.route("shellyplusrgbwpm-a0b1c2d3e4f5/rpc").unwrap();
        assert_eq!(fleet.lamps[i].kind, Kind::ShellyGen2);
        let all = fleet.broadcast("shellies/command");
        assert_eq!(all.len(), 2, "both Gen1 devices hear the broadcast");
        assert!(fleet.broadcast("shellies/announce").is_empty());
        let (i, role) = fleet.route("cmnd/lampsim_tasmota_bulb/Dimmer").unwrap();
        assert_eq!(
            (fleet.lamps[i].kind, role),
            (Kind::HaDefault, Role::Brightness)
        );
        let (i, role) = fleet.route("zigbee2mqtt/living/dimmer/l2/set").unwrap();
        assert_eq!(
            (fleet.lamps[i].name.as_str(), role),
            ("living/dimmer", Role::EndpointSet(1))
        );
        let (i, _) = fleet.route("zigbee2mqtt/house/all/set").unwrap();
        assert_eq!(fleet.lamps[i].kind, Kind::Zigbee2MqttGroup);
    }

    #[test]
    fn announcements_are_well_formed() {
        let fleet = Fleet::new(3, 1);
        let ann = fleet.announcements();
        let configs: Vec<&Announcement> = ann
            .iter()
            .filter(|a| a.topic.starts_with("homeassistant/light/"))
            .collect();
        assert_eq!(configs.len(), 5);
        for c in configs {
            assert!(c.topic.ends_with("/config"));
            let v: Value = serde_json::from_slice(&c.payload).unwrap();
            let command = v["command_topic"].as_str().unwrap();
            assert!(fleet.route(command).is_some(), "{command}");
            match v["schema"].as_str() {
                Some("json") => assert!(v["supported_color_modes"]
                    .as_array()
                    .is_some_and(|m| !m.is_empty())),
                Some("template") => assert!(v["command_on_template"].is_string()),
                None => assert!(v["payload_on"].is_number()),
                Some(other) => panic!("schema {other}"),
            }
        }
        assert!(ann
            .iter()
            .any(|a| a.topic == "homeassistant/device/lampsim_pendant/config"));
        let groups = ann
            .iter()
            .find(|a| a.topic == "zigbee2mqtt/bridge/groups")
            .unwrap();
        let g: Value = serde_json::from_slice(&groups.payload).unwrap();
        assert_eq!(g[0]["friendly_name"], "house/all");
        assert_eq!(g[0]["members"].as_array().map(Vec::len), Some(4));
        assert!(ann
            .iter()
            .any(|a| a.topic == "zigbee2mqtt/living/dimmer/availability"
                && a.payload == br#"{"state":"online"}"#));
        assert!(ann
            .iter()
            .any(|a| a.topic == "tele/lampsim_tasmota_bulb/LWT" && a.payload == b"Online"));
        let devices = ann
            .iter()
            .find(|a| a.topic == "zigbee2mqtt/bridge/devices")
            .unwrap();
        let v: Value = serde_json::from_slice(&devices.payload).unwrap();
        let lights = v
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["definition"]["exposes"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|x| x["type"] == "light"))
            })
            .count();
        assert_eq!(lights, 3);
        assert!(ann.iter().any(
            |a| a.topic == "lampsim/lampsim_desk_strip/availability" && a.payload == b"online"
        ));
        assert!(fleet.availability(false).iter().all(|a| {
            let p = String::from_utf8_lossy(&a.payload).to_lowercase();
            p.contains("offline") || p == "false"
        }));
        assert!(ann
            .iter()
            .any(|a| a.topic == "shellyplusrgbwpm-a0b1c2d3e4f5/online" && a.payload == b"true"));
        assert!(
            !ann.iter().any(|a| a.topic == "shellies/announce"),
            "Gen1 announces only when asked, unretained"
        );
    }

    fn lamp<'a>(fleet: &'a Fleet, name: &str) -> (usize, &'a Lamp) {
        fleet
            .lamps
            .iter()
            .enumerate()
            .find(|(_, l)| l.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    }

    #[test]
    fn a_group_command_reaches_every_member_endpoint() {
        let mut fleet = Fleet::new(0, 1);
        let (g, _) = lamp(&fleet, "house/all");
        let out = fleet.handle(g, Role::Command, br#"{"state":"ON","brightness":77}"#);
        assert_eq!(
            String::from_utf8(out.reply.publish.unwrap()).unwrap(),
            r#"{"brightness":77,"state":"ON"}"#
        );
        let names: Vec<&str> = out
            .cascade
            .iter()
            .map(|&i| fleet.lamps[i].name.as_str())
            .collect();
        assert_eq!(
            names,
            ["hallway/ceiling", "bedroom/bedside", "living/dimmer"]
        );
        let (_, d) = lamp(&fleet, "living/dimmer");
        let state: Value = serde_json::from_slice(&d.state_payload()).unwrap();
        assert_eq!(
            (
                state["state_l1"].clone(),
                state["state_l2"].clone(),
                state["brightness_l2"].clone()
            ),
            (json!("ON"), json!("ON"), json!(77))
        );
        let (_, bulb) = lamp(&fleet, "hallway/ceiling");
        assert_eq!((bulb.light.on, bulb.light.brightness), (true, 77));
        // An effect goes to the group, which reports nothing for it.
        let out = fleet.handle(g, Role::Command, br#"{"effect":"okay"}"#);
        assert!(out.reply.accepted && out.reply.publish.is_none() && out.cascade.is_empty());
    }

    #[test]
    fn members_update_their_group_and_off_waits_for_the_last() {
        let mut fleet = Fleet::new(0, 1);
        let (g, _) = lamp(&fleet, "house/all");
        fleet.handle(g, Role::Command, br#"{"state":"ON"}"#);
        let (h, _) = lamp(&fleet, "hallway/ceiling");
        let out = fleet.handle(h, Role::Command, br#"{"brightness":20}"#);
        assert_eq!(out.cascade, [g]);
        assert_eq!(fleet.lamps[g].light.brightness, 20);
        // OFF from one member while others are on: the group stays ON.
        let out = fleet.handle(h, Role::Command, br#"{"state":"OFF"}"#);
        assert!(out.cascade.is_empty());
        assert!(fleet.lamps[g].light.on);
        let (b, _) = lamp(&fleet, "bedroom/bedside");
        let (d, _) = lamp(&fleet, "living/dimmer");
        fleet.handle(b, Role::Command, b"OFF");
        fleet.handle(d, Role::Command, br#"{"state_l1":"OFF"}"#);
        let out = fleet.handle(d, Role::EndpointSet(1), br#"{"state":"OFF"}"#);
        assert_eq!(out.cascade, [g], "the last member off turns the group off");
        assert!(!fleet.lamps[g].light.on);
        let out = fleet.handle(d, Role::Command, br#"{"state_l2":"ON"}"#);
        assert_eq!(out.cascade, [g]);
        assert!(fleet.lamps[g].light.on);
    }

    #[test]
    fn the_banner_lists_every_lamp_beyond_the_seed_topics() {
        let fleet = Fleet::new(12, 4);
        let lines = fleet.directory().join("\n");
        for needle in [
            "homeassistant/light/lampsim_tasmota_bulb/config",
            "cmnd/lampsim_tasmota_bulb/Scheme",
            "homeassistant/light/lampsim_template_lamp/config",
            "homeassistant/device/lampsim_pendant/config",
            "homeassistant/light/lampsim_porch_light/config",
            "zigbee2mqtt/living/dimmer/l1/set",
            "zigbee2mqtt/bridge/groups -> state zigbee2mqtt/house/all",
        ] {
            assert!(lines.contains(needle), "{needle} in\n{lines}");
        }
        assert_eq!(fleet.directory().len(), fleet.lamps.len() - 12);
    }

    #[test]
    fn a_wall_switch_on_a_member_reaches_its_group_only() {
        let mut fleet = Fleet::new(1, 1);
        let (g, _) = lamp(&fleet, "house/all");
        let (h, _) = lamp(&fleet, "hallway/ceiling");
        fleet.lamps[h].apply_change(crate::lamp::Change::Brightness(33));
        assert_eq!(fleet.changed_outside(h), [g]);
        assert_eq!(
            (fleet.lamps[g].light.on, fleet.lamps[g].light.brightness),
            (true, 33)
        );
        assert!(
            fleet.changed_outside(0).is_empty(),
            "a seed lamp is in no group"
        );
        assert!(
            !fleet.lamps[g].apply_change(crate::lamp::Change::Toggle),
            "groups never change by themselves"
        );
    }
}
