//! Encoding and decoding of MQTT 3.1.1 packets: strict, single pass, no allocation on
//! the decode path except the `Vec`s of SUBSCRIBE/SUBACK/UNSUBSCRIBE.
//!
//! # Decoding
//! [`decode`] looks at a byte buffer and answers one of three things:
//! - [`Decoded::Packet`]: a whole packet, borrowing strings and payloads from the
//!   buffer, and how many bytes it used;
//! - [`Decoded::Incomplete`]: the buffer ends inside a packet and at least `needed` more
//!   bytes must arrive. This is not an error: WebSocket frames need not align with
//!   packets ([MQTT-6.0.0-2]);
//! - `Err(`[`Malformed`]`)`: the bytes break a rule; the connection must be closed.
//!
//! The fixed header is checked as soon as its bytes are there, before the body
//! arrives: packet type, flags, the remaining length's encoding, the remaining length
//! of fixed-size packets (e.g. PUBACK is always 2) and the [`DecodeLimits`] maximum
//! packet size. So a peer announcing a 200 MB packet is refused after 5 bytes, and a
//! stream is rejected at the same byte whether it arrives whole or byte by byte. The
//! body is checked once the whole packet is buffered.
//!
//! [`StreamDecoder`] does the buffering for a transport: feed it chunks as they arrive
//! and take packets out.
//!
//! # Encoding
//! [`encode`] appends a packet's canonical bytes (minimal remaining length) to a `Vec`;
//! `decode(encode(p)) == p`. It refuses (and writes nothing for) values that would be
//! malformed on the wire: bad topic names or filters, strings with U+0000 or over 65535
//! bytes, empty SUBSCRIBE/UNSUBSCRIBE/SUBACK lists, bodies over 268435455 bytes.
//!
//! Accepted leniency, on purpose: a non-minimal remaining length encoding (e.g.
//! `0x80 0x00` for 0) is decoded, because 3.1.1, unlike MQTT 5, does not forbid it; an
//! empty client identifier is decoded whatever the clean-session flag, because the spec
//! has the server answer that with CONNACK 2 rather than treat it as malformed.

use std::borrow::Cow;

pub use super::error::Malformed;
use super::packet::{
    Connack, Connect, ConnectRefusal, Credentials, LastWill, Packet, PacketId, PacketType, Publish,
    QoS, QoSPid, Suback, SubackReturnCode, Subscribe, SubscribeFilter, Unsubscribe,
};
use super::topic::{ascii_topic_name, validate_topic_filter, validate_topic_name};

/// The largest remaining length the 4-byte variable-length encoding can express.
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// The largest whole packet MQTT 3.1.1 allows: a 5-byte fixed header plus
/// [`MAX_REMAINING_LENGTH`].
pub const MAX_PACKET_SIZE: usize = MAX_REMAINING_LENGTH + 5;

/// Limits the decoder enforces beyond the spec's own, so a peer cannot make us buffer
/// more than we are willing to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// The largest whole packet (fixed header included) accepted, in bytes. Checked
    /// from the fixed header, before the body arrives.
    pub max_packet_size: usize,
}

impl DecodeLimits {
    /// Limits with the given maximum packet size; the constructor exists because the
    /// struct is `#[non_exhaustive]` (more limits may come without breaking callers).
    pub const fn with_max_packet_size(max_packet_size: usize) -> Self {
        DecodeLimits { max_packet_size }
    }
}

impl Default for DecodeLimits {
    /// No limit beyond the spec's own ([`MAX_PACKET_SIZE`]), for tools and tests; an
    /// app should pick something smaller.
    fn default() -> Self {
        DecodeLimits::with_max_packet_size(MAX_PACKET_SIZE)
    }
}

/// The successful outcomes of [`decode`]: a packet, or "not enough bytes yet".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A whole, valid packet.
    Packet {
        /// The packet, borrowing from the buffer given to [`decode`].
        packet: Packet<'a>,
        /// How many bytes of the buffer it used; the next packet starts there.
        consumed: usize,
    },
    /// The buffer ends inside a packet: at least `needed` more bytes are required
    /// before anything can be decoded (exactly `needed` once the fixed header is
    /// complete; a lower bound before that).
    Incomplete {
        /// Minimum number of further bytes needed.
        needed: usize,
    },
}

/// A parsed fixed header (first byte and remaining length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedHeader {
    /// The packet type.
    pub packet_type: PacketType,
    /// The low nibble of the first byte (already validated).
    pub flags: u8,
    /// Length of the variable header plus payload.
    pub remaining_length: usize,
    /// Length of the fixed header itself: 2 to 5 bytes.
    pub header_len: usize,
}

