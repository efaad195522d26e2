//! Home Assistant's default light schema (`schema_basic.py`) as HA reads and commands it: each
//! test builds the config of one of HA's own tests (tests/components/mqtt/test_light.py, named
//! in the comment) or of lampsim's Tasmota bulb, and checks the exact messages HA publishes.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::{
    ColorMode, DirectorySettings, LampChange, LampDirectory, LampId, ReadError, Rgb,
};
use serde_json::{json, Value};

const CFG: &str = "homeassistant/light/test/config";

fn dir_with(config: Value) -> (LampDirectory, LampId) {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(CFG, config.to_string().as_bytes(), true);
    let id = LampId(CFG.to_owned());
    assert!(dir.lamp(&id).is_some(), "config makes a lamp");
    (dir, id)
}

/// (topic, payload) of every message a change makes, in order.
fn sent(dir: &LampDirectory, id: &LampId, change: LampChange) -> Vec<(String, String)> {
    dir.command(id, &change)
        .expect("command")
        .into_iter()
        .map(|m| (m.topic, String::from_utf8(m.payload).expect("utf-8")))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(t, p)| ((*t).to_owned(), (*p).to_owned()))
        .collect()
}

/// test_light.py `test_on_command_first` / `test_on_command_last`: `payload_on` before or
/// after the brightness; turn-off is only `payload_off`.
#[test]
fn on_command_first_and_last() {
    for (kind, want) in [
        (
            "first",
            [("test_light/set", "ON"), ("test_light/bright", "128")],
        ),
        (
            "last",
            [("test_light/bright", "128"), ("test_light/set", "ON")],
        ),
    ] {
        let (dir, id) = dir_with(json!({
            "name": "test", "command_topic": "test_light/set",
            "brightness_command_topic": "test_light/bright", "on_command_type": kind,
        }));
        assert_eq!(
            sent(&dir, &id, LampChange::Brightness(50)),
            pairs(&want),
            "{kind}"
        );
        assert_eq!(
            sent(&dir, &id, LampChange::On(false)),
            pairs(&[("test_light/set", "OFF")])
        );
    }
}

/// test_light.py `test_on_command_brightness` and `test_on_command_brightness_scaled`: a
/// turn-on is only the brightness (255, or the scale's top), a colour adds the brightness.
#[test]
fn on_command_brightness_sends_only_brightness() {
    let (mut dir, id) = dir_with(json!({
        "name": "test", "command_topic": "test_light/set",
        "brightness_command_topic": "test_light/bright", "brightness_scale": 100,
        "rgb_command_topic": "test_light/rgb", "on_command_type": "brightness",
    }));
    assert_eq!(
        sent(&dir, &id, LampChange::On(true)),
        pairs(&[("test_light/bright", "100")])
    );
    assert_eq!(
        sent(&dir, &id, LampChange::Brightness(20)),
        pairs(&[("test_light/bright", "20")])
    );
    // HA remembers the brightness of an optimistic lamp (no state topic).
    assert!(dir.lamp(&id).expect("lamp").binding.optimistic());
    dir.assume(&id, &LampChange::Brightness(20));
    assert_eq!(
        sent(&dir, &id, LampChange::Color(Rgb::new(255, 128, 0))),
        pairs(&[("test_light/rgb", "255,128,0"), ("test_light/bright", "20")])
    );
}

/// test_light.py `test_on_command_rgb`: without a brightness topic the brightness is the
/// colour scaled (white when none is known), and a colour is scaled by the brightness.
#[test]
fn brightness_through_the_rgb_topic() {
    let (mut dir, id) = dir_with(json!({
        "name": "test", "command_topic": "test_light/set", "rgb_command_topic": "test_light/rgb",
    }));
    assert_eq!(
        sent(&dir, &id, LampChange::Brightness(100)),
        pairs(&[("test_light/rgb", "255,255,255"), ("test_light/set", "ON")])
    );
    // 1 % is HA's brightness round(2.55) = 3.
    assert_eq!(
        sent(&dir, &id, LampChange::Brightness(1)),
        pairs(&[("test_light/rgb", "3,3,3"), ("test_light/set", "ON")])
    );
    dir.assume(&id, &LampChange::Brightness(1));
    // int(255 * 3 / 255), int(128 * 3 / 255), 0 with HA's remembered brightness 3 (1 %).
    assert_eq!(
        sent(&dir, &id, LampChange::Color(Rgb::new(255, 128, 0))),
        pairs(&[("test_light/rgb", "3,1,0"), ("test_light/set", "ON")])
    );
}

