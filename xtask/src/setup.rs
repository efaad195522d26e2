//! `cargo xtask setup`: installs what the other commands need, idempotently.
//! Every tool is checked first and skipped when it is already there at the
//! right version, so running setup twice costs a few seconds.

use std::path::Path;
use std::process::Command;

use crate::steps::{capture, run, StepFailed, Steps};
use crate::versions::{first_version, locked_version};
use crate::workspace::Workspace;

/// trunk's newest release that builds with this machine's rustc.
pub const TRUNK_VERSION: &str = "0.21.14";
/// The wasm-pack release verified to drive headless Chromium here.
pub const WASM_PACK_VERSION: &str = "0.15.1";
/// cargo-fuzz drives the decoder's libFuzzer target in every test run.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// wasm-split-cli (crate `wasm_split_cli_support`, feature `build-binary`): cuts the release
/// wasm into the first load and the chunks of the views opened later (scripts/split-wasm.mjs).
pub const WASM_SPLIT_VERSION: &str = "0.2.4";
/// wasm-opt must be binaryen 132 (Debian's 108 breaks the app).
pub const WASM_OPT_VERSION: &str = "132";
/// Debian packages: the browser and its driver for tests, the brokers for tests and dev
/// (Mosquitto, and RabbitMQ for its quirks: QoS 2 downgraded, retained withheld from
/// wildcards), openssl for the certificates the `wss://` tests make.
pub const APT_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "mosquitto",
    "mosquitto-clients",
    "openssl",
    "rabbitmq-server",
];

/// RabbitMQ's plugins the suite needs: MQTT, and MQTT over WebSocket (`/ws`).
pub const RABBITMQ_PLUGINS: &[&str] = &["rabbitmq_mqtt", "rabbitmq_web_mqtt"];

/// What to tell a user whose machine setup cannot change by itself.
pub const MANUAL_STEPS: &str = "\
Install these by hand, then run the command again:
  rustup target add wasm32-unknown-unknown
  rustup toolchain install nightly-2026-05-20 --profile minimal -c rust-src -t wasm32-unknown-unknown
  cargo install --locked trunk --version 0.21.14
  cargo install wasm-bindgen-cli --version <the wasm-bindgen version in Cargo.lock>
  cargo install --locked wasm-pack --version 0.15.1
  cargo install --locked cargo-fuzz --version 0.13.2
  cargo install --locked wasm_split_cli_support --version 0.2.4 --features build-binary
  npm ci                      # binaryen 132 into node_modules/.bin
  Debian/Ubuntu: sudo apt-get install chromium chromium-driver mosquitto mosquitto-clients openssl rabbitmq-server
  then: sudo rabbitmq-plugins enable --offline rabbitmq_mqtt rabbitmq_web_mqtt
  macOS (Homebrew): brew install --cask chromium && brew install chromedriver mosquitto
  Other Linux: your distribution's chromium, chromedriver and mosquitto packages
(see README.md, 'Manual setup').";

/// Runs every setup step; each one is skipped when already satisfied.
pub fn setup(ws: &Workspace, steps: &mut Steps) -> Result<(), StepFailed> {
    steps.run("wasm32 target", |_| wasm32_target())?;
    steps.run(
        &format!(
            "{} with rust-src and wasm32 (release build)",
            crate::nightly::NIGHTLY
        ),
        |_| release_nightly(),
    )?;
    steps.run("apt packages", |_| apt_packages(APT_PACKAGES))?;
    steps.run("RabbitMQ plugins (MQTT, Web MQTT)", |_| rabbitmq_plugins())?;
    steps.run(
        "npm devDependencies (binaryen 132, axe-core, mqtt.js, aedes, ws, lighthouse)",
        |_| npm_tools(ws),
    )?;
    steps.run(&format!("trunk {TRUNK_VERSION}"), |_| {
        cargo_tool("trunk", "trunk", TRUNK_VERSION, true)
    })?;
    let bindgen =
        locked_version(&ws.read("Cargo.lock")?, "wasm-bindgen").ok_or_else(|| StepFailed {
            step: "wasm-bindgen-cli".into(),
            why: "Cargo.lock names no wasm-bindgen version".into(),
        })?;
    steps.run(&format!("wasm-bindgen-cli {bindgen}"), |_| {
        check_trunk_pin(ws, &bindgen)?;
        // Its own lock pins a crate version the registry lacks: no --locked.
        cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen, false)?;
        match tool_version("wasm-bindgen-test-runner") {
            Some(v) if v == bindgen => Ok(()),
            other => Err(format!(
                "wasm-bindgen-test-runner is {other:?}, expected {bindgen}: reinstall wasm-bindgen-cli"
            )),
        }
    })?;
    steps.run(&format!("wasm-pack {WASM_PACK_VERSION}"), |_| {
        cargo_tool("wasm-pack", "wasm-pack", WASM_PACK_VERSION, true)
    })?;
    steps.run(&format!("cargo-fuzz {CARGO_FUZZ_VERSION}"), |_| {
        cargo_tool("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION, true)
    })?;
    steps.run(&format!("wasm-split-cli {WASM_SPLIT_VERSION}"), |_| {
        wasm_split_cli()
    })?;
    Ok(())
}

