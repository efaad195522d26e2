//! The session's narrow view of the codec: encode one packet per transmit, and a
//! receive buffer that yields whole, owned packets across arbitrary framing.

use crate::mqtt::codec::{self, DecodeLimits, StreamDecoder};
use crate::mqtt::packet::Packet;

/// Encodes one packet into its own buffer (one transmit = one packet, so each
/// can be its own WebSocket message).
pub(crate) fn encode(packet: &Packet<'_>) -> Result<Vec<u8>, String> {
    codec::encode_to_vec(packet).map_err(|e| e.to_string())
}

/// Buffers received bytes and cuts them into packets, refusing any packet
/// larger than the configured maximum from its fixed header on.
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

    /// The next whole packet (owned, so the session can keep parts of it),
    /// `Ok(None)` if more bytes are needed, or why the bytes are not MQTT.
    pub(crate) fn next_packet(&mut self) -> Result<Option<Packet<'static>>, String> {
        match self.decoder.next_packet() {
            Ok(p) => Ok(p.map(Packet::into_owned)),
            Err(e) => Err(e.to_string()),
        }
    }
}
