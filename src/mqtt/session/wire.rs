//! The session's narrow view of the codec: encode one packet per transmit, and a
//! receive buffer that yields whole, owned packets across arbitrary framing.

use crate::mqtt::codec::{self, DecodeLimits, Frame, SkippedPublish, StreamDecoder};
use crate::mqtt::packet::Packet;

/// What came off the wire: a packet, or an oversize PUBLISH that was skipped.
pub(crate) enum Received {
    /// A whole packet within the limit.
    Packet(Packet<'static>),
    /// A PUBLISH over the limit: its head only, the payload was dropped.
    Skipped(SkippedPublish),
}

/// Encodes one packet into its own buffer (one transmit = one packet, so each
/// can be its own WebSocket message).
pub(crate) fn encode(packet: &Packet<'_>) -> Result<Vec<u8>, String> {
    codec::encode_to_vec(packet).map_err(|e| e.to_string())
}

/// Buffers received bytes and cuts them into packets, refusing any packet other
/// than PUBLISH larger than the configured maximum from its fixed header on (an
/// oversize PUBLISH is skipped without being buffered).
#[derive(Debug)]
pub(crate) struct Receiver {
    decoder: StreamDecoder,
    limits: DecodeLimits,
}

impl Receiver {
    /// An empty buffer refusing packets above `max_packet` bytes.
    pub(crate) fn new(max_packet: usize) -> Self {
        let limits = DecodeLimits::with_max_packet_size(max_packet);
        Self {
            decoder: StreamDecoder::new(limits),
            limits,
        }
    }

    /// Forgets partial data and any earlier decode failure: a new connection
    /// starts on a packet boundary.
    pub(crate) fn reset(&mut self) {
        self.decoder = StreamDecoder::new(self.limits);
    }

    /// Appends received bytes.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The next whole packet (owned, so the session can keep parts of it) or
    /// skipped PUBLISH, `Ok(None)` if more bytes are needed, or why the bytes
    /// are not MQTT.
    pub(crate) fn next_packet(&mut self) -> Result<Option<Received>, String> {
        match self.decoder.next_frame() {
            Ok(Some(Frame::Packet(p))) => Ok(Some(Received::Packet(p.into_owned()))),
            Ok(Some(Frame::Skipped(s))) => Ok(Some(Received::Skipped(s))),
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}
