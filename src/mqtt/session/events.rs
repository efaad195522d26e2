//! What the session tells the application, and why things went wrong.

use crate::mqtt::packet::{ConnectRefusal, PacketType, QoS, SubackReturnCode};
use crate::mqtt::topic::TopicError;
use std::fmt;

/// Names one `publish` call. Packet ids are assigned only when a message is
/// actually sent (it may wait offline first) and are reused afterwards, so the UI
/// matches delivery reports by this ticket instead: it is never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublishTicket(pub u64);

/// Names one `subscribe` or `unsubscribe` call, for the same reason as
/// [`PublishTicket`]: the SUBACK's packet id means nothing to the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestTicket(pub u64);

/// An application message that arrived from the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The topic it was published to.
    pub topic: String,
    /// The payload bytes (lamp JSON, usually).
    pub payload: Vec<u8>,
    /// The QoS it was delivered at.
    pub qos: QoS,
    /// A retained value (the topic's last known state), not a live change.
    pub retain: bool,
    /// The broker says this may be a re-delivery. For QoS 2 the session already
    /// removed duplicates; for QoS 1 the application may see a message twice.
    pub dup: bool,
}

/// A message the session ignored because it is bigger than
/// `SessionOptions::max_incoming_packet_size`: enough to tell the user what was
/// lost, nothing of the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OversizeMessage {
    /// The topic it was published to.
    pub topic: String,
    /// Its size on the wire in bytes (the whole PUBLISH packet).
    pub size: usize,
    /// The limit it broke, in bytes.
    pub limit: usize,
    /// A retained value: it will be offered again on every subscribe.
    pub retain: bool,
}

impl fmt::Display for OversizeMessage {
    /// The notice the user sees: "Ignored a 2 MB message on a/b: over the 1 MB limit".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Ignored a {} message on {}: over the {} limit",
            human_size(self.size),
            self.topic,
            human_size(self.limit)
        )
    }
}

/// A byte count in words a user reads at a glance: "512 bytes", "64 KB", "2 MB",
/// "1.5 MB" (binary units, as the limits are powers of two).
pub fn human_size(bytes: usize) -> String {
    const KB: usize = 1024;
    const MB: usize = 1024 * 1024;
    let one_decimal = |n: usize, unit: usize, name: &str| {
        let tenths = (n * 10 + unit / 2) / unit;
        if tenths.is_multiple_of(10) {
            format!("{} {name}", tenths / 10)
        } else {
            format!("{}.{} {name}", tenths / 10, tenths % 10)
        }
    };
    if bytes >= MB {
        one_decimal(bytes, MB, "MB")
    } else if bytes >= KB {
        one_decimal(bytes, KB, "KB")
    } else {
        format!("{bytes} bytes")
    }
}

/// The outcome for one filter of a SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterResult {
    /// The filter as requested.
    pub filter: String,
    /// Granted (at a QoS possibly lower than asked) or refused by the broker.
    pub result: SubackReturnCode,
}