impl FixedHeader {
    /// The whole packet's size in bytes, which is what [`DecodeLimits`] bounds.
    pub const fn packet_len(&self) -> usize {
        self.header_len + self.remaining_length
    }
}

/// The outcome of [`check`]: whether a whole packet is buffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// A whole packet is in the buffer, described by this header.
    Ready(FixedHeader),
    /// At least `needed` more bytes are required.
    Incomplete {
        /// Minimum number of further bytes needed.
        needed: usize,
    },
}

/// The remaining length a packet type always has, if it is fixed-size.
const fn fixed_remaining_length(packet_type: PacketType) -> Option<usize> {
    match packet_type {
        PacketType::Connack
        | PacketType::Puback
        | PacketType::Pubrec
        | PacketType::Pubrel
        | PacketType::Pubcomp
        | PacketType::Unsuback => Some(2),
        PacketType::Pingreq | PacketType::Pingresp | PacketType::Disconnect => Some(0),
        _ => None,
    }
}

/// Checks the fixed header and whether the whole packet is buffered, without parsing
/// the body: the cheap test a transport can run before committing to a full decode
/// (mini-redis's `check`). Fails on everything the fixed header alone can show to be
/// malformed or over the limit.
pub fn check(buf: &[u8], limits: &DecodeLimits) -> Result<Checked, Malformed> {
    let Some(&first) = buf.first() else {
        // The smallest packet (PINGREQ, ...) is 2 bytes.
        return Ok(Checked::Incomplete { needed: 2 });
    };
    let nibble = first >> 4;
    // `let else`, not `ok_or`: building the error eagerly costs a drop on every call
    // at opt-level z.
    let Some(packet_type) = PacketType::from_nibble(nibble) else {
        return Err(Malformed::ReservedPacketType(nibble));
    };
    let flags = first & 0x0f;
    match packet_type.required_flags() {
        Some(required) => {
            if flags != required {
                return Err(Malformed::FixedHeaderFlags {
                    packet: packet_type,
                    flags,
                });
            }
        }
        None => {
            let qos = (flags >> 1) & 0b11;
            if qos == 3 {
                return Err(Malformed::PublishQos3);
            }
            if qos == 0 && flags & 0b1000 != 0 {
                return Err(Malformed::PublishDupAtQos0);
            }
        }
    }

    let mut remaining_length = 0usize;
    for i in 0..4 {
        let Some(&byte) = buf.get(1 + i) else {
            return Ok(Checked::Incomplete { needed: 1 });
        };
        remaining_length |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            if let Some(expected) = fixed_remaining_length(packet_type) {
                if remaining_length != expected {
                    return Err(Malformed::RemainingLength {
                        packet: packet_type,
                        expected,
                        got: remaining_length,
                    });
                }
            }
            let header = FixedHeader {
                packet_type,
                flags,
                remaining_length,
                header_len: 2 + i,
            };
            let size = header.packet_len();
            if size > limits.max_packet_size {
                return Err(Malformed::PacketTooLarge {
                    size,
                    max: limits.max_packet_size,
                });
            }
            return Ok(match size.checked_sub(buf.len()) {
                Some(needed) if needed > 0 => Checked::Incomplete { needed },
                _ => Checked::Ready(header),
            });
        }
    }
    Err(Malformed::RemainingLengthTooLong)
}

/// Decodes the first packet in `buf`, borrowing its strings and payload from `buf`.
///
/// Bytes after the packet are left alone (`consumed` says where they start), so one
/// buffer can hold several packets. Never panics, whatever the bytes.
pub fn decode<'a>(buf: &'a [u8], limits: &DecodeLimits) -> Result<Decoded<'a>, Malformed> {
    let header = match check(buf, limits)? {
        Checked::Ready(header) => header,
        Checked::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
    };
    let body = buf
        .get(header.header_len..header.packet_len())
        .unwrap_or_default();
    decode_body(&header, body)
}

