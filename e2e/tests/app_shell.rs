//! The app shell (issue 17): index.html paints the app's own first screen (the header, the
//! connect form, "Starting Lampboard…") before the wasm has downloaded, box for box where the
//! app then draws it, gives way to the app in the task that mounts it, and says in words when
//! the app cannot start instead of leaving a blank or a forever-starting page.
//!
//! Run through `cargo xtask test` (the Mosquitto step), which builds dist/ first.

use std::time::Duration;

use e2e::{broker_kind, Broker, BrokerKind, FaultProxy, Session, StaticServer};
use serde_json::{json, Value};

const LONG: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn a_page_whose_wasm_cannot_load_says_so_under_the_header() {
    let server = StaticServer::start(e2e::dist());
    let page = format!("http://127.0.0.1:{}/", server.port);
    let s = Session::start(&page, 390, 844).await;
    s.refuse(&["*.wasm"]).await;
    s.client.goto(&page).await.expect("the page loads");

    s.wait_until(
        "the shell says the app could not start",
        "document.querySelector('#app-shell .shell-status.is-failed')",
        LONG,
    )
    .await;
    let said = s.text("#app-shell .shell-status").await;
    assert!(
        said.starts_with("Lampboard could not start: the app did not load")
            && said.contains("Check the connection and reload the page."),
        "the failure is said in words: {said:?}"
    );
    assert_eq!(
        s.text("#app-shell header h1").await,
        "Lampboard",
        "the header stays"
    );
    assert_eq!(
        s.js("return [document.querySelector('#app-shell .status-short').textContent, document.querySelector('#app-shell .status-button').dataset.status]").await,
        json!(["Failed", "refused"]),
        "the phone header's status says it failed"
    );
    assert_eq!(
        s.js("return [document.querySelector('#app-shell .shell-reload').textContent, getComputedStyle(document.querySelector('#app-shell .disconnect')).display]").await,
        json!(["Reload", "none"]),
        "a Reload button under the words; nothing offers to stop trying"
    );
    let visible = s
        .js("const r = document.querySelector('#app-shell .shell-status').getBoundingClientRect(); return r.height > 0 && r.top < innerHeight;")
        .await;
    assert_eq!(visible, json!(true), "the words are on the first screen");
    s.screenshot("app-shell-failed-phone").await;
    // Reload tries again (the wasm is still refused here, so it fails again, in words).
    s.js("document.querySelector('#app-shell .shell-reload').click(); return true;")
        .await;
    s.wait_until(
        "the page reloaded and says again that the app could not start",
        "performance.getEntriesByType('navigation')[0]?.type === 'reload' && document.querySelector('#app-shell .shell-status.is-failed')",
        LONG,
    )
    .await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shell_gives_way_to_the_app_once_it_runs() {
    let broker = Broker::start(broker_kind());
    let server = StaticServer::start(e2e::dist());
    let s = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 800).await;

    // Before any script: the shell is what index.html paints.
    let html = std::fs::read_to_string(e2e::dist().join("index.html")).expect("dist/index.html");
    assert!(
        html.contains(r#"<div id="app-shell">"#)
            && html.contains("Starting Lampboard…")
            && html.contains(r#"<form class="connect-panel" inert>"#),
        "index.html carries the shell"
    );

    s.open_app(&broker.ws_url()).await;
    s.wait_until(
        "the app's status line",
        "document.querySelector('.status-line[data-status=\"connected\"]')",
        LONG,
    )
    .await;
    let left = s
        .js("return [document.getElementById('app-shell') === null, document.querySelectorAll('h1').length, document.querySelectorAll('header.app-header').length]")
        .await;
    assert_eq!(
        left,
        json!([true, 1, 1]),
        "the shell is gone: one header, one title"
    );
    assert_eq!(s.console_errors().await, Vec::<String>::new());
    s.close().await;
}

/// The boxes of the first screen, each as `[left, top, width, height]` in CSS pixels (or
/// null when the element is absent or not displayed). The status words differ (the shell's
/// "Starting…", the app's "Connecting…"), so for the status line and button only their row
/// is kept; the shell's status paragraph stands where the app's empty-dashboard hint does.
async fn first_screen_boxes(s: &Session, status_paragraph: &str) -> Value {
    let script = format!(
        r#"const box = (css, rowOnly) => {{
             const e = document.querySelector(css);
             if (!e) return null;
             const r = e.getBoundingClientRect();
             if (r.width === 0 && r.height === 0) return null;
             const b = [r.left, r.top, r.width, r.height].map(Math.round);
             return rowOnly ? [b[1], b[3]] : b;
           }};
           const out = {{}};
           for (const css of ['header.app-header', '.brand', '.brand-mark', '.brand h1', 'nav.tabs',
                              '.tab[data-page="lamps"]', '.tab[data-page="messages"]', '.theme-button',
                              'form.connect-panel', '.connect-panel .field',
                              '.connect-panel input', '.panel-buttons', '.panel-buttons .primary',
                              '.panel-buttons .disconnect', '.panel-buttons .open-settings',
                              '.connect-panel .field-error', '.path-hint']) {{
             out[css] = box(css, false);
           }}
           // The main area's height is left out: boot.js's Install bar (blocked with it
           // here) keeps room at its foot.
           const main = box('main.lamp-area', false);
           out['main.lamp-area (left, top, width)'] = main && main.slice(0, 3);
           out['status line (row)'] = box('.status-line', true);
           out['status button (row)'] = box('.status-button', true);
           out['status paragraph'] = box('{status_paragraph}', false);
           out['path hint words'] = document.querySelector('.path-hint')?.textContent ?? null;
           out['button words'] = [...document.querySelectorAll('.panel-buttons button')].map(b => b.textContent);
           return out;"#
    );
    s.js(&script).await
}

