//! [`Malformed`]: why bytes are not a valid MQTT 3.1.1 packet (or why a packet value
//! cannot be put on the wire), named after the spec's normative statement where one
//! exists.
//!
//! Every variant means the connection must be closed ([MQTT-4.8.0-1]); the variants
//! exist so tests, logs and the decode tool can say exactly which rule was broken.

use std::fmt;

use super::packet::PacketType;
use super::topic::TopicError;

/// A malformed packet: the bytes (or, from the encoder, the packet value) break a rule
/// of MQTT 3.1.1.
///
/// Kept apart from "incomplete" (see [`crate::mqtt::codec::Decoded`]): running out of
/// bytes is normal on a stream, a malformed packet is not. `Display` gives
/// `[MQTT-x.x.x-y] ...` in words; [`Malformed::rule`] gives the id alone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The packet type nibble is 0 or 15, both reserved.
    ReservedPacketType(u8),
    /// The fixed header's low nibble is not the value the flag table requires.
    FixedHeaderFlags {
        /// The packet type.
        packet: PacketType,
        /// The low nibble received.
        flags: u8,
    },
    /// PUBLISH with both QoS bits set.
    PublishQos3,
    /// PUBLISH at QoS 0 with the DUP flag set.
    PublishDupAtQos0,
    /// The remaining length's 4th byte has its continuation bit set.
    RemainingLengthTooLong,
    /// The fixed header announces a packet bigger than the configured maximum.
    PacketTooLarge {
        /// Whole packet size in bytes, fixed header included.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// A fixed-size packet (CONNACK, PUBACK, PINGREQ, ...) with a different remaining
    /// length.
    RemainingLength {
        /// The packet type.
        packet: PacketType,
        /// The remaining length this type always has.
        expected: usize,
        /// The remaining length received.
        got: usize,
    },
    /// A field runs past the end of the packet (its remaining length).
    Truncated {
        /// The packet type.
        packet: PacketType,
        /// The field that does not fit, in words.
        field: &'static str,
    },
    /// Bytes left over after the packet's last field.
    TrailingBytes {
        /// The packet type.
        packet: PacketType,
        /// How many bytes are left over.
        count: usize,
    },
    /// Packet identifier 0 where one is required.
    ZeroPacketId {
        /// The packet type.
        packet: PacketType,
    },
    /// CONNECT protocol name other than "MQTT" (shown lossily, at most 32 bytes).
    ProtocolName(String),
    /// CONNECT protocol level other than 4 (MQTT 3.1.1).
    ProtocolLevel(u8),
    /// CONNECT flags bit 0 (reserved) is 1.
    ConnectReservedFlag,
    /// CONNECT will QoS is not 0 although the will flag is 0.
    WillQosWithoutWill(u8),
    /// CONNECT will retain is 1 although the will flag is 0.
    WillRetainWithoutWill,
    /// CONNECT will QoS is 3.
    WillQos3,
    /// CONNECT password flag is 1 but the user name flag is 0.
    PasswordWithoutUsername,
    /// CONNACK acknowledge flags with reserved bits 7-1 set.
    ConnackReservedFlags(u8),
    /// CONNACK refusing the connection but claiming a session.
    SessionPresentOnRefusal(u8),
    /// CONNACK return code 6 to 255 (reserved).
    ConnackReturnCode(u8),
    /// A string field is not well-formed UTF-8.
    InvalidUtf8 {
        /// The packet type.
        packet: PacketType,
        /// The field, in words.
        field: &'static str,
        /// Offset in the string of the first bad byte.
        at: usize,
    },
    /// A string field contains U+0000.
    NullCharacter {
        /// The packet type.
        packet: PacketType,
        /// The field, in words.
        field: &'static str,
    },
    /// A topic name or filter breaks a rule of section 4.7.
    Topic {
        /// The packet type.
        packet: PacketType,
        /// "topic name", "will topic" or "topic filter".
        field: &'static str,
        /// What is wrong with it.
        error: TopicError,
    },
    /// SUBSCRIBE or UNSUBSCRIBE without any topic filter.
    NoTopicFilters {
        /// SUBSCRIBE or UNSUBSCRIBE.
        packet: PacketType,
    },
    /// SUBSCRIBE requested-QoS byte with reserved bits set or QoS 3.
    SubscribeQos(u8),
    /// SUBACK without any return code.
    NoReturnCodes,
    /// SUBACK return code other than 0, 1, 2 and 0x80.
    SubackReturnCode(u8),
    /// (Encoder) A string or binary field longer than its 16-bit length prefix allows.
    FieldTooLong {
        /// The packet type.
        packet: PacketType,
        /// The field, in words.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// (Encoder) A packet body longer than the largest remaining length, 268435455.
    BodyTooLong(usize),
}

impl Malformed {
    /// The normative statement id (e.g. "MQTT-3.8.1-1") this error breaks, when the
    /// spec has one; tests assert on it so they check the reason, not just "an error".
    pub fn rule(&self) -> Option<&'static str> {
        Some(match self {
            Malformed::FixedHeaderFlags { packet, .. } => match packet {
                PacketType::Pubrel => "MQTT-3.6.1-1",
                PacketType::Subscribe => "MQTT-3.8.1-1",
                PacketType::Unsubscribe => "MQTT-3.10.1-1",
                _ => "MQTT-2.2.2-1",
            },
            Malformed::PublishQos3 => "MQTT-3.3.1-4",
            Malformed::PublishDupAtQos0 => "MQTT-3.3.1-2",
            Malformed::ZeroPacketId { .. } => "MQTT-2.3.1-1",
            Malformed::ProtocolName(_) => "MQTT-3.1.2-1",
            Malformed::ProtocolLevel(_) => "MQTT-3.1.2-2",
            Malformed::ConnectReservedFlag => "MQTT-3.1.2-3",
            Malformed::WillQosWithoutWill(_) => "MQTT-3.1.2-13",
            Malformed::WillRetainWithoutWill => "MQTT-3.1.2-15",
            Malformed::WillQos3 => "MQTT-3.1.2-14",
            Malformed::PasswordWithoutUsername => "MQTT-3.1.2-22",
            Malformed::SessionPresentOnRefusal(_) => "MQTT-3.2.2-4",
            Malformed::InvalidUtf8 { .. } => "MQTT-1.5.3-1",
            Malformed::NullCharacter { .. } => "MQTT-1.5.3-2",
            Malformed::Topic { packet, error, .. } => match (packet, error) {
                (PacketType::Publish, TopicError::WildcardInName { .. }) => "MQTT-3.3.2-2",
                _ => error.rule(),
            },
            Malformed::NoTopicFilters { packet } => match packet {
                PacketType::Unsubscribe => "MQTT-3.10.3-2",
                _ => "MQTT-3.8.3-3",
            },
            Malformed::SubscribeQos(_) => "MQTT-3.8.3-4",
            Malformed::NoReturnCodes => "MQTT-3.8.4-5",
            Malformed::SubackReturnCode(_) => "MQTT-3.9.3-2",
            Malformed::ReservedPacketType(_)
            | Malformed::RemainingLengthTooLong
            | Malformed::PacketTooLarge { .. }
            | Malformed::RemainingLength { .. }
            | Malformed::Truncated { .. }
            | Malformed::TrailingBytes { .. }
            | Malformed::ConnackReservedFlags(_)
            | Malformed::ConnackReturnCode(_)
            | Malformed::FieldTooLong { .. }
            | Malformed::BodyTooLong(_) => return None,
        })
    }

    /// The explanation in words, without the rule prefix.
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::ReservedPacketType(t) => write!(
                f,
                "packet type {t} is reserved and forbidden (valid types are 1 to 14)"
            ),
            Malformed::FixedHeaderFlags { packet, flags } => {
                let required = packet.required_flags().unwrap_or(0);
                write!(
                    f,
                    "{packet} fixed header flags must be {required:04b}, got {flags:04b}"
                )
            }
            Malformed::PublishQos3 => f.write_str("PUBLISH QoS must not be 3 (both QoS bits set)"),
            Malformed::PublishDupAtQos0 => {
                f.write_str("PUBLISH DUP flag must be 0 for a QoS 0 message")
            }
            Malformed::RemainingLengthTooLong => f.write_str(
                "remaining length is longer than 4 bytes (the 4th byte has its continuation bit set)",
            ),
            Malformed::PacketTooLarge { size, max } => write!(
                f,
                "packet of {size} bytes exceeds the maximum packet size of {max} bytes"
            ),
            Malformed::RemainingLength {
                packet,
                expected,
                got,
            } => write!(f, "{packet} remaining length must be {expected}, got {got}"),
            Malformed::Truncated { packet, field } => write!(
                f,
                "{packet} {field} runs past the end of the packet (remaining length too short)"
            ),
            Malformed::TrailingBytes { packet, count } => write!(
                f,
                "{packet} has {count} byte(s) left over after its last field"
            ),
            Malformed::ZeroPacketId { packet } => {
                write!(f, "{packet} packet identifier must not be 0")
            }
            Malformed::ProtocolName(name) => write!(
                f,
                "CONNECT protocol name must be \"MQTT\", got \"{}\"",
                name.escape_debug()
            ),
            Malformed::ProtocolLevel(level) => write!(
                f,
                "unsupported CONNECT protocol level {level}: only 4 (MQTT 3.1.1) is supported (a server answers CONNACK 1)"
            ),
            Malformed::ConnectReservedFlag => {
                f.write_str("CONNECT reserved flag (bit 0 of the connect flags) must be 0")
            }
            Malformed::WillQosWithoutWill(qos) => write!(
                f,
                "CONNECT will QoS must be 0 when the will flag is 0, got {qos}"
            ),
            Malformed::WillRetainWithoutWill => {
                f.write_str("CONNECT will retain must be 0 when the will flag is 0")
            }
            Malformed::WillQos3 => f.write_str("CONNECT will QoS must not be 3"),
            Malformed::PasswordWithoutUsername => f.write_str(
                "CONNECT password flag must be 0 when the user name flag is 0 (password without user name)",
            ),
            Malformed::ConnackReservedFlags(flags) => write!(
                f,
                "CONNACK acknowledge flags bits 7-1 are reserved and must be 0, got {flags:08b} (section 3.2.2.1)"
            ),
            Malformed::SessionPresentOnRefusal(code) => write!(
                f,
                "CONNACK session present must be 0 with a non-zero return code, got return code {code} with session present 1"
            ),
            Malformed::ConnackReturnCode(code) => write!(
                f,
                "CONNACK return code {code} is reserved (valid codes are 0 to 5)"
            ),
            Malformed::InvalidUtf8 { packet, field, at } => write!(
                f,
                "{packet} {field} is not well-formed UTF-8 (bad byte at offset {at})"
            ),
            Malformed::NullCharacter { packet, field } => {
                write!(f, "{packet} {field} must not contain U+0000")
            }
            Malformed::Topic {
                packet,
                field,
                error,
            } => {
                write!(f, "{packet} {field} ")?;
                error.describe(f)
            }
            Malformed::NoTopicFilters { packet } => {
                write!(f, "{packet} must contain at least one topic filter")
            }
            Malformed::SubscribeQos(byte) => write!(
                f,
                "SUBSCRIBE requested QoS must be 0, 1 or 2 with reserved bits 0, got 0x{byte:02x}"
            ),
            Malformed::NoReturnCodes => {
                f.write_str("SUBACK must contain a return code for each requested filter, got none")
            }
            Malformed::SubackReturnCode(code) => write!(
                f,
                "SUBACK return code 0x{code:02x} is reserved (valid codes are 0x00, 0x01, 0x02 and 0x80)"
            ),
            Malformed::FieldTooLong { packet, field, len } => write!(
                f,
                "{packet} {field} is {len} bytes, more than the 65535 its length prefix can say"
            ),
            Malformed::BodyTooLong(len) => write!(
                f,
                "packet body of {len} bytes exceeds the largest remaining length, 268435455"
            ),
        }
    }
}

impl fmt::Display for Malformed {
    /// "[MQTT-x.x.x-y] words" when the spec numbers the rule, else just the words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(rule) = self.rule() {
            write!(f, "[{rule}] ")?;
        }
        self.describe(f)
    }
}

impl std::error::Error for Malformed {}
