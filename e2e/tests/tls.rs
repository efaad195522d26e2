//! `wss://` against a Mosquitto with TLS on its WebSocket listener, with a CA
//! and server certificate generated for this run (always Mosquitto: lampsim's
//! rumqttd has no TLS WebSocket listener).
//!
//! Chromium is told to trust the server's key with
//! `--ignore-certificate-errors-spki-list` (honoured because chromedriver runs
//! it with its own `--user-data-dir`), so no system trust store is touched.

use std::time::Duration;

use e2e::secure_broker::{generate_certs, Login, SecureBroker};
use e2e::{Observer, Session, StaticServer};

const LONG: Duration = Duration::from_secs(30);
const LAMP: &str = "smarthome/porch/lamps/lantern";

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wss_broker_with_a_trusted_certificate_connects_and_a_toggle_round_trips() {
    let certs = generate_certs();
    let broker = SecureBroker::start(Some(&certs), Login::Anonymous);
    broker.publish(None, LAMP, r#"{"state":"OFF"}"#, true);
    let observer = Observer::start(broker.tcp_port, "smarthome/#").await;
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let trust = format!(
        "--ignore-certificate-errors-spki-list={}",
        certs.spki_sha256
    );
    let session = Session::start_with_args(
        &format!("http://127.0.0.1:{}/", server.port),
        1280,
        900,
        &[trust],
    )
    .await;
    let url = broker.ws_url();
    assert!(url.starts_with("wss://"), "{url}");
    session.open_app(&url).await;
    session
        .wait_until(
            "connected over wss://",
            "document.querySelector('.status-line[data-status=\"connected\"]')",
            LONG,
        )
        .await;
    session
        .wait_until("the porch lantern's card", &card(LAMP), LONG)
        .await;
    // The broker saw a TLS WebSocket client (not some other path).
    assert!(
        broker.log_count("New client connected") >= 1,
        "mosquitto log:\n{}",
        broker.log()
    );

    session
        .js(&format!(
            "{}.querySelector('.switch').click(); return true;",
            card(LAMP)
        ))
        .await;
    let reached = observer.wait_json(LAMP, LONG, |v| v["state"] == "ON").await;
    assert!(reached.is_ok(), "the broker never got ON: {reached:?}");
    session
        .wait_until(
            "the card confirmed on",
            &format!(
                "{c}.querySelector('.switch').getAttribute('aria-checked') === 'true' && {c}.querySelector('.delivery').dataset.delivery === 'delivered'",
                c = card(LAMP)
            ),
            LONG,
        )
        .await;
    session.screenshot("tls-trusted").await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wss_broker_with_an_untrusted_certificate_says_where_to_check_it() {
    let certs = generate_certs();
    let broker = SecureBroker::start(Some(&certs), Login::Anonymous);
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    // No trust switch: the certificate is signed by a CA this browser never saw.
    let session = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    session.open_app(&broker.ws_url()).await;
    // The status line stays short; the connect form says where to check the certificate.
    // Read both in one snapshot: between attempts the status flips to "connecting".
    let page = format!("https://127.0.0.1:{}", broker.ws_port);
    let snapshot = "const s = document.querySelector('.status-line'); const h = document.querySelector('.certificate-hint'); \
        return s.dataset.status === 'retrying' ? [s.textContent, h && h.textContent, h && h.querySelector('a').getAttribute('href')] : null;";
    let deadline = tokio::time::Instant::now() + LONG;
    let seen = loop {
        let v = session.js(snapshot).await;
        if !v.is_null() {
            break v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never retrying; status line: {}",
            session.text(".status-line").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    session.screenshot("tls-untrusted").await;
    let status = seen[0].as_str().unwrap_or_default();
    assert!(
        status.starts_with("Can't reach the broker at wss://"),
        "status line: {status}"
    );
    let hint = seen[1].as_str().unwrap_or_default();
    assert!(
        hint.contains("This browser may not trust it") && hint.contains(&page),
        "hint: {seen}"
    );
    assert_eq!(seen[2], serde_json::json!(page), "the hint links to {page}");
    // The cause was the certificate (the page cannot see it; the console can), and
    // no MQTT client ever reached the broker.
    let console = session.console_errors().await;
    assert!(
        console
            .iter()
            .any(|e| e.contains("net::ERR_CERT_AUTHORITY_INVALID")),
        "console: {console:#?}"
    );
    assert_eq!(
        broker.log_count("New client connected"),
        0,
        "mosquitto log:\n{}",
        broker.log()
    );
    session.close().await;
}
