//! Household sync in a real browser (issue 16, item 4), with a recording publisher: the
//! drawer's field turns it on (subscribe) and off (unsubscribe, local copy kept); a copy
//! received from another device merges into the dashboard; an edit publishes the merged
//! copy retained at QoS 1; a hostile copy is refused with a word and the page works on; a
//! refused subscription and a write the broker did not keep are said in words.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lampboard::arrange::sync::decode;
use lampboard::lamp::DirectorySettings;
use lampboard::mqtt::packet::{QoS, SubackReturnCode};
use lampboard::mqtt::session::{Event, FilterResult, Message, PublishTicket};
use lampboard::net::client::ClientEvent;
use lampboard::store::{Publisher, Store};
use lampboard::ui::App;
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
use frames::{settle, sleep};
use host::fresh_host;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const TOPIC: &str = "lampboard/arrangement";
const K5: &str = "smarthome/kitchen/lamps/lamp-5";
const K10: &str = "smarthome/kitchen/lamps/lamp-10";

/// One publish as the store asked for it.
struct Sent {
    topic: String,
    payload: Vec<u8>,
    qos: QoS,
    retain: bool,
    ticket: PublishTicket,
}

#[derive(Default)]
struct Recorder {
    sent: RefCell<Vec<Sent>>,
    subscribed: RefCell<Vec<String>>,
    unsubscribed: RefCell<Vec<String>>,
    next: Cell<u64>,
}

