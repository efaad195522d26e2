//! RabbitMQ 3.x, which downgrades QoS 2 to QoS 1 (it answers a QoS 2 PUBLISH with
//! PUBACK): with QoS 2 chosen, a toggle reaches the lamp exactly once, the card says
//! the broker took it at QoS 1, the settings drawer says the broker does not do QoS 2,
//! and nothing loops. Then the other states RabbitMQ brings, photographed at phone and
//! desktop width in the light and the dark theme: after a reload the notice that the
//! broker withholds retained messages from wildcards, and with the wrong path (`/mqtt`)
//! the words for a socket that closes before MQTT starts. Starts its own RabbitMQ
//! whatever LAMPBOARD_E2E_BROKER says.

use std::time::Duration;

use e2e::{Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(60);

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

/// Screenshots `name` at a phone's size (390x844, as a phone: touch, 2x pixels) and a
/// desktop's (1280x800), each in the light and the dark theme, after running `place` (which
/// scrolls what the picture is about into view at that size). Leaves the page at desktop
/// size in the system's theme.
async fn shots(s: &Session, name: &str, place: &str) {
    for (width, height, mobile) in [(390, 844, true), (1280, 800, false)] {
        s.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({
                "width": width, "height": height, "mobile": mobile,
                "deviceScaleFactor": if mobile { 2 } else { 1 },
            }),
        )
        .await
        .expect("emulate the screen size");
        for theme in ["light", "dark"] {
            s.js(&format!(
                "document.documentElement.dataset.theme = '{theme}'; {place}; return true;"
            ))
            .await;
            tokio::time::sleep(Duration::from_millis(400)).await;
            s.screenshot(&format!("{name}-{width}-{theme}")).await;
        }
    }
    s.cdp(
        "Emulation.clearDeviceMetricsOverride",
        serde_json::json!({}),
    )
    .await
    .expect("back to the window's size");
    s.js("delete document.documentElement.dataset.theme; return true;")
        .await;
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
    // Wildcards get no retained messages here: the lamps appear as they announce, so
    // they start once the page's subscriptions are acknowledged.
    s.wait_listening(LONG).await;
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
    let center_card = format!("{}.scrollIntoView({{block: 'center'}})", card(&id));
    shots(&s, "rabbitmq-qos1-card", &center_card).await;

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
    shots(
        &s,
        "rabbitmq-qos2-drawer",
        "document.querySelector('.qos2-downgraded').scrollIntoView({block: 'center'})",
    )
    .await;
    s.js("document.querySelector('aside.drawer button.close').click(); return true;")
        .await;

    // A reload: the lamps come back through their exact topics, and the notice says the
    // wildcards brought no retained message, why, and what to do.
    s.wait_until(
        "the offline snapshot holds the lamps",
        "(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('lampboard.snapshot.'))) || '').split('smarthome/').length > 12",
        LONG,
    )
    .await;
    s.client.refresh().await.expect("reload");
    s.wait_until(
        "the notice says the broker withholds retained messages from wildcards",
        "(document.querySelector('.notice') || {textContent: ''}).textContent.includes('does not send retained messages to wildcard subscriptions')",
        LONG,
    )
    .await;
    shots(&s, "rabbitmq-withheld-notice", "window.scrollTo(0, 0)").await;

    // The wrong path: RabbitMQ's web server answers 404 before any MQTT, and the browser
    // says only 1006. The status names the URL; the connect form says what to check.
    let wrong = format!("ws://127.0.0.1:{}/mqtt", broker.ws_port);
    s.open_app(&wrong).await;
    s.wait_until(
        "the status says the broker at that URL cannot be reached",
        &format!(
            "document.querySelector('.status-line[data-status=\"retrying\"]') && document.querySelector('.status-line').textContent.includes('{wrong}')"
        ),
        LONG,
    )
    .await;
    let hint = s.text(".unreachable-hint").await;
    assert!(
        hint.contains("/ws for RabbitMQ"),
        "the connect form suggests RabbitMQ's path: {hint}"
    );
    shots(
        &s,
        "rabbitmq-wrong-path",
        "(document.querySelector('.unreachable-hint') || document.body).scrollIntoView({block: 'center'})",
    )
    .await;
    s.close().await;
}
