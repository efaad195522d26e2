//! Fetches Home Assistant's template engine, a second wasm module (the `lampboard-templates`
//! crate, built by `scripts/template-module.mjs` into `templates-<hash>/`), the first time the
//! directory meets a light with templates, and installs it in `lamp::templating`.
//!
//! Most homes (Zigbee2MQTT, Tasmota, Shelly, WLED, Home Assistant's JSON schema) never need
//! it, so it is not part of the first load. The page names the module's URL in
//! `<meta name="lampboard-templates">` (written at build time, since the name carries a hash);
//! the service worker keeps it with the rest of the app for offline starts.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::lamp::templating::{self, TemplateEngine};

thread_local! {
    /// Whether a load has started on this page (it is tried once; a reload tries again).
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// The loaded module, called through its JS exports.
struct ModuleEngine {
    check: Function,
    render: Function,
}

impl TemplateEngine for ModuleEngine {
    fn check(&self, source: &str) -> Result<(), String> {
        let answer = self
            .check
            .call1(&JsValue::NULL, &source.into())
            .map_err(|e| words(&e))?;
        answer.as_string().map_or(Ok(()), Err)
    }

    fn render(&self, source: &str, variables: &Map<String, Value>) -> Result<String, String> {
        let json = serde_json::to_string(variables).map_err(|e| e.to_string())?;
        self.render
            .call2(&JsValue::NULL, &source.into(), &json.into())
            .map_err(|e| words(&e))?
            .as_string()
            .ok_or_else(|| "the template engine answered something other than text".into())
    }
}

/// A thrown JS value as words: an `Error`'s message, or the string itself.
fn words(thrown: &JsValue) -> String {
    thrown
        .as_string()
        .or_else(|| {
            thrown
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "unknown error".into())
}

/// `name` of `object` as a function.
fn function(object: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(object, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| format!("the template engine has no {name}()"))
}

/// Imports the module at `url` and starts it. Dynamic `import()` is only JS syntax, so
/// boot.js lends it as `lampboardImport` (a wasm-bindgen snippet would be one more file on
/// every first load).
async fn import_module(url: &str) -> Result<ModuleEngine, String> {
    let import = function(&js_sys::global(), "lampboardImport")
        .map_err(|_| "this page cannot load modules (no boot.js)".to_owned())?;
    let promise: Promise = import
        .call1(&JsValue::NULL, &url.into())
        .map_err(|e| words(&e))?
        .dyn_into()
        .map_err(|_| "import() did not return a promise".to_owned())?;
    let module = JsFuture::from(promise).await.map_err(|e| words(&e))?;
    let started = function(&module, "default")?
        .call0(&JsValue::NULL)
        .map_err(|e| words(&e))?;
    if let Ok(started) = started.dyn_into::<Promise>() {
        JsFuture::from(started).await.map_err(|e| words(&e))?;
    }
    Ok(ModuleEngine {
        check: function(&module, "check")?,
        render: function(&module, "render")?,
    })
}

/// The module's URL from the page's `<meta name="lampboard-templates">`, made absolute.
fn module_url() -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let meta = document
        .query_selector("meta[name=lampboard-templates]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .ok_or("this build of Lampboard does not include it")?;
    let base = document.base_uri().ok().flatten().unwrap_or_default();
    web_sys::Url::new_with_base(&meta, &base)
        .map(|u| u.href())
        .map_err(|e| words(&e))
}

/// Starts loading the engine unless a load has started already; `done` runs once it is
/// installed or has failed (templates then say why), so held configs can be replayed.
pub fn load(done: impl FnOnce() + 'static) {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = match module_url() {
            Ok(url) => import_module(&url).await,
            Err(reason) => Err(reason),
        };
        match loaded {
            Ok(engine) => templating::install(Rc::new(engine)),
            Err(reason) => templating::fail(reason),
        }
        done();
    });
}
