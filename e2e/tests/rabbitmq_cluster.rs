//! A two-node RabbitMQ 3.10 cluster on loopback (`e2e::rabbitmq_cluster`), the stand-in
//! for the clustered brokers a large installation runs: the page on node A, lampsim's
//! lamps on node B. What crosses the nodes: the lamps' live messages (every card appears,
//! live) and the page's commands (each reaches the lamp once, and its answer comes
//! back). What does not: retained messages, which RabbitMQ 3.x keeps on the node they
//! were published to: a client on A subscribing a lamp's exact topic gets nothing while
//! one on B gets the lamp's state, so after a reload the page on A shows every lamp as
//! its last known state, "Not heard from since your last visit" with a Remove button,
//! and no notice, until the lamp next reports. Starts its own nodes whatever
//! LAMPBOARD_E2E_BROKER says.

use std::time::Duration;

use e2e::rabbitmq_cluster::RabbitCluster;
use e2e::{Lampsim, Observer, Session, StaticServer};

const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(60);
/// Long enough for a retained message to follow a SUBACK on loopback many times over,
/// and past the app's wait before it judges a wildcard's retained messages (3 s).
const RETAINED_WAIT: Duration = Duration::from_secs(6);

const CONNECTED: &str = "document.querySelector('.status-line[data-status=\"connected\"]')";

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

fn cards_stale(n: usize) -> String {
    format!("document.querySelectorAll('article.lamp-card.is-stale').length === {n}")
}

