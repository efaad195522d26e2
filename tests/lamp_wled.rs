//! WLED through the directory: a device found by its retained `status`, state from `/g`,
//! `/c` and the XML `/v`, its name from `<ds>`, availability, and exactly what is published
//! for each change.
//!
//! Payloads follow WLED's docs: "MQTT" (kno.wled.ge/interfaces/mqtt: `[mqttDeviceTopic]`
//! takes a brightness 0-255 or `ON`/`OFF`/`T`, `/col` a hex colour `#RRGGBB` or `#WWRRGGBB`,
//! `/api` an HTTP or JSON API call; the device publishes `/g`, `/c`, `/v` and a retained
//! `/status` last will) and "HTTP request API" (the XML answer `<vs><ac>..</ac><cl>..</cl>
//! ..<fx>..</fx>..<ds>..</ds></vs>`), here the document WLED 0.13 sends with its defaults.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::systems::wled::{effect_name, parse_color};
use lampboard::lamp::{
    ColorMode, DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, Outgoing, Rgb,
    SourceKind,
};

/// WLED's XML state as published on `/v` (orange, brightness 128, effect 8 "Colorloop").
const XML: &str = r#"<?xml version="1.0" ?><vs><ac>128</ac><cl>255</cl><cl>160</cl><cl>0</cl><cs>0</cs><cs>0</cs><cs>0</cs><ns>0</ns><nr>1</nr><nl>0</nl><nf>1</nf><nd>60</nd><nt>0</nt><fx>8</fx><sx>128</sx><ix>128</ix><fp>0</fp><wv>-1</wv><ws>0</ws><ps>0</ps><cy>0</cy><ds>Desk &amp; shelf</ds><ss>0</ss></vs>"#;

fn only_wled(filter: &str) -> DirectorySettings {
    DirectorySettings {
        lamp_filters: Vec::new(),
        home_assistant: false,
        zigbee2mqtt: false,
        tasmota: false,
        wled: true,
        wled_filter: filter.into(),
        shelly_gen1: false,
        shelly_gen2: false,
        ..DirectorySettings::default()
    }
}

fn id(s: &str) -> LampId {
    LampId(s.into())
}

fn found() -> LampDirectory {
    let mut dir = LampDirectory::new(only_wled("wled/+"));
    dir.handle_message("wled/a1b2c3/status", b"online", true);
    dir
}

#[test]
fn a_device_appears_from_its_status_and_its_state_topics_are_subscribed() {
    let mut dir = LampDirectory::new(only_wled("wled/+"));
    assert_eq!(dir.subscriptions(), vec!["wled/+/status"]);
    let ev = dir.handle_message("wled/a1b2c3/status", b"online", true);
    let l = id("wled/a1b2c3");
    assert!(ev.contains(&DirectoryEvent::Added(l.clone())), "{ev:?}");
    assert!(ev.contains(&DirectoryEvent::SubscriptionsChanged));
    let lamp = dir.lamp(&l).unwrap();
    assert_eq!((lamp.name.as_str(), lamp.room.clone()), ("a1b2c3", None));
    assert_eq!(lamp.source_kind(), SourceKind::Wled);
    assert!(lamp.available);
    let caps = &lamp.capabilities;
    assert!(caps.brightness && caps.color && !caps.color_temp);
    assert_eq!(caps.effects[9], "Rainbow");
    assert_eq!(
        dir.subscriptions(),
        vec![
            "wled/+/status",
            "wled/a1b2c3/c",
            "wled/a1b2c3/g",
            "wled/a1b2c3/v"
        ]
    );
    // WLED's command topics are never devices, nor is another tree.
    for t in [
        "wled/a1b2c3/col",
        "wled/a1b2c3/api",
        "wled/a1b2c3",
        "home/x/status",
    ] {
        dir.handle_message(t, b"ON", false);
    }
    assert_eq!(dir.lamps().count(), 1);
}

#[test]
fn brightness_and_colour_topics_read_as_wled_publishes_them() {
    let mut dir = found();
    let l = id("wled/a1b2c3");
    dir.handle_message("wled/a1b2c3/g", b"128", true);
    let st = &dir.lamp(&l).unwrap().state;
    assert_eq!(st.on, Some(true));
    assert!((st.brightness_pct.unwrap() - 50.2).abs() < 0.1);
    dir.handle_message("wled/a1b2c3/c", b"#FFA000", true);
    assert_eq!(dir.lamp(&l).unwrap().state.rgb, Some(Rgb::new(255, 160, 0)));
    assert_eq!(dir.lamp(&l).unwrap().state.color_mode, Some(ColorMode::Rgb));
    // An RGBW strip adds its white in front.
    dir.handle_message("wled/a1b2c3/c", b"#4000FF00", true);
    assert_eq!(dir.lamp(&l).unwrap().state.rgb, Some(Rgb::new(0, 255, 0)));
    // Off is brightness 0; the level to restore is kept.
    dir.handle_message("wled/a1b2c3/g", b"0", true);
    let st = &dir.lamp(&l).unwrap().state;
    assert_eq!(st.on, Some(false));
    assert!((st.brightness_pct.unwrap() - 50.2).abs() < 0.1);
    assert_eq!(parse_color("h00FF00"), Some(Rgb::new(0, 255, 0)));
    assert_eq!(parse_color("#12345"), None);
}

