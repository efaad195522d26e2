//! The simulated house: which lamps exist, their names and first states, the retained
//! announcements that make them discoverable, and which topic reaches which lamp. Pure and
//! deterministic (the same flags give the same house), so tests and screenshots are stable.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::color::{Color, Rgb};
use crate::lamp::{Features, Kind, Lamp, Light, Mode, Role};

/// Rooms in the order `--rooms N` takes them; beyond the list rooms are numbered.
const ROOMS: &[(&str, &[&str])] = &[
    (
        "kitchen",
        &["ceiling", "counter", "island", "pantry", "window"],
    ),
    (
        "living",
        &["sofa", "ceiling", "reading", "tv-backlight", "shelf"],
    ),
    (
        "bedroom",
        &[
            "bedside-left",
            "bedside-right",
            "ceiling",
            "wardrobe",
            "mirror",
        ],
    ),
    (
        "office",
        &["desk", "ceiling", "shelf", "monitor-bar", "plant"],
    ),
    ("bathroom", &["mirror", "ceiling", "shower", "night"]),
    ("hallway", &["entrance", "ceiling", "stairs", "coat-rack"]),
    ("dining", &["pendant", "sideboard", "ceiling", "candle"]),
    ("kids", &["ceiling", "night", "desk", "star-projector"]),
    ("garage", &["ceiling", "workbench", "door"]),
    ("garden", &["path", "terrace", "pond", "fence"]),
    ("attic", &["ceiling", "desk", "window"]),
    ("laundry", &["ceiling", "shelf"]),
];

/// First colours of seed lamps, cycled: what a lived-in house might show.
const PALETTE: &[Rgb] = &[
    Rgb::new(0, 255, 255),
    Rgb::new(255, 180, 107),
    Rgb::new(255, 147, 41),
    Rgb::new(180, 0, 255),
    Rgb::new(255, 60, 60),
    Rgb::new(60, 255, 120),
    Rgb::new(255, 255, 255),
    Rgb::new(80, 120, 255),
];

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

/// Room name for index `i`.
pub fn room_name(i: usize) -> String {
    ROOMS
        .get(i)
        .map_or_else(|| format!("room-{}", i + 1), |(r, _)| (*r).to_string())
}

/// Lamp name for slot `slot` in room `room`.
fn lamp_name(room: usize, slot: usize) -> String {
    ROOMS
        .get(room)
        .and_then(|(_, names)| names.get(slot))
        .map_or_else(|| format!("lamp-{}", slot + 1), |n| (*n).to_string())
}

/// Home Assistant lamp descriptions: (object id, name, area, model, features, first state).
struct HaSpec {
    object_id: &'static str,
    name: &'static str,
    area: &'static str,
    model: &'static str,
    features: Features,
    light: Light,
}

fn ha_specs() -> Vec<HaSpec> {
    vec![
        HaSpec {
            object_id: "lampsim_desk_strip",
            name: "Desk Strip",
            area: "Office",
            model: "RGB LED strip (ESPHome)",
            features: Features {
                brightness_max: 255,
                color: true,
                color_temp: None,
            },
            light: Light {
                on: true,
                brightness: 200,
                color: Some(Color::Rgb(Rgb::new(255, 0, 128))),
                color_temp: None,
                mode: Mode::Color,
            },
        },
        HaSpec {
            object_id: "lampsim_reading_lamp",
            name: "Reading Lamp",
            area: "Living",
            model: "Tunable white bulb (ESPHome)",
            features: Features {
                brightness_max: 255,
                color: false,
                color_temp: Some((153, 454)),
            },
            light: Light {
                on: false,
                brightness: 150,
                color: None,
                color_temp: Some(370),
                mode: Mode::ColorTemp,
            },
        },
    ]
}

struct Z2mSpec {
    friendly_name: &'static str,
    ieee: &'static str,
    vendor: &'static str,
    model: &'static str,
    description: &'static str,
    features: Features,
    light: Light,
    linkquality: u8,
}

