//! WebSocket framing (RFC 6455 section 5.2) for the fault proxy: cut a byte stream
//! into whole frames, unmask their payloads, and build frames to inject.
//!
//! The proxy must see MQTT packets to act on them, and those travel inside frames
//! that TCP may split or join anywhere; so frames are reassembled here, pure and
//! tested apart from any socket.

/// A binary data frame: MQTT rides in these.
pub const OP_BINARY: u8 = 0x2;
/// The close control frame (tests build one).
#[cfg(test)]
pub const OP_CLOSE: u8 = 0x8;

/// One whole frame as it came off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The exact bytes received (header, mask key, masked payload), to forward as is.
    pub raw: Vec<u8>,
    /// The low 4 bits of the first byte.
    pub opcode: u8,
    /// The payload, unmasked.
    pub payload: Vec<u8>,
}

impl Frame {
    /// Data frames (binary, text, continuation) carry the MQTT byte stream.
    pub fn is_data(&self) -> bool {
        self.opcode < 0x8
    }
}

/// Buffers bytes and yields whole frames, however the stream was chunked.
#[derive(Debug, Default)]
pub struct FrameReader {
    buf: Vec<u8>,
}

/// Where a frame's payload starts and how long it is, once its header is complete.
fn header(buf: &[u8]) -> Option<(usize, usize, Option<[u8; 4]>)> {
    let b1 = *buf.get(1)?;
    let masked = b1 & 0x80 != 0;
    let (len, mut at) = match b1 & 0x7f {
        126 => (
            usize::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?])),
            4,
        ),
        127 => {
            let bytes: [u8; 8] = buf.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(bytes)).ok()?, 10)
        }
        n => (usize::from(n), 2),
    };
    let mask = if masked {
        let key: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(key)
    } else {
        None
    };
    Some((at, len, mask))
}

impl FrameReader {
    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes of a frame not yet complete.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next whole frame, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Option<Frame> {
        let first = *self.buf.first()?;
        let (start, len, mask) = header(&self.buf)?;
        let end = start.checked_add(len)?;
        if self.buf.len() < end {
            return None;
        }
        let raw: Vec<u8> = self.buf.drain(..end).collect();
        let mut payload = raw[start..].to_vec();
        if let Some(key) = mask {
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= key[i % 4];
            }
        }
        Some(Frame {
            raw,
            opcode: first & 0x0f,
            payload,
        })
    }
}

/// A final (FIN) frame with `opcode` around `payload`; masked with `mask` when given
/// (client to server frames must be masked, server to client frames must not).
pub fn encode(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![0x80 | (opcode & 0x0f)];
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= usize::from(u16::MAX) => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_client_frame_is_unmasked_and_kept_raw() {
        let wire = encode(OP_BINARY, b"\x10\x0c hello", Some([1, 2, 3, 4]));
        assert_eq!(wire[1] & 0x80, 0x80, "mask bit set");
        let mut r = FrameReader::default();
        r.push(&wire);
        let f = r.next_frame().expect("one frame");
        assert_eq!(f.payload, b"\x10\x0c hello");
        assert_eq!(f.raw, wire, "forwarded byte for byte");
        assert_eq!(f.opcode, OP_BINARY);
        assert!(r.next_frame().is_none());
    }

    #[test]
    fn the_rfc_example_unmasked_hello_decodes() {
        // RFC 6455 section 5.7: a single-frame unmasked text message "Hello".
        let mut r = FrameReader::default();
        r.push(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        let f = r.next_frame().expect("frame");
        assert_eq!(f.payload, b"Hello");
        assert_eq!(f.opcode, 1);
        // And the masked one: 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58.
        r.push(&[
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ]);
        assert_eq!(r.next_frame().expect("frame").payload, b"Hello");
    }

    #[test]
    fn frames_split_byte_by_byte_and_joined_come_out_whole() {
        let small = encode(OP_BINARY, &[7; 10], None);
        let medium = encode(OP_BINARY, &[8; 300], Some([9, 8, 7, 6]));
        let large = encode(OP_BINARY, &vec![5; 70_000], None);
        assert_eq!(medium[1] & 0x7f, 126, "16-bit length");
        assert_eq!(large[1] & 0x7f, 127, "64-bit length");
        let wire: Vec<u8> = [small.clone(), medium.clone(), large.clone()].concat();
        let mut r = FrameReader::default();
        let mut out = Vec::new();
        for b in &wire {
            r.push(std::slice::from_ref(b));
            while let Some(f) = r.next_frame() {
                out.push(f);
            }
        }
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].payload, vec![7; 10]);
        assert_eq!(out[1].payload, vec![8; 300]);
        assert_eq!(out[2].payload.len(), 70_000);
        assert_eq!(out[1].raw, medium);

        let mut r = FrameReader::default();
        r.push(&wire);
        assert_eq!(r.next_frame().map(|f| f.raw), Some(small));
        assert_eq!(r.next_frame().map(|f| f.raw), Some(medium));
        assert_eq!(r.next_frame().map(|f| f.raw), Some(large));
    }

    #[test]
    fn control_frames_are_not_data() {
        let mut r = FrameReader::default();
        r.push(&encode(OP_CLOSE, &[0x03, 0xe8], Some([0, 0, 0, 0])));
        let f = r.next_frame().expect("close");
        assert!(!f.is_data());
        assert_eq!(f.payload, [0x03, 0xe8]);
    }
}
