//! RabbitMQ 3.x, which downgrades QoS 2 to QoS 1 (it answers a QoS 2 PUBLISH with
//! PUBACK): with QoS 2 chosen, a toggle reaches the lamp exactly once, the card says
//! the broker took it at QoS 1, the settings drawer says the broker does not do QoS 2,
//! and nothing loops. Starts its own RabbitMQ whatever LAMPBOARD_E2E_BROKER says.

use std::time::Duration;

use e2e::{Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(60);

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

#[tokio::test(flavor = "multi_thread")]
async fn qos2_on_rabbitmq_is_delivered_once_at_qos1_and_said_in_words() {
    let dist = e2e::repo_root().join("dist");
    assert!(dist.join("index.html").exists(), "build dist/ first");
    let broker = Broker::start(BrokerKind::Rabbitmq);
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "zigbee2mqtt/#").await;
    let s = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    s.open_app(&broker.ws_url()).await;
    let connected = "document.querySelector('.status-line[data-status=\"connected\"]')";
    s.wait_until("connected to RabbitMQ", connected, LONG).await;
    // Wildcards get no retained messages here: the lamps appear as they announce.
    let _lampsim = Lampsim::start(&broker, &["--quiet"]);
    s.wait_until(
        "every lamp card",
        &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}"),
        LONG,
    )
    .await;

    // Choose QoS 2 for lamp changes and save (the client is replaced).
    s.open_settings().await;
    s.js("const q = document.querySelector('select[name=\"publish_qos\"]'); q.value = '2'; q.dispatchEvent(new Event('change', {bubbles: true})); document.querySelector('button.save').click(); return true;")
        .await;
    s.js("const c = document.querySelector('aside.drawer button.close'); if (c) c.click(); return true;")
        .await;
    s.wait_until("connected again", connected, LONG).await;

    let id = s
        .js("return [...document.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp).find(l => l.startsWith('zigbee2mqtt/'));")
        .await
        .as_str()
        .expect("a Zigbee2MQTT lamp")
        .to_owned();
    let command = format!("{id}/set");
    let state = |v: &serde_json::Value| v["state"].as_str().map(str::to_owned);
    let on = s
        .js(&format!(
            "return {}.querySelector('.switch').getAttribute('aria-checked');",
            card(&id)
        ))
        .await
        == "true";
    let (first, second) = if on { ("OFF", "ON") } else { ("ON", "OFF") };

    s.js(&format!(
        "{}.querySelector('.switch').click(); return true;",
        card(&id)
    ))
    .await;
    s.wait_until(
        "the card says the broker took the change at QoS 1",
        &format!(
            "{}.querySelector('.delivery-reason').textContent === 'This broker accepted it at QoS 1'",
            card(&id)
        ),
        LONG,
    )
    .await;
    s.wait_until(
        "the lamp echoes the change",
        &format!(
            "{}.querySelector('.switch').getAttribute('aria-checked') === '{}'",
            card(&id),
            !on
        ),
        LONG,
    )
    .await;
    s.js(&format!(
        "{}.scrollIntoView({{block: 'center'}}); return true;",
        card(&id)
    ))
    .await;
    s.screenshot("rabbitmq-qos1-card-1280").await;

    // The second change goes at QoS 1 at once; the card no longer repeats the news.
    s.js(&format!(
        "{}.querySelector('.switch').click(); return true;",
        card(&id)
    ))
    .await;
    s.wait_until(
        "the second change is delivered and echoed",
        &format!(
            "{c}.querySelector('.switch').getAttribute('aria-checked') === '{on}' && {c}.querySelector('.delivery').dataset.delivery === 'delivered'",
            c = card(&id)
        ),
        LONG,
    )
    .await;
    observer
        .wait_json(&command, LONG, |v| state(v).as_deref() == Some(second))
        .await
        .expect("the second command reached the broker");
    // Exactly once each: a reconnect loop would have sent the first again and again.
    assert_eq!(
        observer.count_json(&command, |v| state(v).as_deref() == Some(first)),
        1
    );
    assert_eq!(
        observer.count_json(&command, |v| state(v).as_deref() == Some(second)),
        1
    );
    assert_eq!(
        s.js(&format!("return !!{connected};")).await,
        serde_json::json!(true),
        "still connected: the broker's PUBACK did not end the connection"
    );

    s.open_settings().await;
    s.wait_until(
        "the drawer says the broker does not do QoS 2",
        "(document.querySelector('.qos2-downgraded') || {textContent: ''}).textContent === 'This broker does not support QoS 2: messages are sent at QoS 1'",
        LONG,
    )
    .await;
    s.js("document.querySelector('select[name=\"publish_qos\"]').scrollIntoView(); return true;")
        .await;
    s.screenshot("rabbitmq-qos2-drawer-1280").await;
    s.client
        .set_window_size(390, 844)
        .await
        .expect("phone width");
    s.screenshot("rabbitmq-qos2-drawer-390").await;
    s.js("document.querySelector('aside.drawer button.close').click(); return true;")
        .await;
    s.js(&format!(
        "{}.scrollIntoView({{block: 'center'}}); return true;",
        card(&id)
    ))
    .await;
    s.screenshot("rabbitmq-card-390").await;
    s.close().await;
}