fn z2m_specs() -> Vec<Z2mSpec> {
    vec![
        Z2mSpec {
            friendly_name: "hallway/ceiling",
            ieee: "0x0017880106a1b2c3",
            vendor: "Philips",
            model: "9290022166",
            description: "Hue white and color ambiance E26/E27",
            features: Features {
                brightness_max: 254,
                color: true,
                color_temp: Some((153, 500)),
            },
            light: Light {
                on: true,
                brightness: 180,
                color: Some(Color::Xy {
                    x: 0.4575,
                    y: 0.4099,
                }),
                color_temp: Some(370),
                mode: Mode::Color,
            },
            linkquality: 142,
        },
        Z2mSpec {
            friendly_name: "bedroom/bedside",
            ieee: "0x000b57fffec6a5b2",
            vendor: "IKEA",
            model: "LED1545G12",
            description: "TRADFRI bulb E26/E27, white spectrum, globe, opal, 980 lm",
            features: Features {
                brightness_max: 254,
                color: false,
                color_temp: Some((250, 454)),
            },
            light: Light {
                on: false,
                brightness: 90,
                color: None,
                color_temp: Some(454),
                mode: Mode::ColorTemp,
            },
            linkquality: 87,
        },
    ]
}

/// Every lamp plus what is needed to announce and address them.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// The lamps: seed lamps first, then Home Assistant, then Zigbee2MQTT.
    pub lamps: Vec<Lamp>,
    /// Number of rooms the seed lamps are spread over.
    pub rooms: usize,
    routes: HashMap<String, (usize, Role)>,
    ha_configs: Vec<Announcement>,
    z2m_devices: Vec<u8>,
}

impl Fleet {
    /// `seed_lamps` seed lamps spread round-robin over `rooms` rooms (at least one), plus the
    /// two Home Assistant and two Zigbee2MQTT lamps. Lamp `i` lives in room `i % rooms`, so
    /// the default 12 lamps in 4 rooms give three per room: `kitchen/ceiling`,
    /// `living/sofa`, ...
    pub fn new(seed_lamps: usize, rooms: usize) -> Fleet {
        let rooms = rooms.max(1);
        let mut lamps = Vec::new();
        for i in 0..seed_lamps {
            let (room, slot) = (i % rooms, i / rooms);
            let light = Light {
                on: i % 3 != 2,
                brightness: 40 + ((i * 53) % 216) as u16,
                color: Some(Color::Rgb(PALETTE[i % PALETTE.len()])),
                color_temp: None,
                mode: Mode::Color,
            };
            lamps.push(Lamp::seed(&room_name(room), &lamp_name(room, slot), light));
        }
        let mut ha_configs = Vec::new();
        for spec in ha_specs() {
            let base = format!("lampsim/{}", spec.object_id);
            let lamp = Lamp::home_assistant(
                spec.name,
                &format!("{base}/state"),
                &format!("{base}/set"),
                spec.features.clone(),
                spec.light.clone(),
            );
            ha_configs.push(Announcement {
                topic: format!("{HA_PREFIX}/light/{}/config", spec.object_id),
                payload: ha_config(&spec, &lamp).to_string().into_bytes(),
            });
            lamps.push(lamp);
        }
        let specs = z2m_specs();
        let z2m_devices = z2m_bridge_devices(&specs).to_string().into_bytes();
        for spec in specs {
            lamps.push(Lamp::zigbee2mqtt(
                Z2M_BASE,
                spec.friendly_name,
                spec.features,
                spec.light,
                spec.linkquality,
            ));
        }
        let mut routes = HashMap::new();
        for (i, lamp) in lamps.iter().enumerate() {
            routes.insert(lamp.command_topic.clone(), (i, Role::Command));
            if let Some(get) = &lamp.get_topic {
                routes.insert(get.clone(), (i, Role::Get));
            }
        }
        Fleet {
            lamps,
            rooms,
            routes,
            ha_configs,
            z2m_devices,
        }
    }

