//! Home Assistant device-based discovery (`<prefix>/device/<id>/config` with `cmps`, HA
//! 2024.11+, HA's `discovery.py`), `unique_id` de-duplication, availability as HA's
//! `MqttAvailabilityMixin` combines it, and JSON-schema details (effects, optimistic, RGBW).
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::{DirectorySettings, LampChange, LampDirectory, LampId, Rgb};
use serde_json::{json, Value};

const DEVICE: &str = "homeassistant/device/lampsim_pendant/config";

fn pendant_config() -> Value {
    json!({
        "dev": {"ids": ["lampsim_pendant"], "name": "Kitchen Pendant", "mf": "Lampboard lampsim",
                "mdl": "Tunable pendant (device discovery)", "sn": "LS-0042", "sa": "Kitchen"},
        "o": {"name": "lampsim"},
        "cmps": {
            "pendant_light": {
                "p": "light", "uniq_id": "lampsim_pendant_light", "name": null,
                "~": "lampsim/lampsim_pendant", "schema": "json",
                "stat_t": "~/state", "cmd_t": "~/set", "brightness": true,
                "sup_clrm": ["color_temp"], "clr_temp_k": true, "min_k": 2200, "max_k": 6500,
            },
            "pendant_power": {
                "p": "sensor", "uniq_id": "lampsim_pendant_power", "name": "Power",
                "~": "lampsim/lampsim_pendant", "stat_t": "~/power",
                "dev_cla": "power", "unit_of_meas": "W",
            },
        },
        "avty_t": "lampsim/lampsim_pendant/availability",
        "qos": 1,
    })
}

fn light_id() -> LampId {
    LampId(format!("{DEVICE}#pendant_light"))
}

/// HA docs (integrations/mqtt, "Device discovery payload") and lampsim's Kitchen Pendant: the
/// light component becomes a lamp named after the device (`name: null`), placed in its
/// suggested area, with the shared availability topic; the sensor is ignored.
#[test]
fn device_config_components_become_lamps() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    assert!(dir
        .subscriptions()
        .contains(&"homeassistant/device/+/config".to_owned()));
    dir.handle_message(DEVICE, pendant_config().to_string().as_bytes(), true);
    assert_eq!(dir.lamps().count(), 1, "only the light");
    let l = dir.lamp(&light_id()).expect("pendant");
    assert_eq!(l.name, "Kitchen Pendant");
    assert_eq!(l.room.as_deref(), Some("Kitchen"));
    assert!(l.capabilities.brightness && l.capabilities.color_temp && !l.capabilities.color);
    // 6500 K .. 2200 K as HA floors them: 153 .. 454 mireds.
    assert_eq!(l.capabilities.color_temp_range, Some((153, 454)));
    assert!(
        !l.available,
        "HA: unavailable until the shared availability topic says online"
    );
    let subs = dir.subscriptions();
    for t in [
        "lampsim/lampsim_pendant/state",
        "lampsim/lampsim_pendant/availability",
    ] {
        assert!(subs.contains(&t.to_owned()), "{t} in {subs:?}");
    }
    dir.handle_message("lampsim/lampsim_pendant/availability", b"online", true);
    dir.handle_message(
        "lampsim/lampsim_pendant/state",
        br#"{"state":"ON","brightness":180,"color_mode":"color_temp","color_temp":2700}"#,
        true,
    );
    let l = dir.lamp(&light_id()).expect("pendant");
    assert!(l.available);
    assert_eq!(l.state.on, Some(true));
    assert_eq!(l.state.color_temp_mireds, Some(370));
    let out = dir
        .command(&light_id(), &LampChange::ColorTemp(250))
        .expect("command");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].topic, "lampsim/lampsim_pendant/set");
    let sent: Value = serde_json::from_slice(&out[0].payload).expect("json");
    assert_eq!(sent, json!({"state": "ON", "color_temp": 4000}));
    // The same config again (a retained replay) changes nothing.
    assert!(dir
        .handle_message(DEVICE, pendant_config().to_string().as_bytes(), true)
        .is_empty());
}

/// HA docs: a component reduced to `{"p": "light"}` removes that component; an empty device
/// config removes the whole device.
#[test]
fn components_and_devices_are_removed() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let mut two = pendant_config();
    two["cmps"]["spot"] =
        json!({"p": "light", "name": "Spot", "cmd_t": "spot/set", "uniq_id": "spot"});
    dir.handle_message(DEVICE, two.to_string().as_bytes(), true);
    assert_eq!(dir.lamps().count(), 2);
    let spot = LampId(format!("{DEVICE}#spot"));
    assert_eq!(dir.lamp(&spot).expect("spot").name, "Spot");
    let mut removed = two.clone();
    removed["cmps"]["spot"] = json!({"p": "light"});
    dir.handle_message(DEVICE, removed.to_string().as_bytes(), true);
    assert!(dir.lamp(&spot).is_none());
    assert!(dir.lamp(&light_id()).is_some());
    dir.handle_message(DEVICE, b"", true);
    assert_eq!(dir.lamps().count(), 0);
    // Its unique_id is free again: the light can be announced anew.
    dir.handle_message(DEVICE, pendant_config().to_string().as_bytes(), true);
    assert!(dir.lamp(&light_id()).is_some());
}

