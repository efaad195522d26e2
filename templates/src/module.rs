//! The browser's face of this crate: what the app's JS-side loader calls once it has fetched
//! this module. Values cross as JSON text, because the app and this module do not share memory.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::wasm_bindgen;

/// [`crate::check`]: `undefined` when `source` parses, else why not.
#[wasm_bindgen]
pub fn check(source: &str) -> Option<String> {
    crate::check(source).err()
}

/// [`crate::render`] with the variables as a JSON object's text. Throws the reason, in words.
#[wasm_bindgen]
pub fn render(source: &str, variables_json: &str) -> Result<String, String> {
    let variables: Map<String, Value> = serde_json::from_str(variables_json)
        .map_err(|e| format!("the template's variables are not a JSON object ({e})"))?;
    crate::render(source, &variables)
}
