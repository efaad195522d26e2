//! Zigbee2MQTT's side of the house: `bridge/devices` (coordinator, the two bulbs, the
//! two-channel dimmer `living/dimmer`, a motion sensor), `bridge/groups` (`house/all`, see
//! [`super::z2m_groups`]) and each device's `availability` (`{"state":"online"}`, the 2.x
//! form).

use serde_json::{json, Value};

use super::z2m_groups::{groups_json, Group, Member};
use super::{Avail, Parts, Z2M_BASE};
use crate::color::Color;
use crate::lamp::{Features, Lamp, Light, Mode};

/// The effect enum of the bulbs (Zigbee's Identify "trigger effect").
pub const EFFECTS: &[&str] = &[
    "blink",
    "breathe",
    "okay",
    "channel_change",
    "finish_effect",
    "stop_effect",
];

/// The two-channel dimmer's friendly name.
pub const DIMMER: &str = "living/dimmer";
const DIMMER_IEEE: &str = "0x00124b0024c1d2e3";
/// The group's friendly name.
pub const GROUP: &str = "house/all";

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
                ..Features::default()
            }
            .with_effects(EFFECTS),
            light: Light {
                on: true,
                brightness: 180,
                color: Some(Color::Xy {
                    x: 0.4575,
                    y: 0.4099,
                }),
                color_temp: Some(370),
                mode: Mode::Color,
                effect: None,
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
                ..Features::default()
            }
            .with_effects(EFFECTS),
            light: Light {
                on: false,
                brightness: 90,
                color: None,
                color_temp: Some(454),
                mode: Mode::ColorTemp,
                effect: None,
            },
            linkquality: 87,
        },
    ]
}

/// The HZC Electric D086-ZG dual dimmer as Zigbee2MQTT exposes it: two `light` exposes with
/// `endpoint` `l1`/`l2`, whose features carry the endpoint and a suffixed property.
fn dimmer_device() -> Value {
    let light = |ep: &str| {
        json!({
            "type": "light",
            "endpoint": ep,
            "features": [
                {"type": "binary", "name": "state", "property": format!("state_{ep}"), "access": 7,
                 "value_on": "ON", "value_off": "OFF", "value_toggle": "TOGGLE",
                 "description": "On/off state of this light", "endpoint": ep},
                {"type": "numeric", "name": "brightness", "property": format!("brightness_{ep}"),
                 "access": 7, "value_min": 0, "value_max": 254,
                 "description": "Brightness of this light", "endpoint": ep},
            ],
        })
    };
    json!({
        "friendly_name": DIMMER,
        "ieee_address": DIMMER_IEEE,
        "type": "Router",
        "network_address": 48_879,
        "power_source": "Mains (single phase)",
        "supported": true,
        "disabled": false,
        "interview_completed": true,
        "interviewing": false,
        "endpoints": {
            "1": {"bindings": [], "clusters": {"input": ["genBasic", "genOnOff", "genLevelCtrl"], "output": []}},
            "2": {"bindings": [], "clusters": {"input": ["genOnOff", "genLevelCtrl"], "output": []}},
        },
        "definition": {
            "vendor": "HZC Electric",
            "model": "D086-ZG",
            "description": "Zigbee dual dimmer",
            "supports_ota": false,
            "exposes": [
                light("l1"),
                light("l2"),
                {"type": "numeric", "name": "linkquality", "property": "linkquality", "access": 1,
                 "unit": "lqi", "value_min": 0, "value_max": 255},
            ],
        },
    })
}

/// Adds the Zigbee2MQTT devices and the group to `parts`.
pub(super) fn build(parts: &mut Parts) {
    let specs = z2m_specs();
    parts.z2m_devices = bridge_devices(&specs).to_string().into_bytes();
    let mut members = Vec::new();
    for spec in &specs {
        members.push(Member {
            lamp: parts.lamps.len(),
            endpoint: 0,
            ieee: spec.ieee.to_string(),
            // Hue bulbs have their light on endpoint 11, most others on 1.
            zigbee_endpoint: if spec.vendor == "Philips" { 11 } else { 1 },
        });
        parts.avail.push(Avail::z2m(spec.friendly_name));
        parts.describe(parts.lamps.len(), "zigbee2mqtt/bridge/devices");
        parts.lamps.push(Lamp::zigbee2mqtt(
            Z2M_BASE,
            spec.friendly_name,
            spec.features.clone(),
            spec.light.clone(),
            spec.linkquality,
        ));
    }
    let dimmer = Lamp::zigbee2mqtt_multi(
        Z2M_BASE,
        DIMMER,
        Features::new(254, false, None),
        &[
            ("l1", Light::dimmed(true, 200)),
            ("l2", Light::dimmed(false, 60)),
        ],
        118,
    );
    for (i, _) in dimmer.endpoints.iter().enumerate() {
        members.push(Member {
            lamp: parts.lamps.len(),
            endpoint: i,
            ieee: DIMMER_IEEE.to_string(),
            zigbee_endpoint: i as u8 + 1,
        });
    }
    parts.avail.push(Avail::z2m(DIMMER));
    parts.avail.push(Avail::z2m("hallway/motion"));
    parts.describe(parts.lamps.len(), "zigbee2mqtt/bridge/devices");
    parts.lamps.push(dimmer);

    let group_light = Light {
        on: members.iter().any(|m| {
            parts.lamps[m.lamp]
                .endpoint_light(m.endpoint)
                .is_some_and(|l| l.on)
        }),
        ..Light::dimmed(false, 180)
    };
    let group = Lamp::zigbee2mqtt_group(
        Z2M_BASE,
        GROUP,
        Features::new(254, true, Some((153, 500))).with_effects(EFFECTS),
        group_light,
    );
    let g = Group {
        lamp: parts.lamps.len(),
        id: 1,
        friendly_name: GROUP.to_string(),
        members,
    };
    parts.z2m_groups = groups_json(std::slice::from_ref(&g))
        .to_string()
        .into_bytes();
    parts.describe(parts.lamps.len(), "zigbee2mqtt/bridge/groups");
    parts.lamps.push(group);
    parts.groups.push(g);
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
fn bridge_devices(specs: &[Z2mSpec]) -> Value {
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
                     "values": EFFECTS},
                    {"type": "numeric", "name": "linkquality", "property": "linkquality", "access": 1,
                     "unit": "lqi", "value_min": 0, "value_max": 255},
                ],
            },
        }));
    }
    devices.push(dimmer_device());
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
