//! `cargo xtask test`: every check CI runs, in the order that fails fastest.

use std::process::Command;

use crate::broker::Harness;
use crate::setup::setup;
use crate::steps::build_release;
use crate::steps::{run, run_counted, StepFailed, Steps};
use crate::workspace::Workspace;

/// Setup, then format, lints (native and wasm32), native tests, browser tests,
/// the release build, and the end-to-end suite against Mosquitto, rumqttd, RabbitMQ and
/// aedes.
/// Stops at the first failing step.
pub fn test(ws: &Workspace, steps: &mut Steps) -> Result<(), StepFailed> {
    setup(ws, steps)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    steps.run("rustfmt check", |_| {
        run(Command::new(&cargo).args(["fmt", "--all", "--", "--check"]))
    })?;
    steps.run("clippy (native)", |_| {
        run(Command::new(&cargo).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.run("clippy (wasm32)", |_| {
        run(Command::new(&cargo).args([
            "clippy",
            "-p",
            "lampboard",
            "-p",
            "lampboard-templates",
            "--lib",
            "--bins",
            "--tests",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.run("native tests", |counts| {
        // The end-to-end suite needs dist/ and lampsim; it runs last, below.
        run_counted(
            Command::new(&cargo).args(["test", "--workspace", "--exclude", "e2e"]),
            counts,
        )
    })?;
    steps.run(
        &format!(
            "fuzz the decoder ({} s, from its regression corpus)",
            fuzz_seconds()
        ),
        |_| fuzz_decoder(ws),
    )?;
    steps.run("browser tests (headless Chromium)", |counts| {
        // A real Mosquitto for tests/web_client.rs, stopped when `broker`
        // drops: after the run, on failure and on panic alike.
        let broker = Harness::start()?;
        let mut cmd = Command::new("wasm-pack");
        cmd.args(["test", "--headless", "--chrome"]);
        // The tests read these with option_env! (wasm has no environment);
        // rustc records them in dep-info, so new ports rebuild that test.
        cmd.envs(broker.env());
        // The runner's default (20 s per test binary) is too short for the
        // broker-restart test and the explorer's 10,000-topic flood (72-106 s on a
        // loaded 2-core machine, 286 s with five builds beside it); an explicit setting
        // wins. A limit, not a measurement.
        if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
            cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "600");
        }
        let result = run_counted(&mut cmd, counts);
        drop(broker);
        result
    })?;
    build_release(steps, &cargo)?;
    // The dashboard suite runs against every broker; the other suites need Mosquitto
    // (password files, TLS, its fault proxy) or start their own broker (rabbitmq.rs:
    // the QoS 2 downgrade), so they run once.
    let suites: [(&str, &[&str]); 4] = [
        ("mosquitto", &["--tests"]),
        ("rumqttd", &["--test", "dashboard"]),
        ("rabbitmq", &["--test", "dashboard"]),
        ("aedes", &["--test", "dashboard"]),
    ];
    for (broker, targets) in suites {
        steps.run(
            &format!("end-to-end in headless Chromium ({broker})"),
            |counts| {
                // One browser at a time: parallel Chromiums on two cores make timing flaky.
                run_counted(
                    Command::new(&cargo)
                        .args(["test", "-p", "e2e"])
                        .args(targets)
                        .args(["--", "--test-threads=1"])
                        .env("LAMPBOARD_E2E_BROKER", broker),
                    counts,
                )
            },
        )?;
    }
    Ok(())
}

/// How long CI fuzzes: `LAMPBOARD_FUZZ_SECONDS`, else one minute.
fn fuzz_seconds() -> u64 {
    std::env::var("LAMPBOARD_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
}

/// Runs the decoder's libFuzzer target for a minute from the committed regression corpus.
/// Stable Rust with no sanitizer: the machine has one toolchain, and the decoder is safe
/// Rust (address sanitizer runs need nightly: see fuzz/Cargo.toml). New interesting inputs
/// go to target/fuzz-corpus, never into the committed corpus; a crash leaves its input in
/// fuzz/artifacts/decode/ and fails the step (the native suite replays the committed
/// corpus, so a fixed crash is added there and stays checked).
fn fuzz_decoder(ws: &Workspace) -> Result<(), String> {
    let found = ws.root.join("target/fuzz-corpus/decode");
    std::fs::create_dir_all(&found).map_err(|e| format!("{}: {e}", found.display()))?;
    run(Command::new("cargo")
        .current_dir(&ws.root)
        .args(["fuzz", "run", "decode", "--sanitizer", "none", "--target-dir"])
        .arg(ws.root.join("target/fuzz"))
        .arg(&found)
        .arg(ws.root.join("fuzz/regressions/decode"))
        .arg("--")
        .arg(format!("-max_total_time={}", fuzz_seconds()))
        .arg("-print_final_stats=1"))
    .map_err(|e| {
        format!("{e}\n    the failing input is in fuzz/artifacts/decode/: fix the decoder, then copy it into fuzz/regressions/decode/")
    })
}
