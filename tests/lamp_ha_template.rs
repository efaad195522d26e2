//! Home Assistant's template light schema (`schema_template.py`): the exact text HA's own tests
//! (tests/components/mqtt/test_light_template.py, named per test) expect for each change, the
//! state read through the templates, and lampsim's template lamp (HA's documented templates).
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::{DirectorySettings, LampChange, LampDirectory, LampId, Rgb};
use serde_json::{json, Value};

const CFG: &str = "homeassistant/light/tpl/config";

fn dir_with(config: Value) -> (LampDirectory, LampId) {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(CFG, config.to_string().as_bytes(), true);
    let id = LampId(CFG.to_owned());
    assert!(dir.lamp(&id).is_some(), "config makes a lamp");
    (dir, id)
}

fn one(dir: &LampDirectory, id: &LampId, change: LampChange) -> (String, String) {
    let mut out = dir.command(id, &change).expect("command");
    assert_eq!(out.len(), 1, "{out:?}");
    let m = out.remove(0);
    (m.topic, String::from_utf8(m.payload).expect("utf-8"))
}

/// The config of test_light_template.py `test_sending_mqtt_commands_and_optimistic`.
fn ha_test_config(brightness_template: bool) -> Value {
    let mut c = json!({
        "schema": "template", "name": "test", "command_topic": "test_light_rgb/set",
        "command_on_template": "on,{{ brightness|d }},{{ color_temp|d }},{{ red|d }}-{{ green|d }}-{{ blue|d }},{{ hue|d }}-{{ sat|d }}",
        "command_off_template": "off",
        "effect_list": ["colorloop", "random"],
        "optimistic": true,
        "state_template": "{{ value.split(\",\")[0] }}",
        "color_temp_template": "{{ value.split(\",\")[2] }}",
        "red_template": "{{ value.split(\",\")[3].split(\"-\")[0] }}",
        "green_template": "{{ value.split(\",\")[3].split(\"-\")[1] }}",
        "blue_template": "{{ value.split(\",\")[3].split(\"-\")[2] }}",
        "effect_template": "{{ value.split(\",\")[4] }}",
    });
    if brightness_template {
        c["brightness_template"] = json!("{{ value.split(\",\")[1] }}");
    }
    c
}

/// test_light_template.py `test_sending_mqtt_commands_and_optimistic`: variables are defined
/// only when the change carries them; a colour is normalised (through hs) and scaled by the
/// remembered brightness.
#[test]
fn commands_render_only_the_variables_of_the_change() {
    let (mut dir, id) = dir_with(ha_test_config(false));
    let t = "test_light_rgb/set".to_owned();
    assert_eq!(
        one(&dir, &id, LampChange::On(false)),
        (t.clone(), "off".into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::On(true)),
        (t.clone(), "on,,,--,-".into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::ColorTemp(200)),
        (t.clone(), "on,,200,--,-".into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::Brightness(100)),
        (t.clone(), "on,255,,--,-".into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::Color(Rgb::new(255, 128, 0))),
        (t.clone(), "on,,,255-128-0,30.118-100.0".into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::Color(Rgb::new(128, 64, 0))),
        (t.clone(), "on,,,255-127-0,30.0-100.0".into())
    );
    // Half brightness (50 % is HA's 128): the colour is scaled.
    assert_eq!(
        one(&dir, &id, LampChange::Brightness(50)),
        (t.clone(), "on,128,,--,-".into())
    );
    dir.assume(&id, &LampChange::Brightness(50));
    assert_eq!(
        one(&dir, &id, LampChange::Color(Rgb::new(0, 255, 128))),
        (t.clone(), "on,,,0-128-64,150.118-100.0".into())
    );
}

/// test_light_template.py `test_sending_mqtt_commands_non_optimistic_brightness_template`:
/// with a brightness template the colour is never scaled.
#[test]
fn a_brightness_template_keeps_colours_unscaled() {
    let mut c = ha_test_config(true);
    c["state_topic"] = json!("test_light_rgb");
    c.as_object_mut().expect("object").remove("optimistic");
    let (mut dir, id) = dir_with(c);
    dir.handle_message("test_light_rgb", b"on,128,,,", false);
    assert_eq!(
        one(&dir, &id, LampChange::Color(Rgb::new(0, 255, 128))),
        (
            "test_light_rgb/set".into(),
            "on,,,0-255-128,150.118-100.0".into()
        )
    );
}

/// test_light_template.py `test_state_brightness_color_effect_temp_change_via_topic`: the
/// state topic read through every template; `None` state is unknown.
#[test]
fn state_read_through_the_templates() {
    let mut c = ha_test_config(true);
    c["state_topic"] = json!("test_light_rgb");
    c.as_object_mut().expect("object").remove("optimistic");
    let (mut dir, id) = dir_with(c);
    assert!(!dir.lamp(&id).expect("lamp").binding.optimistic());
    dir.handle_message("test_light_rgb", b"on,255,145,255-128-64,", false);
    let l = dir.lamp(&id).expect("lamp");
    assert_eq!(l.state.on, Some(true));
    assert_eq!(l.state.brightness_pct, Some(100.0));
    assert_eq!(l.state.color_temp_mireds, Some(145));
    assert!(l.state.rgb.is_some());
    dir.handle_message("test_light_rgb", b"off", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.on, Some(false));
    dir.handle_message("test_light_rgb", b",,,,colorloop", false);
    assert_eq!(
        dir.lamp(&id).expect("lamp").state.effect.as_deref(),
        Some("colorloop")
    );
    dir.handle_message("test_light_rgb", b"None,,,,", false);
    assert_eq!(dir.lamp(&id).expect("lamp").state.on, None);
}

