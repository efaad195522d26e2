//! The codec in the browser: the same spec-derived vectors as tests/codec.rs, run by
//! wasm-bindgen-test, to show the wasm32 build decodes and encodes exactly like the
//! native one (e.g. no usize or UTF-8 surprises on a 32-bit target).
//!
//! Run with `wasm-pack test --headless --chrome` (see DESIGN.md).
#![cfg(target_arch = "wasm32")]

#[path = "common/codec_vectors.rs"]
mod codec_vectors;

use codec_vectors::*;
use lampboard::mqtt::codec::{DecodeLimits, StreamDecoder};
use lampboard::mqtt::packet::Packet;
use lampboard::mqtt::topic::filter_matches;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn all_vectors() {
    assert!(run_vectors("") > 100);
}

#[wasm_bindgen_test]
fn remaining_length_boundaries_up_to_2_mib() {
    // The 256 MiB case runs natively only: a browser tab need not hold it twice.
    for &(len, header) in LENGTH_BOUNDARIES
        .iter()
        .filter(|(len, _)| *len <= 2_097_152)
    {
        if let Err(why) = check_length_boundary(len, header) {
            panic!("remaining length {len}: {why}");
        }
    }
}

#[wasm_bindgen_test]
fn byte_by_byte_feeding_gives_every_valid_vector() {
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for v in vectors() {
        if let Expect::Packet { packet, .. } = v.expect {
            stream.extend_from_slice(&v.bytes);
            expected.push(packet);
        }
    }
    let mut decoder = StreamDecoder::new(DecodeLimits::default());
    let mut got = Vec::new();
    for b in &stream {
        decoder.feed(std::slice::from_ref(b));
        while let Some(p) = decoder.next_packet().expect("valid vectors") {
            got.push(p.into_owned());
        }
    }
    assert_eq!(got, expected);
    assert_eq!(decoder.buffered(), 0);
    assert!(matches!(got.last(), Some(Packet::Disconnect)));
}

#[wasm_bindgen_test]
fn dollar_topics_are_not_matched_by_leading_wildcards() {
    assert!(!filter_matches("#", "$SYS/uptime"));
    assert!(filter_matches("$SYS/#", "$SYS/uptime"));
    assert!(filter_matches("home/+/lamp", "home/hall/lamp"));
}
