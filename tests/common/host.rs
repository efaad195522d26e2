//! Where the browser tests (tests/web_dashboard.rs, tests/web_memory.rs, …) mount the app.
#![allow(dead_code)]

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// A fresh element at the top of the page to mount the app in, with clean localStorage.
/// Earlier tests' apps are taken off the page, so this one starts at the top of the
/// viewport as a fresh page load does (cards build their controls only near the viewport).
pub fn fresh_host() -> HtmlElement {
    let window = web_sys::window().unwrap();
    if let Ok(Some(s)) = window.local_storage() {
        let _ = s.clear();
    }
    let document = window.document().unwrap();
    let earlier = document.query_selector_all(".test-host").unwrap();
    for i in 0..earlier.length() {
        if let Some(old) = earlier.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            old.remove();
        }
    }
    window.scroll_to_with_x_and_y(0.0, 0.0);
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    host.set_class_name("test-host");
    document.body().unwrap().append_child(&host).unwrap();
    host
}