/// Something the application should know about; read with `Session::poll_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The broker accepted the CONNECT. `session_present` tells whether it kept
    /// our earlier session (subscriptions and unacknowledged messages).
    Connected {
        /// The broker resumed a stored session.
        session_present: bool,
    },
    /// The broker refused the CONNECT; a [`Event::ConnectionLost`] follows.
    Refused(ConnectRefusal),
    /// A message arrived on a subscribed topic.
    Message(Message),
    /// A message over the incoming size limit arrived and was ignored (its bytes
    /// skipped, acknowledged as usual); the connection stays up.
    MessageTooLarge(OversizeMessage),
    /// A QoS 0 publish was handed to the transport: that is all QoS 0 promises.
    Sent(PublishTicket),
    /// A QoS 1 publish was acknowledged (PUBACK) or a QoS 2 publish completed
    /// (PUBCOMP); the broker owns the message now.
    Delivered(PublishTicket),
    /// A publish asked at QoS 2 was delivered at QoS 1: the broker owns it, but
    /// only "at least once". RabbitMQ 3.x downgrades every QoS 2 PUBLISH this way
    /// (it answers PUBACK), so the session completes the exchange instead of calling
    /// it a protocol error, and sends later QoS 2 publishes on the same connection at
    /// QoS 1 ([`Downgrade::SentAtQos1`]).
    DeliveredDowngraded {
        /// The publish.
        ticket: PublishTicket,
        /// How it came to be QoS 1.
        how: Downgrade,
    },
    /// A publish was given up on: it was sent [`MAX_SEND_ATTEMPTS`] times and every
    /// connection ended before the broker acknowledged it. It is not sent again, so a
    /// broker that drops the connection on one message cannot make a reconnect loop.
    PublishFailed {
        /// The publish.
        ticket: PublishTicket,
        /// Why, in words for the card.
        reason: PublishFailure,
    },
    /// A publish was refused and will never be sent (the call returned the same
    /// error); reported as an event too so a log or status line sees it.
    PublishRefused {
        /// The refused publish.
        ticket: PublishTicket,
        /// Why.
        reason: PublishError,
    },
    /// The broker answered a SUBSCRIBE.
    Subscribed {
        /// The `subscribe` call, or `None` when the session itself re-subscribed
        /// after the broker lost our session.
        ticket: Option<RequestTicket>,
        /// One entry per filter, in request order.
        results: Vec<FilterResult>,
    },
    /// The PINGREQ sent after a SUBSCRIBE was answered
    /// ([`SessionOptions::settle_probes`](super::SessionOptions::settle_probes)): the
    /// retained messages the broker queued for it have arrived, if it handles packets in
    /// order (the MQTT 3.1.1 brokers tested do; the spec orders only PUBLISH packets).
    SubscriptionSettled {
        /// Whether another SUBSCRIBE is still waiting for its SUBACK or its probe, so
        /// more retained messages may follow.
        more_pending: bool,
    },
    /// The broker acknowledged an UNSUBSCRIBE.
    Unsubscribed {
        /// The `unsubscribe` call.
        ticket: RequestTicket,
        /// The filters dropped.
        filters: Vec<String>,
    },
    /// The broker broke the protocol; a [`Event::ConnectionLost`] follows.
    ProtocolError(ProtocolError),
    /// The connection is over. Emitted exactly once per connection, always last:
    /// the transport sends what `poll_transmit` still holds, closes the socket and
    /// may reconnect.
    ConnectionLost(LostReason),
}

/// How many times one publish is sent across connections before the session gives
/// up on it ([`Event::PublishFailed`]). Three: a dropped Wi-Fi link or a broker
/// restart costs one resend, rarely two; a message the broker answers by closing the
/// connection would otherwise be resent on every reconnect, forever.
pub const MAX_SEND_ATTEMPTS: u8 = 3;

/// How a QoS 2 publish came to be delivered at QoS 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Downgrade {
    /// The broker answered this QoS 2 PUBLISH with PUBACK: the first sign on this
    /// connection that it does not do QoS 2. Said once, on this message's card.
    AnsweredWithPuback,
    /// Sent at QoS 1 because the broker on this connection already showed it
    /// downgrades QoS 2.
    SentAtQos1,
}

/// Why the session gave up on a publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishFailure {
    /// How many times it was sent.
    pub attempts: u8,
    /// How the last connection that carried it ended.
    pub last: Option<LostReason>,
}

impl fmt::Display for PublishFailure {
    /// Words for the card: "Sent 3 times; each time the connection ended before the
    /// broker confirmed it (last: ...). Not sent again."
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sent {} times; each time the connection ended before the broker confirmed it",
            self.attempts
        )?;
        if let Some(last) = &self.last {
            write!(f, " (last: {last})")?;
        }
        f.write_str(". Not sent again")
    }
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LostReason {
    /// The transport reported the socket closed (its words).
    Transport(String),
    /// No CONNACK arrived within the CONNACK timeout.
    ConnackTimeout,
    /// Nothing arrived within the ping timeout after PINGREQ: the link is dead.
    PingTimeout,
    /// The broker refused the CONNECT.
    Refused(ConnectRefusal),
    /// The broker broke the protocol.
    ProtocolError(ProtocolError),
    /// The application called `disconnect`.
    ClosedByClient,
}

impl fmt::Display for LostReason {
    /// Words for the connection status line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LostReason::Transport(why) => write!(f, "connection closed: {why}"),
            LostReason::ConnackTimeout => {
                f.write_str("the broker did not answer CONNECT in time (no CONNACK)")
            }
            LostReason::PingTimeout => f.write_str(
                "the broker stopped answering (no reply to PINGREQ in time): connection dead",
            ),
            LostReason::Refused(r) => r.fmt(f),
            LostReason::ProtocolError(e) => write!(f, "protocol error: {e}"),
            LostReason::ClosedByClient => f.write_str("disconnected"),
        }
    }
}

