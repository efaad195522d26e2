//! The 14 MQTT 3.1.1 control packets as Rust types.
//!
//! The types are shaped so that states the spec forbids are hard to write: a packet
//! identifier cannot be 0 ([`PacketId`]), QoS cannot be 3 ([`QoS`]), a PUBLISH has a
//! packet identifier exactly when its QoS is 1 or 2 ([`QoSPid`]), a password cannot be
//! sent without a user name ([`Credentials`]) and a refused CONNACK cannot claim a
//! session ([`Connack`]).
//!
//! Strings and binary fields are [`Cow`]s so that the decoder can hand out packets that
//! borrow from the receive buffer (no allocation on the hot path, like mqttrs), while
//! the session can build and keep owned packets (`Packet<'static>`, see
//! [`Packet::into_owned`]). `"a/b".into()` and `String::from("a/b").into()` both build
//! a `Cow<str>`; `vec![1, 2].into()` and `&b"on"[..].into()` build a `Cow<[u8]>`.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU16;

/// A packet identifier: the 16-bit number that pairs a QoS 1/2 PUBLISH, a SUBSCRIBE or
/// an UNSUBSCRIBE with its acknowledgement.
///
/// It wraps a [`NonZeroU16`] because the spec forbids 0 wherever an identifier is
/// required ([MQTT-2.3.1-1]); with this type the session cannot put 0 on the wire, and
/// `Option<PacketId>` costs no more space than a `u16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PacketId(NonZeroU16);

impl PacketId {
    /// Builds an identifier from a raw number, refusing 0 so callers handle the one
    /// value the spec forbids where they produce it, not on the wire.
    pub const fn new(id: u16) -> Option<Self> {
        match NonZeroU16::new(id) {
            Some(id) => Some(PacketId(id)),
            None => None,
        }
    }

    /// The raw number, for encoding and for display/logging.
    pub const fn get(self) -> u16 {
        self.0.get()
    }

    /// The next identifier after this one, wrapping from 65535 to 1 (never 0), so an
    /// id allocator can cycle through the whole space without a special case.
    pub const fn next(self) -> Self {
        match NonZeroU16::new(self.0.get().wrapping_add(1)) {
            Some(id) => PacketId(id),
            None => PacketId(NonZeroU16::MIN),
        }
    }
}

impl From<NonZeroU16> for PacketId {
    /// A `NonZeroU16` is already a valid identifier; this saves callers an unwrap.
    fn from(id: NonZeroU16) -> Self {
        PacketId(id)
    }
}

impl From<PacketId> for u16 {
    /// Lets callers use an identifier as a plain number (maps, logs) without `.get()`.
    fn from(id: PacketId) -> u16 {
        id.get()
    }
}

impl fmt::Display for PacketId {
    /// Shows the bare number, the way brokers and logs print packet ids.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Quality of service: the delivery guarantee of a message.
///
/// An enum rather than a `u8` because the wire's two bits can also say 3, which is
/// malformed ([MQTT-3.3.1-4]); the codec rejects 3 and this type cannot hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QoS {
    /// QoS 0: fire and forget; the message may be lost.
    AtMostOnce = 0,
    /// QoS 1: acknowledged by PUBACK; the message may arrive more than once.
    AtLeastOnce = 1,
    /// QoS 2: a four-packet handshake (PUBREC/PUBREL/PUBCOMP); the message arrives once.
    ExactlyOnce = 2,
}

impl QoS {
    /// Reads the wire value, returning `None` for 3 and above so the caller can name
    /// the rule that was broken (which differs by packet).
    pub const fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }

    /// The wire value (0, 1 or 2).
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}

/// The QoS of a PUBLISH together with its packet identifier.
///
/// The spec requires an identifier at QoS 1 and 2 and forbids one at QoS 0
/// ([MQTT-2.3.1-5]); folding both into one enum makes the other combinations
/// impossible to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QoSPid {
    /// QoS 0: no packet identifier on the wire.
    AtMostOnce,
    /// QoS 1, with the identifier the PUBACK will echo.
    AtLeastOnce(PacketId),
    /// QoS 2, with the identifier PUBREC/PUBREL/PUBCOMP will echo.
    ExactlyOnce(PacketId),
}

impl QoSPid {
    /// The QoS alone, for callers that compare or cap delivery levels.
    pub const fn qos(self) -> QoS {
        match self {
            QoSPid::AtMostOnce => QoS::AtMostOnce,
            QoSPid::AtLeastOnce(_) => QoS::AtLeastOnce,
            QoSPid::ExactlyOnce(_) => QoS::ExactlyOnce,
        }
    }