/// Parses a packet body whose fixed header [`check`] has validated.
///
/// The result is built in one expression per arm: `Packet` is big (CONNECT), and
/// wrapping a finished packet again would cost a `memcpy` on every PUBLISH.
fn decode_body<'a>(header: &FixedHeader, body: &'a [u8]) -> Result<Decoded<'a>, Malformed> {
    let packet_type = header.packet_type;
    let consumed = header.packet_len();
    let mut r = Reader {
        buf: body,
        packet: packet_type,
    };
    let packet = match packet_type {
        PacketType::Publish => {
            let flags = header.flags;
            let (topic, qospid, payload) = decode_publish(flags, &mut r)?;
            return Ok(Decoded::Packet {
                packet: Packet::Publish(Publish {
                    dup: flags & 0b1000 != 0,
                    qospid,
                    retain: flags & 0b0001 != 0,
                    topic: Cow::Borrowed(topic),
                    payload: Cow::Borrowed(payload),
                }),
                consumed,
            });
        }
        PacketType::Connect => Packet::Connect(decode_connect(&mut r)?),
        PacketType::Connack => Packet::Connack(decode_connack(&mut r)?),
        PacketType::Puback => Packet::Puback(r.packet_id()?),
        PacketType::Pubrec => Packet::Pubrec(r.packet_id()?),
        PacketType::Pubrel => Packet::Pubrel(r.packet_id()?),
        PacketType::Pubcomp => Packet::Pubcomp(r.packet_id()?),
        PacketType::Subscribe => Packet::Subscribe(decode_subscribe(&mut r)?),
        PacketType::Suback => Packet::Suback(decode_suback(&mut r)?),
        PacketType::Unsubscribe => Packet::Unsubscribe(decode_unsubscribe(&mut r)?),
        PacketType::Unsuback => Packet::Unsuback(r.packet_id()?),
        PacketType::Pingreq => Packet::Pingreq,
        PacketType::Pingresp => Packet::Pingresp,
        PacketType::Disconnect => Packet::Disconnect,
    };
    Ok(Decoded::Packet { packet, consumed })
}

/// A cursor over one packet's body that names the packet and field in its errors.
struct Reader<'a> {
    buf: &'a [u8],
    packet: PacketType,
}

impl<'a> Reader<'a> {
    fn truncated(&self, field: &'static str) -> Malformed {
        Malformed::Truncated {
            packet: self.packet,
            field,
        }
    }

    fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, Malformed> {
        let (&byte, rest) = self
            .buf
            .split_first()
            .ok_or_else(|| self.truncated(field))?;
        self.buf = rest;
        Ok(byte)
    }

    #[inline(always)]
    fn u16(&mut self, field: &'static str) -> Result<u16, Malformed> {
        match *self.buf {
            [hi, lo, ref rest @ ..] => {
                self.buf = rest;
                Ok(u16::from_be_bytes([hi, lo]))
            }
            _ => Err(self.truncated(field)),
        }
    }

    #[inline(always)]
    fn packet_id(&mut self) -> Result<PacketId, Malformed> {
        let id = self.u16("packet identifier")?;
        match PacketId::new(id) {
            Some(id) => Ok(id),
            None => Err(Malformed::ZeroPacketId {
                packet: self.packet,
            }),
        }
    }

    /// A 16-bit length followed by that many bytes.
    #[inline(always)]
    fn binary(&mut self, field: &'static str) -> Result<&'a [u8], Malformed> {
        let len = usize::from(self.u16(field)?);
        match (self.buf.get(..len), self.buf.get(len..)) {
            (Some(bytes), Some(rest)) => {
                self.buf = rest;
                Ok(bytes)
            }
            _ => Err(self.truncated(field)),
        }
    }

    /// A length-prefixed UTF-8 string without U+0000 ([MQTT-1.5.3-1], [MQTT-1.5.3-2]).
    fn string(&mut self, field: &'static str) -> Result<&'a str, Malformed> {
        let s = self.utf8(field)?;
        if s.as_bytes().contains(&0) {
            return Err(Malformed::NullCharacter {
                packet: self.packet,
                field,
            });
        }
        Ok(s)
    }

    /// A length-prefixed UTF-8 string, U+0000 not checked (the topic validators do it
    /// in the same pass as the wildcards).
    #[inline(always)]
    fn utf8(&mut self, field: &'static str) -> Result<&'a str, Malformed> {
        let bytes = self.binary(field)?;
        std::str::from_utf8(bytes).map_err(|e| Malformed::InvalidUtf8 {
            packet: self.packet,
            field,
            at: e.valid_up_to(),
        })
    }

    #[inline(always)]
    fn topic_name(&mut self, field: &'static str) -> Result<&'a str, Malformed> {
        let bytes = self.binary(field)?;
        if let Some(topic) = ascii_topic_name(bytes) {
            return Ok(topic);
        }
        let topic = std::str::from_utf8(bytes).map_err(|e| Malformed::InvalidUtf8 {
            packet: self.packet,
            field,
            at: e.valid_up_to(),
        })?;
        validate_topic_name(topic).map_err(|error| Malformed::Topic {
            packet: self.packet,
            field,
            error,
        })?;
        Ok(topic)
    }

    fn topic_filter(&mut self) -> Result<&'a str, Malformed> {
        const FIELD: &str = "topic filter";
        let filter = self.utf8(FIELD)?;
        validate_topic_filter(filter).map_err(|error| Malformed::Topic {
            packet: self.packet,
            field: FIELD,
            error,
        })?;
        Ok(filter)
    }

    #[inline(always)]
    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.buf)
    }

    /// Refuses bytes left over after the last field.
    fn finish(&self) -> Result<(), Malformed> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(Malformed::TrailingBytes {
                packet: self.packet,
                count: self.buf.len(),
            })
        }
    }
}

