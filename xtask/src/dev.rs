//! `cargo xtask dev`: setup, then the app served on loopback with trunk.

use std::process::Command;

use crate::setup::setup;
use crate::steps::{run, StepFailed, Steps};
use crate::workspace::Workspace;

/// Where the dev server listens; also written in Trunk.toml.
pub const DEV_URL: &str = "http://127.0.0.1:8080/";

/// Runs until the user presses Ctrl-C; trunk rebuilds on every saved file.
pub fn dev(ws: &Workspace, steps: &mut Steps) -> Result<(), StepFailed> {
    setup(ws, steps)?;
    println!();
    println!("    Lampboard will be served at {DEV_URL} (Ctrl-C stops it).");
    println!("    Reload the page after a rebuild: live reload is off because the CSP forbids its inline script.");
    println!();
    steps.run("trunk serve", |_| run(Command::new("trunk").arg("serve")))
}
