//! Lamp systems whose code has not loaded wait for it, as they do in the browser's release
//! build, where every system but the plain lamps is a chunk fetched the first time the home
//! needs it (`lamp::systems::code`): a stand-in subscribes to the system's discovery, holds
//! what arrives there, asks for the code, and hands everything over once the system is in.
//!
//! Natively every system is linked; each test makes systems wait on its own thread first
//! (`code::withhold`), as a page starts.
#![cfg(not(target_arch = "wasm32"))]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use lampboard::lamp::systems::{self, code, SourceKind};
use lampboard::lamp::{DirectoryEvent, DirectorySettings, LampDirectory, LampId, Outgoing};
use serde_json::json;

const ALL: [SourceKind; 6] = [
    SourceKind::HomeAssistant,
    SourceKind::Zigbee2Mqtt,
    SourceKind::Tasmota,
    SourceKind::Wled,
    SourceKind::ShellyGen1,
    SourceKind::ShellyGen2,
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/z2m/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).expect("fixture")
}

/// Runs a load that has nothing to wait for natively (the code is linked).
fn at_once<F: Future>(load: F) -> F::Output {
    match pin!(load).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a linked system's code should be there at once"),
    }
}

/// What the page does once `kind`'s chunk is in: install it, put it in, replay.
fn arrive(dir: &mut LampDirectory, kind: SourceKind) -> Vec<DirectoryEvent> {
    code::install(kind, at_once(code::load(kind)).expect("linked code loads"));
    let mut events = dir.install_code();
    for (_, replayed) in dir.replay_deferred() {
        events.extend(replayed);
    }
    events
}

fn settings() -> DirectorySettings {
    DirectorySettings {
        home_assistant_prefix: "ha".into(),
        zigbee2mqtt_base: "z2m".into(),
        wled_filter: "lights/wled/+".into(),
        ..DirectorySettings::default()
    }
}

#[test]
fn a_stand_in_subscribes_keys_and_greets_as_its_system_does() {
    for settings in [DirectorySettings::default(), settings()] {
        let real = systems::build(&settings);
        for kind in ALL {
            code::withhold(kind);
        }
        let stand_ins = systems::build(&settings);
        assert_eq!(real.len(), stand_ins.len());
        for (real, stand_in) in real.iter().zip(&stand_ins) {
            assert_eq!(real.kind(), stand_in.kind());
            assert_eq!(
                real.subscriptions(),
                stand_in.subscriptions(),
                "{:?}",
                real.kind()
            );
            assert_eq!(
                real.settings_key(),
                stand_in.settings_key(),
                "{:?}",
                real.kind()
            );
            // Shelly Gen1's announce goes out before its code is in: the answers bring it.
            assert_eq!(
                real.on_connect(),
                stand_in.on_connect(),
                "{:?}",
                real.kind()
            );
            assert_eq!(real.waits_for_code(), None);
            let waits = stand_in.kind() != SourceKind::Seed;
            assert_eq!(
                stand_in.waits_for_code().is_some(),
                waits,
                "{:?}",
                real.kind()
            );
        }
        for kind in ALL {
            code::install(kind, at_once(code::load(kind)).unwrap());
        }
    }
}