#[tokio::test(flavor = "multi_thread")]
async fn across_a_rabbitmq_cluster_live_messages_cross_and_retained_ones_stay_on_their_node() {
    let dist = e2e::repo_root().join("dist");
    assert!(dist.join("index.html").exists(), "build dist/ first");
    let cluster = RabbitCluster::start();
    let server = StaticServer::start(dist);
    // What reaches node B's clients: the lamps' side of the cluster.
    let on_b = Observer::start(cluster.b.ports.mqtt, "zigbee2mqtt/#").await;
    let s = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    s.open_app(&cluster.a.ws_url()).await;
    s.wait_until("the page connects to node A", CONNECTED, LONG)
        .await;
    // RabbitMQ sends wildcards no retained messages (a single node already): the page
    // subscribes first and the lamps announce themselves after, on the other node, once
    // the page's subscriptions are bound ("connected" comes before the SUBACK).
    for filter in [
        "smarthome/+/lamps/#",
        "homeassistant/light/#",
        "zigbee2mqtt/bridge/devices",
    ] {
        cluster.a.wait_bound(filter, LONG);
    }
    let _lampsim = Lampsim::start_at(&cluster.b.tcp_url(), &["--quiet"]);

    // Live messages cross from B to A: every card appears, live.
    s.wait_until(
        "every lamp announced on node B appears on the page on node A",
        &format!(
            "document.querySelectorAll('article.lamp-card').length === {LAMPS} && {}",
            cards_stale(0)
        ),
        LONG,
    )
    .await;

    // Commands cross from A to B, and the lamp's answer comes back.
    let id = s
        .js("return [...document.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp).find(l => l.startsWith('zigbee2mqtt/'));")
        .await
        .as_str()
        .expect("a Zigbee2MQTT lamp")
        .to_owned();
    let command = format!("{id}/set");
    let state = |v: &serde_json::Value| v["state"].as_str().map(str::to_owned);
    let switch = |id: &str| format!("{}.querySelector('.switch')", card(id));
    let on = s
        .js(&format!(
            "return {}.getAttribute('aria-checked');",
            switch(&id)
        ))
        .await
        == "true";
    let sent = if on { "OFF" } else { "ON" };
    s.js(&format!("{}.click(); return true;", switch(&id)))
        .await;
    on_b.wait_json(&command, LONG, |v| state(v).as_deref() == Some(sent))
        .await
        .expect("the page's command on node A reaches node B");
    s.wait_until(
        "the lamp's answer on node B reaches the card on node A",
        &format!(
            "{}.getAttribute('aria-checked') === '{}' && {}.querySelector('.delivery').dataset.delivery === 'delivered'",
            switch(&id),
            !on,
            card(&id)
        ),
        LONG,
    )
    .await;
    assert_eq!(
        on_b.count_json(&command, |v| state(v).as_deref() == Some(sent)),
        1,
        "the command reached node B exactly once"
    );

    // Retained messages stay on their node: the lamp's retained state is on B only.
    // A plain MQTT lamp's topic, which nothing publishes to meanwhile (the Zigbee2MQTT lamp's
    // own answers to the toggle may still be crossing live).
    let plain = s
        .js("return [...document.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp).find(l => l.startsWith('smarthome/'));")
        .await
        .as_str()
        .expect("a plain MQTT lamp")
        .to_owned();
    let exact_on_a = Observer::start(cluster.a.ports.mqtt, &plain).await;
    let exact_on_b = Observer::start(cluster.b.ports.mqtt, &plain).await;
    exact_on_b
        .wait_payload(&plain, LONG, |_| true)
        .await
        .expect("a client on node B subscribing the lamp's topic gets its retained state");
    tokio::time::sleep(RETAINED_WAIT).await;
    assert!(
        exact_on_a.payloads(&plain).is_empty(),
        "RabbitMQ 3.10 keeps retained messages on the node they were published to: a client \
         on node A subscribing {plain} exactly got {:?}",
        exact_on_a.payloads(&plain)
    );

    // So a reload on A brings back the lamps from the last visit, but no retained state.
    s.wait_until(
        "the offline snapshot holds the lamps",
        "(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('lampboard.snapshot.'))) || '').split('smarthome/').length > 12",
        LONG,
    )
    .await;
    s.client.refresh().await.expect("reload");
    s.wait_until("connected to node A again", CONNECTED, LONG)
        .await;
    tokio::time::sleep(RETAINED_WAIT).await;
    let cards = s
        .js("return [...document.querySelectorAll('article.lamp-card')].map(c => [c.dataset.lamp, c.classList.contains('is-stale')]);")
        .await;
    let cards: Vec<(String, bool)> = serde_json::from_value(cards).expect("cards as [id, stale]");
    assert_eq!(
        cards.len(),
        LAMPS,
        "every card is there from the last visit"
    );
    // Lamps that keep their state only as a retained message (plain MQTT lamps) stay greyed:
    // no retained state reached node A. Lamps the page asks on connect (Zigbee2MQTT `/get`,
    // Tasmota `State`, Shelly's announce and GetStatus) answer live across the cluster.
    for (lamp, stale) in &cards {
        if lamp.starts_with("smarthome/") {
            assert!(
                stale,
                "{lamp} is greyed: its retained state stayed on node B"
            );
        }
        if lamp.starts_with("zigbee2mqtt/") {
            assert!(!stale, "{lamp} answered its /get across the cluster");
        }
    }
    let stale_before = cards.iter().filter(|(_, stale)| *stale).count();
    let stale_id = cards
        .iter()
        .find(|(lamp, _)| lamp.starts_with("smarthome/"))
        .map(|(lamp, _)| lamp.clone())
        .expect("a plain MQTT lamp");
    e2e::sheet::open_sheet(&s, &stale_id).await;
    let age = s
        .js(&format!(
            "return {}.querySelector('.lamp-age').textContent;",
            e2e::sheet::sheet(&stale_id)
        ))
        .await;
    assert_eq!(age, "last known state", "the card says what it shows");
    // What the page says is what it says of a lamp gone from the house: not heard from,
    // and it may be removed. No notice names the cluster (there is nothing to compare:
    // neither the wildcards nor the exact topics bring a retained message).
    let forget = s
        .js(&format!(
            "const f = {}.querySelector('.lamp-forget'); return f ? f.textContent : null;",
            e2e::sheet::sheet(&stale_id)
        ))
        .await;
    assert!(
        forget
            .as_str()
            .is_some_and(|t| t.contains("Not heard from since your last visit")),
        "the card offers to forget the lamp: {forget}"
    );
    assert_eq!(
        s.js("return document.querySelector('.notice') ? document.querySelector('.notice').textContent : null;")
            .await,
        serde_json::Value::Null,
        "no notice explains the missing retained states"
    );
    s.screenshot("rabbitmq-cluster-reload-1280").await;

    // The lamp's next report crosses live and makes its card live again; the others wait.
    e2e::sheet::close_sheet(&s).await;
    s.js(&format!("{}.click(); return true;", switch(&stale_id)))
        .await;
    s.wait_until(
        "the toggled lamp's answer makes its card live again",
        &format!("!{c}.classList.contains('is-stale')", c = card(&stale_id)),
        LONG,
    )
    .await;
    s.wait_until(
        "the other cards still show their last known state",
        &cards_stale(stale_before - 1),
        LONG,
    )
    .await;
    s.close().await;
}