const CONNECT_RESERVED: u8 = 0x01;
const CONNECT_CLEAN_SESSION: u8 = 0x02;
const CONNECT_WILL: u8 = 0x04;
const CONNECT_WILL_RETAIN: u8 = 0x20;
const CONNECT_PASSWORD: u8 = 0x40;
const CONNECT_USERNAME: u8 = 0x80;

// Kept out of `decode` so the PUBLISH path stays small (fewer registers to save).
#[inline(never)]
fn decode_connect<'a>(r: &mut Reader<'a>) -> Result<Connect<'a>, Malformed> {
    let name = r.binary("protocol name")?;
    if name != b"MQTT" {
        let shown = &name[..name.len().min(32)];
        return Err(Malformed::ProtocolName(
            String::from_utf8_lossy(shown).into_owned(),
        ));
    }
    let level = r.u8("protocol level")?;
    if level != 4 {
        return Err(Malformed::ProtocolLevel(level));
    }
    let flags = r.u8("connect flags")?;
    if flags & CONNECT_RESERVED != 0 {
        return Err(Malformed::ConnectReservedFlag);
    }
    let will_flag = flags & CONNECT_WILL != 0;
    let will_qos = (flags >> 3) & 0b11;
    let will_retain = flags & CONNECT_WILL_RETAIN != 0;
    if will_flag {
        if will_qos == 3 {
            return Err(Malformed::WillQos3);
        }
    } else {
        if will_qos != 0 {
            return Err(Malformed::WillQosWithoutWill(will_qos));
        }
        if will_retain {
            return Err(Malformed::WillRetainWithoutWill);
        }
    }
    let username_flag = flags & CONNECT_USERNAME != 0;
    let password_flag = flags & CONNECT_PASSWORD != 0;
    if password_flag && !username_flag {
        return Err(Malformed::PasswordWithoutUsername);
    }
    let keep_alive = r.u16("keep alive")?;
    let client_id = r.string("client identifier")?;
    let will = match QoS::from_u8(will_qos) {
        Some(qos) if will_flag => {
            let topic = r.topic_name("will topic")?;
            let message = r.binary("will message")?;
            Some(LastWill {
                topic: Cow::Borrowed(topic),
                message: Cow::Borrowed(message),
                qos,
                retain: will_retain,
            })
        }
        _ => None,
    };
    let credentials = if username_flag {
        let username = r.string("user name")?;
        let password = if password_flag {
            Some(Cow::Borrowed(r.binary("password")?))
        } else {
            None
        };
        Some(Credentials {
            username: Cow::Borrowed(username),
            password,
        })
    } else {
        None
    };
    r.finish()?;
    Ok(Connect {
        clean_session: flags & CONNECT_CLEAN_SESSION != 0,
        keep_alive,
        client_id: Cow::Borrowed(client_id),
        will,
        credentials,
    })
}

fn decode_connack(r: &mut Reader<'_>) -> Result<Connack, Malformed> {
    let ack_flags = r.u8("acknowledge flags")?;
    let code = r.u8("return code")?;
    if ack_flags & 0xfe != 0 {
        return Err(Malformed::ConnackReservedFlags(ack_flags));
    }
    let session_present = ack_flags & 0x01 != 0;
    if code == 0 {
        return Ok(Connack::Accepted { session_present });
    }
    let refusal = ConnectRefusal::from_u8(code).ok_or(Malformed::ConnackReturnCode(code))?;
    if session_present {
        return Err(Malformed::SessionPresentOnRefusal(code));
    }
    Ok(Connack::Refused(refusal))
}

