//! Home Assistant device-based discovery (HA 2024.11+): one retained config on
//! `homeassistant/device/<id>/config` announcing a whole device (`dev`), its origin (`o`) and
//! its components (`cmps`, each with `p` for the platform), with abbreviated keys, a `~` base
//! topic per component, and options shared by every component at the top level
//! (`avty_t`, `qos`). This one is a kitchen pendant: a JSON-schema light whose colour
//! temperature is in kelvin (`clr_temp_k: true`, 2200-6500 K) and whose entity takes the
//! device's name (`name: null`), plus a power sensor that is not a lamp.

use serde_json::json;

use super::{Announcement, Avail, Parts, HA_PREFIX};
use crate::lamp::{Features, Lamp, Light, Mode};

/// The device id in the config topic.
pub const DEVICE_ID: &str = "lampsim_pendant";

/// Adds the pendant to `parts`.
pub(super) fn build(parts: &mut Parts) {
    let base = format!("lampsim/{DEVICE_ID}");
    let features = Features {
        kelvin: true,
        ..Features::new(255, false, Some((2200, 6500)))
    };
    let lamp = Lamp::home_assistant(
        "Kitchen Pendant",
        &format!("{base}/state"),
        &format!("{base}/set"),
        features,
        Light {
            color_temp: Some(2700),
            mode: Mode::ColorTemp,
            ..Light::dimmed(true, 180)
        },
    );
    let avail = format!("{base}/availability");
    let config = json!({
        "dev": {
            "ids": [DEVICE_ID],
            "name": "Kitchen Pendant",
            "mf": "Lampboard lampsim",
            "mdl": "Tunable pendant (device discovery)",
            "sw": env!("CARGO_PKG_VERSION"),
            "sn": "LS-0042",
            "sa": "Kitchen",
        },
        "o": {
            "name": "lampsim",
            "sw": env!("CARGO_PKG_VERSION"),
        },
        "cmps": {
            "pendant_light": {
                "p": "light",
                "uniq_id": "lampsim_pendant_light",
                "name": null,
                "~": base,
                "schema": "json",
                "stat_t": "~/state",
                "cmd_t": "~/set",
                "brightness": true,
                "sup_clrm": ["color_temp"],
                "clr_temp_k": true,
                "min_k": 2200,
                "max_k": 6500,
            },
            "pendant_power": {
                "p": "sensor",
                "uniq_id": "lampsim_pendant_power",
                "name": "Power",
                "~": base,
                "stat_t": "~/power",
                "dev_cla": "power",
                "unit_of_meas": "W",
            },
        },
        "avty_t": avail,
        "qos": 1,
    });
    parts.avail.push(Avail::plain(&avail));
    parts.announcements.push(Announcement {
        topic: format!("{base}/power"),
        payload: b"7.5".to_vec(),
    });
    parts.add_config(
        format!("{HA_PREFIX}/device/{DEVICE_ID}/config"),
        config,
        lamp,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn one_device_config_with_a_light_and_a_sensor() {
        let mut parts = Parts::default();
        build(&mut parts);
        let a = parts
            .announcements
            .iter()
            .find(|a| a.topic == "homeassistant/device/lampsim_pendant/config")
            .unwrap();
        let v: Value = serde_json::from_slice(&a.payload).unwrap();
        let light = &v["cmps"]["pendant_light"];
        assert_eq!(light["p"], "light");
        assert_eq!(light["~"], "lampsim/lampsim_pendant");
        assert_eq!(light["cmd_t"], "~/set");
        assert!(light["name"].is_null());
        assert_eq!(v["cmps"]["pendant_power"]["p"], "sensor");
        assert_eq!(v["avty_t"], "lampsim/lampsim_pendant/availability");
        assert_eq!(parts.lamps[0].command_topic, "lampsim/lampsim_pendant/set");
        assert!(parts.lamps[0].features.kelvin);
    }
}
