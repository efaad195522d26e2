//! Floods: lamp-state messages at rising rates; for each rate, did the page
//! receive every one (an exact count) without any main-thread task over 50 ms?
//!
//! The bench publishes the flood itself (rumqttc over TCP to Mosquitto, QoS 0),
//! a fixed number of messages per rate, so the count the page must reach is
//! known exactly; lampsim's `--flood` runs forever and is used by the memory
//! run instead. The messages go round-robin to 100 seed-style lamps the page
//! already shows, so each one updates a card. Long tasks come from a
//! PerformanceObserver('longtask') in the page, counted only inside the
//! step's window. The page is not polled while messages arrive.
//!
//! The decisive figure is main-thread time per message: CDP `Performance.getMetrics`'
//! `TaskDuration` and `ScriptDuration` (seconds of main-thread work since the page loaded) are
//! read when a step's window opens and when its sentinel arrives; the difference, less the idle
//! step's, divided by the messages, is what each message cost the page. Unlike the clean-rate
//! verdict it does not depend on whether the shared machine happened to be busy at the moment a
//! rate was tried.

use std::time::{Duration, Instant};

use e2e::{Broker, BrokerKind, Session};
use rumqttc::{AsyncClient, MqttOptions, QoS};
use serde_json::{json, Value};

use crate::pages::{appears, wait_cards, Page, Pages};
use crate::Plan;

/// The rates tried, lowest first; a ladder stops at the first rate that loses
/// messages or leaves the page far behind (a rate that only has a long task goes
/// on: a faster one may not).
///
/// Rate 0 is the page idle for the same time: its longest task is the machine's noise
/// floor (on a shared 2-core machine an idle page can show tasks over 50 ms too).
pub const RATES: &[u32] = &[0, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000];
/// A page still draining this long after the last message is far behind: a faster rate
/// only makes it worse, so the ladder stops (saving minutes per run).
const FALLEN_BEHIND_SECS: f64 = 10.0;
/// Lamps the flood spreads over.
const LAMPS: usize = 100;

fn topic(i: usize) -> String {
    format!("smarthome/flood/lamps/lamp-{:03}", i % LAMPS)
}

fn payload(n: u64) -> Vec<u8> {
    let b = 1 + n % 254;
    format!(
        r#"{{"state":"ON","brightness":{b},"color":{{"r":{},"g":{},"b":255}}}}"#,
        n % 256,
        (n / 7) % 256
    )
    .into_bytes()
}

/// A publisher that keeps its event loop running in the background.
struct Publisher {
    client: AsyncClient,
    sent: u64,
}

