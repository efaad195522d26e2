//! Codec test vectors shared by the native tests (tests/codec.rs) and the browser tests
//! (tests/codec_web.rs), so both targets check exactly the same bytes.
//!
//! Each vector's bytes are derived by hand from the MQTT 3.1.1 standard (the comments
//! show the fields); each expects a packet (and whether re-encoding it gives the same
//! bytes), "incomplete, N more bytes", or a specific `Malformed` variant.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::borrow::Cow;

use lampboard::mqtt::codec::{decode, encode_to_vec, DecodeLimits, Decoded, Malformed};
use lampboard::mqtt::packet::*;
use lampboard::mqtt::topic::TopicError;

/// What decoding a vector must give.
pub enum Expect {
    /// This packet, using all the bytes; `canonical` says re-encoding gives the same bytes.
    Packet {
        packet: Packet<'static>,
        canonical: bool,
    },
    /// Incomplete, exactly this many more bytes needed.
    Incomplete(usize),
    /// An error of this kind.
    Error(fn(&Malformed) -> bool),
}

/// One test vector.
pub struct Vector {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

/// Parses hex with any white space in between; panics on bad test data.
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex in test data: {s}");
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).expect("ascii");
            u8::from_str_radix(text, 16).expect("hex digit in test data")
        })
        .collect()
}

pub fn pid(n: u16) -> PacketId {
    PacketId::new(n).expect("test ids are non-zero")
}

fn ok(name: &'static str, bytes: &str, packet: Packet<'static>) -> Vector {
    Vector {
        name,
        bytes: hex(bytes),
        expect: Expect::Packet {
            packet,
            canonical: true,
        },
    }
}

fn err(name: &'static str, bytes: &str, is: fn(&Malformed) -> bool) -> Vector {
    Vector {
        name,
        bytes: hex(bytes),
        expect: Expect::Error(is),
    }
}

fn incomplete(name: &'static str, bytes: &str, needed: usize) -> Vector {
    Vector {
        name,
        bytes: hex(bytes),
        expect: Expect::Incomplete(needed),
    }
}

pub fn publish(
    topic: &'static str,
    payload: &'static [u8],
    qospid: QoSPid,
    dup: bool,
    retain: bool,
) -> Packet<'static> {
    Packet::Publish(Publish {
        dup,
        qospid,
        retain,
        topic: Cow::Borrowed(topic),
        payload: Cow::Borrowed(payload),
    })
}

fn connect_minimal() -> Connect<'static> {
    Connect {
        clean_session: true,
        keep_alive: 60,
        client_id: "c".into(),
        will: None,
        credentials: None,
    }
}

