//! Bounds: 65,535 packet ids in flight and the offline queue.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/scripted_broker.rs"]
mod common;

use common::Harness;
use lampboard::mqtt::packet::{Packet, PacketId, QoS};
use lampboard::mqtt::session::{Event, PublishError, PublishTicket};
use std::collections::HashSet;

fn publish_id(p: &Packet<'_>) -> PacketId {
    match p {
        Packet::Publish(p) => p.qospid.packet_id().expect("QoS > 0"),
        other => panic!("expected PUBLISH, got {other:?}"),
    }
}

#[test]
fn the_65536th_publish_waits_for_a_free_id_instead_of_reusing_one() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let mut tickets = Vec::new();
    for _ in 0..65_535 {
        tickets.push(
            h.session
                .publish("t", *b"", QoS::AtLeastOnce, false)
                .unwrap(),
        );
    }
    let sent = h.sent();
    assert_eq!(sent.len(), 65_535);
    let ids: HashSet<u16> = sent.iter().map(|p| publish_id(p).get()).collect();
    assert_eq!(ids.len(), 65_535, "every id in flight is distinct");
    assert_eq!(h.session.in_flight(), 65_535);

    let waiting = h
        .session
        .publish("t", *b"late", QoS::AtLeastOnce, false)
        .unwrap();
    let sub = h.session.subscribe(&[("s", QoS::AtMostOnce)]).unwrap();
    assert!(
        h.sent().is_empty(),
        "no id free: the publish and subscribe wait"
    );
    assert_eq!(h.session.queued_publishes(), 1);
    // QoS 0 needs no id, but must not overtake the waiting publish.
    h.session
        .publish("t", *b"q0", QoS::AtMostOnce, false)
        .unwrap();
    assert!(h.sent().is_empty());

    // Acknowledge id 1000: the next packet that needs an id gets exactly it.
    let freed = PacketId::new(1000).unwrap();
    h.feed(&Packet::Puback(freed));
    let sent = h.sent();
    let [Packet::Subscribe(s)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(
        s.packet_id, freed,
        "the freed id is reused once acknowledged"
    );
    let _ = sub;

    let other = PacketId::new(2000).unwrap();
    h.feed(&Packet::Puback(other));
    let sent = h.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(publish_id(&sent[0]), other);
    let Packet::Publish(p) = &sent[0] else {
        unreachable!()
    };
    assert_eq!(&*p.payload, b"late");
    let Packet::Publish(p) = &sent[1] else {
        panic!("{:?}", sent[1])
    };
    assert_eq!(&*p.payload, b"q0");
    h.feed(&Packet::Puback(other));
    let events = h.events();
    assert!(events.contains(&Event::Delivered(waiting)), "{events:?}");
    assert!(events.contains(&Event::Delivered(tickets[999])));
}

#[test]
fn an_overflowing_offline_queue_refuses_with_an_error_and_an_event() {
    let mut h = Harness::new(|o| o.max_queued_publishes = 3);
    for i in 0..3u8 {
        h.session
            .publish("t", [i], QoS::AtLeastOnce, false)
            .unwrap();
    }
    let refused = h.session.publish("t", *b"x", QoS::AtMostOnce, false);
    assert_eq!(refused, Err(PublishError::QueueFull { limit: 3 }));
    let events = h.events();
    let [Event::PublishRefused { ticket, reason }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*reason, PublishError::QueueFull { limit: 3 });
    assert_eq!(*ticket, PublishTicket(4), "the refused call's own ticket");
    assert_eq!(h.session.queued_publishes(), 3);
    assert!(reason.to_string().contains("not queued"));

    // The queued three still go out, and the refused one never does.
    let (sent, _) = h.connect(false);
    assert_eq!(sent.len(), 3);
    assert!(sent
        .iter()
        .all(|p| matches!(p, Packet::Publish(p) if p.payload.as_ref() != b"x")));
}

#[test]
fn the_default_offline_queue_holds_a_thousand_publishes() {
    let mut h = Harness::new(|_| {});
    for _ in 0..1000 {
        h.session
            .publish("t", *b"", QoS::AtMostOnce, false)
            .unwrap();
    }
    assert!(h
        .session
        .publish("t", *b"", QoS::AtMostOnce, false)
        .is_err());
}

#[test]
fn tickets_are_never_reused() {
    let mut h = Harness::new(|_| {});
    h.connect(false);
    let mut seen = HashSet::new();
    for _ in 0..100 {
        let t = h
            .session
            .publish("t", *b"", QoS::AtLeastOnce, false)
            .unwrap();
        assert!(seen.insert(t));
        let sent = h.sent();
        h.feed(&Packet::Puback(publish_id(&sent[0])));
    }
}

#[test]
fn ids_of_unacknowledged_messages_stay_reserved_across_a_reconnect() {
    let mut h = Harness::new(|o| o.connect.clean_session = false);
    h.connect(false);
    for _ in 0..65_535 {
        h.session
            .publish("t", *b"", QoS::AtLeastOnce, false)
            .unwrap();
    }
    h.sent();
    h.session.connection_closed("gone");
    h.events();
    let (resent, _) = h.connect(true);
    assert_eq!(resent.len(), 65_535);
    assert!(resent
        .iter()
        .all(|p| matches!(p, Packet::Publish(p) if p.dup)));
    h.session
        .publish("t", *b"new", QoS::AtLeastOnce, false)
        .unwrap();
    assert!(
        h.sent().is_empty(),
        "every id still belongs to a resent message: the new one waits"
    );
    h.feed(&Packet::Puback(PacketId::new(5).unwrap()));
    let sent = h.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(publish_id(&sent[0]).get(), 5);
}
