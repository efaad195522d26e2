//! Home Assistant's template engine is a second wasm module the page fetches on first need
//! (net/template_module.rs). This test page has no module to fetch (no
//! `<meta name="lampboard-templates">`), as a build without it would: the light with templates
//! still appears once the load has failed, its sheet says why its templates cannot be
//! evaluated, and a command is refused in words instead of sending something wrong. The
//! successful load runs in the release build end to end (e2e/tests/real_homes.rs).
//!
//! One test per file: the engine's load is tried once per page.
#![cfg(target_arch = "wasm32")]

use lampboard::lamp::{LampChange, LampId};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
#[path = "common/page.rs"]
mod page;
use frames::{settle, sleep};
use page::{mount, within};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TEMPLATE: &str = "homeassistant/light/desk/config";
const PLAIN: &str = "homeassistant/light/hall/config";

#[wasm_bindgen_test]
async fn a_template_light_without_its_engine_appears_and_says_why() {
    let page = mount();
    let template = r#"{"schema":"template","name":"Desk","command_topic":"desk/set",
        "state_topic":"desk/state","command_on_template":"on","command_off_template":"off",
        "state_template":"{{ value }}"}"#;
    let plain =
        r#"{"schema":"json","name":"Hall","command_topic":"hall/set","state_topic":"hall/state"}"#;
    page.store
        .handle_message(TEMPLATE, template.as_bytes(), true);
    page.store.handle_message(PLAIN, plain.as_bytes(), true);
    settle().await;
    let card = |id: &str| format!("article.lamp-card[data-lamp=\"{id}\"]");
    assert!(
        page.has(&card(PLAIN)),
        "a light without templates never waits"
    );
    let mut waited = 0;
    while !page.has(&card(TEMPLATE)) {
        assert!(waited < 100, "the template light never appeared");
        sleep(20).await;
        waited += 1;
    }
    within(&page.one(&card(TEMPLATE)), "button.tile-open")
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    let note = page.text("dialog.lamp-sheet .lamp-note");
    assert!(
        note.contains("could not be loaded (this build of Lampboard does not include it)"),
        "{note}"
    );
    page.store
        .change(&LampId(TEMPLATE.into()), LampChange::On(true));
    settle().await;
    assert!(page.rec.sent().is_empty(), "{:?}", page.rec.sent());
}
