//! Harness for the end-to-end tests: the release build served on loopback,
//! headless Chromium driven through chromedriver, a real broker (Mosquitto or
//! lampsim's embedded rumqttd) and lampsim's simulated lamps, plus an
//! independent MQTT client (rumqttc) to check what reached the broker.
//!
//! Everything listens on 127.0.0.1 on free ports, and every child process is
//! killed when its guard drops, so a failed test leaves nothing running.

pub mod expect;
pub mod fault_proxy;
mod http;
mod observer;
mod procs;
pub mod rabbitmq;
pub mod rabbitmq_cluster;
pub mod secure_broker;
pub mod sheet;
mod static_server;

/// The cards lampsim's default house makes: 12 plain MQTT lamps; 6 Home Assistant lamps (two
/// JSON, the default-schema Tasmota bulb, the template lamp, the device-discovery pendant, the
/// porch light); 5 Zigbee2MQTT lamps (two bulbs, the dimmer's two endpoints, the group);
/// 3 Tasmota lights (the bulb, the two-channel controller's two channels); 1 WLED strip;
/// 3 Shelly lamps (the Gen1 RGBW2 and Bulb RGBW, the Gen2 Plus RGBW PM).
pub const LAMPSIM_CARDS: usize = 30;

pub use fault_proxy::FaultProxy;
pub use observer::Observer;
pub use procs::{free_port, wait_for_port, Broker, BrokerKind, ChildGuard, Lampsim};
pub use static_server::StaticServer;

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

/// A CSS selector that matches once the app has mounted: its header's tabs, mounted straight
/// into `<body>`. index.html's app shell draws the same header, tabs and form inside
/// `#app-shell` (painted before the wasm runs, inert), so any selector without the `body >`
/// matches before the app is there.
pub const APP_MOUNTED: &str = "body > header.app-header nav.tabs";

/// The browser every session and benchmark drives: Debian's `chromium` package.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The repository root (the e2e crate lives one level below it).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The release build the end-to-end tests serve, checked to be there: a missing dist/ fails
/// the test saying how to make it, not as a 404 in the browser.
pub fn dist() -> PathBuf {
    let dist = repo_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first (cargo xtask test does)"
    );
    dist
}