/// wasm-split-cli has no `--version`: cargo's own list of installed crates says which one
/// is there.
fn wasm_split_cli() -> Result<(), String> {
    let krate = "wasm_split_cli_support";
    let listed = capture(Command::new(cargo()).args(["install", "--list"])).unwrap_or_default();
    let wanted = format!("{krate} v{WASM_SPLIT_VERSION}:");
    if listed.lines().any(|l| l.trim() == wanted)
        && capture(Command::new("wasm-split-cli").arg("--help")).is_some()
    {
        println!("    wasm-split-cli {WASM_SPLIT_VERSION} already installed");
        return Ok(());
    }
    println!("    wasm-split-cli: installing {krate} {WASM_SPLIT_VERSION} (this takes minutes)");
    cargo_install(krate, WASM_SPLIT_VERSION, true, &["build-binary"])
}

/// The version a tool reports with `--version`, or None when it is missing.
pub fn tool_version(bin: &str) -> Option<String> {
    capture(Command::new(bin).arg("--version")).and_then(|out| first_version(&out))
}

fn wasm32_target() -> Result<(), String> {
    let installed = capture(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or("rustup is missing: install Rust through https://rustup.rs")?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("    already installed");
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The pinned nightly the release build runs on, with the standard library's source
/// (`-Zbuild-std` rebuilds it) and its wasm32 target; each part skipped when present.
fn release_nightly() -> Result<(), String> {
    use crate::nightly::{toolchain, NIGHTLY};
    let toolchain = match toolchain() {
        Ok(found) => found,
        Err(_) => {
            println!("    installing {NIGHTLY} (minimal profile)");
            run(Command::new("rustup").args([
                "toolchain",
                "install",
                NIGHTLY,
                "--profile",
                "minimal",
                "--component",
                "rust-src",
                "--target",
                "wasm32-unknown-unknown",
            ]))?;
            NIGHTLY.to_owned()
        }
    };
    let listed = |what: &str| {
        capture(Command::new("rustup").args([
            what,
            "list",
            "--toolchain",
            &toolchain,
            "--installed",
        ]))
        .unwrap_or_default()
    };
    if has_line(&listed("component"), "rust-src") {
        println!("    {toolchain}: rust-src already installed");
    } else {
        run(Command::new("rustup").args([
            "component",
            "add",
            "rust-src",
            "--toolchain",
            &toolchain,
        ]))?;
    }
    if has_line(&listed("target"), "wasm32-unknown-unknown") {
        println!("    {toolchain}: wasm32-unknown-unknown already installed");
    } else {
        run(Command::new("rustup").args([
            "target",
            "add",
            "wasm32-unknown-unknown",
            "--toolchain",
            &toolchain,
        ]))?;
    }
    // trunk builds offline (Trunk.toml), and `-Zbuild-std` resolves std's own dependencies
    // (compiler_builtins, dlmalloc, ...) from its Cargo.lock: fetch them now, once. A no-op
    // when they are already in cargo's cache.
    let sysroot = capture(
        Command::new("rustc")
            .arg(format!("+{toolchain}"))
            .args(["--print", "sysroot"]),
    )
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
    .ok_or_else(|| format!("`rustc +{toolchain} --print sysroot` printed nothing"))?;
    let library = Path::new(&sysroot).join("lib/rustlib/src/rust/library/Cargo.toml");
    run(Command::new("cargo")
        .arg(format!("+{toolchain}"))
        .args(["fetch", "--manifest-path"])
        .arg(&library))
}

/// Whether `list` (rustup's output, one name a line) has `name` on a line of its own.
pub fn has_line(list: &str, name: &str) -> bool {
    list.lines().any(|l| l.trim() == name)
}

/// Whether a Debian package is installed, through dpkg's own database.
pub fn apt_installed(package: &str) -> bool {
    capture(Command::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .is_some_and(|s| s.contains("install ok installed"))
}

fn apt_packages(packages: &[&str]) -> Result<(), String> {
    let mut missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !apt_installed(p))
        .collect();
    if tool_version("npm").is_none() {
        missing.extend(["nodejs", "npm"]);
    }
    if missing.is_empty() {
        println!("    already installed: {}", packages.join(", "));
        return Ok(());
    }
    if !Path::new("/etc/debian_version").exists() {
        return Err(format!(
            "missing {} and this is not Debian or Ubuntu.\n{MANUAL_STEPS}",
            missing.join(", ")
        ));
    }
    let root = capture(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0");
    if !root {
        return Err(format!(
            "missing {} and installing needs root: run `sudo apt-get install {}`.\n{MANUAL_STEPS}",
            missing.join(", "),
            missing.join(" ")
        ));
    }
    println!("    installing {}", missing.join(", "));
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Enables RabbitMQ's MQTT plugins in its system plugin list, offline (no node runs):
/// what a user does once. The suite's own nodes list the same plugins in their own
/// file, so they do not depend on this.
fn rabbitmq_plugins() -> Result<(), String> {
    let enabled = std::fs::read_to_string("/etc/rabbitmq/enabled_plugins").unwrap_or_default();
    if RABBITMQ_PLUGINS.iter().all(|p| enabled.contains(p)) {
        println!("    {} already enabled", RABBITMQ_PLUGINS.join(", "));
        return Ok(());
    }
    let tool = crate::tools::find_tool("rabbitmq-plugins")?;
    run(Command::new(tool)
        .args(["enable", "--offline"])
        .args(RABBITMQ_PLUGINS))
}

fn npm_tools(ws: &Workspace) -> Result<(), String> {
    let wasm_opt = ws.root.join("node_modules/.bin/wasm-opt");
    let have = capture(Command::new(&wasm_opt).arg("--version")).and_then(|s| first_version(&s));
    // axe-core: the end-to-end accessibility check injects its script.
    let axe = ws.root.join("node_modules/axe-core/axe.min.js");
    // mqtt.js: the peer `cargo xtask bench` measures the app against.
    let mqtt = ws.root.join("node_modules/mqtt/dist/mqtt.min.js");
    // aedes and ws: the aedes broker the end-to-end suite also runs against.
    let aedes = ws.root.join("node_modules/aedes/package.json");
    let ws_lib = ws.root.join("node_modules/ws/package.json");
    // lighthouse: `cargo xtask bench` scores both pages with it (12.2.3: newer needs Node 22).
    let lighthouse = ws.root.join("node_modules/lighthouse/package.json");
    let all =
        axe.exists() && mqtt.exists() && aedes.exists() && ws_lib.exists() && lighthouse.exists();
    if have.as_deref() == Some(WASM_OPT_VERSION) && all {
        println!("    wasm-opt {WASM_OPT_VERSION}, axe-core, mqtt.js, aedes, ws and lighthouse already in node_modules");
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&ws.root))?;
    let have = capture(Command::new(&wasm_opt).arg("--version")).and_then(|s| first_version(&s));
    match have.as_deref() {
        Some(WASM_OPT_VERSION) => Ok(()),
        other => Err(format!(
            "after npm ci, wasm-opt is {other:?}, expected {WASM_OPT_VERSION}"
        )),
    }
}

fn cargo_tool(bin: &str, krate: &str, version: &str, locked: bool) -> Result<(), String> {
    let have = tool_version(bin);
    if have.as_deref() == Some(version) {
        println!("    {bin} {version} already installed");
        return Ok(());
    }
    println!("    {bin}: have {have:?}, want {version}: installing (this takes minutes)");
    cargo_install(krate, version, locked, &[])?;
    match tool_version(bin) {
        Some(v) if v == version => Ok(()),
        other => Err(format!(
            "installed {krate} {version} but `{bin} --version` says {other:?}: is ~/.cargo/bin on PATH?"
        )),
    }
}

/// The cargo that runs xtask (the toolchain's own), else the one on PATH.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// `cargo install krate --version version --force`, `--locked` when the crate's own lock
/// resolves, with `features` (none for most tools).
fn cargo_install(
    krate: &str,
    version: &str,
    locked: bool,
    features: &[&str],
) -> Result<(), String> {
    let mut cmd = Command::new(cargo());
    cmd.args(["install", krate, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    run(&mut cmd)
}

/// Trunk.toml must name the same wasm-bindgen as Cargo.lock, or trunk fails offline.
fn check_trunk_pin(ws: &Workspace, bindgen: &str) -> Result<(), String> {
    let trunk_toml = ws.read("Trunk.toml").map_err(|e| e.why)?;
    let wanted = format!("wasm_bindgen = \"{bindgen}\"");
    if trunk_toml.lines().any(|l| l.trim() == wanted) {
        Ok(())
    } else {
        Err(format!(
            "Trunk.toml must say `{wanted}` to match Cargo.lock"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_name_matches_only_its_own_line() {
        let components =
            "cargo-x86_64-unknown-linux-gnu\nrust-src\nrustc-x86_64-unknown-linux-gnu\n";
        assert!(has_line(components, "rust-src"));
        assert!(!has_line("rust-src-extra\n", "rust-src"));
        assert!(!has_line("", "wasm32-unknown-unknown"));
        assert!(has_line(
            "x86_64-unknown-linux-gnu\nwasm32-unknown-unknown\n",
            "wasm32-unknown-unknown"
        ));
    }

    #[test]
    fn the_manual_steps_name_the_pinned_nightly() {
        assert!(MANUAL_STEPS.contains(crate::nightly::NIGHTLY));
    }
}