    /// The packet identifier, present only at QoS 1 and 2.
    pub const fn packet_id(self) -> Option<PacketId> {
        match self {
            QoSPid::AtMostOnce => None,
            QoSPid::AtLeastOnce(id) | QoSPid::ExactlyOnce(id) => Some(id),
        }
    }

    /// Pairs a QoS with an identifier; the identifier is dropped at QoS 0, which is
    /// what the session wants when it downgrades a message to QoS 0.
    pub const fn new(qos: QoS, id: PacketId) -> Self {
        match qos {
            QoS::AtMostOnce => QoSPid::AtMostOnce,
            QoS::AtLeastOnce => QoSPid::AtLeastOnce(id),
            QoS::ExactlyOnce => QoSPid::ExactlyOnce(id),
        }
    }
}

/// The control packet type: the high nibble of the first byte.
///
/// Kept as its own type so errors and logs can name a packet ("SUBSCRIBE") without
/// holding the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// Client to server: open a session.
    Connect = 1,
    /// Server to client: answer to CONNECT.
    Connack = 2,
    /// Either way: an application message.
    Publish = 3,
    /// Acknowledges a QoS 1 PUBLISH.
    Puback = 4,
    /// First answer to a QoS 2 PUBLISH.
    Pubrec = 5,
    /// Answer to PUBREC.
    Pubrel = 6,
    /// Answer to PUBREL; ends the QoS 2 exchange.
    Pubcomp = 7,
    /// Client to server: subscribe to topic filters.
    Subscribe = 8,
    /// Server to client: answer to SUBSCRIBE.
    Suback = 9,
    /// Client to server: drop subscriptions.
    Unsubscribe = 10,
    /// Server to client: answer to UNSUBSCRIBE.
    Unsuback = 11,
    /// Client to server: keep-alive probe.
    Pingreq = 12,
    /// Server to client: keep-alive answer.
    Pingresp = 13,
    /// Client to server: clean goodbye.
    Disconnect = 14,
}

impl PacketType {
    /// Reads the high nibble of a fixed header's first byte; `None` for the reserved
    /// values 0 and 15, which are malformed.
    #[inline]
    pub const fn from_nibble(nibble: u8) -> Option<Self> {
        Some(match nibble {
            1 => PacketType::Connect,
            2 => PacketType::Connack,
            3 => PacketType::Publish,
            4 => PacketType::Puback,
            5 => PacketType::Pubrec,
            6 => PacketType::Pubrel,
            7 => PacketType::Pubcomp,
            8 => PacketType::Subscribe,
            9 => PacketType::Suback,
            10 => PacketType::Unsubscribe,
            11 => PacketType::Unsuback,
            12 => PacketType::Pingreq,
            13 => PacketType::Pingresp,
            14 => PacketType::Disconnect,
            _ => return None,
        })
    }

    /// The spec's name for the type, upper case, as used in errors, logs and the
    /// decode tool's JSON.
    pub const fn name(self) -> &'static str {
        match self {
            PacketType::Connect => "CONNECT",
            PacketType::Connack => "CONNACK",
            PacketType::Publish => "PUBLISH",
            PacketType::Puback => "PUBACK",
            PacketType::Pubrec => "PUBREC",
            PacketType::Pubrel => "PUBREL",
            PacketType::Pubcomp => "PUBCOMP",
            PacketType::Subscribe => "SUBSCRIBE",
            PacketType::Suback => "SUBACK",
            PacketType::Unsubscribe => "UNSUBSCRIBE",
            PacketType::Unsuback => "UNSUBACK",
            PacketType::Pingreq => "PINGREQ",
            PacketType::Pingresp => "PINGRESP",
            PacketType::Disconnect => "DISCONNECT",
        }
    }

    /// The low nibble every packet of this type must carry, except PUBLISH whose low
    /// nibble holds DUP/QoS/RETAIN (`None`); the single source of the flag table
    /// ([MQTT-2.2.2-1]) for both encoder and decoder.
    #[inline]
    pub const fn required_flags(self) -> Option<u8> {
        match self {
            PacketType::Publish => None,
            PacketType::Pubrel | PacketType::Subscribe | PacketType::Unsubscribe => Some(0b0010),
            _ => Some(0b0000),
        }
    }
}

