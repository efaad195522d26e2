//! Keep-alive and CONNACK timeouts on simulated time.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/scripted_broker.rs"]
mod common;

use common::{publish, Harness};
use lampboard::mqtt::packet::{Packet, QoS, QoSPid};
use lampboard::mqtt::session::{ConnectionState, Event, LostReason, Millis};

fn keep_alive(secs: u16) -> Harness {
    Harness::new(|o| o.connect.keep_alive_secs = secs)
}

#[test]
fn pingreq_is_sent_after_a_keep_alive_of_silence() {
    let mut h = keep_alive(10);
    h.connect(false);
    h.advance(9_999);
    assert!(h.sent().is_empty(), "too early");
    h.advance(1);
    assert_eq!(h.sent(), vec![Packet::Pingreq]);
}

#[test]
fn outgoing_traffic_postpones_the_pingreq() {
    let mut h = keep_alive(10);
    h.connect(false);
    h.advance(6_000);
    h.session
        .publish("t", *b"", QoS::AtMostOnce, false)
        .unwrap();
    h.sent();
    assert_eq!(h.session.poll_timeout(), Some(Millis(16_000)));
    h.advance(9_999);
    assert!(h.sent().is_empty());
    h.advance(1);
    assert_eq!(h.sent(), vec![Packet::Pingreq]);
}

#[test]
fn pingresp_keeps_the_connection_alive_and_pings_continue() {
    let mut h = keep_alive(10);
    h.connect(false);
    h.advance(10_000);
    assert_eq!(h.sent(), vec![Packet::Pingreq]);
    h.advance(1_000);
    h.feed(&Packet::Pingresp);
    h.advance(20_000);
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert_eq!(h.sent(), vec![Packet::Pingreq]);
    assert!(
        !h.events()
            .iter()
            .any(|e| matches!(e, Event::ConnectionLost(_))),
        "answered pings must not end the connection"
    );
}

#[test]
fn missing_pingresp_declares_the_connection_dead_after_half_the_keep_alive() {
    let mut h = keep_alive(10);
    h.connect(false);
    h.advance(10_000);
    assert_eq!(h.sent(), vec![Packet::Pingreq]);
    assert_eq!(h.session.poll_timeout(), Some(Millis(15_000)));
    h.advance(4_999);
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert!(h.events().is_empty());
    h.advance(1);
    assert_eq!(
        h.events(),
        vec![Event::ConnectionLost(LostReason::PingTimeout)]
    );
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
    assert!(LostReason::PingTimeout.to_string().contains("dead"));
    assert_eq!(h.session.poll_timeout(), None);
}

#[test]
fn configured_ping_timeout_replaces_the_default_grace() {
    let mut h = Harness::new(|o| {
        o.connect.keep_alive_secs = 60;
        o.ping_timeout_ms = Some(2_000);
    });
    h.connect(false);
    h.advance(60_000);
    assert_eq!(h.sent(), vec![Packet::Pingreq]);
    h.advance(2_000);
    assert_eq!(
        h.events(),
        vec![Event::ConnectionLost(LostReason::PingTimeout)]
    );
}

#[test]
fn any_packet_answers_an_outstanding_pingreq() {
    let mut h = keep_alive(10);
    h.connect(false);
    h.advance(10_000);
    h.sent();
    h.advance(1_000);
    h.feed(&publish("t", b"", QoSPid::AtMostOnce, false));
    h.events();
    h.advance(4_500);
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn keep_alive_zero_never_pings_or_times_out() {
    let mut h = keep_alive(0);
    h.connect(false);
    assert_eq!(h.session.poll_timeout(), None);
    h.advance(10_000_000);
    assert!(h.sent().is_empty());
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn missing_connack_ends_the_connection_after_the_connack_timeout() {
    let mut h = Harness::new(|o| o.connack_timeout_ms = 3_000);
    h.open();
    h.sent();
    assert_eq!(h.session.poll_timeout(), Some(Millis(3_000)));
    h.advance(2_999);
    assert!(h.events().is_empty());
    h.advance(1);
    assert_eq!(
        h.events(),
        vec![Event::ConnectionLost(LostReason::ConnackTimeout)]
    );
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
}

#[test]
fn a_late_connack_after_the_timeout_is_ignored() {
    let mut h = Harness::new(|o| o.connack_timeout_ms = 3_000);
    h.open();
    h.sent();
    h.advance(3_000);
    h.events();
    h.feed(&Packet::Connack(
        lampboard::mqtt::packet::Connack::Accepted {
            session_present: false,
        },
    ));
    assert!(h.events().is_empty());
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
}

#[test]
fn performance_now_values_convert_without_panicking() {
    assert_eq!(Millis::from_f64(1234.9), Millis(1234));
    assert_eq!(Millis::from_f64(f64::NAN), Millis(0));
    assert_eq!(Millis::from_f64(-5.0), Millis(0));
    assert_eq!(Millis::from_f64(f64::INFINITY), Millis(0));
    assert_eq!(Millis(u64::MAX).plus(10), Millis(u64::MAX));
}

#[test]
fn a_clock_stepping_back_does_not_postpone_deadlines() {
    let mut h = keep_alive(10);
    h.connect(false);
    h.session.handle_timeout(Millis(10_000));
    assert_eq!(h.sent(), vec![Packet::Pingreq]);
    // A stale timestamp must not be taken as "now".
    h.session.handle_timeout(Millis(1));
    h.session.handle_timeout(Millis(15_000));
    assert_eq!(
        h.events(),
        vec![Event::ConnectionLost(LostReason::PingTimeout)]
    );
}