async fn the_shell_is_the_apps_first_screen_box_for_box_at(width: u32, height: u32) {
    let broker = Broker::start(BrokerKind::Mosquitto);
    // A slow link keeps the app on its first screen (connecting) long enough to measure it.
    let proxy = FaultProxy::start(broker.ws_port);
    proxy.set_delay(Duration::from_secs(3));
    let server = StaticServer::start(e2e::dist());
    let page = format!("http://127.0.0.1:{}/", server.port);
    let s = Session::start(&page, width, height).await;

    // The shell alone: without boot.js nothing replaces it.
    s.refuse(&["*/boot.js"]).await;
    s.client.goto(&page).await.expect("the page loads");
    s.wait_for_css("#app-shell form.connect-panel", LONG).await;
    let shell = first_screen_boxes(&s, "#app-shell .shell-status").await;
    s.screenshot(&format!("app-shell-{width}")).await;

    // The app's first screen: a first visit, connecting.
    s.refuse(&[]).await;
    s.open_app(&proxy.ws_url()).await;
    s.wait_until(
        "the app's first screen: connecting, the form and the empty hint",
        "document.querySelector('.status-line[data-status=\"connecting\"]') && document.querySelector('form.connect-panel .path-hint') && document.querySelector('.empty-hint')",
        LONG,
    )
    .await;
    let app = first_screen_boxes(&s, ".empty-hint").await;
    s.screenshot(&format!("app-first-screen-{width}")).await;
    s.close().await;

    let (Value::Object(shell), Value::Object(app)) = (&shell, &app) else {
        panic!("boxes: {shell} / {app}");
    };
    let mut differ = Vec::new();
    for (what, in_app) in app {
        let in_shell = &shell[what];
        let same = match (in_shell, in_app) {
            (Value::Array(a), Value::Array(b))
                if a.len() == b.len() && a.iter().chain(b).all(Value::is_number) =>
            {
                a.iter().zip(b).all(|(x, y)| {
                    (x.as_f64().unwrap_or(f64::NAN) - y.as_f64().unwrap_or(f64::NAN)).abs() <= 1.0
                })
            }
            (a, b) => a == b,
        };
        if !same {
            differ.push(format!("{what}: shell {in_shell}, app {in_app}"));
        }
    }
    assert!(
        app[".path-hint"].is_array() && app["form.connect-panel"].is_array(),
        "the app's first screen has its form: {app:?}"
    );
    assert!(
        differ.is_empty(),
        "at {width}x{height} the shell differs from the app's first screen:\n{}",
        differ.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shell_is_the_apps_first_screen_box_for_box_on_a_phone() {
    the_shell_is_the_apps_first_screen_box_for_box_at(390, 844).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shell_is_the_apps_first_screen_box_for_box_on_a_desktop() {
    the_shell_is_the_apps_first_screen_box_for_box_at(1280, 800).await;
}
