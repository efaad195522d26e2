//! Which engine renders Home Assistant's Jinja templates, and whether it is there yet.
//!
//! The engine (minijinja, the `lampboard-templates` crate) is a seventh of the app's code and
//! only lights configured with templates need it, so the browser build does not link it: the
//! page fetches it as a second wasm module the first time discovery meets such a light
//! (`net::template_module`), and the directory holds those configs back until it has arrived
//! ([`crate::lamp::system::Found::NeedsTemplates`]). Native builds link it, so the lamp model
//! and its tests never wait.
//!
//! Per thread (the page has one): a test can make its own thread's engine pending or failed
//! without touching other tests.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{Map, Value};

/// Something that parses and renders templates from their source text.
pub trait TemplateEngine {
    /// Whether `source` parses, and if not why, in words.
    fn check(&self, source: &str) -> Result<(), String>;
    /// `source` rendered with `variables`, or why it could not be, in words.
    fn render(&self, source: &str, variables: &Map<String, Value>) -> Result<String, String>;
}

/// Where the engine stands.
#[derive(Clone)]
enum EngineState {
    /// Not loaded yet (the browser before the first light with templates).
    Pending,
    /// Ready to render.
    Ready(Rc<dyn TemplateEngine>),
    /// Could not be loaded (offline on a first visit, a missing file): templates fail with this.
    Failed(String),
}

thread_local! {
    static ENGINE: RefCell<EngineState> = RefCell::new(initial_state());
}

#[cfg(not(target_arch = "wasm32"))]
fn initial_state() -> EngineState {
    EngineState::Ready(Rc::new(Linked))
}

#[cfg(target_arch = "wasm32")]
fn initial_state() -> EngineState {
    EngineState::Pending
}

/// The engine linked into native builds.
#[cfg(not(target_arch = "wasm32"))]
struct Linked;

#[cfg(not(target_arch = "wasm32"))]
impl TemplateEngine for Linked {
    fn check(&self, source: &str) -> Result<(), String> {
        lampboard_templates::check(source)
    }

    fn render(&self, source: &str, variables: &Map<String, Value>) -> Result<String, String> {
        lampboard_templates::render(source, variables)
    }
}

/// Makes `engine` the one templates render with (the loader, once the module has arrived).
pub fn install(engine: Rc<dyn TemplateEngine>) {
    ENGINE.with(|e| *e.borrow_mut() = EngineState::Ready(engine));
}

/// Records that the engine cannot be had, so templates say why instead of waiting forever.
pub fn fail(reason: impl Into<String>) {
    ENGINE.with(|e| *e.borrow_mut() = EngineState::Failed(reason.into()));
}

/// Puts this thread's engine back to not loaded, as a page starts (tests of the wait).
pub fn set_pending() {
    ENGINE.with(|e| *e.borrow_mut() = EngineState::Pending);
}

/// Native builds: puts the linked engine back (tests that made it pending or failed).
#[cfg(not(target_arch = "wasm32"))]
pub fn install_linked() {
    install(Rc::new(Linked));
}

/// Whether templates have to wait for the engine: discovery holds configs with templates back
/// while this is true.
pub fn is_pending() -> bool {
    ENGINE.with(|e| matches!(*e.borrow(), EngineState::Pending))
}

fn current() -> Result<Rc<dyn TemplateEngine>, String> {
    ENGINE.with(|e| match &*e.borrow() {
        EngineState::Ready(engine) => Ok(engine.clone()),
        EngineState::Pending => Err("Home Assistant's template engine has not loaded yet".into()),
        EngineState::Failed(reason) => Err(format!(
            "Home Assistant's template engine could not be loaded ({reason})"
        )),
    })
}

/// Whether `source` parses, with the current engine.
pub fn check(source: &str) -> Result<(), String> {
    current()?.check(source)
}

/// `source` rendered with `variables`, with the current engine.
pub fn render(source: &str, variables: &Map<String, Value>) -> Result<String, String> {
    current()?.render(source, variables)
}
