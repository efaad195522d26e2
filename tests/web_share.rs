//! Share setup in a real browser (issue 16, item 3): the settings drawer's panel shows a QR
//! code of exactly the link it shows, and the link reads back as the profile in use and its
//! dashboard (with the password only when ticked); opening the app with a `#setup=` link
//! asks first, clears the fragment, and on accept adds (or replaces) the profile with its
//! arrangement; a broken link says why and changes nothing.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use lampboard::arrange::{Arrangement, SceneItem, Target};
use lampboard::lamp::{DirectorySettings, LampId};
use lampboard::mqtt::packet::QoS;
use lampboard::mqtt::session::PublishTicket;
use lampboard::share::{decode, fragment_data, link, qr};
use lampboard::store::settings::{Profile, SettingsFile};
use lampboard::store::{Publisher, Store};
use lampboard::ui::App;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
use frames::{settle, sleep};
use host::fresh_host;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Takes every publish (the tests publish nothing, but the store wants a publisher to
/// count lamps as reachable).
#[derive(Default)]
struct Quiet(Cell<u64>);

impl Publisher for Quiet {
    fn publish(&self, _: &str, _: Vec<u8>, _: QoS, _: bool) -> Result<PublishTicket, String> {
        self.0.set(self.0.get() + 1);
        Ok(PublishTicket(self.0.get()))
    }
    fn subscribe(&self, _: &[String], _: QoS) -> Result<(), String> {
        Ok(())
    }
    fn unsubscribe(&self, _: &[String]) -> Result<(), String> {
        Ok(())
    }
}

const SETTINGS_KEY: &str = "lampboard.settings";
const K5: &str = "smarthome/kitchen/lamps/lamp-5";
const K10: &str = "smarthome/kitchen/lamps/lamp-10";
const GUEST: &str = "smarthome/guest-room/lamps/bedside";

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn saved_settings() -> SettingsFile {
    SettingsFile::from_json(
        &storage()
            .get_item(SETTINGS_KEY)
            .unwrap()
            .expect("settings saved"),
    )
    .expect("readable settings")
}

/// A profile saved before the page starts, as a returning visitor has it.
fn save_profile(p: &Profile) {
    let file = SettingsFile::single(p.clone());
    storage()
        .set_item(
            SETTINGS_KEY,
            &serde_json::to_string(&file.for_storage()).unwrap(),
        )
        .unwrap();
}

fn home() -> Profile {
    Profile {
        id: "phome0001".into(),
        name: "Home".into(),
        username: "alice".into(),
        password: Some("hunter2-long".into()),
        remember_password: true,
        publish_qos: 2,
        lamp_filters: vec!["smarthome/+/lamps/#".into(), "garden/+".into()],
        ..Profile::with_url("ws://127.0.0.1:9001/mqtt")
    }
}

struct Page {
    host: HtmlElement,
    store: Store,
}

/// Mounts the app (not connecting) on a fresh host; storage is left as the test set it.
fn mount(host: HtmlElement) -> Page {
    let store = Store::new(DirectorySettings::default());
    store.set_publisher(Rc::new(Quiet::default()));
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <App manual=true store=store /> },
    )
    .forget();
    Page { host, store }
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
    fn value(&self, selector: &str) -> String {
        self.one(selector)
            .unchecked_into::<HtmlInputElement>()
            .value()
    }
    fn house(&self) {
        let s = self.store;
        s.handle_message(K10, br#"{"state":"ON","brightness":100}"#, true);
        s.handle_message(K5, br#"{"state":"ON","brightness":200}"#, true);
        s.handle_message(GUEST, br#"{"state":"OFF","brightness":128}"#, true);
    }
    fn tile_name(&self, id: &str) -> String {
        self.text(&format!(
            "section.room article.lamp-card[data-lamp=\"{id}\"] .tile-name"
        ))
    }
    fn room_lamps(&self, room: &str) -> Vec<String> {
        let list = self
            .host
            .query_selector_all(&format!(
                "section.room[data-room=\"{room}\"] article.lamp-card"
            ))
            .unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.unchecked_into::<Element>().get_attribute("data-lamp"))
            .collect()
    }
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

/// A kitchen arranged by hand: a lamp renamed, the guest lamp moved in, an order, a scene.
fn arranged() -> Arrangement {
    let now = 1_796_000_000_000.0;
    let mut a = Arrangement::default();
    a.rename(&LampId(K5.into()), "Stove light", "lamp-5", now);
    a.move_to_room(&LampId(GUEST.into()), "Kitchen", "guest room", now);
    a.set_lamp_order(
        "kitchen",
        vec![LampId(GUEST.into()), LampId(K10.into()), LampId(K5.into())],
        now,
    );
    a.add_scene(
        "Dinner",
        vec![SceneItem {
            lamp: LampId(K10.into()),
            target: Target {
                on: true,
                brightness: Some(30),
                ..Target::default()
            },
        }],
        now,
    )
    .unwrap();
    a
}

/// A house whose names do not compress (every lamp renamed to letters from a fixed
/// pseudo-random sequence), so its link needs a QR code past the comfortable size.
fn dense_arrangement(lamps: usize) -> Arrangement {
    let now = 1_796_000_000_000.0;
    let mut seed: u64 = 0x5eed;
    let mut letter = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        char::from(b'a' + ((seed >> 33) % 26) as u8)
    };
    let mut a = Arrangement::default();
    for i in 0..lamps {
        let name: String = (0..18).map(|_| letter()).collect();
        let id = LampId(format!("smarthome/kitchen/lamps/lamp-{i}"));
        a.rename(&id, &name, &format!("lamp-{i}"), now);
    }
    a
}

/// The link's data in a page's `href`.
fn data_of(url: &str) -> &str {
    fragment_data(&url[url.find('#').expect("a fragment")..]).expect("#setup=")
}

#[wasm_bindgen_test]
async fn the_share_panel_shows_a_qr_code_of_the_link_and_the_link_reads_back_as_the_profile() {
    let host = fresh_host();
    save_profile(&home());
    let page = mount(host);
    page.house();
    page.store.arrange(|a, _| {
        *a = arranged();
        true
    });
    settle().await;
    page.click("button.open-settings");
    settle().await;
    until("the share panel", || page.has(".share-setup .share-qr svg")).await;

    let url = page.value("input.share-link");
    let here = web_sys::window().unwrap().location().href().unwrap();
    assert!(
        url.starts_with(&format!("{}#setup=", here.split('#').next().unwrap())),
        "{url}"
    );
    let share = decode(data_of(&url)).expect("the shown link reads");
    assert_eq!(share.profile.name, "Home");
    assert_eq!(share.profile.broker_url, "ws://127.0.0.1:9001/mqtt");
    assert_eq!(share.profile.lamp_filters, home().lamp_filters);
    assert_eq!(share.profile.publish_qos, 2);
    assert_eq!(share.profile.client_id, "");
    assert_eq!(share.profile.password, None, "no password until ticked");
    assert_eq!(
        share.arrangement.lamps[&LampId(K5.into())].name.as_deref(),
        Some("Stove light")
    );
    assert_eq!(share.arrangement.rooms["kitchen"].order.len(), 3);
    assert_eq!(share.arrangement.live_scenes()[0].name, "Dinner");

    // The code drawn is the code of exactly this link: its size and every module.
    let want = qr::encode(&url).unwrap();
    let box_ = page.one(".share-qr");
    assert_eq!(
        box_.get_attribute("data-modules").as_deref(),
        Some(want.width.to_string().as_str())
    );
    assert_eq!(want.width, 17 + 4 * want.version as usize);
    let svg = page.one(".share-qr svg");
    let side = want.width + 2 * qr::QUIET_ZONE;
    assert_eq!(
        svg.get_attribute("viewBox").as_deref(),
        Some(format!("0 0 {side} {side}").as_str())
    );
    let path = page.one(".share-qr svg path").get_attribute("d").unwrap();
    assert_eq!(path, want.path());
    assert!(!page.has(".share-warning"));

    // Ticked: the link holds the password and the panel says so.
    let tick = page.one("input[name=\"share_password\"]");
    tick.clone()
        .unchecked_into::<HtmlInputElement>()
        .set_checked(true);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    tick.dispatch_event(&ev).unwrap();
    settle().await;
    until("the password warning", || page.has(".share-warning")).await;
    assert!(
        page.text(".share-warning")
            .contains("This link contains the password of “alice”"),
        "{}",
        page.text(".share-warning")
    );
    let with = page.value("input.share-link");
    assert_ne!(with, url);
    let share = decode(data_of(&with)).unwrap();
    assert_eq!(share.profile.password.as_deref(), Some("hunter2-long"));
    let path = page.one(".share-qr svg path").get_attribute("d").unwrap();
    assert_eq!(
        path,
        qr::encode(&with).unwrap().path(),
        "the code follows the link"
    );

    // Copy: to the clipboard where allowed, else the link is selected, and it says which.
    page.click("button.share-copy");
    until("the copy outcome", || {
        !page.text(".share-setup .outcome").is_empty()
    })
    .await;
    let said = page.text(".share-setup .outcome");
    assert!(
        said == "Link copied" || said.contains("The link is selected"),
        "{said}"
    );
    let input: HtmlInputElement = page.one("input.share-link").unchecked_into();
    assert_eq!(input.selection_start().unwrap(), Some(0));
    assert_eq!(input.selection_end().unwrap(), Some(with.len() as u32));
}

fn open_with(url: &str) {
    let location = web_sys::window().unwrap().location();
    location
        .set_hash(&url[url.find('#').unwrap() + 1..])
        .unwrap();
}

fn shared_profile() -> Profile {
    Profile {
        id: "pshared42".into(),
        name: "Shared home".into(),
        username: "bob".into(),
        publish_qos: 0,
        ..Profile::with_url("ws://10.1.2.3:9001/mqtt")
    }
}

#[wasm_bindgen_test]
async fn opening_a_setup_link_asks_then_adds_the_profile_and_its_arrangement() {
    let host = fresh_host();
    let made = link("http://x/", &shared_profile(), &arranged(), false);
    open_with(&made.url);
    let page = mount(host);
    settle().await;
    until("the prompt", || page.has("dialog.share-prompt[open]")).await;
    let location = web_sys::window().unwrap().location();
    assert_eq!(
        location.hash().unwrap(),
        "",
        "the fragment is cleared at once"
    );
    assert_eq!(page.text(".share-name"), "Shared home");
    assert_eq!(page.text(".share-broker"), "ws://10.1.2.3:9001/mqtt");
    assert_eq!(
        page.text(".share-what"),
        "Dashboard: 2 lamps arranged, 1 room ordered, 1 scene"
    );
    assert!(page.text(".share-password").starts_with("Not included"));
    assert!(!page.has(".share-will"), "no last will in this link");
    assert!(!page.has("button.share-replace"), "nothing to replace");
    // Nothing changed before the answer.
    assert_eq!(saved_settings().profiles.len(), 1);

    page.click("button.share-add");
    settle().await;
    until("the prompt closes", || {
        !page.has("dialog.share-prompt[open]")
    })
    .await;
    let file = saved_settings();
    assert_eq!(file.profiles.len(), 2);
    assert_eq!(file.selected, "Shared home");
    let p = file.current().unwrap();
    assert_eq!(p.id, "pshared42", "the sharer's id kept");
    assert_eq!(p.publish_qos, 0);
    assert_eq!(p.username, "bob");
    assert!(storage()
        .get_item("lampboard.arrange.pshared42")
        .unwrap()
        .is_some());
    assert_eq!(
        page.value("input[name=\"broker-url\"]"),
        "ws://10.1.2.3:9001/mqtt"
    );

    // The lamps, when they speak, come dressed as the sharer arranged them.
    page.house();
    settle().await;
    until("the kitchen in the shared order", || {
        page.room_lamps("kitchen") == [GUEST, K10, K5]
    })
    .await;
    assert_eq!(page.tile_name(K5), "Stove light");
    assert_eq!(page.text("button.scene-button"), "Dinner");

    // Opened again (the fragment is gone): no second question.
    let document = web_sys::window().unwrap().document().unwrap();
    page.host.remove();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    host.set_class_name("test-host");
    document.body().unwrap().append_child(&host).unwrap();
    let again = mount(host);
    settle().await;
    assert!(!again.has("dialog.share-prompt"));
}

#[wasm_bindgen_test]
async fn a_link_for_a_saved_broker_offers_to_replace_that_profile() {
    let host = fresh_host();
    let mut mine = home();
    mine.broker_url = "ws://10.1.2.3:9001/mqtt".into();
    save_profile(&mine);
    let mut shared = shared_profile();
    shared.will_enabled = true;
    shared.will.topic = "house/phones/status".into();
    let made = link("http://x/", &shared, &arranged(), false);
    open_with(&made.url);
    let page = mount(host);
    settle().await;
    until("the prompt", || page.has("dialog.share-prompt[open]")).await;
    assert_eq!(page.text("button.share-replace"), "Replace “Home”");
    assert_eq!(
        page.text(".share-will"),
        "“offline” on house/phones/status",
        "a last will is shown before it is accepted"
    );
    page.click("button.share-replace");
    settle().await;
    until("the prompt closes", || {
        !page.has("dialog.share-prompt[open]")
    })
    .await;
    let file = saved_settings();
    assert_eq!(file.profiles.len(), 1, "replaced, not added");
    let p = &file.profiles[0];
    assert_eq!((p.name.as_str(), p.id.as_str()), ("Home", "phome0001"));
    assert_eq!(p.publish_qos, 0, "the shared settings");
    assert_eq!(p.username, "bob");
    assert!(p.will_enabled && p.will.topic == "house/phones/status");
    assert_eq!(
        p.password.as_deref(),
        Some("hunter2-long"),
        "the link had no password: the saved one stays"
    );
    page.house();
    settle().await;
    until("the shared names", || page.tile_name(K5) == "Stove light").await;
}

#[wasm_bindgen_test]
async fn a_link_put_in_the_address_bar_of_an_open_page_asks_too() {
    let host = fresh_host();
    let page = mount(host);
    settle().await;
    assert!(!page.has("dialog.share-prompt"));
    // A same-page navigation: no reload, only a hashchange.
    open_with(&link("http://x/", &shared_profile(), &arranged(), false).url);
    until("the prompt", || page.has("dialog.share-prompt[open]")).await;
    assert_eq!(web_sys::window().unwrap().location().hash().unwrap(), "");
    page.click("button.share-cancel");
    settle().await;
    until("the prompt closes", || {
        !page.has("dialog.share-prompt[open]")
    })
    .await;
    assert_eq!(saved_settings().profiles.len(), 1, "Cancel adds nothing");
}

#[wasm_bindgen_test]
async fn a_broken_link_says_why_and_changes_nothing() {
    let host = fresh_host();
    save_profile(&home());
    open_with("http://x/#setup=AQ$$broken");
    let page = mount(host);
    settle().await;
    until("the prompt", || page.has("dialog.share-prompt[open]")).await;
    assert_eq!(
        page.text("#share-prompt-title"),
        "This setup link cannot be used"
    );
    assert!(
        page.text(".share-prompt-why").contains("not base64url"),
        "{}",
        page.text(".share-prompt-why")
    );
    assert_eq!(web_sys::window().unwrap().location().hash().unwrap(), "");
    page.click("button.share-dismiss");
    settle().await;
    until("the prompt closes", || {
        !page.has("dialog.share-prompt[open]")
    })
    .await;
    let file = saved_settings();
    assert_eq!(file.profiles.len(), 1);
    assert_eq!(file.profiles[0].name, "Home");
}

#[wasm_bindgen_test]
async fn a_qr_code_past_the_comfortable_size_says_how_to_share_anyway() {
    let host = fresh_host();
    save_profile(&home());
    let page = mount(host);
    page.house();
    page.click("button.open-settings");
    settle().await;
    until("the share panel", || page.has(".share-setup .share-qr svg")).await;
    assert!(
        !page.has(".share-qr-dense"),
        "a small house's code needs no words"
    );

    page.store.arrange(|a, _| {
        *a = dense_arrangement(80);
        true
    });
    settle().await;
    until("a larger code", || {
        page.one(".share-qr")
            .get_attribute("data-version")
            .and_then(|v| v.parse::<i16>().ok())
            .is_some_and(|v| v > qr::SCANNABLE_VERSION)
    })
    .await;
    let modules = page.one(".share-qr").get_attribute("data-modules").unwrap();
    assert_eq!(
        page.text(".share-qr-dense"),
        format!("This code is dense ({modules} modules a side): if the other phone's camera cannot read it, hold it closer or copy the link instead.")
    );
}
