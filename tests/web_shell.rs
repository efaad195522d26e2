//! The app shell in a real browser: it mounts, shows the header and the
//! connection status line.
#![cfg(target_arch = "wasm32")]

use lampboard::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_app() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), || leptos::view! { <App manual=true /> }).forget();
    host
}

#[wasm_bindgen_test]
fn header_names_the_app() {
    let host = mount_app();
    let h1 = host
        .query_selector("header h1")
        .unwrap()
        .expect("a header h1");
    assert_eq!(h1.text_content().unwrap(), "Lampboard");
}

#[wasm_bindgen_test]
fn status_line_starts_disconnected_and_is_a_live_region() {
    let host = mount_app();
    let line = host
        .query_selector(".status-line")
        .unwrap()
        .expect("a status line");
    assert_eq!(line.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(
        line.get_attribute("data-status").as_deref(),
        Some("disconnected")
    );
    assert_eq!(line.text_content().unwrap().trim(), "Not connected");
    assert!(host.query_selector("main.lamp-area").unwrap().is_some());
}