/// All vectors. Names start with the packet type (lower case) so tests can group them.
pub fn vectors() -> Vec<Vector> {
    use Malformed as M;
    vec![
        // ---------------------------------------------------------------- framing
        incomplete("framing: empty buffer needs a 2-byte packet", "", 2),
        incomplete("framing: type byte alone", "c0", 1),
        incomplete("framing: inside the remaining length", "30 80", 1),
        incomplete("framing: 3 continuation bytes", "30 ff ff ff", 1),
        err(
            "framing: 5-byte remaining length",
            "30 80 80 80 80 01",
            |e| matches!(e, M::RemainingLengthTooLong),
        ),
        err("framing: 4 continuation bytes", "30 ff ff ff ff", |e| {
            matches!(e, M::RemainingLengthTooLong)
        }),
        err("framing: reserved type 0", "00 00", |e| {
            matches!(e, M::ReservedPacketType(0))
        }),
        err("framing: reserved type 15", "f0 00", |e| {
            matches!(e, M::ReservedPacketType(15))
        }),
        err(
            "framing: reserved type checked from the first byte",
            "f0",
            |e| matches!(e, M::ReservedPacketType(15)),
        ),
        Vector {
            name: "framing: non-minimal remaining length is accepted (3.1.1 allows it)",
            bytes: hex("c0 80 00"),
            expect: Expect::Packet {
                packet: Packet::Pingreq,
                canonical: false,
            },
        },
        // ---------------------------------------------------------------- CONNECT
        ok(
            // 10 | rl 13 | "MQTT" | level 4 | flags clean | keep alive 60 | "c"
            "connect: minimal, clean session",
            "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63",
            Packet::Connect(connect_minimal()),
        ),
        ok(
            // flags: user 80 | pass 40 | will retain 20 | will QoS 1 08 | will 04 = ec
            "connect: will, user name and password",
            "10 1e 00 04 4d 51 54 54 04 ec 00 00 00 02 69 64
             00 03 61 2f 62 00 03 62 79 65 00 01 75 00 01 70",
            Packet::Connect(Connect {
                clean_session: false,
                keep_alive: 0,
                client_id: "id".into(),
                will: Some(LastWill {
                    topic: "a/b".into(),
                    message: Cow::Borrowed(b"bye"),
                    qos: QoS::AtLeastOnce,
                    retain: true,
                }),
                credentials: Some(Credentials {
                    username: "u".into(),
                    password: Some(Cow::Borrowed(b"p")),
                }),
            }),
        ),
        ok(
            // flags: user 80 | will QoS 2 10 | will 04 | clean 02 = 96
            "connect: will QoS 2, user name without password, empty will message",
            "10 19 00 04 4d 51 54 54 04 96 ff ff 00 01 63 00 03 61 2f 62 00 00 00 03 62 6f 62",
            Packet::Connect(Connect {
                clean_session: true,
                keep_alive: 65535,
                client_id: "c".into(),
                will: Some(LastWill {
                    topic: "a/b".into(),
                    message: Cow::Borrowed(b""),
                    qos: QoS::ExactlyOnce,
                    retain: false,
                }),
                credentials: Some(Credentials {
                    username: "bob".into(),
                    password: None,
                }),
            }),
        ),
        ok(
            "connect: empty client id without clean session is the server's call (CONNACK 2)",
            "10 0c 00 04 4d 51 54 54 04 00 00 3c 00 00",
            Packet::Connect(Connect {
                clean_session: false,
                client_id: "".into(),
                ..connect_minimal()
            }),
        ),
        err(
            "connect: MQTT 3.1 protocol name MQIsdp",
            "10 0f 00 06 4d 51 49 73 64 70 03 02 00 3c 00 01 63",
            |e| matches!(e, M::ProtocolName(n) if n == "MQIsdp"),
        ),
        err(
            "connect: lower-case protocol name",
            "10 0d 00 04 6d 71 74 74 04 02 00 3c 00 01 63",
            |e| matches!(e, M::ProtocolName(_)),
        ),
        err(
            "connect: protocol level 3",
            "10 0d 00 04 4d 51 54 54 03 02 00 3c 00 01 63",
            |e| matches!(e, M::ProtocolLevel(3)),
        ),
        err(
            "connect: protocol level 5",
            "10 0d 00 04 4d 51 54 54 05 02 00 3c 00 01 63",
            |e| matches!(e, M::ProtocolLevel(5)),
        ),
        err(
            "connect: reserved flag set",
            "10 0d 00 04 4d 51 54 54 04 03 00 3c 00 01 63",
            |e| matches!(e, M::ConnectReservedFlag),
        ),
        err(
            "connect: will QoS without will flag",
            "10 0d 00 04 4d 51 54 54 04 0a 00 3c 00 01 63",
            |e| matches!(e, M::WillQosWithoutWill(1)),
        ),
        err(
            "connect: will retain without will flag",
            "10 0d 00 04 4d 51 54 54 04 22 00 3c 00 01 63",
            |e| matches!(e, M::WillRetainWithoutWill),
        ),
        err(
            "connect: will QoS 3",
            "10 15 00 04 4d 51 54 54 04 1e 00 3c 00 01 63 00 03 61 2f 62 00 01 78",
            |e| matches!(e, M::WillQos3),
        ),
        err(
            "connect: password without user name",
            "10 10 00 04 4d 51 54 54 04 42 00 3c 00 01 63 00 01 70",
            |e| matches!(e, M::PasswordWithoutUsername),
        ),
        err(
            "connect: user name flag but no user name",
            "10 0d 00 04 4d 51 54 54 04 82 00 3c 00 01 63",
            |e| {
                matches!(
                    e,
                    M::Truncated {
                        packet: PacketType::Connect,
                        field: "user name"
                    }
                )
            },
        ),
        err(
            "connect: will flag but no will topic",
            "10 0d 00 04 4d 51 54 54 04 06 00 3c 00 01 63",
            |e| {
                matches!(
                    e,
                    M::Truncated {
                        packet: PacketType::Connect,
                        field: "will topic"
                    }
                )
            },
        ),
        err(
            "connect: bytes after the last field",
            "10 0e 00 04 4d 51 54 54 04 02 00 3c 00 01 63 ff",
            |e| {
                matches!(
                    e,
                    M::TrailingBytes {
                        packet: PacketType::Connect,
                        count: 1
                    }
                )
            },
        ),
        err(
            "connect: client id runs past the packet",
            "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 05 63",
            |e| {
                matches!(
                    e,
                    M::Truncated {
                        field: "client identifier",
                        ..
                    }
                )
            },
        ),
        err(
            "connect: client id not UTF-8",
            "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 ff",
            |e| {
                matches!(
                    e,
                    M::InvalidUtf8 {
                        field: "client identifier",
                        at: 0,
                        ..
                    }
                )
            },
        ),
        err(
            "connect: client id with U+0000",
            "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 00",
            |e| {
                matches!(
                    e,
                    M::NullCharacter {
                        field: "client identifier",
                        ..
                    }
                )
            },
        ),
        err(
            "connect: will topic with a wildcard",
            "10 14 00 04 4d 51 54 54 04 06 00 3c 00 01 63 00 03 61 2f 2b 00 00",
            |e| {
                matches!(
                    e,
                    M::Topic {
                        field: "will topic",
                        error: TopicError::WildcardInName {
                            wildcard: '+',
                            at: 2
                        },
                        ..
                    }
                )
            },
        ),
        err(
            "connect: fixed header flags 0001",
            "11 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63",
            |e| {
                matches!(
                    e,
                    M::FixedHeaderFlags {
                        packet: PacketType::Connect,
                        flags: 1
                    }
                )
            },
        ),
        // ---------------------------------------------------------------- CONNACK
        ok(
            "connack: accepted",
            "20 02 00 00",
            Packet::Connack(Connack::Accepted {
                session_present: false,
            }),
        ),
        ok(
            "connack: accepted with session present",
            "20 02 01 00",
            Packet::Connack(Connack::Accepted {
                session_present: true,
            }),
        ),
        ok(
            "connack: refused, protocol version",
            "20 02 00 01",
            Packet::Connack(Connack::Refused(
                ConnectRefusal::UnacceptableProtocolVersion,
            )),
        ),
        ok(
            "connack: refused, identifier",
            "20 02 00 02",
            Packet::Connack(Connack::Refused(ConnectRefusal::IdentifierRejected)),
        ),
        ok(
            "connack: refused, server unavailable",
            "20 02 00 03",
            Packet::Connack(Connack::Refused(ConnectRefusal::ServerUnavailable)),
        ),
        ok(
            "connack: refused, bad user name or password",
            "20 02 00 04",
            Packet::Connack(Connack::Refused(ConnectRefusal::BadUserNameOrPassword)),
        ),
        ok(
            "connack: refused, not authorized",
            "20 02 00 05",
            Packet::Connack(Connack::Refused(ConnectRefusal::NotAuthorized)),
        ),
        err(
            "connack: session present on a refusal",
            "20 02 01 05",
            |e| matches!(e, M::SessionPresentOnRefusal(5)),
        ),
        err(
            "connack: reserved acknowledge flag bits",
            "20 02 02 00",
            |e| matches!(e, M::ConnackReservedFlags(2)),
        ),
        err("connack: reserved return code 6", "20 02 00 06", |e| {
            matches!(e, M::ConnackReturnCode(6))
        }),
        err("connack: remaining length 3", "20 03 00 00 00", |e| {
            matches!(
                e,
                M::RemainingLength {
                    packet: PacketType::Connack,
                    expected: 2,
                    got: 3
                }
            )
        }),
        err("connack: fixed header flags 0001", "21 02 00 00", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Connack,
                    flags: 1
                }
            )
        }),
        incomplete("connack: half", "20 02 00", 1),
        // ---------------------------------------------------------------- PUBLISH
        ok(
            // 30 | rl 7 | topic "a/b" | payload "hi"
            "publish: QoS 0",
            "30 07 00 03 61 2f 62 68 69",
            publish("a/b", b"hi", QoSPid::AtMostOnce, false, false),
        ),
        ok(
            // flags: dup 8 | QoS 1 2 | retain 1 = b | id 10
            "publish: QoS 1, dup, retain",
            "3b 09 00 03 61 2f 62 00 0a 68 69",
            publish("a/b", b"hi", QoSPid::AtLeastOnce(pid(10)), true, true),
        ),
        ok(
            "publish: QoS 2, empty payload",
            "34 07 00 03 61 2f 62 ff ff",
            publish("a/b", b"", QoSPid::ExactlyOnce(pid(65535)), false, false),
        ),
        ok(
            "publish: QoS 0, empty payload, retained (clears a retained message)",
            "31 05 00 03 61 2f 62",
            publish("a/b", b"", QoSPid::AtMostOnce, false, true),
        ),
        ok(
            "publish: $SYS topic and UTF-8 topic",
            "30 0c 00 09 24 53 59 53 2f c3 a9 2f 78 00",
            publish("$SYS/\u{e9}/x", b"\x00", QoSPid::AtMostOnce, false, false),
        ),
        ok(
            "publish: topic of a single slash",
            "30 03 00 01 2f",
            publish("/", b"", QoSPid::AtMostOnce, false, false),
        ),
        err("publish: QoS 3", "36 07 00 03 61 2f 62 00 01", |e| {
            matches!(e, M::PublishQos3)
        }),
        err("publish: QoS 3 refused from the first byte", "36", |e| {
            matches!(e, M::PublishQos3)
        }),
        err("publish: DUP at QoS 0", "38 05 00 03 61 2f 62", |e| {
            matches!(e, M::PublishDupAtQos0)
        }),
        err(
            "publish: packet id 0 at QoS 1",
            "32 07 00 03 61 2f 62 00 00",
            |e| {
                matches!(
                    e,
                    M::ZeroPacketId {
                        packet: PacketType::Publish
                    }
                )
            },
        ),
        err(
            "publish: QoS 1 without room for the packet id",
            "32 06 00 03 61 2f 62 00",
            |e| {
                matches!(
                    e,
                    M::Truncated {
                        packet: PacketType::Publish,
                        field: "packet identifier"
                    }
                )
            },
        ),
        err("publish: + in the topic", "30 05 00 03 61 2f 2b", |e| {
            matches!(
                e,
                M::Topic {
                    error: TopicError::WildcardInName { wildcard: '+', .. },
                    ..
                }
            ) && e.rule() == Some("MQTT-3.3.2-2")
        }),
        err("publish: # in the topic", "30 05 00 03 61 2f 23", |e| {
            matches!(
                e,
                M::Topic {
                    error: TopicError::WildcardInName { wildcard: '#', .. },
                    ..
                }
            )
        }),
        err("publish: empty topic", "30 02 00 00", |e| {
            matches!(
                e,
                M::Topic {
                    error: TopicError::Empty,
                    ..
                }
            )
        }),
        err("publish: topic not UTF-8", "30 03 00 01 ff", |e| {
            matches!(
                e,
                M::InvalidUtf8 {
                    packet: PacketType::Publish,
                    ..
                }
            )
        }),
        err(
            "publish: topic with an encoded surrogate",
            "30 05 00 03 ed a0 80",
            |e| {
                matches!(
                    e,
                    M::InvalidUtf8 {
                        packet: PacketType::Publish,
                        ..
                    }
                )
            },
        ),
        err(
            "publish: topic with overlong NUL (c0 80)",
            "30 04 00 02 c0 80",
            |e| {
                matches!(
                    e,
                    M::InvalidUtf8 {
                        packet: PacketType::Publish,
                        ..
                    }
                )
            },
        ),
        err("publish: topic with U+0000", "30 03 00 01 00", |e| {
            matches!(
                e,
                M::Topic {
                    error: TopicError::NullCharacter { at: 0 },
                    ..
                }
            )
        }),
        err(
            "publish: topic length past the packet",
            "30 03 00 05 61",
            |e| {
                matches!(
                    e,
                    M::Truncated {
                        packet: PacketType::Publish,
                        field: "topic name"
                    }
                )
            },
        ),
        err("publish: no room for the topic length", "30 01 00", |e| {
            matches!(
                e,
                M::Truncated {
                    packet: PacketType::Publish,
                    field: "topic name"
                }
            )
        }),
        incomplete("publish: body cut short", "30 07 00 03 61", 4),
        incomplete("publish: header only", "30 07", 7),
        // ---------------------------------------------------------------- acks
        ok("puback", "40 02 00 01", Packet::Puback(pid(1))),
        ok("pubrec", "50 02 12 34", Packet::Pubrec(pid(0x1234))),
        ok("pubrel", "62 02 ff ff", Packet::Pubrel(pid(0xffff))),
        ok("pubcomp", "70 02 00 07", Packet::Pubcomp(pid(7))),
        ok("unsuback", "b0 02 00 02", Packet::Unsuback(pid(2))),
        err("pubrel: flags 0000", "60 02 00 01", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Pubrel,
                    flags: 0
                }
            ) && e.rule() == Some("MQTT-3.6.1-1")
        }),
        err("puback: flags 0010", "42 02 00 01", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Puback,
                    flags: 2
                }
            ) && e.rule() == Some("MQTT-2.2.2-1")
        }),
        err("pubrec: flags 0010", "52 02 00 01", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Pubrec,
                    ..
                }
            )
        }),
        err("pubcomp: flags 0010", "72 02 00 01", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Pubcomp,
                    ..
                }
            )
        }),
        err("unsuback: flags 0010", "b2 02 00 01", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Unsuback,
                    ..
                }
            )
        }),
        err("puback: packet id 0", "40 02 00 00", |e| {
            matches!(
                e,
                M::ZeroPacketId {
                    packet: PacketType::Puback
                }
            )
        }),
        err("unsuback: packet id 0", "b0 02 00 00", |e| {
            matches!(
                e,
                M::ZeroPacketId {
                    packet: PacketType::Unsuback
                }
            )
        }),
        err("puback: remaining length 3", "40 03 00 01 00", |e| {
            matches!(
                e,
                M::RemainingLength {
                    packet: PacketType::Puback,
                    expected: 2,
                    got: 3
                }
            )
        }),
        err(
            "pubrel: remaining length 1, refused before the body",
            "62 01",
            |e| {
                matches!(
                    e,
                    M::RemainingLength {
                        packet: PacketType::Pubrel,
                        expected: 2,
                        got: 1
                    }
                )
            },
        ),
        // ---------------------------------------------------------------- SUBSCRIBE
        ok(
            // id 1 | "a/#" QoS 1
            "subscribe: one filter",
            "82 08 00 01 00 03 61 2f 23 01",
            Packet::Subscribe(Subscribe {
                packet_id: pid(1),
                filters: vec![SubscribeFilter {
                    filter: "a/#".into(),
                    qos: QoS::AtLeastOnce,
                }],
            }),
        ),
        ok(
            // id 10 | "+" QoS 0 | "a/+/c" QoS 2
            "subscribe: two filters",
            "82 0e 00 0a 00 01 2b 00 00 05 61 2f 2b 2f 63 02",
            Packet::Subscribe(Subscribe {
                packet_id: pid(10),
                filters: vec![
                    SubscribeFilter {
                        filter: "+".into(),
                        qos: QoS::AtMostOnce,
                    },
                    SubscribeFilter {
                        filter: "a/+/c".into(),
                        qos: QoS::ExactlyOnce,
                    },
                ],
            }),
        ),
        err(
            "subscribe: flags 0000",
            "80 08 00 01 00 03 61 2f 23 01",
            |e| {
                matches!(
                    e,
                    M::FixedHeaderFlags {
                        packet: PacketType::Subscribe,
                        flags: 0
                    }
                ) && e.rule() == Some("MQTT-3.8.1-1")
            },
        ),
        err("subscribe: no filter", "82 02 00 01", |e| {
            matches!(
                e,
                M::NoTopicFilters {
                    packet: PacketType::Subscribe
                }
            ) && e.rule() == Some("MQTT-3.8.3-3")
        }),
        err(
            "subscribe: requested QoS 3",
            "82 06 00 01 00 01 61 03",
            |e| matches!(e, M::SubscribeQos(3)),
        ),
        err(
            "subscribe: reserved bits in requested QoS",
            "82 06 00 01 00 01 61 41",
            |e| matches!(e, M::SubscribeQos(0x41)),
        ),
        err(
            "subscribe: missing requested QoS",
            "82 05 00 01 00 01 61",
            |e| {
                matches!(
                    e,
                    M::Truncated {
                        packet: PacketType::Subscribe,
                        field: "requested QoS"
                    }
                )
            },
        ),
        err("subscribe: packet id 0", "82 06 00 00 00 01 61 00", |e| {
            matches!(
                e,
                M::ZeroPacketId {
                    packet: PacketType::Subscribe
                }
            )
        }),
        err("subscribe: empty filter", "82 05 00 01 00 00 00", |e| {
            matches!(
                e,
                M::Topic {
                    error: TopicError::Empty,
                    ..
                }
            )
        }),
        err(
            "subscribe: # not last",
            "82 0a 00 01 00 05 61 2f 23 2f 62 00",
            |e| {
                matches!(
                    e,
                    M::Topic {
                        error: TopicError::MultiLevelNotLast { at: 2 },
                        ..
                    }
                )
            },
        ),
        err(
            "subscribe: # not alone in its level",
            "82 07 00 01 00 02 61 23 00",
            |e| {
                matches!(
                    e,
                    M::Topic {
                        error: TopicError::MultiLevelNotAlone { at: 1 },
                        ..
                    }
                )
            },
        ),
        err(
            "subscribe: + not alone in its level",
            "82 07 00 01 00 02 61 2b 00",
            |e| {
                matches!(
                    e,
                    M::Topic {
                        error: TopicError::SingleLevelNotAlone { at: 1 },
                        ..
                    }
                )
            },
        ),
        err(
            "subscribe: filter not UTF-8",
            "82 06 00 01 00 01 ff 00",
            |e| {
                matches!(
                    e,
                    M::InvalidUtf8 {
                        packet: PacketType::Subscribe,
                        ..
                    }
                )
            },
        ),
        // ---------------------------------------------------------------- SUBACK
        ok(
            "suback: every return code",
            "90 06 00 01 00 01 02 80",
            Packet::Suback(Suback {
                packet_id: pid(1),
                return_codes: vec![
                    SubackReturnCode::Success(QoS::AtMostOnce),
                    SubackReturnCode::Success(QoS::AtLeastOnce),
                    SubackReturnCode::Success(QoS::ExactlyOnce),
                    SubackReturnCode::Failure,
                ],
            }),
        ),
        err("suback: reserved return code 3", "90 03 00 01 03", |e| {
            matches!(e, M::SubackReturnCode(3))
        }),
        err("suback: reserved return code 0x81", "90 03 00 01 81", |e| {
            matches!(e, M::SubackReturnCode(0x81))
        }),
        err("suback: no return code", "90 02 00 01", |e| {
            matches!(e, M::NoReturnCodes)
        }),
        err("suback: flags 0010", "92 03 00 01 00", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Suback,
                    ..
                }
            )
        }),
        // ---------------------------------------------------------------- UNSUBSCRIBE
        ok(
            "unsubscribe: one filter",
            "a2 05 00 02 00 01 61",
            Packet::Unsubscribe(Unsubscribe {
                packet_id: pid(2),
                filters: vec!["a".into()],
            }),
        ),
        ok(
            "unsubscribe: two filters",
            "a2 0a 00 02 00 01 61 00 03 62 2f 23",
            Packet::Unsubscribe(Unsubscribe {
                packet_id: pid(2),
                filters: vec!["a".into(), "b/#".into()],
            }),
        ),
        err("unsubscribe: flags 0000", "a0 05 00 02 00 01 61", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Unsubscribe,
                    flags: 0
                }
            ) && e.rule() == Some("MQTT-3.10.1-1")
        }),
        err("unsubscribe: no filter", "a2 02 00 02", |e| {
            matches!(
                e,
                M::NoTopicFilters {
                    packet: PacketType::Unsubscribe
                }
            ) && e.rule() == Some("MQTT-3.10.3-2")
        }),
        err("unsubscribe: bad filter", "a2 06 00 02 00 02 61 23", |e| {
            matches!(
                e,
                M::Topic {
                    packet: PacketType::Unsubscribe,
                    ..
                }
            )
        }),
        err(
            "unsubscribe: filter length past the packet",
            "a2 05 00 02 00 09 61",
            |e| {
                matches!(
                    e,
                    M::Truncated {
                        packet: PacketType::Unsubscribe,
                        field: "topic filter"
                    }
                )
            },
        ),
        // ---------------------------------------------------------------- empty packets
        ok("pingreq", "c0 00", Packet::Pingreq),
        ok("pingresp", "d0 00", Packet::Pingresp),
        ok("disconnect", "e0 00", Packet::Disconnect),
        err("pingreq: remaining length 1", "c0 01 00", |e| {
            matches!(
                e,
                M::RemainingLength {
                    packet: PacketType::Pingreq,
                    expected: 0,
                    got: 1
                }
            )
        }),
        err("pingresp: flags 0001", "d1 00", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Pingresp,
                    flags: 1
                }
            )
        }),
        err("disconnect: flags 0010", "e2 00", |e| {
            matches!(
                e,
                M::FixedHeaderFlags {
                    packet: PacketType::Disconnect,
                    flags: 2
                }
            )
        }),
    ]
}

