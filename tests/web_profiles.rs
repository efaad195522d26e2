//! Household data per broker profile in a real browser (issue 16, items 1 and 2): switching
//! profiles shows that profile's lamps only, and a change made offline waits in the
//! profile's queue ("Will send when connected"), survives a reload (a remount with the same
//! localStorage), is sent once after the broker is back, can be cancelled in the sheet, and
//! is dropped with a word when the lamp changed elsewhere meanwhile.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lampboard::lamp::DirectorySettings;
use lampboard::mqtt::packet::{QoS, SubackReturnCode};
use lampboard::mqtt::session::{Event, FilterResult, Message, PublishTicket};
use lampboard::net::client::ClientEvent;
use lampboard::net::status::ConnectionStatus;
use lampboard::store::profile_keys::{ProfileKeys, LEGACY_SNAPSHOT_KEY};
use lampboard::store::queue::MOOT_TEXT;
use lampboard::store::settings::{Profile, SettingsFile};
use lampboard::store::snapshot::Snapshot;
use lampboard::store::view::{QUEUED_SHORT, QUEUED_TEXT};
use lampboard::store::{Publisher, Store};
use lampboard::ui::{App, SETTINGS_KEY};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
use frames::{settle, sleep};
use host::fresh_host;

wasm_bindgen_test_configure!(run_in_browser);

const HOME: &str = "p-home";
const CABIN: &str = "p-cabin";
const HALL: &str = "smarthome/hall/lamps/ceiling";
const PORCH: &str = "smarthome/porch/lamps/light";
const SHED: &str = "smarthome/shed/lamps/bulb";

/// A broker that is reachable or not, recording what the store publishes.
#[derive(Default)]
struct Broker {
    online: Cell<bool>,
    sent: RefCell<Vec<(PublishTicket, String, String)>>,
    next: Cell<u64>,
}

impl Publisher for Broker {
    fn publish(
        &self,
        topic: &str,
        payload: Vec<u8>,
        _qos: QoS,
        _retain: bool,
    ) -> Result<PublishTicket, String> {
        self.next.set(self.next.get() + 1);
        let ticket = PublishTicket(self.next.get());
        self.sent.borrow_mut().push((
            ticket,
            topic.to_owned(),
            String::from_utf8(payload).expect("utf-8"),
        ));
        Ok(ticket)
    }
    fn subscribe(&self, _: &[String], _: QoS) -> Result<(), String> {
        Ok(())
    }
    fn unsubscribe(&self, _: &[String]) -> Result<(), String> {
        Ok(())
    }
    fn connected(&self) -> bool {
        self.online.get()
    }
}

