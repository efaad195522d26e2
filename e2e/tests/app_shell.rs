//! The app shell (issue 17): index.html paints the header and "Starting Lampboard…" before
//! the wasm has downloaded, gives way to the app in the task that mounts it, and says in
//! words when the app cannot start instead of leaving a blank or a forever-starting page.
//!
//! Run through `cargo xtask test` (the Mosquitto step), which builds dist/ first.

use std::time::Duration;

use e2e::{broker_kind, Broker, Session, StaticServer};
use serde_json::json;

const LONG: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn a_page_whose_wasm_cannot_load_says_so_under_the_header() {
    let server = StaticServer::start(e2e::dist());
    let page = format!("http://127.0.0.1:{}/", server.port);
    let s = Session::start(&page, 390, 844).await;
    s.cdp("Network.enable", json!({}))
        .await
        .expect("network domain");
    s.cdp("Network.setBlockedURLs", json!({ "urls": ["*.wasm"] }))
        .await
        .expect("block the wasm");
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
            && said.ends_with("Check the connection and reload the page."),
        "the failure is said in words: {said:?}"
    );
    assert_eq!(
        s.text("#app-shell header h1").await,
        "Lampboard",
        "the header stays"
    );
    let visible = s
        .js("const r = document.querySelector('#app-shell .shell-status').getBoundingClientRect(); return r.height > 0 && r.top < innerHeight;")
        .await;
    assert_eq!(visible, json!(true), "the words are on the first screen");
    s.screenshot("app-shell-failed-phone").await;
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
        html.contains(r#"<div id="app-shell">"#) && html.contains("Starting Lampboard…"),
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
