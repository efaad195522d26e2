//! The dashboard in a real browser: the whole app mounted with a store whose
//! publisher records what it is asked to send. Messages go in through the
//! store (as the MQTT client would hand them over), clicks and drags go in as
//! DOM events, and the tests assert the DOM and the exact publishes.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use lampboard::lamp::DirectorySettings;
use lampboard::mqtt::packet::QoS;
use lampboard::mqtt::session::Event;
use lampboard::net::client::ClientEvent;
use lampboard::net::status::ConnectionStatus;
use lampboard::store::settings::SettingsFile;
use lampboard::store::Store;
use lampboard::ui::App;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[path = "common/export.rs"]
mod export;
#[path = "common/frames.rs"]
mod frames;
use export::capture_export;
#[path = "common/host.rs"]
mod host;
#[path = "common/page.rs"]
mod page;
use frames::{next_frame, settle, sleep};
use page::{fire, message, mount, mount_store_with, sent, set_value, within, Page, Recorder, Sent};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

// ---------- waiting ----------

/// Polls `cond` for up to 2 s, so a slow browser gives a failure, not a hang.
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..100 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

// ---------- DOM helpers ----------

impl Page {
    fn card(&self, id: &str) -> Element {
        self.one(&format!("article.lamp-card[data-lamp=\"{id}\"]"))
    }
    /// The lamp sheet's body while it shows lamp `id`.
    fn sheet_el(&self, id: &str) -> Element {
        self.one(&format!(
            "dialog.lamp-sheet .sheet-body[data-lamp=\"{id}\"]"
        ))
    }
    /// Opens lamp `id`'s sheet from its tile (closing another lamp's first) and returns
    /// the sheet's body: the fine controls live there.
    async fn sheet(&self, id: &str) -> Element {
        let selector = format!("dialog.lamp-sheet .sheet-body[data-lamp=\"{id}\"]");
        if !self.has(&selector) {
            self.close_sheet().await;
            within(&self.card(id), "button.tile-open")
                .unchecked_into::<HtmlElement>()
                .click();
            until(&format!("the sheet of {id}"), || self.has(&selector)).await;
        }
        settle().await;
        self.sheet_el(id)
    }
    /// Closes the sheet (its close button) if one is open.
    async fn close_sheet(&self) {
        if let Ok(Some(close)) = self.host.query_selector("dialog.lamp-sheet .sheet-close") {
            close.unchecked_into::<HtmlElement>().click();
            settle().await;
        }
    }
}

const KITCHEN: &str = "smarthome/kitchen/lamps/counter";
const HALL: &str = "smarthome/hall/lamps/entry";
const BEDROOM: &str = "smarthome/bedroom/lamps/reading";

/// The app with the three seed lamps, drawn.
async fn seeded() -> Page {
    let page = mount();
    seed(&page);
    settle().await;
    page
}

/// Clicks the switch of lamp `id` and lets the page catch up.
async fn toggle(page: &Page, id: &str) {
    page.click(&format!("article[data-lamp=\"{id}\"] button.switch"));
    settle().await;
}

