//! The decoder's properties, shared by the fuzz target (`decode.rs`, libFuzzer) and the
//! stable replay of the committed regression corpus (`tests/codec_regressions.rs`), so
//! every input that ever mattered is re-checked on every `cargo xtask test` by the same
//! code the fuzzer runs.
//!
//! No input may panic; whatever decodes must re-encode and decode to the same packet;
//! and feeding the bytes in chunks (sizes taken from the input's first byte) must give
//! the same packets and the same error as decoding the whole buffer.

use lampboard::mqtt::codec::{decode, encode_to_vec, DecodeLimits, Decoded, StreamDecoder};
use lampboard::mqtt::packet::Packet;

/// Checks every property on one input; panics (a fuzzer finding) when one fails.
pub fn check(data: &[u8]) {
    let Some((&control, bytes)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(control & 0x0f) + 1;
    let limits = if control & 0x10 != 0 {
        DecodeLimits::with_max_packet_size(usize::from(control) * 4)
    } else {
        DecodeLimits::default()
    };

    // Whole buffer.
    let mut whole: Vec<Packet<'static>> = Vec::new();
    let mut whole_error = None;
    let mut rest = bytes;
    while !rest.is_empty() {
        match decode(rest, &limits) {
            Ok(Decoded::Packet { packet, consumed }) => {
                assert!(consumed > 0 && consumed <= rest.len());
                let again = encode_to_vec(&packet).expect("a decoded packet re-encodes");
                match decode(&again, &limits) {
                    Ok(Decoded::Packet {
                        packet: p,
                        consumed: c,
                    }) => {
                        assert_eq!(p, packet);
                        assert_eq!(c, again.len());
                        assert!(c <= consumed, "canonical is never longer");
                    }
                    other => panic!("re-decode gave {other:?}"),
                }
                whole.push(packet.into_owned());
                rest = &rest[consumed..];
            }
            Ok(Decoded::Incomplete { needed }) => {
                assert!(needed > 0);
                break;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                whole_error = Some(e);
                break;
            }
        }
    }

    // Chunked.
    let mut decoder = StreamDecoder::new(limits);
    let mut chunked = Vec::new();
    let mut chunked_error = None;
    'feed: for piece in bytes.chunks(chunk) {
        decoder.feed(piece);
        loop {
            match decoder.next_packet() {
                Ok(Some(p)) => chunked.push(p.into_owned()),
                Ok(None) => break,
                Err(e) => {
                    chunked_error = Some(e);
                    break 'feed;
                }
            }
        }
    }
    assert_eq!(chunked, whole);
    assert_eq!(chunked_error, whole_error);
}
