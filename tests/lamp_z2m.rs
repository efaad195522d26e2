//! Zigbee2MQTT end to end through the directory: multi-endpoint lights, groups, effects,
//! renames and removals, rooms from friendly names, availability, and exactly what is
//! published for each change.
//!
//! Sources of the data:
//! * `tests/fixtures/z2m/lampsim_bridge_*.json`: what lampsim publishes
//!   (`lampsim/src/fleet/z2m.rs`, `z2m_groups.rs`), in Zigbee2MQTT 2.x's `bridge/devices` and
//!   `bridge/groups` format.
//! * The group capabilities test follows Zigbee2MQTT's own `test/extensions/homeassistant.test.ts`
//!   ("Should discover devices and groups": a group of a Hue colour bulb 153-500, a TRADFRI
//!   white-spectrum bulb 250-454 and an Aqara wall switch is a light with `xy` and
//!   `color_temp`, `min_mireds` 250, `max_mireds` 454, and the union of the members' effects).
//! * Endpoint keys follow `lib/extension/homeassistant.ts` (`onPublishEntityState` strips
//!   `_<endpoint>`) and `lib/extension/publish.ts` (a `/set` key ending in `_<endpoint>` goes
//!   to that endpoint); availability payloads follow `lib/extension/availability.ts`
//!   (`{"state":"online"}`, retained) and the 1.x text form.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::systems::zigbee2mqtt::{parse_groups, Z2mScene};
use lampboard::lamp::{
    DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, Outgoing, Rgb, SourceKind,
};
use serde_json::{json, Value};

const DEVICES: &str = "zigbee2mqtt/bridge/devices";
const GROUPS: &str = "zigbee2mqtt/bridge/groups";
const EFFECTS: [&str; 6] = [
    "blink",
    "breathe",
    "okay",
    "channel_change",
    "finish_effect",
    "stop_effect",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/z2m/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).expect("fixture")
}

fn id(s: &str) -> LampId {
    LampId(s.to_string())
}

/// A directory that has heard lampsim's device and group lists.
fn house() -> LampDirectory {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(DEVICES, &fixture("lampsim_bridge_devices.json"), true);
    dir.handle_message(GROUPS, &fixture("lampsim_bridge_groups.json"), true);
    dir
}

/// The one message a change makes, as (topic, JSON payload).
fn sent(dir: &LampDirectory, lamp: &str, change: LampChange) -> (String, Value) {
    let mut out: Vec<Outgoing> = dir.command(&id(lamp), &change).expect("command");
    assert_eq!(out.len(), 1, "{out:?}");
    let out = out.remove(0);
    assert!(!out.retain, "commands are not retained");
    let payload = serde_json::from_slice(&out.payload).expect("JSON");
    (out.topic, payload)
}

fn set(topic: &str, payload: Value) -> (String, Value) {
    (topic.to_string(), payload)
}

#[test]
fn lampsims_house_gives_one_lamp_per_light_endpoint_and_group() {
    let dir = house();
    let mut ids: Vec<&str> = dir.lamps().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "zigbee2mqtt/bedroom/bedside",
            "zigbee2mqtt/hallway/ceiling",
            "zigbee2mqtt/house/all",
            "zigbee2mqtt/living/dimmer#l1",
            "zigbee2mqtt/living/dimmer#l2",
        ],
        "the coordinator and the motion sensor are not lamps"
    );
    let place = |i: &str| {
        let l = dir.lamp(&id(i)).expect("lamp");
        assert_eq!(l.source_kind(), SourceKind::Zigbee2Mqtt);
        (l.room.clone(), l.name.clone())
    };
    assert_eq!(
        place("zigbee2mqtt/bedroom/bedside"),
        (Some("bedroom".into()), "bedside".into())
    );
    assert_eq!(
        place("zigbee2mqtt/living/dimmer#l1"),
        (Some("living".into()), "dimmer L1".into())
    );
    assert_eq!(
        place("zigbee2mqtt/living/dimmer#l2"),
        (Some("living".into()), "dimmer L2".into())
    );
    assert_eq!(
        place("zigbee2mqtt/house/all"),
        (Some("house".into()), "all".into())
    );
    let subs = dir.subscriptions();
    for t in [
        GROUPS,
        "zigbee2mqtt/living/dimmer",
        "zigbee2mqtt/living/dimmer/l1",
        "zigbee2mqtt/living/dimmer/availability",
        "zigbee2mqtt/house/all",
        "zigbee2mqtt/house/all/availability",
    ] {
        assert!(subs.contains(&t.to_string()), "{t} in {subs:?}");
    }
    assert!(!subs.iter().any(|s| s.contains("motion")), "{subs:?}");
}

