//! Lampboard: see and control MQTT lamps from a phone or a browser.
//!
//! The pure modules (`mqtt`, `lamp`) compile and are tested natively; the
//! browser modules (`ui`, and later `net` and `store`) exist only on wasm32.

#![warn(missing_docs)]

pub mod lamp;
pub mod mqtt;

#[cfg(target_arch = "wasm32")]
pub mod ui;
