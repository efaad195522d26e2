//! Memory in a flood, in a real browser: the whole app mounted, thousands of lamp states fed
//! through `Store::receive` as the MQTT client hands them over, one animation frame drawn per
//! batch, and the bytes the app holds counted by this binary's own allocator. Once the
//! explorer's ring (500 messages) is full and every card has been drawn, what the app holds
//! must stop growing: a leak per message or per frame shows as bytes that pile up from one
//! phase to the next.
//!
//! Its own test binary, because the counting allocator is global to the binary.
#![cfg(target_arch = "wasm32")]

use lampboard::mqtt::packet::QoS;
use lampboard::store::Store;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
#[path = "common/page.rs"]
mod page;
use counting_alloc::live_bytes;
use frames::settle;
use page::{message, mount, Page};

wasm_bindgen_test_configure!(run_in_browser);

/// Lamps with every control (brightness and the colour-temperature slider), so each state
/// redraws a whole card.
const LAMPS: usize = 4;
/// Messages per animation frame: 50 a frame is 3,000 a second at 60 frames.
const PER_FRAME: usize = 50;
/// Frames before measuring: the ring fills (500 messages) and every card is drawn.
const WARM_UP_FRAMES: usize = 60;
/// Frames per measured phase: 150 frames, 7,500 messages.
const PHASE_FRAMES: usize = 150;
/// What a phase may add once warm. Measured: the steady app moves by at most ~2.5 KB a
/// phase (hash map and vector capacities); the leaks this guards against added ~600 KB a
/// phase in the explorer (an owner left behind per row shown) and ~80-100 KB a phase on the
/// lamps page (dropped effects kept by the lamp's signal at every card redraw).
const TOLERANCE: usize = 32 * 1024;

fn config_topic(i: usize) -> String {
    format!("homeassistant/light/mem{i}/config")
}

fn state_topic(i: usize) -> String {
    format!("homeassistant/light/mem{i}/state")
}

/// The whole app with clean localStorage, not connecting anywhere, and `LAMPS` Home
/// Assistant lamps with brightness and colour temperature.
fn mount_lamps() -> (Store, HtmlElement) {
    let Page { host, store, .. } = mount();
    for i in 0..LAMPS {
        let config = format!(
            r#"{{"name":"Mem {i}","uniq_id":"mem_{i}","schema":"json","brightness":true,"supported_color_modes":["color_temp"],"cmd_t":"homeassistant/light/mem{i}/set","stat_t":"{}"}}"#,
            state_topic(i)
        );
        receive(store, &config_topic(i), config.as_bytes(), true);
    }
    (store, host)
}

fn receive(store: Store, topic: &str, payload: &[u8], retain: bool) {
    store.receive(message(topic, payload, QoS::AtMostOnce, retain));
}

/// `frames` frames of `PER_FRAME` lamp states each, numbered from `*sent` on (brightness
/// and colour temperature keep three digits, so every payload has the same size).
async fn flood(store: Store, frames: usize, sent: &mut usize) {
    for _ in 0..frames {
        for _ in 0..PER_FRAME {
            let n = *sent;
            let payload = format!(
                r#"{{"state":"ON","brightness":{},"color_temp":{}}}"#,
                100 + n % 100,
                200 + n % 100
            );
            receive(store, &state_topic(n % LAMPS), payload.as_bytes(), false);
            *sent += 1;
        }
        settle().await;
    }
}

fn element_count(host: &HtmlElement, selector: &str) -> u32 {
    host.query_selector_all(selector).unwrap().length()
}

fn one(host: &HtmlElement, selector: &str) -> web_sys::Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

/// Warms up, then floods two equal phases and returns what each added to the bytes held.
async fn growth_per_phase(store: Store, sent: &mut usize) -> (isize, isize) {
    flood(store, WARM_UP_FRAMES, sent).await;
    let start = live_bytes();
    flood(store, PHASE_FRAMES, sent).await;
    let middle = live_bytes();
    flood(store, PHASE_FRAMES, sent).await;
    let end = live_bytes();
    (
        middle as isize - start as isize,
        end as isize - middle as isize,
    )
}

#[wasm_bindgen_test]
async fn lamp_cards_hold_steady_memory_in_a_flood_of_states() {
    let (store, host) = mount_lamps();
    settle().await;
    assert_eq!(element_count(&host, "article.lamp-card"), LAMPS as u32);
    // The sheet of lamp 0 is open through the flood: its sliders are redrawn too.
    one(
        &host,
        "article.lamp-card[data-lamp=\"homeassistant/light/mem0/config\"] .tile-open",
    )
    .unchecked_into::<HtmlElement>()
    .click();
    for _ in 0..20 {
        if element_count(&host, "input.color-temp") == 1 {
            break;
        }
        settle().await;
    }
    assert_eq!(
        element_count(&host, "input.color-temp"),
        1,
        "the open sheet has its colour-temperature slider"
    );
    let mut sent = 0;
    let (first, second) = growth_per_phase(store, &mut sent).await;
    // The cards really were redrawn: the last state of lamp 0 is on screen.
    let last_for_0 = (sent - 1) / LAMPS * LAMPS;
    let level = ((100 + last_for_0 % 100) as f64 / 2.55).round();
    let tile = one(
        &host,
        "article.lamp-card[data-lamp=\"homeassistant/light/mem0/config\"] .tile-state",
    )
    .text_content()
    .unwrap_or_default();
    assert_eq!(
        tile,
        format!("On · {level} %"),
        "the tile shows the last brightness"
    );
    let sheet = one(&host, ".sheet-body .control-label output")
        .text_content()
        .unwrap_or_default();
    assert_eq!(sheet, format!("{level} %"), "so does the open sheet");
    assert!(
        first.max(second) < TOLERANCE as isize,
        "the lamps page kept growing: +{first} then +{second} bytes per {} messages",
        PHASE_FRAMES * PER_FRAME
    );
}

#[wasm_bindgen_test]
async fn the_explorer_holds_steady_memory_in_a_flood_of_messages() {
    let (store, host) = mount_lamps();
    one(&host, "button.tab[data-page=\"messages\"]")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    let mut sent = 0;
    let (first, second) = growth_per_phase(store, &mut sent).await;
    // The rows really were drawn: the ring is full and the newest message is on top.
    assert_eq!(element_count(&host, "li.log-row"), 500);
    let newest = one(&host, "li.log-row")
        .get_attribute("data-seq")
        .unwrap_or_default();
    // `LAMPS` discovery configs were logged before the states.
    assert_eq!(newest, (sent + LAMPS - 1).to_string());
    assert!(
        first.max(second) < TOLERANCE as isize,
        "the explorer kept growing: +{first} then +{second} bytes per {} messages",
        PHASE_FRAMES * PER_FRAME
    );
}
