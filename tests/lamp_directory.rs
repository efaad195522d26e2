//! The lamp directory end to end: messages in, lamps/events/commands/subscriptions out, for
//! seed lamps, Home Assistant discovery and Zigbee2MQTT, fed with samples from the set.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::{
    DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, Outgoing, ReadError, Rgb,
    SourceKind,
};
use proptest::prelude::*;
use serde_json::Value;

fn sample(file: &str, id: &str) -> (String, Vec<u8>) {
    let path = format!(
        "{}/tests/fixtures/payloads/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let items: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
    let s = items
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {file}"));
    (
        s["topic"].as_str().expect("topic").to_string(),
        s["payload"].as_str().expect("payload").as_bytes().to_vec(),
    )
}

fn feed(dir: &mut LampDirectory, file: &str, id: &str) -> Vec<DirectoryEvent> {
    let (topic, payload) = sample(file, id);
    dir.handle_message(&topic, &payload, true)
}

fn id(s: &str) -> LampId {
    LampId(s.to_string())
}

/// The one message a change makes (most lamps take one per change).
fn one(result: Result<Vec<Outgoing>, String>) -> Outgoing {
    let mut messages = result.expect("command");
    assert_eq!(messages.len(), 1, "{messages:?}");
    messages.remove(0)
}

fn json(out: &Outgoing) -> Value {
    serde_json::from_slice(&out.payload).expect("our payload is JSON")
}

const SEED: &str = "smarthome/kitchen/lamps/top/turquoise";

#[test]
fn default_subscriptions_cover_all_sources() {
    let dir = LampDirectory::new(DirectorySettings::default());
    assert_eq!(
        dir.subscriptions(),
        vec![
            "smarthome/+/lamps/#",
            "homeassistant/light/#",
            "homeassistant/device/+/config",
            "zigbee2mqtt/bridge/devices",
            "zigbee2mqtt/bridge/groups",
            "tasmota/discovery/+/config",
            "wled/+/status",
            "shellies/announce",
            "shellies/+/color/+/status",
            "shellies/+/white/+/status",
            "shellies/+/light/+/status",
            "+/status/+",
            "+/events/rpc",
            "+/online",
            "lampboard/rpc"
        ]
    );
}

#[test]
fn seed_lamp_is_created_named_and_written_back_whole() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let ev = dir.handle_message(
        SEED,
        br#"{"state":"ON","color":{"r":0,"g":255,"b":255},"vendor":"x"}"#,
        true,
    );
    assert_eq!(ev, vec![DirectoryEvent::Added(id(SEED))]);
    let lamp = dir.lamp(&id(SEED)).expect("lamp");
    assert_eq!(lamp.name, "top / turquoise");
    assert_eq!(lamp.room.as_deref(), Some("kitchen"));
    assert_eq!(lamp.source_kind(), SourceKind::Seed);
    assert_eq!(lamp.state.on, Some(true));
    assert_eq!(lamp.state.rgb, Some(Rgb::new(0, 255, 255)));
    // A plain lamp offers the controls its messages have shown: colour, not (yet)
    // brightness or colour temperature.
    assert!(lamp.capabilities.color);
    assert!(!lamp.capabilities.brightness && !lamp.capabilities.color_temp);

    let out = one(dir.command(&id(SEED), &LampChange::On(false)));
    assert_eq!(out.topic, SEED);
    assert!(out.retain, "seed lamps publish their state retained");
    assert_eq!(
        out.payload,
        br#"{"color":{"b":255,"g":255,"r":0},"state":"OFF","vendor":"x"}"#.to_vec(),
        "whole state, unknown key kept, compact"
    );
    let out = one(dir.command(&id(SEED), &LampChange::Color(Rgb::new(255, 0, 0))));
    assert_eq!(
        json(&out)["color"],
        serde_json::json!({"r":255,"g":0,"b":0})
    );
    assert_eq!(json(&out)["state"], "ON");
    let out = one(dir.command(&id(SEED), &LampChange::Brightness(50)));
    assert_eq!(json(&out)["brightness"], 128);
    let out = one(dir.command(&id(SEED), &LampChange::ColorTemp(300)));
    assert_eq!(json(&out)["color_temp"], 300);
    assert_eq!(
        json(&out)["color_mode"],
        "color_temp",
        "so the stale colour does not win on read-back"
    );
}