/// The parts of a PUBLISH after the fixed header: topic, QoS with id, payload.
fn decode_publish<'a>(
    flags: u8,
    r: &mut Reader<'a>,
) -> Result<(&'a str, QoSPid, &'a [u8]), Malformed> {
    let topic = r.topic_name("topic name")?;
    let qospid = match (flags >> 1) & 0b11 {
        0 => QoSPid::AtMostOnce,
        1 => QoSPid::AtLeastOnce(r.packet_id()?),
        // 3 was refused by `check`.
        _ => QoSPid::ExactlyOnce(r.packet_id()?),
    };
    Ok((topic, qospid, r.rest()))
}

// Kept out of `decode` so the PUBLISH path stays small (fewer registers to save).
#[inline(never)]
fn decode_subscribe<'a>(r: &mut Reader<'a>) -> Result<Subscribe<'a>, Malformed> {
    let packet_id = r.packet_id()?;
    if r.is_empty() {
        return Err(Malformed::NoTopicFilters {
            packet: PacketType::Subscribe,
        });
    }
    let mut filters = Vec::new();
    while !r.is_empty() {
        let filter = r.topic_filter()?;
        let byte = r.u8("requested QoS")?;
        let qos = QoS::from_u8(byte).ok_or(Malformed::SubscribeQos(byte))?;
        filters.push(SubscribeFilter {
            filter: Cow::Borrowed(filter),
            qos,
        });
    }
    Ok(Subscribe { packet_id, filters })
}

// Kept out of `decode` so the PUBLISH path stays small (fewer registers to save).
#[inline(never)]
fn decode_suback(r: &mut Reader<'_>) -> Result<Suback, Malformed> {
    let packet_id = r.packet_id()?;
    let codes = r.rest();
    if codes.is_empty() {
        return Err(Malformed::NoReturnCodes);
    }
    let return_codes = codes
        .iter()
        .map(|&code| SubackReturnCode::from_u8(code).ok_or(Malformed::SubackReturnCode(code)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Suback {
        packet_id,
        return_codes,
    })
}

// Kept out of `decode` so the PUBLISH path stays small (fewer registers to save).
#[inline(never)]
fn decode_unsubscribe<'a>(r: &mut Reader<'a>) -> Result<Unsubscribe<'a>, Malformed> {
    let packet_id = r.packet_id()?;
    if r.is_empty() {
        return Err(Malformed::NoTopicFilters {
            packet: PacketType::Unsubscribe,
        });
    }
    let mut filters = Vec::new();
    while !r.is_empty() {
        filters.push(Cow::Borrowed(r.topic_filter()?));
    }
    Ok(Unsubscribe { packet_id, filters })
}

// ---------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------

/// The number of bytes [`encode`] would append for `packet`, after the same checks.
///
/// Lets a transport size a frame, or a session check a packet against the broker's
/// limit, without encoding twice.
pub fn encoded_len(packet: &Packet<'_>) -> Result<usize, Malformed> {
    let body = body_len(packet)?;
    Ok(1 + remaining_length_len(body) + body)
}

/// Appends the canonical encoding of `packet` to `out` and returns its length.
///
/// Refuses, writing nothing, a packet that would be malformed on the wire (see the
/// module docs), so the session can never make the broker close the connection on us.
pub fn encode(packet: &Packet<'_>, out: &mut Vec<u8>) -> Result<usize, Malformed> {
    let body = body_len(packet)?;
    let total = 1 + remaining_length_len(body) + body;
    out.reserve(total);
    out.push(first_byte(packet));
    write_remaining_length(body, out);
    write_body(packet, out);
    Ok(total)
}

/// [`encode`] into a fresh `Vec`, for callers that send each packet as its own frame.
pub fn encode_to_vec(packet: &Packet<'_>) -> Result<Vec<u8>, Malformed> {
    let mut out = Vec::new();
    encode(packet, &mut out)?;
    Ok(out)
}

/// Bytes the variable-length encoding of `len` takes (1 to 4).
const fn remaining_length_len(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

fn write_remaining_length(mut len: usize, out: &mut Vec<u8>) {
    loop {
        // Truncation to the low 7 bits is the encoding.
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            break;
        }
    }
}

fn first_byte(packet: &Packet<'_>) -> u8 {
    let packet_type = packet.packet_type();
    let flags = match packet {
        Packet::Publish(p) => {
            let qos = p.qospid.qos().as_u8();
            // DUP is only meaningful, and only allowed, at QoS 1 and 2 ([MQTT-3.3.1-2]).
            let dup = u8::from(p.dup && qos > 0);
            (dup << 3) | (qos << 1) | u8::from(p.retain)
        }
        _ => packet_type.required_flags().unwrap_or(0),
    };
    ((packet_type as u8) << 4) | flags
}