#[test]
fn a_name_without_a_slash_has_no_room() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let devices = json!([{"friendly_name": "hue1", "ieee_address": "0x1",
        "definition": {"exposes": [{"type": "light", "features": [
            {"name": "state", "property": "state", "type": "binary"}]}]}}]);
    dir.handle_message(DEVICES, devices.to_string().as_bytes(), true);
    let lamp = dir.lamp(&id("zigbee2mqtt/hue1")).expect("lamp");
    assert_eq!((lamp.room.as_deref(), lamp.name.as_str()), (None, "hue1"));
    // On/off only: no control the expose does not list.
    assert!(!lamp.capabilities.brightness && !lamp.capabilities.color);
    assert!(!lamp.capabilities.color_temp && lamp.capabilities.effects.is_empty());
    assert!(dir
        .command(&id("zigbee2mqtt/hue1"), &LampChange::Brightness(50))
        .is_err());
}

#[test]
fn capabilities_come_only_from_exposes() {
    let dir = house();
    let caps = |i: &str| dir.lamp(&id(i)).expect("lamp").capabilities.clone();
    let bedside = caps("zigbee2mqtt/bedroom/bedside");
    assert!(bedside.brightness && bedside.color_temp);
    assert!(
        !bedside.color,
        "a white-spectrum bulb has no colour control"
    );
    assert_eq!(bedside.color_temp_range, Some((250, 454)));
    assert_eq!(bedside.effects, EFFECTS);
    let ceiling = caps("zigbee2mqtt/hallway/ceiling");
    assert!(ceiling.color && ceiling.color_temp && ceiling.brightness);
    assert_eq!(ceiling.color_temp_range, Some((153, 500)));
    for ep in ["l1", "l2"] {
        let c = caps(&format!("zigbee2mqtt/living/dimmer#{ep}"));
        assert!(c.brightness && !c.color && !c.color_temp && c.effects.is_empty());
    }
    assert!(
        dir.command(
            &id("zigbee2mqtt/bedroom/bedside"),
            &LampChange::Color(Rgb::new(255, 0, 0))
        )
        .is_err(),
        "no colour message for a lamp without colour"
    );
}