/// What the broker sent wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The bytes did not decode (the codec's explanation).
    Malformed(String),
    /// The first packet from the broker was not CONNACK [MQTT-3.2.0-1].
    PacketBeforeConnack(PacketType),
    /// A CONNACK on a connection that already had one.
    SecondConnack,
    /// A packet only clients send (CONNECT, SUBSCRIBE, ...).
    ClientOnlyPacket(PacketType),
    /// An acknowledgement for a packet id we have nothing in flight under (or
    /// for a different kind of exchange, e.g. PUBACK after PUBREC for a QoS 2 message).
    UnknownPacketId {
        /// The acknowledgement.
        packet: PacketType,
        /// Its packet id.
        id: u16,
    },
    /// A SUBACK whose number of return codes differs from the filters asked for
    /// [MQTT-3.9.3-1].
    SubackCountMismatch {
        /// The packet id.
        id: u16,
        /// Filters in the SUBSCRIBE.
        expected: usize,
        /// Return codes in the SUBACK.
        got: usize,
    },
    /// CONNACK said "session present" although we asked for a clean session
    /// [MQTT-3.2.2-1].
    SessionPresentWithCleanSession,
}

impl fmt::Display for ProtocolError {
    /// Words for the log and status line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Malformed(why) => write!(f, "the broker sent a malformed packet: {why}"),
            ProtocolError::PacketBeforeConnack(t) => write!(
                f,
                "the broker sent {t} before CONNACK; CONNACK must come first [MQTT-3.2.0-1]"
            ),
            ProtocolError::SecondConnack => {
                f.write_str("the broker sent a second CONNACK on the same connection")
            }
            ProtocolError::ClientOnlyPacket(t) => {
                write!(f, "the broker sent {t}, which only a client may send")
            }
            ProtocolError::UnknownPacketId { packet, id } => write!(
                f,
                "the broker sent {packet} for packet id {id}, which has no matching exchange in flight"
            ),
            ProtocolError::SubackCountMismatch { id, expected, got } => write!(
                f,
                "the SUBACK for packet id {id} has {got} return codes for {expected} filters [MQTT-3.9.3-1]"
            ),
            ProtocolError::SessionPresentWithCleanSession => f.write_str(
                "the broker claims a stored session although clean session was requested [MQTT-3.2.2-1]",
            ),
        }
    }
}

/// Why a `publish`, `subscribe` or `unsubscribe` call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// The offline queue holds its maximum; the publish is refused, not queued.
    QueueFull {
        /// The configured bound.
        limit: usize,
    },
    /// The topic name is not valid (which rule, and where).
    InvalidTopic(TopicError),
    /// The packet would exceed the session's outgoing limit
    /// (`SessionOptions::max_outgoing_packet_size`, at most MQTT's 256 MiB).
    TooLarge {
        /// The PUBLISH packet's size in bytes.
        size: usize,
        /// The limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for PublishError {
    /// Words for the UI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::QueueFull { limit } => write!(
                f,
                "not connected and {limit} messages are already waiting: this one was not queued"
            ),
            PublishError::InvalidTopic(why) => write!(f, "invalid topic: {why}"),
            PublishError::TooLarge { size, limit } => write!(
                f,
                "the message is {}, over the {} limit for one message",
                human_size(*size),
                human_size(*limit)
            ),
        }
    }
}

impl std::error::Error for PublishError {}

/// Why a `subscribe` or `unsubscribe` call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// No filters were given; MQTT needs at least one [MQTT-3.8.3-3].
    NoFilters,
    /// A filter is not valid (its rule in words).
    InvalidFilter {
        /// The offending filter.
        filter: String,
        /// The rule it breaks.
        error: TopicError,
    },
}

impl fmt::Display for RequestError {
    /// Words for the UI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::NoFilters => f.write_str("at least one topic filter is needed"),
            RequestError::InvalidFilter { filter, error } => {
                write!(
                    f,
                    "invalid topic filter \"{}\": {error}",
                    filter.escape_debug()
                )
            }
        }
    }
}

impl std::error::Error for RequestError {}
