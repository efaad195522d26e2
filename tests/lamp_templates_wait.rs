//! Home Assistant lights with templates wait for the template engine, as they do in the
//! browser, where the engine is a second wasm module fetched on first need: the config and the
//! messages nobody claims meanwhile are held and replayed once it has loaded, and a failed
//! load turns into words on the card instead of a lamp that never appears.
//!
//! Natively the engine is linked; each test makes its own thread's engine pending first
//! (`lamp::templating` is per thread), as a page starts.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::deferred::Deferred;
use lampboard::lamp::templating;
use lampboard::lamp::{DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId};
use serde_json::json;

const TEMPLATE_CFG: &str = "homeassistant/light/tpl/config";
const JSON_CFG: &str = "homeassistant/light/plain/config";

fn template_config() -> String {
    json!({
        "schema": "template", "name": "Desk", "command_topic": "desk/set",
        "state_topic": "desk/state",
        "command_on_template": "on,{{ brightness|d }}", "command_off_template": "off",
        "state_template": "{{ value.split(',')[0] }}",
        "brightness_template": "{{ value.split(',')[1] }}",
    })
    .to_string()
}

fn json_config() -> String {
    json!({
        "schema": "json", "name": "Hall", "command_topic": "hall/set", "state_topic": "hall/state",
    })
    .to_string()
}

/// A page whose engine has not loaded, with the desk lamp's config held.
fn waiting_for_the_desk() -> (LampDirectory, LampId) {
    templating::set_pending();
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let events = dir.handle_message(TEMPLATE_CFG, template_config().as_bytes(), true);
    assert!(
        events.contains(&DirectoryEvent::TemplatesNeeded),
        "{events:?}"
    );
    (dir, LampId(TEMPLATE_CFG.to_owned()))
}

#[test]
fn a_template_light_waits_for_the_engine_and_keeps_what_arrived_meanwhile() {
    templating::set_pending();
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let id = LampId(TEMPLATE_CFG.to_owned());

    let events = dir.handle_message(TEMPLATE_CFG, template_config().as_bytes(), true);
    assert!(
        events.contains(&DirectoryEvent::TemplatesNeeded),
        "{events:?}"
    );
    assert!(
        dir.lamp(&id).is_none(),
        "no lamp before its templates can be read"
    );
    // Its retained state arrives while the engine loads (a wildcard covers its topic).
    let events = dir.handle_message("desk/state", b"on,128", true);
    assert!(events.is_empty(), "{events:?}");
    // A light without templates does not wait.
    dir.handle_message(JSON_CFG, json_config().as_bytes(), true);
    assert!(dir.lamp(&LampId(JSON_CFG.to_owned())).is_some());

    templating::install_linked();
    let replayed = dir.replay_deferred();
    let topics: Vec<&str> = replayed.iter().map(|(h, _)| h.topic.as_str()).collect();
    assert_eq!(
        topics,
        [TEMPLATE_CFG, "desk/state"],
        "the config first, then its state"
    );
    assert!(
        replayed[0].1.contains(&DirectoryEvent::Added(id.clone())),
        "{replayed:?}"
    );
    let lamp = dir.lamp(&id).expect("the lamp, once the engine is there");
    assert_eq!(lamp.state.on, Some(true), "the held state was read");
    assert!(lamp
        .state
        .brightness_pct
        .is_some_and(|b| (b - 50.2).abs() < 0.1));
    assert_eq!(lamp.binding.note(), None);
    let out = dir.command(&id, &LampChange::On(false)).expect("a command");
    assert_eq!(out[0].payload, b"off");
    // Nothing is held twice.
    assert!(dir.replay_deferred().is_empty());
}

#[test]
fn a_newer_message_on_a_held_configs_topic_wins_over_it() {
    let (mut dir, id) = waiting_for_the_desk();
    let renamed = template_config().replace("\"Desk\"", "\"Desk lamp\"");
    dir.handle_message(TEMPLATE_CFG, renamed.as_bytes(), true);
    templating::install_linked();
    dir.replay_deferred();
    assert_eq!(dir.lamp(&id).expect("lamp").name, "Desk lamp");

    // Removed (an empty retained config) while the engine loads: the held config is not
    // replayed afterwards, so the lamp does not come back.
    let (mut dir, id) = waiting_for_the_desk();
    dir.handle_message(TEMPLATE_CFG, b"", true);
    templating::install_linked();
    dir.replay_deferred();
    assert!(dir.lamp(&id).is_none(), "removed while held stays removed");
}

#[test]
fn an_engine_that_cannot_load_shows_the_lamp_with_the_reason() {
    let (mut dir, id) = waiting_for_the_desk();
    templating::fail("the network is offline");
    dir.replay_deferred();
    let lamp = dir.lamp(&id).expect("the lamp appears anyway");
    let note = lamp.binding.note().expect("a note on its card");
    assert!(
        note.contains("could not be loaded (the network is offline)"),
        "{note}"
    );
    let err = dir
        .command(&id, &LampChange::On(true))
        .expect_err("nothing is sent");
    assert!(err.contains("could not be loaded"), "{err}");
    templating::install_linked();
}

#[test]
fn a_device_config_with_a_templated_light_waits_too() {
    templating::set_pending();
    let mut dir = LampDirectory::new(DirectorySettings::default());
    let topic = "homeassistant/device/dev1/config";
    let config = json!({
        "dev": {"ids": "dev1", "name": "Strip"},
        "o": {"name": "test"},
        "cmps": {"l1": {
            "p": "light", "schema": "template", "command_topic": "strip/set",
            "command_on_template": "on", "command_off_template": "off",
            "unique_id": "strip-l1",
        }},
    });
    let events = dir.handle_message(topic, config.to_string().as_bytes(), true);
    assert!(
        events.contains(&DirectoryEvent::TemplatesNeeded),
        "{events:?}"
    );
    assert_eq!(dir.lamps().count(), 0);
    templating::install_linked();
    dir.replay_deferred();
    assert_eq!(dir.lamps().count(), 1);
}

#[test]
fn held_messages_are_the_last_per_topic_with_a_cap() {
    let mut held = Deferred::default();
    held.hold_unclaimed("a", b"ignored: nothing waits", false);
    assert!(held.take().is_empty());
    held.hold_config("cfg", b"1", true);
    held.hold_config("cfg", b"2", true);
    for i in 0..3000 {
        held.hold_unclaimed(&format!("t/{}", i % 1500), format!("{i}").as_bytes(), false);
    }
    let all = held.take();
    assert_eq!(all[0].payload, b"2", "configs first, the newest per topic");
    assert_eq!(all.iter().filter(|h| h.topic == "cfg").count(), 1);
    assert_eq!(all.len(), 1 + 1024, "unclaimed messages are capped");
    assert_eq!(all.last().expect("some").payload, b"2999");
    assert!(held.take().is_empty());
}
