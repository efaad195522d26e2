//! A scripted broker for session tests: it decodes what the session transmits
//! with the real codec and answers with encoded packets, on simulated time.
#![allow(dead_code)] // each test binary uses a different part of the helper

use lampboard::mqtt::codec;
use lampboard::mqtt::packet::{
    Connack, Packet, PacketId, Publish, QoS, QoSPid, Suback, SubackReturnCode,
};
use lampboard::mqtt::session::{ConnectOptions, Event, Millis, Session, SessionOptions};
use std::borrow::Cow;

/// Encodes a packet the way a broker would put it on the wire.
pub fn encode(packet: &Packet<'_>) -> Vec<u8> {
    codec_encode(packet)
}

/// Shorthand for a packet id in tests.
pub fn pid(n: u16) -> PacketId {
    PacketId::new(n).expect("test ids are non-zero")
}

/// A PUBLISH from the broker.
pub fn publish(topic: &str, payload: &[u8], qospid: QoSPid, dup: bool) -> Packet<'static> {
    Packet::Publish(Publish {
        dup,
        qospid,
        retain: false,
        topic: Cow::Owned(topic.to_owned()),
        payload: Cow::Owned(payload.to_vec()),
    })
}

/// A SUBACK granting or refusing each filter.
pub fn suback(id: PacketId, codes: &[SubackReturnCode]) -> Packet<'static> {
    Packet::Suback(Suback {
        packet_id: id,
        return_codes: codes.to_vec(),
    })
}

/// The session plus a simulated clock and the broker's view of the wire.
pub struct Harness {
    pub session: Session,
    pub now: u64,
}

impl Harness {
    /// A session with default options around `client_id` and the given tweaks.
    pub fn new(configure: impl FnOnce(&mut SessionOptions)) -> Self {
        let mut opts = SessionOptions::new(ConnectOptions::new("test-client"));
        configure(&mut opts);
        Harness {
            session: Session::new(opts).expect("valid test options"),
            now: 0,
        }
    }

    /// The time now.
    pub fn at(&self) -> Millis {
        Millis(self.now)
    }

    /// Moves the clock forward and lets the session act on it.
    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.session.handle_timeout(Millis(self.now));
    }

    /// Opens a socket (the session queues CONNECT).
    pub fn open(&mut self) {
        self.session.connection_opened(Millis(self.now));
    }

    /// Everything the session wants to send, decoded. Each `poll_transmit` must
    /// hold exactly one whole packet.
    pub fn sent(&mut self) -> Vec<Packet<'static>> {
        let mut out = Vec::new();
        while let Some(bytes) = self.session.poll_transmit() {
            out.push(decode_one(&bytes));
        }
        out
    }

    /// Every event so far.
    pub fn events(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(e) = self.session.poll_event() {
            out.push(e);
        }
        out
    }

    /// The broker sends one packet.
    pub fn feed(&mut self, packet: &Packet<'_>) {
        let bytes = encode(packet);
        self.session.handle_bytes(&bytes, Millis(self.now));
    }

    /// The broker sends raw bytes.
    pub fn feed_bytes(&mut self, bytes: &[u8]) {
        self.session.handle_bytes(bytes, Millis(self.now));
    }

    /// Opens a socket, checks the CONNECT and answers CONNACK accepted; returns
    /// whatever the session sent after the CONNECT and the events.
    pub fn connect(&mut self, session_present: bool) -> (Vec<Packet<'static>>, Vec<Event>) {
        self.open();
        let sent = self.sent();
        assert!(
            matches!(sent.as_slice(), [Packet::Connect(_)]),
            "expected exactly CONNECT, got {sent:?}"
        );
        self.feed(&Packet::Connack(Connack::Accepted { session_present }));
        (self.sent(), self.events())
    }
}

/// A granted-at return code, for brevity.
pub fn granted(q: QoS) -> SubackReturnCode {
    SubackReturnCode::Success(q)
}

// ----- the two places that know the codec's API -------------------------------

fn codec_encode(packet: &Packet<'_>) -> Vec<u8> {
    codec::encode_to_vec(packet).expect("test packets encode")
}

/// Decodes exactly one whole packet from `bytes`.
pub fn decode_one(bytes: &[u8]) -> Packet<'static> {
    match codec::decode(bytes, &codec::DecodeLimits::default()) {
        Ok(codec::Decoded::Packet { packet, consumed }) => {
            assert_eq!(consumed, bytes.len(), "one transmit = one packet");
            packet.into_owned()
        }
        other => panic!("session sent undecodable bytes {bytes:?}: {other:?}"),
    }
}
