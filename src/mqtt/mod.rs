//! MQTT 3.1.1, pure: packet types, the codec and topic rules. No web-sys, no leptos,
//! and no knowledge of lamps, so it is tested natively in milliseconds.

pub mod codec;
pub mod error;
pub mod packet;
pub mod session;
pub mod topic;
