//! The Messages tab under `#` on a busy broker, in a real browser: a 10,000-topic retained
//! tree, then a flood of 34 messages per animation frame (2,000 a second at 60 frames) fed
//! through `Store::receive` as the MQTT client hands them over. Asserts counts, never
//! durations: frames counted with `requestAnimationFrame` kept coming (each batch waits for
//! one, and a page that stopped drawing would leave the counter behind), the explorer drew
//! once per frame and showed the exact totals, the bytes held stopped growing (this binary's
//! counting allocator, as in tests/web_memory.rs), and the lamps page shows what it showed,
//! with nothing published.
//!
//! Its own test binary, because the counting allocator is global to the binary.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lampboard::mqtt::packet::QoS;
use lampboard::store::Store;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
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
use frames::{next_frame, settle};
use page::{message, mount, Page};

wasm_bindgen_test_configure!(run_in_browser);

/// 100 rooms of 100 devices: 10,000 retained topics under `house/`.
const ROOMS: usize = 100;
const DEVICES: usize = 100;
const TOPICS: usize = ROOMS * DEVICES;
/// 34 a frame is 2,040 a second at 60 frames.
const PER_FRAME: usize = 34;
/// Frames before measuring: the history (20,000 payloads over all topics) fills.
const WARM_UP_FRAMES: usize = 310;
/// Frames per measured phase (3,400 messages).
const PHASE_FRAMES: usize = 100;
/// What a warm phase may add (see tests/web_memory.rs: leaks this guards against add
/// hundreds of KB a phase).
const TOLERANCE: usize = 48 * 1024;
/// Lamps on the lamps page (seed lamps, retained JSON).
const LAMPS: usize = 4;

fn device_topic(i: usize) -> String {
    format!("house/room{:03}/device{:03}", i / DEVICES, i % DEVICES)
}

fn lamp_topic(i: usize) -> String {
    format!("smarthome/room{i}/lamps/lamp{i}")
}

fn receive(store: Store, topic: &str, payload: &[u8], retain: bool) {
    store.receive(message(topic, payload, QoS::AtMostOnce, retain));
}

/// The frame callback, kept where it can re-register itself.
type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

/// Counts animation frames from now on, until `stop` is set.
fn frame_counter() -> (Rc<Cell<u32>>, Rc<Cell<bool>>) {
    let count = Rc::new(Cell::new(0u32));
    let stop = Rc::new(Cell::new(false));
    let slot: FrameSlot = Rc::new(RefCell::new(None));
    let (c, s, again) = (count.clone(), stop.clone(), slot.clone());
    *slot.borrow_mut() = Some(Closure::new(move || {
        c.set(c.get() + 1);
        if s.get() {
            return;
        }
        if let Some(f) = again.borrow().as_ref() {
            let _ = web_sys::window()
                .unwrap()
                .request_animation_frame(f.as_ref().unchecked_ref());
        }
    }));
    if let Some(f) = slot.borrow().as_ref() {
        let _ = web_sys::window()
            .unwrap()
            .request_animation_frame(f.as_ref().unchecked_ref());
    }
    std::mem::forget(slot);
    (count, stop)
}