/// test_light_template.py `test_effect`: `{{ effect }}` undefined renders nothing.
#[test]
fn effects_as_home_assistant_sends_them() {
    let (dir, id) = dir_with(json!({
        "schema": "template", "effect_list": ["rainbow", "colorloop"], "name": "test",
        "command_topic": "test_light_rgb/set", "command_on_template": "on,{{ effect }}",
        "command_off_template": "off",
    }));
    let caps = dir.lamp(&id).expect("lamp").capabilities.clone();
    assert_eq!(caps.effects, vec!["rainbow", "colorloop"]);
    assert!(!caps.brightness && !caps.color);
    assert_eq!(one(&dir, &id, LampChange::On(true)).1, "on,");
    assert_eq!(
        one(&dir, &id, LampChange::Effect("rainbow".into())).1,
        "on,rainbow"
    );
    assert!(dir
        .command(&id, &LampChange::Effect("nope".into()))
        .is_err());
}

/// A template that cannot be rendered never sends a message: the command is an error in
/// words and the card's note says what is unsupported.
#[test]
fn templates_that_cannot_render_send_nothing() {
    let (dir, id) = dir_with(json!({
        "schema": "template", "name": "t", "command_topic": "c",
        "command_on_template": "{{ brightness | int }}",
        "command_off_template": "{% if %}",
    }));
    let l = dir.lamp(&id).expect("lamp");
    let note = l.binding.note().expect("a note");
    assert!(note.contains("command_off_template"), "{note}");
    let err = dir
        .command(&id, &LampChange::On(false))
        .expect_err("broken");
    assert!(err.contains("command_off_template"), "{err}");
    // `brightness` is undefined on a plain turn-on and `int` without a default fails, as in HA.
    let err = dir
        .command(&id, &LampChange::On(true))
        .expect_err("no default");
    assert!(err.contains("int"), "{err}");
    assert_eq!(one(&dir, &id, LampChange::Brightness(100)).1, "255");
}

/// lampsim's template lamp: HA's documented `command_on_template` (JSON text), state
/// `{"state":"on","brightness":128,"color":[255,147,41],"effect":"none"}`, availability.
#[test]
fn lampsim_template_lamp_is_read_and_commanded() {
    let base = "lampsim/lampsim_template_lamp";
    let on_template = concat!(
        r#"{"state": "on""#,
        r#"{%- if brightness is defined -%}, "brightness": {{ brightness }}{%- endif -%}"#,
        r#"{%- if red is defined and green is defined and blue is defined -%}, "color": [{{ red }}, {{ green }}, {{ blue }}]{%- endif -%}"#,
        r#"{%- if effect is defined -%}, "effect": "{{ effect }}"{%- endif -%}}"#,
    );
    let (mut dir, id) = dir_with(json!({
        "name": "Template Lamp", "unique_id": "lampsim_template_lamp", "schema": "template",
        "command_topic": format!("{base}/set"), "state_topic": format!("{base}/status"),
        "availability_topic": format!("{base}/availability"),
        "command_on_template": on_template, "command_off_template": r#"{"state": "off"}"#,
        "state_template": "{{ value_json.state }}",
        "brightness_template": "{{ value_json.brightness }}",
        "red_template": "{{ value_json.color[0] }}", "green_template": "{{ value_json.color[1] }}",
        "blue_template": "{{ value_json.color[2] }}", "effect_template": "{{ value_json.effect }}",
        "effect_list": ["none", "rainbow", "colorloop"],
        "device": {"identifiers": ["lampsim_template_lamp"], "name": "Template Lamp", "suggested_area": "Kitchen"},
    }));
    dir.handle_message(&format!("{base}/availability"), b"online", true);
    dir.handle_message(
        &format!("{base}/status"),
        br#"{"state":"on","brightness":128,"color":[255,147,41],"effect":"none"}"#,
        true,
    );
    let l = dir.lamp(&id).expect("lamp");
    assert!(l.available);
    assert_eq!(l.room.as_deref(), Some("Kitchen"));
    assert_eq!(l.state.on, Some(true));
    let b = l.state.brightness_pct.expect("brightness");
    assert!((b - 128.0 / 255.0 * 100.0).abs() < 0.01);
    assert_eq!(l.state.effect.as_deref(), Some("none"));
    assert!(l.state.rgb.is_some() && l.capabilities.color && l.capabilities.brightness);
    let set = format!("{base}/set");
    assert_eq!(
        one(&dir, &id, LampChange::On(true)),
        (set.clone(), r#"{"state": "on"}"#.into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::On(false)),
        (set.clone(), r#"{"state": "off"}"#.into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::Brightness(100)),
        (set.clone(), r#"{"state": "on", "brightness": 255}"#.into())
    );
    assert_eq!(
        one(&dir, &id, LampChange::Color(Rgb::new(255, 0, 0))),
        (
            set.clone(),
            r#"{"state": "on", "color": [255, 0, 0]}"#.into()
        )
    );
    assert_eq!(
        one(&dir, &id, LampChange::Effect("rainbow".into())),
        (set, r#"{"state": "on", "effect": "rainbow"}"#.into())
    );
}