impl Broker {
    fn new(online: bool) -> Rc<Self> {
        let b = Rc::new(Self::default());
        b.online.set(online);
        b
    }
    /// Lamp changes published (topic, payload); Shelly's hello and Zigbee2MQTT asks left out.
    fn lamp_publishes(&self) -> Vec<(String, String)> {
        self.sent
            .borrow()
            .iter()
            .filter(|(_, t, _)| t.starts_with("smarthome/"))
            .map(|(_, t, p)| (t.clone(), p.clone()))
            .collect()
    }
    fn last_ticket(&self) -> PublishTicket {
        self.sent.borrow().last().expect("a publish").0
    }
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Two saved profiles, Home (selected) and Cabin, as the settings drawer saves them.
fn lay_profiles() {
    let profile = |id: &str, name: &str, port: u16| Profile {
        id: id.into(),
        name: name.into(),
        ..Profile::with_url(format!("ws://127.0.0.1:{port}/mqtt"))
    };
    let mut file = SettingsFile::single(profile(HOME, "Home", 9001));
    file.profiles.push(profile(CABIN, "Cabin", 9002));
    storage()
        .set_item(SETTINGS_KEY, &serde_json::to_string(&file).unwrap())
        .unwrap();
}

fn lay_snapshot(profile: &str, lamps: &[(&str, &str)]) {
    let mut s = Snapshot::new();
    for (topic, payload) in lamps {
        s.record(topic, payload.as_bytes());
    }
    storage()
        .set_item(&ProfileKeys::for_id(profile).snapshot, &s.to_json())
        .unwrap();
}

struct Page {
    host: HtmlElement,
    store: Store,
}

/// The app on a fresh host element, keeping localStorage (a first load after `lay_*`, or a
/// reload), with `broker` as the store's publisher.
fn open(broker: &Rc<Broker>) -> Page {
    let document = web_sys::window().unwrap().document().unwrap();
    let old = document.query_selector_all(".test-host").unwrap();
    for i in 0..old.length() {
        if let Some(el) = old.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            el.remove();
        }
    }
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    host.set_class_name("test-host");
    document.body().unwrap().append_child(&host).unwrap();
    let store = Store::new(DirectorySettings::default());
    store.set_publisher(broker.clone());
    if !broker.online.get() {
        store.handle_client_event(ClientEvent::Status(ConnectionStatus::Retrying {
            in_secs: 8,
            why: "the broker went away".into(),
        }));
    }
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <App manual=true store=store /> },
    )
    .forget();
    Page { host, store }
}

async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..150 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

