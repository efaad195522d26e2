//! Messages over the size limits: an outgoing one is refused by `publish`, an
//! incoming PUBLISH is skipped (never buffered), acknowledged and reported, and
//! the connection stays up.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/scripted_broker.rs"]
mod common;

use common::{encode, pid, publish, Harness};
use lampboard::mqtt::codec::{DecodeLimits, Frame, SkippedPublish, StreamDecoder};
use lampboard::mqtt::packet::{Packet, QoS, QoSPid};
use lampboard::mqtt::session::{human_size, ConnectionState, Event, OversizeMessage, PublishError};

const LIMIT: usize = 1024;

fn limited() -> Harness {
    let mut h = Harness::new(|o| {
        o.max_incoming_packet_size = LIMIT;
        o.max_outgoing_packet_size = LIMIT;
    });
    h.connect(false);
    h
}

fn retained(topic: &str, payload: &[u8], qospid: QoSPid) -> Vec<u8> {
    let mut bytes = encode(&publish(topic, payload, qospid, false));
    bytes[0] |= 1; // retain
    bytes
}

#[test]
fn an_oversize_qos0_publish_is_skipped_reported_and_the_next_message_still_arrives() {
    let mut h = limited();
    let mut wire = retained("big/one", &vec![7u8; 4000], QoSPid::AtMostOnce);
    let size = wire.len();
    wire.extend(encode(&publish("small", b"ok", QoSPid::AtMostOnce, false)));
    // In 100-byte chunks, as WebSocket frames might cut it.
    for chunk in wire.chunks(100) {
        h.feed_bytes(chunk);
    }
    let events = h.events();
    assert_eq!(
        events.first(),
        Some(&Event::MessageTooLarge(OversizeMessage {
            topic: "big/one".into(),
            size,
            limit: LIMIT,
            retain: true,
        })),
        "{events:?}"
    );
    assert!(
        matches!(events.get(1), Some(Event::Message(m)) if m.topic == "small" && m.payload == b"ok"),
        "{events:?}"
    );
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert!(h.sent().is_empty(), "QoS 0 needs no answer");
}

