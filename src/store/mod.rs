//! The app's state: lamps by topic, the connection status and what the user
//! sent. One signal per lamp, so a message re-renders one card, not the grid.
//!
//! `view` is pure (tested natively); the reactive store exists on wasm32.

pub mod view;

#[cfg(target_arch = "wasm32")]
mod reactive;
#[cfg(target_arch = "wasm32")]
pub use reactive::{Publisher, Store};
