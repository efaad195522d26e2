//! Scenes: capturing what lamps show, the changes a recall makes, what counts as confirmed,
//! and the exact messages each system gets through `LampDirectory::command_all`
//! (`src/arrange/scenes.rs`, `src/lamp/directory.rs`).
#![cfg(not(target_arch = "wasm32"))]

use lampboard::arrange::scenes::{capture, progress};
use lampboard::arrange::{Arrangement, Scene, SceneItem, Target};
use lampboard::lamp::{
    Capabilities, ColorMode, DirectorySettings, LampChange, LampDirectory, LampId, LampState, Rgb,
};
use serde_json::{json, Value};

fn id(s: &str) -> LampId {
    LampId(s.to_owned())
}

fn colour_lamp() -> Capabilities {
    Capabilities {
        brightness: true,
        color: true,
        color_temp: true,
        ..Capabilities::default()
    }
}

#[test]
fn capture_keeps_what_the_lamp_can_do_and_the_colour_by_its_mode() {
    let state = LampState {
        on: Some(true),
        brightness_pct: Some(59.6),
        color_mode: Some(ColorMode::ColorTemp),
        rgb: Some(Rgb {
            r: 255,
            g: 200,
            b: 150,
        }),
        color_temp_mireds: Some(370),
        effect: None,
    };
    let t = Target::capture(&state, &colour_lamp()).unwrap();
    assert_eq!(
        t,
        Target {
            on: true,
            brightness: Some(60),
            color: None,
            color_temp: Some(370)
        }
    );
    let in_rgb = LampState {
        color_mode: Some(ColorMode::Xy),
        ..state.clone()
    };
    assert_eq!(
        Target::capture(&in_rgb, &colour_lamp()).unwrap().color,
        Some([255, 200, 150])
    );
    // A plain switch keeps on/off only; an off lamp keeps "off" only.
    let t = Target::capture(&state, &Capabilities::default()).unwrap();
    assert_eq!(
        t,
        Target {
            on: true,
            ..Target::default()
        }
    );
    let off = LampState {
        on: Some(false),
        ..state.clone()
    };
    assert_eq!(
        Target::capture(&off, &colour_lamp()).unwrap(),
        Target::default()
    );
    // Unknown on/off: left out, and named.
    let unknown = LampState::default();
    let (items, left_out) = capture([
        (&id("a"), &state, &colour_lamp()),
        (&id("b"), &unknown, &colour_lamp()),
        (&id("a"), &off, &colour_lamp()),
    ]);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].lamp, id("a"));
    assert_eq!(left_out, [id("b")]);
}

#[test]
fn a_target_becomes_on_then_brightness_then_colour_and_off_alone() {
    let t = Target {
        on: true,
        brightness: Some(40),
        color: Some([255, 0, 0]),
        color_temp: Some(300),
    };
    assert_eq!(
        t.changes(),
        [
            LampChange::On(true),
            LampChange::Brightness(40),
            LampChange::Color(Rgb { r: 255, g: 0, b: 0 })
        ]
    );
    assert_eq!(Target::default().changes(), [LampChange::On(false)]);
    assert_eq!(t.describe(), "on, 40 %, #ff0000");
    assert_eq!(
        Target {
            on: true,
            brightness: None,
            color: None,
            color_temp: Some(250)
        }
        .describe(),
        "on, 4000 K"
    );
}

