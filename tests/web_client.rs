//! The browser MQTT client (`lampboard::net::client::MqttClient`) against a real
//! Mosquitto 2.0.11 over WebSockets, in headless Chromium.
//!
//! `cargo xtask test` starts the broker (xtask/src/broker.rs) before
//! `wasm-pack test` and passes its URLs as build-time environment variables:
//! wasm has no environment at run time, so they are read with `option_env!`.
//! Messages the client should receive are published with `mosquitto_pub`
//! through the harness's HTTP control endpoint, independent of our codec; the
//! same endpoint stops and restarts the broker for the reconnect test.
//!
//! Every wait is bounded and fails naming what did not happen, with the
//! client's events so far: an event that never fires must not hang the run.
//! Each test uses its own client id and topic prefix, so retained messages and
//! subscriptions of one test never reach another.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use gloo_timers::future::TimeoutFuture;
use lampboard::mqtt::packet::{ConnectRefusal, QoS, SubackReturnCode};
use lampboard::mqtt::session::{ConnectOptions, Event, Message, PublishTicket, SessionOptions};
use lampboard::net::client::{ClientEvent, MqttClient};
use lampboard::net::status::ConnectionStatus;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// How long a connection, subscription or delivery may take on loopback.
const STEP_MS: u32 = 5_000;
/// How long to keep listening after the expected messages arrived, so a
/// duplicate has the chance to show up.
const SETTLE_MS: u32 = 500;

/// A build-time setting from the harness, or a failure saying how to run.
fn setting(name: &str, value: Option<&'static str>) -> &'static str {
    value.unwrap_or_else(|| {
        panic!(
            "{name} was not set when this test was built: run the browser tests with \
             `cargo xtask test`, which starts Mosquitto and sets it"
        )
    })
}

fn ws_url() -> &'static str {
    setting(
        "LAMPBOARD_TEST_WS_URL",
        option_env!("LAMPBOARD_TEST_WS_URL"),
    )
}

fn auth_ws_url() -> &'static str {
    setting(
        "LAMPBOARD_TEST_AUTH_WS_URL",
        option_env!("LAMPBOARD_TEST_AUTH_WS_URL"),
    )
}

fn auth_user() -> &'static str {
    setting(
        "LAMPBOARD_TEST_AUTH_USER",
        option_env!("LAMPBOARD_TEST_AUTH_USER"),
    )
}

fn auth_password() -> &'static str {
    setting(
        "LAMPBOARD_TEST_AUTH_PASSWORD",
        option_env!("LAMPBOARD_TEST_AUTH_PASSWORD"),
    )
}

fn control_url() -> &'static str {
    setting(
        "LAMPBOARD_TEST_CONTROL_URL",
        option_env!("LAMPBOARD_TEST_CONTROL_URL"),
    )
}

