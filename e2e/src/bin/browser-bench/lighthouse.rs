//! Lighthouse: the score a phone user meets, Lighthouse 12's mobile preset (a mid-range phone,
//! simulated slow 4G and 4x CPU), on the app and on the mqtt.js page, each served gzipped,
//! three runs each, alternating, against one Mosquitto with lampsim's house.
//!
//! Lighthouse starts its own Chromium with a fresh profile per run, so no setting can be put
//! in the app's localStorage first: the app's first-visit profile points at
//! `ws://127.0.0.1:9001/mqtt`, so the broker gets a WebSocket listener on exactly that port
//! (the run says so and skips when something else holds it). The peer takes the same URL in
//! its query string. Raw figures come back as JSON; medians and ratios are xtask's.

use std::path::PathBuf;
use std::process::Command;

use e2e::{Broker, Lampsim};
use serde_json::{json, Value};

use crate::pages::{Page, Pages};

/// The app's first-visit broker (`Profile::default` in src/store/settings.rs).
const APP_DEFAULT_PORT: u16 = 9001;

/// The audits kept from each report, by Lighthouse's own ids.
const AUDITS: [(&str, &str); 5] = [
    ("lcp_ms", "largest-contentful-paint"),
    ("tbt_ms", "total-blocking-time"),
    ("cls", "cumulative-layout-shift"),
    ("fcp_ms", "first-contentful-paint"),
    ("bytes", "total-byte-weight"),
];

fn lighthouse_bin() -> PathBuf {
    e2e::repo_root().join("node_modules/.bin/lighthouse")
}

/// The figures of one Lighthouse JSON report, or why there are none.
pub fn figures(report: &Value) -> Result<Value, String> {
    if let Some(e) = report["runtimeError"]["message"].as_str() {
        return Err(format!("Lighthouse: {e}"));
    }
    let score = |cat: &str| {
        report["categories"][cat]["score"]
            .as_f64()
            .map(|s| s * 100.0)
    };
    let mut out = json!({
        "performance": score("performance"),
        "accessibility": score("accessibility"),
    });
    for (key, audit) in AUDITS {
        out[key] = json!(report["audits"][audit]["numericValue"].as_f64());
    }
    if out["performance"].is_null() {
        return Err("the report has no performance score".into());
    }
    Ok(out)
}

fn one_run(url: &str, name: &str) -> Result<Value, String> {
    let dir = e2e::repo_root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("lighthouse-{name}.json"));
    let _ = std::fs::remove_file(&path);
    if !std::path::Path::new(e2e::CHROMIUM).exists() {
        return Err(format!("no {} (apt install chromium)", e2e::CHROMIUM));
    }
    let status = Command::new(lighthouse_bin())
        .arg(url)
        .args([
            "--output=json",
            "--quiet",
            "--only-categories=performance,accessibility",
            "--chrome-flags=--headless=new --no-sandbox",
        ])
        .arg(format!("--output-path={}", path.display()))
        .env("CHROME_PATH", e2e::CHROMIUM)
        .status()
        .map_err(|e| {
            format!(
                "{}: {e} (npm ci installs lighthouse)",
                lighthouse_bin().display()
            )
        })?;
    if !status.success() {
        return Err(format!("lighthouse exited with {status}"));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let report: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    figures(&report)
}

/// `runs` alternating Lighthouse runs of each page.
pub async fn run(pages: &Pages, runs: usize) -> Value {
    if !lighthouse_bin().exists() {
        return json!({ "error": "node_modules/.bin/lighthouse is missing: run `npm ci`" });
    }
    if std::net::TcpListener::bind(("127.0.0.1", APP_DEFAULT_PORT)).is_err() {
        return json!({ "error": format!(
            "port {APP_DEFAULT_PORT} is taken: the app's first visit connects there, so Lighthouse needs it free"
        ) });
    }
    let broker = Broker::start_mosquitto_with(&format!(
        "listener {APP_DEFAULT_PORT} 127.0.0.1\nprotocol websockets\nallow_anonymous true"
    ));
    let _lampsim = Lampsim::start(&broker, &["--quiet"]);
    // lampsim retains its house within a second; give it that before the first load.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let ws = format!("ws://127.0.0.1:{APP_DEFAULT_PORT}/mqtt");
    let mut out = json!({ "runs": runs, "app": [], "peer": [], "errors": [] });
    for run in 0..runs {
        for page in [Page::App, Page::Peer] {
            let url = pages.url(page, &ws);
            let name = format!("{}-{run}", page.name());
            // Lighthouse blocks; keep it off the async runtime's worker.
            let result = tokio::task::spawn_blocking(move || one_run(&url, &name))
                .await
                .unwrap_or_else(|e| Err(format!("the Lighthouse run panicked: {e}")));
            match result {
                Ok(f) => {
                    eprintln!("browser-bench: lighthouse run {run} {}: {f}", page.name());
                    if let Some(a) = out[page.name()].as_array_mut() {
                        a.push(f);
                    }
                }
                Err(why) => {
                    eprintln!("browser-bench: lighthouse run {run} {}: {why}", page.name());
                    if let Some(a) = out["errors"].as_array_mut() {
                        a.push(json!(format!("{} run {run}: {why}", page.name())));
                    }
                }
            }
        }
    }
    drop(broker);
    out
}
