//! The release build's code loaded on first need (issue 17, src/chunks.rs): the first load
//! fetches none of the chunks in `split-<hash>/`; opening the settings, the Messages page or
//! a lamp's sheet fetches its own; a slow chunk says it is loading; and a chunk the network
//! cannot deliver is said in words, with a retry that works once the network is back, while
//! the rest of the app goes on. The lamp systems' code comes the same way: a home's first
//! Zigbee2MQTT message fetches Zigbee2MQTT's chunk and no other system's, and its lamps then
//! appear; a chunk that cannot come is said in words and fetched on the next connection.
//!
//! Run through `cargo xtask test` (the Mosquitto step), which builds dist/ first.

use std::time::Duration;

use e2e::{broker_kind, Broker, BrokerKind, Observer, Session, StaticServer};
use serde_json::Value;

const LONG: Duration = Duration::from_secs(30);

/// The chunk files (`split-…/*.wasm`) this page has fetched so far.
async fn fetched_chunks(s: &Session) -> Vec<String> {
    let names = s
        .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/split-') && n.endsWith('.wasm')).map(n => n.split('/').pop())")
        .await;
    serde_json::from_value::<Vec<String>>(names).unwrap_or_default()
}

/// A phone-sized browser on the app's page, before the app is opened.
async fn phone(server: &StaticServer) -> Session {
    Session::start(&format!("http://127.0.0.1:{}/", server.port), 390, 844).await
}

