//! Brokers that do less than asked: a PUBACK answering a QoS 2 PUBLISH (RabbitMQ
//! 3.x downgrades QoS 2 to QoS 1), and a publish resent across reconnects, which the
//! session gives up on after `MAX_SEND_ATTEMPTS` instead of looping forever.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/scripted_broker.rs"]
mod common;

use common::Harness;
use lampboard::mqtt::packet::{Packet, PacketId, PacketType, QoS, QoSPid};
use lampboard::mqtt::session::{
    ConnectionState, Downgrade, Event, LostReason, ProtocolError, PublishFailure, PublishTicket,
    MAX_SEND_ATTEMPTS,
};

fn only_publish(sent: &[Packet<'_>]) -> QoSPid {
    match sent {
        [Packet::Publish(p)] => p.qospid,
        other => panic!("expected one PUBLISH, got {other:?}"),
    }
}

fn connected() -> Harness {
    let mut h = Harness::new(|o| o.connect.keep_alive_secs = 10);
    h.connect(false);
    h
}

/// Publishes `payload` to `lamp/set` at `qos`: its ticket, and how the one PUBLISH it
/// sent went out.
fn publish(h: &mut Harness, payload: &[u8], qos: QoS) -> (PublishTicket, QoSPid) {
    let ticket = h
        .session
        .publish("lamp/set", payload, qos, false)
        .expect("a valid publish");
    (ticket, only_publish(&h.sent()))
}

/// Connected to a broker that has just answered a QoS 2 publish with PUBACK (its events
/// read).
fn downgraded() -> Harness {
    let mut h = connected();
    let (_, sent) = publish(&mut h, b"on", QoS::ExactlyOnce);
    h.feed(&Packet::Puback(sent.packet_id().unwrap()));
    h.events();
    h
}

#[test]
fn puback_for_a_qos2_publish_completes_it_at_qos1_and_keeps_the_connection() {
    let mut h = connected();
    let (ticket, QoSPid::ExactlyOnce(id)) = publish(&mut h, b"on", QoS::ExactlyOnce) else {
        panic!("the first QoS 2 publish goes at QoS 2")
    };
    h.feed(&Packet::Puback(id));
    assert_eq!(
        h.events(),
        vec![Event::DeliveredDowngraded {
            ticket,
            how: Downgrade::AnsweredWithPuback
        }]
    );
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert_eq!(h.session.in_flight(), 0);
    assert!(h.session.broker_downgrades_qos2());
    assert!(h.sent().is_empty(), "no PUBREL, nothing resent");
}

#[test]
fn later_qos2_publishes_on_that_connection_go_at_qos1_and_say_so() {
    let mut h = downgraded();
    let (ticket, QoSPid::AtLeastOnce(id)) = publish(&mut h, b"off", QoS::ExactlyOnce) else {
        panic!("a broker known to downgrade gets QoS 1")
    };
    h.feed(&Packet::Puback(id));
    assert_eq!(
        h.events(),
        vec![Event::DeliveredDowngraded {
            ticket,
            how: Downgrade::SentAtQos1
        }]
    );
    // A publish asked at QoS 1 is plainly delivered.
    let (plain, sent) = publish(&mut h, b"x", QoS::AtLeastOnce);
    h.feed(&Packet::Puback(sent.packet_id().unwrap()));
    assert_eq!(h.events(), vec![Event::Delivered(plain)]);
}

#[test]
fn the_downgrade_is_forgotten_with_the_connection() {
    let mut h = downgraded();
    h.session.connection_closed("WebSocket closed (1006)");
    h.events();
    h.connect(false);
    assert!(!h.session.broker_downgrades_qos2());
    let (_, sent) = publish(&mut h, b"off", QoS::ExactlyOnce);
    assert!(matches!(sent, QoSPid::ExactlyOnce(_)));
}

#[test]
fn a_rabbitmq_style_broker_gets_a_qos2_toggle_exactly_once_over_25_seconds() {
    // The loop of issue 18: the session used to call the PUBACK a protocol error,
    // drop the connection and send the same message again on every reconnect.
    let mut h = connected();
    let (_, sent) = publish(&mut h, b"on", QoS::ExactlyOnce);
    h.feed(&Packet::Puback(sent.packet_id().unwrap()));
    let mut publishes = 1;
    for _ in 0..250 {
        for packet in h.sent() {
            match packet {
                Packet::Publish(p) => {
                    publishes += 1;
                    h.feed(&Packet::Puback(p.qospid.packet_id().unwrap()));
                }
                Packet::Pingreq => h.feed(&Packet::Pingresp),
                other => panic!("unexpected {other:?}"),
            }
        }
        if h.session.state() != ConnectionState::Connected {
            h.events();
            h.connect(false);
        }
        h.advance(100);
    }
    assert_eq!(publishes, 1);
    assert!(!h
        .events()
        .iter()
        .any(|e| matches!(e, Event::ConnectionLost(_) | Event::ProtocolError(_))));
}

#[test]
fn puback_after_pubrec_is_still_a_protocol_error() {
    let mut h = connected();
    let (_, sent) = publish(&mut h, b"", QoS::ExactlyOnce);
    let id = sent.packet_id().unwrap();
    h.feed(&Packet::Pubrec(id));
    h.sent();
    h.feed(&Packet::Puback(id));
    let events = h.events();
    assert!(
        events.contains(&Event::ProtocolError(ProtocolError::UnknownPacketId {
            packet: PacketType::Puback,
            id: id.get()
        })),
        "{events:?}"
    );
}

fn publish_ids(sent: &[Packet<'_>], topic: &str) -> Vec<PacketId> {
    sent.iter()
        .filter_map(|p| match p {
            Packet::Publish(p) if p.topic == topic => p.qospid.packet_id(),
            _ => None,
        })
        .collect()
}

#[test]
fn a_publish_never_acknowledged_is_given_up_after_max_attempts_with_its_reason() {
    let mut h = connected();
    let (ticket, _) = publish(&mut h, b"on", QoS::AtLeastOnce);
    let mut sends = 1;
    let mut failed = Vec::new();
    for _ in 0..10 {
        h.session.connection_closed("WebSocket closed (1006)");
        let (sent, events) = h.connect(false);
        sends += publish_ids(&sent, "lamp/set").len();
        failed.extend(
            events
                .into_iter()
                .filter(|e| matches!(e, Event::PublishFailed { .. })),
        );
    }
    assert_eq!(sends, usize::from(MAX_SEND_ATTEMPTS));
    assert_eq!(
        failed,
        vec![Event::PublishFailed {
            ticket,
            reason: PublishFailure {
                attempts: MAX_SEND_ATTEMPTS,
                last: Some(LostReason::Transport("WebSocket closed (1006)".into())),
            }
        }]
    );
    assert_eq!(h.session.in_flight(), 0);
    let words = PublishFailure {
        attempts: 3,
        last: Some(LostReason::PingTimeout),
    }
    .to_string();
    assert!(words.starts_with("Sent 3 times"), "{words}");
    assert!(words.contains("no reply to PINGREQ"), "{words}");
    assert!(words.ends_with("Not sent again"), "{words}");
}

#[test]
fn a_publish_acknowledged_on_its_second_attempt_is_delivered() {
    let mut h = connected();
    let (ticket, _) = publish(&mut h, b"on", QoS::AtLeastOnce);
    h.session.connection_closed("WebSocket closed (1006)");
    let (sent, _) = h.connect(false);
    let ids = publish_ids(&sent, "lamp/set");
    assert_eq!(ids.len(), 1);
    h.feed(&Packet::Puback(ids[0]));
    assert_eq!(h.events(), vec![Event::Delivered(ticket)]);
}
