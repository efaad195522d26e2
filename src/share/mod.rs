//! Share the setup (issue 16): a link and a QR code that open Lampboard on another device
//! with a profile filled in and its dashboard arranged. Pure (no web-sys, no leptos):
//! `link` encodes and reads the `#setup=` fragment, `qr` draws it, `plan` decides what
//! accepting it does to the saved profiles; `ui/share_panel.rs` and `ui/share_prompt.rs`
//! are the browser's side.

pub mod base64url;
pub mod link;
pub mod plan;
pub mod qr;

pub use link::{decode, encode, fragment_data, link, SetupLink, Share};