async fn open_page(broker: &Broker, server: &StaticServer) -> Session {
    let s = phone(server).await;
    s.open_app(&broker.ws_url()).await;
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_load_fetches_no_chunk_and_each_view_fetches_its_own() {
    let broker = Broker::start(broker_kind());
    let server = StaticServer::start(e2e::dist());
    let s = open_page(&broker, &server).await;
    s.wait_listening(LONG).await;
    assert_eq!(
        fetched_chunks(&s).await,
        Vec::<String>::new(),
        "the dashboard needs no chunk"
    );

    s.open_settings().await;
    let after_settings = fetched_chunks(&s).await;
    assert!(
        after_settings.iter().any(|n| n == "split_settings.wasm")
            && !after_settings.iter().any(|n| n == "split_explorer.wasm"),
        "the settings fetched their own chunk, not the explorer's: {after_settings:?}"
    );
    s.js("document.querySelector('.drawer-head button.close').click(); return true;")
        .await;

    s.js("document.querySelector('button.tab[data-page=\"messages\"]').click(); return true;")
        .await;
    s.wait_for_css(".explorer", LONG).await;
    let after_messages = fetched_chunks(&s).await;
    assert!(
        after_messages.iter().any(|n| n == "split_explorer.wasm"),
        "the Messages page fetched the explorer's chunk: {after_messages:?}"
    );
    assert_eq!(
        s.console_errors().await,
        Vec::<String>::new(),
        "no errors on the way"
    );
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunk_the_network_cannot_deliver_is_said_in_words_and_a_retry_loads_it() {
    let broker = Broker::start(broker_kind());
    let server = StaticServer::start(e2e::dist());
    let s = phone(&server).await;
    // From the start, so the service worker's install cannot keep a copy for the page.
    // The chunks, not their loader: the main module imports the loader at start.
    s.refuse(&["*/split-*/*.wasm"]).await;
    s.open_app(&broker.ws_url()).await;
    s.wait_listening(LONG).await;

    s.js("document.querySelector('button.open-settings').click(); return true;")
        .await;
    s.wait_for_css(".chunk-error", LONG).await;
    let said = s.text(".chunk-error span").await;
    assert_eq!(
        said, "Lampboard could not load the settings: the network is out of reach.",
        "the failure is said in words"
    );
    assert_eq!(
        s.js("return document.querySelector('header.app-header nav.tabs') !== null && document.querySelector('.drawer input[name=\"username\"]') === null")
            .await,
        Value::Bool(true),
        "the page goes on; no half-built drawer"
    );

    s.screenshot("chunk-error-phone").await;

    s.refuse(&[]).await;
    s.js("document.querySelector('.chunk-error button').click(); return true;")
        .await;
    s.wait_for_css(".drawer input[name=\"username\"]", LONG)
        .await;
    assert_eq!(
        s.js("return document.querySelector('.chunk-error') === null")
            .await,
        Value::Bool(true),
        "the line goes once the drawer is there"
    );
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_chunk_says_it_is_loading_until_its_view_is_there() {
    let broker = Broker::start(broker_kind());
    let server = StaticServer::start(e2e::dist());
    let s = open_page(&broker, &server).await;
    s.wait_listening(LONG).await;
    // A slow first visit: past the service worker (its install may have kept the chunks
    // already), every request a second and a half late.
    s.cdp("Network.enable", serde_json::json!({}))
        .await
        .expect("network domain");
    s.cdp(
        "Network.setBypassServiceWorker",
        serde_json::json!({ "bypass": true }),
    )
    .await
    .expect("bypass the service worker");
    s.cdp(
        "Network.emulateNetworkConditions",
        serde_json::json!({ "offline": false, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1 }),
    )
    .await
    .expect("a slow network");

    s.js("document.querySelector('button.tab[data-page=\"messages\"]').click(); return true;")
        .await;
    s.wait_for_css(".chunk-loading", LONG).await;
    assert_eq!(
        s.text(".chunk-loading").await,
        "Loading the messages…",
        "a slow chunk says what is coming"
    );
    s.wait_for_css(".explorer", LONG).await;
    assert_eq!(
        s.js("return document.querySelector('.chunk-loading') === null")
            .await,
        Value::Bool(true),
        "the bar goes once the page is there"
    );
    s.close().await;
}

/// The chunks of lamp systems among `fetched`.
fn system_chunks(fetched: &[String]) -> Vec<&str> {
    fetched
        .iter()
        .map(String::as_str)
        .filter(|n| n.starts_with("split_system_"))
        .collect()
}

/// lampsim's Zigbee2MQTT device list, retained as Zigbee2MQTT keeps it.
async fn publish_zigbee2mqtt_devices(observer: &Observer) {
    let path = e2e::repo_root().join("tests/fixtures/z2m/lampsim_bridge_devices.json");
    let devices = std::fs::read(path).expect("the device list fixture");
    observer
        .publish_bytes("zigbee2mqtt/bridge/devices", devices, true)
        .await;
}

const BEDSIDE: &str = "document.querySelector('article.lamp-card[data-lamp=\"zigbee2mqtt/bedroom/bedside\"]') !== null";

#[tokio::test(flavor = "multi_thread")]
async fn a_homes_first_zigbee2mqtt_message_fetches_that_systems_code_and_no_other() {
    let broker = Broker::start(broker_kind());
    let server = StaticServer::start(e2e::dist());
    let observer = Observer::start(broker.tcp_port, "#").await;
    let s = open_page(&broker, &server).await;
    s.wait_listening(LONG).await;
    assert_eq!(
        system_chunks(&fetched_chunks(&s).await),
        Vec::<&str>::new(),
        "no lamp system's code before its first message"
    );

    publish_zigbee2mqtt_devices(&observer).await;
    s.wait_until("the bedside lamp's card", BEDSIDE, LONG).await;
    let fetched = fetched_chunks(&s).await;
    assert_eq!(
        system_chunks(&fetched),
        ["split_system_zigbee2mqtt.wasm"],
        "Zigbee2MQTT's code, and only it: {fetched:?}"
    );
    assert_eq!(
        s.console_errors().await,
        Vec::<String>::new(),
        "no errors on the way"
    );
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lamp_systems_code_that_cannot_come_is_said_and_fetched_on_the_next_connection() {
    // Mosquitto with persistence: the retained device list is there again after the restart.
    let mut broker = Broker::start(BrokerKind::Mosquitto);
    let server = StaticServer::start(e2e::dist());
    let observer = Observer::start(broker.tcp_port, "#").await;
    let s = phone(&server).await;
    s.refuse(&["*/split-*/*.wasm"]).await;
    s.open_app(&broker.ws_url()).await;
    s.wait_listening(LONG).await;

    publish_zigbee2mqtt_devices(&observer).await;
    s.wait_until(
        "the notice that Zigbee2MQTT's code could not come",
        "(document.querySelector('.notice[role=alert] span')?.textContent ?? '').includes('Zigbee2MQTT')",
        LONG,
    )
    .await;
    assert_eq!(
        s.text(".notice[role=alert] span").await,
        "Lampboard could not load what it needs for Zigbee2MQTT lamps: the network is out of reach. It tries again in a moment.",
        "the failure is said in words"
    );
    assert_eq!(
        s.js(&format!("return {BEDSIDE}")).await,
        Value::Bool(false),
        "no lamp without its system's code"
    );
    s.screenshot("system-chunk-error-phone").await;

    s.refuse(&[]).await;
    broker.restart();
    s.wait_until("the bedside lamp's card after the reconnect", BEDSIDE, LONG)
        .await;
    assert_eq!(
        s.js("return document.querySelector('.notice[role=alert]') === null")
            .await,
        Value::Bool(true),
        "the notice goes once the code is in"
    );
    s.close().await;
}