/// Checks one vector: the decode outcome, and for packets that re-encoding gives the
/// same bytes (canonical vectors) or at least the same packet. Returns a description
/// of the mismatch.
pub fn check_vector(v: &Vector) -> Result<(), String> {
    let got = decode(&v.bytes, &DecodeLimits::default());
    match (&v.expect, got) {
        (
            Expect::Packet { packet, canonical },
            Ok(Decoded::Packet {
                packet: p,
                consumed,
            }),
        ) => {
            if &p != packet {
                return Err(format!("decoded {p:?}, expected {packet:?}"));
            }
            if consumed != v.bytes.len() {
                return Err(format!("consumed {consumed} of {} bytes", v.bytes.len()));
            }
            let encoded = encode_to_vec(&p).map_err(|e| format!("re-encoding failed: {e}"))?;
            if *canonical && encoded != v.bytes {
                return Err(format!("re-encoded as {encoded:02x?}"));
            }
            match decode(&encoded, &DecodeLimits::default()) {
                Ok(Decoded::Packet { packet: again, .. }) if &again == packet => Ok(()),
                other => Err(format!("re-decoding the encoding gave {other:?}")),
            }
        }
        (Expect::Incomplete(n), Ok(Decoded::Incomplete { needed })) if *n == needed => Ok(()),
        (Expect::Error(is), Err(e)) if is(&e) => {
            if e.to_string().is_empty() {
                return Err("empty error text".into());
            }
            Ok(())
        }
        (_, other) => Err(format!("got {other:?}")),
    }
}

