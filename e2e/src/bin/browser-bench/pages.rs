//! The two pages under test, served on loopback: the app's release dist and the
//! mqtt.js peer (bench/peer/ plus mqtt.min.js from node_modules and the app's
//! stylesheet from dist/, copied into target/bench-peer/ so the peer is plain
//! static files like the app).

use std::path::PathBuf;
use std::time::Duration;

use e2e::{Session, StaticServer};

/// Chromium flags every benchmark browser gets: exact heap sizes, and `gc()`
/// so memory samples are live data, not garbage awaiting collection.
pub const CHROMIUM_FLAGS: &[&str] = &["--enable-precise-memory-info", "--js-flags=--expose-gc"];

/// Which page a sample belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Lampboard, the release build.
    App,
    /// The mqtt.js peer.
    Peer,
}

impl Page {
    /// Name used in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Page::App => "app",
            Page::Peer => "peer",
        }
    }
}

/// Both static servers.
pub struct Pages {
    app: StaticServer,
    peer: StaticServer,
}

impl Pages {
    /// Checks dist/ and the peer's files exist, stages the peer, starts both servers.
    pub fn prepare() -> Result<Self, String> {
        let root = e2e::repo_root();
        let dist = root.join("dist");
        if !dist.join("index.html").exists() {
            return Err("no dist/index.html: run `trunk build --release` first".into());
        }
        let peer_dir = root.join("target/bench-peer");
        std::fs::create_dir_all(&peer_dir).map_err(|e| format!("{}: {e}", peer_dir.display()))?;
        let copies: [(PathBuf, &str); 3] = [
            (root.join("bench/peer/index.html"), "index.html"),
            (root.join("bench/peer/peer.js"), "peer.js"),
            (
                root.join("node_modules/mqtt/dist/mqtt.min.js"),
                "mqtt.min.js",
            ),
        ];
        // The app's stylesheet (trunk hashes its name), so the peer's cards look and lay out
        // like the app's.
        let css = std::fs::read_dir(&dist)
            .map_err(|e| format!("{}: {e}", dist.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "css"))
            .ok_or("no stylesheet in dist/")?;
        let copies = copies.into_iter().chain([(css, "app.css")]);
        for (from, to) in copies {
            std::fs::copy(&from, peer_dir.join(to))
                .map_err(|e| format!("{}: {e} (npm ci installs mqtt.js)", from.display()))?;
        }
        Ok(Self {
            app: StaticServer::start(dist),
            peer: StaticServer::start(peer_dir),
        })
    }

    /// The origin of a page, with a trailing slash.
    pub fn origin(&self, page: Page) -> String {
        let port = match page {
            Page::App => self.app.port,
            Page::Peer => self.peer.port,
        };
        format!("http://127.0.0.1:{port}/")
    }

    /// The page's URL for a broker.
    pub fn url(&self, page: Page, broker_ws: &str) -> String {
        match page {
            Page::App => self.origin(page),
            Page::Peer => format!("{}index.html?broker={broker_ws}", self.origin(page)),
        }
    }

    /// A headless Chromium with the benchmark flags, on a page of the app's origin.
    pub async fn browser(&self) -> Session {
        Session::start_with_args(&self.origin(Page::App), 1280, 900, CHROMIUM_FLAGS).await
    }

    /// Prepares a fresh first visit from a blank page of the same origin: no
    /// service worker, no caches, no saved lamps; the app gets `broker_ws` as its
    /// saved broker URL (the peer takes it from its query string).
    pub async fn blank_slate(&self, session: &Session, page: Page, broker_ws: &str) {
        let blank = format!("{}__e2e_blank", self.origin(page));
        session
            .client
            .goto(&blank)
            .await
            .expect("the blank page loads");
        let script = r#"
            const done = arguments[arguments.length - 1];
            (async () => {
              localStorage.clear();
              localStorage.setItem('lampboard.broker_url', arguments[0]);
              if (navigator.serviceWorker) {
                for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
              }
              if (self.caches) for (const k of await caches.keys()) await caches.delete(k);
            })().then(() => done(true), (e) => done(String(e)));
        "#;
        let _ = session
            .client
            .execute_async(script, vec![serde_json::json!(broker_ws)])
            .await;
    }

    /// Opens a page connected to `broker_ws` and waits until it says it is connected.
    pub async fn open(&self, session: &Session, page: Page, broker_ws: &str) {
        self.blank_slate(session, page, broker_ws).await;
        session
            .client
            .goto(&self.url(page, broker_ws))
            .await
            .expect("the page loads");
        let connected = match page {
            Page::App => "document.querySelector('.status-line[data-status=\"connected\"]')",
            Page::Peer => "document.body.dataset.status === 'connected'",
        };
        session
            .wait_until(
                &format!("{} connected", page.name()),
                connected,
                Duration::from_secs(60),
            )
            .await;
    }
}

/// Waits until `n` lamp cards exist on the page.
pub async fn wait_cards(session: &Session, n: usize) {
    session
        .wait_until(
            &format!("{n} lamp cards"),
            &format!("document.querySelectorAll('article.lamp-card').length >= {n}"),
            Duration::from_secs(120),
        )
        .await;
}

/// Whether an element matching `css` appears within `timeout` (polled every 50 ms).
pub async fn appears(session: &Session, css: &str, timeout: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    let script = format!(
        "return document.querySelector({}) !== null",
        serde_json::json!(css)
    );
    loop {
        if session
            .client
            .execute(&script, vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true)
        {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