impl fmt::Display for PacketType {
    /// Prints the spec's upper-case name so messages read like the spec.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One MQTT 3.1.1 control packet.
///
/// `'a` is the lifetime of the buffer a decoded packet borrows from; packets the session
/// builds or keeps are `Packet<'static>` (see [`Packet::into_owned`]). The four
/// identifier-only acknowledgements carry just their [`PacketId`]; the three empty
/// packets carry nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet<'a> {
    /// Opens a session (client to server).
    Connect(Connect<'a>),
    /// Accepts or refuses a CONNECT (server to client).
    Connack(Connack),
    /// An application message (either way).
    Publish(Publish<'a>),
    /// Acknowledges a QoS 1 PUBLISH with its identifier.
    Puback(PacketId),
    /// Step 1 of the QoS 2 handshake: "received".
    Pubrec(PacketId),
    /// Step 2 of the QoS 2 handshake: "release".
    Pubrel(PacketId),
    /// Step 3 of the QoS 2 handshake: "complete".
    Pubcomp(PacketId),
    /// Asks for subscriptions (client to server).
    Subscribe(Subscribe<'a>),
    /// Grants or refuses each requested subscription (server to client).
    Suback(Suback),
    /// Drops subscriptions (client to server).
    Unsubscribe(Unsubscribe<'a>),
    /// Acknowledges an UNSUBSCRIBE with its identifier.
    Unsuback(PacketId),
    /// Keep-alive probe (client to server).
    Pingreq,
    /// Keep-alive answer (server to client).
    Pingresp,
    /// Clean goodbye: the server discards the will (client to server).
    Disconnect,
}

impl<'a> Packet<'a> {
    /// The packet's type, for logs, errors and dispatch without matching on payloads.
    pub const fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::Connack(_) => PacketType::Connack,
            Packet::Publish(_) => PacketType::Publish,
            Packet::Puback(_) => PacketType::Puback,
            Packet::Pubrec(_) => PacketType::Pubrec,
            Packet::Pubrel(_) => PacketType::Pubrel,
            Packet::Pubcomp(_) => PacketType::Pubcomp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::Suback(_) => PacketType::Suback,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::Unsuback(_) => PacketType::Unsuback,
            Packet::Pingreq => PacketType::Pingreq,
            Packet::Pingresp => PacketType::Pingresp,
            Packet::Disconnect => PacketType::Disconnect,
        }
    }

    /// Copies any borrowed data so the packet outlives the receive buffer (the session
    /// keeps in-flight packets across reads).
    pub fn into_owned(self) -> Packet<'static> {
        match self {
            Packet::Connect(p) => Packet::Connect(p.into_owned()),
            Packet::Connack(p) => Packet::Connack(p),
            Packet::Publish(p) => Packet::Publish(p.into_owned()),
            Packet::Puback(id) => Packet::Puback(id),
            Packet::Pubrec(id) => Packet::Pubrec(id),
            Packet::Pubrel(id) => Packet::Pubrel(id),
            Packet::Pubcomp(id) => Packet::Pubcomp(id),
            Packet::Subscribe(p) => Packet::Subscribe(p.into_owned()),
            Packet::Suback(p) => Packet::Suback(p),
            Packet::Unsubscribe(p) => Packet::Unsubscribe(p.into_owned()),
            Packet::Unsuback(id) => Packet::Unsuback(id),
            Packet::Pingreq => Packet::Pingreq,
            Packet::Pingresp => Packet::Pingresp,
            Packet::Disconnect => Packet::Disconnect,
        }
    }
}

/// CONNECT: the first packet a client sends.
///
/// The protocol name ("MQTT") and level (4) are not fields: this codec speaks only
/// MQTT 3.1.1, so the encoder always writes them and the decoder rejects anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect<'a> {
    /// Discard any previous session state and start afresh (and drop it on disconnect).
    pub clean_session: bool,
    /// Seconds between control packets before the server may drop us; 0 turns it off.
    pub keep_alive: u16,
    /// The client identifier; may be empty only together with `clean_session`
    /// ([MQTT-3.1.3-7]), which the server answers, not the codec (CONNACK 2).
    pub client_id: Cow<'a, str>,
    /// The message the server publishes if we vanish without DISCONNECT.
    pub will: Option<LastWill<'a>>,
    /// User name and optional password; one type because a password without a user
    /// name is forbidden ([MQTT-3.1.2-22]).
    pub credentials: Option<Credentials<'a>>,
}

impl Connect<'_> {
    /// Copies borrowed fields so the CONNECT can be kept for reconnects.
    pub fn into_owned(self) -> Connect<'static> {
        Connect {
            clean_session: self.clean_session,
            keep_alive: self.keep_alive,
            client_id: Cow::Owned(self.client_id.into_owned()),
            will: self.will.map(LastWill::into_owned),
            credentials: self.credentials.map(Credentials::into_owned),
        }
    }
}