/// A name no other test (or earlier run) uses: for client ids and topic prefixes.
fn unique(label: &str) -> String {
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{label}-{:x}-{random:08x}", js_sys::Date::now() as u64)
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Runs `fut`, failing the test with `what` if it takes longer than `ms`.
async fn within<T>(ms: u32, what: &str, fut: impl Future<Output = T>) -> T {
    let mut fut = Box::pin(fut);
    let mut timer = Box::pin(TimeoutFuture::new(ms));
    let result = std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        if Pin::new(&mut timer).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await;
    result.unwrap_or_else(|| panic!("timed out after {ms} ms: {what}"))
}

/// POSTs to the harness's control endpoint; the answer's text, or an error
/// with the status and the harness's explanation.
async fn control(path: &str, body: &str) -> Result<String, String> {
    let url = format!("{}{path}", control_url());
    let fetch = async {
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_mode(web_sys::RequestMode::Cors);
        init.set_body(&JsValue::from_str(body));
        let window = web_sys::window().ok_or("no window")?;
        let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(|e| format!("fetch {url} failed: {e:?}"))?;
        let response: web_sys::Response = response
            .dyn_into()
            .map_err(|_| format!("fetch {url} gave no Response"))?;
        let text = response
            .text()
            .map_err(|e| format!("reading {url}'s answer failed: {e:?}"))?;
        let text = JsFuture::from(text)
            .await
            .map_err(|e| format!("reading {url}'s answer failed: {e:?}"))?
            .as_string()
            .unwrap_or_default();
        if response.ok() {
            Ok(text)
        } else {
            Err(format!("{url} answered {}: {text}", response.status()))
        }
    };
    within(
        30_000,
        &format!("the control endpoint answering {url}"),
        fetch,
    )
    .await
}

/// Publishes with mosquitto_pub (through the control endpoint), not our codec.
async fn broker_publish(topic: &str, payload: &str, qos: u8, retain: bool) {
    let path = format!(
        "/publish?topic={}&qos={qos}&retain={}",
        String::from(js_sys::encode_uri_component(topic)),
        u8::from(retain)
    );
    if let Err(why) = control(&path, payload).await {
        panic!("mosquitto_pub to {topic} failed: {why}");
    }
}

thread_local! {
    /// Every client a test made. A failed test aborts without running
    /// destructors, so its client would live on, reconnecting in the
    /// background; the next test disconnects them all first.
    static CLIENTS: RefCell<Vec<MqttClient>> = const { RefCell::new(Vec::new()) };
}

/// Prepares a test that needs the broker: ends clients left over from earlier
/// tests, and starts the broker if an earlier test failed while it was
/// stopped (a no-op when it runs), so one failure does not cascade.
async fn ensure_broker_running() {
    for client in CLIENTS.with(|c| std::mem::take(&mut *c.borrow_mut())) {
        client.disconnect();
    }
    if let Err(why) = control("/broker/start", "").await {
        panic!("the broker could not be started: {why}");
    }
}

/// A client and every event it reported, in order.
struct Probe {
    client: MqttClient,
    events: Rc<RefCell<Vec<ClientEvent>>>,
}

impl Probe {
    /// A client for `url` with a unique client id; `configure` adjusts the
    /// CONNECT (credentials).
    fn new(url: &str, label: &str, configure: impl FnOnce(&mut ConnectOptions)) -> Self {
        Self::with_options(url, label, |o| configure(&mut o.connect))
    }

    /// [`Probe::new`] with the session's own options adjusted (settle probes).
    fn with_options(url: &str, label: &str, configure: impl FnOnce(&mut SessionOptions)) -> Self {
        let connect = ConnectOptions::new(unique(&format!("lampboard-web-test-{label}")));
        let mut options = SessionOptions::new(connect);
        configure(&mut options);
        let events = Rc::new(RefCell::new(Vec::new()));
        let sink = events.clone();
        let client = MqttClient::new(
            url,
            options,
            Rc::new(move |event| {
                if let Ok(mut events) = sink.try_borrow_mut() {
                    events.push(event);
                }
            }),
        )
        .unwrap_or_else(|why| panic!("MqttClient::new({url}) failed: {why}"));
        CLIENTS.with(|c| c.borrow_mut().push(client.clone()));
        Self { client, events }
    }

    /// Connects and waits for the broker's CONNACK.
    async fn connected(url: &str, label: &str) -> Self {
        let probe = Self::new(url, label, |_| {});
        probe.client.connect();
        probe
            .wait_for("the client to connect", STEP_MS, |p| {
                (p.client.status() == ConnectionStatus::Connected).then_some(())
            })
            .await;
        probe
    }

    /// Polls `check` until it returns `Some`, failing after `timeout_ms` with
    /// `what` and the events seen so far.
    async fn wait_for<T>(
        &self,
        what: &str,
        timeout_ms: u32,
        mut check: impl FnMut(&Self) -> Option<T>,
    ) -> T {
        let start = now_ms();
        loop {
            if let Some(value) = check(self) {
                return value;
            }
            if now_ms() - start > f64::from(timeout_ms) {
                // Formatted before panicking: a panic aborts without unwinding,
                // so a borrow held in the panic's arguments would never end.
                let events = format!("{:#?}", self.events.borrow());
                panic!(
                    "timed out after {timeout_ms} ms waiting for {what}; status: {:?}; events: {events}",
                    self.client.status(),
                );
            }
            TimeoutFuture::new(20).await;
        }
    }

    /// Subscribes and waits for the SUBACK granting every filter.
    async fn subscribe(&self, filter: &str, qos: QoS) {
        let ticket = self
            .client
            .subscribe(&[(filter, qos)])
            .unwrap_or_else(|e| panic!("subscribe {filter}: {e}"));
        let results = self
            .wait_for(&format!("the SUBACK for {filter}"), STEP_MS, |p| {
                p.session_events().into_iter().find_map(|e| match e {
                    Event::Subscribed {
                        ticket: Some(t),
                        results,
                    } if t == ticket => Some(results),
                    _ => None,
                })
            })
            .await;
        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].result,
            SubackReturnCode::Success(qos),
            "{filter} was not granted at {qos:?}"
        );
    }

    fn session_events(&self) -> Vec<Event> {
        self.events
            .borrow()
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Session(e) => Some(e.clone()),
                ClientEvent::Status(_) => None,
            })
            .collect()
    }

    fn statuses(&self) -> Vec<ConnectionStatus> {
        self.events
            .borrow()
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Status(s) => Some(s.clone()),
                ClientEvent::Session(_) => None,
            })
            .collect()
    }

    /// Messages received on topics starting with `prefix`, in arrival order.
    fn messages(&self, prefix: &str) -> Vec<Message> {
        self.session_events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Message(m) if m.topic.starts_with(prefix) => Some(m),
                _ => None,
            })
            .collect()
    }

    fn count(&self, wanted: &Event) -> usize {
        self.session_events()
            .iter()
            .filter(|e| *e == wanted)
            .count()
    }

    /// Waits until `event` was reported at least once.
    async fn wait_event(&self, what: &str, timeout_ms: u32, event: Event) {
        self.wait_for(what, timeout_ms, |p| (p.count(&event) > 0).then_some(()))
            .await;
    }

    /// Says goodbye and checks the status says so.
    fn disconnect(&self) {
        self.client.disconnect();
        assert_eq!(self.client.status(), ConnectionStatus::Disconnected);
    }
}