impl Publisher for Recorder {
    fn publish(
        &self,
        topic: &str,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, String> {
        self.next.set(self.next.get() + 1);
        let ticket = PublishTicket(self.next.get());
        self.sent.borrow_mut().push(Sent {
            topic: topic.to_owned(),
            payload,
            qos,
            retain,
            ticket,
        });
        Ok(ticket)
    }
    fn subscribe(&self, filters: &[String], _: QoS) -> Result<(), String> {
        self.subscribed.borrow_mut().extend(filters.iter().cloned());
        Ok(())
    }
    fn unsubscribe(&self, filters: &[String]) -> Result<(), String> {
        self.unsubscribed
            .borrow_mut()
            .extend(filters.iter().cloned());
        Ok(())
    }
}

impl Recorder {
    /// The publishes on the sync topic so far.
    fn copies(&self) -> Vec<(Vec<u8>, QoS, bool, PublishTicket)> {
        self.sent
            .borrow()
            .iter()
            .filter(|s| s.topic == TOPIC)
            .map(|s| (s.payload.clone(), s.qos, s.retain, s.ticket))
            .collect()
    }
}

struct Page {
    host: HtmlElement,
    store: Store,
    rec: Rc<Recorder>,
}

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

async fn until(what: &str, ms: u32, cond: impl Fn() -> bool) {
    for _ in 0..ms / 20 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out after {ms} ms waiting for: {what}");
}

fn fire(el: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

impl Page {
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
    fn click(&self, selector: &str) {
        self.one(selector).unchecked_into::<HtmlElement>().click();
    }
    fn tile_name(&self, id: &str) -> String {
        self.text(&format!(
            "section.room article.lamp-card[data-lamp=\"{id}\"] .tile-name"
        ))
    }
    fn sync_status(&self) -> String {
        self.text(".household-sync .sync-status")
    }
    fn house(&self) {
        self.store
            .handle_message(K10, br#"{"state":"ON","brightness":100}"#, true);
        self.store
            .handle_message(K5, br#"{"state":"ON","brightness":200}"#, true);
    }
    /// Ticks or unticks "Household sync" in the settings drawer (opened if needed) and saves.
    async fn set_sync(&self, on: bool) {
        if !self.has("aside.drawer") {
            self.click("button.open-settings");
            settle().await;
        }
        let check: HtmlInputElement = self.one("input[name=sync_enabled]").unchecked_into();
        check.set_checked(on);
        fire(&check, "change");
        settle().await;
        self.click("aside.drawer button.save");
        settle().await;
    }
    fn suback(&self, granted: bool) {
        self.store
            .handle_client_event(ClientEvent::Session(Event::Subscribed {
                ticket: None,
                results: vec![FilterResult {
                    filter: TOPIC.to_owned(),
                    result: if granted {
                        SubackReturnCode::Success(QoS::AtLeastOnce)
                    } else {
                        SubackReturnCode::Failure
                    },
                }],
            }));
    }
    fn receive(&self, topic: &str, payload: &[u8]) {
        self.store
            .handle_client_event(ClientEvent::Session(Event::Message(Message {
                topic: topic.into(),
                payload: payload.to_vec(),
                qos: QoS::AtLeastOnce,
                retain: true,
                dup: false,
            })));
    }
    fn delivered(&self, ticket: PublishTicket) {
        self.store
            .handle_client_event(ClientEvent::Session(Event::Delivered(ticket)));
    }
    /// Renames a lamp through its sheet, as a person does.
    async fn rename(&self, id: &str, name: &str) {
        self.click(&format!(
            "section.room article.lamp-card[data-lamp=\"{id}\"] button.tile-open"
        ));
        let sheet = format!("dialog.lamp-sheet .sheet-body[data-lamp=\"{id}\"]");
        until("the Arrange controls", 2_000, || {
            self.has(&format!("{sheet} .lamp-arrange"))
        })
        .await;
        let input = self.one(&format!("{sheet} input.arrange-name"));
        js_sys::Reflect::set(&input, &"value".into(), &name.into()).unwrap();
        fire(&input, "input");
        let form: web_sys::HtmlFormElement = self
            .one(&format!("{sheet} form.arrange-row"))
            .unchecked_into();
        form.request_submit().unwrap();
        settle().await;
        if let Ok(Some(close)) = self.host.query_selector("dialog.lamp-sheet .sheet-close") {
            close.unchecked_into::<HtmlElement>().click();
            settle().await;
        }
    }
}

/// Another device's household copy: lamp-10 renamed, a scene.
fn their_copy() -> Vec<u8> {
    json!({
        "lampboard_sync": 1,
        "arrangement": {
            "lampboard_arrangement": 1,
            "lamps": {K10: {"name": "Big lamp", "updated_at": 1_000.0}},
            "scenes": {"scene-1": {
                "name": "Dinner",
                "items": [{"lamp": K10, "target": {"on": true, "brightness": 30}}],
                "updated_at": 1_000.0
            }}
        }
    })
    .to_string()
    .into_bytes()
}

#[wasm_bindgen_test]
async fn a_received_copy_merges_and_an_edit_publishes_the_merged_copy_retained() {
    let page = mount();
    page.house();
    settle().await;
    assert!(
        page.rec.subscribed.borrow().iter().all(|f| f != TOPIC),
        "off by default"
    );
    page.set_sync(true).await;
    assert_eq!(
        page.rec
            .subscribed
            .borrow()
            .iter()
            .filter(|f| *f == TOPIC)
            .count(),
        1,
        "ticking it subscribes the topic"
    );
    assert_eq!(page.sync_status(), "Reading the household copy…");
    page.suback(true);
    page.receive(TOPIC, &their_copy());
    settle().await;
    assert_eq!(
        page.tile_name(K10),
        "Big lamp",
        "the other device's name shows here"
    );
    assert_eq!(page.text("button.scene-button"), "Dinner");
    until("synced", 3_000, || page.sync_status() == "Synced just now").await;
    sleep(1_000).await;
    assert!(
        page.rec.copies().is_empty(),
        "nothing to add: nothing published"
    );

    // An edit here: published (debounced) as the merged copy, retained, QoS 1.
    page.rename(K5, "Hob").await;
    assert!(page.rec.copies().is_empty(), "not before the debounce");
    until("the copy is published", 3_000, || {
        page.rec.copies().len() == 1
    })
    .await;
    let (payload, qos, retain, ticket) = page.rec.copies().remove(0);
    assert_eq!(qos, QoS::AtLeastOnce);
    assert!(retain, "the household copy is retained");
    let doc: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(doc["lampboard_sync"], 1);
    assert_eq!(doc["arrangement"]["lamps"][K5]["name"], "Hob");
    assert_eq!(
        doc["arrangement"]["lamps"][K10]["name"], "Big lamp",
        "merged, not mine alone"
    );
    assert_eq!(doc["arrangement"]["scenes"]["scene-1"]["name"], "Dinner");
    assert_eq!(page.sync_status(), "Sharing this device's changes…");
    // The broker took it and sent it back: synced.
    page.delivered(ticket);
    page.receive(TOPIC, &payload);
    until("synced again", 2_000, || {
        page.sync_status() == "Synced just now"
    })
    .await;
    sleep(1_500).await;
    assert_eq!(page.rec.copies().len(), 1, "its own echo is not answered");
    // The store kept it as the profile's arrangement (a reload shows it).
    assert_eq!(page.tile_name(K5), "Hob");
}

#[wasm_bindgen_test]
async fn a_hostile_copy_is_refused_with_a_word_and_the_page_works_on() {
    let page = mount();
    page.house();
    settle().await;
    page.set_sync(true).await;
    page.suback(true);
    page.receive(TOPIC, br#"{"lampboard_sync":1,"arrangement":["x"]}"#);
    settle().await;
    assert_eq!(
        page.text(".notice span"),
        "Refused the household copy on lampboard/arrangement: its arrangement is not a JSON object"
    );
    assert!(page
        .sync_status()
        .starts_with("Refused the household copy on lampboard/arrangement"));
    page.receive(TOPIC, &[0xff, 0x00, 0x13, 0x37]);
    page.receive(TOPIC, br#"{"lampboard_sync":99,"arrangement":{}}"#);
    settle().await;
    assert!(
        page.text(".notice span")
            .contains("newer Lampboard (sync format 99)"),
        "{}",
        page.text(".notice span")
    );
    assert_eq!(page.tile_name(K5), "lamp-5", "nothing changed");
    assert_eq!(page.tile_name(K10), "lamp-10");
    // A copy with one damaged item: the rest is taken, the item named.
    let bad = "bad\u{7}name";
    let mixed = json!({"lampboard_sync": 1, "arrangement": {"lamps": {
        K10: {"name": "Big lamp", "updated_at": 5.0},
        K5: {"name": bad, "updated_at": 5.0}
    }}});
    page.receive(TOPIC, mixed.to_string().as_bytes());
    settle().await;
    assert_eq!(page.tile_name(K10), "Big lamp");
    assert_eq!(page.tile_name(K5), "lamp-5");
    assert!(
        page.sync_status()
            .contains(&format!("Lamp “{K5}”: its name")),
        "{}",
        page.sync_status()
    );
    // The page still works: a tap toggles a lamp.
    page.rec.sent.borrow_mut().clear();
    page.click(&format!(
        "section.room article.lamp-card[data-lamp=\"{K5}\"] button.tile-toggle"
    ));
    settle().await;
    assert!(
        page.rec
            .sent
            .borrow()
            .iter()
            .any(|s| s.topic.starts_with(K5)),
        "the toggle was sent"
    );
    // Nothing newer is written over: no copy was published while the newer one was there,
    // and after the mixed one this device had nothing the broker lacked but the bad item.
    for (payload, ..) in page.rec.copies() {
        assert!(decode(&payload).is_ok());
    }
}

#[wasm_bindgen_test]
async fn a_refused_subscription_and_a_write_the_broker_did_not_keep_are_said() {
    let page = mount();
    page.house();
    settle().await;
    page.set_sync(true).await;
    page.suback(false);
    settle().await;
    assert_eq!(
        page.sync_status(),
        "Refused by the broker: it refused reading lampboard/arrangement, so this device cannot see the household copy (an ACL may forbid this login to read it)"
    );
    assert!(page.has(".household-sync .sync-status.is-problem"));

    // Readable, but the write is dropped (Mosquitto acknowledges an ACL-refused publish).
    page.suback(true);
    page.rename(K5, "Hob").await;
    until("the copy is published", 4_000, || {
        page.rec.copies().len() == 1
    })
    .await;
    let (_, _, _, ticket) = page.rec.copies().remove(0);
    page.delivered(ticket);
    settle().await;
    assert_eq!(page.sync_status(), "Sharing this device's changes…");
    until("the missing echo is reported", 8_000, || {
        page.sync_status()
            .starts_with("Refused by the broker: it did not keep")
    })
    .await;
    assert_eq!(
        page.sync_status(),
        "Refused by the broker: it did not keep the household copy on lampboard/arrangement (it took the message but never sent it back within 5 s); an ACL probably forbids this login to write there"
    );
    assert_eq!(page.rec.copies().len(), 1, "not sent again and again");
}

#[wasm_bindgen_test]
async fn turning_sync_off_unsubscribes_and_keeps_the_local_copy() {
    let page = mount();
    page.house();
    settle().await;
    page.set_sync(true).await;
    page.suback(true);
    page.receive(TOPIC, &their_copy());
    settle().await;
    assert_eq!(page.tile_name(K10), "Big lamp");
    page.set_sync(false).await;
    assert_eq!(*page.rec.unsubscribed.borrow(), [TOPIC.to_owned()]);
    assert_eq!(
        page.sync_status(),
        "Off: this device's arrangement stays on this device"
    );
    assert_eq!(page.tile_name(K10), "Big lamp", "the local copy stays");
    page.rename(K5, "Hob").await;
    sleep(1_500).await;
    assert!(page.rec.copies().is_empty(), "nothing is shared any more");
    // A copy arriving late on the old subscription is not taken.
    page.receive(
        TOPIC,
        json!({"lampboard_sync": 1, "arrangement": {"lamps": {K5: {"name": "Theirs", "updated_at": 9e12}}}})
            .to_string()
            .as_bytes(),
    );
    settle().await;
    assert_eq!(page.tile_name(K5), "Hob");
}
