//! Broker faults, through the fault-injecting proxy (e2e/src/fault_proxy.rs) in
//! front of a real Mosquitto: a QoS 2 exchange cut half way, malformed bytes, a
//! slow broker, messages over the size limit, and 10,000 retained topics.
//!
//! Each test's lamp is a seed lamp another client (the rumqttc Observer) publishes
//! retained, so every message on its topic after that comes from the page and the
//! Observer can count them. Run through `cargo xtask test` (Mosquitto).

use std::process::{Command, Stdio};
use std::time::Duration;

use e2e::fault_proxy::Direction;
use e2e::{Broker, BrokerKind, FaultProxy, Observer, Session, StaticServer};
use lampboard::mqtt::packet::PacketType;

const LONG: Duration = Duration::from_secs(30);
const LAMP: &str = "smarthome/lab/lamps/desk";

struct World {
    broker: Broker,
    proxy: FaultProxy,
    _server: StaticServer,
    observer: Observer,
    session: Session,
}

/// Mosquitto, the proxy in front of its WebSocket listener, one seed lamp (off),
/// and the page, not yet opened.
async fn world(observe: &str) -> World {
    world_with(observe, Broker::start(BrokerKind::Mosquitto)).await
}

async fn world_with(observe: &str, broker: Broker) -> World {
    let dist = e2e::repo_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first (cargo xtask test does)"
    );
    let proxy = FaultProxy::start(broker.ws_port);
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, observe).await;
    observer
        .publish(LAMP, r#"{"state":"OFF","brightness":200}"#, true)
        .await;
    let got = observer
        .wait_json(LAMP, LONG, |v| v["state"] == "OFF")
        .await;
    assert!(got.is_ok(), "the seed lamp reached the broker: {got:?}");
    let session = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    World {
        broker,
        proxy,
        _server: server,
        observer,
        session,
    }
}

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

async fn wait_status(w: &World, state: &str, what: &str) {
    let js = format!("document.querySelector('.status-line[data-status=\"{state}\"]')");
    w.session.wait_until(what, &js, LONG).await;
}

async fn open_and_wait_for_the_lamp(w: &World) {
    w.session.open_app(&w.proxy.ws_url()).await;
    wait_for_the_lamp(w).await;
}

async fn wait_for_the_lamp(w: &World) {
    wait_status(w, "connected", "connected through the proxy").await;
    w.session
        .wait_until("the lamp's card", &card(LAMP), LONG)
        .await;
}

/// Keeps, in the page, every distinct value `js_value` takes (sampled on every
/// DOM change, not on a timer: a loaded machine delays timers, and a polled
/// recorder once missed "delivered" that the test's own wait had already seen),
/// so a short state such as "retrying" is not missed by a slow WebDriver.
async fn record(w: &World, name: &str, js_value: &str) {
    w.session
        .js(&format!(
            "window['{name}'] = []; let last = null; const sample = () => {{ const v = (() => {{ try {{ return {js_value}; }} catch (e) {{ return null; }} }})(); if (v !== null && v !== last) {{ window['{name}'].push(v); last = v; }} }}; sample(); new MutationObserver(sample).observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }}); return true;"
        ))
        .await;
}

