//! Property tests of the codec (proptest; native only, the browser runs the vectors):
//! round trips of arbitrary valid packets, chunked feeding equals whole-buffer decoding,
//! every prefix of a packet is "incomplete", and arbitrary bytes never panic.
#![cfg(not(target_arch = "wasm32"))]

use std::borrow::Cow;

use lampboard::mqtt::codec::*;
use lampboard::mqtt::packet::*;
use proptest::prelude::*;

fn packet_id() -> impl Strategy<Value = PacketId> {
    (1u16..=u16::MAX).prop_map(|n| PacketId::new(n).expect("range excludes 0"))
}

fn qos() -> impl Strategy<Value = QoS> {
    prop_oneof![
        Just(QoS::AtMostOnce),
        Just(QoS::AtLeastOnce),
        Just(QoS::ExactlyOnce)
    ]
}

/// One level of a topic: any characters but NUL, '/', '+' and '#', possibly empty.
fn level() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9$ ]{0,6}", "[^\u{0}/+#]{0,4}",]
}

fn topic_name() -> impl Strategy<Value = String> {
    prop::collection::vec(level(), 1..5)
        .prop_map(|levels| levels.join("/"))
        .prop_filter("topic names are not empty", |t| !t.is_empty())
}

fn topic_filter() -> impl Strategy<Value = String> {
    let filter_level = prop_oneof![3 => level(), 1 => Just("+".to_string())];
    (prop::collection::vec(filter_level, 0..5), any::<bool>())
        .prop_map(|(mut levels, multi)| {
            if multi || levels.is_empty() {
                levels.push("#".into());
            }
            levels.join("/")
        })
        .prop_filter("filters are not empty", |f| !f.is_empty())
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..48)
}

fn owned_str(s: String) -> Cow<'static, str> {
    Cow::Owned(s)
}

fn connect() -> impl Strategy<Value = Packet<'static>> {
    let will = prop::option::of((topic_name(), bytes(), qos(), any::<bool>()).prop_map(
        |(topic, message, qos, retain)| LastWill {
            topic: owned_str(topic),
            message: Cow::Owned(message),
            qos,
            retain,
        },
    ));
    let credentials = prop::option::of(("[^\u{0}]{0,8}", prop::option::of(bytes())).prop_map(
        |(username, password)| Credentials {
            username: owned_str(username),
            password: password.map(Cow::Owned),
        },
    ));
    (
        any::<bool>(),
        any::<u16>(),
        "[^\u{0}]{0,12}",
        will,
        credentials,
    )
        .prop_map(
            |(clean_session, keep_alive, client_id, will, credentials)| {
                Packet::Connect(Connect {
                    clean_session,
                    keep_alive,
                    client_id: owned_str(client_id),
                    will,
                    credentials,
                })
            },
        )
}

fn connack() -> impl Strategy<Value = Packet<'static>> {
    prop_oneof![
        any::<bool>().prop_map(|session_present| Connack::Accepted { session_present }),
        (1u8..=5).prop_map(|code| Connack::Refused(
            ConnectRefusal::from_u8(code).expect("1..=5 are refusals")
        )),
    ]
    .prop_map(Packet::Connack)
}

fn publish() -> impl Strategy<Value = Packet<'static>> {
    let qospid = prop_oneof![
        Just(QoSPid::AtMostOnce),
        packet_id().prop_map(QoSPid::AtLeastOnce),
        packet_id().prop_map(QoSPid::ExactlyOnce),
    ];
    (any::<bool>(), qospid, any::<bool>(), topic_name(), bytes()).prop_map(
        |(dup, qospid, retain, topic, payload)| {
            Packet::Publish(Publish {
                // DUP is never written at QoS 0 ([MQTT-3.3.1-2]).
                dup: dup && qospid.packet_id().is_some(),
                qospid,
                retain,
                topic: owned_str(topic),
                payload: Cow::Owned(payload),
            })
        },
    )
}

fn subscribe() -> impl Strategy<Value = Packet<'static>> {
    let filter = (topic_filter(), qos()).prop_map(|(filter, qos)| SubscribeFilter {
        filter: owned_str(filter),
        qos,
    });
    (packet_id(), prop::collection::vec(filter, 1..4))
        .prop_map(|(packet_id, filters)| Packet::Subscribe(Subscribe { packet_id, filters }))
}

fn suback() -> impl Strategy<Value = Packet<'static>> {
    let code = prop_oneof![
        qos().prop_map(SubackReturnCode::Success),
        Just(SubackReturnCode::Failure)
    ];
    (packet_id(), prop::collection::vec(code, 1..5)).prop_map(|(packet_id, return_codes)| {
        Packet::Suback(Suback {
            packet_id,
            return_codes,
        })
    })
}

fn unsubscribe() -> impl Strategy<Value = Packet<'static>> {
    (
        packet_id(),
        prop::collection::vec(topic_filter().prop_map(owned_str), 1..4),
    )
        .prop_map(|(packet_id, filters)| Packet::Unsubscribe(Unsubscribe { packet_id, filters }))
}

