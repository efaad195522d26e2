//! The header, the toolbar's actions menu and the settings drawer's keyboard handling in a
//! real browser (issue 15): the connection folded into the header's status button, which
//! opens the settings; the actions menu (it opens on its first action, arrows move, Escape
//! closes it and gives focus back, choosing an action closes it, so does a tap beside it or
//! Tab out of it); Tab wrapping inside the settings drawer; the connect form's "Connect"
//! and "Stop trying" before a first connection, "Reconnect" and "Disconnect" after one; the
//! Tiles/Cards choice in the settings export and import.
//!
//! The app's stylesheet is not loaded here, so every part is in the layout whatever the
//! window's width; what shows at which width (the menu on phones, the row on desktops) is
//! e2e/tests/tiles.rs's to check, at 390, 768, 1280 and 1920 px.
#![cfg(target_arch = "wasm32")]

use lampboard::net::client::ClientEvent;
use lampboard::net::status::{unreachable_text, ConnectionStatus};
use lampboard::store::settings::SettingsFile;
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
use frames::{settle, sleep};
use page::{fire, mount, within, Page};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

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

fn active() -> Option<Element> {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
}

fn focus(el: &Element) {
    el.unchecked_ref::<HtmlElement>().focus().unwrap();
}

fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

/// Dispatches a key event on `el`; returns whether the page cancelled it (handled it).
fn key(el: &Element, key: &str, shift: bool) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
    ev.default_prevented()
}

fn status(page: &Page, status: ConnectionStatus) {
    page.store.handle_client_event(ClientEvent::Status(status));
}