/// Runs every vector whose name starts with `prefix`, reporting all mismatches at once.
pub fn run_vectors(prefix: &str) -> usize {
    let mut failures = Vec::new();
    let mut count = 0;
    for v in vectors().iter().filter(|v| v.name.starts_with(prefix)) {
        count += 1;
        if let Err(why) = check_vector(v) {
            failures.push(format!("{}: {why}", v.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 0, "no vector named {prefix}*");
    count
}

/// The remaining-length boundaries of section 2.2.3 with the fixed header each must
/// encode to, for a QoS 0 PUBLISH to topic "t" (body = 3 + payload).
pub const LENGTH_BOUNDARIES: &[(usize, &[u8])] = &[
    (3, &[0x30, 0x03]),
    (127, &[0x30, 0x7f]),
    (128, &[0x30, 0x80, 0x01]),
    (16_383, &[0x30, 0xff, 0x7f]),
    (16_384, &[0x30, 0x80, 0x80, 0x01]),
    (2_097_151, &[0x30, 0xff, 0xff, 0x7f]),
    (2_097_152, &[0x30, 0x80, 0x80, 0x80, 0x01]),
    (268_435_455, &[0x30, 0xff, 0xff, 0xff, 0x7f]),
];

/// Encodes a QoS 0 PUBLISH with the given remaining length, checks the fixed header
/// bytes, that the header alone is "incomplete, remaining length needed", and the
/// round trip.
pub fn check_length_boundary(remaining_length: usize, header: &[u8]) -> Result<(), String> {
    let payload = vec![0x5a; remaining_length - 3];
    let packet = Packet::Publish(Publish {
        dup: false,
        qospid: QoSPid::AtMostOnce,
        retain: false,
        topic: "t".into(),
        payload: payload.into(),
    });
    let bytes = encode_to_vec(&packet).map_err(|e| e.to_string())?;
    if !bytes.starts_with(header) {
        return Err(format!(
            "header {:02x?}",
            &bytes[..header.len().min(bytes.len())]
        ));
    }
    if bytes.len() != header.len() + remaining_length {
        return Err(format!("total length {}", bytes.len()));
    }
    match decode(header, &DecodeLimits::default()) {
        Ok(Decoded::Incomplete { needed }) if needed == remaining_length => {}
        other => return Err(format!("header alone gave {other:?}")),
    }
    match decode(&bytes, &DecodeLimits::default()) {
        Ok(Decoded::Packet {
            packet: p,
            consumed,
        }) if p == packet && consumed == bytes.len() => Ok(()),
        other => Err(format!(
            "decode gave {:?}",
            other.map(|_| "a different packet")
        )),
    }
}