#[test]
fn zigbee2mqtt_lamps_wait_for_the_code_and_then_all_arrive() {
    code::withhold(SourceKind::Zigbee2Mqtt);
    let mut dir = LampDirectory::new(DirectorySettings::default());
    assert!(
        dir.subscriptions()
            .contains(&"zigbee2mqtt/bridge/devices".to_string()),
        "the device list is subscribed before the code is in: {:?}",
        dir.subscriptions()
    );
    assert!(
        dir.code_wanted().is_empty(),
        "nothing asks before a message"
    );

    let devices = fixture("lampsim_bridge_devices.json");
    let events = dir.handle_message("zigbee2mqtt/bridge/devices", &devices, true);
    assert_eq!(
        events,
        [DirectoryEvent::CodeNeeded(SourceKind::Zigbee2Mqtt)]
    );
    let groups = fixture("lampsim_bridge_groups.json");
    let events = dir.handle_message("zigbee2mqtt/bridge/groups", &groups, true);
    assert_eq!(
        events,
        [DirectoryEvent::CodeNeeded(SourceKind::Zigbee2Mqtt)]
    );
    assert!(dir.waiting_for_code());
    assert_eq!(dir.lamps().count(), 0);
    // A plain lamp does not wait: its system is always linked.
    let plain = br#"{"state":"ON"}"#;
    dir.handle_message("smarthome/kitchen/lamps/top", plain, true);
    assert_eq!(dir.lamps().count(), 1);

    let events = arrive(&mut dir, SourceKind::Zigbee2Mqtt);
    assert!(!dir.waiting_for_code());
    let mut ids: Vec<&str> = dir.lamps().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "smarthome/kitchen/lamps/top",
            "zigbee2mqtt/bedroom/bedside",
            "zigbee2mqtt/hallway/ceiling",
            "zigbee2mqtt/house/all",
            "zigbee2mqtt/living/dimmer#l1",
            "zigbee2mqtt/living/dimmer#l2",
        ]
    );
    let added = events
        .iter()
        .filter(|e| matches!(e, DirectoryEvent::Added(_)))
        .count();
    assert_eq!(added, 5, "{events:?}");
    // The lamps' own topics are subscribed now.
    assert!(dir
        .subscriptions()
        .contains(&"zigbee2mqtt/bedroom/bedside".to_string()));
    // Once in, the system reads at once.
    let events = dir.handle_message("zigbee2mqtt/bridge/devices", &devices, true);
    assert!(
        !events.contains(&DirectoryEvent::CodeNeeded(SourceKind::Zigbee2Mqtt)),
        "{events:?}"
    );
}

#[test]
fn a_state_heard_before_the_code_is_the_lamps_state_after_it() {
    code::withhold(SourceKind::HomeAssistant);
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let config = json!({
        "schema": "json", "name": "Hall", "command_topic": "homeassistant/light/hall/set",
        "state_topic": "homeassistant/light/hall/state", "brightness": true,
    });
    let events = dir.handle_message(
        "homeassistant/light/hall/config",
        config.to_string().as_bytes(),
        true,
    );
    assert_eq!(
        events,
        [DirectoryEvent::CodeNeeded(SourceKind::HomeAssistant)]
    );
    // Its retained state comes under the same wildcard, before the code.
    let state = br#"{"state":"ON","brightness":128}"#;
    dir.handle_message("homeassistant/light/hall/state", state, true);
    // A newer config for a light that is gone replaces the held one.
    dir.handle_message("homeassistant/light/gone/config", b"{}", true);
    dir.handle_message("homeassistant/light/gone/config", b"", true);

    arrive(&mut dir, SourceKind::HomeAssistant);
    let ids: Vec<&str> = dir.lamps().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["homeassistant/light/hall/config"]);
    let hall = dir
        .lamp(&LampId("homeassistant/light/hall/config".into()))
        .unwrap();
    assert_eq!(hall.name, "Hall");
    assert_eq!(hall.state.on, Some(true));
    let pct = hall
        .state
        .brightness_pct
        .expect("brightness from the held state");
    assert!((pct - 50.2).abs() < 0.1, "128 of 255 is 50 %: {pct}");
}

