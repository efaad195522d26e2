//! Home Assistant's Jinja templates, evaluated with minijinja the way Home Assistant renders
//! them: Python's spelling of `None`/`True`/`False`, and HA's own `int`, `float`, `round` and
//! `iif` (with their `default` argument and errors when it is missing), registered as filters
//! and functions.
//!
//! Its own crate because minijinja is about a seventh of the app's code and only Home
//! Assistant lights configured with templates need it: natively it is linked into the app
//! (tests, benches); in the browser it is a second wasm module (`module.rs`) that the app
//! fetches the first time such a light is discovered, so every other home never downloads it.
//!
//! The interface is two functions over template *sources*: parsed templates are kept in a
//! per-thread cache, so a template is parsed once however often its lamp reports. Nothing here
//! panics on any template or value; errors are one line of words.

mod ha;
#[cfg(target_arch = "wasm32")]
mod module;

use std::cell::RefCell;
use std::collections::HashMap;

use minijinja::value::Value as JValue;
use minijinja::{Environment, Error};
use serde_json::{Map, Value};

/// How many distinct templates the cache keeps before it starts afresh: a house has tens; a
/// broker that keeps announcing new configs must not grow the page without bound.
const CACHE_LIMIT: usize = 2048;

struct Cache {
    env: Environment<'static>,
    /// Source text -> the name it is registered under, or why it does not parse.
    names: HashMap<String, Result<String, String>>,
}

impl Cache {
    fn new() -> Self {
        Cache {
            env: ha::environment(),
            names: HashMap::new(),
        }
    }

    /// The name `source` is parsed under, parsing it the first time.
    fn name_of(&mut self, source: &str) -> Result<String, String> {
        if let Some(known) = self.names.get(source) {
            return known.clone();
        }
        if self.names.len() >= CACHE_LIMIT {
            *self = Cache::new();
        }
        let name = format!("t{}", self.names.len());
        let parsed = self
            .env
            .add_template_owned(name.clone(), source.to_owned())
            .map(|()| name)
            .map_err(|e| describe(&e));
        self.names.insert(source.to_owned(), parsed.clone());
        parsed
    }
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::new());
}

/// Whether `source` parses, and if not why, in words (for the card's note on a config whose
/// templates Lampboard cannot evaluate).
pub fn check(source: &str) -> Result<(), String> {
    CACHE.with(|c| c.borrow_mut().name_of(source).map(|_| ()))
}

/// Renders `source` with `variables` (`value`/`value_json` for a value template, the change's
/// fields for a command template). `Err` in words when it does not parse or fails to render.
pub fn render(source: &str, variables: &Map<String, Value>) -> Result<String, String> {
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        let name = cache.name_of(source)?;
        let template = cache.env.get_template(&name).map_err(|e| describe(&e))?;
        template
            .render(to_jinja(&Value::Object(variables.clone())))
            .map_err(|e| describe(&e))
    })
}

/// A JSON value as a template value (objects keep their keys, numbers their kind).
fn to_jinja(v: &Value) -> JValue {
    match v {
        Value::Null => JValue::from(()),
        Value::Bool(b) => JValue::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => JValue::from(i),
            (_, Some(u), _) => JValue::from(u),
            (_, _, f) => JValue::from(f.unwrap_or(f64::NAN)),
        },
        Value::String(s) => JValue::from(s.as_str()),
        Value::Array(items) => items.iter().map(to_jinja).collect(),
        Value::Object(map) => {
            let m: std::collections::BTreeMap<JValue, JValue> = map
                .iter()
                .map(|(k, v)| (JValue::from(k.as_str()), to_jinja(v)))
                .collect();
            JValue::from_object(m)
        }
    }
}

/// A one-line description of a minijinja error (no source dump).
fn describe(e: &Error) -> String {
    match e.detail() {
        Some(d) => format!("{} ({d})", e.kind()),
        None => e.kind().to_string(),
    }
}