#[test]
fn the_xml_state_gives_brightness_colour_effect_and_the_name() {
    let mut dir = found();
    let l = id("wled/a1b2c3");
    let ev = dir.handle_message("wled/a1b2c3/v", XML.as_bytes(), false);
    assert!(
        ev.iter()
            .any(|e| matches!(e, DirectoryEvent::Updated { id, .. } if *id == l)),
        "{ev:?}"
    );
    let lamp = dir.lamp(&l).unwrap();
    assert_eq!(lamp.name, "Desk & shelf");
    assert_eq!(lamp.state.on, Some(true));
    assert!((lamp.state.brightness_pct.unwrap() - 50.2).abs() < 0.1);
    assert_eq!(lamp.state.rgb, Some(Rgb::new(255, 160, 0)));
    assert_eq!(lamp.state.effect.as_deref(), Some("Colorloop"));
    // Numbers past the stable head of the list are shown by number.
    let other = XML.replace("<fx>8</fx>", "<fx>73</fx>");
    dir.handle_message("wled/a1b2c3/v", other.as_bytes(), false);
    assert_eq!(
        dir.lamp(&l).unwrap().state.effect.as_deref(),
        Some("Effect 73")
    );
    assert_eq!(effect_name(0), "Solid");
    // Not XML: the card keeps its state and says what arrived.
    dir.handle_message("wled/a1b2c3/v", b"{\"on\":true}", false);
    dir.handle_message("wled/a1b2c3/g", b"bright", false);
    let lamp = dir.lamp(&l).unwrap();
    assert!(lamp.unreadable.is_some());
    assert_eq!(lamp.state.rgb, Some(Rgb::new(255, 160, 0)));
    assert_eq!(lamp.state.on, Some(true));
}

#[test]
fn commands_are_wleds_own_topics_and_payloads() {
    let dir = found();
    let l = id("wled/a1b2c3");
    let cmd = |c: LampChange| dir.command(&l, &c).unwrap();
    let out = Outgoing::command;
    assert_eq!(cmd(LampChange::On(true)), vec![out("wled/a1b2c3", "ON")]);
    assert_eq!(cmd(LampChange::On(false)), vec![out("wled/a1b2c3", "OFF")]);
    assert_eq!(
        cmd(LampChange::Brightness(50)),
        vec![out("wled/a1b2c3", "128")]
    );
    assert_eq!(
        cmd(LampChange::Brightness(1)),
        vec![out("wled/a1b2c3", "3")]
    );
    assert_eq!(
        cmd(LampChange::Brightness(0)),
        vec![out("wled/a1b2c3", "OFF")]
    );
    assert_eq!(
        cmd(LampChange::Color(Rgb::new(255, 0, 128))),
        vec![out("wled/a1b2c3/col", "#FF0080")]
    );
    assert_eq!(
        cmd(LampChange::Effect("Rainbow".into())),
        vec![out("wled/a1b2c3/api", r#"{"on":true,"seg":[{"fx":9}]}"#)]
    );
    assert_eq!(
        cmd(LampChange::Effect("Effect 73".into())),
        vec![out("wled/a1b2c3/api", r#"{"on":true,"seg":[{"fx":73}]}"#)],
        "an effect read by number can be chosen again"
    );
    assert!(dir
        .command(&l, &LampChange::Effect("Disco".into()))
        .is_err());
    assert!(dir.command(&l, &LampChange::ColorTemp(300)).is_err());
}

#[test]
fn offline_status_makes_the_strip_unavailable_and_a_narrow_filter_limits_devices() {
    let mut dir = found();
    let l = id("wled/a1b2c3");
    dir.handle_message("wled/a1b2c3/status", b"offline", true);
    assert!(!dir.lamp(&l).unwrap().available);
    assert!(dir.command(&l, &LampChange::On(true)).is_err());
    dir.handle_message("wled/a1b2c3/status", b"online", true);
    assert!(dir.lamp(&l).unwrap().available);

    let mut dir = LampDirectory::new(only_wled("home/leds/+"));
    dir.handle_message("wled/a1b2c3/status", b"online", true);
    assert_eq!(dir.lamps().count(), 0);
    dir.handle_message("home/leds/porch/g", b"255", true);
    assert_eq!(
        dir.lamp(&id("home/leds/porch")).unwrap().state.on,
        Some(true)
    );
}
