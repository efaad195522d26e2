//! What the session needs to know before it connects.

use crate::mqtt::packet::LastWill;
use crate::mqtt::topic::{validate_topic_name, TopicError};
use std::fmt;

/// The fields of the CONNECT packet, kept by the session so every reconnect sends
/// the same CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// The client identifier. Each browser tab needs its own: two clients with one
    /// id make the broker drop the older one, forever in turn.
    pub client_id: String,
    /// Start with no stored state and let the broker forget us on disconnect. Off
    /// means the broker keeps subscriptions and QoS 1/2 messages for us between
    /// connections, and the session resends what was unacknowledged.
    pub clean_session: bool,
    /// Seconds of silence after which we send PINGREQ; 0 turns keep-alive off.
    pub keep_alive_secs: u16,
    /// User name, if the broker wants one.
    pub username: Option<String>,
    /// Password (binary in MQTT 3.1.1); only allowed together with a user name.
    pub password: Option<Vec<u8>>,
    /// Published by the broker if we vanish without DISCONNECT (e.g. "offline").
    pub will: Option<LastWill<'static>>,
}

impl ConnectOptions {
    /// Options with the usual defaults (clean session, 30 s keep-alive, no
    /// credentials, no will), so callers only spell out what differs.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            clean_session: true,
            keep_alive_secs: 30,
            username: None,
            password: None,
            will: None,
        }
    }
}

/// Everything that configures a [`Session`](super::Session): the CONNECT and the
/// session's own limits and timeouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// The CONNECT sent on every `connection_opened`.
    pub connect: ConnectOptions,
    /// How long to wait for CONNACK before giving up on a new connection; a
    /// broker that accepts the socket but never answers would otherwise hang the
    /// UI on "connecting" forever.
    pub connack_timeout_ms: u64,
    /// How long to wait, after PINGREQ, for any packet from the broker before the
    /// connection is declared dead. `None` means half the keep-alive, so a dead
    /// link is noticed within 1.5 × keep-alive: the same bound the broker applies
    /// to us [MQTT-3.1.2-24].
    pub ping_timeout_ms: Option<u64>,
    /// How many publishes may wait (offline, or with all 65,535 packet ids in
    /// flight). Past it, `publish` refuses with an error and an event: memory
    /// stays bounded and nothing is dropped silently.
    pub max_queued_publishes: usize,
    /// The largest packet (header included) accepted from the broker; larger ones
    /// end the connection before being buffered, so a broker cannot make the tab
    /// allocate without limit.
    pub max_incoming_packet_size: usize,
    /// The largest PUBLISH packet `publish` accepts; larger ones are refused with
    /// [`PublishError::TooLarge`](super::PublishError::TooLarge) and nothing is
    /// sent. A broker over its own limit closes the connection (3.1.1 has no
    /// refusal), and a message over our incoming limit would be skipped when it
    /// comes back, so the default matches `max_incoming_packet_size`.
    pub max_outgoing_packet_size: usize,
    /// Sends a PINGREQ right after each SUBSCRIBE and reports
    /// [`Event::SubscriptionSettled`](super::Event::SubscriptionSettled) when its
    /// PINGRESP comes. A broker handles one client's packets in order, so by then it has
    /// sent the retained messages it queued for that SUBSCRIBE: the application learns
    /// that a first screen's retained burst is in without waiting on a quiet timer.
    /// Off by default (two bytes more per SUBSCRIBE).
    pub settle_probes: bool,
}

impl SessionOptions {
    /// Default limits around the given CONNECT options: CONNACK timeout 10 s, ping
    /// timeout half the keep-alive, 1000 queued publishes, 1 MiB packets either way.
    pub fn new(connect: ConnectOptions) -> Self {
        Self {
            connect,
            connack_timeout_ms: 10_000,
            ping_timeout_ms: None,
            max_queued_publishes: 1000,
            max_incoming_packet_size: 1024 * 1024,
            max_outgoing_packet_size: 1024 * 1024,
            settle_probes: false,
        }
    }

    /// Checks what would otherwise only fail at the broker (or not at all), so the
    /// connect form can say what is wrong before a socket is opened.
    pub(crate) fn validate(&self) -> Result<(), OptionsError> {
        let c = &self.connect;
        if c.password.is_some() && c.username.is_none() {
            return Err(OptionsError::PasswordWithoutUsername);
        }
        if c.client_id.is_empty() && !c.clean_session {
            return Err(OptionsError::EmptyClientIdNeedsCleanSession);
        }
        if c.client_id.len() > usize::from(u16::MAX) {
            return Err(OptionsError::TooLong("client id"));
        }
        if c.username
            .as_ref()
            .is_some_and(|u| u.len() > usize::from(u16::MAX))
        {
            return Err(OptionsError::TooLong("user name"));
        }
        if c.password
            .as_ref()
            .is_some_and(|p| p.len() > usize::from(u16::MAX))
        {
            return Err(OptionsError::TooLong("password"));
        }
        if let Some(will) = &c.will {
            validate_topic_name(&will.topic).map_err(OptionsError::BadWillTopic)?;
            if will.message.len() > usize::from(u16::MAX) {
                return Err(OptionsError::TooLong("will message"));
            }
        }
        if self.max_incoming_packet_size < 2 {
            return Err(OptionsError::MaxPacketSizeTooSmall);
        }
        Ok(())
    }

    /// The keep-alive in milliseconds (0 = off).
    pub(crate) fn keep_alive_ms(&self) -> u64 {
        u64::from(self.connect.keep_alive_secs) * 1000
    }

    /// The effective ping timeout (see [`SessionOptions::ping_timeout_ms`]).
    pub(crate) fn effective_ping_timeout_ms(&self) -> u64 {
        self.ping_timeout_ms
            .unwrap_or(self.keep_alive_ms() / 2)
            .max(1)
    }
}

/// Options the session refuses, so the UI can say what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionsError {
    /// MQTT 3.1.1 cannot send a password without a user name [MQTT-3.1.2-22].
    PasswordWithoutUsername,
    /// A broker must refuse an empty client id unless clean session is on
    /// [MQTT-3.1.3-8]; better to say so before connecting.
    EmptyClientIdNeedsCleanSession,
    /// A string field does not fit MQTT's 16-bit length prefix.
    TooLong(&'static str),
    /// The will topic is not a valid topic name.
    BadWillTopic(TopicError),
    /// A limit below the smallest packet (2 bytes) would refuse every packet.
    MaxPacketSizeTooSmall,
}

impl fmt::Display for OptionsError {
    /// Words for the connect form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionsError::PasswordWithoutUsername => {
                f.write_str("a password needs a user name in MQTT 3.1.1")
            }
            OptionsError::EmptyClientIdNeedsCleanSession => {
                f.write_str("an empty client id is only allowed with clean session")
            }
            OptionsError::TooLong(what) => write!(f, "the {what} is longer than 65,535 bytes"),
            OptionsError::BadWillTopic(why) => write!(f, "the will topic is invalid: {why}"),
            OptionsError::MaxPacketSizeTooSmall => {
                f.write_str("the maximum incoming packet size must be at least 2 bytes")
            }
        }
    }
}

impl std::error::Error for OptionsError {}