/// Length of a length-prefixed field, refusing what 16 bits cannot say.
fn field_len(packet: PacketType, field: &'static str, len: usize) -> Result<usize, Malformed> {
    if len > usize::from(u16::MAX) {
        return Err(Malformed::FieldTooLong { packet, field, len });
    }
    Ok(2 + len)
}

fn string_len(packet: PacketType, field: &'static str, s: &str) -> Result<usize, Malformed> {
    if s.as_bytes().contains(&0) {
        return Err(Malformed::NullCharacter { packet, field });
    }
    field_len(packet, field, s.len())
}

fn topic_name_len(
    packet: PacketType,
    field: &'static str,
    topic: &str,
) -> Result<usize, Malformed> {
    validate_topic_name(topic).map_err(|error| Malformed::Topic {
        packet,
        field,
        error,
    })?;
    Ok(2 + topic.len())
}

fn topic_filter_len(packet: PacketType, filter: &str) -> Result<usize, Malformed> {
    validate_topic_filter(filter).map_err(|error| Malformed::Topic {
        packet,
        field: "topic filter",
        error,
    })?;
    Ok(2 + filter.len())
}

/// The remaining length of `packet`, validating every field the encoder will write.
fn body_len(packet: &Packet<'_>) -> Result<usize, Malformed> {
    let packet_type = packet.packet_type();
    let len = match packet {
        Packet::Connect(c) => {
            // Protocol name (2 + 4), level, flags, keep alive.
            let mut len = 10 + string_len(packet_type, "client identifier", &c.client_id)?;
            if let Some(will) = &c.will {
                len += topic_name_len(packet_type, "will topic", &will.topic)?;
                len += field_len(packet_type, "will message", will.message.len())?;
            }
            if let Some(credentials) = &c.credentials {
                len += string_len(packet_type, "user name", &credentials.username)?;
                if let Some(password) = &credentials.password {
                    len += field_len(packet_type, "password", password.len())?;
                }
            }
            len
        }
        Packet::Connack(_) => 2,
        Packet::Publish(p) => {
            let id_len = if p.qospid.packet_id().is_some() { 2 } else { 0 };
            topic_name_len(packet_type, "topic name", &p.topic)? + id_len + p.payload.len()
        }
        Packet::Puback(_)
        | Packet::Pubrec(_)
        | Packet::Pubrel(_)
        | Packet::Pubcomp(_)
        | Packet::Unsuback(_) => 2,
        Packet::Subscribe(s) => {
            if s.filters.is_empty() {
                return Err(Malformed::NoTopicFilters {
                    packet: packet_type,
                });
            }
            let mut len = 2;
            for f in &s.filters {
                len += topic_filter_len(packet_type, &f.filter)? + 1;
            }
            len
        }
        Packet::Suback(s) => {
            if s.return_codes.is_empty() {
                return Err(Malformed::NoReturnCodes);
            }
            2 + s.return_codes.len()
        }
        Packet::Unsubscribe(u) => {
            if u.filters.is_empty() {
                return Err(Malformed::NoTopicFilters {
                    packet: packet_type,
                });
            }
            let mut len = 2;
            for f in &u.filters {
                len += topic_filter_len(packet_type, f)?;
            }
            len
        }
        Packet::Pingreq | Packet::Pingresp | Packet::Disconnect => 0,
    };
    if len > MAX_REMAINING_LENGTH {
        return Err(Malformed::BodyTooLong(len));
    }
    Ok(len)
}

