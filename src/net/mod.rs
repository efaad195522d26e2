//! Getting MQTT bytes to and from the broker over a browser WebSocket.
//!
//! The policies (reconnect backoff, broker URL rules) are pure and tested
//! natively; the socket and timers that apply them exist only on wasm32.

pub mod backoff;
pub mod broker_url;
pub mod status;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
mod socket;
#[cfg(target_arch = "wasm32")]
pub mod template_module;