#[test]
fn reached_allows_the_rounding_a_lamp_adds_and_nothing_more() {
    let t = Target {
        on: true,
        brightness: Some(40),
        color: Some([255, 100, 0]),
        color_temp: None,
    };
    let mut s = LampState {
        on: Some(true),
        brightness_pct: Some(40.4),
        rgb: Some(Rgb {
            r: 250,
            g: 110,
            b: 5,
        }),
        ..LampState::default()
    };
    assert!(t.reached_by(&s));
    s.brightness_pct = Some(45.0);
    assert!(!t.reached_by(&s));
    s.brightness_pct = Some(40.0);
    s.rgb = Some(Rgb {
        r: 0,
        g: 100,
        b: 255,
    });
    assert!(!t.reached_by(&s));
    s.on = Some(false);
    assert!(!t.reached_by(&s));
    assert!(
        Target::default().reached_by(&s),
        "off is off whatever the colour"
    );
    assert!(!Target::default().reached_by(&LampState::default()));

    let scene = Scene {
        items: vec![
            SceneItem {
                lamp: id("a"),
                target: Target::default(),
            },
            SceneItem {
                lamp: id("b"),
                target: Target::default(),
            },
            SceneItem {
                lamp: id("gone"),
                target: Target::default(),
            },
        ],
        ..Scene::default()
    };
    let off = LampState {
        on: Some(false),
        ..LampState::default()
    };
    let on = LampState {
        on: Some(true),
        ..LampState::default()
    };
    assert_eq!(
        progress(&scene, |l| match l.as_str() {
            "a" => Some(&off),
            "b" => Some(&on),
            _ => None,
        }),
        (1, 3)
    );
}

#[test]
fn scenes_are_saved_renamed_and_deleted_with_stamps() {
    let mut a = Arrangement::default();
    let item = SceneItem {
        lamp: id("a"),
        target: Target::default(),
    };
    assert_eq!(
        a.add_scene("Night", vec![], 1.0).unwrap_err(),
        "A scene needs at least one lamp whose state is known"
    );
    let first = a.add_scene("Night", vec![item.clone()], 1000.0).unwrap();
    let second = a.add_scene("Evening", vec![item.clone()], 1000.0).unwrap();
    assert_ne!(first, second, "ids stay unique for one millisecond");
    let names: Vec<&str> = a.live_scenes().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Evening", "Night"]);
    assert!(a.edit_scene(&first, 2000.0, |s| s.name = "Late night".into()));
    assert!(
        !a.edit_scene(&first, 3000.0, |s| s.name = "   ".into()),
        "a blank name is refused"
    );
    assert_eq!(a.scenes[&first].name, "Late night");
    assert_eq!(a.scenes[&first].updated_at, 2000.0);
    assert!(a.delete_scene(&first, 4000.0));
    assert_eq!(a.live_scenes().len(), 1);
    assert!(a.scenes[&first].deleted, "a tombstone stays for merges");
    let back = Arrangement::from_json(&a.to_json()).unwrap().arrangement;
    assert_eq!(back, a);
}

fn payloads(dir: &LampDirectory, lamp: &str, target: &Target) -> Vec<(String, Value, bool)> {
    dir.command_all(&id(lamp), &target.changes())
        .expect("commands")
        .into_iter()
        .map(|m| {
            (
                m.topic,
                serde_json::from_slice(&m.payload).expect("JSON"),
                m.retain,
            )
        })
        .collect()
}

const EVENING: Target = Target {
    on: true,
    brightness: Some(40),
    color: Some([255, 120, 0]),
    color_temp: None,
};

#[test]
fn a_plain_lamp_gets_one_whole_state_carrying_every_change_of_the_scene() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let topic = "smarthome/kitchen/lamps/island";
    dir.handle_message(
        topic,
        br#"{"state":"OFF","brightness":255,"color":{"r":0,"g":0,"b":255},"vendor":"x"}"#,
        true,
    );
    assert_eq!(
        payloads(&dir, topic, &EVENING),
        [(
            topic.to_owned(),
            json!({"state":"ON","brightness":102,"color":{"r":255,"g":120,"b":0},"vendor":"x"}),
            true
        )]
    );
    assert_eq!(
        payloads(&dir, topic, &Target::default()),
        [(
            topic.to_owned(),
            json!({"state":"OFF","brightness":255,"color":{"r":0,"g":0,"b":255},"vendor":"x"}),
            true
        )]
    );
}

