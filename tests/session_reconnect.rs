//! Reconnects: resumed and lost sessions, the offline queue, transport closes.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/scripted_broker.rs"]
mod common;

use common::{granted, pid, publish, suback, Harness};
use lampboard::mqtt::packet::{Connack, Packet, PacketId, QoS, QoSPid};
use lampboard::mqtt::session::{ConnectionState, Event, LostReason};

fn publish_id(p: &Packet<'_>) -> PacketId {
    match p {
        Packet::Publish(p) => p.qospid.packet_id().expect("QoS > 0"),
        other => panic!("expected PUBLISH, got {other:?}"),
    }
}

/// Three messages in flight: QoS 1 (unacked), QoS 2 (PUBREC received), QoS 2
/// (unacked), then the socket drops.
fn three_in_flight_then_drop(h: &mut Harness) -> [PacketId; 3] {
    h.connect(false);
    h.session
        .publish("a", *b"1", QoS::AtLeastOnce, false)
        .unwrap();
    h.session
        .publish("b", *b"2", QoS::ExactlyOnce, false)
        .unwrap();
    h.session
        .publish("c", *b"3", QoS::ExactlyOnce, false)
        .unwrap();
    let sent = h.sent();
    let ids = [
        publish_id(&sent[0]),
        publish_id(&sent[1]),
        publish_id(&sent[2]),
    ];
    h.feed(&Packet::Pubrec(ids[1]));
    assert_eq!(h.sent(), vec![Packet::Pubrel(ids[1])]);
    h.events();
    h.session.connection_closed("WebSocket closed (1006)");
    assert_eq!(
        h.events(),
        vec![Event::ConnectionLost(LostReason::Transport(
            "WebSocket closed (1006)".into()
        ))]
    );
    ids
}

#[test]
fn resumed_session_resends_publishes_with_dup_and_pubrels_in_original_order() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    let ids = three_in_flight_then_drop(&mut h);
    let (sent, _) = h.connect(true);
    assert_eq!(sent.len(), 3, "{sent:?}");
    match &sent[0] {
        Packet::Publish(p) => {
            assert!(p.dup, "a resent PUBLISH has DUP set");
            assert_eq!(p.qospid, QoSPid::AtLeastOnce(ids[0]));
            assert_eq!(p.topic, "a");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sent[1],
        Packet::Pubrel(ids[1]),
        "PUBREL, never the PUBLISH again"
    );
    match &sent[2] {
        Packet::Publish(p) => {
            assert!(p.dup);
            assert_eq!(p.qospid, QoSPid::ExactlyOnce(ids[2]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn resumed_session_completes_the_resent_exchanges() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    let ids = three_in_flight_then_drop(&mut h);
    h.connect(true);
    h.feed(&Packet::Puback(ids[0]));
    h.feed(&Packet::Pubcomp(ids[1]));
    h.feed(&Packet::Pubrec(ids[2]));
    assert_eq!(h.sent(), vec![Packet::Pubrel(ids[2])]);
    h.feed(&Packet::Pubcomp(ids[2]));
    let delivered = h
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::Delivered(_)))
        .count();
    assert_eq!(delivered, 3);
    assert_eq!(h.session.in_flight(), 0);
}

#[test]
fn lost_session_resends_every_unfinished_publish_as_new_even_the_pubrecd_qos2_one() {
    // The broker kept no session: a Mosquitto-like broker that forwards QoS 2 on
    // PUBREL dropped the PUBREC'd message with it, so the session may not call it
    // delivered; it sends it again as a new exchange.
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    three_in_flight_then_drop(&mut h);
    let (sent, events) = h.connect(false);
    assert_eq!(sent.len(), 3, "{sent:?}");
    for (p, topic) in sent.iter().zip(["a", "b", "c"]) {
        let Packet::Publish(p) = p else {
            panic!("{p:?}")
        };
        assert!(!p.dup, "a new session gets new publishes, DUP clear");
        assert_eq!(p.topic, topic);
    }
    assert!(
        !events.iter().any(|e| matches!(e, Event::Delivered(_))),
        "nothing counts as delivered before the broker acknowledges it again: {events:?}"
    );
    assert_eq!(h.session.in_flight(), 3);
}

#[test]
fn lost_session_the_resent_qos2_message_is_delivered_once_on_its_new_pubcomp() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    three_in_flight_then_drop(&mut h);
    let (sent, _) = h.connect(false);
    let b = publish_id(&sent[1]);
    h.feed(&Packet::Pubrec(b));
    assert_eq!(
        h.sent(),
        vec![Packet::Pubrel(b)],
        "the new exchange runs again"
    );
    assert!(h.events().is_empty(), "not delivered on PUBREC");
    h.feed(&Packet::Pubcomp(b));
    let delivered: Vec<_> = h
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::Delivered(_)))
        .collect();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!(h.session.in_flight(), 2);
}

