//! A lamp system whose code has not loaded yet (in the release build every system but the
//! plain lamps is a chunk fetched on first need, `lamp::systems::code`): its first message
//! asks for the code, the store puts the system in when it is there, and the lamps of the
//! messages held meanwhile appear with their cards. This build links every system, so the
//! test makes Zigbee2MQTT wait on its thread first, as a release page starts; the chunk's
//! fetch itself runs end to end in e2e/tests/split_chunks.rs.
#![cfg(target_arch = "wasm32")]

use lampboard::lamp::systems::{code, SourceKind};
use lampboard::lamp::LampId;
use leptos::prelude::GetUntracked;

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
#[path = "common/page.rs"]
mod page;
use frames::settle;
use page::mount;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEVICES: &[u8] = include_bytes!("fixtures/z2m/lampsim_bridge_devices.json");
const BEDSIDE: &str = "zigbee2mqtt/bedroom/bedside";

#[wasm_bindgen_test]
async fn zigbee2mqtt_lamps_appear_once_their_systems_code_is_in() {
    code::withhold(SourceKind::Zigbee2Mqtt);
    let page = mount();
    page.store
        .handle_message("zigbee2mqtt/bridge/devices", DEVICES, true);
    assert!(
        page.store.lamp(&LampId(BEDSIDE.into())).is_none(),
        "the device list waits for Zigbee2MQTT's code"
    );
    settle().await;
    let card = format!("article.lamp-card[data-lamp=\"{BEDSIDE}\"]");
    assert!(page.has(&card), "the held device list became cards");
    assert_eq!(
        page.all("article.lamp-card").len(),
        4,
        "every light of the list (a dual-endpoint dimmer is two)"
    );
    assert!(
        page.store.notice.get_untracked().is_none(),
        "nothing to say: {:?}",
        page.store.notice.get_untracked()
    );
}

const STRIP: &str = "wled/a1b2c3";

/// Two systems wait for their code at once, as on a first visit: the lamps whose code is in
/// wait for the other chunk still on its way (one replay draws them all), but not for long:
/// a chunk that hangs does not hold them back past the store's short wait.
#[wasm_bindgen_test]
async fn one_replay_takes_in_the_chunks_fetched_together_and_a_slow_one_holds_nobody_long() {
    code::withhold(SourceKind::Zigbee2Mqtt);
    code::withhold(SourceKind::Wled);
    code::gate(SourceKind::Wled);
    let page = mount();
    page.store
        .handle_message("zigbee2mqtt/bridge/devices", DEVICES, true);
    page.store
        .handle_message(&format!("{STRIP}/status"), b"online", true);
    settle().await;
    assert!(
        page.store.lamp(&LampId(BEDSIDE.into())).is_none(),
        "Zigbee2MQTT's code is in, but its lamps wait for the WLED chunk fetched with it"
    );
    frames::sleep(1_100).await;
    settle().await;
    assert!(
        page.store.lamp(&LampId(BEDSIDE.into())).is_some(),
        "a chunk still on its way holds the others' lamps back a second at most"
    );
    assert!(
        page.store.lamp(&LampId(STRIP.into())).is_none(),
        "the strip still waits for its code"
    );
    code::open_gate(SourceKind::Wled);
    settle().await;
    assert!(
        page.has(&format!("article.lamp-card[data-lamp=\"{STRIP}\"]")),
        "the strip came with its code"
    );
    assert_eq!(page.all("article.lamp-card").len(), 5);
}

/// A replay finds a lamp per held config: the state topics of all of them go out in one
/// SUBSCRIBE once the replay is through (`store/reactive/outbox.rs` sends it at the batch's
/// end). This holds the result; that the set is computed once is not visible from here.
#[wasm_bindgen_test]
async fn a_replay_subscribes_once_for_every_lamp_it_finds() {
    code::withhold(SourceKind::HomeAssistant);
    let page = mount();
    let before = page.rec.subscribed.borrow().len();
    let names = ["desk", "shelf", "porch"];
    for name in names {
        let config = format!(
            r#"{{"schema":"json","name":"{name}","command_topic":"replay/{name}/set","state_topic":"replay/{name}/state","brightness":true,"supported_color_modes":["brightness"]}}"#
        );
        page.store.handle_message(
            &format!("homeassistant/light/{name}/config"),
            config.as_bytes(),
            true,
        );
    }
    settle().await;
    assert_eq!(
        page.all("article.lamp-card").len(),
        3,
        "every held config became a card"
    );
    let subscribed = page.rec.subscribed.borrow();
    let new: Vec<&Vec<String>> = subscribed[before..].iter().collect();
    assert_eq!(new.len(), 1, "one SUBSCRIBE for the replay: {new:?}");
    for name in names {
        let topic = format!("replay/{name}/state");
        assert!(new[0].contains(&topic), "{topic} in {:?}", new[0]);
    }
}