/// The will: published by the server on our behalf when the connection drops uncleanly
/// (a lamp panel uses it to show "offline").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastWill<'a> {
    /// Where the will is published; a topic name (no wildcards, not empty).
    pub topic: Cow<'a, str>,
    /// The will's payload, any bytes.
    pub message: Cow<'a, [u8]>,
    /// QoS the server publishes the will at.
    pub qos: QoS,
    /// Whether the server retains the will.
    pub retain: bool,
}

impl LastWill<'_> {
    /// Copies borrowed fields so the will outlives the receive buffer.
    pub fn into_owned(self) -> LastWill<'static> {
        LastWill {
            topic: Cow::Owned(self.topic.into_owned()),
            message: Cow::Owned(self.message.into_owned()),
            qos: self.qos,
            retain: self.retain,
        }
    }
}

/// User name and optional password of a CONNECT.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials<'a> {
    /// The user name (UTF-8).
    pub username: Cow<'a, str>,
    /// The password: binary data in 3.1.1, not necessarily text.
    pub password: Option<Cow<'a, [u8]>>,
}

impl Credentials<'_> {
    /// Copies borrowed fields so the credentials can be kept for reconnects.
    pub fn into_owned(self) -> Credentials<'static> {
        Credentials {
            username: Cow::Owned(self.username.into_owned()),
            password: self.password.map(|p| Cow::Owned(p.into_owned())),
        }
    }
}

impl fmt::Debug for Credentials<'_> {
    /// Hides the password so that logging a CONNECT never leaks it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field(
                "password",
                &self
                    .password
                    .as_ref()
                    .map(|p| format!("<{} bytes>", p.len())),
            )
            .finish()
    }
}

/// CONNACK: the server's answer to CONNECT.
///
/// An enum because the spec forbids "session present" on a refusal ([MQTT-3.2.2-4]):
/// only an accepted connection can have a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Connack {
    /// Return code 0: connection accepted.
    Accepted {
        /// The server resumed a stored session (only possible without clean session).
        session_present: bool,
    },
    /// Return codes 1 to 5: the server refused and will close the connection.
    Refused(ConnectRefusal),
}

impl Connack {
    /// The session-present flag as on the wire (always false for a refusal).
    pub const fn session_present(self) -> bool {
        match self {
            Connack::Accepted { session_present } => session_present,
            Connack::Refused(_) => false,
        }
    }

    /// The wire return code, 0 for accepted, 1 to 5 for the refusals.
    pub const fn return_code(self) -> u8 {
        match self {
            Connack::Accepted { .. } => 0,
            Connack::Refused(r) => r as u8,
        }
    }
}

/// Why a server refused a CONNECT (CONNACK return codes 1 to 5); codes 6 to 255 are
/// reserved and malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectRefusal {
    /// 1: the server does not support MQTT 3.1.1 (protocol level 4).
    UnacceptableProtocolVersion = 1,
    /// 2: the client identifier is valid UTF-8 but the server does not allow it.
    IdentifierRejected = 2,
    /// 3: the network connection works but the MQTT service is unavailable.
    ServerUnavailable = 3,
    /// 4: the user name or password is malformed or wrong.
    BadUserNameOrPassword = 4,
    /// 5: the client is not authorized to connect.
    NotAuthorized = 5,
}

impl ConnectRefusal {
    /// Reads a non-zero return code; `None` for 0 (accepted) and the reserved 6..=255.
    pub const fn from_u8(code: u8) -> Option<Self> {
        Some(match code {
            1 => ConnectRefusal::UnacceptableProtocolVersion,
            2 => ConnectRefusal::IdentifierRejected,
            3 => ConnectRefusal::ServerUnavailable,
            4 => ConnectRefusal::BadUserNameOrPassword,
            5 => ConnectRefusal::NotAuthorized,
            _ => return None,
        })
    }

    /// A sentence for the user: the connect form shows it when the broker says no.
    pub const fn describe(self) -> &'static str {
        match self {
            ConnectRefusal::UnacceptableProtocolVersion => {
                "connection refused: the broker does not support MQTT 3.1.1"
            }
            ConnectRefusal::IdentifierRejected => {
                "connection refused: the broker rejected the client identifier"
            }
            ConnectRefusal::ServerUnavailable => {
                "connection refused: the MQTT service is unavailable"
            }
            ConnectRefusal::BadUserNameOrPassword => {
                "connection refused: bad user name or password"
            }
            ConnectRefusal::NotAuthorized => "connection refused: not authorized",
        }
    }
}