async fn recorded(w: &World, name: &str) -> Vec<String> {
    let v = w
        .session
        .js(&format!("return window['{name}'] || [];"))
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

async fn record_status(w: &World) {
    record(
        w,
        "statusLog",
        "(() => { const s = document.querySelector('.status-line'); return s.dataset.status + ': ' + s.textContent; })()",
    )
    .await;
}

async fn click_switch(w: &World) {
    w.session
        .js(&format!(
            "{}.querySelector('.switch').click(); return true;",
            card(LAMP)
        ))
        .await;
}

/// The card shows the lamp on and its change delivered.
async fn wait_on_and_delivered(w: &World, what: &str) {
    let js = format!(
        "{c}.querySelector('.switch').getAttribute('aria-checked') === 'true' && {c}.querySelector('.delivery').dataset.delivery === 'delivered'",
        c = card(LAMP)
    );
    w.session.wait_until(what, &js, LONG).await;
}

/// Waits until the Observer has seen the lamp turned on, then a while longer so a
/// duplicate would have arrived too, and returns how many times it was seen.
async fn deliveries_of_on(w: &World) -> usize {
    let got = w
        .observer
        .wait_json(LAMP, LONG, |v| v["state"] == "ON")
        .await;
    assert!(got.is_ok(), "the lamp was never turned on: {got:?}");
    // Generous settling time for a duplicate; the count is what is judged.
    tokio::time::sleep(Duration::from_secs(3)).await;
    w.observer.count_json(LAMP, |v| v["state"] == "ON")
}

async fn open_settings(w: &World) {
    w.session.open_settings().await;
    w.session
        .wait_for_css(".drawer select[name=\"publish_qos\"]", LONG)
        .await;
}

async fn choose_qos2(w: &World, clean_session: bool) {
    open_settings(w).await;
    w.session
        .js(&format!(
            "const s = document.querySelector('.drawer select[name=\"publish_qos\"]'); s.value = '2'; s.dispatchEvent(new Event('change', {{bubbles: true}}));\
             const c = document.querySelector('.drawer input[name=\"clean_session\"]'); if (c.checked !== {clean_session}) {{ c.click(); }} return true;"
        ))
        .await;
    w.session.save_and_connect().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    wait_status(w, "connected", "connected again with QoS 2").await;
}

/// Cuts the link when the page's PUBREL goes by (the broker has the message and
/// has answered PUBREC, the page has not had PUBCOMP), then checks the Observer
/// sees the lamp turned on exactly once and the card ends confirmed.
async fn cut_a_qos2_toggle_between_pubrec_and_pubcomp(w: &World) {
    let before = w.proxy.connections();
    w.proxy.cut_at(Direction::ToBroker, PacketType::Pubrel);
    click_switch(w).await;
    let deadline = tokio::time::Instant::now() + LONG;
    while !w.proxy.cut_done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the page never sent PUBREL: {:?}",
            w.proxy.seen()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seen = w.proxy.seen();
    let pubrec_to_page = seen
        .iter()
        .any(|s| s.direction == Direction::ToClient && s.packet == PacketType::Pubrec);
    assert!(pubrec_to_page, "the broker had answered PUBREC: {seen:?}");
    wait_on_and_delivered(w, "the card ends on and delivered after the reconnect").await;
    assert!(
        w.proxy.connections() > before,
        "the page reconnected through the proxy"
    );
    let n = deliveries_of_on(w).await;
    assert_eq!(
        n, 1,
        "the QoS 2 message reached the broker's subscribers {n} times"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn qos2_cut_between_pubrec_and_pubcomp_is_delivered_exactly_once_with_the_default_clean_session(
) {
    let w = world("smarthome/#").await;
    open_and_wait_for_the_lamp(&w).await;
    choose_qos2(&w, true).await;
    cut_a_qos2_toggle_between_pubrec_and_pubcomp(&w).await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn qos2_cut_between_pubrec_and_pubcomp_is_delivered_exactly_once_with_a_kept_session() {
    let w = world("smarthome/#").await;
    open_and_wait_for_the_lamp(&w).await;
    choose_qos2(&w, false).await;
    cut_a_qos2_toggle_between_pubrec_and_pubcomp(&w).await;
    // With a kept session the page finished the same exchange: PUBREL again on
    // the new connection, not a second PUBLISH.
    let seen = w.proxy.seen();
    let last = w.proxy.connections();
    let resent_pubrel = seen.iter().any(|s| {
        s.connection == last && s.direction == Direction::ToBroker && s.packet == PacketType::Pubrel
    });
    let republished = seen.iter().any(|s| {
        s.connection == last
            && s.direction == Direction::ToBroker
            && s.packet == PacketType::Publish
            && s.topic.as_deref() == Some(LAMP)
    });
    assert!(
        resent_pubrel && !republished,
        "resumed with PUBREL only: {seen:?}"
    );
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_bytes_from_the_broker_close_the_connection_with_the_reason_shown_and_the_app_keeps_working(
) {
    let w = world("smarthome/#").await;
    open_and_wait_for_the_lamp(&w).await;
    record_status(&w).await;
    // Packet type 15 is reserved: no MQTT packet starts with 0xf0.
    assert_eq!(w.proxy.inject_to_client(&[0xf0, 0x00]), 1);
    w.session
        .wait_until(
            "the status line names the malformed packet",
            "(window.statusLog || []).some(s => s.startsWith('retrying') && s.includes('malformed') && s.includes('packet type 15 is reserved'))",
            LONG,
        )
        .await;
    wait_status(&w, "connected", "reconnected after the malformed packet").await;
    let log = recorded(&w, "statusLog").await;
    assert!(
        log.iter().any(|s| s.starts_with("connecting")),
        "it reconnected (after a backoff): {log:?}"
    );
    assert_eq!(w.proxy.connections(), 2, "one reconnect: {log:?}");
    click_switch(&w).await;
    wait_on_and_delivered(&w, "a toggle after the reconnect round-trips").await;
    let n = deliveries_of_on(&w).await;
    assert_eq!(n, 1);
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_broker_shows_connecting_then_connected_and_a_toggle_goes_pending_then_delivered_once(
) {
    let w = world("smarthome/#").await;
    // 1.5 s each way: CONNECT to CONNACK takes 3 s, well inside the 10 s CONNACK
    // timeout; the keep-alive (30 s, ping timeout 15 s) never fires.
    w.proxy.set_delay(Duration::from_millis(1500));
    w.session.open_app(&w.proxy.ws_url()).await;
    wait_status(&w, "connecting", "the status line says connecting").await;
    let text = w.session.text(".status-line").await;
    assert!(text.contains("Connecting"), "status line: {text}");
    wait_for_the_lamp(&w).await;
    record(
        &w,
        "deliveryLog",
        &format!("{}.querySelector('.delivery').dataset.delivery", card(LAMP)),
    )
    .await;
    click_switch(&w).await;
    wait_on_and_delivered(&w, "the slow toggle ends delivered").await;
    let log = recorded(&w, "deliveryLog").await;
    let pending = log.iter().position(|s| s == "pending");
    let delivered = log.iter().position(|s| s == "delivered");
    assert!(
        matches!((pending, delivered), (Some(p), Some(d)) if p < d),
        "pending, then delivered: {log:?}"
    );
    assert_eq!(deliveries_of_on(&w).await, 1, "nothing duplicated");
    assert_eq!(w.proxy.connections(), 1, "the slow link never dropped");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broker_slower_than_the_connack_timeout_is_reported_and_retried_until_it_answers() {
    let w = world("smarthome/#").await;
    // 6 s each way: no CONNACK within the 10 s timeout.
    w.proxy.set_delay(Duration::from_secs(6));
    w.session.open_app(&w.proxy.ws_url()).await;
    record_status(&w).await;
    w.session
        .wait_until(
            "the status line says the broker did not answer CONNECT",
            "(window.statusLog || []).some(s => s.startsWith('retrying') && s.includes('did not answer CONNECT in time'))",
            LONG,
        )
        .await;
    w.proxy.set_delay(Duration::ZERO);
    // Frames already held keep their due time; the next attempt is fast.
    wait_for_the_lamp(&w).await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversize_publish_from_the_explorer_is_refused_with_a_message_and_the_connection_stays()
{
    let w = world("smarthome/#").await;
    open_and_wait_for_the_lamp(&w).await;
    w.session
        .js("document.querySelector('button.tab[data-page=\"messages\"]').click(); return true;")
        .await;
    w.session
        .wait_for_css("form.publish-form textarea[name=\"publish-payload\"]", LONG)
        .await;
    w.session
        .js("document.querySelector('details.publish-box').open = true;\
             const t = document.querySelector('input[name=\"publish-topic\"]'); t.value = 'lab/big'; t.dispatchEvent(new Event('input', {bubbles: true}));\
             const p = document.querySelector('textarea[name=\"publish-payload\"]'); p.value = 'x'.repeat(2 * 1024 * 1024); p.dispatchEvent(new Event('input', {bubbles: true}));\
             document.querySelector('form.publish-form button.publish').click(); return true;")
        .await;
    w.session
        .wait_until(
            "the form says the message is too large",
            "document.querySelector('form.publish-form .outcome[data-outcome=\"error\"]')",
            LONG,
        )
        .await;
    let text = w.session.text("form.publish-form .outcome").await;
    assert!(
        text.contains("2 MB") && text.contains("over the 1 MB limit"),
        "outcome: {text}"
    );
    w.session.screenshot("faults-oversize-publish").await;
    let seen = w.proxy.seen();
    assert!(
        !seen.iter().any(|s| s.topic.as_deref() == Some("lab/big")),
        "nothing was sent: {seen:?}"
    );
    // Still the same connection, and it works.
    assert_eq!(w.proxy.connections(), 1);
    wait_status(&w, "connected", "still connected").await;
    w.session
        .js("document.querySelector('button.tab[data-page=\"lamps\"]').click(); return true;")
        .await;
    w.session
        .wait_until("the card again", &card(LAMP), LONG)
        .await;
    click_switch(&w).await;
    wait_on_and_delivered(&w, "a toggle after the refusal round-trips").await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversize_retained_message_from_the_broker_is_ignored_with_a_notice_and_the_connection_stays(
) {
    // The Observer (1 MiB limit itself) watches only the lamp.
    let w = world(LAMP).await;
    let big_topic = "smarthome/lab/lamps/huge";
    // 1.1 MiB retained, published with mosquitto_pub (a client without our limits).
    // Not bigger: Mosquitto 2.0's WebSockets send a big message at about 40 KB/s as
    // one WebSocket message, which the browser hands over only when complete; a
    // message still arriving after the 30 s keep-alive and its 15 s grace looks
    // like a dead link (about 1.8 MB; see the report).
    let file = std::env::temp_dir().join(format!("lampboard-big-{}", e2e::free_port()));
    std::fs::write(&file, vec![b'x'; 1024 * 1024 + 100 * 1024]).expect("write payload");
    let status = Command::new("mosquitto_pub")
        .args(["-h", "127.0.0.1", "-p", &w.broker.tcp_port.to_string()])
        .args(["-t", big_topic, "-q", "1", "-r", "-f"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("mosquitto_pub runs");
    let _ = std::fs::remove_file(&file);
    assert!(status.success(), "mosquitto_pub published the 2 MB message");

    open_and_wait_for_the_lamp(&w).await;
    w.session
        .wait_until(
            "a notice about the ignored message",
            "(document.querySelector('.notice') || {textContent: ''}).textContent.includes('Ignored a 1.1 MB message on smarthome/lab/lamps/huge: over the 1 MB limit')",
            Duration::from_secs(180),
        )
        .await;
    w.session.screenshot("faults-oversize-notice").await;
    assert!(
        w.proxy
            .seen()
            .iter()
            .any(|s| s.direction == Direction::ToClient && s.topic.as_deref() == Some(big_topic)),
        "the broker did deliver it"
    );
    wait_status(&w, "connected", "still connected").await;
    assert_eq!(
        w.proxy.connections(),
        1,
        "the oversize message did not cost the connection"
    );
    click_switch(&w).await;
    wait_on_and_delivered(&w, "a toggle after the oversize message round-trips").await;
    assert_eq!(w.proxy.connections(), 1);
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_retained_topics_all_arrive_on_subscribe_and_the_page_stays_usable() {
    const TOPICS: usize = 10_000;
    // Mosquitto queues at most 1000 messages per client by default and drops the
    // rest ("Outgoing messages are being dropped"); its WebSockets send slower than
    // a subscribe's retained burst comes, so a WebSocket client gets about 1000 of
    // 10,000. A broker for a house this big needs the limit raised.
    let w = world_with(
        "smarthome/#",
        Broker::start_mosquitto_with("max_queued_messages 20000"),
    )
    .await;
    for i in 0..TOPICS {
        let topic = format!("smarthome/room{}/lamps/lamp{i}", i % 25);
        w.observer
            .publish(&topic, r#"{"state":"OFF","brightness":100}"#, true)
            .await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while w.observer.topic_count() < TOPICS + 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the broker holds {} of {} topics",
            w.observer.topic_count(),
            TOPICS + 1
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let started = std::time::Instant::now();
    w.session.open_app(&w.proxy.ws_url()).await;
    // Progress is logged, not judged: how long 10,000 cards take is the lead's
    // performance figure; the deadline is only there so a stuck page fails.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(900);
    let mut last_report = std::time::Instant::now();
    loop {
        // While the page works through the burst its main thread is busy and a
        // script may time out: that is "not yet", not a failure.
        let cards = w
            .session
            .client
            .execute(
                "return document.querySelectorAll('article.lamp-card').length",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(0) as usize;
        if cards == TOPICS + 1 {
            break;
        }
        if last_report.elapsed() > Duration::from_secs(15) {
            let through = w.proxy.count(Direction::ToClient, PacketType::Publish);
            eprintln!(
                "10,000 retained topics: after {:.0} s, {cards} cards; {through} messages through the proxy",
                started.elapsed().as_secs_f64()
            );
            last_report = std::time::Instant::now();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {cards} of {} cards after {:.0} s",
            TOPICS + 1,
            started.elapsed().as_secs_f64()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Reported, not judged: the lead tracks performance.
    eprintln!(
        "10,000 retained topics: all cards shown {:.1} s after opening the page",
        started.elapsed().as_secs_f64()
    );
    let retained = w.proxy.count(Direction::ToClient, PacketType::Publish);
    assert!(retained > TOPICS, "all {TOPICS} came through: {retained}");
    wait_status(&w, "connected", "still connected after the burst").await;
    let toggle_started = std::time::Instant::now();
    click_switch(&w).await;
    wait_on_and_delivered(&w, "a toggle among 10,000 lamps round-trips").await;
    eprintln!(
        "10,000 retained topics: a toggle round-tripped in {:.1} s",
        toggle_started.elapsed().as_secs_f64()
    );
    assert_eq!(deliveries_of_on(&w).await, 1);
    w.session.screenshot("faults-ten-thousand").await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}