/// Two lamps in two rooms, so the dashboard (and its toolbar) is drawn.
async fn seeded() -> Page {
    let page = mount();
    page.store.handle_message(
        "smarthome/kitchen/lamps/counter",
        br#"{"state":"ON","brightness":180}"#,
        true,
    );
    page.store
        .handle_message("smarthome/hall/lamps/entry", br#"{"state":"OFF"}"#, true);
    settle().await;
    page
}

// ---------- the header ----------

#[wasm_bindgen_test]
async fn the_header_status_button_says_the_state_in_a_word_and_opens_the_settings() {
    let page = mount();
    settle().await;
    let button = page.one("header button.status-button");
    assert_eq!(page.text("header .status-short"), "Offline");
    let url = "ws://127.0.0.1:1/mqtt";
    status(
        &page,
        ConnectionStatus::Retrying {
            in_secs: 4,
            why: unreachable_text(url),
        },
    );
    settle().await;
    assert_eq!(page.text("header .status-short"), "Retrying");
    assert_eq!(
        button.get_attribute("data-status").as_deref(),
        Some("retrying")
    );
    // The whole sentence stays in the status line (read out) and in the tooltip.
    let full = page.text("header .status-line .status-text");
    assert_eq!(
        full,
        format!("Can't reach the broker at {url}, retrying in 4 s")
    );
    assert_eq!(
        button.get_attribute("title").as_deref(),
        Some(full.as_str())
    );

    status(&page, ConnectionStatus::Connected);
    settle().await;
    assert_eq!(page.text("header .status-short"), "Connected");
    assert_eq!(
        button.get_attribute("aria-label").as_deref(),
        Some("Connected: connection settings")
    );
    // A tap opens the one settings drawer; closing it gives focus back to the button.
    focus(&button);
    click(&button);
    settle().await;
    assert!(page.has("aside.drawer[role=\"dialog\"]"));
    page.click("aside.drawer button.close");
    settle().await;
    assert!(!page.has("aside.drawer"));
    assert_eq!(active().as_ref(), Some(&button), "focus back on the status");
}

// ---------- the actions menu ----------

#[wasm_bindgen_test]
async fn the_actions_menu_opens_on_its_first_action_moves_with_arrows_and_gives_focus_back() {
    let page = seeded().await;
    let toggle = page.one("button.actions-toggle");
    let list = page.one("#dash-actions-list");
    let expanded = || toggle.get_attribute("aria-expanded").unwrap_or_default();
    assert_eq!(expanded(), "false");
    assert_eq!(
        toggle.get_attribute("aria-controls").as_deref(),
        Some("dash-actions-list")
    );
    assert!(!list.has_attribute("data-open"));
    let names: Vec<String> = page
        .all("#dash-actions-list > button")
        .iter()
        .map(|b| b.text_content().unwrap_or_default())
        .collect();
    assert_eq!(names, ["New scene", "Reorder", "All off"]);
    let [new_scene, reorder, all_off] =
        ["button.new-scene", "button.move-mode", "button.all-off"].map(|css| within(&list, css));

    focus(&toggle);
    click(&toggle);
    settle().await;
    assert_eq!(expanded(), "true");
    assert!(list.has_attribute("data-open"));
    assert_eq!(
        active().as_ref(),
        Some(&new_scene),
        "opening focuses the first action"
    );
    // Arrows move between the actions and wrap; Home and End go to the ends.
    for (press, to) in [
        ("ArrowDown", &reorder),
        ("ArrowDown", &all_off),
        ("ArrowDown", &new_scene),
        ("ArrowUp", &all_off),
        ("Home", &new_scene),
        ("End", &all_off),
    ] {
        assert!(key(&active().unwrap(), press, false), "{press} is handled");
        assert_eq!(active().as_ref(), Some(to), "{press}");
    }
    // Tab is the browser's own.
    assert!(!key(&all_off, "Tab", false));
    // Escape closes and focus goes back to the menu button.
    assert!(key(&all_off, "Escape", false));
    settle().await;
    assert_eq!(expanded(), "false");
    assert!(!list.has_attribute("data-open"));
    assert_eq!(active().as_ref(), Some(&toggle));
    // Closed, keys are left alone.
    assert!(!key(&toggle, "ArrowDown", false));

    // Choosing an action runs it, closes the menu and gives focus back.
    click(&toggle);
    settle().await;
    click(&reorder);
    settle().await;
    assert!(page.has("ol.move-list"), "Reorder ran: move mode is on");
    assert!(!list.has_attribute("data-open"));
    assert_eq!(active().as_ref(), Some(&toggle));
    // In move mode a Done button is in sight outside the menu, and ends it.
    page.click("button.move-done");
    settle().await;
    assert!(!page.has("ol.move-list"));
    assert!(!page.has("button.move-done"));

    // A tap beside the open menu closes it.
    click(&toggle);
    settle().await;
    assert!(list.has_attribute("data-open"));
    let tile = page.one("article.lamp-card");
    let init = web_sys::PointerEventInit::new();
    init.set_bubbles(true);
    let tap = web_sys::PointerEvent::new_with_event_init_dict("pointerdown", &init).unwrap();
    tile.dispatch_event(&tap).unwrap();
    settle().await;
    assert!(!list.has_attribute("data-open"), "a tap beside closes it");
    assert_eq!(expanded(), "false");
    // A tap inside does not.
    click(&toggle);
    settle().await;
    let inside = web_sys::PointerEvent::new_with_event_init_dict("pointerdown", &init).unwrap();
    reorder.dispatch_event(&inside).unwrap();
    settle().await;
    assert!(
        list.has_attribute("data-open"),
        "a tap on an action keeps it"
    );
    // Focus moving out of it (Tab past the last action) closes it.
    focus(&all_off);
    focus(&page.one("input.search-input"));
    settle().await;
    assert!(!list.has_attribute("data-open"), "focus leaving closes it");
}

// ---------- the settings drawer ----------

#[wasm_bindgen_test]
async fn tab_and_shift_tab_wrap_inside_the_settings_drawer_and_escape_closes_it() {
    let page = mount();
    settle().await;
    let opener = page.one("button.open-settings");
    focus(&opener);
    click(&opener);
    settle().await;
    let drawer = page.one("aside.drawer");
    let close = within(&drawer, "button.close");
    assert_eq!(active().as_ref(), Some(&close), "focus starts on Close");
    // Close is the first stop: Shift-Tab from it goes to the last, Tab from there wraps.
    assert!(
        key(&close, "Tab", true),
        "Shift-Tab from the first stop is kept inside"
    );
    let last = active().unwrap();
    assert!(drawer.contains(Some(&last)), "still in the drawer");
    assert_ne!(last, close);
    assert!(
        key(&last, "Tab", false),
        "Tab from the last stop is kept inside"
    );
    assert_eq!(
        active().as_ref(),
        Some(&close),
        "Tab from the last stop wraps"
    );
    // In between, Tab and Shift-Tab are the browser's own.
    let url = within(&drawer, "input[name=\"broker_url\"]");
    focus(&url);
    assert!(!key(&url, "Tab", false));
    assert!(!key(&url, "Tab", true));
    // Shift-Tab from the last stop and Tab from the first move on normally.
    focus(&last);
    assert!(!key(&last, "Tab", true));
    focus(&close);
    assert!(!key(&close, "Tab", false));
    // Escape closes it from anywhere inside, and focus goes back to Settings.
    focus(&url);
    key(&url, "Escape", false);
    settle().await;
    assert!(!page.has("aside.drawer"));
    assert_eq!(active().as_ref(), Some(&opener), "focus back on Settings");
}

// ---------- the connect form's words ----------

#[wasm_bindgen_test]
async fn before_a_first_connection_the_buttons_say_connect_and_stop_trying_then_reconnect_and_disconnect(
) {
    let page = mount();
    settle().await;
    let submit = || page.text("form.connect-panel button[type=\"submit\"]");
    assert_eq!(submit(), "Connect");
    assert!(!page.has("button.disconnect"), "nothing to stop yet");
    let unreachable = ConnectionStatus::Retrying {
        in_secs: 2,
        why: unreachable_text("ws://127.0.0.1:1/mqtt"),
    };
    let denied = ConnectionStatus::Denied {
        why: "Wrong user name or password".into(),
        retry_in_secs: Some(5),
    };
    for s in [ConnectionStatus::Connecting, unreachable.clone(), denied] {
        status(&page, s.clone());
        settle().await;
        assert_eq!(submit(), "Connect", "{s:?}");
        assert_eq!(page.text("button.disconnect"), "Stop trying", "{s:?}");
    }
    // Nothing tried: nothing to stop.
    status(&page, ConnectionStatus::Disconnected);
    settle().await;
    assert_eq!(submit(), "Connect");
    assert!(!page.has("button.disconnect"));
    // Once connected, a dropped connection is one to re-do.
    status(&page, ConnectionStatus::Connected);
    settle().await;
    assert!(!page.has("form.connect-panel"), "folded while connected");
    status(&page, unreachable);
    settle().await;
    assert_eq!(submit(), "Reconnect");
    assert_eq!(page.text("button.disconnect"), "Disconnect");
    // After the user disconnected: Connect again, nothing to stop.
    status(&page, ConnectionStatus::Disconnected);
    settle().await;
    assert_eq!(submit(), "Connect");
    assert!(!page.has("button.disconnect"));
}

// ---------- the Tiles/Cards choice in the export ----------

/// Opens the settings drawer afresh (its outcome line empty), picks `text` as the file of
/// the import input and waits for the import's outcome.
async fn import(page: &Page, text: &str) {
    if page.has("aside.drawer") {
        page.click("aside.drawer button.close");
        settle().await;
    }
    page.click("button.open-settings");
    settle().await;
    let parts = js_sys::Array::of1(&text.into());
    let file = web_sys::File::new_with_str_sequence(&parts, "settings.json").unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = page.one("input.import").unchecked_into();
    input.set_files(dt.files().as_ref());
    fire(&input, "change");
    until("the import finished", || {
        page.text(".drawer-foot .outcome").starts_with("Imported")
    })
    .await;
    settle().await;
}

#[wasm_bindgen_test]
async fn the_tiles_or_cards_choice_goes_into_the_settings_export_and_an_import_applies_it() {
    let page = seeded().await;
    let view = || {
        page.one(".lamps")
            .get_attribute("data-view")
            .unwrap_or_default()
    };
    let stored = || {
        web_sys::window()
            .unwrap()
            .local_storage()
            .unwrap()
            .unwrap()
            .get_item(lampboard::ui::VIEW_KEY)
            .unwrap()
    };
    assert_eq!(view(), "tiles");
    page.click(".view-button[data-view-choice=\"cards\"]");
    settle().await;
    assert_eq!(view(), "cards");

    page.click("button.open-settings");
    settle().await;
    let file = SettingsFile::from_json(&capture_export(|| page.click("button.export")).await.1)
        .expect("a valid export");
    assert_eq!(file.lamp_view.as_deref(), Some("cards"));

    // A file saying tiles: the dashboard shows tiles at once, and remembers it.
    let mut tiles = file.clone();
    tiles.lamp_view = Some("tiles".into());
    import(&page, &tiles.to_export_json()).await;
    assert_eq!(view(), "tiles");
    assert_eq!(stored().as_deref(), Some("tiles"));
    assert_eq!(
        page.one(".view-button[data-view-choice=\"tiles\"]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    // A file without a choice (an older export) leaves the page's alone.
    page.click(".view-button[data-view-choice=\"cards\"]");
    settle().await;
    let mut none = file;
    none.lamp_view = None;
    import(&page, &none.to_export_json()).await;
    assert_eq!(view(), "cards");
    assert_eq!(stored().as_deref(), Some("cards"));
}
