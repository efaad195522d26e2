//! The arranged dashboard in a real browser (issue 15, items 3-6): rename, move, hide,
//! favourite, hand-set controls, natural order and room names, reorder by buttons and by
//! drag, room headers (count, switch, brightness, folding), All off, search, scenes with
//! their exact publishes, and that all of it survives a reload and an export/import.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lampboard::lamp::DirectorySettings;
use lampboard::mqtt::packet::QoS;
use lampboard::mqtt::session::{Message, PublishTicket};
use lampboard::store::settings::SettingsFile;
use lampboard::store::{Publisher, Store};
use lampboard::ui::App;
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;

#[path = "common/export.rs"]
mod export;
#[path = "common/frames.rs"]
mod frames;
use export::capture_export;
#[path = "common/host.rs"]
mod host;
use frames::{settle, sleep};
use host::fresh_host;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Default)]
struct Recorder {
    sent: RefCell<Vec<(String, String, bool)>>,
    next: Cell<u64>,
}

impl Publisher for Recorder {
    fn publish(
        &self,
        topic: &str,
        payload: Vec<u8>,
        _qos: QoS,
        retain: bool,
    ) -> Result<PublishTicket, String> {
        self.next.set(self.next.get() + 1);
        self.sent.borrow_mut().push((
            topic.to_owned(),
            String::from_utf8(payload).expect("utf-8"),
            retain,
        ));
        Ok(PublishTicket(self.next.get()))
    }
    fn subscribe(&self, _: &[String], _: QoS) -> Result<(), String> {
        Ok(())
    }
    fn unsubscribe(&self, _: &[String]) -> Result<(), String> {
        Ok(())
    }
}

impl Recorder {
    /// What was published, as (topic, JSON), and forgets it.
    fn take(&self) -> Vec<(String, Value)> {
        self.sent
            .borrow_mut()
            .drain(..)
            .map(|(t, p, _)| (t, serde_json::from_str(&p).expect("JSON payload")))
            .collect()
    }
}

struct Page {
    host: HtmlElement,
    store: Store,
    rec: Rc<Recorder>,
}

fn mount_on(host: HtmlElement) -> Page {
    let store = Store::new(DirectorySettings::default());
    let rec = Rc::new(Recorder::default());
    store.set_publisher(rec.clone());
    // Connecting says hello to Shelly Gen1 (`announce`, not JSON): not the arrangement's doing.
    rec.sent.borrow_mut().clear();
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <App manual=true store=store /> },
    )
    .forget();
    Page { host, store, rec }
}

/// A fresh page with clean storage.
fn mount() -> Page {
    mount_on(fresh_host())
}

/// The page loaded again: the old app off the page, storage kept (a reload).
fn reload() -> Page {
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
    mount_on(host)
}

async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..100 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

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
    fn click(&self, selector: &str) {
        self.one(selector).unchecked_into::<HtmlElement>().click();
    }
    fn type_into(&self, selector: &str, value: &str) {
        let el = self.one(selector);
        js_sys::Reflect::set(&el, &"value".into(), &value.into()).unwrap();
        fire(&el, "input");
    }
    fn choose(&self, selector: &str, value: &str) {
        let el = self.one(selector);
        js_sys::Reflect::set(&el, &"value".into(), &value.into()).unwrap();
        fire(&el, "change");
    }
    fn submit(&self, selector: &str) {
        let form: web_sys::HtmlFormElement = self.one(selector).unchecked_into();
        form.request_submit().unwrap();
    }
    /// The lamp ids of the cards in a room, in page order.
    fn room_lamps(&self, room: &str) -> Vec<String> {
        self.all(&format!(
            "section.room[data-room=\"{room}\"] article.lamp-card"
        ))
        .iter()
        .filter_map(|e| e.get_attribute("data-lamp"))
        .collect()
    }
    /// The room headings, in page order.
    fn room_names(&self) -> Vec<String> {
        self.all("section.room:not(.favourites) .room-name")
            .iter()
            .filter_map(|e| e.text_content())
            .collect()
    }
    /// The selector of a lamp's card in `scope`.
    fn card_in(&self, scope: &str, id: &str) -> String {
        format!("{scope} article.lamp-card[data-lamp=\"{id}\"]")
    }
    /// Opens lamp `id`'s sheet from its tile in `scope` and returns the sheet body's selector
    /// once its arrangement controls are built (they live in the lamp sheet).
    async fn arranged(&self, scope: &str, id: &str) -> String {
        let sheet = format!("dialog.lamp-sheet .sheet-body[data-lamp=\"{id}\"]");
        if !self.has(&format!("{sheet} .lamp-arrange")) {
            if let Ok(Some(close)) = self.host.query_selector("dialog.lamp-sheet .sheet-close") {
                close.unchecked_into::<HtmlElement>().click();
                settle().await;
            }
            self.one(&format!("{} button.tile-open", self.card_in(scope, id)))
                .unchecked_into::<HtmlElement>()
                .click();
        }
        until("the Arrange controls", || {
            self.has(&format!("{sheet} .lamp-arrange"))
        })
        .await;
        sheet
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
}

