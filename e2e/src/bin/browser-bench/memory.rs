//! Memory: JS heap plus wasm memory while lampsim floods 200 messages per second
//! with the explorer open, sampled at a fixed interval.
//!
//! Before each sample the page's `gc()` (Chromium's `--js-flags=--expose-gc`)
//! runs, so the JS figure is live data; `performance.memory` is exact with
//! `--enable-precise-memory-info`. The wasm figure is the module's linear
//! memory (`globalThis.lampboardWasmMemory`, set by boot.js), which only grows.

use std::time::{Duration, Instant};

use e2e::{Broker, BrokerKind, Lampsim};
use serde_json::{json, Value};

use crate::pages::{wait_cards, Page, Pages};
use crate::Plan;

/// The message rate of the run.
pub const RATE: u32 = 200;

const SAMPLE: &str = r#"
  if (globalThis.gc) gc();
  const t = document.querySelector('.log-counts');
  const m = t && t.textContent.match(/(\d+) kept of (\d+) received/);
  return {
    js: performance.memory ? performance.memory.usedJSHeapSize : null,
    wasm: globalThis.lampboardWasmMemory ? globalThis.lampboardWasmMemory.buffer.byteLength : null,
    kept: m ? Number(m[1]) : null,
    received: m ? Number(m[2]) : null,
    rows: document.querySelectorAll('.log-row').length,
  };"#;

/// One run of `plan.memory_total`, a sample every `plan.memory_every`.
pub async fn run(pages: &Pages, plan: &Plan) -> Value {
    let broker = Broker::start(BrokerKind::Mosquitto);
    let _lampsim = Lampsim::start(&broker, &["--quiet", "--flood", &RATE.to_string()]);
    let session = pages.browser().await;
    pages.open(&session, Page::App, &broker.ws_url()).await;
    wait_cards(&session, 12).await;
    session
        .js("document.querySelector('.tab[data-page=\"messages\"]').click(); return true")
        .await;
    session
        .wait_until(
            "the explorer is open",
            "document.querySelector('.log-counts')",
            Duration::from_secs(30),
        )
        .await;
    let start = Instant::now();
    let mut samples = Vec::new();
    loop {
        let mut s = session.js(SAMPLE).await;
        let t = start.elapsed().as_secs_f64();
        s["t_s"] = json!(t);
        eprintln!("browser-bench: memory at {t:.0} s: {s}");
        samples.push(s);
        if start.elapsed() >= plan.memory_total {
            break;
        }
        let next = Duration::from_secs_f64(
            (samples.len() as f64 * plan.memory_every.as_secs_f64())
                .min(plan.memory_total.as_secs_f64()),
        );
        tokio::time::sleep(next.saturating_sub(start.elapsed())).await;
    }
    session.close().await;
    json!({
        "rate": RATE,
        "secs": plan.memory_total.as_secs(),
        "every_secs": plan.memory_every.as_secs(),
        "ring": 500,
        "samples": samples,
    })
}
