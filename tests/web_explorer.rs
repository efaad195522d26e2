//! The Messages tab in a real browser: the whole app mounted with a store whose publisher
//! records what it is asked to send, messages fed through `Store::receive` as the MQTT
//! client hands them over. Covers the topic tree (build, counts, search, filter, opening,
//! selection, history, JSON diff), the compact log, "Publish to this topic" from the tree
//! and from the log (the exact publish recorded), saved messages and the words.
#![cfg(target_arch = "wasm32")]

use lampboard::lamp::DirectorySettings;
use lampboard::mqtt::packet::QoS;
use lampboard::store::saved::{legacy_saved_key, saved_key};
use lampboard::store::topic_tree::HISTORY_PER_TOPIC;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
#[path = "common/page.rs"]
mod page;
use frames::{settle, sleep};
use page::{mount, sent, within, Page};

wasm_bindgen_test_configure!(run_in_browser);

/// The app on its Messages tab, with a recording publisher and clean localStorage.
async fn messages_page() -> Page {
    let page = mount();
    page.click("button.tab[data-page=\"messages\"]");
    settle().await;
    page
}

impl Page {
    fn prop(&self, selector: &str, name: &str) -> wasm_bindgen::JsValue {
        js_sys::Reflect::get(&self.one(selector), &name.into()).unwrap()
    }
    /// The tree's rows as (topic, message count) in drawn order.
    fn tree(&self) -> Vec<(String, String)> {
        self.all(".tree-row")
            .iter()
            .map(|r| {
                (
                    r.get_attribute("data-topic").unwrap_or_default(),
                    within(r, ".tree-count").text_content().unwrap_or_default(),
                )
            })
            .collect()
    }
    fn row(&self, topic: &str) -> Element {
        self.one(&format!(".tree-row[data-topic=\"{topic}\"]"))
    }
}

fn text_in(el: &Element, selector: &str) -> String {
    within(el, selector).text_content().unwrap_or_default()
}

const KITCHEN: &str = "smarthome/kitchen/lamps/counter";
const HALL: &str = "smarthome/hall/lamps/entry";

