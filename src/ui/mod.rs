//! Leptos components. Everything here renders state from the store; nothing
//! here speaks MQTT or parses lamp JSON itself.

mod app;
mod connect_panel;
mod dashboard;
mod explorer;
mod lamp_card;
pub mod nearby;
mod outcome;
mod publish_form;
mod settings_drawer;
mod status_line;
mod throttled;
mod topic_tree_view;

pub use app::App;
pub use connect_panel::{default_broker_url, fresh_client_id, ConnectPanel};
pub use dashboard::Dashboard;
pub use explorer::Explorer;
pub use lamp_card::LampCard;
pub use status_line::StatusLine;