impl fmt::Display for ConnectRefusal {
    /// The sentence from [`ConnectRefusal::describe`], so errors print in words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// PUBLISH: an application message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish<'a> {
    /// This is a re-delivery of an earlier attempt. Only meaningful at QoS 1 and 2: the
    /// spec requires it to be 0 at QoS 0 ([MQTT-3.3.1-2]), so the encoder writes 0 there
    /// whatever this says, and the decoder rejects a QoS 0 PUBLISH with DUP set.
    pub dup: bool,
    /// QoS and, for QoS 1/2, the packet identifier.
    pub qospid: QoSPid,
    /// Ask the server to keep this as the topic's last known value (sent to new
    /// subscribers); on receipt, the message is such a stored value.
    pub retain: bool,
    /// The topic name: not empty, no `+` or `#` ([MQTT-3.3.2-2], [MQTT-4.7.3-1]).
    pub topic: Cow<'a, str>,
    /// The application payload: any bytes, possibly empty.
    pub payload: Cow<'a, [u8]>,
}

impl Publish<'_> {
    /// Copies borrowed fields so the message can be queued or retransmitted.
    pub fn into_owned(self) -> Publish<'static> {
        Publish {
            dup: self.dup,
            qospid: self.qospid,
            retain: self.retain,
            topic: Cow::Owned(self.topic.into_owned()),
            payload: Cow::Owned(self.payload.into_owned()),
        }
    }
}

/// SUBSCRIBE: ask for messages on one or more topic filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe<'a> {
    /// Echoed by the SUBACK.
    pub packet_id: PacketId,
    /// At least one filter ([MQTT-3.8.3-3]); the encoder refuses an empty list.
    pub filters: Vec<SubscribeFilter<'a>>,
}

impl Subscribe<'_> {
    /// Copies borrowed filters so the request can be kept until its SUBACK.
    pub fn into_owned(self) -> Subscribe<'static> {
        Subscribe {
            packet_id: self.packet_id,
            filters: self
                .filters
                .into_iter()
                .map(SubscribeFilter::into_owned)
                .collect(),
        }
    }
}

/// One topic filter of a SUBSCRIBE with the maximum QoS asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeFilter<'a> {
    /// The filter, possibly with `+` and `#` wildcards.
    pub filter: Cow<'a, str>,
    /// The highest QoS the server should deliver at for this filter.
    pub qos: QoS,
}

impl SubscribeFilter<'_> {
    /// Copies the borrowed filter.
    pub fn into_owned(self) -> SubscribeFilter<'static> {
        SubscribeFilter {
            filter: Cow::Owned(self.filter.into_owned()),
            qos: self.qos,
        }
    }
}

/// SUBACK: the server's answer to SUBSCRIBE, one return code per filter, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suback {
    /// The SUBSCRIBE's identifier.
    pub packet_id: PacketId,
    /// One code per requested filter, same order ([MQTT-3.9.3-1]).
    pub return_codes: Vec<SubackReturnCode>,
}

/// The outcome of one requested subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubackReturnCode {
    /// Granted, at this maximum QoS (which may be lower than requested).
    Success(QoS),
    /// 0x80: refused (e.g. not authorized for that filter).
    Failure,
}

impl SubackReturnCode {
    /// Reads a wire code; `None` for codes other than 0, 1, 2 and 0x80, which are
    /// reserved ([MQTT-3.9.3-2]).
    pub const fn from_u8(code: u8) -> Option<Self> {
        match code {
            0x80 => Some(SubackReturnCode::Failure),
            _ => match QoS::from_u8(code) {
                Some(qos) => Some(SubackReturnCode::Success(qos)),
                None => None,
            },
        }
    }

    /// The wire code: the granted QoS, or 0x80 (128) for failure.
    pub const fn as_u8(self) -> u8 {
        match self {
            SubackReturnCode::Success(qos) => qos as u8,
            SubackReturnCode::Failure => 0x80,
        }
    }
}

/// UNSUBSCRIBE: drop one or more subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe<'a> {
    /// Echoed by the UNSUBACK.
    pub packet_id: PacketId,
    /// At least one filter ([MQTT-3.10.3-2]), each exactly as it was subscribed.
    pub filters: Vec<Cow<'a, str>>,
}

impl Unsubscribe<'_> {
    /// Copies borrowed filters so the request can be kept until its UNSUBACK.
    pub fn into_owned(self) -> Unsubscribe<'static> {
        Unsubscribe {
            packet_id: self.packet_id,
            filters: self
                .filters
                .into_iter()
                .map(|f| Cow::Owned(f.into_owned()))
                .collect(),
        }
    }
}