    /// Which lamp (and which of its topics) a message on `topic` is for.
    pub fn route(&self, topic: &str) -> Option<(usize, Role)> {
        self.routes.get(topic).copied()
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
        }
        filters
    }

    /// Retained messages published (before the lamp states) on every connect: HA discovery
    /// configs and availability, Zigbee2MQTT's bridge state and device list.
    pub fn announcements(&self) -> Vec<Announcement> {
        let mut out = self.ha_configs.clone();
        out.extend(self.availability(true));
        out.push(Announcement {
            topic: format!("{Z2M_BASE}/bridge/devices"),
            payload: self.z2m_devices.clone(),
        });
        out
    }

    /// Availability messages (`online`/`offline`), published retained at start and stop so
    /// the app can grey out lamps when lampsim is gone.
    pub fn availability(&self, online: bool) -> Vec<Announcement> {
        let word = if online { "online" } else { "offline" };
        let mut out: Vec<Announcement> = self
            .lamps
            .iter()
            .filter(|l| l.kind == Kind::HomeAssistant)
            .map(|l| Announcement {
                topic: availability_topic(l),
                payload: word.as_bytes().to_vec(),
            })
            .collect();
        out.push(Announcement {
            topic: format!("{Z2M_BASE}/bridge/state"),
            payload: json!({ "state": word }).to_string().into_bytes(),
        });
        out
    }
}

/// `lampsim/<object_id>/availability` for a HA lamp whose state topic is
/// `lampsim/<object_id>/state`.
fn availability_topic(lamp: &Lamp) -> String {
    let base = lamp
        .state_topic
        .strip_suffix("/state")
        .unwrap_or(&lamp.state_topic);
    format!("{base}/availability")
}

/// A discovery config as ESPHome-style firmware publishes it: JSON schema, long keys,
/// separate state/command topics, a device block with a suggested area.
fn ha_config(spec: &HaSpec, lamp: &Lamp) -> Value {
    let mut modes = Vec::new();
    if lamp.features.color {
        modes.push("rgb");
    }
    if lamp.features.color_temp.is_some() {
        modes.push("color_temp");
    }
    let mut config = json!({
        "name": spec.name,
        "unique_id": spec.object_id,
        "schema": "json",
        "state_topic": lamp.state_topic,
        "command_topic": lamp.command_topic,
        "availability_topic": availability_topic(lamp),
        "brightness": true,
        "brightness_scale": lamp.features.brightness_max,
        "supported_color_modes": modes,
        "device": {
            "identifiers": [spec.object_id],
            "name": spec.name,
            "manufacturer": "Lampboard lampsim",
            "model": spec.model,
            "suggested_area": spec.area,
        },
    });
    if let (Some((lo, hi)), Some(obj)) = (lamp.features.color_temp, config.as_object_mut()) {
        obj.insert("min_mireds".into(), lo.into());
        obj.insert("max_mireds".into(), hi.into());
    }
    config
}

fn feature(name: &str, extra: Value) -> Value {
    let mut f = json!({
        "access": 7,
        "name": name,
        "property": name,
    });
    if let (Some(f), Value::Object(extra)) = (f.as_object_mut(), extra) {
        f.extend(extra);
    }
    f
}

