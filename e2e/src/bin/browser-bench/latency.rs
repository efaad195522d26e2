//! Latency: a click on one lamp's switch until the card shows the broker's
//! echo (click, publish, broker, echo, card updated), p50 and p99.
//!
//! The lamp is a seed lamp: its command topic is its state topic, so the echo
//! is the broker delivering the page's own retained write back to it (lampsim
//! adopts the write without publishing again). The card's `data-confirmed`
//! changes only when that echo is applied, never on the optimistic update,
//! for the app and the peer alike. Clicks and times are in the page
//! (element.click(), performance.now(), a MutationObserver), one at a time.

use std::time::Duration;

use e2e::{Broker, BrokerKind, Lampsim};
use serde_json::{json, Value};

use crate::pages::{wait_cards, Page, Pages};
use crate::Plan;

/// The lamp clicked (lampsim's first seed lamp).
const LAMP: &str = "smarthome/kitchen/lamps/ceiling";

/// Starts the clicks in the page; results land in `globalThis.__benchLatency`.
const CLICKS: &str = r#"
  const [css, n] = arguments;
  const out = { times: [], lost: 0, done: false };
  globalThis.__benchLatency = out;
  const card = () => document.querySelector(css);
  const once = () => new Promise((resolve) => {
    const c = card();
    const before = c.dataset.confirmed;
    let timer;
    const obs = new MutationObserver(() => {
      if (card().dataset.confirmed !== before) {
        const t = performance.now() - t0;
        obs.disconnect(); clearTimeout(timer); resolve(t);
      }
    });
    obs.observe(c, { attributes: true, attributeFilter: ['data-confirmed'] });
    timer = setTimeout(() => { obs.disconnect(); resolve(null); }, 5000);
    const t0 = performance.now();
    c.querySelector('.switch').click();
  });
  (async () => {
    for (let i = 0; i < n; i++) {
      const t = await once();
      if (t === null) out.lost += 1; else out.times.push(t);
      // A pause between clicks, as a person's would be; the next click starts clean.
      await new Promise((r) => setTimeout(r, 30));
    }
    out.done = true;
  })();
  return true;"#;

/// `plan.clicks` clicks on each page.
pub async fn run(pages: &Pages, plan: &Plan) -> Value {
    let broker = Broker::start(BrokerKind::Mosquitto);
    let _lampsim = Lampsim::start(&broker, &["--quiet"]);
    let session = pages.browser().await;
    let css = format!("article.lamp-card[data-lamp=\"{LAMP}\"]");
    let mut out = json!({ "lamp": LAMP, "clicks": plan.clicks });
    for page in [Page::App, Page::Peer] {
        pages.open(&session, page, &broker.ws_url()).await;
        wait_cards(&session, 12).await;
        session
            .wait_until(
                "the lamp's state is known",
                &format!("document.querySelector('{}[data-confirmed=\"on\"], {}[data-confirmed=\"off\"]')", css.replace('\'', "\\'"), css.replace('\'', "\\'")),
                Duration::from_secs(60),
            )
            .await;
        session
            .client
            .execute(CLICKS, vec![json!(css), json!(plan.clicks)])
            .await
            .expect("the clicks start");
        session
            .wait_until(
                &format!("{} clicks on {}", plan.clicks, page.name()),
                "globalThis.__benchLatency && globalThis.__benchLatency.done",
                Duration::from_secs(60 + 6 * plan.clicks as u64),
            )
            .await;
        let r = session.js("return globalThis.__benchLatency").await;
        eprintln!(
            "browser-bench: latency {}: {} echoes, {} lost",
            page.name(),
            r["times"].as_array().map_or(0, Vec::len),
            r["lost"]
        );
        out[page.name()] = json!({ "times": r["times"], "lost": r["lost"] });
    }
    session.close().await;
    out
}