#[test]
fn tasmota_devices_listed_by_topic_want_the_code_at_once() {
    code::withhold(SourceKind::Tasmota);
    let listed = DirectorySettings {
        tasmota_topics: vec![" desk ".into(), "".into(), "desk".into()],
        ..DirectorySettings::default()
    };
    let mut dir = LampDirectory::new(listed);
    assert_eq!(dir.code_wanted(), [SourceKind::Tasmota]);
    assert!(
        dir.subscriptions().contains(&"stat/desk/#".to_string()),
        "the listed device's topics are subscribed while the code comes: {:?}",
        dir.subscriptions()
    );
    // What the device says meanwhile (or the last visit kept) waits for the code.
    let events = dir.handle_message("stat/desk/RESULT", br#"{"POWER":"ON"}"#, false);
    assert_eq!(events, [DirectoryEvent::CodeNeeded(SourceKind::Tasmota)]);

    let events = arrive(&mut dir, SourceKind::Tasmota);
    assert!(dir.code_wanted().is_empty());
    assert!(
        events.contains(&DirectoryEvent::SubscriptionsChanged),
        "{events:?}"
    );
    let subscriptions = dir.subscriptions();
    assert!(
        subscriptions.contains(&"stat/desk/RESULT".to_string())
            && !subscriptions.contains(&"stat/desk/#".to_string()),
        "the exact topics replace the wide ones: {subscriptions:?}"
    );
    assert_eq!(
        dir.lamp(&LampId("stat/desk/POWER".into()))
            .and_then(|l| l.state.on),
        Some(true),
        "the held message is the lamp's state"
    );
}

#[test]
fn shelly_gen1_is_greeted_once_and_its_answer_brings_the_code() {
    code::withhold(SourceKind::ShellyGen1);
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let hello: Vec<Outgoing> = dir
        .on_connect()
        .into_iter()
        .filter(|o| o.topic == "shellies/command")
        .collect();
    assert_eq!(
        hello.len(),
        2,
        "announce and update before the code: {hello:?}"
    );
    let announce = json!({
        "id": "shellyrgbw2-AB12", "model": "SHRGBW2", "mode": "color",
        "mac": "AABBCCAB12", "ip": "192.0.2.7", "new_fw": false, "fw_version": "1.14.0",
    });
    let events = dir.handle_message("shellies/announce", announce.to_string().as_bytes(), false);
    assert_eq!(events, [DirectoryEvent::CodeNeeded(SourceKind::ShellyGen1)]);

    let events = arrive(&mut dir, SourceKind::ShellyGen1);
    assert!(
        !events.iter().any(|e| matches!(e, DirectoryEvent::Publish(m)
            if m.iter().any(|o| o.topic == "shellies/command"))),
        "the greeting is not sent twice: {events:?}"
    );
    assert_eq!(dir.lamps().count(), 1, "{events:?}");
}

#[test]
fn a_settings_change_keeps_a_system_that_arrived_and_waits_again_for_one_that_did_not() {
    code::withhold(SourceKind::Wled);
    code::withhold(SourceKind::Zigbee2Mqtt);
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let devices = fixture("lampsim_bridge_devices.json");
    dir.handle_message("zigbee2mqtt/bridge/devices", &devices, true);
    arrive(&mut dir, SourceKind::Zigbee2Mqtt);
    let before = dir.lamps().count();
    assert!(before > 0);

    // The WLED filter changes: Zigbee2MQTT keeps its lamps, WLED still waits for its code.
    dir.set_settings(DirectorySettings {
        wled_filter: "lights/+".into(),
        ..DirectorySettings::default()
    });
    assert_eq!(dir.lamps().count(), before);
    let events = dir.handle_message("lights/porch/status", b"online", true);
    assert_eq!(events, [DirectoryEvent::CodeNeeded(SourceKind::Wled)]);
}

#[test]
fn nothing_waits_for_a_system_switched_off() {
    code::withhold(SourceKind::Wled);
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let events = dir.handle_message("wled/porch/status", b"online", true);
    assert_eq!(events, [DirectoryEvent::CodeNeeded(SourceKind::Wled)]);
    assert!(dir.waiting_for_code());

    dir.set_settings(DirectorySettings {
        wled: false,
        ..DirectorySettings::default()
    });
    assert!(
        !dir.waiting_for_code(),
        "the held message went with its system"
    );
    assert!(dir.replay_deferred().is_empty());
}
