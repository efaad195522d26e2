//! Lampboard: see and control MQTT lamps from a phone or a browser.
//!
//! The pure modules (`mqtt`, `lamp`, `throttle`, and the policy parts of `net`
//! and `store`) compile and are tested natively; the browser parts (the
//! WebSocket client, the reactive store, `ui`) exist only on wasm32.

#![warn(missing_docs)]

pub mod arrange;
pub mod chunks;
pub mod lamp;
pub mod mqtt;
pub mod net;
pub mod share;
pub mod store;
pub mod throttle;

#[cfg(target_arch = "wasm32")]
pub mod ui;
