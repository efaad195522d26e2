//! The app's state: lamps by topic, the connection status, what the user
//! sent, the explorer's message log and the saved settings. One signal per
//! lamp, so a message re-renders one card, not the grid.
//!
//! `view`, `log`, `topic_tree`, `json_diff`, `saved`, `retained`, `settings`, `snapshot`, `queue` and
//! `profile_keys` are pure
//! (tested natively); the reactive
//! store exists on wasm32.

pub mod json_diff;
pub mod log;
pub mod profile_keys;
pub mod queue;
pub mod retained;
pub mod saved;
pub mod settings;
pub mod snapshot;
pub mod topic_tree;
pub mod view;

#[cfg(target_arch = "wasm32")]
mod reactive;
#[cfg(target_arch = "wasm32")]
pub use reactive::{
    Publisher, Store, ARRIVAL_CAP_MS, ARRIVAL_QUIET_MS, ARRIVAL_SETTLE_MS, CARD_PACE_MS,
};
