//! Lampboard: see and control MQTT lamps from a phone or a browser.
//!
//! The pure modules (`mqtt`, `lamp`) compile and are tested natively; the
//! browser modules (`net`, `store`, `ui`) exist only on wasm32.

pub mod lamp;
pub mod mqtt;