#[test]
fn lost_session_makes_every_granted_subscription_again() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    h.connect(false);
    h.session
        .subscribe(&[("lamp/+/state", QoS::AtLeastOnce), ("x/#", QoS::AtMostOnce)])
        .unwrap();
    let Packet::Subscribe(s) = h.sent().remove(0) else {
        panic!()
    };
    h.feed(&suback(
        s.packet_id,
        &[granted(QoS::AtLeastOnce), granted(QoS::AtMostOnce)],
    ));
    h.events();
    h.session.connection_closed("gone");
    h.events();

    let (sent, _) = h.connect(false);
    let [Packet::Subscribe(s)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    let filters: Vec<_> = s
        .filters
        .iter()
        .map(|f| (f.filter.as_ref(), f.qos))
        .collect();
    assert_eq!(
        filters,
        vec![("lamp/+/state", QoS::AtLeastOnce), ("x/#", QoS::AtMostOnce)]
    );
    h.feed(&suback(
        s.packet_id,
        &[granted(QoS::AtLeastOnce), granted(QoS::AtMostOnce)],
    ));
    let events = h.events();
    assert!(
        matches!(events.as_slice(), [Event::Subscribed { ticket: None, .. }]),
        "{events:?}"
    );
}

#[test]
fn resumed_session_does_not_resubscribe() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    h.connect(false);
    h.session.subscribe(&[("a", QoS::AtMostOnce)]).unwrap();
    let Packet::Subscribe(s) = h.sent().remove(0) else {
        panic!()
    };
    h.feed(&suback(s.packet_id, &[granted(QoS::AtMostOnce)]));
    h.session.connection_closed("gone");
    let (sent, _) = h.connect(true);
    assert!(sent.is_empty(), "{sent:?}");
}

#[test]
fn publishes_made_offline_are_sent_in_order_after_connack() {
    let mut h = Harness::new(|_| {});
    let t0 = h
        .session
        .publish("q", *b"0", QoS::AtMostOnce, false)
        .unwrap();
    h.session
        .publish("q", *b"1", QoS::AtLeastOnce, false)
        .unwrap();
    h.session
        .publish("q", *b"2", QoS::ExactlyOnce, false)
        .unwrap();
    assert_eq!(h.session.queued_publishes(), 3);
    assert!(h.sent().is_empty(), "nothing goes out without a connection");
    let (sent, events) = h.connect(false);
    let payloads: Vec<_> = sent
        .iter()
        .map(|p| match p {
            Packet::Publish(p) => p.payload.to_vec(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(payloads, vec![b"0".to_vec(), b"1".to_vec(), b"2".to_vec()]);
    assert!(events.contains(&Event::Sent(t0)));
    assert_eq!(h.session.queued_publishes(), 0);
}

#[test]
fn a_subscribe_unanswered_when_the_socket_dropped_is_sent_again() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let t = h.session.subscribe(&[("a", QoS::AtLeastOnce)]).unwrap();
    assert!(matches!(h.sent().as_slice(), [Packet::Subscribe(_)]));
    h.session.connection_closed("gone");
    let (sent, _) = h.connect(false);
    let [Packet::Subscribe(s)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    h.feed(&suback(s.packet_id, &[granted(QoS::AtLeastOnce)]));
    let events = h.events();
    assert!(
        matches!(events.as_slice(), [Event::Subscribed { ticket: Some(x), .. }] if *x == t),
        "{events:?}"
    );
}

#[test]
fn unsent_bytes_never_leak_onto_the_next_socket() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.session
        .publish("a", *b"", QoS::AtMostOnce, false)
        .unwrap();
    // The transport never polled: the socket dropped first.
    h.session.connection_closed("gone");
    h.open();
    let sent = h.sent();
    assert!(matches!(sent.as_slice(), [Packet::Connect(_)]), "{sent:?}");
}

#[test]
fn connection_closed_is_reported_once_and_only_while_connected() {
    let mut h = Harness::new(|_| {});
    h.session.connection_closed("never opened");
    assert!(h.events().is_empty());
    h.connect(false);
    h.session.connection_closed("first");
    h.session.connection_closed("second");
    assert_eq!(
        h.events(),
        vec![Event::ConnectionLost(LostReason::Transport("first".into()))]
    );
    assert_eq!(h.session.state(), ConnectionState::Disconnected);
}

#[test]
fn inbound_qos2_dedup_survives_a_resumed_session() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    h.connect(false);
    h.feed(&publish("t", b"once", QoSPid::ExactlyOnce(pid(77)), false));
    assert_eq!(h.events().len(), 1);
    assert_eq!(h.sent(), vec![Packet::Pubrec(pid(77))]);
    h.session.connection_closed("gone");
    h.events();
    h.connect(true);
    // The broker never saw our PUBREC, so it resends the PUBLISH with DUP.
    h.feed(&publish("t", b"once", QoSPid::ExactlyOnce(pid(77)), true));
    assert!(h.events().is_empty(), "already delivered before the drop");
    assert_eq!(h.sent(), vec![Packet::Pubrec(pid(77))]);
    h.feed(&Packet::Pubrel(pid(77)));
    assert_eq!(h.sent(), vec![Packet::Pubcomp(pid(77))]);
}

#[test]
fn a_new_socket_while_connected_ends_the_old_connection_first() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    h.open();
    let events = h.events();
    assert!(
        matches!(
            events.as_slice(),
            [Event::ConnectionLost(LostReason::Transport(_))]
        ),
        "{events:?}"
    );
    assert!(matches!(h.sent().as_slice(), [Packet::Connect(_)]));
    h.feed(&Packet::Connack(Connack::Accepted {
        session_present: false,
    }));
    assert_eq!(h.session.state(), ConnectionState::Connected);
}