/// Writes a 16-bit length and the bytes; `body_len` has checked the length fits.
#[inline(always)]
fn write_field(bytes: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

#[inline(always)]
fn write_id(id: PacketId, out: &mut Vec<u8>) {
    out.extend_from_slice(&id.get().to_be_bytes());
}

fn write_body(packet: &Packet<'_>, out: &mut Vec<u8>) {
    match packet {
        Packet::Connect(c) => {
            write_field(b"MQTT", out);
            out.push(4);
            let mut flags = 0;
            if c.clean_session {
                flags |= CONNECT_CLEAN_SESSION;
            }
            if let Some(will) = &c.will {
                flags |= CONNECT_WILL | (will.qos.as_u8() << 3);
                if will.retain {
                    flags |= CONNECT_WILL_RETAIN;
                }
            }
            if let Some(credentials) = &c.credentials {
                flags |= CONNECT_USERNAME;
                if credentials.password.is_some() {
                    flags |= CONNECT_PASSWORD;
                }
            }
            out.push(flags);
            out.extend_from_slice(&c.keep_alive.to_be_bytes());
            write_field(c.client_id.as_bytes(), out);
            if let Some(will) = &c.will {
                write_field(will.topic.as_bytes(), out);
                write_field(&will.message, out);
            }
            if let Some(credentials) = &c.credentials {
                write_field(credentials.username.as_bytes(), out);
                if let Some(password) = &credentials.password {
                    write_field(password, out);
                }
            }
        }
        Packet::Connack(c) => {
            out.push(u8::from(c.session_present()));
            out.push(c.return_code());
        }
        Packet::Publish(p) => {
            write_field(p.topic.as_bytes(), out);
            if let Some(id) = p.qospid.packet_id() {
                write_id(id, out);
            }
            out.extend_from_slice(&p.payload);
        }
        Packet::Puback(id)
        | Packet::Pubrec(id)
        | Packet::Pubrel(id)
        | Packet::Pubcomp(id)
        | Packet::Unsuback(id) => write_id(*id, out),
        Packet::Subscribe(s) => {
            write_id(s.packet_id, out);
            for f in &s.filters {
                write_field(f.filter.as_bytes(), out);
                out.push(f.qos.as_u8());
            }
        }
        Packet::Suback(s) => {
            write_id(s.packet_id, out);
            out.extend(s.return_codes.iter().map(|c| c.as_u8()));
        }
        Packet::Unsubscribe(u) => {
            write_id(u.packet_id, out);
            for f in &u.filters {
                write_field(f.as_bytes(), out);
            }
        }
        Packet::Pingreq | Packet::Pingresp | Packet::Disconnect => {}
    }
}

// ---------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------

/// Reassembles packets from chunks that arrive with arbitrary boundaries (WebSocket
/// messages need not align with packets, [MQTT-6.0.0-2]).
///
/// Feeding the same bytes in any chunking yields the same packets, and the same error
/// at the same point. After an error the decoder stays failed (the connection must be
/// closed); make a new one for a new connection. Memory is bounded by the largest
/// packet [`DecodeLimits`] allows plus one chunk.
///
/// ```
/// use lampboard::mqtt::codec::{DecodeLimits, StreamDecoder};
/// use lampboard::mqtt::packet::Packet;
///
/// let mut decoder = StreamDecoder::new(DecodeLimits::with_max_packet_size(64 * 1024));
/// decoder.feed(&[0xd0]); // half a PINGRESP
/// assert_eq!(decoder.next_packet(), Ok(None));
/// decoder.feed(&[0x00, 0xd0, 0x00]); // the rest, and another
/// assert_eq!(decoder.next_packet(), Ok(Some(Packet::Pingresp)));
/// assert_eq!(decoder.next_packet(), Ok(Some(Packet::Pingresp)));
/// assert_eq!(decoder.next_packet(), Ok(None));
/// ```
#[derive(Debug, Clone, Default)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    /// Start of the undecoded bytes in `buf`; the prefix is dropped on the next `feed`
    /// so packets already handed out can borrow from `buf` meanwhile.
    start: usize,
    limits: DecodeLimits,
    failed: Option<Malformed>,
    /// Bytes of an oversize PUBLISH still to be thrown away as they arrive
    /// ([`StreamDecoder::next_frame`]); never buffered.
    skipping: usize,
}

/// A PUBLISH over the maximum packet size that [`StreamDecoder::next_frame`] skipped:
/// its head was read (so the receiver can acknowledge it and say what was dropped),
/// its payload thrown away as it arrived, never buffered.
///
/// MQTT 3.1.1 gives a client no way to refuse one message, and closing the connection
/// instead would loop forever on a retained one (the broker sends it again on every
/// subscribe), so skipping is the only way to stay connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedPublish {
    /// The topic it was published to.
    pub topic: String,
    /// Its QoS and packet id: QoS 1/2 must still be acknowledged.
    pub qospid: QoSPid,
    /// A retained value (it will come again on the next subscribe).
    pub retain: bool,
    /// The whole packet's size in bytes, fixed header included.
    pub size: usize,
    /// The limit it broke.
    pub max: usize,
}

/// What [`StreamDecoder::next_frame`] yields: a packet, or the head of an oversize
/// PUBLISH whose payload is being skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A whole packet within the limits.
    Packet(Packet<'a>),
    /// An oversize PUBLISH, skipped.
    Skipped(SkippedPublish),
}