impl Page {
    fn cards(&self) -> Vec<String> {
        let list = self.host.query_selector_all("article.lamp-card").unwrap();
        let mut ids: Vec<String> = (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.unchecked_into::<Element>().get_attribute("data-lamp"))
            .collect();
        ids.sort();
        ids
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
    fn click(&self, selector: &str) {
        self.one(selector).unchecked_into::<HtmlElement>().click();
    }
    fn card(&self, id: &str) -> String {
        format!("article.lamp-card[data-lamp=\"{id}\"]")
    }
    /// The tile's delivery mark: (data-delivery, what it says in full: its title when the
    /// corner shows a short form, else its text).
    fn mark(&self, id: &str) -> (String, String) {
        let mark = self.one(&format!("{} .delivery", self.card(id)));
        (
            mark.get_attribute("data-delivery").unwrap_or_default(),
            mark.get_attribute("title")
                .unwrap_or_else(|| mark.text_content().unwrap_or_default()),
        )
    }
    fn switch_on(&self, id: &str) -> Option<String> {
        self.one(&format!("{} .switch", self.card(id)))
            .get_attribute("aria-checked")
    }
    fn receive(&self, topic: &str, payload: &str) {
        self.store.receive(Message {
            topic: topic.into(),
            payload: payload.as_bytes().to_vec(),
            qos: QoS::AtMostOnce,
            retain: true,
            dup: false,
        });
    }
    /// Picks a saved profile in the settings drawer and saves it (the switch a user makes).
    async fn switch_to(&self, name: &str) {
        self.click("button.open-settings");
        settle().await;
        let select = self.one("select[name=\"profile\"]");
        js_sys::Reflect::set(&select, &"value".into(), &name.into()).unwrap();
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        select
            .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
            .unwrap();
        settle().await;
        self.click("aside.drawer button.save");
        settle().await;
        self.click("aside.drawer button.close");
        settle().await;
    }
    /// The broker is back: connected, and the subscriptions answered (the queue goes out
    /// a little after the SUBACK, once the retained states are in).
    fn connect(&self, broker: &Rc<Broker>) {
        broker.online.set(true);
        self.store
            .handle_client_event(ClientEvent::Status(ConnectionStatus::Connected));
        self.store
            .handle_client_event(ClientEvent::Session(Event::Subscribed {
                ticket: None,
                results: vec![FilterResult {
                    filter: "smarthome/+/lamps/#".into(),
                    result: SubackReturnCode::Success(QoS::AtMostOnce),
                }],
            }));
    }
}

fn stored_queue(profile: &str) -> Option<String> {
    storage()
        .get_item(&ProfileKeys::for_id(profile).queue)
        .unwrap()
}

#[wasm_bindgen_test]
async fn switching_profiles_shows_only_that_profiles_lamps_and_keeps_each_ones_own() {
    drop(fresh_host()); // clean localStorage
    storage()
        .set_item(
            LEGACY_SNAPSHOT_KEY,
            r#"["lampboard-snapshot-1","smarthome/x/lamps/old","{\"state\":\"ON\"}"]"#,
        )
        .unwrap();
    lay_profiles();
    lay_snapshot(HOME, &[(HALL, r#"{"state":"ON"}"#)]);
    let home_broker = Broker::new(true);
    let page = open(&home_broker);
    settle().await;
    assert_eq!(page.store.profile_id(), HOME);
    assert_eq!(
        page.cards(),
        [HALL],
        "Home's last visit, not the old un-keyed snapshot"
    );
    assert!(
        storage().get_item(LEGACY_SNAPSHOT_KEY).unwrap().is_none(),
        "the un-keyed snapshot is dropped"
    );
    page.receive(PORCH, r#"{"state":"OFF"}"#);
    settle().await;
    assert_eq!(page.cards(), [HALL, PORCH]);

    // Cabin's broker cannot be reached: no lamp of Home's shows, no banner promises anything.
    page.switch_to("Cabin").await;
    assert_eq!(page.store.profile_id(), CABIN);
    assert!(page.cards().is_empty(), "{:?}", page.cards());
    assert!(!page.has(".offline-banner"));
    let home_snapshot = storage()
        .get_item(&ProfileKeys::for_id(HOME).snapshot)
        .unwrap()
        .expect("Home's snapshot written on leaving");
    assert!(home_snapshot.contains(PORCH) && home_snapshot.contains(HALL));
    // Nothing reaches Home's broker from Cabin: the store let it go.
    home_broker.sent.borrow_mut().clear();
    let cabin_broker = Broker::new(true);
    page.store.set_publisher(cabin_broker.clone());
    page.receive(SHED, r#"{"state":"OFF"}"#);
    settle().await;
    assert_eq!(page.cards(), [SHED]);
    page.click(&format!("{} .switch", page.card(SHED)));
    settle().await;
    assert!(home_broker.sent.borrow().is_empty());
    assert_eq!(
        cabin_broker.lamp_publishes(),
        [(SHED.to_owned(), r#"{"state":"ON"}"#.to_owned())]
    );
    sleep(1200).await; // the snapshot is written at most once a second

    page.switch_to("Home").await;
    assert_eq!(
        page.cards(),
        [HALL, PORCH],
        "Home's own lamps again, Cabin's not"
    );
    let cabin_snapshot = storage()
        .get_item(&ProfileKeys::for_id(CABIN).snapshot)
        .unwrap()
        .unwrap_or_default();
    assert!(cabin_snapshot.contains(SHED) && !cabin_snapshot.contains(HALL));
}

#[wasm_bindgen_test]
async fn a_change_made_offline_survives_a_reload_and_is_sent_once_after_connecting() {
    drop(fresh_host());
    lay_profiles();
    lay_snapshot(
        HOME,
        &[(HALL, r#"{"state":"OFF"}"#), (PORCH, r#"{"state":"OFF"}"#)],
    );
    let broker = Broker::new(false);
    let page = open(&broker);
    settle().await;
    page.click(&format!("{} .switch", page.card(HALL)));
    settle().await;
    assert_eq!(page.mark(HALL), ("queued".into(), QUEUED_TEXT.into()));
    let corner = page.one(&format!("{} .delivery span[aria-hidden]", page.card(HALL)));
    assert_eq!(
        corner.text_content().as_deref(),
        Some(QUEUED_SHORT),
        "the tile's corner"
    );
    assert_eq!(
        page.switch_on(HALL).as_deref(),
        Some("true"),
        "shown as asked"
    );
    assert!(
        broker.lamp_publishes().is_empty(),
        "nothing sent while offline"
    );
    let banner = page.text(".offline-banner");
    assert!(
        banner.contains("1 change is kept for “Home” (127.0.0.1:9001)")
            && banner.contains("when the connection is back"),
        "{banner}"
    );
    assert!(stored_queue(HOME)
        .expect("persisted at once")
        .contains(HALL));
    assert!(stored_queue(CABIN).is_none());

    // Reload: a new page on the same storage, still offline.
    let broker = Broker::new(false);
    let page = open(&broker);
    settle().await;
    assert_eq!(page.mark(HALL), ("queued".into(), QUEUED_TEXT.into()));
    assert_eq!(page.switch_on(HALL).as_deref(), Some("true"));
    assert_eq!(page.mark(PORCH).0, "idle");

    // The broker is back: the retained state (unchanged) first, then the queue, once.
    page.connect(&broker);
    page.receive(HALL, r#"{"state":"OFF"}"#);
    assert!(
        broker.lamp_publishes().is_empty(),
        "not before the retained states are in"
    );
    until("the queued change is sent", || {
        !broker.lamp_publishes().is_empty()
    })
    .await;
    settle().await;
    assert_eq!(
        broker.lamp_publishes(),
        [(HALL.to_owned(), r#"{"state":"ON"}"#.to_owned())]
    );
    assert_eq!(page.mark(HALL).0, "pending");
    assert!(
        stored_queue(HOME).is_some(),
        "kept until the broker took it"
    );
    page.store
        .handle_client_event(ClientEvent::Session(Event::Delivered(broker.last_ticket())));
    page.receive(HALL, r#"{"state":"ON"}"#);
    settle().await;
    assert_eq!(page.mark(HALL).0, "delivered");
    assert!(
        stored_queue(HOME).is_none(),
        "taken by the broker: gone from the queue"
    );
    sleep(700).await;
    assert_eq!(broker.lamp_publishes().len(), 1, "exactly once");

    // Another reload and connect sends nothing again.
    let broker = Broker::new(false);
    let page = open(&broker);
    settle().await;
    page.connect(&broker);
    sleep(900).await;
    assert!(broker.lamp_publishes().is_empty());
    assert_eq!(page.mark(HALL).0, "idle");
}

#[wasm_bindgen_test]
async fn a_queued_change_can_be_cancelled_in_the_sheet_and_is_never_sent() {
    drop(fresh_host());
    lay_profiles();
    lay_snapshot(HOME, &[(HALL, r#"{"state":"OFF"}"#)]);
    let broker = Broker::new(false);
    let page = open(&broker);
    settle().await;
    page.click(&format!("{} .switch", page.card(HALL)));
    settle().await;
    page.click(&format!("{} button.tile-open", page.card(HALL)));
    until("the sheet's Cancel", || {
        page.has("dialog.lamp-sheet .cancel-queued")
    })
    .await;
    assert_eq!(
        page.text("dialog.lamp-sheet .delivery"),
        QUEUED_TEXT,
        "the sheet says it whole"
    );
    assert!(page
        .text("dialog.lamp-sheet .queued-line")
        .contains("waits for “Home”"));
    page.click("dialog.lamp-sheet .cancel-queued");
    settle().await;
    assert!(!page.has("dialog.lamp-sheet .cancel-queued"));
    assert_eq!(page.mark(HALL).0, "idle");
    assert_eq!(
        page.switch_on(HALL).as_deref(),
        Some("false"),
        "back as it was"
    );
    assert!(stored_queue(HOME).is_none());
    page.connect(&broker);
    sleep(900).await;
    assert!(
        broker.lamp_publishes().is_empty(),
        "a cancelled change is never sent"
    );
}

#[wasm_bindgen_test]
async fn a_change_made_moot_by_a_newer_state_is_dropped_with_a_word_not_sent() {
    drop(fresh_host());
    lay_profiles();
    lay_snapshot(HOME, &[(HALL, r#"{"state":"OFF","brightness":200}"#)]);
    let broker = Broker::new(false);
    let page = open(&broker);
    settle().await;
    page.click(&format!("{} .switch", page.card(HALL)));
    settle().await;
    let broker = Broker::new(false);
    let page = open(&broker);
    settle().await;
    page.connect(&broker);
    // Someone dimmed the lamp from a wall switch while we were offline.
    page.receive(HALL, r#"{"state":"OFF","brightness":40}"#);
    settle().await;
    sleep(900).await;
    assert!(
        broker.lamp_publishes().is_empty(),
        "not sent over the newer state"
    );
    assert_eq!(page.mark(HALL).0, "failed");
    assert_eq!(
        page.one(&format!("{} .delivery-reason", page.card(HALL)))
            .text_content()
            .unwrap_or_default(),
        MOOT_TEXT
    );
    assert_eq!(page.switch_on(HALL).as_deref(), Some("false"));
    assert!(stored_queue(HOME).is_none());
}

#[wasm_bindgen_test]
async fn a_change_pending_when_its_profile_is_left_is_settled_and_said_and_sent_on_return_only() {
    drop(fresh_host());
    lay_profiles();
    lay_snapshot(HOME, &[(HALL, r#"{"state":"OFF"}"#)]);
    lay_snapshot(CABIN, &[(SHED, r#"{"state":"OFF"}"#)]);
    let home_offline = Broker::new(false);
    let page = open(&home_offline);
    settle().await;
    page.click(&format!("{} .switch", page.card(HALL)));
    settle().await;
    assert_eq!(page.mark(HALL).0, "queued");

    // Leaving Home: its waiting change stays in Home's queue, and the notice says so.
    page.switch_to("Cabin").await;
    assert_eq!(page.cards(), [SHED], "Cabin's own last visit only");
    let notice = page.text(".notice");
    assert!(
        notice.contains(
            "1 change for “Home” is kept and will be sent when you connect to “Home” again"
        ),
        "{notice}"
    );
    assert!(stored_queue(HOME).is_some_and(|q| q.contains(HALL)));
    assert!(stored_queue(CABIN).is_none());
    // Cabin's broker answers; a change sent there is still unconfirmed when the user leaves.
    let cabin = Broker::new(true);
    page.store.set_publisher(cabin.clone());
    page.connect(&cabin);
    sleep(900).await;
    assert!(
        cabin.lamp_publishes().is_empty(),
        "Home's waiting change never goes to Cabin's broker"
    );
    page.click(&format!("{} .switch", page.card(SHED)));
    settle().await;
    assert_eq!(page.mark(SHED).0, "pending");
    assert_eq!(cabin.lamp_publishes().len(), 1);

    page.switch_to("Home").await;
    let notice = page.text(".notice");
    assert!(
        notice.contains("1 change sent to “Cabin” had no answer from its broker before the switch"),
        "{notice}"
    );
    assert_eq!(page.cards(), [HALL]);
    assert_eq!(page.mark(HALL), ("queued".into(), QUEUED_TEXT.into()));
    assert!(
        !page.has(".delivery[data-delivery=\"pending\"]"),
        "no Sending… mark stays behind"
    );
    // Home's broker is back: its change goes there, once.
    let home = Broker::new(true);
    page.store.set_publisher(home.clone());
    page.connect(&home);
    until("Home's change is sent", || {
        !home.lamp_publishes().is_empty()
    })
    .await;
    assert_eq!(
        home.lamp_publishes(),
        [(HALL.to_owned(), r#"{"state":"ON"}"#.to_owned())]
    );
    assert_eq!(
        cabin.lamp_publishes().len(),
        1,
        "nothing more went to Cabin"
    );
}