#[test]
fn seed_partial_delta_merges_into_document_and_state() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(
        SEED,
        br#"{"state":"ON","color":{"r":0,"g":255,"b":255}}"#,
        true,
    );
    let ev = dir.handle_message(SEED, br#"{"brightness":51}"#, false);
    assert_eq!(
        ev,
        vec![DirectoryEvent::Updated {
            id: id(SEED),
            warnings: vec![]
        }]
    );
    let lamp = dir.lamp(&id(SEED)).expect("lamp");
    assert_eq!(lamp.state.on, Some(true));
    assert_eq!(lamp.state.rgb, Some(Rgb::new(0, 255, 255)));
    assert_eq!(lamp.state.brightness_pct, Some(20.0));
    assert_eq!(lamp.document().len(), 3);
    // Nothing new: no event.
    assert!(dir
        .handle_message(SEED, br#"{"brightness":51}"#, false)
        .is_empty());
}

#[test]
fn unreadable_payload_keeps_last_good_state_and_raw_text() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(SEED, br#"{"state":"ON"}"#, true);
    let bad = b"{\"state\":\"OFF\",\n}";
    let ev = dir.handle_message(SEED, bad, false);
    assert!(
        matches!(&ev[..], [DirectoryEvent::Unreadable { lamp: Some(l), error: ReadError::InvalidJson { .. }, .. }] if *l == id(SEED)),
        "{ev:?}"
    );
    let lamp = dir.lamp(&id(SEED)).expect("lamp kept");
    assert_eq!(lamp.state.on, Some(true));
    assert_eq!(
        lamp.unreadable.as_ref().map(|u| u.raw.as_bytes()),
        Some(&bad[..])
    );
    // The next good payload clears the problem.
    let ev = dir.handle_message(SEED, br#"{"state":"ON"}"#, false);
    assert_eq!(ev.len(), 1);
    assert!(dir.lamp(&id(SEED)).expect("lamp").unreadable.is_none());
}

#[test]
fn non_lamp_payload_on_a_new_topic_makes_no_lamp() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    for payload in [&b"{\"battery\":100}"[..], b"online", b"{nope", b"[1]"] {
        let ev = dir.handle_message("smarthome/hall/lamps/x", payload, false);
        assert!(
            matches!(&ev[..], [DirectoryEvent::Unreadable { lamp: None, .. }]),
            "{ev:?}"
        );
    }
    assert_eq!(dir.lamps().count(), 0);
    assert!(dir
        .handle_message("elsewhere/lamp", br#"{"state":"ON"}"#, false)
        .is_empty());
    // Plain ON on a lamp topic is a lamp.
    let ev = dir.handle_message("smarthome/hall/lamps/x", b"ON", false);
    assert_eq!(
        ev,
        vec![DirectoryEvent::Added(id("smarthome/hall/lamps/x"))]
    );
    let out = one(dir.command(&id("smarthome/hall/lamps/x"), &LampChange::Brightness(100)));
    assert_eq!(
        json(&out),
        serde_json::json!({"state":"ON","brightness":255})
    );
}

#[test]
fn empty_payload_removes_a_seed_lamp_even_when_not_retained() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(SEED, br#"{"state":"ON"}"#, true);
    assert_eq!(
        dir.handle_message(SEED, b"", false),
        vec![DirectoryEvent::Removed(id(SEED))]
    );
    assert!(dir.lamp(&id(SEED)).is_none());
    assert!(dir.handle_message(SEED, b"", false).is_empty());
}

#[test]
fn home_assistant_json_light_lifecycle() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let cfg = "homeassistant/light/kitchen/config";
    let ev = feed(&mut dir, "ha_discovery.json", "had-01");
    assert_eq!(
        ev,
        vec![DirectoryEvent::Added(id(cfg))],
        "state topic is under homeassistant/light/#"
    );
    let lamp = dir.lamp(&id(cfg)).expect("lamp");
    assert_eq!(lamp.name, "Kitchen");
    assert_eq!(lamp.source_kind(), SourceKind::HomeAssistant);
    assert!(lamp.capabilities.brightness && !lamp.capabilities.color);

    let ev = feed(&mut dir, "ha_state.json", "has-21");
    assert_eq!(ev.len(), 1, "{ev:?}");
    let lamp = dir.lamp(&id(cfg)).expect("lamp");
    assert_eq!(
        (lamp.state.on, lamp.state.brightness_pct),
        (Some(true), Some(100.0))
    );

    let out = one(dir.command(&id(cfg), &LampChange::Brightness(50)));
    assert_eq!(out.topic, "homeassistant/light/kitchen/set");
    assert!(!out.retain, "commands are not retained");
    assert_eq!(out.payload, br#"{"brightness":128,"state":"ON"}"#.to_vec());
    assert_eq!(
        one(dir.command(&id(cfg), &LampChange::On(false))).payload,
        br#"{"state":"OFF"}"#.to_vec()
    );

    // Re-announcing the same config changes nothing; an empty config removes.
    assert!(feed(&mut dir, "ha_discovery.json", "had-01").is_empty());
    assert_eq!(
        dir.handle_message(cfg, b"", true),
        vec![DirectoryEvent::Removed(id(cfg))]
    );
    assert!(
        dir.handle_message(cfg, b"", true).is_empty(),
        "removing twice is quiet"
    );
}

#[test]
fn home_assistant_light_outside_the_prefix_is_subscribed_with_availability() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let ev = feed(&mut dir, "ha_discovery.json", "had-17");
    assert!(ev.contains(&DirectoryEvent::SubscriptionsChanged), "{ev:?}");
    let subs = dir.subscriptions();
    assert!(
        subs.contains(&"bathroom/light/blue_led/state".to_string()),
        "{subs:?}"
    );
    assert!(subs.contains(&"bathroom/status".to_string()), "{subs:?}");
    let lamp_id = id("homeassistant/light/bathroom/blue_led/config");
    dir.handle_message("bathroom/status", b"online", true);
    assert!(dir.lamp(&lamp_id).expect("lamp").available);
    dir.handle_message("bathroom/status", b"offline", true);
    assert!(!dir.lamp(&lamp_id).expect("lamp").available);
    dir.handle_message("bathroom/light/blue_led/state", br#"{"state":"ON"}"#, false);
    assert_eq!(dir.lamp(&lamp_id).expect("lamp").state.on, Some(true));
}

#[test]
fn home_assistant_kelvin_and_scale_apply_to_reading_and_writing() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let cfg = "homeassistant/light/k/config";
    let config = br#"{"~":"lights/k","cmd_t":"~/set","stat_t":"~/state","schema":"json","bri_scl":100,"clr_temp_k":true,"sup_clrm":["color_temp","hs"],"min_mirs":153,"max_mirs":370}"#;
    dir.handle_message(cfg, config, true);
    dir.handle_message(
        "lights/k/state",
        br#"{"state":"ON","brightness":50,"color_mode":"color_temp","color_temp":6451}"#,
        false,
    );
    let lamp = dir.lamp(&id(cfg)).expect("lamp");
    assert_eq!(lamp.state.brightness_pct, Some(50.0));
    assert_eq!(lamp.state.color_temp_mireds, Some(155));
    assert_eq!(lamp.capabilities.color_temp_range, Some((153, 370)));
    let out = one(dir.command(&id(cfg), &LampChange::ColorTemp(500)));
    assert_eq!(
        json(&out)["color_temp"],
        2702,
        "clamped to 370 mireds, sent in kelvin"
    );
    let out = one(dir.command(&id(cfg), &LampChange::Brightness(50)));
    assert_eq!(json(&out)["brightness"], 50);
    let out = one(dir.command(&id(cfg), &LampChange::Color(Rgb::new(0, 0, 255))));
    assert_eq!(
        json(&out)["color"],
        serde_json::json!({"h":240.0,"s":100.0}),
        "hs-only lamp gets hs"
    );
}

/// Tasmota's legacy discovery (payload set had-15) is HA's default schema with one topic per
/// feature: read and commanded as HA does (schema_basic.py; test_light.py
/// `test_brightness_from_rgb_controlling_scale`-style on_command_type brightness: a colour is
/// the colour topic, then the brightness topic).
#[test]
fn home_assistant_default_schema_reads_and_writes_every_topic() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    feed(&mut dir, "ha_discovery.json", "had-15");
    let lamp_id = id("homeassistant/light/F4FAA9_LI_1/config");
    let lamp = dir.lamp(&lamp_id).expect("lamp");
    assert_eq!(lamp.name, "Bulb01");
    assert!(lamp.capabilities.brightness && lamp.capabilities.color);
    assert!(lamp.capabilities.color_temp);
    dir.handle_message(
        "tele/bulb01/STATE",
        br#"{"POWER":"ON","Dimmer":50,"HSBColor":"30,100,50","White":0}"#,
        false,
    );
    let lamp = dir.lamp(&lamp_id).expect("lamp");
    assert_eq!(lamp.state.on, Some(true));
    assert_eq!(lamp.state.brightness_pct, Some(50.0));
    assert_eq!(lamp.state.color_mode, Some(lampboard::lamp::ColorMode::Hs));
    dir.handle_message("tele/bulb01/LWT", b"Online", true);
    let out = one(dir.command(&lamp_id, &LampChange::On(false)));
    assert_eq!(
        (out.topic.as_str(), out.payload.as_slice()),
        ("cmnd/bulb01/POWER", &b"OFF"[..])
    );
    // on_command_type brightness: a turn-on is the brightness HA remembers, never ON.
    let out = one(dir.command(&lamp_id, &LampChange::On(true)));
    assert_eq!(
        (out.topic.as_str(), out.payload.as_slice()),
        ("cmnd/bulb01/Dimmer", &b"50"[..])
    );
    let msgs = dir
        .command(&lamp_id, &LampChange::Color(Rgb::new(255, 0, 0)))
        .expect("colour");
    let sent: Vec<(&str, &str)> = msgs
        .iter()
        .map(|m| {
            (
                m.topic.as_str(),
                std::str::from_utf8(&m.payload).unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        sent,
        vec![
            ("cmnd/bulb01/HSBColor", "0.0,100.0"),
            ("cmnd/bulb01/Dimmer", "50")
        ]
    );
    dir.handle_message("tele/bulb01/LWT", b"Offline", true);
    assert!(!dir.lamp(&lamp_id).expect("lamp").available);
    assert_eq!(
        dir.command(&lamp_id, &LampChange::On(true)),
        Err("the lamp is unavailable".to_owned())
    );
}

#[test]
fn invalid_discovery_is_reported_not_added() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let ev = feed(&mut dir, "ha_discovery.json", "had-07");
    assert!(
        matches!(&ev[..], [DirectoryEvent::DiscoveryRejected { reason, .. }] if reason.contains("command_topic")),
        "{ev:?}"
    );
    assert_eq!(dir.lamps().count(), 0);
    // A device config whose components are all sensors makes no lamp (HA docs' example).
    assert!(feed(&mut dir, "ha_discovery.json", "had-03").is_empty());
    assert_eq!(dir.lamps().count(), 0);
    assert!(feed(&mut dir, "edge.json", "edge-37").is_empty());
}

#[test]
fn optimistic_home_assistant_lamp_follows_assumed_changes() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    feed(&mut dir, "ha_discovery.json", "had-06");
    let lamp_id = id("homeassistant/light/bla/config");
    assert!(dir.assume(&lamp_id, &LampChange::On(true)).is_some());
    assert_eq!(dir.lamp(&lamp_id).expect("lamp").state.on, Some(true));
    // Lamps that report state are never assumed.
    dir.handle_message(SEED, br#"{"state":"OFF"}"#, false);
    assert_eq!(dir.assume(&id(SEED), &LampChange::On(true)), None);
    // So only the lamps that report state have an echo to wait for after a change.
    assert!(!dir.reports_state(&lamp_id));
    assert!(dir.reports_state(&id(SEED)));
    assert!(!dir.reports_state(&id("smarthome/nowhere/lamps/none")));
}

fn with_z2m_devices() -> LampDirectory {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let ev = feed(&mut dir, "z2m.json", "z2m-05");
    let added = ev
        .iter()
        .filter(|e| matches!(e, DirectoryEvent::Added(_)))
        .count();
    assert_eq!(added, 3, "{ev:?}");
    assert!(ev.contains(&DirectoryEvent::SubscriptionsChanged));
    dir
}

#[test]
fn zigbee2mqtt_lights_come_from_bridge_devices() {
    let mut dir = with_z2m_devices();
    let subs = dir.subscriptions();
    for t in [
        "zigbee2mqtt/hue1",
        "zigbee2mqtt/hue1/availability",
        "zigbee2mqtt/hue_back_tv",
    ] {
        assert!(subs.contains(&t.to_string()), "{t} in {subs:?}");
    }
    assert!(
        !subs.iter().any(|s| s.contains("temp_humidity")),
        "sensors are not subscribed"
    );

    let ev = feed(&mut dir, "z2m.json", "z2m-06");
    assert_eq!(ev.len(), 1);
    let tv = dir.lamp(&id("zigbee2mqtt/hue_back_tv")).expect("lamp");
    assert_eq!(tv.source_kind(), SourceKind::Zigbee2Mqtt);
    assert_eq!(tv.state.color_temp_mireds, Some(454));
    assert_eq!(tv.state.brightness_pct.map(f32::round), Some(39.0));
    assert!(tv.capabilities.color && tv.capabilities.color_temp && tv.capabilities.brightness);

    // Not lamps: a sensor with '/' in its name, a relay with state ON, availability.
    assert!(feed(&mut dir, "z2m.json", "z2m-09").is_empty());
    assert!(feed(&mut dir, "z2m.json", "z2m-10").is_empty());
    assert_eq!(dir.lamps().count(), 3);
    feed(&mut dir, "z2m.json", "z2m-12");
    assert!(
        !dir.lamp(&id("zigbee2mqtt/hue_back_tv"))
            .expect("lamp")
            .available
    );
    feed(&mut dir, "z2m.json", "z2m-14");
    assert!(!dir.lamp(&id("zigbee2mqtt/hue1")).expect("lamp").available);

    let hue1 = id("zigbee2mqtt/hue1");
    assert_eq!(
        dir.command(&hue1, &LampChange::On(true)),
        Err("the lamp is unavailable".to_owned()),
        "an offline lamp takes no commands"
    );
    dir.handle_message(
        "zigbee2mqtt/hue1/availability",
        br#"{"state":"online"}"#,
        true,
    );
    assert!(dir.lamp(&hue1).expect("lamp").available);
    let out = one(dir.command(&hue1, &LampChange::Brightness(100)));
    assert_eq!(
        out,
        Outgoing {
            topic: "zigbee2mqtt/hue1/set".into(),
            payload: br#"{"brightness":254}"#.to_vec(),
            retain: false
        }
    );
    let out = one(dir.command(&hue1, &LampChange::ColorTemp(100)));
    assert_eq!(
        out.payload,
        br#"{"color_temp":153}"#.to_vec(),
        "clamped into the device range"
    );
    let out = one(dir.command(&hue1, &LampChange::Color(Rgb::new(46, 102, 150))));
    assert_eq!(
        out.payload,
        br#"{"color":{"b":150,"g":102,"r":46}}"#.to_vec()
    );
    let out = dir.refresh(&hue1).into_iter().next().expect("get");
    assert_eq!(
        (out.topic.as_str(), out.payload.as_slice()),
        ("zigbee2mqtt/hue1/get", &br#"{"state":""}"#[..])
    );
}

#[test]
fn zigbee2mqtt_light_announced_via_home_assistant_too_appears_once() {
    let mut dir = with_z2m_devices();
    let ha = br#"{"schema":"json","command_topic":"zigbee2mqtt/hue1/set","state_topic":"zigbee2mqtt/hue1","brightness_scale":254,"supported_color_modes":["xy","color_temp"],"name":null,"device":{"name":"hue1"},"unique_id":"hue1_light_zigbee2mqtt"}"#;
    let cfg = "homeassistant/light/0x0017880104e45553/light/config";
    assert!(
        dir.handle_message(cfg, ha, true).is_empty(),
        "shadowed by the Zigbee2MQTT lamp"
    );
    assert_eq!(dir.lamps().count(), 3);
    // The device leaves Zigbee2MQTT's list: the HA announcement takes over.
    let ev = dir.handle_message("zigbee2mqtt/bridge/devices", b"[]", true);
    assert!(ev.contains(&DirectoryEvent::Added(id(cfg))), "{ev:?}");
    assert!(
        ev.contains(&DirectoryEvent::Removed(id("zigbee2mqtt/hue1"))),
        "{ev:?}"
    );
    assert_eq!(dir.lamps().count(), 1);
    // A broken device list keeps what we had.
    let ev = dir.handle_message("zigbee2mqtt/bridge/devices", b"{", true);
    assert!(
        matches!(&ev[..], [DirectoryEvent::DiscoveryRejected { .. }]),
        "{ev:?}"
    );
    assert_eq!(dir.lamps().count(), 1);
}

#[test]
fn switching_a_source_off_drops_its_lamps_and_subscriptions() {
    let mut dir = with_z2m_devices();
    dir.handle_message(SEED, br#"{"state":"ON"}"#, true);
    let settings = DirectorySettings {
        zigbee2mqtt: false,
        home_assistant: false,
        tasmota: false,
        wled: false,
        shelly_gen1: false,
        shelly_gen2: false,
        ..DirectorySettings::default()
    };
    let ev = dir.set_settings(settings);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, DirectoryEvent::Removed(_)))
            .count(),
        3
    );
    assert!(ev.contains(&DirectoryEvent::SubscriptionsChanged));
    assert_eq!(dir.subscriptions(), vec!["smarthome/+/lamps/#"]);
    assert_eq!(dir.lamps().count(), 1, "the seed lamp stays");
    // Bridge messages are now ignored.
    assert!(feed(&mut dir, "z2m.json", "z2m-05").is_empty());
    // A narrower filter drops seed lamps it no longer covers.
    let ev = dir.set_settings(DirectorySettings {
        lamp_filters: vec!["smarthome/hall/lamps/#".into()],
        zigbee2mqtt: false,
        home_assistant: false,
        tasmota: false,
        wled: false,
        shelly_gen1: false,
        shelly_gen2: false,
        ..DirectorySettings::default()
    });
    assert!(ev.contains(&DirectoryEvent::Removed(id(SEED))), "{ev:?}");
}