/// test_light.py `test_on_command_rgb_template` / `test_sending_mqtt_commands_with_template`:
/// `rgb_command_template` gets red/green/blue; `effect_command_template` and
/// `color_temp_command_template` get `value`.
#[test]
fn command_templates_shape_the_payloads() {
    let (dir, id) = dir_with(json!({
        "name": "test", "command_topic": "test_light_rgb/set",
        "rgb_command_topic": "test_light_rgb/rgb/set",
        "rgb_command_template": "{{ '#%02x%02x%02x' | format(red, green, blue)}}",
        "color_temp_command_topic": "test_light_rgb/color_temp/set",
        "color_temp_command_template": "{{ (1000 / value) | round(0) }}",
        "effect_command_topic": "test_light_rgb/effect/set",
        "effect_command_template": "{{ value | upper }}",
        "effect_list": ["rainbow", "colorloop"],
    }));
    assert_eq!(
        sent(&dir, &id, LampChange::Color(Rgb::new(255, 128, 64))),
        pairs(&[
            ("test_light_rgb/rgb/set", "#ff8040"),
            ("test_light_rgb/set", "ON")
        ])
    );
    assert_eq!(
        sent(&dir, &id, LampChange::ColorTemp(200)),
        pairs(&[
            ("test_light_rgb/color_temp/set", "5"),
            ("test_light_rgb/set", "ON")
        ])
    );
    assert_eq!(
        sent(&dir, &id, LampChange::Effect("rainbow".into())),
        pairs(&[
            ("test_light_rgb/effect/set", "RAINBOW"),
            ("test_light_rgb/set", "ON")
        ])
    );
    assert!(dir
        .command(&id, &LampChange::Effect("strobe".into()))
        .is_err());
}

/// test_light.py `test_controlling_state_via_topic`: every part on its own topic; `None` on
/// the state topic makes the state unknown; zero brightness is ignored.
#[test]
fn state_read_from_every_topic() {
    let (mut dir, id) = dir_with(json!({
        "name": "test", "state_topic": "test_light_rgb/status",
        "command_topic": "test_light_rgb/set",
        "brightness_state_topic": "test_light_rgb/brightness/status",
        "brightness_command_topic": "test_light_rgb/brightness/set",
        "rgb_state_topic": "test_light_rgb/rgb/status",
        "rgb_command_topic": "test_light_rgb/rgb/set",
        "color_temp_state_topic": "test_light_rgb/color_temp/status",
        "color_temp_command_topic": "test_light_rgb/color_temp/set",
        "effect_state_topic": "test_light_rgb/effect/status",
        "effect_command_topic": "test_light_rgb/effect/set",
        "hs_state_topic": "test_light_rgb/hs/status",
        "hs_command_topic": "test_light_rgb/hs/set",
        "effect_list": ["colorloop", "random"],
        "qos": "0", "payload_on": 1, "payload_off": 0,
    }));
    let caps = dir.lamp(&id).expect("lamp").capabilities.clone();
    assert!(caps.brightness && caps.color && caps.color_temp);
    assert_eq!(caps.color_temp_range, Some((153, 500)));
    assert_eq!(caps.effects, vec!["colorloop", "random"]);
    let subs = dir.subscriptions();
    assert!(
        subs.contains(&"test_light_rgb/hs/status".to_owned()),
        "{subs:?}"
    );
    dir.handle_message("test_light_rgb/status", b"1", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.on, Some(true));
    dir.handle_message("test_light_rgb/brightness/status", b"100", false);
    let b = dir
        .lamp(&id)
        .expect("lamp")
        .state
        .brightness_pct
        .expect("bri");
    assert!((b - 100.0 / 255.0 * 100.0).abs() < 0.01, "{b}");
    dir.handle_message("test_light_rgb/brightness/status", b"0", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.brightness_pct, Some(b));
    dir.handle_message("test_light_rgb/rgb/status", b"125,125,125", false);
    let l = dir.lamp(&id).expect("lamp");
    assert_eq!(l.state.rgb, Some(Rgb::new(125, 125, 125)));
    assert_eq!(l.state.color_mode, Some(ColorMode::Rgb));
    dir.handle_message("test_light_rgb/color_temp/status", b"300", false);
    let l = dir.lamp(&id).expect("lamp");
    assert_eq!(l.state.color_temp_mireds, Some(300));
    assert_eq!(l.state.color_mode, Some(ColorMode::ColorTemp));
    dir.handle_message("test_light_rgb/effect/status", b"rainbow", false);
    assert_eq!(
        dir.lamp(&id).expect("lamp").state.effect.as_deref(),
        Some("rainbow")
    );
    dir.handle_message("test_light_rgb/status", b"None", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.on, None);
    // Numbers are HA's text: payload_on 1 is "1", and "ON" is no longer a state.
    dir.handle_message("test_light_rgb/status", b"0", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.on, Some(false));
    dir.handle_message("test_light_rgb/status", b"ON", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.on, Some(false));
    assert_eq!(
        sent(&dir, &id, LampChange::On(true)),
        pairs(&[("test_light_rgb/set", "1")])
    );
}