/// Where screenshots go, so CI keeps them as artifacts.
pub fn artifacts_dir() -> PathBuf {
    let dir = repo_root().join("target/e2e-artifacts");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Which broker this run uses: `LAMPBOARD_E2E_BROKER=mosquitto`, `rabbitmq`, `aedes`
/// or `rumqttd` (the default), so `cargo xtask test` runs the same suite against each.
pub fn broker_kind() -> BrokerKind {
    match std::env::var("LAMPBOARD_E2E_BROKER").as_deref() {
        Ok("mosquitto") => BrokerKind::Mosquitto,
        Ok("rabbitmq") => BrokerKind::Rabbitmq,
        Ok("aedes") => BrokerKind::Aedes,
        _ => BrokerKind::Rumqttd,
    }
}

/// One browser session on the app, with the processes it needs.
pub struct Session {
    /// The WebDriver client.
    pub client: Client,
    /// The page URL (static server on loopback).
    pub page_url: String,
    /// chromedriver's port, for the raw log endpoint.
    driver_port: u16,
    _driver: ChildGuard,
}

impl Session {
    /// Starts chromedriver and a headless Chromium at the given window size.
    pub async fn start(page_url: &str, width: u32, height: u32) -> Self {
        Self::start_with_args(page_url, width, height, &[] as &[&str]).await
    }

    /// `start` with extra Chromium command-line switches: a certificate key to trust for
    /// a `wss://` test; `--enable-precise-memory-info` and `--js-flags=--expose-gc` for the
    /// benchmarks.
    pub async fn start_with_args(
        page_url: &str,
        width: u32,
        height: u32,
        extra: &[impl AsRef<str>],
    ) -> Self {
        let (driver, driver_port) = procs::start_chromedriver();
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                ]
            }
        });
        // Headless Chromium will not make a window narrower than 500 px: emulate
        // a phone's screen for the phone-size runs instead.
        let mut caps = caps;
        if let Some(args) = caps["goog:chromeOptions"]["args"].as_array_mut() {
            args.extend(extra.iter().map(|a| serde_json::json!(a.as_ref())));
        }
        if width < 500 {
            caps["goog:chromeOptions"]["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2, "touch": true }
            });
        }
        let caps = match caps {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a json! object literal is an object"),
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .expect("chromedriver accepts a session");
        Self {
            client,
            page_url: page_url.to_owned(),
            driver_port,
            _driver: driver,
        }
    }

    /// Opens the app, pointing it at `broker_ws_url` through the saved-URL
    /// key the app reads at start.
    pub async fn open_app(&self, broker_ws_url: &str) {
        // Set the URL from a blank same-origin page first, so the app never starts
        // against its default broker (nothing listens there in CI: a refused
        // socket would be a console error charged to the test).
        let blank = format!(
            "{}{}",
            self.page_url.trim_end_matches('/'),
            static_server::BLANK_PATH
        );
        self.client
            .goto(&blank)
            .await
            .expect("a same-origin file loads");
        let script = "localStorage.clear(); localStorage.setItem('lampboard.broker_url', arguments[0]); return true;";
        self.client
            .execute(script, vec![serde_json::json!(broker_ws_url)])
            .await
            .expect("set the broker URL");
        self.client.goto(&self.page_url).await.expect("page loads");
        self.wait_for_css(APP_MOUNTED, Duration::from_secs(20))
            .await;
    }

    /// Waits until an element exists.
    pub async fn wait_for_css(&self, css: &str, timeout: Duration) {
        self.client
            .wait()
            .at_most(timeout)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css} within {timeout:?}: {e}"));
    }

    /// Waits until a fresh page (no lamps yet) is connected and the broker has acknowledged
    /// its subscriptions. A broker that sends no retained messages to wildcard filters
    /// (RabbitMQ) shows a page only what is published after this, so a test starts its lamps
    /// here; "connected" alone (the CONNACK) comes before the SUBACK.
    pub async fn wait_listening(&self, timeout: Duration) {
        self.wait_until(
            "the page is connected and subscribed",
            "document.querySelector('.status-line[data-status=\"connected\"]') && Number(document.querySelector('.empty-hint')?.dataset.granted) > 0",
            timeout,
        )
        .await;
    }

    /// Polls a JavaScript expression until it returns `true`, or fails the
    /// test saying what did not happen.
    pub async fn wait_until(&self, what: &str, js_expr: &str, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        let script = format!("return Boolean({js_expr});");
        loop {
            let ok = self
                .client
                .execute(&script, vec![])
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if ok {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                let status = self.text(".status-line").await;
                let cards = self
                    .js("return [...document.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp)")
                    .await;
                panic!(
                    "timed out after {timeout:?} waiting for: {what}\n  status line: {status:?}\n  cards: {cards}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs JavaScript and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// The text of the first element matching `css`, or "" when none.
    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Opens the settings drawer and waits until its form is there.
    pub async fn open_settings(&self) {
        self.js("document.querySelector('button.open-settings').click(); return true;")
            .await;
        self.wait_for_css(".drawer input[name=\"username\"]", Duration::from_secs(30))
            .await;
    }

    /// Types `value` into the settings drawer's field `name`, as a keystroke would (an
    /// `input` event).
    pub async fn type_setting(&self, name: &str, value: &str) {
        self.js(&format!(
            "const i = document.querySelector('.drawer input[name=\"{name}\"]'); i.value = {value:?}; i.dispatchEvent(new Event('input', {{bubbles: true}})); return true;"
        ))
        .await;
    }

    /// Presses the settings drawer's "Save & connect".
    pub async fn save_and_connect(&self) {
        self.js("document.querySelector('button.save-connect').click(); return true;")
            .await;
    }

    /// Clicks the header's theme button until it shows `choice` (system, light or dark), so
    /// screenshots and axe runs see each theme.
    pub async fn pick_theme(&self, choice: &str) {
        for _ in 0..3 {
            let now = self
                .js("return document.querySelector('.theme-button').dataset.themeChoice")
                .await;
            if now == serde_json::json!(choice) {
                return;
            }
            self.js("document.querySelector('.theme-button').click(); return true;")
                .await;
        }
        panic!("the theme button never showed {choice}");
    }

    /// Saves a PNG screenshot under target/e2e-artifacts/.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = artifacts_dir().join(format!("{name}-{}.png", broker_kind().name()));
        std::fs::write(&path, png).expect("write screenshot");
    }

    /// Severe browser console entries (errors, failed loads, CSP violations)
    /// since the last call, read from chromedriver's log endpoint.
    pub async fn console_errors(&self) -> Vec<String> {
        let Ok(id) = self.client.session_id().await else {
            return vec!["no session".into()];
        };
        let Some(id) = id else {
            return vec!["no session id".into()];
        };
        let body = http::post_json(
            self.driver_port,
            &format!("/session/{id}/se/log"),
            r#"{"type":"browser"}"#,
        );
        let Ok(body) = body else {
            return vec![format!("log endpoint: {}", body.unwrap_err())];
        };
        let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        value["value"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver (the
    /// benchmarks install their observers before any page script with
    /// `Page.addScriptToEvaluateOnNewDocument`). Returns the command's result.
    pub async fn cdp(
        &self,
        cmd: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let id = self
            .client
            .session_id()
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no session id")?;
        let body = serde_json::json!({ "cmd": cmd, "params": params }).to_string();
        let reply = http::post_json(
            self.driver_port,
            &format!("/session/{id}/goog/cdp/execute"),
            &body,
        )?;
        let value: serde_json::Value =
            serde_json::from_str(&reply).map_err(|e| format!("{cmd}: {e}: {reply}"))?;
        if value["value"]["error"].is_string() {
            return Err(format!("{cmd}: {}", value["value"]));
        }
        Ok(value["value"].clone())
    }

    /// Makes the browser refuse the requests matching `patterns` (CDP URL patterns; none
    /// when empty) from now on: a file the network cannot deliver.
    pub async fn refuse(&self, patterns: &[&str]) {
        self.cdp("Network.enable", serde_json::json!({}))
            .await
            .expect("network domain");
        self.cdp(
            "Network.setBlockedURLs",
            serde_json::json!({ "urls": patterns }),
        )
        .await
        .expect("set the refused URLs");
    }

    /// Closes the browser.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
