//! Leptos components. Everything here renders state from the store; nothing
//! here speaks MQTT or parses lamp JSON itself.

mod app;
mod status_line;

pub use app::App;
pub use status_line::{ConnectionStatus, StatusLine};