#[test]
fn zigbee2mqtt_and_home_assistant_lamps_get_each_change_in_their_own_format() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let fixture = |name: &str| {
        std::fs::read(format!(
            "{}/tests/fixtures/z2m/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    dir.handle_message(
        "zigbee2mqtt/bridge/devices",
        &fixture("lampsim_bridge_devices.json"),
        true,
    );
    let ceiling = "zigbee2mqtt/hallway/ceiling";
    let sent = payloads(&dir, ceiling, &EVENING);
    let topics: Vec<&str> = sent.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(topics, ["zigbee2mqtt/hallway/ceiling/set"; 3]);
    assert_eq!(sent[0].1, json!({"state":"ON"}));
    assert_eq!(sent[1].1, json!({"brightness":102}));
    assert!(sent[2].1.get("color").is_some(), "{:?}", sent[2].1);
    assert!(sent.iter().all(|(_, _, retain)| !retain));

    dir.handle_message(
        "homeassistant/light/porch/config",
        br#"{"schema":"json","name":"Porch","command_topic":"porch/set","state_topic":"porch/state","brightness":true,"supported_color_modes":["rgb"]}"#,
        true,
    );
    dir.handle_message("porch/state", br#"{"state":"OFF"}"#, false);
    let porch = "homeassistant/light/porch/config";
    let sent = payloads(&dir, porch, &EVENING);
    assert_eq!(
        sent,
        [
            ("porch/set".to_owned(), json!({"state":"ON"}), false),
            (
                "porch/set".to_owned(),
                json!({"state":"ON","brightness":102}),
                false
            ),
            (
                "porch/set".to_owned(),
                json!({"state":"ON","color":{"r":255,"g":120,"b":0}}),
                false
            ),
        ]
    );
    assert!(dir.command_all(&id("nobody"), &EVENING.changes()).is_err());
}

#[test]
fn zigbee2mqtt_group_scenes_are_listed_and_recalled_natively() {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let fixture = |name: &str| {
        std::fs::read(format!(
            "{}/tests/fixtures/z2m/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    dir.handle_message(
        "zigbee2mqtt/bridge/devices",
        &fixture("lampsim_bridge_devices.json"),
        true,
    );
    // lampsim's group of lights, renamed "lounge" and given two stored scenes.
    let mut groups: Value = serde_json::from_slice(&fixture("lampsim_bridge_groups.json")).unwrap();
    let group = groups
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| !g["members"].as_array().unwrap().is_empty())
        .unwrap();
    group["friendly_name"] = json!("lounge");
    group["scenes"] = json!([{"id": 1, "name": "Evening"}, {"id": 2, "name": "Movie"}]);
    dir.handle_message(
        "zigbee2mqtt/bridge/groups",
        groups.to_string().as_bytes(),
        true,
    );
    let scenes = dir.native_scenes();
    let names: Vec<(&str, u64, &str)> = scenes
        .iter()
        .map(|(l, id, n)| (l.as_str(), *id, n.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("zigbee2mqtt/lounge", 1, "Evening"),
            ("zigbee2mqtt/lounge", 2, "Movie")
        ]
    );
    let out = dir
        .recall_native_scene(&id("zigbee2mqtt/lounge"), 2)
        .expect("a recall");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].topic, "zigbee2mqtt/lounge/set");
    assert!(!out[0].retain);
    assert_eq!(
        serde_json::from_slice::<Value>(&out[0].payload).unwrap(),
        json!({"scene_recall": 2})
    );
    assert_eq!(
        dir.recall_native_scene(&id("zigbee2mqtt/lounge"), 9)
            .unwrap_err(),
        "this group has no scene 9"
    );
    // Lamps of other systems have none.
    dir.handle_message("smarthome/k/lamps/a", br#"{"state":"ON"}"#, true);
    assert_eq!(
        dir.recall_native_scene(&id("smarthome/k/lamps/a"), 1)
            .unwrap_err(),
        "this lamp has no scenes of its own"
    );
}