fn fire(el: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

const K5: &str = "smarthome/kitchen/lamps/lamp-5";
const K10: &str = "smarthome/kitchen/lamps/lamp-10";
const KSW: &str = "smarthome/kitchen/lamps/switch";
const GUEST: &str = "smarthome/guest-room/lamps/bedside";

/// Two rooms of plain lamps: kitchen (two dimmers on, a switch off) and the guest room.
fn house(page: &Page) {
    let s = page.store;
    s.handle_message(K10, br#"{"state":"ON","brightness":100}"#, true);
    s.handle_message(K5, br#"{"state":"ON","brightness":200}"#, true);
    s.handle_message(KSW, br#"{"state":"OFF"}"#, true);
    s.handle_message(
        GUEST,
        br#"{"state":"OFF","brightness":128,"color":{"r":255,"g":0,"b":0}}"#,
        true,
    );
}

#[wasm_bindgen_test]
async fn lamps_sort_naturally_and_room_names_from_topics_read_with_spaces() {
    let page = mount();
    house(&page);
    settle().await;
    assert_eq!(page.room_names(), ["guest room", "kitchen"]);
    assert_eq!(
        page.room_lamps("kitchen"),
        [K5, K10, KSW],
        "lamp-5 before lamp-10"
    );
    assert_eq!(
        page.text("section.room[data-room=\"kitchen\"] .room-count"),
        "2 of 3 on"
    );
    assert_eq!(
        page.text("section.room[data-room=\"guest room\"] .room-count"),
        "off"
    );
}

#[wasm_bindgen_test]
async fn rename_move_favourite_and_hide_show_at_once_and_survive_a_reload() {
    let page = mount();
    house(&page);
    settle().await;
    let card = page.arranged("section.room", GUEST).await;
    page.type_into(&format!("{card} input.arrange-name"), "  Reading   light ");
    page.submit(&format!("{card} form.arrange-row"));
    settle().await;
    assert_eq!(page.text(&format!("{card} h2")), "Reading light");
    assert_eq!(
        page.text(&format!("{card} .arrange-said")),
        "Renamed to “Reading light”"
    );

    // Into the kitchen, typed the way a person types it.
    let rooms = page.all(&format!("{card} form.arrange-row"));
    page.type_into(&format!("{card} input.arrange-room"), "Kitchen");
    rooms[1]
        .clone()
        .unchecked_into::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    settle().await;
    assert_eq!(page.room_names(), ["Kitchen"], "one room, named as typed");
    assert_eq!(
        page.room_lamps("kitchen"),
        [K5, K10, GUEST, KSW],
        "Reading light by name"
    );

    page.click(&format!(
        "{} button.arrange-favourite",
        page.arranged("section.room", K10).await
    ));
    settle().await;
    assert_eq!(
        page.all("section.favourites article.lamp-card")
            .iter()
            .filter_map(|e| e.get_attribute("data-lamp"))
            .collect::<Vec<_>>(),
        [K10]
    );
    assert_eq!(
        page.one(&format!(
            "{} button.arrange-favourite",
            page.arranged("section.room[data-room=\"kitchen\"]", K10)
                .await
        ))
        .get_attribute("aria-pressed")
        .as_deref(),
        Some("true")
    );

    page.click(&format!(
        "{} button.arrange-hide",
        page.arranged("section.room", KSW).await
    ));
    settle().await;
    assert_eq!(page.room_lamps("kitchen"), [K5, K10, GUEST]);
    assert_eq!(
        page.text("details.hidden-lamps summary"),
        "Hidden lamps (1)"
    );
    assert_eq!(
        page.one("li.hidden-lamp")
            .get_attribute("data-lamp")
            .as_deref(),
        Some(KSW)
    );

    // A reload: the same profile's arrangement comes back.
    let page = reload();
    house(&page);
    settle().await;
    assert_eq!(page.room_names(), ["Kitchen"]);
    assert_eq!(page.room_lamps("kitchen"), [K5, K10, GUEST]);
    assert_eq!(
        page.text(&format!(
            "{} .tile-name",
            page.card_in("section.room", GUEST)
        )),
        "Reading light"
    );
    assert!(page.has(&page.card_in("section.favourites", K10)));
    page.click("li.hidden-lamp button.show-lamp");
    settle().await;
    assert_eq!(page.room_lamps("kitchen"), [K5, K10, GUEST, KSW]);
    assert!(!page.has("details.hidden-lamps"));

    // An empty name goes back to the lamp's own.
    let card = page.arranged("section.room", GUEST).await;
    page.type_into(&format!("{card} input.arrange-name"), "");
    page.submit(&format!("{card} form.arrange-row"));
    settle().await;
    assert_eq!(page.text(&format!("{card} h2")), "bedside");
}

#[wasm_bindgen_test]
async fn a_plain_lamp_that_only_says_on_or_off_can_be_made_dimmable_by_hand() {
    let page = mount();
    house(&page);
    settle().await;
    // The fine controls and the arrangement both live in the lamp's sheet.
    let sheet = page.arranged("section.room", KSW).await;
    assert!(!page.has(&format!("{sheet} input.brightness")));
    page.choose(&format!("{sheet} select.arrange-kind"), "dimmable");
    settle().await;
    until("a brightness slider", || {
        page.has(&format!("{sheet} input.brightness"))
    })
    .await;
    let page = reload();
    house(&page);
    settle().await;
    let sheet = page.arranged("section.room", KSW).await;
    until("still dimmable after a reload", || {
        page.has(&format!("{sheet} input.brightness"))
    })
    .await;
    // Back to what the lamp sends.
    page.choose(&format!("{sheet} select.arrange-kind"), "auto");
    settle().await;
    until("the slider goes again", || {
        !page.has(&format!("{sheet} input.brightness"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn move_mode_reorders_lamps_and_rooms_by_buttons_and_by_drag() {
    let page = mount();
    house(&page);
    settle().await;
    page.click("button.move-mode");
    settle().await;
    let rows = |p: &Page| -> Vec<String> {
        p.all("section.room[data-room=\"kitchen\"] li.move-row")
            .iter()
            .filter_map(|e| e.get_attribute("data-lamp"))
            .collect()
    };
    assert_eq!(rows(&page), [K5, K10, KSW]);
    assert_eq!(
        page.one(&format!("li.move-row[data-lamp=\"{K10}\"] button.lamp-up"))
            .get_attribute("aria-label")
            .as_deref(),
        Some("Move lamp-10 up")
    );
    page.click(&format!("li.move-row[data-lamp=\"{K10}\"] button.lamp-up"));
    settle().await;
    assert_eq!(rows(&page), [K10, K5, KSW]);
    // Drag the switch onto lamp-10: it lands before it.
    let drag = |kind: &str, on: &str| {
        let init = web_sys::DragEventInit::new();
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev = web_sys::DragEvent::new_with_event_init_dict(kind, &init).unwrap();
        page.one(&format!("li.move-row[data-lamp=\"{on}\"]"))
            .dispatch_event(&ev)
            .unwrap();
    };
    drag("dragstart", KSW);
    drag("dragover", K10);
    drag("drop", K10);
    settle().await;
    assert_eq!(rows(&page), [KSW, K10, K5]);
    // Rooms: the kitchen up to the top.
    assert!(page
        .one("section.room[data-room=\"kitchen\"] button.room-down")
        .unchecked_into::<web_sys::HtmlButtonElement>()
        .disabled());
    page.click("section.room[data-room=\"kitchen\"] button.room-up");
    settle().await;
    assert_eq!(page.room_names(), ["kitchen", "guest room"]);
    page.click("button.move-mode");
    settle().await;
    assert_eq!(page.room_lamps("kitchen"), [KSW, K10, K5]);
    let page = reload();
    house(&page);
    settle().await;
    assert_eq!(page.room_names(), ["kitchen", "guest room"]);
    assert_eq!(page.room_lamps("kitchen"), [KSW, K10, K5]);
}

#[wasm_bindgen_test]
async fn the_room_switch_and_slider_and_all_off_publish_each_lamp_its_own_state() {
    let page = mount();
    house(&page);
    settle().await;
    let kitchen = "section.room[data-room=\"kitchen\"]";
    let switch = page.one(&format!("{kitchen} button.room-switch"));
    assert_eq!(
        switch.get_attribute("aria-checked").as_deref(),
        Some("true")
    );
    assert_eq!(
        switch.get_attribute("aria-label").as_deref(),
        Some("kitchen: 2 of 3 on")
    );
    let slider = format!("{kitchen} input.room-brightness");
    assert_eq!(
        page.one(&slider)
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "78",
        "the brightest lamp that is on (200 of 255)"
    );
    // Halve the room: each lamp keeps its share.
    page.choose(&slider, "39");
    settle().await;
    let mut sent = page.rec.take();
    sent.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        sent,
        [
            (K10.to_owned(), json!({"state":"ON","brightness":51})),
            (K5.to_owned(), json!({"state":"ON","brightness":99})),
        ]
    );
    // The room switch turns off what is on (the switch is off already).
    page.click(&format!("{kitchen} button.room-switch"));
    settle().await;
    let mut sent = page.rec.take();
    sent.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        sent,
        [
            (K10.to_owned(), json!({"state":"OFF","brightness":100})),
            (K5.to_owned(), json!({"state":"OFF","brightness":200})),
        ]
    );
    assert_eq!(page.text(&format!("{kitchen} .room-count")), "all 3 off");
    // The guest room's slider in a dark room turns its lamp on at the value.
    page.choose(
        "section.room[data-room=\"guest room\"] input.room-brightness",
        "20",
    );
    settle().await;
    assert_eq!(
        page.rec.take(),
        [(
            GUEST.to_owned(),
            json!({"state":"ON","brightness":51,"color":{"r":255,"g":0,"b":0}})
        )]
    );
    // All off: everything not off already, house-wide.
    page.click("button.all-off");
    settle().await;
    assert_eq!(
        page.rec.take(),
        [(
            GUEST.to_owned(),
            json!({"state":"OFF","brightness":128,"color":{"r":255,"g":0,"b":0}})
        )]
    );
}

#[wasm_bindgen_test]
async fn a_folded_room_stays_folded_and_search_filters_by_name_room_and_system() {
    let page = mount();
    house(&page);
    settle().await;
    page.click("section.room[data-room=\"kitchen\"] button.room-fold");
    settle().await;
    assert_eq!(
        page.one("section.room[data-room=\"kitchen\"] button.room-fold")
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("false")
    );
    assert!(page.room_lamps("kitchen").is_empty());
    let page = reload();
    house(&page);
    settle().await;
    assert!(page.room_lamps("kitchen").is_empty(), "still folded");
    page.click("section.room[data-room=\"kitchen\"] button.room-fold");
    settle().await;
    assert_eq!(page.room_lamps("kitchen").len(), 3);

    page.type_into("input.search-input", "guest");
    settle().await;
    assert_eq!(page.room_names(), ["guest room"]);
    assert_eq!(page.text(".search-count"), "1 lamp matches");
    page.type_into("input.search-input", "kitchen LAMP-1");
    settle().await;
    assert_eq!(page.room_lamps("kitchen"), [K10]);
    page.type_into("input.search-input", "mqtt");
    settle().await;
    assert_eq!(
        page.text(".search-count"),
        "4 lamps match",
        "the system's name"
    );
    page.type_into("input.search-input", "cellar");
    settle().await;
    assert!(page.room_names().is_empty());
    assert_eq!(page.text(".search-count"), "No lamp matches “cellar”");
    page.type_into("input.search-input", "");
    settle().await;
    assert_eq!(page.room_names(), ["guest room", "kitchen"]);
}

#[wasm_bindgen_test]
async fn a_scene_saves_a_rooms_states_and_recalls_them_counting_confirmations() {
    let page = mount();
    house(&page);
    settle().await;
    page.click("button.new-scene");
    settle().await;
    page.type_into("input.scene-name", "Cooking");
    page.choose("select.scene-room", "kitchen");
    settle().await;
    assert_eq!(page.all("input.scene-lamp").len(), 3);
    page.click("button.save-scene");
    settle().await;
    assert_eq!(page.text("button.scene-button"), "Cooking");

    // Another client changes the kitchen.
    page.receive(K5, r#"{"state":"OFF","brightness":10}"#);
    page.receive(K10, r#"{"state":"OFF","brightness":10}"#);
    page.receive(KSW, r#"{"state":"ON"}"#);
    settle().await;
    page.rec.take();
    page.click("button.scene-button");
    settle().await;
    let mut sent = page.rec.take();
    sent.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        sent,
        [
            (K10.to_owned(), json!({"state":"ON","brightness":99})),
            (K5.to_owned(), json!({"state":"ON","brightness":199})),
            (KSW.to_owned(), json!({"state":"OFF"})),
        ],
        "one whole state per plain lamp, carrying every change"
    );
    assert_eq!(
        page.text(".scene-report"),
        "Cooking: 0 of 3 lamps confirmed"
    );
    for (topic, payload) in &sent {
        page.receive(topic, &payload.to_string());
        settle().await;
    }
    until("every lamp confirmed", || {
        page.text(".scene-report") == "Cooking: 3 of 3 lamps confirmed"
    })
    .await;

    // Rename and delete.
    page.click("button.edit-scenes");
    settle().await;
    page.type_into("input.scene-rename", "Dinner");
    page.submit("li.scene-editor form");
    settle().await;
    assert_eq!(page.text("button.scene-button"), "Dinner");
    assert!(page
        .text("li.scene-editor .scene-targets")
        .contains("on, 39 %"));
    page.click("li.scene-editor button.scene-delete");
    settle().await;
    assert!(!page.has("button.scene-button"));
}

#[wasm_bindgen_test]
async fn the_export_carries_the_arrangement_and_an_import_brings_it_to_another_browser() {
    let page = mount();
    house(&page);
    settle().await;
    let card = page.arranged("section.room", K5).await;
    page.type_into(&format!("{card} input.arrange-name"), "Hob");
    page.submit(&format!("{card} form.arrange-row"));
    settle().await;
    page.click("button.open-settings");
    settle().await;
    let text = capture_export(|| page.click("button.export")).await.1;
    let file = SettingsFile::from_json(&text).expect("a valid file");
    let id = &file.profiles[0].id;
    assert!(!id.is_empty());
    assert_eq!(file.arrangements[id]["lamps"][K5]["name"], "Hob");

    // Another browser: nothing stored; the import brings the profile and its arrangement.
    let page = mount();
    house(&page);
    settle().await;
    assert_eq!(
        page.text(&format!("{} .tile-name", page.card_in("section.room", K5))),
        "lamp-5"
    );
    page.click("button.open-settings");
    settle().await;
    let parts = js_sys::Array::of1(&text.clone().into());
    let f = web_sys::File::new_with_str_sequence(&parts, "settings.json").unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.items().add_with_file(&f).unwrap();
    let input: HtmlInputElement = page.one("input.import").unchecked_into();
    input.set_files(dt.files().as_ref());
    fire(&input, "change");
    // The imported profile (its own id) is now in use: its data only (issue 16), so its
    // broker's lamps come again, dressed in its arrangement.
    until("the imported profile is in use", || {
        page.store.profile_id() == *id
    })
    .await;
    house(&page);
    settle().await;
    until("the import renamed the lamp", || {
        page.has(&format!("{} .tile-name", page.card_in("section.room", K5)))
            && page.text(&format!("{} .tile-name", page.card_in("section.room", K5))) == "Hob"
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_zigbee2mqtt_groups_own_scene_is_listed_and_recalled_by_the_group() {
    let page = mount();
    page.store.handle_message(
        "zigbee2mqtt/bridge/devices",
        include_bytes!("fixtures/z2m/lampsim_bridge_devices.json"),
        true,
    );
    let mut groups: Value =
        serde_json::from_slice(include_bytes!("fixtures/z2m/lampsim_bridge_groups.json")).unwrap();
    let group = groups
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| !g["members"].as_array().unwrap().is_empty())
        .unwrap();
    group["friendly_name"] = json!("lounge");
    group["scenes"] = json!([{"id": 4, "name": "Reading"}]);
    page.store.handle_message(
        "zigbee2mqtt/bridge/groups",
        groups.to_string().as_bytes(),
        true,
    );
    settle().await;
    page.rec.take();
    assert_eq!(page.text("button.native-scene"), "lounge: Reading");
    page.click("button.native-scene");
    settle().await;
    assert_eq!(
        page.rec.take(),
        [(
            "zigbee2mqtt/lounge/set".to_owned(),
            json!({"scene_recall": 4})
        )]
    );
}