#[test]
fn each_endpoint_reads_its_suffixed_keys_from_the_device_state() {
    let mut dir = house();
    // lampsim's first dimmer state (README: sorted keys).
    let state = br#"{"brightness_l1":200,"brightness_l2":60,"linkquality":118,"state_l1":"ON","state_l2":"OFF"}"#;
    let ev = dir.handle_message("zigbee2mqtt/living/dimmer", state, false);
    assert_eq!(ev.len(), 2, "both endpoints changed: {ev:?}");
    let l1 = dir.lamp(&id("zigbee2mqtt/living/dimmer#l1")).expect("l1");
    assert_eq!(l1.state.on, Some(true));
    assert_eq!(
        l1.state.brightness_pct.map(|b| (b * 10.0).round()),
        Some(787.0)
    );
    let l2 = dir.lamp(&id("zigbee2mqtt/living/dimmer#l2")).expect("l2");
    assert_eq!(l2.state.on, Some(false));
    assert_eq!(
        l2.state.brightness_pct.map(|b| (b * 10.0).round()),
        Some(236.0)
    );

    // A delta for l2 only leaves l1 alone.
    let ev = dir.handle_message("zigbee2mqtt/living/dimmer", br#"{"state_l2":"ON"}"#, false);
    assert_eq!(
        ev,
        vec![DirectoryEvent::Updated {
            id: id("zigbee2mqtt/living/dimmer#l2"),
            warnings: vec![]
        }]
    );
    assert_eq!(
        dir.lamp(&id("zigbee2mqtt/living/dimmer#l1"))
            .expect("l1")
            .state
            .on,
        Some(true)
    );
    // Zigbee2MQTT's HA integration republishes an endpoint unsuffixed on <name>/<endpoint>.
    dir.handle_message("zigbee2mqtt/living/dimmer/l1", br#"{"state":"OFF"}"#, false);
    assert_eq!(
        dir.lamp(&id("zigbee2mqtt/living/dimmer#l1"))
            .expect("l1")
            .state
            .on,
        Some(false)
    );
}

#[test]
fn endpoint_commands_use_the_suffixed_keys_on_the_devices_set_topic() {
    let dir = house();
    let topic = "zigbee2mqtt/living/dimmer/set";
    let l1 = "zigbee2mqtt/living/dimmer#l1";
    let l2 = "zigbee2mqtt/living/dimmer#l2";
    assert_eq!(
        sent(&dir, l1, LampChange::On(true)),
        set(topic, json!({"state_l1": "ON"}))
    );
    assert_eq!(
        sent(&dir, l2, LampChange::On(false)),
        set(topic, json!({"state_l2": "OFF"}))
    );
    assert_eq!(
        sent(&dir, l2, LampChange::Brightness(100)),
        set(topic, json!({"brightness_l2": 254}))
    );
    assert_eq!(
        sent(&dir, l1, LampChange::Brightness(50)),
        set(topic, json!({"brightness_l1": 127}))
    );
    assert_eq!(
        sent(&dir, l1, LampChange::Brightness(0)),
        set(topic, json!({"state_l1": "OFF"}))
    );
    assert!(dir.command(&id(l1), &LampChange::ColorTemp(300)).is_err());
    assert!(dir
        .command(&id(l1), &LampChange::Effect("blink".into()))
        .is_err());
    let get = dir.refresh(&id(l2));
    assert_eq!(
        get,
        vec![Outgoing::command(
            "zigbee2mqtt/living/dimmer/get",
            br#"{"state_l2":""}"#.to_vec()
        )]
    );
}

/// A Gledopto GL-C-007-2ID-style fitting (zigbee-herdsman-converters `light` with
/// `endpointNames: ["rgb", "white"]`): colour on one endpoint, white on the other.
fn dual_light() -> Value {
    let ep = |ep: &str, colour: bool| {
        let mut features = vec![
            json!({"name": "state", "property": format!("state_{ep}"), "type": "binary", "endpoint": ep}),
            json!({"name": "brightness", "property": format!("brightness_{ep}"), "type": "numeric",
                   "value_min": 0, "value_max": 254, "endpoint": ep}),
        ];
        if colour {
            features.push(
                json!({"name": "color_xy", "property": format!("color_{ep}"), "type": "composite",
                                 "endpoint": ep, "features": []}),
            );
        } else {
            features.push(json!({"name": "color_temp", "property": format!("color_temp_{ep}"),
                                 "type": "numeric", "value_min": 158, "value_max": 495, "endpoint": ep}));
        }
        json!({"type": "light", "endpoint": ep, "features": features})
    };
    json!([{"friendly_name": "kitchen/cabinet", "ieee_address": "0x00124b0099887766",
            "definition": {"exposes": [ep("rgb", true), ep("white", false)]}}])
}

#[test]
fn colour_and_colour_temperature_are_addressed_to_their_endpoint() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(DEVICES, dual_light().to_string().as_bytes(), true);
    let rgb = "zigbee2mqtt/kitchen/cabinet#rgb";
    let white = "zigbee2mqtt/kitchen/cabinet#white";
    let topic = "zigbee2mqtt/kitchen/cabinet/set";
    assert_eq!(dir.lamp(&id(rgb)).expect("rgb").name, "cabinet Rgb");
    assert_eq!(
        sent(&dir, rgb, LampChange::Color(Rgb::new(255, 0, 0))),
        set(topic, json!({"color_rgb": {"r": 255, "g": 0, "b": 0}}))
    );
    assert_eq!(
        sent(&dir, white, LampChange::ColorTemp(600)),
        set(topic, json!({"color_temp_white": 495})),
        "clamped into the expose's value_min/value_max"
    );
    let caps = &dir.lamp(&id(white)).expect("white").capabilities;
    assert_eq!(caps.color_temp_range, Some((158, 495)));
    assert!(!caps.color);
    dir.handle_message(
        "zigbee2mqtt/kitchen/cabinet",
        br#"{"color_rgb":{"x":0.701,"y":0.299},"color_mode_rgb":"xy","state_rgb":"ON","color_temp_white":300,"state_white":"OFF"}"#,
        false,
    );
    let rgb = dir.lamp(&id(rgb)).expect("rgb");
    assert_eq!(rgb.state.on, Some(true));
    assert_eq!(rgb.state.rgb, Some(Rgb::new(255, 0, 0)));
    let white = dir.lamp(&id(white)).expect("white");
    assert_eq!(
        (white.state.on, white.state.color_temp_mireds),
        (Some(false), Some(300))
    );
}

#[test]
fn bulbs_offer_their_effect_enum_and_send_it_on_set() {
    let dir = house();
    let ceiling = "zigbee2mqtt/hallway/ceiling";
    assert_eq!(
        sent(&dir, ceiling, LampChange::Effect("breathe".into())),
        set(
            "zigbee2mqtt/hallway/ceiling/set",
            json!({"effect": "breathe"})
        )
    );
    assert!(dir
        .command(&id(ceiling), &LampChange::Effect("disco".into()))
        .is_err());
}

#[test]
fn a_group_of_lights_is_a_lamp_commanded_on_its_own_set_topic() {
    let mut dir = house();
    let all = "zigbee2mqtt/house/all";
    let lamp = dir.lamp(&id(all)).expect("group");
    // Members: colour 153-500, white spectrum 250-454, a dimmer: the group is dimmable, takes
    // colour, and its range is the members' common one, as Zigbee2MQTT computes it.
    assert!(lamp.capabilities.brightness && lamp.capabilities.color);
    assert_eq!(lamp.capabilities.color_temp_range, Some((250, 454)));
    assert_eq!(lamp.capabilities.effects, EFFECTS);
    let topic = "zigbee2mqtt/house/all/set";
    assert_eq!(
        sent(&dir, all, LampChange::On(true)),
        set(topic, json!({"state": "ON"}))
    );
    assert_eq!(
        sent(&dir, all, LampChange::Brightness(50)),
        set(topic, json!({"brightness": 127}))
    );
    assert_eq!(
        sent(&dir, all, LampChange::Color(Rgb::new(46, 102, 150))),
        set(topic, json!({"color": {"r": 46, "g": 102, "b": 150}}))
    );
    assert_eq!(
        sent(&dir, all, LampChange::ColorTemp(200)),
        set(topic, json!({"color_temp": 250}))
    );
    assert_eq!(
        sent(&dir, all, LampChange::Effect("okay".into())),
        set(topic, json!({"effect": "okay"}))
    );
    // lampsim's group state (no linkquality, sorted keys).
    dir.handle_message(all, br#"{"brightness":100,"state":"ON"}"#, false);
    let lamp = dir.lamp(&id(all)).expect("group");
    assert_eq!(lamp.state.on, Some(true));
    assert_eq!(lamp.state.brightness_pct.map(f32::round), Some(39.0));
}

#[test]
fn group_capabilities_follow_zigbee2mqtts_own_test() {
    // Members as in Zigbee2MQTT's mock `ha_discovery_group`: bulb_color_2 (Hue, xy + 153-500),
    // bulb_2 (TRADFRI LED1545G12, 250-454) and QBKG03LM (a double wall switch).
    let devices = json!([
        {"friendly_name": "bulb_color_2", "ieee_address": "0x000b57fffec6a5b4", "definition": {"exposes": [
            {"type": "light", "features": [
                {"name": "state", "property": "state"}, {"name": "brightness", "property": "brightness", "value_max": 254},
                {"name": "color_temp", "property": "color_temp", "value_min": 153, "value_max": 500},
                {"name": "color_xy", "property": "color"}]},
            {"type": "enum", "name": "effect", "property": "effect", "values": ["blink", "breathe", "colorloop"]}]}},
        {"friendly_name": "bulb_2", "ieee_address": "0x000b57fffec6a5b7", "definition": {"exposes": [
            {"type": "light", "features": [
                {"name": "state", "property": "state"}, {"name": "brightness", "property": "brightness", "value_max": 254},
                {"name": "color_temp", "property": "color_temp", "value_min": 250, "value_max": 454}]},
            {"type": "enum", "name": "effect", "property": "effect", "values": ["blink", "breathe", "okay"]}]}},
        {"friendly_name": "wall_switch_double", "ieee_address": "0x0017880104e45542", "definition": {"exposes": [
            {"type": "switch", "endpoint": "left", "features": [{"name": "state", "property": "state_left"}]},
            {"type": "switch", "endpoint": "right", "features": [{"name": "state", "property": "state_right"}]}]}}
    ]);
    let groups = json!([
        {"id": 9, "friendly_name": "ha_discovery_group", "members": [
            {"ieee_address": "0x000b57fffec6a5b4", "endpoint": 1},
            {"ieee_address": "0x000b57fffec6a5b7", "endpoint": 1},
            {"ieee_address": "0x0017880104e45542", "endpoint": 3}], "scenes": []},
        {"id": 10, "friendly_name": "switches", "members": [
            {"ieee_address": "0x0017880104e45542", "endpoint": 2}], "scenes": []},
        {"id": 11, "friendly_name": "empty", "members": [], "scenes": []}
    ]);
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(DEVICES, devices.to_string().as_bytes(), true);
    dir.handle_message(GROUPS, groups.to_string().as_bytes(), true);
    let g = dir
        .lamp(&id("zigbee2mqtt/ha_discovery_group"))
        .expect("group");
    assert!(g.capabilities.brightness && g.capabilities.color && g.capabilities.color_temp);
    assert_eq!(g.capabilities.color_temp_range, Some((250, 454)));
    assert_eq!(
        g.capabilities.effects,
        ["blink", "breathe", "colorloop", "okay"]
    );
    assert!(
        dir.lamp(&id("zigbee2mqtt/switches")).is_none(),
        "no light member"
    );
    assert!(dir.lamp(&id("zigbee2mqtt/empty")).is_none(), "no member");
}

#[test]
fn groups_list_their_native_scenes() {
    let groups =
        br#"[{"id":3,"friendly_name":"lounge","members":[],"scenes":[{"id":1,"name":"Evening"},{"id":2,"name":"Movie"}]}]"#;
    let groups = parse_groups(groups).expect("parses");
    assert_eq!(
        groups[0].scenes,
        [
            Z2mScene {
                id: 1,
                name: "Evening".into()
            },
            Z2mScene {
                id: 2,
                name: "Movie".into()
            }
        ]
    );
    assert!(parse_groups(b"{}").is_err());
    let mut dir = house();
    let ev = dir.handle_message(GROUPS, b"not json", true);
    assert!(
        matches!(&ev[..], [DirectoryEvent::DiscoveryRejected { .. }]),
        "{ev:?}"
    );
    assert!(
        dir.lamp(&id("zigbee2mqtt/house/all")).is_some(),
        "a broken list keeps the groups"
    );
}

fn renamed_devices(from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture("lampsim_bridge_devices.json")).expect("utf-8");
    text.replace(&format!("\"{from}\""), &format!("\"{to}\""))
        .into_bytes()
}

#[test]
fn a_renamed_device_keeps_its_state_under_the_new_name_and_topics() {
    let mut dir = house();
    dir.handle_message(
        "zigbee2mqtt/hallway/ceiling",
        br#"{"brightness":254,"state":"ON","color_temp":370,"color_mode":"color_temp"}"#,
        false,
    );
    let ev = dir.handle_message(
        DEVICES,
        &renamed_devices("hallway/ceiling", "landing/pendant"),
        true,
    );
    let old = id("zigbee2mqtt/hallway/ceiling");
    let new = id("zigbee2mqtt/landing/pendant");
    assert!(ev.contains(&DirectoryEvent::Removed(old.clone())), "{ev:?}");
    assert!(ev.contains(&DirectoryEvent::Added(new.clone())), "{ev:?}");
    assert!(ev.contains(&DirectoryEvent::SubscriptionsChanged), "{ev:?}");
    assert!(dir.lamp(&old).is_none());
    let lamp = dir.lamp(&new).expect("renamed lamp");
    assert_eq!(
        (lamp.room.as_deref(), lamp.name.as_str()),
        (Some("landing"), "pendant")
    );
    assert_eq!(lamp.state.on, Some(true), "the state moved with the lamp");
    assert_eq!(lamp.state.color_temp_mireds, Some(370));
    let subs = dir.subscriptions();
    assert!(subs.contains(&"zigbee2mqtt/landing/pendant".to_string()));
    assert!(!subs.contains(&"zigbee2mqtt/hallway/ceiling".to_string()));
    assert_eq!(
        sent(&dir, new.as_str(), LampChange::On(false)),
        set("zigbee2mqtt/landing/pendant/set", json!({"state": "OFF"}))
    );
    // The group follows its member's new name without changing.
    assert!(dir.lamp(&id("zigbee2mqtt/house/all")).is_some());

    // A renamed multi-endpoint device moves both endpoints.
    let ev = dir.handle_message(
        DEVICES,
        &String::from_utf8(renamed_devices("hallway/ceiling", "landing/pendant"))
            .expect("utf-8")
            .replace("\"living/dimmer\"", "\"lounge/dimmer\"")
            .into_bytes(),
        true,
    );
    for ep in ["l1", "l2"] {
        assert!(ev.contains(&DirectoryEvent::Removed(id(&format!(
            "zigbee2mqtt/living/dimmer#{ep}"
        )))));
        assert!(ev.contains(&DirectoryEvent::Added(id(&format!(
            "zigbee2mqtt/lounge/dimmer#{ep}"
        )))));
    }
}

#[test]
fn a_renamed_group_keeps_its_state() {
    let mut dir = house();
    dir.handle_message("zigbee2mqtt/house/all", br#"{"state":"ON"}"#, false);
    let groups = String::from_utf8(fixture("lampsim_bridge_groups.json"))
        .expect("utf-8")
        .replace("house/all", "everything");
    let ev = dir.handle_message(GROUPS, groups.as_bytes(), true);
    assert!(ev.contains(&DirectoryEvent::Removed(id("zigbee2mqtt/house/all"))));
    let lamp = dir
        .lamp(&id("zigbee2mqtt/everything"))
        .expect("renamed group");
    assert_eq!((lamp.room.as_deref(), lamp.state.on), (None, Some(true)));
}

#[test]
fn removed_devices_and_groups_lose_their_cards() {
    let mut dir = house();
    let devices: Vec<Value> =
        serde_json::from_slice(&fixture("lampsim_bridge_devices.json")).expect("json");
    let kept: Vec<&Value> = devices
        .iter()
        .filter(|d| d["friendly_name"] != "living/dimmer")
        .collect();
    let ev = dir.handle_message(DEVICES, json!(kept).to_string().as_bytes(), true);
    assert!(ev.contains(&DirectoryEvent::Removed(id("zigbee2mqtt/living/dimmer#l1"))));
    assert!(ev.contains(&DirectoryEvent::Removed(id("zigbee2mqtt/living/dimmer#l2"))));
    assert!(
        !ev.iter().any(|e| matches!(e, DirectoryEvent::Added(_))),
        "{ev:?}"
    );
    assert_eq!(dir.lamps().count(), 3);
    let ev = dir.handle_message(GROUPS, b"[]", true);
    assert_eq!(
        ev,
        vec![
            DirectoryEvent::Removed(id("zigbee2mqtt/house/all")),
            DirectoryEvent::SubscriptionsChanged
        ]
    );
}

#[test]
fn unchanged_lists_change_nothing() {
    let mut dir = house();
    assert!(dir
        .handle_message(DEVICES, &fixture("lampsim_bridge_devices.json"), true)
        .is_empty());
    assert!(dir
        .handle_message(GROUPS, &fixture("lampsim_bridge_groups.json"), true)
        .is_empty());
}

#[test]
fn availability_in_both_forms_and_silence_means_available() {
    let mut dir = house();
    let l1 = id("zigbee2mqtt/living/dimmer#l1");
    let l2 = id("zigbee2mqtt/living/dimmer#l2");
    assert!(
        dir.lamps().all(|l| l.available),
        "Zigbee2MQTT availability is optional"
    );
    dir.handle_message(
        "zigbee2mqtt/living/dimmer/availability",
        br#"{"state":"offline"}"#,
        true,
    );
    for l in [&l1, &l2] {
        assert!(!dir.lamp(l).expect("lamp").available);
    }
    assert_eq!(
        dir.command(&l1, &LampChange::On(true)),
        Err("the lamp is unavailable".to_string())
    );
    dir.handle_message("zigbee2mqtt/living/dimmer/availability", b"online", true);
    assert!(dir.lamp(&l2).expect("lamp").available);
    dir.handle_message("zigbee2mqtt/house/all/availability", b"offline", true);
    assert!(
        !dir.lamp(&id("zigbee2mqtt/house/all"))
            .expect("group")
            .available
    );
    dir.handle_message(
        "zigbee2mqtt/house/all/availability",
        br#"{"state":"online"}"#,
        true,
    );
    assert!(
        dir.lamp(&id("zigbee2mqtt/house/all"))
            .expect("group")
            .available
    );
}

#[test]
fn home_assistant_discovery_of_an_endpoint_is_the_same_lamp() {
    let mut dir = house();
    // What Zigbee2MQTT's HA extension announces for the dimmer's l1 (`light_l1`).
    let config = br#"{"schema":"json","name":"L1","brightness":true,"brightness_scale":254,"supported_color_modes":["brightness"],"command_topic":"zigbee2mqtt/living/dimmer/l1/set","state_topic":"zigbee2mqtt/living/dimmer/l1","unique_id":"0x00124b0024c1d2e3_light_l1_zigbee2mqtt","device":{"name":"living/dimmer","identifiers":["zigbee2mqtt_0x00124b0024c1d2e3"]}}"#;
    let ev = dir.handle_message(
        "homeassistant/light/0x00124b0024c1d2e3/light_l1/config",
        config,
        true,
    );
    assert!(ev.is_empty(), "shadowed by the Zigbee2MQTT lamp: {ev:?}");
    assert_eq!(dir.lamps().count(), 5);
}

/// The real `bridge/devices` of `tests/fixtures/payloads/z2m.json` (entry z2m-05, from the
/// Zigbee2MQTT frontend's captured `onConnect` messages): hue1 stores three scenes on its
/// endpoint 11 ("Music", "Romantic", "Scene 6"), the other Hue bulbs none.
fn frontend_devices() -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/payloads/z2m.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let all: Value = serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("JSON");
    let entry = all
        .as_array()
        .expect("a list")
        .iter()
        .find(|e| e["id"] == "z2m-05")
        .expect("z2m-05");
    entry["payload"].as_str().expect("text").as_bytes().to_vec()
}

/// Every native scene the directory offers, as (lamp id, scene id, name).
fn scene_list(dir: &LampDirectory) -> Vec<(String, u64, String)> {
    dir.native_scenes()
        .into_iter()
        .map(|(lamp, scene, name)| (lamp.0, scene, name))
        .collect()
}

#[test]
fn devices_list_and_recall_their_own_scenes() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(DEVICES, &frontend_devices(), true);
    let scenes = scene_list(&dir);
    assert_eq!(
        scenes,
        [
            ("zigbee2mqtt/hue1".to_string(), 1, "Music".to_string()),
            ("zigbee2mqtt/hue1".to_string(), 2, "Romantic".to_string()),
            ("zigbee2mqtt/hue1".to_string(), 6, "Scene 6".to_string()),
        ],
        "only hue1 stores scenes"
    );
    let out = dir
        .recall_native_scene(&id("zigbee2mqtt/hue1"), 2)
        .expect("hue1 has scene 2");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].topic, "zigbee2mqtt/hue1/set");
    let payload: Value = serde_json::from_slice(&out[0].payload).expect("JSON");
    assert_eq!(payload, json!({"scene_recall": 2}));
    let refused = dir
        .recall_native_scene(&id("zigbee2mqtt/hue1"), 3)
        .expect_err("no scene 3");
    assert!(refused.contains("no scene 3"), "{refused}");
}

