//! A change made while the broker is out of reach survives a reload and reaches the lamp
//! exactly once (issue 16, item 2), against Mosquitto and lampsim: the page talks to the
//! broker through a gate this test closes and opens again, so only the page loses the
//! broker (lampsim and the independent counting client stay connected and never miss a
//! message); the page toggles a Home Assistant lamp while cut off, reloads, and once the
//! gate opens the command topic carries the change once, lampsim obeys, and a further
//! reload sends nothing again.
//!
//! Run through `cargo xtask test` (the Mosquitto step), which builds dist/ and lampsim first.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use e2e::{Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

const LONG: Duration = Duration::from_secs(40);
/// lampsim's Home Assistant desk strip (JSON schema): its card and its command topic.
const STRIP: &str = "homeassistant/light/lampsim_desk_strip/config";
const STRIP_SET: &str = "lampsim/lampsim_desk_strip/set";

/// A TCP gate on a fixed port in front of the broker's WebSocket listener: open, it
/// forwards every connection; closed, it cuts the ones it carries and listens no more (the
/// page sees "can't reach the broker", as with a broker that went away).
struct Gate {
    port: u16,
    upstream: u16,
    open: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Gate {
    fn start(upstream: u16) -> Self {
        let gate = Self {
            port: e2e::free_port(),
            upstream,
            open: Arc::new(AtomicBool::new(false)),
            streams: Arc::new(Mutex::new(Vec::new())),
        };
        gate.open();
        gate
    }

    fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/mqtt", self.port)
    }

    /// Listens on the gate's port and forwards to the broker until closed.
    fn open(&self) {
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(_) => thread::sleep(Duration::from_millis(50)),
            }
        };
        listener.set_nonblocking(true).expect("non-blocking");
        self.open.store(true, Ordering::SeqCst);
        let (open, streams, upstream) = (self.open.clone(), self.streams.clone(), self.upstream);
        thread::spawn(move || {
            while open.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let _ = client.set_nonblocking(false);
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                if let Ok(mut kept) = streams.lock() {
                    kept.extend(
                        [client.try_clone(), server.try_clone()]
                            .into_iter()
                            .flatten(),
                    );
                }
                pipe(client.try_clone(), server.try_clone());
                pipe(server.try_clone(), client.try_clone());
            }
            // Dropping the listener here closes the port.
        });
    }

    /// Cuts every forwarded connection and stops listening.
    fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
        if let Ok(mut kept) = self.streams.lock() {
            for s in kept.drain(..) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("the gate did not close its port");
    }
}