#[wasm_bindgen_test]
async fn connecting_goes_from_connecting_to_connected() {
    ensure_broker_running().await;
    let probe = Probe::new(ws_url(), "connect", |_| {});
    assert_eq!(probe.client.status(), ConnectionStatus::Disconnected);
    probe.client.connect();
    assert_eq!(probe.client.status(), ConnectionStatus::Connecting);
    probe
        .wait_event(
            "CONNACK from Mosquitto",
            STEP_MS,
            Event::Connected {
                session_present: false,
            },
        )
        .await;
    assert_eq!(
        probe.statuses(),
        [ConnectionStatus::Connecting, ConnectionStatus::Connected]
    );
    assert_eq!(probe.client.status().text(), "Connected");
    probe.disconnect();
}

#[wasm_bindgen_test]
async fn a_retained_lamp_state_published_beforehand_arrives_on_subscribe() {
    ensure_broker_running().await;
    let prefix = unique("lbtest-retained");
    let lamp = format!("{prefix}/smarthome/kitchen/lamps/ceiling");
    let not_a_lamp = format!("{prefix}/smarthome/kitchen/switches/door");
    let state = r#"{"state":"ON","brightness":128}"#;
    broker_publish(&lamp, state, 1, true).await;
    broker_publish(&not_a_lamp, r#"{"state":"OFF"}"#, 1, true).await;

    let probe = Probe::connected(ws_url(), "retained").await;
    probe
        .subscribe(&format!("{prefix}/smarthome/+/lamps/#"), QoS::AtLeastOnce)
        .await;
    let got = probe
        .wait_for(&format!("the retained message on {lamp}"), STEP_MS, |p| {
            p.messages(&prefix).into_iter().next()
        })
        .await;
    assert_eq!(got.topic, lamp);
    assert_eq!(got.payload, state.as_bytes());
    assert!(got.retain, "a retained value must arrive with retain set");
    assert_eq!(got.qos, QoS::AtLeastOnce);
    TimeoutFuture::new(SETTLE_MS).await;
    let all = probe.messages(&prefix);
    assert_eq!(
        all.len(),
        1,
        "only the lamp topic matches smarthome/+/lamps/#, once: {all:#?}"
    );
    probe.disconnect();

    // Leave no retained value behind: an empty retained publish clears it.
    broker_publish(&lamp, "", 1, true).await;
    broker_publish(&not_a_lamp, "", 1, true).await;
}

#[wasm_bindgen_test]
async fn mosquittos_answer_to_the_probe_after_a_subscribe_comes_after_its_retained_burst() {
    ensure_broker_running().await;
    let prefix = unique("lbtest-settle");
    let lamps: Vec<String> = (0..40)
        .map(|i| format!("{prefix}/smarthome/room-{}/lamps/lamp-{i}", i % 5))
        .collect();
    for lamp in &lamps {
        broker_publish(lamp, r#"{"state":"ON"}"#, 1, true).await;
    }

    let probe = Probe::with_options(ws_url(), "settle", |o| o.settle_probes = true);
    probe.client.connect();
    probe
        .client
        .subscribe(&[(&format!("{prefix}/smarthome/+/lamps/#"), QoS::AtMostOnce)])
        .unwrap();
    probe
        .wait_for("the probe's answer", STEP_MS, |p| {
            p.session_events()
                .iter()
                .any(|e| matches!(e, Event::SubscriptionSettled { .. }))
                .then_some(())
        })
        .await;
    // Everything before the answer, in the order the client reported it.
    let events = probe.session_events();
    let settled_at = events
        .iter()
        .position(|e| matches!(e, Event::SubscriptionSettled { .. }))
        .unwrap();
    let before: Vec<&str> = events[..settled_at]
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) if m.topic.starts_with(&prefix) => Some(m.topic.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        before.len(),
        lamps.len(),
        "every retained lamp arrived before the probe's answer: {before:?}"
    );
    assert_eq!(
        events[settled_at],
        Event::SubscriptionSettled {
            more_pending: false
        }
    );
    probe.disconnect();
    for lamp in &lamps {
        broker_publish(lamp, "", 1, true).await;
    }
}

#[wasm_bindgen_test]
async fn own_publishes_at_qos_0_1_2_come_back_exactly_once_and_are_acknowledged() {
    ensure_broker_running().await;
    let prefix = unique("lbtest-qos");
    let probe = Probe::connected(ws_url(), "qos").await;
    probe
        .subscribe(&format!("{prefix}/echo/#"), QoS::ExactlyOnce)
        .await;

    let levels = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce];
    let sent: Vec<(String, Vec<u8>, QoS, PublishTicket)> = levels
        .iter()
        .enumerate()
        .map(|(i, &qos)| {
            let topic = format!("{prefix}/echo/q{i}");
            let payload = format!("message at QoS {i}").into_bytes();
            let ticket = probe
                .client
                .publish(&topic, payload.clone(), qos, false)
                .unwrap_or_else(|e| panic!("publish at {qos:?}: {e}"));
            (topic, payload, qos, ticket)
        })
        .collect();

    let (_, _, _, t0) = &sent[0];
    probe
        .wait_event("Sent for the QoS 0 ticket", STEP_MS, Event::Sent(*t0))
        .await;
    for (_, _, qos, ticket) in &sent[1..] {
        probe
            .wait_event(
                &format!("Delivered for the {qos:?} ticket"),
                STEP_MS,
                Event::Delivered(*ticket),
            )
            .await;
    }
    probe
        .wait_for("all three messages to come back", STEP_MS, |p| {
            (p.messages(&prefix).len() >= 3).then_some(())
        })
        .await;
    TimeoutFuture::new(SETTLE_MS).await;

    for (topic, payload, qos, ticket) in &sent {
        let copies: Vec<Message> = probe
            .messages(&prefix)
            .into_iter()
            .filter(|m| &m.topic == topic)
            .collect();
        assert_eq!(
            copies.len(),
            1,
            "{topic} must arrive exactly once: {copies:#?}"
        );
        assert_eq!(&copies[0].payload, payload);
        assert_eq!(copies[0].qos, *qos, "{topic} must keep its QoS");
        assert!(!copies[0].retain && !copies[0].dup, "{:?}", copies[0]);
        // QoS 0 is only ever Sent; QoS 1 and 2 are Delivered, once.
        let (sent_count, delivered) = (
            probe.count(&Event::Sent(*ticket)),
            probe.count(&Event::Delivered(*ticket)),
        );
        match qos {
            QoS::AtMostOnce => assert_eq!((sent_count, delivered), (1, 0), "{qos:?}"),
            _ => assert_eq!((sent_count, delivered), (0, 1), "{qos:?}"),
        }
    }
    assert_eq!(probe.messages(&prefix).len(), 3);
    probe.disconnect();
}

