//! The settings export as a browser test sees it: the app offers the file as a download
//! (a click on an `<a download>` with a blob URL), which a test catches before the browser
//! saves anything, then reads through `fetch`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Runs `click_export` (a click on the Export button), catches the download link it clicks
/// and returns the file's name and text.
pub async fn capture_export(click_export: impl FnOnce()) -> (String, String) {
    let caught: Rc<RefCell<Option<(String, String)>>> = Rc::default();
    let c = caught.clone();
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        if let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            if !a.download().is_empty() {
                ev.prevent_default();
                *c.borrow_mut() = Some((a.href(), a.download()));
            }
        }
    });
    let document = web_sys::window().unwrap().document().unwrap();
    document
        .add_event_listener_with_callback_and_bool("click", listener.as_ref().unchecked_ref(), true)
        .unwrap();
    click_export();
    document
        .remove_event_listener_with_callback_and_bool(
            "click",
            listener.as_ref().unchecked_ref(),
            true,
        )
        .unwrap();
    let (href, name) = caught
        .borrow_mut()
        .take()
        .expect("the export clicked a download link");
    assert!(href.starts_with("blob:"), "{href}");
    let response: web_sys::Response =
        JsFuture::from(web_sys::window().unwrap().fetch_with_str(&href))
            .await
            .unwrap()
            .unchecked_into();
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    (name, text.as_string().unwrap())
}
