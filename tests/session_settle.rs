//! Settle probes (`SessionOptions::settle_probes`): a PINGREQ right after each SUBSCRIBE,
//! whose PINGRESP says the retained messages the broker queued for it are in
//! (`Event::SubscriptionSettled`), so a first screen need not wait on a quiet timer
//! (store/reactive/arrival.rs). Keep-alive pings are told apart by their order.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/scripted_broker.rs"]
mod common;

use common::{granted, pid, publish, suback, Harness};
use lampboard::mqtt::packet::{Packet, QoS, QoSPid};
use lampboard::mqtt::session::Event;

fn probing() -> Harness {
    Harness::new(|o| {
        o.settle_probes = true;
        o.connect.keep_alive_secs = 10;
    })
}

fn settled(events: &[Event]) -> Vec<bool> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::SubscriptionSettled { more_pending } => Some(*more_pending),
            _ => None,
        })
        .collect()
}

fn kinds(packets: &[Packet<'_>]) -> Vec<String> {
    packets
        .iter()
        .map(|p| format!("{}", p.packet_type()))
        .collect()
}

#[test]
fn a_subscribe_is_followed_by_a_ping_whose_answer_comes_after_the_retained_burst() {
    let mut h = probing();
    h.connect(false);
    h.session
        .subscribe(&[("smarthome/+/lamps/#", QoS::AtMostOnce)])
        .unwrap();
    assert_eq!(kinds(&h.sent()), ["SUBSCRIBE", "PINGREQ"]);

    h.feed(&suback(pid(1), &[granted(QoS::AtMostOnce)]));
    h.feed(&publish(
        "smarthome/hall/lamps/a",
        br#"{"state":"ON"}"#,
        QoSPid::AtMostOnce,
        false,
    ));
    let before = h.events();
    assert!(settled(&before).is_empty(), "not before the PINGRESP");
    assert!(before.iter().any(|e| matches!(e, Event::Message(_))));
    h.feed(&Packet::Pingresp);
    assert_eq!(settled(&h.events()), [false], "settled, nothing else open");
}

#[test]
fn a_second_subscribe_still_open_is_said_and_settles_on_its_own_answer() {
    let mut h = probing();
    h.connect(false);
    h.session
        .subscribe(&[("smarthome/+/lamps/#", QoS::AtMostOnce)])
        .unwrap();
    h.session
        .subscribe(&[("zigbee2mqtt/kitchen", QoS::AtMostOnce)])
        .unwrap();
    assert_eq!(
        kinds(&h.sent()),
        ["SUBSCRIBE", "PINGREQ", "SUBSCRIBE", "PINGREQ"]
    );
    h.feed(&suback(pid(1), &[granted(QoS::AtMostOnce)]));
    h.feed(&Packet::Pingresp);
    assert_eq!(settled(&h.events()), [true], "the second is still open");
    h.feed(&suback(pid(2), &[granted(QoS::AtMostOnce)]));
    h.feed(&Packet::Pingresp);
    assert_eq!(settled(&h.events()), [false]);
}

#[test]
fn a_keep_alive_pings_answer_is_not_taken_for_a_probes() {
    let mut h = probing();
    h.connect(false);
    h.advance(10_000);
    assert_eq!(kinds(&h.sent()), ["PINGREQ"], "the keep-alive ping");
    // A SUBSCRIBE goes out before the keep-alive ping is answered.
    h.session
        .subscribe(&[("smarthome/+/lamps/#", QoS::AtMostOnce)])
        .unwrap();
    assert_eq!(kinds(&h.sent()), ["SUBSCRIBE", "PINGREQ"]);
    h.feed(&Packet::Pingresp);
    assert!(
        settled(&h.events()).is_empty(),
        "that PINGRESP answered the keep-alive ping"
    );
    h.feed(&suback(pid(1), &[granted(QoS::AtMostOnce)]));
    h.feed(&Packet::Pingresp);
    assert_eq!(settled(&h.events()), [false]);
}

#[test]
fn subscribes_sent_on_connect_are_probed_and_a_lost_connection_forgets_the_probes() {
    let mut h = probing();
    // Asked before the connection: sent after the CONNACK, each with its probe.
    h.session
        .subscribe(&[("smarthome/+/lamps/#", QoS::AtMostOnce)])
        .unwrap();
    let (sent, _) = h.connect(false);
    assert_eq!(kinds(&sent), ["SUBSCRIBE", "PINGREQ"]);
    h.session.connection_closed("test");
    h.events();
    // The new connection re-sends the SUBSCRIBE with a fresh probe; an answer to the
    // old connection's probe cannot arrive, and the new one settles it.
    let (sent, _) = h.connect(false);
    assert_eq!(kinds(&sent), ["SUBSCRIBE", "PINGREQ"]);
    let Packet::Subscribe(again) = &sent[0] else {
        unreachable!("checked above")
    };
    h.feed(&suback(again.packet_id, &[granted(QoS::AtMostOnce)]));
    h.feed(&Packet::Pingresp);
    assert_eq!(settled(&h.events()), [false]);
}

#[test]
fn without_the_option_a_subscribe_sends_no_probe_and_nothing_settles() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.session
        .subscribe(&[("smarthome/+/lamps/#", QoS::AtMostOnce)])
        .unwrap();
    assert_eq!(kinds(&h.sent()), ["SUBSCRIBE"]);
    h.feed(&suback(pid(1), &[granted(QoS::AtMostOnce)]));
    h.feed(&Packet::Pingresp);
    assert!(settled(&h.events()).is_empty());
}