/// Three seed lamps in three rooms, as retained messages.
fn seed(page: &Page) {
    let s = page.store;
    s.handle_message(
        KITCHEN,
        br#"{"state":"ON","brightness":180,"color":{"r":255,"g":140,"b":40}}"#,
        true,
    );
    s.handle_message(HALL, br#"{"state":"OFF"}"#, true);
    s.handle_message(BEDROOM, br#"{"state":"OFF","brightness":128}"#, true);
}

// ---------- lamp cards ----------

#[wasm_bindgen_test]
async fn a_card_in_a_flood_is_drawn_at_the_pace_with_its_last_state() {
    let page = seeded().await;
    let state = || {
        within(&page.card(KITCHEN), ".tile-state")
            .text_content()
            .unwrap_or_default()
    };
    // After a quiet spell, news is drawn at the next frame.
    sleep(lampboard::store::CARD_PACE_MS as u32 + 20).await;
    page.receive(
        KITCHEN,
        br#"{"state":"ON","brightness":51}"#,
        QoS::AtMostOnce,
        true,
    );
    next_frame().await;
    next_frame().await;
    assert_eq!(
        state(),
        "On · 20 %",
        "the first news of a quiet lamp is drawn at once"
    );
    // More within the pace waits for it, and only the last is drawn.
    page.receive(
        KITCHEN,
        br#"{"state":"ON","brightness":102}"#,
        QoS::AtMostOnce,
        true,
    );
    page.receive(
        KITCHEN,
        br#"{"state":"ON","brightness":153}"#,
        QoS::AtMostOnce,
        true,
    );
    next_frame().await;
    assert_eq!(state(), "On · 20 %", "a flood is not drawn every frame");
    sleep(lampboard::store::CARD_PACE_MS as u32 + 20).await;
    next_frame().await;
    assert_eq!(
        state(),
        "On · 60 %",
        "the pace's frame draws the last state"
    );
}

#[wasm_bindgen_test]
async fn cards_appear_by_room_with_name_state_and_glow() {
    let page = seeded().await;
    assert_eq!(page.all("article.lamp-card").len(), 3);
    let rooms: Vec<String> = page
        .all("section.room h2")
        .iter()
        .map(|h| h.text_content().unwrap())
        .collect();
    assert_eq!(rooms, ["bedroom", "hall", "kitchen"]);
    let kitchen = page.card(KITCHEN);
    assert_eq!(
        within(&kitchen, ".tile-name").text_content().unwrap(),
        "counter"
    );
    assert_eq!(
        within(&kitchen, ".tile-state").text_content().unwrap(),
        "On · 71 %",
        "brightness at a glance"
    );
    let switch = within(&kitchen, "button.switch");
    assert_eq!(
        switch.get_attribute("aria-checked").as_deref(),
        Some("true")
    );
    assert!(kitchen.class_list().contains("is-on"));
    let style = kitchen.get_attribute("style").unwrap_or_default();
    assert!(
        style.contains("--lamp: rgb(255 140 40)") || style.contains("--lamp:rgb(255 140 40)"),
        "glow colour variable: {style}"
    );
    let hall = page.card(HALL);
    assert_eq!(
        within(&hall, "button.switch")
            .get_attribute("aria-checked")
            .as_deref(),
        Some("false")
    );
    assert!(!hall.class_list().contains("is-on"));
}

#[wasm_bindgen_test]
async fn toggling_publishes_the_retained_state_and_marks_pending_then_delivered() {
    let page = seeded().await;
    toggle(&page, HALL).await;
    assert_eq!(
        page.rec.sent(),
        [sent(HALL, r#"{"state":"ON"}"#, QoS::AtLeastOnce, true)]
    );
    let hall = page.card(HALL);
    assert_eq!(
        within(&hall, "button.switch")
            .get_attribute("aria-checked")
            .as_deref(),
        Some("true"),
        "optimistic: on at once"
    );
    let mark = within(&hall, ".delivery");
    assert_eq!(
        mark.get_attribute("data-delivery").as_deref(),
        Some("pending")
    );

    let ticket = page.rec.last_ticket();
    page.store
        .handle_client_event(ClientEvent::Session(Event::Delivered(ticket)));
    settle().await;
    let mark = within(&page.card(HALL), ".delivery");
    assert_eq!(
        mark.get_attribute("data-delivery").as_deref(),
        Some("delivered")
    );
    assert!(mark.text_content().unwrap().contains("Delivered"));
    assert_eq!(
        within(&page.card(HALL), ".delivery-reason")
            .text_content()
            .as_deref(),
        Some(""),
        "no reason line when the change went through"
    );
}

#[wasm_bindgen_test]
async fn a_fast_drag_sends_the_first_and_the_final_brightness_only() {
    let page = seeded().await;
    let slider = within(&page.sheet(BEDROOM).await, "input.brightness");
    // Ten input events well within 100 ms, then the release.
    for v in 10..20 {
        set_value(&slider, &v.to_string());
        fire(&slider, "input");
    }
    fire(&slider, "change");
    settle().await;
    // 10 % and 19 % of 255, rounded; the rest of the document is kept.
    assert_eq!(
        page.rec.sent(),
        [
            sent(
                BEDROOM,
                r#"{"brightness":26,"state":"OFF"}"#,
                QoS::AtLeastOnce,
                true
            ),
            sent(
                BEDROOM,
                r#"{"brightness":48,"state":"OFF"}"#,
                QoS::AtLeastOnce,
                true
            ),
        ]
    );
    // Nothing more trickles out after the throttle interval.
    sleep(150).await;
    assert_eq!(page.rec.sent().len(), 2);
}

#[wasm_bindgen_test]
async fn picking_a_colour_and_a_preset_publish_the_colour() {
    let page = seeded().await;
    let kitchen = page.sheet(KITCHEN).await;
    let picker = within(&kitchen, "input.color-input");
    set_value(&picker, "#00ff80");
    fire(&picker, "input");
    fire(&picker, "change");
    settle().await;
    let doc = r#"{"brightness":180,"color":{"b":128,"g":255,"r":0},"state":"ON"}"#;
    assert_eq!(
        page.rec.sent(),
        [sent(KITCHEN, doc, QoS::AtLeastOnce, true)]
    );

    page.rec.clear();
    within(&page.sheet_el(KITCHEN), "button.preset[aria-label=\"Red\"]")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    let red = r#"{"brightness":180,"color":{"b":48,"g":48,"r":255},"state":"ON"}"#;
    assert_eq!(
        page.rec.sent(),
        [sent(KITCHEN, red, QoS::AtLeastOnce, true)]
    );
}

/// The swatches' names live in the card's markup and their colours in the stylesheet (no
/// inline style under the CSP): each must show the colour a tap on it publishes.
#[wasm_bindgen_test]
async fn every_preset_swatch_shows_the_colour_it_publishes() {
    use_app_stylesheet();
    let page = seeded().await;
    page.sheet(KITCHEN).await;
    let swatches = page.all(&format!(
        "dialog.lamp-sheet .sheet-body[data-lamp=\"{KITCHEN}\"] button.preset[data-preset]"
    ));
    assert_eq!(swatches.len(), 10);
    let window = web_sys::window().unwrap();
    for swatch in swatches {
        let label = swatch.get_attribute("aria-label").unwrap_or_default();
        assert!(!label.is_empty(), "a swatch without a name");
        let shown = window
            .get_computed_style(&swatch)
            .unwrap()
            .unwrap()
            .get_property_value("--swatch")
            .unwrap();
        let shown: Vec<u8> = shown
            .trim()
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split_whitespace()
            .map(|n| {
                n.parse()
                    .unwrap_or_else(|_| panic!("{label}: swatch {shown:?}"))
            })
            .collect();
        page.rec.clear();
        swatch.unchecked_ref::<HtmlElement>().click();
        settle().await;
        let sent = page.rec.sent();
        assert_eq!(sent.len(), 1, "{label}: one publish");
        let doc: serde_json::Value = serde_json::from_str(&sent[0].payload).unwrap();
        let published = ["r", "g", "b"].map(|k| doc["color"][k].as_u64().unwrap() as u8);
        assert_eq!(
            shown, published,
            "{label}: the swatch shows what it publishes"
        );
    }
}

#[wasm_bindgen_test]
async fn a_refused_publish_rolls_back_with_a_message() {
    let page = seeded().await;
    *page.rec.fail_with.borrow_mut() = Some("the offline queue is full".into());
    toggle(&page, HALL).await;
    let hall = page.card(HALL);
    assert_eq!(
        within(&hall, "button.switch")
            .get_attribute("aria-checked")
            .as_deref(),
        Some("false"),
        "back to the confirmed state"
    );
    let mark = within(&hall, ".delivery");
    assert_eq!(
        mark.get_attribute("data-delivery").as_deref(),
        Some("failed")
    );
    assert_eq!(mark.text_content().as_deref(), Some("Not sent"));
    assert_eq!(
        within(&hall, ".delivery-reason").text_content().as_deref(),
        Some("the offline queue is full"),
        "the reason across the card"
    );
    assert!(page
        .text(".notice")
        .contains("Not sent: the offline queue is full"));
}

#[wasm_bindgen_test]
async fn an_unreadable_payload_is_marked_and_the_last_good_state_stays() {
    let page = seeded().await;
    page.store.handle_message(KITCHEN, b"not json {", true);
    settle().await;
    let kitchen = page.card(KITCHEN);
    assert_eq!(
        within(&kitchen, ".tile-state").text_content().as_deref(),
        Some("Unreadable message"),
        "the tile says so"
    );
    let marker = within(&page.sheet(KITCHEN).await, "details.unreadable");
    assert!(marker.text_content().unwrap().contains("unreadable"));
    assert_eq!(
        within(&marker, "pre.raw").text_content().unwrap(),
        "not json {"
    );
    assert_eq!(
        within(&kitchen, "button.switch")
            .get_attribute("aria-checked")
            .as_deref(),
        Some("true"),
        "the last good state stays"
    );
}

/// The app's real stylesheet, which most tests do without (added once per test page).
fn use_app_stylesheet() {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("app-css").is_some() {
        return;
    }
    let style = document.create_element("style").unwrap();
    style.set_id("app-css");
    style.set_text_content(Some(include_str!("../style/main.css")));
    document.head().unwrap().append_child(&style).unwrap();
}

fn rect(el: &Element) -> (f64, f64) {
    let r = el.get_bounding_client_rect();
    (
        r.top() + web_sys::window().unwrap().scroll_y().unwrap(),
        r.height(),
    )
}

#[wasm_bindgen_test]
async fn tiles_have_one_fixed_height_so_nothing_below_moves_when_a_lamp_changes() {
    use_app_stylesheet();
    let page = mount();
    let topic = |i: usize| format!("smarthome/attic/lamps/l{i:02}");
    for i in 0..40 {
        page.store
            .handle_message(&topic(i), br#"{"state":"ON","brightness":100}"#, true);
    }
    // A name far too long for a tile.
    page.store.handle_message(
        "smarthome/attic/lamps/Upstairs-Guest-Bedroom-With-Ensuite-Ceiling-Light",
        br#"{"state":"OFF"}"#,
        true,
    );
    settle().await;
    let last = || page.card(&topic(39));
    let before = rect(&last());
    let heights: Vec<f64> = page
        .all("article.lamp-card")
        .iter()
        .map(|t| rect(t).1)
        .collect();
    assert!(
        heights.iter().all(|h| *h == heights[0] && *h >= 44.0),
        "one height for every tile: {heights:?}"
    );
    // Lamp 0 becomes unknown, then unreadable, then fails a change with a long reason.
    page.store
        .handle_message(&topic(0), br#"{"state":null}"#, true);
    settle().await;
    assert_eq!(rect(&last()), before, "unknown state: nothing moved");
    page.store.handle_message(&topic(0), b"not json", true);
    settle().await;
    assert_eq!(rect(&last()), before, "unreadable: nothing moved");
    *page.rec.fail_with.borrow_mut() = Some("a long reason ".repeat(20));
    page.click(&format!(
        "article[data-lamp=\"{}\"] button.switch",
        topic(1)
    ));
    settle().await;
    assert_eq!(
        within(&page.card(&topic(1)), ".delivery")
            .get_attribute("data-delivery")
            .as_deref(),
        Some("failed")
    );
    assert_eq!(rect(&last()), before, "a failed change: nothing moved");
    // Tiles carry no sliders: the fine controls are in the one sheet.
    assert!(!page.has("article.lamp-card input"));
}

#[wasm_bindgen_test]
async fn a_sheet_whose_lamp_goes_away_closes() {
    let page = mount();
    seed(&page);
    settle().await;
    page.sheet(HALL).await;
    assert!(page
        .one("dialog.lamp-sheet")
        .unchecked_into::<web_sys::HtmlDialogElement>()
        .open());
    page.store.handle_message(HALL, b"", true);
    settle().await;
    settle().await;
    assert!(!page.has(&format!("article[data-lamp=\"{HALL}\"]")));
    assert!(!page.has(".sheet-body"), "no sheet for a lamp that is gone");
    assert!(!page
        .one("dialog.lamp-sheet")
        .unchecked_into::<web_sys::HtmlDialogElement>()
        .open());
}

#[wasm_bindgen_test]
async fn a_change_by_another_client_updates_the_card_without_publishing() {
    let page = seeded().await;
    page.store
        .handle_message(KITCHEN, br#"{"state":"OFF","brightness":10}"#, false);
    settle().await;
    let kitchen = page.sheet(KITCHEN).await;
    assert_eq!(
        within(&kitchen, "button.switch")
            .get_attribute("aria-checked")
            .as_deref(),
        Some("false")
    );
    assert!(!kitchen.class_list().contains("is-on"));
    assert_eq!(within(&kitchen, "output").text_content().unwrap(), "4 %");
    assert!(page.rec.sent().is_empty());
}

#[wasm_bindgen_test]
async fn html_in_names_and_payloads_renders_as_text() {
    let page = mount();
    let evil = "<b>bold</b><script>window.pwned=1</script><img src=x>";
    let config = format!(
        r#"{{"name":"{}","schema":"json","command_topic":"x/set","state_topic":"x/state","unique_id":"evil"}}"#,
        evil.replace('"', "\\\"")
    );
    page.store
        .handle_message("homeassistant/light/evil/config", config.as_bytes(), true);
    page.store.handle_message(
        "smarthome/hall/lamps/<script>alert(1)</script>",
        br#"{"state":"ON"}"#,
        true,
    );
    settle().await;
    assert_eq!(page.all("article.lamp-card").len(), 2);
    let text = page.host.text_content().unwrap();
    assert!(text.contains("<script>window.pwned=1</script>"), "{text}");
    assert!(text.contains("<script>alert(1)<"), "{text}");
    assert!(!page.has("script"), "no script element was created");
    assert!(!page.has("b") && !page.has("img"), "no markup was created");

    // The explorer shows a payload with markup as text too.
    page.click("button.tab[data-page=\"messages\"]");
    page.receive("t/x", evil.as_bytes(), QoS::AtMostOnce, false);
    settle().await;
    assert_eq!(page.text(".log-row .log-payload"), evil);
    assert!(!page.has("script") && !page.has("img"));
}

// ---------- connection panel and settings ----------

#[wasm_bindgen_test]
async fn once_connected_the_panel_folds_into_a_summary_line() {
    let page = mount();
    settle().await;
    assert!(page.has("form.connect-panel input[name=\"broker-url\"]"));
    page.store
        .handle_client_event(ClientEvent::Status(ConnectionStatus::Connected));
    settle().await;
    assert!(!page.has("form.connect-panel"));
    let summary = page.text(".connect-summary");
    assert!(summary.contains(":9001"), "{summary}");
    page.click(".connect-summary button.open-settings");
    settle().await;
    assert!(page.has("aside.drawer[role=\"dialog\"]"));
    page.click("aside.drawer button.close");
    settle().await;
    assert!(!page.has("aside.drawer"));
}

#[wasm_bindgen_test]
async fn a_bad_filter_shows_an_inline_error_and_is_not_saved() {
    let page = mount();
    settle().await;
    page.click("button.open-settings");
    settle().await;
    page.type_into("input[name=\"filter-0\"]", "smarthome/#/lamps");
    settle().await;
    let input = page.one("input[name=\"filter-0\"]");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(page.text(".filter-error"), "“#” must be the last level");
    page.click("button.save");
    settle().await;
    assert!(page.text(".drawer-foot .outcome").starts_with("Not saved"));
    assert_eq!(
        page.store.settings.get_untracked(),
        DirectorySettings::default()
    );
}

#[wasm_bindgen_test]
async fn a_lone_hash_needs_confirming_then_subscriptions_follow() {
    let page = mount();
    settle().await;
    page.click("button.open-settings");
    settle().await;
    page.type_into("input[name=\"filter-0\"]", "#");
    settle().await;
    assert!(page.has("input[name=\"confirm_everything\"]"));
    page.click("button.save");
    settle().await;
    assert!(page.text(".drawer-foot .outcome").contains("confirm"));
    assert_eq!(
        page.store.settings.get_untracked().lamp_filters,
        ["smarthome/+/lamps/#"]
    );

    page.click("input[name=\"confirm_everything\"]");
    // Switch Zigbee2MQTT discovery off at the same time.
    page.click("input[name=\"zigbee2mqtt\"]");
    page.click("button.save");
    settle().await;
    assert_eq!(page.text(".drawer-foot .outcome"), "Saved");
    let s = page.store.settings.get_untracked();
    assert_eq!(s.lamp_filters, ["#"]);
    assert!(!s.zigbee2mqtt && s.home_assistant);
    assert!(page.rec.subscribed.borrow().iter().any(|f| f == &["#"]));
    assert!(page
        .rec
        .unsubscribed
        .borrow()
        .iter()
        .flatten()
        .any(|f| f == "smarthome/+/lamps/#" || f == "zigbee2mqtt/bridge/devices"));
}

#[wasm_bindgen_test]
async fn the_publishing_qos_setting_applies_to_lamp_changes() {
    let page = seeded().await;
    page.click("button.open-settings");
    settle().await;
    let select = page.one("select[name=\"publish_qos\"]");
    set_value(&select, "2");
    fire(&select, "change");
    page.click("button.save");
    settle().await;
    page.click("aside.drawer button.close");
    settle().await;
    toggle(&page, HALL).await;
    assert_eq!(
        page.rec.sent(),
        [sent(HALL, r#"{"state":"ON"}"#, QoS::ExactlyOnce, true)]
    );
}

/// Picks `text` as the file of the import input.
fn choose_import_file(page: &Page, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let file = web_sys::File::new_with_str_sequence(&parts, "settings.json").unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = page.one("input.import").unchecked_into();
    input.set_files(dt.files().as_ref());
    fire(&input, "change");
}

#[wasm_bindgen_test]
async fn export_produces_a_file_that_import_accepts_and_a_bad_file_changes_nothing() {
    let page = mount();
    settle().await;
    page.click("button.open-settings");
    settle().await;
    page.type_into("input[name=\"username\"]", "me");
    page.type_into("input[name=\"password\"]", "hunter2");
    page.click("button.save");
    settle().await;

    let (name, text) = capture_export(|| page.click("button.export")).await;
    assert_eq!(name, "lampboard-settings.json");
    assert!(!text.contains("hunter2"), "passwords are never exported");
    let file = SettingsFile::from_json(&text).expect("the export is a valid settings file");
    assert_eq!(file.profiles.len(), 1);
    assert_eq!(file.profiles[0].username, "me");

    // Import it back with a second profile added.
    let mut two = file.clone();
    let mut cellar = two.profiles[0].clone();
    cellar.name = "Cellar".into();
    cellar.lamp_filters = vec!["cellar/lamps/+".into()];
    two.upsert(cellar);
    choose_import_file(&page, &two.to_export_json());
    until("the import finished", || {
        page.text(".drawer-foot .outcome").starts_with("Imported")
    })
    .await;
    assert_eq!(page.text(".drawer-foot .outcome"), "Imported 2 profiles");
    assert_eq!(page.all("select[name=\"profile\"] option").len(), 2);
    assert_eq!(
        page.store.settings.get_untracked().lamp_filters,
        ["cellar/lamps/+"],
        "the selected imported profile is in use"
    );

    // A broken file: a clear error and no change.
    choose_import_file(&page, "{\"lampboard_settings\": 1, \"profiles\": [");
    until("the bad import was refused", || {
        page.text(".drawer-foot .outcome")
            .starts_with("Import refused")
    })
    .await;
    assert!(page
        .text(".drawer-foot .outcome")
        .contains("Nothing was changed"));
    assert_eq!(page.all("select[name=\"profile\"] option").len(), 2);
    assert_eq!(
        page.store.settings.get_untracked().lamp_filters,
        ["cellar/lamps/+"]
    );
}

// ---------- message explorer ----------

#[wasm_bindgen_test]
async fn the_explorer_lists_filters_and_pauses() {
    let page = mount();
    page.click("button.tab[data-page=\"messages\"]");
    settle().await;
    page.receive(
        KITCHEN,
        br#"{"state":"ON","brightness":3}"#,
        QoS::AtLeastOnce,
        true,
    );
    page.receive("other/text", b"offline", QoS::AtMostOnce, false);
    page.receive("other/bin", &[0, 1, 255], QoS::ExactlyOnce, false);
    settle().await;
    let rows = page.all(".log-row");
    assert_eq!(rows.len(), 3);
    // Newest first; JSON pretty-printed, text as is, binary as hex.
    assert_eq!(
        within(&rows[0], ".log-topic").text_content().unwrap(),
        "other/bin"
    );
    assert_eq!(
        within(&rows[0], ".log-payload").text_content().unwrap(),
        "00 01 ff"
    );
    assert_eq!(
        within(&rows[0], ".log-meta").text_content().unwrap(),
        "Q2",
        "QoS 2, compact"
    );
    assert_eq!(
        within(&rows[1], ".log-payload").text_content().unwrap(),
        "offline"
    );
    assert_eq!(
        within(&rows[2], ".log-payload").text_content().unwrap(),
        "{\n  \"brightness\": 3,\n  \"state\": \"ON\"\n}"
    );
    assert!(rows[2]
        .query_selector(".log-meta .retained")
        .unwrap()
        .is_some());
    // The lamp path still ran.
    assert_eq!(page.store.lamp_count(), 1);

    page.type_into("input[name=\"log-filter\"]", "other/+");
    settle().await;
    assert_eq!(page.all(".log-row").len(), 2);
    page.type_into("input[name=\"log-filter\"]", "other/#/x");
    settle().await;
    assert!(page.text(".log-tools .field-error").contains("last level"));
    page.type_into("input[name=\"log-filter\"]", "");
    settle().await;
    assert_eq!(page.all(".log-row").len(), 3);

    page.click("button.pause");
    settle().await;
    page.receive("other/late", b"1", QoS::AtMostOnce, false);
    settle().await;
    assert_eq!(
        page.all(".log-row").len(),
        3,
        "paused: the list holds still"
    );
    page.click("button.pause");
    settle().await;
    assert_eq!(page.all(".log-row").len(), 4, "resumed: caught up");
}

#[wasm_bindgen_test]
async fn a_burst_renders_once_per_frame_from_a_capped_ring() {
    let page = mount();
    page.click("button.tab[data-page=\"messages\"]");
    settle().await;
    let before = page.store.log_version.get_untracked();
    for i in 0..1000 {
        page.receive(&format!("burst/{i}"), b"x", QoS::AtMostOnce, false);
    }
    assert_eq!(
        page.store.log_version.get_untracked(),
        before,
        "no render per message"
    );
    settle().await;
    assert_eq!(
        page.store.log_version.get_untracked(),
        before + 1,
        "one render for the burst"
    );
    let rows = page.all(".log-row");
    assert_eq!(rows.len(), 500, "the ring keeps the last 500");
    assert_eq!(
        within(&rows[0], ".log-topic").text_content().unwrap(),
        "burst/999"
    );
    assert!(page
        .text(".log-counts")
        .contains("500 kept of 1000 received"));
}

#[wasm_bindgen_test]
async fn the_publish_form_checks_the_topic_and_clears_retained_after_confirming() {
    let page = mount();
    page.click("button.tab[data-page=\"messages\"]");
    settle().await;
    page.type_into("input[name=\"publish-topic\"]", "bad/#");
    settle().await;
    assert!(page.text(".publish-form .field-error").contains("wildcard"));
    page.click("button.publish");
    settle().await;
    assert!(page.rec.sent().is_empty());

    page.type_into("input[name=\"publish-topic\"]", "lampboard/test");
    page.type_into("textarea[name=\"publish-payload\"]", "hello");
    let qos = page.one("select[name=\"publish-qos\"]");
    set_value(&qos, "2");
    fire(&qos, "change");
    page.click("input[name=\"publish-retain\"]");
    page.click("button.publish");
    settle().await;
    assert_eq!(
        page.rec.sent(),
        [sent("lampboard/test", "hello", QoS::ExactlyOnce, true)]
    );

    page.rec.clear();
    page.click("button.clear-retained");
    settle().await;
    assert!(page.text(".confirm-clear").contains("lampboard/test"));
    assert!(
        page.rec.sent().is_empty(),
        "nothing before the confirmation"
    );
    page.click("button.confirm-clear-yes");
    settle().await;
    assert_eq!(
        page.rec.sent(),
        [sent("lampboard/test", "", QoS::ExactlyOnce, true)]
    );
}

#[wasm_bindgen_test]
async fn last_visit_lamps_show_stale_until_heard_live_and_live_lamps_are_kept_for_next_time() {
    let page = mount();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    // A live message is written to the snapshot (within about a second).
    page.receive(
        "smarthome/hall/lamps/ceiling",
        br#"{"state":"ON","brightness":128}"#,
        QoS::AtMostOnce,
        true,
    );
    page.receive("lampboard/other", b"not a lamp", QoS::AtMostOnce, false);
    sleep(1300).await;
    let profile = page.store.profile_id();
    let saved = storage
        .get_item(&lampboard::store::profile_keys::ProfileKeys::for_id(&profile).snapshot)
        .unwrap()
        .expect("a snapshot was written under the profile's key");
    assert!(saved.contains("smarthome/hall/lamps/ceiling"), "{saved}");
    assert!(
        !saved.contains("lampboard/other"),
        "only lamp topics: {saved}"
    );

    // The next start shows it before any broker answers, greyed and marked.
    let store = Store::new(DirectorySettings::default());
    store.use_profile(&profile, "Test", DirectorySettings::default());
    let id = lampboard::lamp::LampId("smarthome/hall/lamps/ceiling".into());
    let lamp = store.lamp(&id).expect("the lamp is back");
    assert!(lamp.with_untracked(|v| v.stale && v.shown.on == Some(true)));
    // Heard live, even saying the same: no longer stale.
    store.receive(message(
        &id.0,
        br#"{"state":"ON","brightness":128}"#,
        QoS::AtMostOnce,
        true,
    ));
    assert!(lamp.with_untracked(|v| !v.stale));
    drop(page);
}

// ---------- card states: unknown, unavailable, only the controls a lamp has, effects ----------

fn payload_json(s: &Sent) -> serde_json::Value {
    serde_json::from_str(&s.payload).unwrap_or_else(|_| panic!("JSON payload: {}", s.payload))
}

const DIMMER_CONFIG: &str = "homeassistant/light/dimmer/config";

#[wasm_bindgen_test]
async fn an_unknown_lamp_is_drawn_as_unknown_and_its_switch_turns_it_on() {
    let page = mount();
    // A seed lamp that said its brightness but never on or off.
    let spot = "smarthome/hall/lamps/spot";
    page.store
        .handle_message(spot, br#"{"brightness":128}"#, true);
    // A Home Assistant dimmer that has said nothing yet.
    page.store.handle_message(
        DIMMER_CONFIG,
        br#"{"schema":"json","name":"Dimmer","command_topic":"dimmer/set","state_topic":"dimmer/state","brightness":true,"supported_color_modes":["brightness"]}"#,
        true,
    );
    settle().await;
    let card = page.card(spot);
    assert!(card.class_list().contains("is-unknown"));
    assert!(!card.class_list().contains("is-on"));
    assert_eq!(
        within(&card, ".tile-state").text_content().as_deref(),
        Some("State unknown")
    );
    assert_eq!(
        within(&page.sheet(spot).await, ".lamp-condition")
            .text_content()
            .as_deref(),
        Some("State unknown")
    );
    let switch = within(&card, "button.switch");
    assert_eq!(switch.get_attribute("role"), None, "no switch claiming off");
    assert_eq!(switch.get_attribute("aria-checked"), None);
    assert_eq!(
        switch.get_attribute("aria-label").as_deref(),
        Some("Turn spot on (its state is unknown)")
    );
    assert_eq!(
        page.card(spot).get_attribute("data-confirmed").as_deref(),
        Some("unknown")
    );

    // The dimmer has a slider, but no level is claimed for it.
    let dimmer = page.sheet(DIMMER_CONFIG).await;
    assert!(dimmer.class_list().contains("is-unknown"));
    assert_eq!(
        within(&dimmer, ".control-label output")
            .text_content()
            .as_deref(),
        Some("unknown")
    );
    assert!(within(&dimmer, "input.brightness").has_attribute("data-unknown"));
    page.close_sheet().await;

    toggle(&page, spot).await;
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].topic, spot);
    assert_eq!(payload_json(&sent[0])["state"], "ON", "unknown toggles on");
    let switch = within(&page.card(spot), "button.switch");
    assert_eq!(switch.get_attribute("role").as_deref(), Some("switch"));
    assert_eq!(
        switch.get_attribute("aria-checked").as_deref(),
        Some("true")
    );

    // Told its brightness, the dimmer's slider shows it.
    page.store
        .handle_message("dimmer/state", br#"{"state":"OFF","brightness":51}"#, true);
    settle().await;
    assert!(!page.card(DIMMER_CONFIG).class_list().contains("is-unknown"));
    let dimmer = page.sheet(DIMMER_CONFIG).await;
    assert!(!dimmer.class_list().contains("is-unknown"));
    assert_eq!(
        within(&dimmer, ".lamp-condition").text_content().as_deref(),
        Some("")
    );
    assert!(!within(&dimmer, "input.brightness").has_attribute("data-unknown"));
    assert_eq!(
        within(&dimmer, ".control-label output")
            .text_content()
            .as_deref(),
        Some("20 %")
    );
}

const PORCH_CONFIG: &str = "homeassistant/light/porch/config";

#[wasm_bindgen_test]
async fn an_unavailable_lamp_keeps_its_state_says_why_and_takes_no_command_until_it_is_back() {
    let page = mount();
    page.store.handle_message(
        PORCH_CONFIG,
        br#"{"schema":"json","name":"Porch","command_topic":"porch/set","state_topic":"porch/state","availability_topic":"porch/availability","brightness":true,"supported_color_modes":["brightness"]}"#,
        true,
    );
    page.store
        .handle_message("porch/availability", b"online", true);
    page.store
        .handle_message("porch/state", br#"{"state":"ON","brightness":255}"#, true);
    settle().await;
    let card = page.sheet(PORCH_CONFIG).await;
    assert!(!card.class_list().contains("is-unavailable"));
    assert!(card.class_list().contains("is-on"));

    page.store
        .handle_message("porch/availability", b"offline", true);
    settle().await;
    assert!(page
        .card(PORCH_CONFIG)
        .class_list()
        .contains("is-unavailable"));
    assert_eq!(
        within(&page.card(PORCH_CONFIG), ".tile-state")
            .text_content()
            .as_deref(),
        Some("Offline")
    );
    let card = page.sheet_el(PORCH_CONFIG);
    assert!(card.class_list().contains("is-unavailable"));
    assert!(
        card.class_list().contains("is-on"),
        "its last state is kept"
    );
    assert_eq!(
        within(&card, ".lamp-condition").text_content().as_deref(),
        Some(lampboard::store::view::UNAVAILABLE_OFFLINE)
    );
    let disabled = |el: Element, sel: &str| {
        js_sys::Reflect::get(&within(&el, sel), &"disabled".into())
            .unwrap()
            .as_bool()
            .unwrap_or(false)
    };
    assert!(disabled(page.card(PORCH_CONFIG), "button.switch"));
    assert!(disabled(page.sheet_el(PORCH_CONFIG), "button.switch"));
    assert!(disabled(
        page.sheet_el(PORCH_CONFIG),
        "fieldset.lamp-controls"
    ));
    assert!(
        within(&card, "input.brightness")
            .unchecked_into::<HtmlInputElement>()
            .matches(":disabled")
            .unwrap(),
        "the slider is disabled with its fieldset"
    );
    page.close_sheet().await;
    page.click(&format!(
        "article[data-lamp=\"{PORCH_CONFIG}\"] button.switch"
    ));
    page.click("section.room button.room-switch"); // the room switch
    settle().await;
    assert_eq!(page.rec.sent(), [], "nothing is published for it");
    assert_eq!(
        within(&page.card(PORCH_CONFIG), ".delivery")
            .get_attribute("data-delivery")
            .as_deref(),
        Some("idle"),
        "and nothing says it tried"
    );

    // Should something ask anyway, the directory's refusal reads on the card.
    page.store.change(
        &lampboard::lamp::LampId(PORCH_CONFIG.into()),
        lampboard::lamp::LampChange::On(false),
    );
    settle().await;
    assert_eq!(page.rec.sent(), []);
    assert_eq!(
        within(&page.card(PORCH_CONFIG), ".delivery-reason")
            .text_content()
            .as_deref(),
        Some("the lamp is unavailable")
    );

    page.store
        .handle_message("porch/availability", b"online", true);
    settle().await;
    assert!(!page
        .card(PORCH_CONFIG)
        .class_list()
        .contains("is-unavailable"));
    let card = page.sheet(PORCH_CONFIG).await;
    assert!(!card.class_list().contains("is-unavailable"));
    assert_eq!(
        within(&card, ".lamp-condition").text_content().as_deref(),
        Some("")
    );
    assert!(!disabled(card.clone(), "button.switch") && !disabled(card, "fieldset.lamp-controls"));
    page.close_sheet().await;
    page.click(&format!(
        "article[data-lamp=\"{PORCH_CONFIG}\"] button.switch"
    ));
    settle().await;
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "live again: {sent:?}");
    assert_eq!(sent[0].topic, "porch/set");
    assert_eq!(payload_json(&sent[0])["state"], "OFF");
}

#[wasm_bindgen_test]
async fn a_lamp_shows_only_the_controls_it_has_and_gains_one_when_it_first_sends_the_field() {
    let page = mount();
    let lamp = "smarthome/den/lamps/plain";
    page.store.handle_message(lamp, br#"{"state":"ON"}"#, true);
    settle().await;
    let card = page.sheet(lamp).await;
    for absent in [
        "input[type=range]",
        "input.color-input",
        ".color-wheel",
        ".swatches",
        "select.effect-select",
    ] {
        assert!(
            card.query_selector(absent).unwrap().is_none(),
            "{absent} on an on/off-only lamp"
        );
    }
    page.store
        .handle_message(lamp, br#"{"state":"ON","brightness":100}"#, true);
    settle().await;
    let card = page.sheet_el(lamp);
    let slider = within(&card, "input.brightness");
    assert!(!slider.has_attribute("data-unknown"));
    assert_eq!(
        slider.unchecked_into::<HtmlInputElement>().value(),
        "39",
        "100 of 255"
    );
    assert!(card.query_selector("input.color-temp").unwrap().is_none());
    assert!(card.query_selector("input.color-input").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_effect_picker_publishes_what_each_system_expects() {
    let page = mount();
    page.store.handle_message(
        "homeassistant/light/strip/config",
        br#"{"schema":"json","name":"Desk Strip","command_topic":"strip/set","state_topic":"strip/state","effect":true,"effect_list":["rainbow","colorloop"]}"#,
        true,
    );
    page.store
        .handle_message("strip/state", br#"{"state":"ON","effect":"rainbow"}"#, true);
    let seed_lamp = "smarthome/den/lamps/candle";
    page.store.handle_message(
        seed_lamp,
        br#"{"state":"ON","effect":"none","effect_list":["none","candle","pulse"]}"#,
        true,
    );
    settle().await;
    let strip = page.sheet("homeassistant/light/strip/config").await;
    let select: web_sys::HtmlSelectElement =
        within(&strip, "select.effect-select").unchecked_into();
    until("the running effect selected", || {
        select.value() == "rainbow"
    })
    .await;
    let options: Vec<String> = (0..select.length())
        .filter_map(|i| select.item(i))
        .map(|o| o.text_content().unwrap_or_default())
        .collect();
    assert_eq!(options, ["Unknown", "rainbow", "colorloop"]);
    set_value(&select, "colorloop");
    fire(&select, "change");
    settle().await;
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].topic, "strip/set");
    assert_eq!(payload_json(&sent[0])["effect"], "colorloop");
    page.rec.clear();

    let candle = page.sheet(seed_lamp).await;
    let select: web_sys::HtmlSelectElement =
        within(&candle, "select.effect-select").unchecked_into();
    until("the seed lamp's effect selected", || {
        select.value() == "none"
    })
    .await;
    set_value(&select, "candle");
    fire(&select, "change");
    settle().await;
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].topic, seed_lamp);
    assert!(sent[0].retain, "a seed lamp's state is retained");
    let json = payload_json(&sent[0]);
    assert_eq!(json["effect"], "candle");
    assert_eq!(json["state"], "ON", "the whole state, written back");

    // A lamp without effects has no picker.
    page.store
        .handle_message("smarthome/den/lamps/plain", br#"{"state":"ON"}"#, true);
    settle().await;
    let plain = page.sheet("smarthome/den/lamps/plain").await;
    assert!(plain
        .query_selector("select.effect-select")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn an_optimistic_lamp_says_delivered_and_never_no_answer() {
    let page = mount();
    // No state topic: Home Assistant treats the light as optimistic.
    page.store.handle_message(
        "homeassistant/light/shed/config",
        br#"{"schema":"json","name":"Shed","command_topic":"shed/set"}"#,
        true,
    );
    settle().await;
    page.click("article[data-lamp=\"homeassistant/light/shed/config\"] button.switch");
    settle().await;
    assert_eq!(page.rec.sent().len(), 1);
    page.store
        .handle_client_event(ClientEvent::Session(Event::Delivered(
            page.rec.last_ticket(),
        )));
    settle().await;
    let card = || page.card("homeassistant/light/shed/config");
    assert_eq!(
        within(&card(), ".delivery").text_content().as_deref(),
        Some("✓ Delivered")
    );
    assert_eq!(
        card().get_attribute("data-confirmed").as_deref(),
        Some("on")
    );
    // Past the wait for an echo: there was none to wait for, so nothing went back.
    sleep(lampboard::store::view::ECHO_WAIT_MS as u32 + 400).await;
    settle().await;
    assert_eq!(
        within(&card(), ".delivery")
            .get_attribute("data-delivery")
            .as_deref(),
        Some("delivered")
    );
    assert!(card().class_list().contains("is-on"));
}

#[wasm_bindgen_test]
async fn a_lamp_kept_only_from_the_last_visit_can_be_removed_for_good() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let gone = "smarthome/hall/lamps/island";
    let live = "smarthome/hall/lamps/ceiling";
    let mut snapshot = lampboard::store::snapshot::Snapshot::new();
    snapshot.record(gone, br#"{"state":"ON"}"#);
    snapshot.record(live, br#"{"state":"OFF"}"#);
    // The profile the page starts with, and its last visit's snapshot.
    let key = lampboard::store::profile_keys::ProfileKeys::for_id("p-test").snapshot;
    let page = mount_store_with(Store::new(DirectorySettings::default()), || {
        let file =
            lampboard::store::settings::SettingsFile::single(lampboard::store::settings::Profile {
                id: "p-test".into(),
                name: "Test".into(),
                ..lampboard::store::settings::Profile::with_url("ws://127.0.0.1:9001/mqtt")
            });
        let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
        storage
            .set_item(
                lampboard::ui::SETTINGS_KEY,
                &serde_json::to_string(&file).unwrap(),
            )
            .unwrap();
        storage.set_item(&key, &snapshot.to_json()).unwrap();
    });
    settle().await;
    assert_eq!(
        within(&page.card(gone), ".tile-state")
            .text_content()
            .as_deref(),
        Some("On · last known")
    );
    page.sheet(gone).await;
    assert!(
        !page.has(".lamp-forget"),
        "offline, every lamp is from the last visit"
    );
    page.close_sheet().await;

    page.store
        .handle_client_event(ClientEvent::Status(ConnectionStatus::Connected));
    page.receive(live, br#"{"state":"OFF"}"#, QoS::AtMostOnce, true);
    settle().await;
    page.sheet(live).await;
    assert!(
        !page.has(".lamp-forget"),
        "a lamp heard live is not removable"
    );
    let card = page.sheet(gone).await;
    assert_eq!(
        page.all(".lamp-forget").len(),
        1,
        "the lamp nothing spoke for"
    );
    within(&card, "button.forget")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert!(page
        .sheet_el(gone)
        .text_content()
        .unwrap_or_default()
        .contains("Remove this lamp?"));
    within(&page.sheet_el(gone), "button.forget-yes")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert!(
        !page.has(&format!("article[data-lamp=\"{gone}\"]")),
        "gone from the dashboard"
    );
    assert!(page.has(&format!("article[data-lamp=\"{live}\"]")));
    let saved = storage.get_item(&key).unwrap().unwrap_or_default();
    assert!(!saved.contains(gone), "gone from the snapshot: {saved}");
    assert!(saved.contains(live), "{saved}");
    // The next start does not bring it back.
    let next = Store::new(DirectorySettings::default());
    next.use_profile("p-test", "Test", DirectorySettings::default());
    assert!(next.lamp(&lampboard::lamp::LampId(gone.into())).is_none());
    assert!(next.lamp(&lampboard::lamp::LampId(live.into())).is_some());
}

// ---------- brokers that do less than asked (issue 18) ----------

fn session_event(page: &Page, event: Event) {
    page.store.handle_client_event(ClientEvent::Session(event));
}

fn mark_of(page: &Page, id: &str) -> (String, String) {
    let card = page.card(id);
    (
        within(&card, ".delivery")
            .get_attribute("data-delivery")
            .unwrap_or_default(),
        within(&card, ".delivery-reason")
            .text_content()
            .unwrap_or_default(),
    )
}

#[wasm_bindgen_test]
async fn a_qos2_change_taken_at_qos1_says_so_once_and_the_drawer_says_why() {
    use lampboard::mqtt::session::Downgrade;
    let page = seeded().await;
    toggle(&page, HALL).await;
    session_event(
        &page,
        Event::DeliveredDowngraded {
            ticket: page.rec.last_ticket(),
            how: Downgrade::AnsweredWithPuback,
        },
    );
    settle().await;
    assert_eq!(
        mark_of(&page, HALL),
        (
            "downgraded".to_owned(),
            "This broker accepted it at QoS 1".to_owned()
        )
    );
    assert!(page
        .text(&format!("article[data-lamp=\"{HALL}\"] .delivery"))
        .contains("Delivered"));
    // The next change, sent at QoS 1 on that connection, is plainly delivered.
    toggle(&page, KITCHEN).await;
    session_event(
        &page,
        Event::DeliveredDowngraded {
            ticket: page.rec.last_ticket(),
            how: Downgrade::SentAtQos1,
        },
    );
    settle().await;
    assert_eq!(
        mark_of(&page, KITCHEN),
        ("delivered".to_owned(), String::new())
    );
    page.click("button.open-settings");
    settle().await;
    assert_eq!(
        page.text(".qos2-downgraded"),
        "This broker does not support QoS 2: messages are sent at QoS 1"
    );
}

#[wasm_bindgen_test]
async fn a_publish_the_session_gave_up_on_goes_back_with_its_reason() {
    use lampboard::mqtt::session::{LostReason, PublishFailure};
    let page = seeded().await;
    toggle(&page, HALL).await;
    session_event(
        &page,
        Event::PublishFailed {
            ticket: page.rec.last_ticket(),
            reason: PublishFailure {
                attempts: 3,
                last: Some(LostReason::Transport("WebSocket closed (1006)".into())),
            },
        },
    );
    settle().await;
    let (mark, reason) = mark_of(&page, HALL);
    assert_eq!(mark, "failed");
    assert!(reason.starts_with("Sent 3 times"), "{reason}");
    assert!(reason.ends_with("Not sent again"), "{reason}");
    assert_eq!(
        within(&page.card(HALL), "button.switch")
            .get_attribute("aria-checked")
            .as_deref(),
        Some("false"),
        "back to the confirmed state"
    );
}

#[wasm_bindgen_test]
async fn replacing_the_client_settles_every_change_still_sending() {
    let page = seeded().await;
    toggle(&page, HALL).await;
    let old_ticket = page.rec.last_ticket();
    assert_eq!(mark_of(&page, HALL).0, "pending");
    // Reconnect or new settings: a new client, whose tickets start again at 1.
    let fresh = Rc::new(Recorder::default());
    page.store.set_publisher(fresh.clone());
    settle().await;
    let (mark, reason) = mark_of(&page, HALL);
    assert_eq!(mark, "failed", "no card keeps Sending…");
    assert!(
        reason.contains("before the broker confirmed this change"),
        "{reason}"
    );
    // The new client's first ticket equals the old one; it must not touch the hall card.
    toggle(&page, KITCHEN).await;
    let new_ticket = fresh.last_ticket();
    assert_eq!(new_ticket, old_ticket);
    session_event(&page, Event::Delivered(new_ticket));
    settle().await;
    assert_eq!(mark_of(&page, KITCHEN).0, "delivered");
    assert_eq!(mark_of(&page, HALL).0, "failed");
}

#[wasm_bindgen_test]
async fn known_topics_are_subscribed_exactly_after_the_wildcards_and_copies_show_once() {
    use lampboard::store::profile_keys::ProfileKeys;
    use lampboard::store::snapshot::Snapshot;
    let page = mount();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let mut snapshot = Snapshot::new();
    snapshot.record(HALL, br#"{"state":"OFF"}"#);
    storage
        .set_item(
            &ProfileKeys::for_id("p-exact").snapshot,
            &snapshot.to_json(),
        )
        .unwrap();
    let store = Store::new(DirectorySettings::default());
    store.use_profile("p-exact", "Test", DirectorySettings::default());
    let rec = Rc::new(Recorder::default());
    store.set_publisher(rec.clone());
    assert_eq!(
        *rec.subscribed.borrow(),
        [
            vec![
                "smarthome/+/lamps/#".to_owned(),
                "homeassistant/light/#".to_owned(),
                "homeassistant/device/+/config".to_owned(),
                "zigbee2mqtt/bridge/devices".to_owned(),
                "zigbee2mqtt/bridge/groups".to_owned(),
                "tasmota/discovery/+/config".to_owned(),
                "wled/+/status".to_owned(),
                "shellies/announce".to_owned(),
                "shellies/+/color/+/status".to_owned(),
                "shellies/+/white/+/status".to_owned(),
                "shellies/+/light/+/status".to_owned(),
                "+/status/+".to_owned(),
                "+/events/rpc".to_owned(),
                "+/online".to_owned(),
                "lampboard/rpc".to_owned(),
            ],
            vec![HALL.to_owned()],
        ],
        "wildcards first, then the known exact topic in its own SUBSCRIBE"
    );
    // Mosquitto delivers the retained state once per matching subscription: one shown.
    for _ in 0..2 {
        store.receive(message(HALL, br#"{"state":"ON"}"#, QoS::AtMostOnce, true));
    }
    assert_eq!(store.log_counts(), (1, 1));
    // A topic subscribed once only: a repeat is a real repeat.
    for _ in 0..2 {
        store.receive(message(
            KITCHEN,
            br#"{"state":"ON"}"#,
            QoS::AtMostOnce,
            true,
        ));
    }
    assert_eq!(store.log_counts(), (3, 3));
    store.clear_log();
    assert_eq!(store.log_counts(), (0, 0), "Clear resets the counter");
    drop(page);
}

#[wasm_bindgen_test]
async fn a_broker_that_withholds_retained_from_wildcards_is_named_with_what_to_do() {
    use lampboard::mqtt::packet::SubackReturnCode;
    use lampboard::mqtt::session::FilterResult;
    let page = mount();
    settle().await;
    let granted = |filters: &[&str]| Event::Subscribed {
        ticket: None,
        results: filters
            .iter()
            .map(|f| FilterResult {
                filter: (*f).to_owned(),
                result: SubackReturnCode::Success(QoS::AtMostOnce),
            })
            .collect(),
    };
    // RabbitMQ: the wildcard's SUBACK brings nothing; the exact topic's brings its state.
    session_event(&page, granted(&["smarthome/+/lamps/#"]));
    session_event(&page, granted(&[HALL]));
    page.receive(HALL, br#"{"state":"OFF"}"#, QoS::AtMostOnce, true);
    // The granted QoS shows on the filter's row.
    page.click("button.open-settings");
    settle().await;
    assert_eq!(
        page.text(".filter-granted"),
        "Subscribed: the broker granted QoS 0"
    );
    page.click("aside.drawer button.close");
    sleep(lampboard::store::retained::WITHHELD_WAIT_MS as u32 + 300).await;
    settle().await;
    let notice = page.text(".notice");
    assert!(
        notice.contains("No retained message came through smarthome/+/lamps/#"),
        "{notice}"
    );
    assert!(notice.contains("RabbitMQ"), "{notice}");
    assert!(
        notice.contains("add their exact topics as lamp filters"),
        "{notice}"
    );
}

#[wasm_bindgen_test]
async fn an_unreachable_broker_names_the_url_and_what_to_check() {
    let page = mount();
    settle().await;
    assert!(
        page.text(".path-hint").contains("/ws for RabbitMQ"),
        "the form's own hint, not only /mqtt"
    );
    let url = page
        .one("input[name=\"broker-url\"]")
        .unchecked_into::<HtmlInputElement>()
        .value();
    page.store
        .handle_client_event(ClientEvent::Status(ConnectionStatus::Retrying {
            in_secs: 2,
            why: lampboard::net::status::unreachable_text(&url),
        }));
    settle().await;
    let hint = page.text(".unreachable-hint");
    assert!(
        hint.contains(&format!("No WebSocket opened at {url}")),
        "{hint}"
    );
    assert!(
        hint.contains("/mqtt for EMQX") && hint.contains("/ws for RabbitMQ"),
        "not only /mqtt: {hint}"
    );
    assert!(!page.has(".path-hint"), "said once, in the advice");
}

// ---------- tiles and the lamp sheet (issue 15) ----------

fn sheet_dialog(page: &Page) -> web_sys::HtmlDialogElement {
    page.one("dialog.lamp-sheet").unchecked_into()
}

fn active() -> Option<Element> {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
}

fn key(el: &Element, kind: &str, key: &str, shift: bool) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
    ev.default_prevented()
}

fn pointer(el: &Element, kind: &str, x: f64, y: f64) {
    let init = web_sys::PointerEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_pointer_id(1);
    init.set_is_primary(true);
    init.set_client_x(x.round() as i32);
    init.set_client_y(y.round() as i32);
    init.set_button(0);
    let ev = web_sys::PointerEvent::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn a_tile_has_one_hit_area_that_toggles_and_another_that_opens_the_sheet() {
    let page = mount();
    seed(&page);
    settle().await;
    let hall = page.card(HALL);
    let open = within(&hall, "button.tile-open");
    assert_eq!(
        open.get_attribute("aria-label").as_deref(),
        Some("entry: colour, brightness and details")
    );
    assert_eq!(
        open.get_attribute("aria-haspopup").as_deref(),
        Some("dialog")
    );
    // The toggle publishes and opens nothing.
    page.click(&format!("article[data-lamp=\"{HALL}\"] button.tile-toggle"));
    settle().await;
    assert_eq!(page.rec.sent().len(), 1);
    assert!(!sheet_dialog(&page).open());
    // The open button opens and publishes nothing.
    page.rec.clear();
    open.unchecked_ref::<HtmlElement>().click();
    settle().await;
    assert!(sheet_dialog(&page).open());
    assert!(
        sheet_dialog(&page).matches(":modal").unwrap(),
        "the page behind is inert"
    );
    assert_eq!(page.rec.sent(), []);
    let sheet = page.sheet_el(HALL);
    assert_eq!(
        within(&sheet, "h2").text_content().as_deref(),
        Some("entry")
    );
    assert_eq!(
        within(&sheet, ".fact-topic").text_content().as_deref(),
        Some(HALL)
    );
    assert_eq!(
        within(&sheet, ".fact-system").text_content().as_deref(),
        Some("MQTT")
    );
    // Seeded straight into the store, nothing came from a broker yet.
    assert_eq!(
        within(&sheet, ".fact-last").text_content().as_deref(),
        Some("Nothing heard this visit")
    );
    // The last message as the broker sent it, byte for byte, updated while open.
    page.receive(HALL, br#"{"state":"ON", "x":1}"#, QoS::AtMostOnce, true);
    settle().await;
    assert_eq!(
        within(&page.sheet_el(HALL), ".fact-last")
            .text_content()
            .as_deref(),
        Some(r#"{"state":"ON", "x":1}"#)
    );
}

#[wasm_bindgen_test]
async fn the_sheet_takes_focus_keeps_tab_inside_closes_on_escape_and_gives_focus_back() {
    let page = mount();
    seed(&page);
    settle().await;
    let open = within(&page.card(KITCHEN), "button.tile-open");
    open.unchecked_ref::<HtmlElement>().focus().unwrap();
    open.unchecked_ref::<HtmlElement>().click();
    settle().await;
    let dialog = sheet_dialog(&page);
    assert!(dialog.open());
    let close = within(&dialog, ".sheet-close");
    assert_eq!(active().as_ref(), Some(&close), "focus starts on Close");
    // The first stop is the sheet's switch: Shift-Tab from it goes to the last stop, Tab
    // from the last back to the first.
    let switch = within(&dialog, "button.sheet-switch");
    switch.unchecked_ref::<HtmlElement>().focus().unwrap();
    assert!(
        key(&switch, "keydown", "Tab", true),
        "Shift-Tab from the first stop is kept inside"
    );
    let last = active().unwrap();
    assert!(dialog.contains(Some(&last)), "still in the sheet");
    assert_ne!(last, switch);
    assert!(key(&last, "keydown", "Tab", false));
    assert_eq!(
        active().as_ref(),
        Some(&switch),
        "Tab from the last stop wraps"
    );
    // A Tab in the middle is the browser's own.
    assert!(!key(&switch, "keydown", "Tab", false));
    close.unchecked_ref::<HtmlElement>().focus().unwrap();
    assert!(!key(&close, "keydown", "Tab", true));
    switch.unchecked_ref::<HtmlElement>().focus().unwrap();
    // Escape closes and focus goes back to the tile's open button.
    assert!(key(&switch, "keydown", "Escape", false));
    settle().await;
    assert!(!dialog.open());
    assert!(!page.has(".sheet-body"));
    assert_eq!(active().as_ref(), Some(&open), "focus restored");
}

#[wasm_bindgen_test]
async fn a_tap_on_the_colour_wheel_sends_the_colour_under_it() {
    use lampboard::lamp::wheel::hs_at;
    use_app_stylesheet();
    let page = mount();
    seed(&page);
    settle().await;
    let sheet = page.sheet(KITCHEN).await;
    let wheel = within(&sheet, ".color-wheel");
    let r = wheel.get_bounding_client_rect();
    assert!(
        r.width() >= 150.0,
        "a wheel a finger can use: {}",
        r.width()
    );
    // Half-way out to the right of the centre: hue 90°, saturation 50 %.
    let (cx, cy) = (r.left() + r.width() / 2.0, r.top() + r.height() / 2.0);
    let (x, y) = ((cx + r.width() / 4.0).round(), cy.round());
    pointer(&wheel, "pointerdown", x, y);
    pointer(&wheel, "pointerup", x, y);
    settle().await;
    let hs = hs_at(x - cx, y - cy, r.width() / 2.0);
    assert!(
        (hs.hue - 90.0).abs() < 1.0 && (hs.sat - 50.0).abs() < 1.5,
        "{hs:?}"
    );
    let c = hs.color();
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "one tap, one publish: {sent:?}");
    let doc = payload_json(&sent[0]);
    assert_eq!(
        [&doc["color"]["r"], &doc["color"]["g"], &doc["color"]["b"]],
        [c.r, c.g, c.b].map(|v| serde_json::json!(v)).each_ref(),
        "{doc}"
    );
    assert!(
        c.g == 255 && c.r > 150 && c.b > 100,
        "a pale chartreuse: {c:?}"
    );
    assert_eq!(doc["brightness"], 180, "the rest of the state is kept");
    // The handle moved to the new colour and the wheel says it in words.
    let text = wheel.get_attribute("aria-valuetext").unwrap_or_default();
    assert!(text.starts_with("Green, hue 90°"), "{text}");
}

#[wasm_bindgen_test]
async fn arrow_keys_on_the_colour_wheel_step_the_hue_and_saturation() {
    let page = mount();
    seed(&page);
    settle().await;
    let sheet = page.sheet(KITCHEN).await;
    let wheel = within(&sheet, ".color-wheel");
    assert_eq!(wheel.get_attribute("role").as_deref(), Some("slider"));
    assert_eq!(wheel.get_attribute("tabindex").as_deref(), Some("0"));
    // Kitchen is 255/140/40: hue 27.9°, saturation 84.3 %.
    assert!(key(&wheel, "keydown", "ArrowRight", false));
    key(&wheel, "keyup", "ArrowRight", false);
    settle().await;
    let expected = lampboard::lamp::wheel::Hs::new(
        lampboard::lamp::wheel::Hs::of(lampboard::lamp::Rgb {
            r: 255,
            g: 140,
            b: 40,
        })
        .hue + 5.0,
        lampboard::lamp::wheel::Hs::of(lampboard::lamp::Rgb {
            r: 255,
            g: 140,
            b: 40,
        })
        .sat,
    )
    .color();
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let doc = payload_json(&sent[0]);
    assert_eq!(doc["color"]["r"], expected.r);
    assert_eq!(doc["color"]["g"], expected.g);
    assert_eq!(doc["color"]["b"], expected.b);
    assert!(expected.g > 140, "turned toward yellow: {expected:?}");
    // Home goes to white at the centre.
    page.rec.clear();
    sleep(120).await;
    assert!(key(&wheel, "keydown", "Home", false));
    key(&wheel, "keyup", "Home", false);
    settle().await;
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        payload_json(&sent[0])["color"],
        serde_json::json!({"r": 255, "g": 255, "b": 255})
    );
    // Tab is left alone.
    assert!(!key(&wheel, "keydown", "Tab", false));
}

#[wasm_bindgen_test]
async fn the_colour_row_is_one_tab_stop_with_arrow_keys_and_marks_the_current_colour() {
    let page = mount();
    page.store.handle_message(
        KITCHEN,
        br#"{"state":"ON","brightness":180,"color":{"r":253,"g":50,"b":45}}"#,
        true,
    );
    settle().await;
    let sheet = page.sheet(KITCHEN).await;
    let row = within(&sheet, ".swatches");
    assert_eq!(row.get_attribute("role").as_deref(), Some("toolbar"));
    let stops: Vec<String> = page
        .all(".swatches button")
        .iter()
        .filter(|b| b.get_attribute("tabindex").as_deref() == Some("0"))
        .map(|b| b.get_attribute("aria-label").unwrap_or_default())
        .collect();
    assert_eq!(stops, ["Red"], "one tab stop, on the lamp's colour");
    let pressed: Vec<String> = page
        .all(".swatches button[aria-pressed=\"true\"]")
        .iter()
        .map(|b| b.get_attribute("aria-label").unwrap_or_default())
        .collect();
    assert_eq!(pressed, ["Red"], "the current colour is marked");
    let red = within(&row, "[aria-label=\"Red\"]");
    red.unchecked_ref::<HtmlElement>().focus().unwrap();
    assert!(key(&red, "keydown", "ArrowRight", false));
    settle().await;
    let orange = within(&row, "[aria-label=\"Orange\"]");
    assert_eq!(active().as_ref(), Some(&orange), "the arrow moved focus");
    assert_eq!(orange.get_attribute("tabindex").as_deref(), Some("0"));
    assert_eq!(red.get_attribute("tabindex").as_deref(), Some("-1"));
    assert!(page.rec.sent().is_empty(), "moving is not choosing");
    assert!(key(&orange, "keydown", "End", false));
    settle().await;
    assert_eq!(
        active()
            .and_then(|a| a.get_attribute("aria-label"))
            .as_deref(),
        Some("Pink")
    );
    orange.unchecked_ref::<HtmlElement>().click();
    settle().await;
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        payload_json(&sent[0])["color"],
        serde_json::json!({"r": 255, "g": 128, "b": 0})
    );
    let pressed: Vec<String> = page
        .all(".swatches button[aria-pressed=\"true\"]")
        .iter()
        .map(|b| b.get_attribute("aria-label").unwrap_or_default())
        .collect();
    assert_eq!(pressed, ["Orange"], "the mark follows the lamp");
}

#[wasm_bindgen_test]
async fn the_current_colour_can_be_made_a_favourite_that_survives_a_reload() {
    let page = mount();
    page.store.handle_message(
        KITCHEN,
        br#"{"state":"ON","color":{"r":10,"g":200,"b":150}}"#,
        true,
    );
    settle().await;
    let sheet = page.sheet(KITCHEN).await;
    assert!(!page.has(".swatches .favourite"));
    let add = within(&sheet, "button.add-favourite");
    assert!(add.text_content().unwrap().contains("Add to favourites"));
    add.unchecked_ref::<HtmlElement>().click();
    settle().await;
    let favourites = page.all(".swatches .favourite");
    assert_eq!(favourites.len(), 1);
    assert_eq!(
        favourites[0].get_attribute("aria-label").as_deref(),
        Some("Favourite #0AC896")
    );
    assert_eq!(
        favourites[0].get_attribute("aria-pressed").as_deref(),
        Some("true"),
        "the current colour, marked"
    );
    assert!(add
        .text_content()
        .unwrap()
        .contains("Remove from favourites"));
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(
        storage
            .get_item(lampboard::ui::FAVOURITES_KEY)
            .unwrap()
            .as_deref(),
        Some("0ac896")
    );

    // A new app (a reload) has it; a tap sends it.
    let store = Store::new(DirectorySettings::default());
    let again = {
        let host = {
            // fresh_host would clear localStorage: mount beside the old app instead.
            let document = web_sys::window().unwrap().document().unwrap();
            for old in page.all("dialog.lamp-sheet") {
                old.unchecked_into::<web_sys::HtmlDialogElement>().close();
            }
            page.host.remove();
            let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
            host.set_class_name("test-host");
            document.body().unwrap().append_child(&host).unwrap();
            host
        };
        let rec = Rc::new(Recorder::default());
        store.set_publisher(rec.clone());
        rec.clear();
        leptos::mount::mount_to(
            host.clone(),
            move || view! { <App manual=true store=store /> },
        )
        .forget();
        Page { host, store, rec }
    };
    again.store.handle_message(
        KITCHEN,
        br#"{"state":"ON","color":{"r":255,"g":0,"b":0}}"#,
        true,
    );
    settle().await;
    let sheet = again.sheet(KITCHEN).await;
    let favourite = within(&sheet, ".swatches .favourite");
    assert_eq!(
        favourite.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    favourite.unchecked_ref::<HtmlElement>().click();
    settle().await;
    let sent = again.rec.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        payload_json(&sent[0])["color"],
        serde_json::json!({"r": 10, "g": 200, "b": 150})
    );
}

#[wasm_bindgen_test]
async fn the_white_presets_send_warm_neutral_and_cool_within_the_lamps_range() {
    let page = mount();
    page.store.handle_message(
        "homeassistant/light/desk/config",
        br#"{"schema":"json","name":"Desk","command_topic":"desk/set","state_topic":"desk/state","brightness":true,"supported_color_modes":["color_temp"],"min_mireds":200,"max_mireds":400}"#,
        true,
    );
    page.store.handle_message(
        "desk/state",
        br#"{"state":"ON","color_temp":370,"color_mode":"color_temp"}"#,
        true,
    );
    settle().await;
    let sheet = page.sheet("homeassistant/light/desk/config").await;
    let pressed = |name: &str| {
        within(
            &page.sheet_el("homeassistant/light/desk/config"),
            &format!("button.white-preset[data-white=\"{name}\"]"),
        )
        .get_attribute("aria-pressed")
    };
    assert_eq!(
        pressed("warm").as_deref(),
        Some("true"),
        "370 mireds is warm"
    );
    assert_eq!(pressed("cool").as_deref(), Some("false"));
    within(&sheet, "button.white-preset[data-white=\"cool\"]")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    let sent = page.rec.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].topic, "desk/set");
    // 6500 K is 153 mireds, below this lamp's 200: its coolest is sent.
    assert_eq!(payload_json(&sent[0])["color_temp"], 200);
    assert_eq!(pressed("cool").as_deref(), Some("true"));
}