#[wasm_bindgen_test]
async fn a_wrong_password_is_refused_as_not_authorized_in_words() {
    ensure_broker_running().await;
    // The right password is accepted, so the refusal below is about the
    // password and not a listener that refuses everyone.
    let good = Probe::new(auth_ws_url(), "auth-good", |c| {
        c.username = Some(auth_user().to_owned());
        c.password = Some(auth_password().as_bytes().to_vec());
    });
    good.client.connect();
    good.wait_event(
        "the right password to be accepted",
        STEP_MS,
        Event::Connected {
            session_present: false,
        },
    )
    .await;
    good.disconnect();

    let bad = Probe::new(auth_ws_url(), "auth-bad", |c| {
        c.username = Some(auth_user().to_owned());
        c.password = Some(b"not-the-password".to_vec());
    });
    bad.client.connect();
    // Mosquitto 2.0.11 answers a wrong password on MQTT 3.1.1 with CONNACK
    // return code 5, "not authorized" (checked with `mosquitto_pub -d`), not 4.
    bad.wait_event(
        "the broker's refusal",
        STEP_MS,
        Event::Refused(ConnectRefusal::NotAuthorized),
    )
    .await;
    // The refusal stays on the status line through the backoff, saying what to check.
    let status = bad.client.status();
    let ConnectionStatus::Denied {
        why,
        retry_in_secs: Some(_),
    } = &status
    else {
        panic!("expected a refusal waiting to retry, got {status:?}");
    };
    assert_eq!(why, "Not authorized: check the user name and password");
    assert!(
        status
            .text()
            .starts_with("Not authorized: check the user name and password (trying again in "),
        "{}",
        status.text()
    );
    assert_eq!(status.kind(), "refused");
    assert_eq!(
        bad.count(&Event::Connected {
            session_present: false
        }),
        0
    );
    bad.disconnect();
}

