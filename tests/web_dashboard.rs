//! The dashboard in a real browser: the whole app mounted with a store whose
//! publisher records what it is asked to send. Messages go in through the
//! store (as the MQTT client would hand them over), clicks and drags go in as
//! DOM events, and the tests assert the DOM and the exact publishes.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lampboard::lamp::DirectorySettings;
use lampboard::mqtt::packet::QoS;
use lampboard::mqtt::session::{Event, Message, PublishTicket};
use lampboard::net::client::ClientEvent;
use lampboard::net::status::ConnectionStatus;
use lampboard::store::settings::SettingsFile;
use lampboard::store::{Publisher, Store};
use lampboard::ui::{nearby, App};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
use frames::{settle, sleep};
use host::fresh_host;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

// ---------- a publisher that records ----------

/// One publish the store asked for.
#[derive(Debug, Clone, PartialEq)]
struct Sent {
    topic: String,
    payload: String,
    qos: QoS,
    retain: bool,
}

#[derive(Default)]
struct Recorder {
    sent: RefCell<Vec<(PublishTicket, Sent)>>,
    subscribed: RefCell<Vec<Vec<String>>>,
    unsubscribed: RefCell<Vec<Vec<String>>>,
    fail_with: RefCell<Option<String>>,
    next: Cell<u64>,
}

impl Recorder {
    fn sent(&self) -> Vec<Sent> {
        self.sent.borrow().iter().map(|(_, s)| s.clone()).collect()
    }
    fn last_ticket(&self) -> PublishTicket {
        self.sent
            .borrow()
            .last()
            .expect("something was published")
            .0
    }
    fn clear(&self) {
        self.sent.borrow_mut().clear();
    }
}

impl Publisher for Recorder {
    fn publish(
        &self,
        topic: &str,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, String> {
        if let Some(why) = self.fail_with.borrow().clone() {
            return Err(why);
        }
        self.next.set(self.next.get() + 1);
        let ticket = PublishTicket(self.next.get());
        self.sent.borrow_mut().push((
            ticket,
            Sent {
                topic: topic.to_owned(),
                payload: String::from_utf8(payload).expect("utf-8 payload"),
                qos,
                retain,
            },
        ));
        Ok(ticket)
    }
    fn subscribe(&self, filters: &[String], qos: QoS) -> Result<(), String> {
        // Lamp states are retained snapshots: QoS 0 subscriptions get every retained
        // message from every broker (rumqttd caps retained delivery at QoS 1 to 100).
        assert_eq!(qos, QoS::AtMostOnce, "lamp subscriptions are QoS 0");
        self.subscribed.borrow_mut().push(filters.to_vec());
        Ok(())
    }
    fn unsubscribe(&self, filters: &[String]) -> Result<(), String> {
        self.unsubscribed.borrow_mut().push(filters.to_vec());
        Ok(())
    }
}

fn sent(topic: &str, payload: &str, qos: QoS, retain: bool) -> Sent {
    Sent {
        topic: topic.into(),
        payload: payload.into(),
        qos,
        retain,
    }
}

// ---------- mounting and waiting ----------

struct Page {
    host: HtmlElement,
    store: Store,
    rec: Rc<Recorder>,
}

/// The whole app, not connecting anywhere, with a recording publisher and
/// clean localStorage (settings tests save profiles), at the top of the page.
fn mount() -> Page {
    let host = fresh_host();
    let store = Store::new(DirectorySettings::default());
    let rec = Rc::new(Recorder::default());
    store.set_publisher(rec.clone());
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <App manual=true store=store /> },
    )
    .forget();
    Page { host, store, rec }
}

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
    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.host.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.unchecked_into())
            .collect()
    }
    fn one(&self, selector: &str) -> Element {
        self.host
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no element matches {selector}"))
    }
    fn has(&self, selector: &str) -> bool {
        self.host.query_selector(selector).unwrap().is_some()
    }
    fn text(&self, selector: &str) -> String {
        self.one(selector).text_content().unwrap_or_default()
    }
    fn card(&self, id: &str) -> Element {
        self.one(&format!("article.lamp-card[data-lamp=\"{id}\"]"))
    }
    /// The card once its controls are built (they are, a frame or two after it comes near
    /// the viewport; every card of these small pages is).
    async fn card_with_controls(&self, id: &str) -> Element {
        until(&format!("the controls of {id}"), || {
            self.card(id).query_selector(".control").unwrap().is_some()
        })
        .await;
        self.card(id)
    }
    fn click(&self, selector: &str) {
        self.one(selector).unchecked_into::<HtmlElement>().click();
    }
    /// Sets an input's value and fires `input` (what a keystroke or a drag step does).
    fn type_into(&self, selector: &str, value: &str) {
        let el = self.one(selector);
        set_value(&el, value);
        fire(&el, "input");
    }
    /// Feeds a message as the MQTT client would.
    fn receive(&self, topic: &str, payload: &[u8], qos: QoS, retain: bool) {
        self.store.receive(Message {
            topic: topic.into(),
            payload: payload.to_vec(),
            qos,
            retain,
            dup: false,
        });
    }
}

