//! Leptos components. Everything here renders state from the store; nothing
//! here speaks MQTT or parses lamp JSON itself.

mod actions_menu;
mod app;
mod color_wheel;
mod connect_panel;
mod dashboard;
mod explorer;
mod focus_trap;
mod lamp_arrange;
mod lamp_controls;
mod lamp_sheet;
mod lamp_tile;
mod outcome;
mod publish_form;
mod room_bar;
mod room_header;
mod scenes;
mod search_bar;
mod settings_drawer;
mod share_panel;
mod share_prompt;
mod split;
mod status_line;
mod throttled;
mod topic_tree_view;
mod view_switch;

pub use app::App;
pub use connect_panel::{default_broker_url, fresh_client_id, ConnectPanel, SETTINGS_KEY};
pub use dashboard::Dashboard;
pub use explorer::Explorer;
pub use lamp_arrange::LampArrangeControls;
pub use lamp_sheet::{LampSheet, SheetHandle, FAVOURITES_KEY};
pub use lamp_tile::LampTile;
pub use status_line::StatusLine;
pub use view_switch::VIEW_KEY;