#[wasm_bindgen_test]
async fn after_a_broker_restart_it_reconnects_resubscribes_and_sends_the_offline_queue() {
    ensure_broker_running().await;
    let prefix = unique("lbtest-restart");
    let filter = format!("{prefix}/offline/#");
    let probe = Probe::connected(ws_url(), "restart").await;
    probe.subscribe(&filter, QoS::AtLeastOnce).await;

    let before = format!("{prefix}/offline/before");
    probe
        .client
        .publish(&before, b"before".to_vec(), QoS::AtLeastOnce, false)
        .expect("publish before the restart");
    probe
        .wait_for("the echo of the message before the restart", STEP_MS, |p| {
            (!p.messages(&before).is_empty()).then_some(())
        })
        .await;

    if let Err(why) = control("/broker/stop", "").await {
        panic!("stopping the broker failed: {why}");
    }
    let why = probe
        .wait_for("the status to show a retry", STEP_MS, |p| {
            match p.client.status() {
                ConnectionStatus::Retrying { why, .. } => Some(why),
                _ => None,
            }
        })
        .await;
    assert!(why.contains("connection"), "the reason in words: {why}");
    assert!(
        probe.client.status().text().contains("retrying in"),
        "{}",
        probe.client.status().text()
    );

    // Published while the broker is down: queued, not lost.
    let offline: Vec<(String, PublishTicket)> = (1..=3)
        .map(|i| {
            let topic = format!("{prefix}/offline/queued-{i}");
            let ticket = probe
                .client
                .publish(
                    &topic,
                    format!("queued {i}").into_bytes(),
                    QoS::AtLeastOnce,
                    false,
                )
                .unwrap_or_else(|e| panic!("publish while offline: {e}"));
            (topic, ticket)
        })
        .collect();
    assert_eq!(probe.client.queued_publishes(), 3);

    if let Err(why) = control("/broker/start", "").await {
        panic!("starting the broker again failed: {why}");
    }
    // Backoff after a second or two of failures stays under 4 s; allow more.
    probe
        .wait_for("a second CONNACK after the restart", 20_000, |p| {
            (p.count(&Event::Connected {
                session_present: false,
            }) == 2)
                .then_some(())
        })
        .await;
    // The restarted broker forgot everything (no persistence): the session
    // subscribes again by itself, without a ticket.
    let results = probe
        .wait_for("the session to re-subscribe by itself", STEP_MS, |p| {
            p.session_events().into_iter().find_map(|e| match e {
                Event::Subscribed {
                    ticket: None,
                    results,
                } => Some(results),
                _ => None,
            })
        })
        .await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].filter, filter);
    assert_eq!(
        results[0].result,
        SubackReturnCode::Success(QoS::AtLeastOnce)
    );

    for (topic, ticket) in &offline {
        probe
            .wait_event(
                &format!("Delivered for the message queued for {topic}"),
                STEP_MS,
                Event::Delivered(*ticket),
            )
            .await;
    }
    probe
        .wait_for("the queued messages to come back", STEP_MS, |p| {
            (p.messages(&format!("{prefix}/offline/queued-")).len() >= 3).then_some(())
        })
        .await;
    TimeoutFuture::new(SETTLE_MS).await;

    let queued = probe.messages(&format!("{prefix}/offline/queued-"));
    let arrived: Vec<(&str, &[u8])> = queued
        .iter()
        .map(|m| (m.topic.as_str(), m.payload.as_slice()))
        .collect();
    let expected: Vec<(String, Vec<u8>)> = offline
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (t.clone(), format!("queued {}", i + 1).into_bytes()))
        .collect();
    let expected: Vec<(&str, &[u8])> = expected
        .iter()
        .map(|(t, p)| (t.as_str(), p.as_slice()))
        .collect();
    assert_eq!(arrived, expected, "each queued message once, in order");
    assert_eq!(
        probe.messages(&before).len(),
        1,
        "no resend of the earlier one"
    );
    assert_eq!(probe.client.queued_publishes(), 0);
    assert_eq!(probe.client.status(), ConnectionStatus::Connected);
    let statuses = probe.statuses();
    let kinds: Vec<&str> = statuses.iter().map(|s| s.kind()).collect();
    assert_eq!(kinds.first(), Some(&"connecting"));
    assert_eq!(kinds.last(), Some(&"connected"));
    assert_eq!(
        kinds.iter().filter(|k| **k == "connected").count(),
        2,
        "{kinds:?}"
    );
    probe.disconnect();
}

#[wasm_bindgen_test]
fn an_invalid_url_is_refused_in_words_before_any_socket_opens() {
    let options = || SessionOptions::new(ConnectOptions::new(unique("lampboard-web-test-url")));
    let refuse = |url: &str| -> String {
        match MqttClient::new(url, options(), Rc::new(|_| {})) {
            Ok(_) => panic!("{url:?} was accepted"),
            Err(why) => why,
        }
    };
    let why = refuse("mqtt://127.0.0.1:1883");
    assert!(
        why.contains("Browsers cannot speak mqtt://") && why.contains("ws://"),
        "{why}"
    );
    let why = refuse("ws://127.0.0.1:99999/");
    assert!(why.contains("\"99999\" is not a port number"), "{why}");
    let why = refuse("");
    assert!(why.contains("Enter the broker's WebSocket URL"), "{why}");
    let why = refuse("ws://lamp hub:9001/");
    assert!(why.contains("cannot contain ' '"), "{why}");
}