#[test]
fn an_oversize_qos1_publish_is_acknowledged_so_the_broker_stops_resending_it() {
    let mut h = limited();
    h.feed(&publish(
        "big",
        &vec![1u8; 5000],
        QoSPid::AtLeastOnce(pid(4)),
        false,
    ));
    assert_eq!(h.sent(), vec![Packet::Puback(pid(4))]);
    assert!(matches!(h.events().as_slice(), [Event::MessageTooLarge(_)]));
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn an_oversize_qos2_publish_gets_pubrec_then_pubcomp_and_a_resend_is_reported_once() {
    let mut h = limited();
    let big = publish("big", &vec![1u8; 5000], QoSPid::ExactlyOnce(pid(9)), false);
    h.feed(&big);
    assert_eq!(h.sent(), vec![Packet::Pubrec(pid(9))]);
    assert_eq!(h.events().len(), 1);
    // The broker resends before our PUBREC reached it: PUBREC again, no second notice.
    h.feed(&publish(
        "big",
        &vec![1u8; 5000],
        QoSPid::ExactlyOnce(pid(9)),
        true,
    ));
    assert_eq!(h.sent(), vec![Packet::Pubrec(pid(9))]);
    assert!(h.events().is_empty());
    h.feed(&Packet::Pubrel(pid(9)));
    assert_eq!(h.sent(), vec![Packet::Pubcomp(pid(9))]);
    assert_eq!(h.session.state(), ConnectionState::Connected);
}

#[test]
fn an_oversize_publish_before_connack_is_still_a_protocol_error() {
    let mut h = Harness::new(|o| o.max_incoming_packet_size = LIMIT);
    h.open();
    h.sent();
    h.feed(&publish("big", &vec![1u8; 5000], QoSPid::AtMostOnce, false));
    let events = h.events();
    assert!(
        matches!(events.last(), Some(Event::ConnectionLost(_))),
        "{events:?}"
    );
}

#[test]
fn an_oversize_publish_with_a_bad_topic_still_ends_the_connection() {
    let mut h = limited();
    h.feed(&publish("ok", &vec![1u8; 5000], QoSPid::AtMostOnce, false));
    h.events();
    // The same size, but the topic holds a wildcard: malformed, not skippable.
    let mut bytes = encode(&publish("a/b", &vec![1u8; 5000], QoSPid::AtMostOnce, false));
    let at = bytes
        .windows(3)
        .position(|w| w == b"a/b")
        .expect("topic bytes");
    bytes[at + 1] = b'+';
    h.feed_bytes(&bytes);
    let events = h.events();
    assert!(
        matches!(events.last(), Some(Event::ConnectionLost(_))),
        "{events:?}"
    );
}

#[test]
fn the_stream_decoder_skips_without_buffering_the_payload() {
    let limits = DecodeLimits::with_max_packet_size(LIMIT);
    let mut d = StreamDecoder::new(limits);
    let wire = encode(&publish(
        "t/x",
        &vec![0u8; 100_000],
        QoSPid::AtLeastOnce(pid(3)),
        false,
    ));
    // The head arrives byte by byte: nothing until topic and id are complete.
    let head = 4 + 2 + 3 + 2; // 4-byte fixed header (100 kB), topic, id
    for b in &wire[..head - 1] {
        d.feed(std::slice::from_ref(b));
        assert_eq!(d.next_frame(), Ok(None));
    }
    d.feed(&wire[head - 1..head]);
    assert_eq!(
        d.next_frame(),
        Ok(Some(Frame::Skipped(SkippedPublish {
            topic: "t/x".into(),
            qospid: QoSPid::AtLeastOnce(pid(3)),
            retain: false,
            size: wire.len(),
            max: LIMIT,
        })))
    );
    for chunk in wire[head..].chunks(4096) {
        d.feed(chunk);
        assert!(d.buffered() == 0, "payload bytes are never kept");
        assert_eq!(d.next_frame(), Ok(None));
    }
    assert_eq!(d.needed(), 2, "back on a packet boundary");
    d.feed(&[0xd0, 0x00]);
    assert_eq!(d.next_frame(), Ok(Some(Frame::Packet(Packet::Pingresp))));
}

#[test]
fn next_packet_still_refuses_an_oversize_publish() {
    let mut d = StreamDecoder::new(DecodeLimits::with_max_packet_size(LIMIT));
    d.feed(&encode(&publish(
        "t",
        &vec![0u8; 2000],
        QoSPid::AtMostOnce,
        false,
    )));
    assert!(d.next_packet().is_err());
}

#[test]
fn publish_refuses_a_message_over_the_outgoing_limit_and_stays_connected() {
    let mut h = limited();
    let err = h
        .session
        .publish("t", vec![0u8; 2 * LIMIT], QoS::AtLeastOnce, false)
        .expect_err("over the limit");
    let PublishError::TooLarge { size, limit } = err.clone() else {
        panic!("{err:?}")
    };
    assert!(size > 2 * LIMIT, "{size}");
    assert_eq!(limit, LIMIT);
    assert_eq!(
        err.to_string(),
        format!(
            "the message is {}, over the 1 KB limit for one message",
            human_size(size)
        )
    );
    assert!(h.sent().is_empty(), "nothing sent");
    assert_eq!(h.session.state(), ConnectionState::Connected);
    assert!(h
        .session
        .publish("t", vec![0u8; LIMIT - 10], QoS::AtLeastOnce, false)
        .is_ok());
    assert_eq!(h.sent().len(), 1);
}

#[test]
fn the_notice_says_what_was_ignored_in_megabytes() {
    let m = OversizeMessage {
        topic: "lab/big".into(),
        size: 2 * 1024 * 1024 + 12,
        limit: 1024 * 1024,
        retain: true,
    };
    assert_eq!(
        m.to_string(),
        "Ignored a 2 MB message on lab/big: over the 1 MB limit"
    );
    assert_eq!(human_size(1536 * 1024), "1.5 MB");
    assert_eq!(human_size(64 * 1024), "64 KB");
    assert_eq!(human_size(512), "512 bytes");
}
