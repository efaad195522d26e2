//! A first visit's lamps are drawn at once when they are in (store/reactive/arrival.rs, issue
//! 17's layout shift): after the CONNACK of a connection that starts with no lamps, the
//! dashboard keeps its connecting view (the connect form and a "Loading lamps" hint) while the
//! retained burst arrives, and draws every room in one go once the lamp list has been quiet
//! for `QUIET_MS` after the SUBACK. A page that already shows lamps never waits, nor does a
//! resumed session (no new SUBACK comes), and a lost connection ends the wait.
#![cfg(target_arch = "wasm32")]

use lampboard::mqtt::packet::{QoS, SubackReturnCode};
use lampboard::mqtt::session::{Event, FilterResult};
use lampboard::net::client::ClientEvent;
use lampboard::net::status::ConnectionStatus;

#[path = "common/frames.rs"]
mod frames;
#[path = "common/host.rs"]
mod host;
#[path = "common/page.rs"]
mod page;
use frames::{settle_frame, sleep};
use page::{mount, Page};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const A: &str = "smarthome/kitchen/lamps/a";
const B: &str = "smarthome/hall/lamps/b";

fn connack(page: &Page, session_present: bool) {
    page.store
        .handle_client_event(ClientEvent::Status(ConnectionStatus::Connected));
    page.store
        .handle_client_event(ClientEvent::Session(Event::Connected { session_present }));
}

fn suback(page: &Page) {
    page.store
        .handle_client_event(ClientEvent::Session(Event::Subscribed {
            ticket: None,
            results: vec![FilterResult {
                filter: "smarthome/+/lamps/#".to_owned(),
                result: SubackReturnCode::Success(QoS::AtMostOnce),
            }],
        }));
}

/// A first visit after its CONNACK and SUBACK, with lamp A's retained state in: waiting.
async fn first_visit_with_one_lamp_in() -> Page {
    let page = mount();
    settle_frame().await;
    connack(&page, false);
    suback(&page);
    page.receive(A, br#"{"state":"ON"}"#, QoS::AtMostOnce, true);
    page
}

fn tiles(page: &Page) -> usize {
    page.all("article.lamp-card").len()
}

#[wasm_bindgen_test]
async fn a_first_visits_lamps_are_drawn_together_once_they_are_in() {
    let page = first_visit_with_one_lamp_in().await;
    settle_frame().await;
    assert_eq!(tiles(&page), 0, "the first lamp waits for the others");
    assert!(
        page.has("form.connect-panel"),
        "the connect form stays meanwhile"
    );
    assert_eq!(page.text(".empty-hint"), "Connected. Loading lamps…");
    let quiet = lampboard::store::ARRIVAL_QUIET_MS;
    sleep(quiet as u32 / 2).await;
    page.receive(B, br#"{"state":"OFF"}"#, QoS::AtMostOnce, true);
    sleep(quiet as u32 / 3).await;
    settle_frame().await;
    assert_eq!(
        tiles(&page),
        0,
        "a lamp arriving starts the quiet time again"
    );
    sleep(quiet as u32 * 2).await;
    settle_frame().await;
    assert_eq!(tiles(&page), 2, "both lamps, drawn together");
    assert!(
        !page.has("form.connect-panel"),
        "the form gave way in the same frame"
    );
    assert!(!page.has(".empty-hint"));
}

#[wasm_bindgen_test]
async fn a_page_with_lamps_a_resumed_session_or_a_lost_connection_does_not_wait() {
    // Lamps already shown (a reconnect, or a snapshot of the last visit): no wait.
    let page = mount();
    settle_frame().await;
    page.receive(A, br#"{"state":"ON"}"#, QoS::AtMostOnce, true);
    settle_frame().await;
    connack(&page, false);
    suback(&page);
    page.receive(B, br#"{"state":"OFF"}"#, QoS::AtMostOnce, true);
    settle_frame().await;
    assert_eq!(tiles(&page), 2, "known lamps never wait");
    drop(page);

    // A resumed session gets no new SUBACK: no wait either.
    let page = mount();
    settle_frame().await;
    connack(&page, true);
    page.receive(A, br#"{"state":"ON"}"#, QoS::AtMostOnce, true);
    settle_frame().await;
    assert_eq!(tiles(&page), 1, "a resumed session does not wait");
    drop(page);

    // The connection drops while waiting: what came is shown at once.
    let page = first_visit_with_one_lamp_in().await;
    settle_frame().await;
    assert_eq!(tiles(&page), 0);
    page.store
        .handle_client_event(ClientEvent::Status(ConnectionStatus::Disconnected));
    settle_frame().await;
    assert_eq!(tiles(&page), 1, "a lost connection ends the wait");
}

fn probe_answered(page: &Page, more_pending: bool) {
    page.store
        .handle_client_event(ClientEvent::Session(Event::SubscriptionSettled {
            more_pending,
        }));
}

#[wasm_bindgen_test]
async fn once_the_broker_has_answered_every_subscribes_probe_the_lamps_come_without_the_quiet_time()
{
    let settle_ms = lampboard::store::ARRIVAL_SETTLE_MS as u32;
    let quiet = lampboard::store::ARRIVAL_QUIET_MS as u32;
    assert!(
        settle_ms * 3 < quiet,
        "the test needs the shortcut well inside the quiet time"
    );
    let page = first_visit_with_one_lamp_in().await;
    settle_frame().await;

    // Another SUBSCRIBE is still open (a Zigbee2MQTT device's own topics): no shortcut.
    probe_answered(&page, true);
    sleep(settle_ms * 2).await;
    settle_frame().await;
    assert_eq!(tiles(&page), 0, "an open SUBSCRIBE keeps the wait");

    // Its state, then its probe's answer: every SUBSCRIBE settled, the burst is in.
    page.receive(B, br#"{"state":"OFF"}"#, QoS::AtMostOnce, true);
    probe_answered(&page, false);
    sleep(settle_ms * 2).await;
    settle_frame().await;
    assert_eq!(
        tiles(&page),
        2,
        "drawn {settle_ms} ms after the last answer, not {quiet} ms after the last lamp"
    );
    assert!(!page.has("form.connect-panel"));
}