#[test]
fn every_state_sample_through_the_directory_never_panics() {
    let mut dir = with_z2m_devices();
    let mut n = 0;
    for file in [
        "ha_state.json",
        "z2m.json",
        "edge.json",
        "ha_discovery.json",
        "tasmota.json",
        "shelly.json",
    ] {
        let path = format!(
            "{}/tests/fixtures/payloads/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let items: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
        for s in items {
            let topic = s["topic"].as_str().expect("topic");
            let payload = s["payload"].as_str().expect("payload");
            let retained = s["retained"].as_bool().unwrap_or(false);
            let _ = dir.handle_message(topic, payload.as_bytes(), retained);
            // Also as if every sample arrived on a seed lamp topic.
            let _ = dir.handle_message("smarthome/test/lamps/any", payload.as_bytes(), retained);
            n += 1;
        }
    }
    assert!(n > 190, "{n}");
    for lamp in dir.lamps().map(|l| l.id.clone()).collect::<Vec<_>>() {
        for change in [
            LampChange::On(true),
            LampChange::Brightness(0),
            LampChange::Brightness(255),
            LampChange::Color(Rgb::new(1, 2, 3)),
            LampChange::ColorTemp(0),
        ] {
            for out in dir.command(&lamp, &change).unwrap_or_default() {
                assert!(!out.payload.is_empty());
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_messages_never_panic(
        topic in prop_oneof![
            Just("homeassistant/light/x/config".to_string()),
            Just("zigbee2mqtt/bridge/devices".to_string()),
            Just("smarthome/r/lamps/a".to_string()),
            "[a-z/+#]{0,20}",
        ],
        payload in proptest::collection::vec(any::<u8>(), 0..128),
        retained in any::<bool>(),
    ) {
        let mut dir = LampDirectory::new(DirectorySettings::default());
        let _ = dir.handle_message(&topic, &payload, retained);
        let _ = dir.subscriptions();
    }
}

#[test]
fn a_forgotten_lamp_is_gone_with_its_subscriptions_and_comes_back_if_it_speaks() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let config = "homeassistant/light/porch/config";
    dir.handle_message(
        config,
        br#"{"schema":"json","name":"Porch","command_topic":"porch/set","state_topic":"porch/state"}"#,
        true,
    );
    assert!(dir.subscriptions().iter().any(|s| s == "porch/state"));
    let events = dir.forget(&id(config));
    assert!(
        events.contains(&DirectoryEvent::Removed(id(config))),
        "{events:?}"
    );
    assert!(
        events.contains(&DirectoryEvent::SubscriptionsChanged),
        "{events:?}"
    );
    assert!(dir.lamp(&id(config)).is_none());
    assert!(!dir.subscriptions().iter().any(|s| s == "porch/state"));
    assert!(
        dir.forget(&id(config)).is_empty(),
        "forgetting twice does nothing"
    );
    dir.handle_message(
        config,
        br#"{"schema":"json","name":"Porch","command_topic":"porch/set","state_topic":"porch/state"}"#,
        true,
    );
    assert!(dir.lamp(&id(config)).is_some(), "heard again, it is back");
}

#[test]
fn the_first_offline_of_an_unheard_lamp_is_news_though_it_was_unavailable_already() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let config = "homeassistant/light/porch/config";
    dir.handle_message(
        config,
        br#"{"schema":"json","name":"Porch","command_topic":"porch/set","availability_topic":"porch/availability"}"#,
        true,
    );
    let lamp = dir.lamp(&id(config)).unwrap();
    assert!(!lamp.available && !lamp.availability_heard());
    let events = dir.handle_message("porch/availability", b"offline", true);
    assert!(
        events.contains(&DirectoryEvent::Updated {
            id: id(config),
            warnings: Vec::new()
        }),
        "{events:?}"
    );
    assert!(dir.lamp(&id(config)).unwrap().availability_heard());
    let again = dir.handle_message("porch/availability", b"offline", true);
    assert!(again.is_empty(), "said once: {again:?}");
}
