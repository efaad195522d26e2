//! Tasmota devices: an RGBCCT bulb (`lt_st` 5, one relay) and a two-channel PWM controller
//! (SetOption68: each channel a light of its own), each announced by Tasmota's own retained
//! discovery (`tasmota/discovery/<MAC>/config`, plus the `sensors` message Tasmota sends
//! alongside, which is not a light) and its retained `tele/<t>/LWT` `Online`.

use serde_json::json;

use super::{Announcement, Avail, Parts};
use crate::color::{Color, Rgb};
use crate::lamp::tasmota::TasmotaInfo;
use crate::lamp::{Features, Lamp, Light, Mode};

/// The bulb's device topic.
pub const BULB_TOPIC: &str = "tasmota_A1B2C3";
/// The controller's device topic.
pub const CONTROLLER_TOPIC: &str = "tasmota_D4E5F6";

fn add(parts: &mut Parts, lamp: Lamp, names: &[&str]) {
    let Some(info) = lamp.tasmota.clone() else {
        return;
    };
    let config = lamp.tasmota_discovery(names);
    parts.avail.push(Avail {
        topic: format!("tele/{}/LWT", info.topic),
        online: b"Online".to_vec(),
        offline: b"Offline".to_vec(),
    });
    parts.announcements.push(Announcement {
        topic: format!("tasmota/discovery/{}/sensors", info.mac),
        payload: json!({"sn": {"Time": "2026-12-01T00:00:00"}, "ver": 1})
            .to_string()
            .into_bytes(),
    });
    parts.add_config(
        format!("tasmota/discovery/{}/config", info.mac),
        config,
        lamp,
    );
}

/// Adds the bulb and the controller to `parts`.
pub(super) fn build(parts: &mut Parts) {
    let bulb = Lamp::tasmota(
        "Hallway Bulb",
        TasmotaInfo {
            topic: BULB_TOPIC.into(),
            mac: "A4CF12A1B2C3".into(),
            subtype: 5,
            channels: false,
        },
        Features::new(100, true, Some((153, 500))).with_effects(&[
            "Solid",
            "Wake up",
            "Cycle up",
            "Cycle down",
            "Random",
        ]),
        Light {
            color: Some(Color::Rgb(Rgb::new(255, 128, 0))),
            color_temp: Some(300),
            mode: Mode::Color,
            ..Light::dimmed(true, 60)
        },
        None,
    );
    add(parts, bulb, &["Hallway Bulb"]);
    let controller = Lamp::tasmota(
        "Cabinet Lights",
        TasmotaInfo {
            topic: CONTROLLER_TOPIC.into(),
            mac: "A4CF12D4E5F6".into(),
            subtype: 2,
            channels: true,
        },
        Features::new(100, false, None),
        Light::dimmed(true, 30),
        Some(Light::dimmed(false, 70)),
    );
    add(parts, controller, &["Cabinet Left", "Cabinet Right"]);
}