/// test_light.py `test_brightness_from_rgb_controlling_scale`: without a brightness state
/// topic the brightness is the rgb's maximum and the colour is normalised.
#[test]
fn brightness_from_the_rgb_state() {
    let (mut dir, id) = dir_with(json!({
        "name": "test", "state_topic": "test_scale_rgb/status",
        "command_topic": "test_scale_rgb/set", "rgb_state_topic": "test_scale_rgb/rgb/status",
        "rgb_command_topic": "test_scale_rgb/rgb/set",
    }));
    dir.handle_message("test_scale_rgb/status", b"ON", false);
    dir.handle_message("test_scale_rgb/rgb/status", b"127,64,32", false);
    let l = dir.lamp(&id).expect("lamp");
    assert_eq!(l.state.rgb, Some(Rgb::new(255, 129, 64)));
    let b = l.state.brightness_pct.expect("brightness");
    assert!((b - 127.0 / 255.0 * 100.0).abs() < 0.01, "{b}");
}

/// test_light.py `test_controlling_state_via_topic_and_json_message` (templates on a shared
/// JSON topic), here lampsim's Tasmota bulb: numeric payloads, brightness_scale 100,
/// `on_command_type: brightness`, one STATE topic read by five templates.
#[test]
fn lampsim_tasmota_bulb_is_read_and_commanded_as_home_assistant_does() {
    let t = "lampsim_tasmota_bulb";
    let (mut dir, id) = dir_with(json!({
        "name": "Tasmota Bulb", "unique_id": t,
        "command_topic": format!("cmnd/{t}/POWER"), "state_topic": format!("tele/{t}/STATE"),
        "state_value_template": "{{ value_json.POWER }}",
        "payload_on": 1, "payload_off": 0, "on_command_type": "brightness",
        "brightness_command_topic": format!("cmnd/{t}/Dimmer"),
        "brightness_state_topic": format!("tele/{t}/STATE"), "brightness_scale": 100,
        "brightness_value_template": "{{ value_json.Dimmer }}",
        "rgb_command_topic": format!("cmnd/{t}/Color"), "rgb_state_topic": format!("tele/{t}/STATE"),
        "rgb_value_template": "{{ value_json.Color }}",
        "color_temp_command_topic": format!("cmnd/{t}/CT"),
        "color_temp_state_topic": format!("tele/{t}/STATE"),
        "color_temp_value_template": "{{ value_json.CT }}", "min_mireds": 153, "max_mireds": 500,
        "effect_command_topic": format!("cmnd/{t}/Scheme"),
        "effect_state_topic": format!("tele/{t}/STATE"),
        "effect_value_template": "{{ value_json.Scheme }}",
        "effect_list": ["none", "wakeup", "cycleup", "cycledown", "random"],
        "availability_topic": format!("tele/{t}/LWT"),
        "payload_available": "Online", "payload_not_available": "Offline",
        "device": {"identifiers": [t], "name": "Tasmota Bulb", "suggested_area": "Bedroom"},
    }));
    let l = dir.lamp(&id).expect("lamp");
    assert_eq!(l.room.as_deref(), Some("Bedroom"));
    assert!(!l.available, "unavailable until Online is heard");
    dir.handle_message(&format!("tele/{t}/LWT"), b"Online", true);
    dir.handle_message(
        &format!("tele/{t}/STATE"),
        br#"{"POWER":"1","Dimmer":40,"Color":"255,0,0","Scheme":"none"}"#,
        true,
    );
    let l = dir.lamp(&id).expect("lamp");
    assert!(l.available);
    assert_eq!(l.state.on, Some(true));
    assert_eq!(l.state.brightness_pct, Some(40.0));
    assert_eq!(l.state.rgb, Some(Rgb::new(255, 0, 0)));
    assert_eq!(l.state.effect.as_deref(), Some("none"));
    let p = |s: &str| format!("cmnd/{t}/{s}");
    let want = |items: &[(String, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.clone(), (*b).to_owned()))
            .collect()
    };
    assert_eq!(
        sent(&dir, &id, LampChange::On(false)),
        want(&[(p("POWER"), "0")])
    );
    // A turn-on is the remembered brightness: 40 % is 102 of 255, 40 on the 0-100 scale.
    assert_eq!(
        sent(&dir, &id, LampChange::On(true)),
        want(&[(p("Dimmer"), "40")])
    );
    assert_eq!(
        sent(&dir, &id, LampChange::Brightness(75)),
        want(&[(p("Dimmer"), "75")])
    );
    assert_eq!(
        sent(&dir, &id, LampChange::Color(Rgb::new(0, 0, 255))),
        want(&[(p("Color"), "0,0,255"), (p("Dimmer"), "40")])
    );
    assert_eq!(
        sent(&dir, &id, LampChange::ColorTemp(300)),
        want(&[(p("Dimmer"), "40"), (p("CT"), "300")])
    );
    assert_eq!(
        sent(&dir, &id, LampChange::Effect("wakeup".into())),
        want(&[(p("Dimmer"), "40"), (p("Scheme"), "wakeup")])
    );
    // White showing: CT present, Color absent (its template renders nothing: ignored).
    dir.handle_message(
        &format!("tele/{t}/STATE"),
        br#"{"POWER":"1","Dimmer":40,"CT":300,"Scheme":"none"}"#,
        true,
    );
    let l = dir.lamp(&id).expect("lamp");
    assert_eq!(l.state.color_temp_mireds, Some(300));
    assert_eq!(l.state.color_mode, Some(ColorMode::ColorTemp));
    dir.handle_message(&format!("tele/{t}/LWT"), b"Offline", true);
    assert!(!dir.lamp(&id).expect("lamp").available);
}