fn set_value(el: &Element, value: &str) {
    js_sys::Reflect::set(el, &"value".into(), &value.into()).unwrap();
}

fn fire(el: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

fn within(el: &Element, selector: &str) -> Element {
    el.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in the element"))
}

const KITCHEN: &str = "smarthome/kitchen/lamps/counter";
const HALL: &str = "smarthome/hall/lamps/entry";
const BEDROOM: &str = "smarthome/bedroom/lamps/reading";

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
async fn cards_appear_by_room_with_name_state_and_glow() {
    let page = mount();
    seed(&page);
    settle().await;
    assert_eq!(page.all("article.lamp-card").len(), 3);
    let rooms: Vec<String> = page
        .all("section.room h2")
        .iter()
        .map(|h| h.text_content().unwrap())
        .collect();
    assert_eq!(rooms, ["bedroom", "hall", "kitchen"]);
    let kitchen = page.card(KITCHEN);
    assert_eq!(within(&kitchen, "h3").text_content().unwrap(), "counter");
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
    let page = mount();
    seed(&page);
    settle().await;
    page.click(&format!("article[data-lamp=\"{HALL}\"] button.switch"));
    settle().await;
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
    let page = mount();
    seed(&page);
    settle().await;
    let slider = within(&page.card_with_controls(BEDROOM).await, "input.brightness");
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
    let page = mount();
    seed(&page);
    settle().await;
    let kitchen = page.card_with_controls(KITCHEN).await;
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
    within(&page.card(KITCHEN), "button.preset[aria-label=\"Red\"]")
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
    // The app's real stylesheet, which the other tests do without.
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../style/main.css")));
    document.head().unwrap().append_child(&style).unwrap();
    let page = mount();
    seed(&page);
    settle().await;
    page.card_with_controls(KITCHEN).await;
    let swatches = page.all(&format!(
        "article.lamp-card[data-lamp=\"{KITCHEN}\"] button.preset"
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
    let page = mount();
    seed(&page);
    settle().await;
    *page.rec.fail_with.borrow_mut() = Some("the offline queue is full".into());
    page.click(&format!("article[data-lamp=\"{HALL}\"] button.switch"));
    settle().await;
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
    let page = mount();
    seed(&page);
    settle().await;
    page.store.handle_message(KITCHEN, b"not json {", true);
    settle().await;
    let kitchen = page.card(KITCHEN);
    let marker = within(&kitchen, "details.unreadable");
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

#[wasm_bindgen_test]
async fn cards_far_below_the_screen_build_their_controls_once_scrolled_near() {
    let page = mount();
    let before = nearby::waiting();
    // 80 lamps in one room: far more than a screen and the screen of margin below it.
    let topic = |i: usize| format!("smarthome/attic/lamps/l{i:02}");
    for i in 0..80 {
        page.store
            .handle_message(&topic(i), br#"{"state":"ON","brightness":100}"#, true);
    }
    settle().await;
    page.card_with_controls(&topic(0)).await;
    for _ in 0..3 {
        settle().await;
    }
    let last = page.card(&topic(79));
    assert!(
        last.query_selector(".control").unwrap().is_none(),
        "a card far below the screen waits for its controls"
    );
    assert_eq!(
        within(&last, "button.switch")
            .get_attribute("aria-checked")
            .as_deref(),
        Some("true"),
        "its header (name, age, switch) is there at once"
    );
    let waiting = nearby::waiting();
    assert!(waiting > before, "far cards are watched");

    last.scroll_into_view();
    let last = page.card_with_controls(&topic(79)).await;
    assert_eq!(within(&last, "output").text_content().unwrap(), "39 %");
    assert!(
        nearby::waiting() < waiting,
        "a card near the screen is no longer watched"
    );

    // Lamps removed (their retained states cleared): their cards are forgotten too.
    for i in 0..80 {
        page.store.handle_message(&topic(i), b"", true);
    }
    settle().await;
    assert!(page.all("article.lamp-card").is_empty());
    assert_eq!(nearby::waiting(), before, "removed cards are not watched");
}

#[wasm_bindgen_test]
async fn a_change_by_another_client_updates_the_card_without_publishing() {
    let page = mount();
    seed(&page);
    settle().await;
    page.store
        .handle_message(KITCHEN, br#"{"state":"OFF","brightness":10}"#, false);
    settle().await;
    let kitchen = page.card_with_controls(KITCHEN).await;
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
    let page = mount();
    seed(&page);
    settle().await;
    page.click("button.open-settings");
    settle().await;
    let select = page.one("select[name=\"publish_qos\"]");
    set_value(&select, "2");
    fire(&select, "change");
    page.click("button.save");
    settle().await;
    page.click("aside.drawer button.close");
    settle().await;
    page.click(&format!("article[data-lamp=\"{HALL}\"] button.switch"));
    settle().await;
    assert_eq!(
        page.rec.sent(),
        [sent(HALL, r#"{"state":"ON"}"#, QoS::ExactlyOnce, true)]
    );
}

/// Catches the export's download click and returns the file's text.
async fn capture_export(page: &Page) -> (String, String) {
    let caught: Rc<RefCell<Option<(String, String)>>> = Rc::default();
    let c = caught.clone();
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        if let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            if !a.download().is_empty() {
                ev.prevent_default();
                *c.borrow_mut() = Some((a.href(), a.download()));
            }
        }
    });
    let document = web_sys::window().unwrap().document().unwrap();
    document
        .add_event_listener_with_callback_and_bool("click", listener.as_ref().unchecked_ref(), true)
        .unwrap();
    page.click("button.export");
    document
        .remove_event_listener_with_callback_and_bool(
            "click",
            listener.as_ref().unchecked_ref(),
            true,
        )
        .unwrap();
    let (href, name) = caught
        .borrow_mut()
        .take()
        .expect("the export clicked a download link");
    assert!(href.starts_with("blob:"), "{href}");
    let response: web_sys::Response =
        JsFuture::from(web_sys::window().unwrap().fetch_with_str(&href))
            .await
            .unwrap()
            .unchecked_into();
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    (name, text.as_string().unwrap())
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

    let (name, text) = capture_export(&page).await;
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
    let saved = storage
        .get_item(lampboard::store::snapshot::SNAPSHOT_KEY)
        .unwrap()
        .expect("a snapshot was written");
    assert!(saved.contains("smarthome/hall/lamps/ceiling"), "{saved}");
    assert!(
        !saved.contains("lampboard/other"),
        "only lamp topics: {saved}"
    );

    // The next start shows it before any broker answers, greyed and marked.
    let store = Store::new(DirectorySettings::default());
    store.restore_snapshot();
    let id = lampboard::lamp::LampId("smarthome/hall/lamps/ceiling".into());
    let lamp = store.lamp(&id).expect("the lamp is back");
    assert!(lamp.with_untracked(|v| v.stale && v.shown.on == Some(true)));
    // Heard live, even saying the same: no longer stale.
    store.receive(Message {
        topic: id.0.clone(),
        payload: br#"{"state":"ON","brightness":128}"#.to_vec(),
        qos: QoS::AtMostOnce,
        retain: true,
        dup: false,
    });
    assert!(lamp.with_untracked(|v| !v.stale));
    drop(page);
}

// ---------- card states: unknown, unavailable, only the controls a lamp has, effects ----------

/// The whole app around a store made by the test (one restored from a snapshot, say).
fn mount_store(store: Store) -> Page {
    let host = fresh_host();
    let rec = Rc::new(Recorder::default());
    store.set_publisher(rec.clone());
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <App manual=true store=store /> },
    )
    .forget();
    Page { host, store, rec }
}

fn payload_json(s: &Sent) -> serde_json::Value {
    serde_json::from_str(&s.payload).unwrap_or_else(|_| panic!("JSON payload: {}", s.payload))
}

/// Waits until the card's controls section exists (built once the card is near the screen),
/// whatever controls it holds: a switch-only lamp has none.
async fn card_built(page: &Page, id: &str) -> Element {
    until(&format!("the controls section of {id}"), || {
        page.card(id)
            .query_selector(".lamp-controls")
            .unwrap()
            .is_some()
    })
    .await;
    page.card(id)
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
        within(&card, ".lamp-condition").text_content().as_deref(),
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
    let dimmer = page.card_with_controls(DIMMER_CONFIG).await;
    assert!(dimmer.class_list().contains("is-unknown"));
    assert_eq!(
        within(&dimmer, ".control-label output")
            .text_content()
            .as_deref(),
        Some("unknown")
    );
    assert!(within(&dimmer, "input.brightness").has_attribute("data-unknown"));

    page.click(&format!("article[data-lamp=\"{spot}\"] button.switch"));
    settle().await;
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
    let dimmer = page.card(DIMMER_CONFIG);
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
    let card = page.card_with_controls(PORCH_CONFIG).await;
    assert!(!card.class_list().contains("is-unavailable"));
    assert!(card.class_list().contains("is-on"));

    page.store
        .handle_message("porch/availability", b"offline", true);
    settle().await;
    let card = page.card(PORCH_CONFIG);
    assert!(card.class_list().contains("is-unavailable"));
    assert!(
        card.class_list().contains("is-on"),
        "its last state is kept"
    );
    assert_eq!(
        within(&card, ".lamp-condition").text_content().as_deref(),
        Some(lampboard::store::view::UNAVAILABLE_OFFLINE)
    );
    let disabled = |sel: &str| {
        js_sys::Reflect::get(&within(&page.card(PORCH_CONFIG), sel), &"disabled".into())
            .unwrap()
            .as_bool()
            .unwrap_or(false)
    };
    assert!(disabled("button.switch"));
    assert!(disabled("fieldset.lamp-controls"));
    assert!(
        within(&card, "input.brightness")
            .unchecked_into::<HtmlInputElement>()
            .matches(":disabled")
            .unwrap(),
        "the slider is disabled with its fieldset"
    );
    page.click(&format!(
        "article[data-lamp=\"{PORCH_CONFIG}\"] button.switch"
    ));
    page.click("section.room button.chip"); // "All on" for the room
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
    let card = page.card(PORCH_CONFIG);
    assert!(!card.class_list().contains("is-unavailable"));
    assert_eq!(
        within(&card, ".lamp-condition").text_content().as_deref(),
        Some("")
    );
    assert!(!disabled("button.switch") && !disabled("fieldset.lamp-controls"));
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
    let card = card_built(&page, lamp).await;
    for absent in [
        "input[type=range]",
        "input.color-input",
        ".presets",
        "select",
    ] {
        assert!(
            card.query_selector(absent).unwrap().is_none(),
            "{absent} on an on/off-only lamp"
        );
    }
    page.store
        .handle_message(lamp, br#"{"state":"ON","brightness":100}"#, true);
    settle().await;
    let card = page.card(lamp);
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
    let strip = card_built(&page, "homeassistant/light/strip/config").await;
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

    let candle = card_built(&page, seed_lamp).await;
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
    let plain = card_built(&page, "smarthome/den/lamps/plain").await;
    assert!(plain.query_selector("select").unwrap().is_none());
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
    let host = fresh_host(); // clears localStorage before the snapshot is laid
    drop(host);
    let mut snapshot = lampboard::store::snapshot::Snapshot::new();
    snapshot.record(gone, br#"{"state":"ON"}"#);
    snapshot.record(live, br#"{"state":"OFF"}"#);
    storage
        .set_item(
            lampboard::store::snapshot::SNAPSHOT_KEY,
            &snapshot.to_json(),
        )
        .unwrap();
    let store = Store::new(DirectorySettings::default());
    store.restore_snapshot();
    let page = mount_store(store);
    storage
        .set_item(
            lampboard::store::snapshot::SNAPSHOT_KEY,
            &snapshot.to_json(),
        )
        .unwrap();
    settle().await;
    assert!(
        !page.has(".lamp-forget"),
        "offline, every lamp is from the last visit"
    );

    page.store
        .handle_client_event(ClientEvent::Status(ConnectionStatus::Connected));
    page.receive(live, br#"{"state":"OFF"}"#, QoS::AtMostOnce, true);
    settle().await;
    assert_eq!(
        page.all(".lamp-forget").len(),
        1,
        "only the lamp nothing spoke for"
    );
    let card = page.card(gone);
    within(&card, "button.forget")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert!(page
        .card(gone)
        .text_content()
        .unwrap_or_default()
        .contains("Remove this lamp?"));
    within(&page.card(gone), "button.forget-yes")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert!(
        !page.has(&format!("article[data-lamp=\"{gone}\"]")),
        "gone from the dashboard"
    );
    assert!(page.has(&format!("article[data-lamp=\"{live}\"]")));
    let saved = storage
        .get_item(lampboard::store::snapshot::SNAPSHOT_KEY)
        .unwrap()
        .unwrap_or_default();
    assert!(!saved.contains(gone), "gone from the snapshot: {saved}");
    assert!(saved.contains(live), "{saved}");
    // The next start does not bring it back.
    let next = Store::new(DirectorySettings::default());
    next.restore_snapshot();
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
    let page = mount();
    seed(&page);
    settle().await;
    page.click(&format!("article[data-lamp=\"{HALL}\"] button.switch"));
    settle().await;
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
    page.click(&format!("article[data-lamp=\"{KITCHEN}\"] button.switch"));
    settle().await;
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
    let page = mount();
    seed(&page);
    settle().await;
    page.click(&format!("article[data-lamp=\"{HALL}\"] button.switch"));
    settle().await;
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
    let page = mount();
    seed(&page);
    settle().await;
    page.click(&format!("article[data-lamp=\"{HALL}\"] button.switch"));
    settle().await;
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
    page.click(&format!("article[data-lamp=\"{KITCHEN}\"] button.switch"));
    settle().await;
    let new_ticket = fresh.last_ticket();
    assert_eq!(new_ticket, old_ticket);
    session_event(&page, Event::Delivered(new_ticket));
    settle().await;
    assert_eq!(mark_of(&page, KITCHEN).0, "delivered");
    assert_eq!(mark_of(&page, HALL).0, "failed");
}

#[wasm_bindgen_test]
async fn known_topics_are_subscribed_exactly_after_the_wildcards_and_copies_show_once() {
    use lampboard::store::snapshot::{Snapshot, SNAPSHOT_KEY};
    let page = mount();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let mut snapshot = Snapshot::new();
    snapshot.record(HALL, br#"{"state":"OFF"}"#);
    storage.set_item(SNAPSHOT_KEY, &snapshot.to_json()).unwrap();
    let store = Store::new(DirectorySettings::default());
    store.restore_snapshot();
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
            ],
            vec![HALL.to_owned()],
        ],
        "wildcards first, then the known exact topic in its own SUBSCRIBE"
    );
    // Mosquitto delivers the retained state once per matching subscription: one shown.
    for _ in 0..2 {
        store.receive(Message {
            topic: HALL.into(),
            payload: br#"{"state":"ON"}"#.to_vec(),
            qos: QoS::AtMostOnce,
            retain: true,
            dup: false,
        });
    }
    assert_eq!(store.log_counts(), (1, 1));
    // A topic subscribed once only: a repeat is a real repeat.
    for _ in 0..2 {
        store.receive(Message {
            topic: KITCHEN.into(),
            payload: br#"{"state":"ON"}"#.to_vec(),
            qos: QoS::AtMostOnce,
            retain: true,
            dup: false,
        });
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
