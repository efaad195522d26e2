//! The whole app mounted for a browser test, with a publisher that records what the store
//! asks it to send, and the DOM helpers the tests share (tests/web_dashboard.rs,
//! tests/web_explorer.rs, tests/web_explorer_flood.rs, tests/web_memory.rs). Needs
//! `common/host.rs` included as `host` beside it.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lampboard::lamp::DirectorySettings;
use lampboard::mqtt::packet::QoS;
use lampboard::mqtt::session::{Message, PublishTicket};
use lampboard::store::{Publisher, Store};
use lampboard::ui::App;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::host::fresh_host;

/// One publish the store asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub topic: String,
    pub payload: String,
    pub qos: QoS,
    pub retain: bool,
}

/// A [`Sent`] to compare with, written in one line.
pub fn sent(topic: &str, payload: &str, qos: QoS, retain: bool) -> Sent {
    Sent {
        topic: topic.into(),
        payload: payload.into(),
        qos,
        retain,
    }
}

/// The publisher the tests install: records every publish, subscribe and unsubscribe
/// instead of sending them, and refuses publishes with `fail_with` when set.
#[derive(Default)]
pub struct Recorder {
    pub sent: RefCell<Vec<(PublishTicket, Sent)>>,
    pub subscribed: RefCell<Vec<Vec<String>>>,
    pub unsubscribed: RefCell<Vec<Vec<String>>>,
    pub fail_with: RefCell<Option<String>>,
    next: Cell<u64>,
}

impl Recorder {
    /// Every publish so far, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.borrow().iter().map(|(_, s)| s.clone()).collect()
    }
    /// The ticket of the latest publish (the test answers it as the broker would).
    pub fn last_ticket(&self) -> PublishTicket {
        self.sent
            .borrow()
            .last()
            .expect("something was published")
            .0
    }
    /// Forgets the publishes so far.
    pub fn clear(&self) {
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

/// The mounted app, its store and the recorder the store publishes to.
pub struct Page {
    pub host: HtmlElement,
    pub store: Store,
    pub rec: Rc<Recorder>,
}

/// The whole app, not connecting anywhere, with a recording publisher and clean
/// localStorage (settings tests save profiles), at the top of the page.
pub fn mount() -> Page {
    mount_store(Store::new(DirectorySettings::default()))
}

/// [`mount`] around a store made by the test.
pub fn mount_store(store: Store) -> Page {
    mount_store_with(store, || {})
}

/// [`mount_store`] with `lay` run on the clean localStorage before the app starts (saved
/// profiles, a profile's last-visit snapshot).
pub fn mount_store_with(store: Store, lay: impl FnOnce()) -> Page {
    let host = fresh_host();
    lay();
    let rec = Rc::new(Recorder::default());
    store.set_publisher(rec.clone());
    // Connecting says hello to the systems that ask (Shelly Gen1's `announce` and `update`
    // on shellies/command) and asks known lamps for their state; the tests count what lamp
    // changes publish, so those are cleared (tests/lamp_shelly.rs checks the hello).
    rec.clear();
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <App manual=true store=store /> },
    )
    .forget();
    Page { host, store, rec }
}

/// A message as the MQTT client hands it to the store.
pub fn message(topic: &str, payload: &[u8], qos: QoS, retain: bool) -> Message {
    Message {
        topic: topic.into(),
        payload: payload.to_vec(),
        qos,
        retain,
        dup: false,
    }
}

impl Page {
    /// Every element under the app matching `selector`.
    pub fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.host.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.unchecked_into())
            .collect()
    }
    /// The first element matching `selector`; the test fails saying which when none does.
    pub fn one(&self, selector: &str) -> Element {
        self.host
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no element matches {selector}"))
    }
    /// Whether some element matches `selector`.
    pub fn has(&self, selector: &str) -> bool {
        self.host.query_selector(selector).unwrap().is_some()
    }
    /// The text of the first element matching `selector`.
    pub fn text(&self, selector: &str) -> String {
        self.one(selector).text_content().unwrap_or_default()
    }
    /// Clicks the first element matching `selector`.
    pub fn click(&self, selector: &str) {
        self.one(selector).unchecked_into::<HtmlElement>().click();
    }
    /// Sets an input's value and fires `input` (what a keystroke or a drag step does).
    pub fn type_into(&self, selector: &str, value: &str) {
        let el = self.one(selector);
        set_value(&el, value);
        fire(&el, "input");
    }
    /// Feeds a message as the MQTT client would.
    pub fn receive(&self, topic: &str, payload: &[u8], qos: QoS, retain: bool) {
        self.store.receive(message(topic, payload, qos, retain));
    }
}

/// Sets an element's `value` property, as typing does (no event).
pub fn set_value(el: &Element, value: &str) {
    js_sys::Reflect::set(el, &"value".into(), &value.into()).unwrap();
}

/// Dispatches a bubbling event of `kind` on `el`.
pub fn fire(el: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

/// The first element under `el` matching `selector`; the test fails saying which when none.
pub fn within(el: &Element, selector: &str) -> Element {
    el.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in the element"))
}