fn packet() -> impl Strategy<Value = Packet<'static>> {
    prop_oneof![
        connect(),
        connack(),
        publish(),
        packet_id().prop_map(Packet::Puback),
        packet_id().prop_map(Packet::Pubrec),
        packet_id().prop_map(Packet::Pubrel),
        packet_id().prop_map(Packet::Pubcomp),
        subscribe(),
        suback(),
        unsubscribe(),
        packet_id().prop_map(Packet::Unsuback),
        Just(Packet::Pingreq),
        Just(Packet::Pingresp),
        Just(Packet::Disconnect),
    ]
}

/// How a byte stream ends after its whole packets.
#[derive(Debug, Clone, PartialEq)]
enum End {
    Clean,
    Incomplete,
    Failed(Malformed),
}

/// Reference: decode the whole buffer with repeated `decode` calls.
fn decode_whole(bytes: &[u8], limits: &DecodeLimits) -> (Vec<Packet<'static>>, End) {
    let mut packets = Vec::new();
    let mut rest = bytes;
    loop {
        if rest.is_empty() {
            return (packets, End::Clean);
        }
        match decode(rest, limits) {
            Ok(Decoded::Packet { packet, consumed }) => {
                assert!(consumed > 0 && consumed <= rest.len());
                packets.push(packet.into_owned());
                rest = &rest[consumed..];
            }
            Ok(Decoded::Incomplete { needed }) => {
                assert!(needed > 0);
                return (packets, End::Incomplete);
            }
            Err(e) => return (packets, End::Failed(e)),
        }
    }
}

/// The same bytes through a `StreamDecoder`, cut into chunks of the given sizes.
fn decode_chunked(
    bytes: &[u8],
    chunk_sizes: &[usize],
    limits: &DecodeLimits,
) -> (Vec<Packet<'static>>, End) {
    let mut decoder = StreamDecoder::new(*limits);
    let mut packets = Vec::new();
    let mut rest = bytes;
    let mut sizes = chunk_sizes.iter().cycle();
    while !rest.is_empty() {
        let size = sizes.next().copied().unwrap_or(1).clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        decoder.feed(chunk);
        loop {
            match decoder.next_packet() {
                Ok(Some(p)) => packets.push(p.into_owned()),
                Ok(None) => break,
                Err(e) => return (packets, End::Failed(e)),
            }
        }
    }
    let end = if decoder.buffered() == 0 {
        End::Clean
    } else {
        End::Incomplete
    };
    (packets, end)
}

proptest! {
    #[test]
    fn round_trip(p in packet()) {
        let bytes = encode_to_vec(&p).expect("generated packets are valid");
        prop_assert_eq!(encoded_len(&p), Ok(bytes.len()));
        match decode(&bytes, &DecodeLimits::default()) {
            Ok(Decoded::Packet { packet, consumed }) => {
                prop_assert_eq!(consumed, bytes.len());
                prop_assert_eq!(packet, p);
            }
            other => prop_assert!(false, "decode gave {:?}", other),
        }
    }

    #[test]
    fn every_strict_prefix_is_incomplete(p in packet()) {
        let bytes = encode_to_vec(&p).expect("generated packets are valid");
        for cut in 0..bytes.len() {
            match decode(&bytes[..cut], &DecodeLimits::default()) {
                Ok(Decoded::Incomplete { needed }) => {
                    prop_assert!(needed >= 1 && needed <= bytes.len() - cut, "cut {} needed {}", cut, needed);
                }
                other => prop_assert!(false, "prefix of {} bytes gave {:?}", cut, other),
            }
        }
    }

    #[test]
    fn chunked_feeding_equals_whole_buffer(
        packets in prop::collection::vec(packet(), 0..6),
        garbage in prop::collection::vec(any::<u8>(), 0..12),
        chunk_sizes in prop::collection::vec(1usize..9, 1..8),
    ) {
        let mut bytes = Vec::new();
        for p in &packets {
            encode(p, &mut bytes).expect("generated packets are valid");
        }
        bytes.extend_from_slice(&garbage);
        let limits = DecodeLimits::default();
        let whole = decode_whole(&bytes, &limits);
        prop_assert_eq!(&whole.0[..packets.len()], &packets[..]);
        prop_assert_eq!(decode_chunked(&bytes, &chunk_sizes, &limits), whole.clone());
        prop_assert_eq!(decode_chunked(&bytes, &[1], &limits), whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_chunking_agrees(
        bytes in prop::collection::vec(any::<u8>(), 0..96),
        chunk_sizes in prop::collection::vec(1usize..7, 1..5),
        max in 2usize..200,
    ) {
        for limits in [DecodeLimits::default(), DecodeLimits::with_max_packet_size(max)] {
            let whole = decode_whole(&bytes, &limits);
            // Whatever decoded re-encodes to something that decodes the same.
            for p in &whole.0 {
                let again = encode_to_vec(p).expect("decoded packets re-encode");
                match decode(&again, &limits) {
                    Ok(Decoded::Packet { packet, .. }) => prop_assert_eq!(&packet, p),
                    other => prop_assert!(false, "re-decode gave {:?}", other),
                }
            }
            prop_assert_eq!(decode_chunked(&bytes, &chunk_sizes, &limits), whole);
        }
    }

    #[test]
    fn mutated_valid_packets_never_panic(
        p in packet(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = encode_to_vec(&p).expect("generated packets are valid");
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let limits = DecodeLimits::default();
        let whole = decode_whole(&bytes, &limits);
        prop_assert_eq!(decode_chunked(&bytes, &[1], &limits), whole);
    }
}