#[test]
fn device_scenes_are_listed_once_named_and_kept_off_endpoint_lights() {
    // A plain bulb storing scene 1 on two endpoints and an unnamed scene 4; a two-channel
    // dimmer (endpoint lights l1/l2) whose numbered endpoints cannot be told apart by name.
    let devices = json!([
        {"friendly_name": "desk", "ieee_address": "0x01",
         "definition": {"exposes": [{"type": "light", "features": [
             {"name": "state", "property": "state"}]}]},
         "endpoints": {
             "1": {"scenes": [{"id": 1, "name": "Read"}, {"id": 4, "name": ""}]},
             "2": {"scenes": [{"id": 1, "name": "Read"}, {"name": "no id"}]}}},
        {"friendly_name": "dimmer", "ieee_address": "0x02",
         "definition": {"exposes": [
             {"type": "light", "endpoint": "l1", "features": [
                 {"name": "state", "property": "state_l1"}]},
             {"type": "light", "endpoint": "l2", "features": [
                 {"name": "state", "property": "state_l2"}]}]},
         "endpoints": {"1": {"scenes": [{"id": 7, "name": "Dim"}]}}}
    ]);
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(DEVICES, devices.to_string().as_bytes(), true);
    let scenes = scene_list(&dir);
    assert_eq!(
        scenes,
        [
            ("zigbee2mqtt/desk".to_string(), 1, "Read".to_string()),
            ("zigbee2mqtt/desk".to_string(), 4, "Scene 4".to_string()),
        ]
    );
    assert!(dir.lamp(&id("zigbee2mqtt/dimmer#l1")).is_some());
}