/// test_light.py `test_explicit_color_mode` analog: `optimistic: true` with a state topic is
/// optimistic; an unreadable state is an error in words, never a state.
#[test]
fn optimistic_flag_and_unreadable_states() {
    let (mut dir, id) = dir_with(json!({
        "name": "test", "state_topic": "s", "command_topic": "c", "optimistic": true,
    }));
    assert!(dir.lamp(&id).expect("lamp").binding.optimistic());
    assert!(!dir.reports_state(&id));
    let l = dir.lamp(&id).expect("lamp");
    let mut doc = serde_json::Map::new();
    let err = l
        .binding
        .read("s", b"maybe", &mut doc)
        .expect_err("not a state");
    assert!(
        matches!(&err, ReadError::NotAState { found } if found.contains("payload_on")),
        "{err:?}"
    );
    dir.handle_message("s", b"maybe", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.on, None);
}

/// schema_basic.py `_setup_from_config`: one colour-temperature bound given, HA's default
/// (2000 K / 6535 K) for the other.
#[test]
fn one_bound_colour_temperature_ranges() {
    for (extra, want) in [
        (json!({"max_mireds": 400}), (153, 400)),
        (json!({"min_mireds": 200}), (200, 500)),
        (json!({"min_kelvin": 2700}), (153, 370)),
        (json!({"max_kelvin": 5000}), (200, 500)),
    ] {
        let mut c = json!({"name": "t", "command_topic": "c", "color_temp_command_topic": "ct"});
        for (k, v) in extra.as_object().expect("object") {
            c[k] = v.clone();
        }
        let (dir, id) = dir_with(c);
        assert_eq!(
            dir.lamp(&id).expect("lamp").capabilities.color_temp_range,
            Some(want),
            "{extra}"
        );
    }
}