fn pairs(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Two lamps (one heard twice), a text and a binary topic.
fn house(page: &Page) {
    page.receive(KITCHEN, br#"{"state":"OFF"}"#, QoS::AtLeastOnce, true);
    page.receive(
        KITCHEN,
        br#"{"state":"ON","brightness":80}"#,
        QoS::AtLeastOnce,
        true,
    );
    page.receive(HALL, br#"{"state":"OFF"}"#, QoS::AtMostOnce, true);
    page.receive("other/text", b"offline", QoS::AtMostOnce, false);
    page.receive("other/bin", &[0, 1, 255], QoS::ExactlyOnce, false);
}

#[wasm_bindgen_test]
async fn the_tree_shows_every_level_with_counts_times_and_last_payloads() {
    let page = messages_page().await;
    house(&page);
    settle().await;
    // Levels in name order, parents first, every node with its message count.
    assert_eq!(
        page.tree(),
        pairs(&[
            ("other", "2"),
            ("other/bin", "1"),
            ("other/text", "1"),
            ("smarthome", "3"),
            ("smarthome/hall", "1"),
            ("smarthome/hall/lamps", "1"),
            (HALL, "1"),
            ("smarthome/kitchen", "2"),
            ("smarthome/kitchen/lamps", "2"),
            (KITCHEN, "2"),
        ])
    );
    let smarthome = page.row("smarthome");
    assert_eq!(text_in(&smarthome, ".tree-topics"), "2 topics");
    assert_eq!(text_in(&smarthome, ".tree-name"), "smarthome");
    assert!(
        !text_in(&smarthome, ".tree-time").is_empty(),
        "a branch has a time"
    );
    assert!(smarthome.query_selector(".tree-payload").unwrap().is_none());
    // Leaves: the last payload (JSON and text as they are, binary as hex), retained marked.
    let kitchen = page.row(KITCHEN);
    assert_eq!(text_in(&kitchen, ".tree-name"), "counter");
    assert_eq!(
        text_in(&kitchen, ".tree-payload"),
        r#"{"state":"ON","brightness":80}"#
    );
    assert!(kitchen.query_selector(".mark.retained").unwrap().is_some());
    assert_eq!(text_in(&page.row("other/text"), ".tree-payload"), "offline");
    assert!(page
        .row("other/text")
        .query_selector(".mark.retained")
        .unwrap()
        .is_none());
    assert_eq!(text_in(&page.row("other/bin"), ".tree-payload"), "00 01 ff");
    assert_eq!(page.text(".tree-summary"), "4 topics");

    // Live: a new message moves the counts at the next frame.
    page.receive(KITCHEN, br#"{"state":"OFF"}"#, QoS::AtLeastOnce, false);
    settle().await;
    assert_eq!(text_in(&page.row("smarthome"), ".tree-count"), "4");
    assert_eq!(text_in(&page.row(KITCHEN), ".tree-count"), "3");

    // Closing a branch hides what is below it; opening shows it again.
    page.click(".tree-row[data-topic=\"smarthome\"] .tree-toggle");
    settle().await;
    let topics: Vec<String> = page.tree().into_iter().map(|(t, _)| t).collect();
    assert_eq!(topics, ["other", "other/bin", "other/text", "smarthome"]);
    assert_eq!(
        page.row("smarthome")
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("false")
    );
    page.click(".tree-row[data-topic=\"smarthome\"] .tree-toggle");
    settle().await;
    assert_eq!(page.tree().len(), 10);
}

#[wasm_bindgen_test]
async fn search_and_the_filter_narrow_the_tree_and_its_counts() {
    let page = messages_page().await;
    house(&page);
    settle().await;
    page.type_into("input[name=\"tree-search\"]", "KITCHEN");
    settle().await;
    assert_eq!(
        page.tree(),
        pairs(&[
            ("smarthome", "2"),
            ("smarthome/kitchen", "2"),
            ("smarthome/kitchen/lamps", "2"),
            (KITCHEN, "2"),
        ])
    );
    assert_eq!(page.text(".tree-summary"), "1 of 4 topics match");
    page.type_into("input[name=\"tree-search\"]", "");
    page.type_into("input[name=\"log-filter\"]", "other/+");
    settle().await;
    assert_eq!(
        page.tree(),
        pairs(&[("other", "2"), ("other/bin", "1"), ("other/text", "1")])
    );
    // The log follows the same filter.
    assert_eq!(page.all(".log-row").len(), 2);
    // A filter error is a sentence: no capital after the opening quote.
    page.type_into("input[name=\"log-filter\"]", "a/#/b");
    settle().await;
    let error = page.one(".log-tools .field-error");
    assert_eq!(
        error.text_content().unwrap_or_default(),
        "“#” must be the last level"
    );
    let style = web_sys::window()
        .unwrap()
        .get_computed_style_with_pseudo_elt(&error, "::first-letter")
        .unwrap()
        .unwrap();
    assert_ne!(
        style.get_property_value("text-transform").unwrap(),
        "uppercase",
        "CSS must not capitalise what follows the quote"
    );
}

#[wasm_bindgen_test]
async fn a_selected_topic_shows_its_history_and_what_changed_in_json() {
    let page = messages_page().await;
    house(&page);
    page.receive(
        KITCHEN,
        br#"{"state":"ON","brightness":120,"color_temp":300}"#,
        QoS::AtLeastOnce,
        false,
    );
    settle().await;
    assert!(!page.has(".topic-detail"));
    page.click(&format!(".tree-row[data-topic=\"{KITCHEN}\"] .tree-name"));
    settle().await;
    let detail = page.one(&format!(
        ".tree-row[data-topic=\"{KITCHEN}\"] .topic-detail"
    ));
    assert_eq!(
        text_in(&detail, ".detail-payload"),
        "{\n  \"brightness\": 120,\n  \"color_temp\": 300,\n  \"state\": \"ON\"\n}",
        "the last payload, pretty-printed"
    );
    assert!(text_in(&detail, ".detail-facts").starts_with("3 messages"));
    let items = page.all(".topic-detail .history-item");
    assert_eq!(items.len(), 3, "every payload so far, newest first");
    let diff = |item: &Element| -> Vec<String> {
        let list = item.query_selector_all(".diff li").unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
            .collect()
    };
    assert_eq!(
        diff(&items[0]),
        ["brightness: 80 → 120", "+ color_temp: 300"]
    );
    assert_eq!(
        diff(&items[1]),
        ["+ brightness: 80", "state: \"OFF\" → \"ON\""]
    );
    assert!(
        diff(&items[2]).is_empty(),
        "the first payload has nothing before it"
    );
    assert_eq!(text_in(&items[2], ".log-preview"), r#"{"state":"OFF"}"#);

    // The history is bounded, and the selection survives the updates.
    for i in 0..30 {
        page.receive(
            KITCHEN,
            format!(r#"{{"state":"ON","brightness":{i}}}"#).as_bytes(),
            QoS::AtLeastOnce,
            false,
        );
    }
    settle().await;
    assert_eq!(
        page.all(".topic-detail .history-item").len(),
        HISTORY_PER_TOPIC
    );
    assert_eq!(
        diff(&page.all(".topic-detail .history-item")[0]),
        ["brightness: 28 → 29"]
    );
    // Tapping the topic again closes its detail.
    page.click(&format!(".tree-row[data-topic=\"{KITCHEN}\"] .tree-name"));
    settle().await;
    assert!(!page.has(".topic-detail"));
}

#[wasm_bindgen_test]
async fn publish_to_this_topic_from_the_tree_fills_opens_and_focuses_the_form() {
    let page = messages_page().await;
    house(&page);
    settle().await;
    assert_eq!(
        page.prop("details.publish-box", "open").as_bool(),
        Some(false),
        "folded at this width"
    );
    page.click(&format!(".tree-row[data-topic=\"{KITCHEN}\"] .tree-name"));
    settle().await;
    page.click(".topic-detail .publish-here");
    settle().await;
    settle().await;
    assert_eq!(
        page.prop("details.publish-box", "open").as_bool(),
        Some(true)
    );
    assert_eq!(
        page.prop("input[name=\"publish-topic\"]", "value")
            .as_string()
            .as_deref(),
        Some(KITCHEN)
    );
    assert_eq!(
        page.prop("textarea[name=\"publish-payload\"]", "value")
            .as_string()
            .as_deref(),
        Some(r#"{"state":"ON","brightness":80}"#)
    );
    assert_eq!(
        page.prop("select[name=\"publish-qos\"]", "value")
            .as_string()
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        page.prop("input[name=\"publish-retain\"]", "checked")
            .as_bool(),
        Some(true)
    );
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .and_then(|e| e.get_attribute("name"));
    assert_eq!(focused.as_deref(), Some("publish-payload"));
    let top = page
        .one("details.publish-box")
        .get_bounding_client_rect()
        .top();
    let height = web_sys::window()
        .unwrap()
        .inner_height()
        .unwrap()
        .as_f64()
        .unwrap();
    // (No stylesheet here, so no scroll margin: the top lands at the viewport's top.)
    assert!(
        top > -1.0 && top < height,
        "scrolled into view: top {top} of {height}"
    );
    page.click("button.publish");
    settle().await;
    assert_eq!(
        page.rec.sent(),
        [sent(
            KITCHEN,
            r#"{"state":"ON","brightness":80}"#,
            QoS::AtLeastOnce,
            true
        )]
    );
}

#[wasm_bindgen_test]
async fn the_compact_log_has_one_line_per_message_and_opens_to_the_payload() {
    let page = messages_page().await;
    page.receive(
        KITCHEN,
        br#"{"state":"ON","brightness":3}"#,
        QoS::AtLeastOnce,
        true,
    );
    page.receive(
        "other/lines",
        b"first line\nsecond line",
        QoS::AtMostOnce,
        false,
    );
    settle().await;
    page.click("button.pane-button[data-pane=\"log\"]");
    settle().await;
    let rows = page.all(".log-row");
    assert_eq!(rows.len(), 2);
    assert_eq!(text_in(&rows[0], ".log-topic"), "other/lines");
    assert_eq!(text_in(&rows[0], ".log-preview"), "first line…");
    assert_eq!(text_in(&rows[0], ".log-meta"), "Q0");
    assert_eq!(text_in(&rows[1], ".log-meta"), "Q1R");
    assert!(rows[1]
        .query_selector(".log-meta .retained")
        .unwrap()
        .is_some());
    assert_eq!(
        text_in(&rows[1], ".log-preview"),
        r#"{"state":"ON","brightness":3}"#
    );
    // One line each: a row is no taller than a 30-odd pixel line (15 fit in 540 px).
    for row in &rows {
        let h = row.get_bounding_client_rect().height();
        assert!(h > 0.0 && h <= 36.0, "a log row is {h} px tall");
    }
    // Opened: the whole payload, pretty, and "Publish to this topic".
    let line = within(&rows[1], "details.log-line");
    within(&line, "summary")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert_eq!(
        js_sys::Reflect::get(&line, &"open".into())
            .unwrap()
            .as_bool(),
        Some(true)
    );
    assert_eq!(
        text_in(&rows[1], ".log-payload"),
        "{\n  \"brightness\": 3,\n  \"state\": \"ON\"\n}"
    );
    within(&rows[0], ".publish-here")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    page.click("button.publish");
    settle().await;
    assert_eq!(
        page.rec.sent(),
        [sent(
            "other/lines",
            "first line\nsecond line",
            QoS::AtMostOnce,
            false
        )]
    );
}

#[wasm_bindgen_test]
async fn clear_view_empties_the_log_the_tree_and_the_counters() {
    let page = messages_page().await;
    house(&page);
    settle().await;
    assert!(page.text(".log-counts").contains("5 kept of 5 received"));
    assert_eq!(page.text(".clear-log"), "Clear view");
    page.click(".clear-log");
    settle().await;
    assert!(page.all(".log-row").is_empty());
    assert!(page.all(".tree-row").is_empty());
    assert_eq!(page.text(".log-counts"), "0 kept of 0 received");
    page.receive("again", b"1", QoS::AtMostOnce, false);
    settle().await;
    assert_eq!(page.text(".log-counts"), "1 kept of 1 received");
    assert_eq!(page.tree(), pairs(&[("again", "1")]));
    assert!(
        page.rec.sent().is_empty(),
        "clearing the view sends nothing"
    );
}

#[wasm_bindgen_test]
async fn saved_messages_are_kept_per_profile_and_fill_the_form() {
    let page = messages_page().await;
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    page.type_into("input[name=\"publish-topic\"]", "lampboard/scene");
    page.type_into("textarea[name=\"publish-payload\"]", "movie");
    page.click(".save-message");
    settle().await;
    assert_eq!(page.all(".saved-item").len(), 1);
    assert_eq!(page.text(".saved-use"), "lampboard/scene · movie");
    let key = saved_key(
        &page.store.profile_id(),
        &page.store.profile.get_untracked(),
    );
    assert_eq!(page.store.profile.get_untracked(), "Default");
    let stored = storage
        .get_item(&key)
        .unwrap()
        .expect("stored for the profile");
    assert!(
        stored.contains("lampboard/scene") && stored.contains("movie"),
        "{stored}"
    );

    page.type_into("input[name=\"publish-topic\"]", "other");
    page.type_into("textarea[name=\"publish-payload\"]", "x");
    page.click(".saved-use");
    settle().await;
    page.click("button.publish");
    settle().await;
    assert_eq!(
        page.rec.sent(),
        [sent("lampboard/scene", "movie", QoS::AtLeastOnce, false)]
    );
    page.click(".saved-remove");
    settle().await;
    assert!(page.all(".saved-item").is_empty());
    assert_eq!(storage.get_item(&key).unwrap().as_deref(), Some("[]"));
    // Another profile has a list of its own.
    page.store.profile.set("Holiday house".into());
    sleep(0).await;
    settle().await;
    assert!(page.all(".saved-item").is_empty());
}

#[wasm_bindgen_test]
async fn saved_messages_belong_to_the_profiles_id_and_an_earlier_versions_list_moves_there() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let page = mount();
    // An earlier version kept the list under the profile's name.
    let legacy = legacy_saved_key("Cabin");
    storage
        .set_item(
            &legacy,
            r#"[{"topic":"cabin/heating","payload":"on","qos":1,"retain":false}]"#,
        )
        .unwrap();
    page.store
        .use_profile("pcabin01", "Cabin", DirectorySettings::default());
    page.click("button.tab[data-page=\"messages\"]");
    settle().await;
    assert_eq!(page.text(".saved-use"), "cabin/heating · on");
    assert_eq!(
        storage.get_item(&legacy).unwrap(),
        None,
        "moved, not copied"
    );
    let moved = storage
        .get_item("lampboard.saved.pcabin01")
        .unwrap()
        .expect("under the profile's id");
    assert!(moved.contains("cabin/heating"), "{moved}");

    // A rename keeps the list: the name is no longer the key.
    page.store.profile.set("Lake cabin".into());
    sleep(0).await;
    settle().await;
    assert_eq!(page.text(".saved-use"), "cabin/heating · on");
    storage.remove_item("lampboard.saved.pcabin01").unwrap();
}