/// Copies bytes one way until either side ends.
fn pipe(from: std::io::Result<TcpStream>, to: std::io::Result<TcpStream>) {
    let (Ok(mut from), Ok(mut to)) = (from, to) else {
        return;
    };
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

/// The JS expression of the strip's confirmed on/off (`data-confirmed`: what the broker said).
fn confirmed() -> String {
    format!("{}?.dataset.confirmed", card(STRIP))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_queued_offline_survives_a_reload_and_reaches_lampsim_exactly_once() {
    let broker = Broker::start(BrokerKind::Mosquitto);
    let lampsim = Lampsim::start(&broker, &["--quiet"]);
    let observer = Observer::start(broker.tcp_port, "lampsim/+/set").await;
    let gate = Gate::start(broker.ws_port);
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let s = Session::start(&format!("http://127.0.0.1:{}/", server.port), 390, 844).await;
    s.open_app(&gate.ws_url()).await;
    s.wait_until(
        "connected",
        "document.querySelector('.status-line[data-status=\"connected\"]')",
        LONG,
    )
    .await;
    s.wait_until(
        "the desk strip's state",
        &format!("['on','off'].includes({})", confirmed()),
        LONG,
    )
    .await;
    // Its card is in the profile's snapshot (written at most once a second).
    s.wait_until(
        "the strip in the profile's snapshot",
        &format!(
            "(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('lampboard.snapshot.'))) || '').includes('{STRIP}')"
        ),
        LONG,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = s.js(&format!("return {};", confirmed())).await;
    let want = if before == "on" { "off" } else { "on" };
    let want_state = want.to_uppercase();

    // The broker goes out of the page's reach; a toggle waits in the queue.
    gate.close();
    s.wait_until(
        "the page knows it is offline",
        "document.querySelector('.offline-banner') && !document.querySelector('.status-line[data-status=\"connected\"]')",
        LONG,
    )
    .await;
    s.js(&format!(
        "{}.querySelector('.switch').click(); return true;",
        card(STRIP)
    ))
    .await;
    s.wait_until(
        "the strip says Will send when connected",
        &format!(
            "{}.querySelector('.delivery[data-delivery=\"queued\"]')",
            card(STRIP)
        ),
        LONG,
    )
    .await;

    // Reload while still cut off: the change is still there, and the banner says so.
    s.js("location.reload(); return true;").await;
    s.wait_for_css(e2e::APP_MOUNTED, LONG).await;
    s.wait_until(
        "the strip still queued after the reload",
        &format!(
            "{}?.querySelector('.delivery[data-delivery=\"queued\"]')",
            card(STRIP)
        ),
        LONG,
    )
    .await;
    let mark = s
        .js(&format!(
            "return {}.querySelector('.delivery').title;",
            card(STRIP)
        ))
        .await;
    assert_eq!(mark, "Will send when connected", "the tile's mark in full");
    let banner = s.text(".offline-banner").await;
    assert!(
        banner.contains("1 change is kept for")
            && banner.contains(&format!("127.0.0.1:{}", gate.port)),
        "the banner says which broker and how many: {banner:?}"
    );
    s.screenshot("offline-queue-phone").await;
    // The tile and the sheet say it too, with the sheet's Cancel (light and dark).
    s.js(&format!(
        "{}.scrollIntoView({{block: 'center'}}); window.scrollBy(0, 0); return true;",
        card(STRIP)
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.screenshot("offline-queue-tile-phone").await;
    e2e::sheet::open_sheet(&s, STRIP).await;
    s.wait_until(
        "the sheet's Cancel",
        "document.querySelector('dialog.lamp-sheet[open] .cancel-queued')",
        LONG,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let sheet_mark = s.text("dialog.lamp-sheet .delivery").await;
    assert_eq!(
        sheet_mark, "Will send when connected",
        "the sheet says it whole"
    );
    s.screenshot("offline-queue-sheet-phone-light").await;
    s.pick_theme("dark").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.screenshot("offline-queue-sheet-phone-dark").await;
    s.pick_theme("system").await;
    s.js("document.querySelector('dialog.lamp-sheet .sheet-close').click(); return true;")
        .await;
    assert_eq!(
        observer.payloads(STRIP_SET).len(),
        0,
        "nothing reached the broker while cut off"
    );

    // The broker is back: the change goes out once and lampsim obeys.
    gate.open();
    s.wait_until(
        "the strip confirms the change",
        &format!("{} === '{want}'", confirmed()),
        LONG,
    )
    .await;
    s.wait_until(
        "the queue is empty in storage",
        "!Object.keys(localStorage).some(k => k.startsWith('lampboard.queue.'))",
        LONG,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent = observer.payloads(STRIP_SET);
    assert_eq!(sent.len(), 1, "exactly once on the command topic: {sent:?}");
    let command: serde_json::Value = serde_json::from_slice(&sent[0]).expect("JSON command");
    assert_eq!(command["state"], serde_json::json!(want_state), "{command}");

    // A reload once connected sends nothing again.
    s.js("location.reload(); return true;").await;
    s.wait_until(
        "connected again",
        "document.querySelector('.status-line[data-status=\"connected\"]')",
        LONG,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(observer.payloads(STRIP_SET).len(), 1, "still exactly once");
    let errors = s.console_errors().await;
    assert!(
        errors.iter().all(|e| e.contains("WebSocket")),
        "only the cut-off socket's errors: {errors:#?}"
    );
    s.close().await;
    drop(lampsim);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queued_change_on_a_desktop_in_light_and_dark() {
    let broker = Broker::start(BrokerKind::Mosquitto);
    let lampsim = Lampsim::start(&broker, &["--quiet"]);
    let gate = Gate::start(broker.ws_port);
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let s = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 800).await;
    s.open_app(&gate.ws_url()).await;
    s.wait_until(
        "the desk strip's state",
        &format!("['on','off'].includes({})", confirmed()),
        LONG,
    )
    .await;
    gate.close();
    s.wait_until(
        "the page knows it is offline",
        "document.querySelector('.offline-banner')",
        LONG,
    )
    .await;
    s.js(&format!(
        "{}.querySelector('.switch').click(); {}.scrollIntoView({{block: 'center'}}); return true;",
        card(STRIP),
        card(STRIP)
    ))
    .await;
    s.wait_until(
        "the strip is queued",
        &format!(
            "{}.querySelector('.delivery[data-delivery=\"queued\"]')",
            card(STRIP)
        ),
        LONG,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.screenshot("offline-queue-tile-desktop-light").await;
    e2e::sheet::open_sheet(&s, STRIP).await;
    s.wait_until(
        "the sheet's Cancel",
        "document.querySelector('dialog.lamp-sheet[open] .cancel-queued')",
        LONG,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    s.screenshot("offline-queue-sheet-desktop-light").await;
    s.pick_theme("dark").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.screenshot("offline-queue-sheet-desktop-dark").await;
    // Cancel: the tile goes back and nothing waits any more.
    s.js("document.querySelector('dialog.lamp-sheet .cancel-queued').click(); return true;")
        .await;
    s.wait_until(
        "the queue is empty after Cancel",
        "!Object.keys(localStorage).some(k => k.startsWith('lampboard.queue.'))",
        LONG,
    )
    .await;
    s.js("document.querySelector('dialog.lamp-sheet .sheet-close').click(); return true;")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.screenshot("offline-queue-desktop-dark-cancelled").await;
    s.pick_theme("system").await;
    s.close().await;
    drop(lampsim);
}