/// test_light.py `test_unique_id` (HA's `help_test_unique_id`): two lights with the same
/// unique_id make one entity; HA keeps the first. Removing the first frees the id.
#[test]
fn a_second_config_with_a_used_unique_id_is_ignored() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let cfg = |n: &str| json!({"name": n, "command_topic": format!("{n}/set"), "unique_id": "TOTALLY_UNIQUE"});
    dir.handle_message(
        "homeassistant/light/a/config",
        cfg("a").to_string().as_bytes(),
        true,
    );
    let ev = dir.handle_message(
        "homeassistant/light/b/config",
        cfg("b").to_string().as_bytes(),
        true,
    );
    assert_eq!(dir.lamps().count(), 1, "{ev:?}");
    assert_eq!(dir.lamps().next().expect("one").name, "a");
    // The first may still change its own config.
    dir.handle_message(
        "homeassistant/light/a/config",
        json!({"name": "a2", "command_topic": "a/set", "unique_id": "TOTALLY_UNIQUE"})
            .to_string()
            .as_bytes(),
        true,
    );
    assert_eq!(dir.lamps().next().expect("one").name, "a2");
    dir.handle_message("homeassistant/light/a/config", b"", true);
    dir.handle_message(
        "homeassistant/light/b/config",
        cfg("b").to_string().as_bytes(),
        true,
    );
    assert_eq!(dir.lamps().next().expect("one").name, "b");
}

/// HA's availability mixin (test_common.py `help_test_default_availability_list_payload_all`,
/// `_any`, and `help_test_custom_availability_payload`): lampsim's Porch Light has two
/// topics in `all` mode, one read through `{{ value_json.state }}`.
#[test]
fn availability_modes_as_home_assistant_combines_them() {
    for (mode, after_one, after_both, after_one_offline) in [
        ("all", false, true, false),
        ("any", true, true, true),
        ("latest", true, true, false),
    ] {
        let mut dir = LampDirectory::new(DirectorySettings::default());
        let cfg = "homeassistant/light/lampsim_porch_light/config";
        dir.handle_message(
            cfg,
            json!({
                "name": "Porch Light", "schema": "json",
                "state_topic": "lampsim/lampsim_porch_light/state",
                "command_topic": "lampsim/lampsim_porch_light/set",
                "supported_color_modes": ["brightness"],
                "availability": [
                    {"topic": "lampsim/bridge/state", "value_template": "{{ value_json.state }}"},
                    {"topic": "lampsim/lampsim_porch_light/availability"},
                ],
                "availability_mode": mode,
            })
            .to_string()
            .as_bytes(),
            true,
        );
        let id = LampId(cfg.to_owned());
        let avail = |d: &LampDirectory| d.lamp(&id).expect("lamp").available;
        assert!(!avail(&dir), "{mode}: unavailable before anything is heard");
        dir.handle_message("lampsim/bridge/state", br#"{"state":"online"}"#, true);
        assert_eq!(avail(&dir), after_one, "{mode}: one topic online");
        dir.handle_message("lampsim/lampsim_porch_light/availability", b"online", true);
        assert_eq!(avail(&dir), after_both, "{mode}: both online");
        dir.handle_message(
            "lampsim/lampsim_porch_light/availability",
            b"offline",
            false,
        );
        assert_eq!(avail(&dir), after_one_offline, "{mode}: one offline");
        // A payload that is neither changes nothing.
        dir.handle_message("lampsim/lampsim_porch_light/availability", b"dunno", false);
        assert_eq!(avail(&dir), after_one_offline, "{mode}: unknown payload");
        dir.handle_message("lampsim/lampsim_porch_light/availability", b"online", false);
        assert!(avail(&dir), "{mode}: back");
    }
}

/// test_light_json.py `test_effect` (`effect: true` + `effect_list`), `test_sending_rgbw_color`
/// state side, and `optimistic: true` with a state topic.
#[test]
fn json_schema_effects_optimistic_and_rgbw() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let cfg = "homeassistant/light/desk/config";
    dir.handle_message(
        cfg,
        json!({
            "name": "Desk Strip", "schema": "json", "state_topic": "desk/state",
            "command_topic": "desk/set", "effect": true,
            "effect_list": ["Rainbow", "Strobe", "Pulse", "None"],
            "supported_color_modes": ["rgbw"], "optimistic": true, "brightness_scale": 100,
        })
        .to_string()
        .as_bytes(),
        true,
    );
    let id = LampId(cfg.to_owned());
    let l = dir.lamp(&id).expect("lamp");
    assert_eq!(l.capabilities.effects.len(), 4);
    assert!(l.binding.optimistic() && !dir.reports_state(&id));
    let out = dir
        .command(&id, &LampChange::Effect("Rainbow".into()))
        .expect("effect");
    assert_eq!(
        out[0].payload,
        br#"{"effect":"Rainbow","state":"ON"}"#.to_vec()
    );
    let out = dir.command(&id, &LampChange::Brightness(50)).expect("bri");
    let v: Value = serde_json::from_slice(&out[0].payload).expect("json");
    assert_eq!(v["brightness"], json!(50));
    dir.handle_message(
        "desk/state",
        br#"{"state":"ON","color_mode":"rgbw","color":{"r":64,"g":128,"b":255,"w":32}}"#,
        false,
    );
    // HA's color_rgbw_to_rgb: the white is mixed in.
    assert_eq!(
        dir.lamp(&id).expect("lamp").state.rgb,
        Some(Rgb::new(85, 142, 255))
    );
    // Without `effect: true` HA offers no effects.
    dir.handle_message(
        cfg,
        json!({"name": "Desk Strip", "schema": "json", "command_topic": "desk/set",
               "effect_list": ["Rainbow"]})
        .to_string()
        .as_bytes(),
        true,
    );
    assert!(dir.lamp(&id).expect("lamp").capabilities.effects.is_empty());
}