fn text(host: &HtmlElement, selector: &str) -> String {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

fn lamps_page(host: &HtmlElement) -> Vec<(String, String)> {
    let list = host.query_selector_all("article.lamp-card").unwrap();
    (0..list.length())
        .map(|i| {
            let card: web_sys::Element = list.item(i).unwrap().unchecked_into();
            let switch = card
                .query_selector("button.switch")
                .unwrap()
                .and_then(|s| s.get_attribute("aria-checked"))
                .unwrap_or_default();
            (card.get_attribute("data-lamp").unwrap_or_default(), switch)
        })
        .collect()
}

/// `frames` frames of `PER_FRAME` messages on the known topics (the same payload size each),
/// every 100th a lamp's state saying what it said before.
async fn flood(store: Store, frames: usize, sent: &mut usize) {
    for _ in 0..frames {
        for _ in 0..PER_FRAME {
            let n = *sent;
            if n % 100 == 99 {
                receive(store, &lamp_topic(n % LAMPS), br#"{"state":"ON"}"#, false);
            } else {
                let payload = format!(r#"{{"n":{:07},"power":{:03}}}"#, n, n % 1000);
                receive(
                    store,
                    &device_topic((n * 7919) % TOPICS),
                    payload.as_bytes(),
                    false,
                );
            }
            *sent += 1;
        }
        next_frame().await;
    }
}

#[wasm_bindgen_test]
async fn the_explorer_under_a_flood_keeps_drawing_holds_steady_memory_and_leaves_the_lamps_alone() {
    let Page { host, store, rec } = mount();
    for i in 0..LAMPS {
        receive(store, &lamp_topic(i), br#"{"state":"ON"}"#, true);
    }
    settle().await;
    let lamps_before = lamps_page(&host);
    assert_eq!(lamps_before.len(), LAMPS);
    host.query_selector("button.tab[data-page=\"messages\"]")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;

    // The retained tree arrives as a subscription to `#` delivers it: 10,000 messages.
    for chunk in 0..10 {
        for i in chunk * 1000..(chunk + 1) * 1000 {
            let payload = format!(r#"{{"n":{:07},"power":{:03}}}"#, i, i % 1000);
            receive(store, &device_topic(i), payload.as_bytes(), true);
        }
        next_frame().await;
    }
    settle().await;
    assert_eq!(
        text(&host, ".tree-summary"),
        format!("{} topics", TOPICS + LAMPS)
    );
    // The 10,000-topic branch stays closed; its count is there at once.
    assert_eq!(
        text(&host, ".tree-row[data-topic=\"house\"] .tree-count"),
        TOPICS.to_string()
    );

    let (frames, stop) = frame_counter();
    let version_before = store.log_version.get_untracked();
    let mut sent = 0;
    flood(store, WARM_UP_FRAMES, &mut sent).await;
    let start = live_bytes();
    flood(store, PHASE_FRAMES, &mut sent).await;
    let middle = live_bytes();
    flood(store, PHASE_FRAMES, &mut sent).await;
    let end = live_bytes();
    stop.set(true);
    let batches = (WARM_UP_FRAMES + 2 * PHASE_FRAMES) as u32;
    let drawn = frames.get();
    let renders = (store.log_version.get_untracked() - version_before) as u32;
    settle().await;
    web_sys::console::log_1(
        &format!(
            "flood: {sent} messages in {batches} batches, {drawn} frames drawn, {renders} explorer renders, held bytes +{} then +{}",
            middle as isize - start as isize,
            end as isize - middle as isize
        )
        .into(),
    );

    // The page kept drawing: every batch waited for a frame, and the frames came (a frame
    // that did not come within 250 ms lets the batch go on without it, and the counter
    // falls behind).
    assert!(
        drawn >= batches * 9 / 10,
        "{drawn} frames drawn for {batches} batches"
    );
    // The explorer drew once per frame with news, not once per message.
    assert!(
        renders <= drawn + 1 && renders >= batches * 9 / 10,
        "{renders} explorer renders in {drawn} frames for {batches} batches"
    );
    // It shows the exact totals.
    let lamp_messages = (0..sent).filter(|n| n % 100 == 99).count();
    assert_eq!(
        text(&host, ".tree-row[data-topic=\"house\"] .tree-count"),
        (TOPICS + sent - lamp_messages).to_string()
    );
    assert_eq!(
        text(&host, ".tree-row[data-topic=\"smarthome\"] .tree-count"),
        (LAMPS + lamp_messages).to_string()
    );
    assert_eq!(
        text(&host, ".log-counts"),
        format!("500 kept of {} received", LAMPS + TOPICS + sent)
    );
    assert_eq!(host.query_selector_all("li.log-row").unwrap().length(), 500);

    let (first, second) = (
        middle as isize - start as isize,
        end as isize - middle as isize,
    );
    assert!(
        first.max(second) < TOLERANCE as isize,
        "the explorer kept growing under the flood: +{first} then +{second} bytes per {} messages",
        PHASE_FRAMES * PER_FRAME
    );

    // The lamps page shows what it showed, and the explorer published nothing.
    host.query_selector("button.tab[data-page=\"lamps\"]")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert_eq!(lamps_page(&host), lamps_before);
    assert_eq!(store.lamp_count(), LAMPS);
    assert_eq!(rec.sent(), [], "the explorer published nothing");
}