impl Publisher {
    async fn connect(tcp_port: u16) -> Self {
        let mut options = MqttOptions::new(
            format!("bench-flood-{}", e2e::free_port()),
            "127.0.0.1",
            tcp_port,
        );
        options.set_keep_alive(Duration::from_secs(30));
        options.set_max_packet_size(1 << 16, 1 << 16);
        let (client, mut events) = AsyncClient::new(options, 20_000);
        tokio::spawn(async move {
            loop {
                if events.poll().await.is_err() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        });
        Self { client, sent: 0 }
    }

    /// Switches the sentinel lamp (retained, so a fresh page shows it too).
    async fn sentinel(&mut self, on: bool) {
        let state = if on { "ON" } else { "OFF" };
        let _ = self
            .client
            .publish(
                SENTINEL,
                QoS::AtMostOnce,
                true,
                format!(r#"{{"state":"{state}","brightness":1}}"#).into_bytes(),
            )
            .await;
    }

    async fn one(&mut self, i: usize, retain: bool) {
        let _ = self
            .client
            .publish(topic(i), QoS::AtMostOnce, retain, payload(self.sent))
            .await;
        self.sent += 1;
    }

    /// Publishes `count` messages at `rate` per second; returns the seconds it took.
    async fn flood(&mut self, rate: u32, count: u64) -> f64 {
        let start = Instant::now();
        let mut done = 0u64;
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        while done < count {
            tick.tick().await;
            let due = ((start.elapsed().as_secs_f64() * f64::from(rate)) as u64).min(count);
            while done < due {
                self.one(done as usize, false).await;
                done += 1;
            }
        }
        start.elapsed().as_secs_f64()
    }
}

/// The page's count of messages received so far.
async fn received(session: &Session, page: Page) -> Option<u64> {
    match page {
        Page::Peer => session
            .js("return globalThis.peerReceived()")
            .await
            .as_u64(),
        Page::App => {
            // The count lives in the explorer: open it, read "N kept of M received", go back.
            session
                .js("document.querySelector('.tab[data-page=\"messages\"]').click(); return true")
                .await;
            session
                .wait_until(
                    "the explorer's counts",
                    "document.querySelector('.log-counts')",
                    Duration::from_secs(30),
                )
                .await;
            // One frame, so the count drawn is this frame's.
            let script = r#"const done = arguments[0];
                requestAnimationFrame(() => requestAnimationFrame(() => {
                  const t = document.querySelector('.log-counts').textContent;
                  const m = t.match(/of (\d+) received/);
                  document.querySelector('.tab[data-page="lamps"]').click();
                  done(m ? Number(m[1]) : null);
                }));"#;
            session
                .client
                .execute_async(script, vec![])
                .await
                .ok()
                .and_then(|v| v.as_u64())
        }
    }
}

/// Installs the long-task observer once per page load.
const LONGTASKS: &str = r#"
  if (!globalThis.__benchLong) {
    globalThis.__benchLong = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.__benchLong.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask' });
  }
  globalThis.__benchWindow = performance.now();
  return true;"#;

const LONGEST: &str = r#"
  const from = globalThis.__benchWindow;
  let max = 0, n = 0;
  for (const [start, d] of globalThis.__benchLong) if (start >= from) { n += 1; max = Math.max(max, d); }
  const all = globalThis.__benchLong.map(([s, d]) => [Math.round(s - from), Math.round(d)]);
  return [max, n, all];"#;

/// Main-thread seconds so far (`TaskDuration`, `ScriptDuration`), or nulls when CDP has no
/// answer.
async fn main_thread(session: &Session) -> (Option<f64>, Option<f64>) {
    let Ok(m) = session.cdp("Performance.getMetrics", json!({})).await else {
        return (None, None);
    };
    let metric = |name: &str| {
        m["metrics"].as_array().and_then(|all| {
            all.iter()
                .find(|x| x["name"] == name)
                .and_then(|x| x["value"].as_f64())
        })
    };
    (metric("TaskDuration"), metric("ScriptDuration"))
}

/// The card that marks the end of a step (see `ladder`).
const SENTINEL: &str = "smarthome/flood/lamps/sentinel";

fn sentinel_css() -> String {
    format!("article.lamp-card[data-lamp=\"{SENTINEL}\"]")
}

/// One ladder on one page: rates until the first one that loses messages.
///
/// After each step's messages the bench publishes one more, on a sentinel lamp,
/// switching it on or off; MQTT keeps one connection's messages in order, so when
/// the sentinel card shows its new state every flood message before it has been
/// handled or lost. Only then does the long-task window close and the count get
/// read. The same for both pages.
async fn ladder(session: &Session, page: Page, publisher: &mut Publisher, secs: f64) -> Vec<Value> {
    let mut steps = Vec::new();
    for &rate in RATES {
        let count = (f64::from(rate) * secs).round() as u64;
        let Some(before) = received(session, page).await else {
            steps.push(json!({ "rate": rate, "error": "count unreadable" }));
            break;
        };
        let was_on = session
            .js(&format!(
                "const c = document.querySelector('{}'); return c ? c.dataset.confirmed : null",
                sentinel_css()
            ))
            .await;
        let turn_on = was_on.as_str() != Some("on");
        // Let the tab switch settle before the window opens.
        tokio::time::sleep(Duration::from_millis(700)).await;
        session.js(LONGTASKS).await;
        let (task_before, script_before) = main_thread(session).await;
        let took = if count == 0 {
            tokio::time::sleep(Duration::from_secs_f64(secs)).await;
            secs
        } else {
            publisher.flood(rate, count).await
        };
        publisher.sentinel(turn_on).await;
        let drain_from = Instant::now();
        let want = if turn_on { "on" } else { "off" };
        let arrived = appears(
            session,
            &format!("{}[data-confirmed=\"{want}\"]", sentinel_css()),
            Duration::from_secs(120),
        )
        .await;
        // How long the page needed after the last message was sent: a page that
        // cannot keep up buffers (the socket holds the backlog) and drains late.
        let drain = drain_from.elapsed().as_secs_f64();
        let (task_after, script_after) = main_thread(session).await;
        let delta = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| (a - b) * 1000.0);
        let task_ms = delta(task_after, task_before);
        let script_ms = delta(script_after, script_before);
        let longest = session.js(LONGEST).await;
        let after = received(session, page).await.unwrap_or(before);
        // The sentinel is one message more.
        let got = after.saturating_sub(before).saturating_sub(1);
        let longest_ms = longest[0].as_f64().unwrap_or(0.0);
        let ok = arrived && got == count && longest_ms <= 50.0;
        eprintln!(
            "browser-bench: flood {} {rate}/s: {got}/{count} in {took:.2} s + {drain:.1} s, longest task {longest_ms:.0} ms{}",
            page.name(),
            if ok { "" } else { " (fails)" }
        );
        steps.push(json!({
            "rate": rate, "sent": count, "received": got, "publish_secs": took, "drain_secs": drain,
            "longest_task_ms": longest_ms, "long_tasks": longest[1], "sentinel_arrived": arrived,
            "tasks_ms": longest[2], "main_thread_ms": task_ms, "script_ms": script_ms,
            "window_secs": took + drain,
        }));
        if !arrived || got < count {
            break;
        }
        if drain > FALLEN_BEHIND_SECS {
            eprintln!(
                "browser-bench: flood {} fell {drain:.0} s behind at {rate}/s; stopping the ladder",
                page.name()
            );
            break;
        }
    }
    steps
}

/// Every ladder on both pages, each page with its own fresh load and the cards primed.
pub async fn run(pages: &Pages, plan: &Plan) -> Value {
    let broker = Broker::start(BrokerKind::Mosquitto);
    let mut publisher = Publisher::connect(broker.tcp_port).await;
    // Prime: one retained state per lamp, so both pages show the cards before any flood.
    for i in 0..LAMPS {
        publisher.one(i, true).await;
    }
    publisher.sentinel(false).await;
    let session = pages.browser().await;
    if let Err(why) = session.cdp("Performance.enable", json!({})).await {
        eprintln!("browser-bench: no main-thread metrics: {why}");
    }
    let mut runs = Vec::new();
    for run in 0..plan.flood_runs {
        for page in [Page::App, Page::Peer] {
            pages.open(&session, page, &broker.ws_url()).await;
            wait_cards(&session, LAMPS + 1).await;
            let steps = ladder(&session, page, &mut publisher, plan.flood_secs).await;
            runs.push(json!({ "page": page.name(), "run": run, "steps": steps }));
        }
    }
    session.close().await;
    json!({ "rates": RATES, "secs": plan.flood_secs, "lamps": LAMPS, "runs": runs })
}