/// `bridge/devices` as Zigbee2MQTT 1.x/2.x publishes it: the coordinator (no definition), the
/// lights with a `light` expose, and a motion sensor that must not become a lamp.
fn z2m_bridge_devices(specs: &[Z2mSpec]) -> Value {
    let mut devices = vec![json!({
        "friendly_name": "Coordinator",
        "ieee_address": "0x00124b0022813501",
        "type": "Coordinator",
        "network_address": 0,
        "supported": false,
        "disabled": false,
        "interview_completed": true,
        "interviewing": false,
        "definition": null,
    })];
    for (i, spec) in specs.iter().enumerate() {
        let mut features = vec![
            feature(
                "state",
                json!({"type": "binary", "value_on": "ON", "value_off": "OFF", "value_toggle": "TOGGLE",
                       "description": "On/off state of this light"}),
            ),
            feature(
                "brightness",
                json!({"type": "numeric", "value_min": 0, "value_max": spec.features.brightness_max,
                       "description": "Brightness of this light"}),
            ),
        ];
        if let Some((lo, hi)) = spec.features.color_temp {
            features.push(feature(
                "color_temp",
                json!({"type": "numeric", "unit": "mired", "value_min": lo, "value_max": hi,
                       "description": "Color temperature of this light"}),
            ));
        }
        if spec.features.color {
            features.push(json!({
                "type": "composite",
                "name": "color_xy",
                "property": "color",
                "description": "Color of this light in the CIE 1931 color space (x/y)",
                "features": [
                    {"type": "numeric", "name": "x", "property": "x", "access": 7},
                    {"type": "numeric", "name": "y", "property": "y", "access": 7},
                ],
            }));
        }
        devices.push(json!({
            "friendly_name": spec.friendly_name,
            "ieee_address": spec.ieee,
            "type": "Router",
            "network_address": 10_000 + i * 7_919,
            "power_source": "Mains (single phase)",
            "supported": true,
            "disabled": false,
            "interview_completed": true,
            "interviewing": false,
            "definition": {
                "vendor": spec.vendor,
                "model": spec.model,
                "description": spec.description,
                "supports_ota": true,
                "exposes": [
                    {"type": "light", "features": features},
                    {"type": "enum", "name": "effect", "property": "effect", "access": 2,
                     "values": ["blink", "breathe", "okay", "channel_change", "finish_effect", "stop_effect"]},
                    {"type": "numeric", "name": "linkquality", "property": "linkquality", "access": 1,
                     "unit": "lqi", "value_min": 0, "value_max": 255},
                ],
            },
        }));
    }
    devices.push(json!({
        "friendly_name": "hallway/motion",
        "ieee_address": "0x00158d0001a2b3c4",
        "type": "EndDevice",
        "network_address": 31_337,
        "power_source": "Battery",
        "supported": true,
        "disabled": false,
        "interview_completed": true,
        "interviewing": false,
        "definition": {
            "vendor": "Xiaomi",
            "model": "RTCGQ11LM",
            "description": "Aqara human body movement and illuminance sensor",
            "supports_ota": false,
            "exposes": [
                {"type": "binary", "name": "occupancy", "property": "occupancy", "access": 1,
                 "value_on": true, "value_off": false},
                {"type": "numeric", "name": "battery", "property": "battery", "access": 1,
                 "unit": "%", "value_min": 0, "value_max": 100},
            ],
        },
    }));
    Value::Array(devices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_house_has_three_lamps_per_room_with_real_names() {
        let fleet = Fleet::new(12, 4);
        assert_eq!(fleet.count(Kind::Seed), 12);
        assert_eq!(fleet.count(Kind::HomeAssistant), 2);
        assert_eq!(fleet.count(Kind::Zigbee2Mqtt), 2);
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
        assert_eq!(subs.len(), 1 + 2 + 2 * 2);
    }

    #[test]
    fn announcements_are_well_formed() {
        let fleet = Fleet::new(3, 1);
        let ann = fleet.announcements();
        let configs: Vec<&Announcement> = ann
            .iter()
            .filter(|a| a.topic.starts_with("homeassistant/light/"))
            .collect();
        assert_eq!(configs.len(), 2);
        for c in configs {
            assert!(c.topic.ends_with("/config"));
            let v: Value = serde_json::from_slice(&c.payload).unwrap();
            assert_eq!(v["schema"], "json");
            assert!(v["command_topic"].as_str().unwrap().ends_with("/set"));
            assert!(v["supported_color_modes"]
                .as_array()
                .is_some_and(|m| !m.is_empty()));
        }
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
        assert_eq!(lights, 2);
        assert!(ann.iter().any(
            |a| a.topic == "lampsim/lampsim_desk_strip/availability" && a.payload == b"online"
        ));
        assert!(fleet
            .availability(false)
            .iter()
            .all(|a| String::from_utf8_lossy(&a.payload).contains("offline")));
    }
}
