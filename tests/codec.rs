//! Native unit tests of the MQTT 3.1.1 codec: the shared spec-derived vectors, grouped by
//! packet, plus the remaining-length boundaries, limits, encoder refusals and the
//! streaming decoder. The same vectors run in the browser from tests/codec_web.rs.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/codec_vectors.rs"]
mod codec_vectors;

use std::borrow::Cow;

use codec_vectors::*;
use lampboard::mqtt::codec::*;
use lampboard::mqtt::packet::*;
use lampboard::mqtt::topic::TopicError;

#[test]
fn framing_vectors() {
    run_vectors("framing");
}

#[test]
fn connect_vectors() {
    run_vectors("connect");
}

#[test]
fn connack_vectors() {
    run_vectors("connack");
}

#[test]
fn publish_vectors() {
    run_vectors("publish");
}

#[test]
fn puback_pubrec_pubrel_pubcomp_unsuback_vectors() {
    for prefix in ["puback", "pubrec", "pubrel", "pubcomp", "unsuback"] {
        run_vectors(prefix);
    }
}

#[test]
fn subscribe_vectors() {
    run_vectors("subscribe");
}

#[test]
fn suback_vectors() {
    run_vectors("suback");
}

#[test]
fn unsubscribe_vectors() {
    run_vectors("unsubscribe");
}

#[test]
fn ping_and_disconnect_vectors() {
    for prefix in ["pingreq", "pingresp", "disconnect"] {
        run_vectors(prefix);
    }
}

#[test]
fn vector_names_are_unique_and_cover_all_types() {
    let vectors = vectors();
    let mut names: Vec<_> = vectors.iter().map(|v| v.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), vectors.len(), "duplicate vector names");
    for t in 1..=14 {
        let ty = PacketType::from_nibble(t).expect("1..=14 are packet types");
        let decoded_one = vectors.iter().any(|v| match &v.expect {
            Expect::Packet { packet, .. } => packet.packet_type() == ty,
            _ => false,
        });
        assert!(decoded_one, "no valid vector for {ty}");
    }
}

#[test]
fn remaining_length_zero_is_a_two_byte_packet() {
    let bytes = encode_to_vec(&Packet::Pingreq).expect("encodes");
    assert_eq!(bytes, [0xc0, 0x00]);
}

#[test]
fn remaining_length_boundaries() {
    for &(len, header) in LENGTH_BOUNDARIES {
        if let Err(why) = check_length_boundary(len, header) {
            panic!("remaining length {len}: {why}");
        }
    }
}

#[test]
fn remaining_length_above_the_maximum_is_refused_by_the_encoder() {
    let packet = Packet::Publish(Publish {
        dup: false,
        qospid: QoSPid::AtMostOnce,
        retain: false,
        topic: "t".into(),
        // 3 + 268435453 = 268435456, one more than 4 bytes can say.
        payload: vec![0; MAX_REMAINING_LENGTH - 2].into(),
    });
    let mut out = vec![1, 2, 3];
    assert_eq!(
        encode(&packet, &mut out),
        Err(Malformed::BodyTooLong(MAX_REMAINING_LENGTH + 1))
    );
    assert_eq!(out, [1, 2, 3], "nothing written on refusal");
    assert!(encoded_len(&packet).is_err());
}

#[test]
fn max_packet_size_is_checked_from_the_fixed_header() {
    let limits = DecodeLimits::with_max_packet_size(1000);
    // A PUBLISH announcing 16383 bytes of body: refused after 3 bytes.
    assert_eq!(
        decode(&[0x30, 0xff, 0x7f], &limits),
        Err(Malformed::PacketTooLarge {
            size: 16_386,
            max: 1000
        })
    );
    // Exactly at the limit is fine.
    let packet = Packet::Publish(Publish {
        dup: false,
        qospid: QoSPid::AtMostOnce,
        retain: false,
        topic: "t".into(),
        payload: vec![7; 993].into(),
    });
    let bytes = encode_to_vec(&packet).expect("encodes");
    assert_eq!(bytes.len(), 999, "3-byte header + topic 3 + payload 993");
    assert!(matches!(
        decode(&bytes, &DecodeLimits::with_max_packet_size(999)),
        Ok(Decoded::Packet { consumed: 999, .. })
    ));
    assert_eq!(
        decode(&bytes, &DecodeLimits::with_max_packet_size(998)),
        Err(Malformed::PacketTooLarge {
            size: 999,
            max: 998
        })
    );
    assert_eq!(
        decode(&bytes[..3], &DecodeLimits::with_max_packet_size(998)),
        Err(Malformed::PacketTooLarge {
            size: 999,
            max: 998
        })
    );
}

