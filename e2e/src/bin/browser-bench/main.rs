//! `browser-bench`: the browser half of `cargo xtask bench`. Drives the release
//! build (dist/) and the mqtt.js peer page (bench/peer/) in the same headless
//! Chromium against the same Mosquitto, and prints raw samples as JSON for
//! xtask to turn into medians, ratios and BENCHMARKS.md. It judges nothing:
//! budgets are xtask's business, and nothing here is a test.
//!
//! `browser-bench [--quick] [--only startup,flood,memory,latency,lighthouse] [--out FILE]`

mod flood;
mod latency;
mod lighthouse;
mod memory;
mod pages;
mod startup;

use std::time::Duration;

use serde_json::{json, Value};

/// How much of everything to do: the real run, or a quick one while developing.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Fresh page loads per page for start-up.
    pub startup_runs: usize,
    /// Lamps lampsim retains for start-up.
    pub startup_lamps: usize,
    /// Rate ladders per page for floods.
    pub flood_runs: usize,
    /// Seconds each flood rate lasts.
    pub flood_secs: f64,
    /// How long the memory run lasts, and how often it samples.
    pub memory_total: Duration,
    pub memory_every: Duration,
    /// Clicks per page for latency.
    pub clicks: usize,
    /// Lighthouse runs per page.
    pub lighthouse_runs: usize,
}

impl Plan {
    fn real() -> Self {
        Self {
            startup_runs: 5,
            startup_lamps: 1000,
            flood_runs: 5,
            flood_secs: 3.0,
            memory_total: Duration::from_secs(600),
            memory_every: Duration::from_secs(30),
            clicks: 200,
            lighthouse_runs: 3,
        }
    }

    fn quick() -> Self {
        Self {
            startup_runs: 2,
            startup_lamps: 1000,
            flood_runs: 1,
            flood_secs: 2.0,
            memory_total: Duration::from_secs(40),
            memory_every: Duration::from_secs(10),
            clicks: 30,
            lighthouse_runs: 1,
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let only = value_of("--only");
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|w| w.trim() == name))
    };
    let out = value_of("--out");
    let plan = if quick { Plan::quick() } else { Plan::real() };

    let pages = match pages::Pages::prepare() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("browser-bench: {why}");
            std::process::exit(2);
        }
    };
    let mut results = serde_json::Map::new();
    results.insert("quick".into(), json!(quick));
    let mut section = |name: &str, value: Value| {
        eprintln!("browser-bench: {name} done");
        results.insert(name.to_owned(), value);
    };
    if wanted("startup") {
        section("startup", startup::run(&pages, &plan).await);
    }
    if wanted("flood") {
        section("flood", flood::run(&pages, &plan).await);
    }
    if wanted("latency") {
        section("latency", latency::run(&pages, &plan).await);
    }
    if wanted("lighthouse") {
        section(
            "lighthouse",
            lighthouse::run(&pages, plan.lighthouse_runs).await,
        );
    }
    if wanted("memory") {
        section("memory", memory::run(&pages, &plan).await);
    }
    let text = serde_json::to_string_pretty(&Value::Object(results)).unwrap_or_default();
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, &text) {
                eprintln!("browser-bench: cannot write {path}: {e}");
                std::process::exit(1);
            }
        }
        None => println!("{text}"),
    }
}