/// Reads the head (fixed header, topic, packet id) of a PUBLISH that `check` found
/// over the limit: `Ok(None)` while the head is not all buffered, else the skipped
/// message.
fn oversize_publish_head(
    pending: &[u8],
    size: usize,
    max: usize,
) -> Result<Option<SkippedPublish>, Malformed> {
    // `check` already read a complete, valid remaining length: find where it ends.
    let header_len = pending
        .iter()
        .skip(1)
        .take(4)
        .position(|b| b & 0x80 == 0)
        .map_or(5, |i| i + 2);
    let flags = pending.first().map_or(0, |b| b & 0x0f);
    let body = pending.get(header_len..).unwrap_or_default();
    let (Some(&hi), Some(&lo)) = (body.first(), body.get(1)) else {
        return Ok(None);
    };
    let id_len = if flags & 0b0110 == 0 { 0 } else { 2 };
    let head = 2 + usize::from(u16::from_be_bytes([hi, lo])) + id_len;
    if head > size - header_len {
        return Err(Malformed::Truncated {
            packet: PacketType::Publish,
            field: "topic name",
        });
    }
    let Some(head_bytes) = body.get(..head) else {
        return Ok(None);
    };
    let mut reader = Reader {
        buf: head_bytes,
        packet: PacketType::Publish,
    };
    let (topic, qospid, _) = decode_publish(flags, &mut reader)?;
    Ok(Some(SkippedPublish {
        topic: topic.to_owned(),
        qospid,
        retain: flags & 0b0001 != 0,
        size,
        max,
    }))
}

impl StreamDecoder {
    /// An empty decoder enforcing `limits`.
    pub fn new(limits: DecodeLimits) -> Self {
        StreamDecoder {
            buf: Vec::new(),
            start: 0,
            limits,
            failed: None,
            skipping: 0,
        }
    }

    /// Appends a chunk of received bytes (a WebSocket message, a TCP read).
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        // The rest of a skipped PUBLISH goes nowhere.
        let skip = self.skipping.min(chunk.len());
        self.skipping -= skip;
        let chunk = chunk.get(skip..).unwrap_or_default();
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next whole packet, `Ok(None)` when more bytes are needed, or the error that
    /// ends the connection (returned again on every later call).
    ///
    /// The packet borrows from the decoder's buffer; call [`Packet::into_owned`] to keep
    /// it past the next `feed`.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, Malformed> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.skipping > 0 {
            return Ok(None);
        }
        let pending = self.buf.get(self.start..).unwrap_or_default();
        match decode(pending, &self.limits) {
            Ok(Decoded::Packet { packet, consumed }) => {
                self.start += consumed;
                Ok(Some(packet))
            }
            Ok(Decoded::Incomplete { .. }) => Ok(None),
            Err(error) => {
                self.failed = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Like [`StreamDecoder::next_packet`], except that a PUBLISH over the maximum
    /// packet size is skipped instead of failing the stream: once its head (topic and
    /// packet id) is buffered it comes out as [`Frame::Skipped`], and its remaining
    /// bytes are discarded as they are fed, so memory stays bounded. Any other packet
    /// over the limit is still an error: only a PUBLISH can be acknowledged and
    /// forgotten.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, Malformed> {
        if self.failed.is_none() && self.skipping == 0 {
            let pending = self.buf.get(self.start..).unwrap_or_default();
            let is_publish = pending.first().is_some_and(|b| b >> 4 == 3);
            if let (true, Err(Malformed::PacketTooLarge { size, max })) =
                (is_publish, check(pending, &self.limits))
            {
                return match oversize_publish_head(pending, size, max) {
                    Ok(None) => Ok(None),
                    Ok(Some(skipped)) => {
                        let buffered = pending.len();
                        if buffered >= size {
                            self.start += size;
                        } else {
                            self.skipping = size - buffered;
                            self.start = self.buf.len();
                        }
                        Ok(Some(Frame::Skipped(skipped)))
                    }
                    Err(error) => {
                        self.failed = Some(error.clone());
                        Err(error)
                    }
                };
            }
        }
        self.next_packet().map(|p| p.map(Frame::Packet))
    }

    /// How many more bytes are needed at least before the next packet can come out
    /// (0 when one is ready or the decoder has failed); useful for logs and tests.
    pub fn needed(&self) -> usize {
        if self.failed.is_some() {
            return 0;
        }
        if self.skipping > 0 {
            return self.skipping;
        }
        let pending = self.buf.get(self.start..).unwrap_or_default();
        match check(pending, &self.limits) {
            Ok(Checked::Incomplete { needed }) => needed,
            _ => 0,
        }
    }

    /// Bytes received but not yet handed out as packets.
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }
}
