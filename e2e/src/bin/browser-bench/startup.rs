//! Start-up: from navigation start (performance.timeOrigin) until the page has
//! N `article.lamp-card` elements, N retained lamps waiting on the broker.
//!
//! A MutationObserver is installed through CDP before any page script runs, so
//! the time is taken in the page, when the last card is inserted, with no
//! polling from outside. A second time is taken after the next frame's style,
//! layout and paint (roughly when the cards are on screen). Every run is a fresh first
//! visit: service worker, caches and localStorage are cleared on a blank page
//! of the same origin first, so the app's snapshot cannot draw cards early.
//! The broker is rumqttd with lampsim's 1,000 retained lamps (`--lamps 1000`).
//!
//! Then the same runs again with the CPU slowed 4x (CDP `Emulation.setCPUThrottlingRate`,
//! Lighthouse's mobile slowdown): a slow phone, where the app's start-up cost shows most.

use std::time::Duration;

use e2e::{Broker, BrokerKind, Lampsim};
use serde_json::{json, Value};

use crate::pages::{wait_cards, Page, Pages};
use crate::Plan;

/// Installed on every new document; harmless on pages that never reach `want` cards.
fn observer_script(want: usize) -> String {
    format!(
        r#"(() => {{
  const want = {want};
  const cards = document.getElementsByClassName('lamp-card');
  let seen = false;
  const check = () => {{
    if (seen || cards.length < want) return;
    seen = true;
    const dom = performance.now();
    obs.disconnect();
    // A task queued from the next animation frame runs after that frame's style,
    // layout and paint: roughly when the cards are on screen.
    requestAnimationFrame(() => setTimeout(() => {{
      globalThis.__benchStartup = {{ dom, frame: performance.now(), cards: cards.length }};
    }}, 0));
  }};
  const obs = new MutationObserver(check);
  obs.observe(document, {{ childList: true, subtree: true }});
}})();"#
    )
}

/// Runs `plan.startup_runs` fresh loads of each page, alternating app and peer.
pub async fn run(pages: &Pages, plan: &Plan) -> Value {
    let lamps = plan.startup_lamps;
    // rumqttd (lampsim's broker): Mosquitto's default `max_queued_messages 1000` drops
    // retained messages past about a thousand when a WebSocket client subscribes, so
    // neither page would ever see all 1,000 lamps there.
    let broker = Broker::start(BrokerKind::Rumqttd);
    let _lampsim = Lampsim::start(
        &broker,
        &["--quiet", "--lamps", &lamps.to_string(), "--rooms", "20"],
    );
    let session = pages.browser().await;
    // Warm-up, not measured: proves every retained lamp is on the broker before timing.
    pages.open(&session, Page::Peer, &broker.ws_url()).await;
    wait_cards(&session, lamps).await;
    if let Err(why) = session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": observer_script(lamps) }),
        )
        .await
    {
        eprintln!("browser-bench: start-up observer not installed: {why}");
        return json!({ "error": why });
    }
    let mut out = json!({
        "lamps": lamps, "app": [], "peer": [], "app_frame": [], "peer_frame": [],
        "throttle": THROTTLE, "app_throttled": [], "peer_throttled": [],
    });
    measure(
        pages,
        &session,
        &broker.ws_url(),
        plan.startup_runs,
        lamps,
        &mut out,
        "",
    )
    .await;
    match session
        .cdp(
            "Emulation.setCPUThrottlingRate",
            json!({ "rate": THROTTLE }),
        )
        .await
    {
        Ok(_) => {
            let runs = plan.startup_runs;
            measure(
                pages,
                &session,
                &broker.ws_url(),
                runs,
                lamps,
                &mut out,
                "_throttled",
            )
            .await;
            let _ = session
                .cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 1 }))
                .await;
        }
        Err(why) => eprintln!("browser-bench: no CPU throttling: {why}"),
    }
    session.close().await;
    out
}

/// How much slower the CPU runs in the throttled start-up runs.
const THROTTLE: u32 = 4;

/// `runs` fresh loads of each page, alternating; samples go to `out[<page><suffix>]` (and the
/// painted time to `out[<page>_frame]` for the unthrottled runs).
async fn measure(
    pages: &Pages,
    session: &e2e::Session,
    ws: &str,
    runs: usize,
    lamps: usize,
    out: &mut Value,
    suffix: &str,
) {
    for run in 0..runs {
        for page in [Page::App, Page::Peer] {
            pages.blank_slate(session, page, ws).await;
            session
                .client
                .goto(&pages.url(page, ws))
                .await
                .expect("the page loads");
            session
                .wait_until(
                    &format!("{} renders {lamps} cards", page.name()),
                    "globalThis.__benchStartup",
                    Duration::from_secs(240),
                )
                .await;
            let t = session.js("return globalThis.__benchStartup").await;
            let (dom, frame) = (t["dom"].as_f64(), t["frame"].as_f64());
            eprintln!(
                "browser-bench: start-up{suffix} run {run} {}: {dom:?} ms (frame {frame:?} ms)",
                page.name()
            );
            if run + 1 == runs && suffix.is_empty() {
                // To look at: both pages should show the same cards.
                session
                    .screenshot(&format!("bench-startup-{}", page.name()))
                    .await;
            }
            if let (Some(dom), Some(frame)) = (dom, frame) {
                push(&mut out[format!("{}{suffix}", page.name())], dom);
                if suffix.is_empty() {
                    push(&mut out[format!("{}_frame", page.name())], frame);
                }
            }
        }
    }
}

fn push(list: &mut Value, v: f64) {
    if let Some(a) = list.as_array_mut() {
        a.push(json!(v));
    }
}