#[test]
fn several_packets_in_one_buffer_are_decoded_one_at_a_time() {
    let bytes = hex("d0 00 40 02 00 05 30 07 00 03 61 2f 62 68 69 e0");
    let limits = DecodeLimits::default();
    let mut rest = &bytes[..];
    let mut packets = Vec::new();
    loop {
        match decode(rest, &limits).expect("valid stream") {
            Decoded::Packet { packet, consumed } => {
                packets.push(packet.into_owned());
                rest = &rest[consumed..];
            }
            Decoded::Incomplete { needed } => {
                assert_eq!(needed, 1, "the trailing e0 needs its length byte");
                break;
            }
        }
    }
    assert_eq!(
        packets,
        [
            Packet::Pingresp,
            Packet::Puback(pid(5)),
            publish("a/b", b"hi", QoSPid::AtMostOnce, false, false),
        ]
    );
}

#[test]
fn errors_name_the_rule_in_words() {
    let limits = DecodeLimits::default();
    let text = |hex_bytes: &str| match decode(&hex(hex_bytes), &limits) {
        Err(e) => e.to_string(),
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(
        text("80 08 00 01 00 03 61 2f 23 01"),
        "[MQTT-3.8.1-1] SUBSCRIBE fixed header flags must be 0010, got 0000"
    );
    assert_eq!(
        text("36 00"),
        "[MQTT-3.3.1-4] PUBLISH QoS must not be 3 (both QoS bits set)"
    );
    assert_eq!(
        text("30 05 00 03 61 2f 2b"),
        "[MQTT-3.3.2-2] PUBLISH topic name must not contain the wildcard '+' (found at byte 2); wildcards are only for filters"
    );
    assert_eq!(
        text("82 0a 00 01 00 05 61 2f 23 2f 62 00"),
        "[MQTT-4.7.1-2] SUBSCRIBE topic filter '#' must be the last character of the filter (found at byte 2 with levels after it)"
    );
    assert_eq!(
        text("40 02 00 00"),
        "[MQTT-2.3.1-1] PUBACK packet identifier must not be 0"
    );
    assert_eq!(
        text("20 02 01 04"),
        "[MQTT-3.2.2-4] CONNACK session present must be 0 with a non-zero return code, got return code 4 with session present 1"
    );
    assert!(text("10 0d 00 04 4d 51 54 54 03 02 00 3c 00 01 63")
        .starts_with("[MQTT-3.1.2-2] unsupported CONNECT protocol level 3"));
    assert!(text("30 80 80 80 80 01").contains("longer than 4 bytes"));
    assert!(text("30 03 00 01 ff")
        .starts_with("[MQTT-1.5.3-1] PUBLISH topic name is not well-formed UTF-8"));
}

#[test]
fn connect_refusals_explain_themselves() {
    for code in 1..=5 {
        let refusal = ConnectRefusal::from_u8(code).expect("1..=5 are refusals");
        let connack = Connack::Refused(refusal);
        assert_eq!(connack.return_code(), code);
        assert!(!connack.session_present());
        assert!(refusal.to_string().starts_with("connection refused: "));
    }
    assert_eq!(ConnectRefusal::from_u8(0), None);
    assert_eq!(ConnectRefusal::from_u8(6), None);
}

fn publish_to(topic: &'static str) -> Packet<'static> {
    publish(topic, b"x", QoSPid::AtLeastOnce(pid(1)), false, false)
}

#[test]
fn encoder_refuses_what_would_be_malformed() {
    let refuse = |packet: Packet<'_>, is: fn(&Malformed) -> bool| {
        let mut out = Vec::new();
        match encode(&packet, &mut out) {
            Err(e) if is(&e) => assert!(out.is_empty(), "wrote {out:?} for {packet:?}"),
            other => panic!("{packet:?} gave {other:?}"),
        }
    };
    refuse(publish_to("a/+"), |e| {
        matches!(
            e,
            Malformed::Topic {
                error: TopicError::WildcardInName { .. },
                ..
            }
        )
    });
    refuse(publish_to(""), |e| {
        matches!(
            e,
            Malformed::Topic {
                error: TopicError::Empty,
                ..
            }
        )
    });
    refuse(publish_to("a\0b"), |e| {
        matches!(
            e,
            Malformed::Topic {
                error: TopicError::NullCharacter { at: 1 },
                ..
            }
        )
    });
    refuse(
        Packet::Subscribe(Subscribe {
            packet_id: pid(1),
            filters: vec![],
        }),
        |e| matches!(e, Malformed::NoTopicFilters { .. }),
    );
    refuse(
        Packet::Subscribe(Subscribe {
            packet_id: pid(1),
            filters: vec![SubscribeFilter {
                filter: "a/#/b".into(),
                qos: QoS::AtMostOnce,
            }],
        }),
        |e| {
            matches!(
                e,
                Malformed::Topic {
                    error: TopicError::MultiLevelNotLast { .. },
                    ..
                }
            )
        },
    );
    refuse(
        Packet::Unsubscribe(Unsubscribe {
            packet_id: pid(1),
            filters: vec![],
        }),
        |e| matches!(e, Malformed::NoTopicFilters { .. }),
    );
    refuse(
        Packet::Suback(Suback {
            packet_id: pid(1),
            return_codes: vec![],
        }),
        |e| matches!(e, Malformed::NoReturnCodes),
    );
    let connect = Connect {
        clean_session: true,
        keep_alive: 30,
        client_id: "lampboard\0".into(),
        will: None,
        credentials: None,
    };
    refuse(Packet::Connect(connect.clone()), |e| {
        matches!(
            e,
            Malformed::NullCharacter {
                field: "client identifier",
                ..
            }
        )
    });
    refuse(
        Packet::Connect(Connect {
            client_id: "ok".into(),
            credentials: Some(Credentials {
                username: "u".repeat(65_536).into(),
                password: None,
            }),
            ..connect.clone()
        }),
        |e| {
            matches!(
                e,
                Malformed::FieldTooLong {
                    field: "user name",
                    len: 65_536,
                    ..
                }
            )
        },
    );
    refuse(
        Packet::Connect(Connect {
            client_id: "ok".into(),
            will: Some(LastWill {
                topic: "a/#".into(),
                message: Cow::Borrowed(b""),
                qos: QoS::AtMostOnce,
                retain: false,
            }),
            ..connect
        }),
        |e| {
            matches!(
                e,
                Malformed::Topic {
                    field: "will topic",
                    ..
                }
            )
        },
    );
}

#[test]
fn a_65535_byte_field_is_the_longest_that_encodes() {
    let topic = "t".repeat(65_535);
    let packet = Packet::Publish(Publish {
        dup: false,
        qospid: QoSPid::AtMostOnce,
        retain: false,
        topic: topic.as_str().into(),
        payload: Cow::Borrowed(b""),
    });
    let bytes = encode_to_vec(&packet).expect("65535 fits");
    assert_eq!(&bytes[..6], &[0x30, 0x81, 0x80, 0x04, 0xff, 0xff]);
    assert!(
        matches!(decode(&bytes, &DecodeLimits::default()), Ok(Decoded::Packet { packet: p, .. }) if p == packet)
    );
}

#[test]
fn dup_is_not_written_at_qos_0() {
    let packet = publish("a", b"", QoSPid::AtMostOnce, true, false);
    assert_eq!(
        encode_to_vec(&packet).expect("encodes"),
        [0x30, 0x03, 0x00, 0x01, 0x61]
    );
}

#[test]
fn encoded_len_matches_encode() {
    for v in vectors() {
        if let Expect::Packet { packet, .. } = &v.expect {
            let bytes = encode_to_vec(packet).expect("valid packets encode");
            assert_eq!(encoded_len(packet), Ok(bytes.len()), "{}", v.name);
        }
    }
}

#[test]
fn encode_appends_after_existing_bytes() {
    let mut out = vec![0xaa];
    let n = encode(&Packet::Puback(pid(0x0102)), &mut out).expect("encodes");
    assert_eq!(n, 4);
    assert_eq!(out, [0xaa, 0x40, 0x02, 0x01, 0x02]);
}

#[test]
fn stream_decoder_byte_by_byte_gives_the_same_packets() {
    let bytes = hex("10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63
         20 02 00 00
         3b 09 00 03 61 2f 62 00 0a 68 69
         82 08 00 01 00 03 61 2f 23 01
         d0 00");
    let mut whole = StreamDecoder::new(DecodeLimits::default());
    whole.feed(&bytes);
    let mut expected = Vec::new();
    while let Some(p) = whole.next_packet().expect("valid") {
        expected.push(p.into_owned());
    }
    assert_eq!(expected.len(), 5);
    assert_eq!(whole.buffered(), 0);

    let mut bytewise = StreamDecoder::new(DecodeLimits::default());
    let mut got = Vec::new();
    for b in &bytes {
        bytewise.feed(std::slice::from_ref(b));
        while let Some(p) = bytewise.next_packet().expect("valid") {
            got.push(p.into_owned());
        }
    }
    assert_eq!(got, expected);
}

#[test]
fn stream_decoder_reports_what_it_needs_and_stays_failed() {
    let mut d = StreamDecoder::new(DecodeLimits::default());
    assert_eq!(d.needed(), 2);
    d.feed(&[0x30, 0x07, 0x00]);
    assert_eq!(d.next_packet(), Ok(None));
    assert_eq!(d.needed(), 6);
    assert_eq!(d.buffered(), 3);
    d.feed(&hex("03 61 2f 62 68 69 60"));
    assert_eq!(
        d.next_packet().map(|p| p.map(Packet::into_owned)),
        Ok(Some(publish(
            "a/b",
            b"hi",
            QoSPid::AtMostOnce,
            false,
            false
        )))
    );
    let error = Malformed::FixedHeaderFlags {
        packet: PacketType::Pubrel,
        flags: 0,
    };
    assert_eq!(d.next_packet(), Err(error.clone()));
    d.feed(&[0xd0, 0x00]);
    assert_eq!(d.next_packet(), Err(error), "a failed stream stays failed");
    assert_eq!(d.needed(), 0);
}

#[test]
fn packet_ids_cannot_be_zero_and_wrap_past_it() {
    assert_eq!(PacketId::new(0), None);
    assert_eq!(pid(65535).next(), pid(1));
    assert_eq!(pid(1).next().get(), 2);
    assert_eq!(QoSPid::new(QoS::AtMostOnce, pid(3)).packet_id(), None);
    assert_eq!(
        QoSPid::new(QoS::ExactlyOnce, pid(3)).packet_id(),
        Some(pid(3))
    );
}

#[test]
fn credentials_debug_hides_the_password() {
    let c = Credentials {
        username: "alice".into(),
        password: Some(Cow::Borrowed(b"hunter2")),
    };
    let text = format!("{c:?}");
    assert!(text.contains("alice"));
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn decoded_packets_borrow_and_into_owned_outlives_the_buffer() {
    let packet = {
        let bytes = hex("30 07 00 03 61 2f 62 68 69");
        match decode(&bytes, &DecodeLimits::default()) {
            Ok(Decoded::Packet { packet, .. }) => {
                if let Packet::Publish(p) = &packet {
                    assert!(matches!(p.topic, Cow::Borrowed(_)), "no copy on decode");
                }
                packet.into_owned()
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        packet,
        publish("a/b", b"hi", QoSPid::AtMostOnce, false, false)
    );
}
