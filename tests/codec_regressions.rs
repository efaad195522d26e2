//! Replays the decoder's regression corpus (`fuzz/regressions/decode/`, a coverage-minimised
//! corpus from `cargo fuzz cmin`, plus every input that ever crashed) through the fuzz
//! target's own properties, on stable, in every `cargo xtask test` run. A file added there
//! after a fuzzer finding stays checked forever.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/fuzz_targets/property.rs"]
mod property;

use std::path::PathBuf;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/decode");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_regression_input_keeps_the_decoder_properties() {
    let files = corpus();
    // The corpus is committed: an empty or lost directory must fail, not pass vacuously.
    assert!(files.len() > 100, "only {} regression inputs", files.len());
    let mut failed = Vec::new();
    for (name, bytes) in &files {
        if std::panic::catch_unwind(|| property::check(bytes)).is_err() {
            failed.push(name.clone());
        }
    }
    assert!(failed.is_empty(), "properties broken by: {failed:#?}");
}

#[test]
fn the_corpus_reaches_every_packet_type_and_decoder_errors() {
    use lampboard::mqtt::codec::{decode, DecodeLimits, Decoded};
    // A corpus that no longer exercises the decoder (say, all files truncated to one byte)
    // would keep the test above green while checking nothing: demand breadth.
    let limits = DecodeLimits::default();
    let mut kinds = std::collections::BTreeSet::new();
    let mut errors = 0;
    for (_, bytes) in corpus() {
        let Some((_, rest)) = bytes.split_first() else {
            continue;
        };
        match decode(rest, &limits) {
            Ok(Decoded::Packet { packet, .. }) => {
                kinds.insert(
                    format!("{packet:?}")
                        .split(['(', ' ', '{'])
                        .next()
                        .map(str::to_owned),
                );
            }
            Ok(Decoded::Incomplete { .. }) => {}
            Err(_) => errors += 1,
        }
    }
    assert!(kinds.len() >= 14, "packet kinds reached: {kinds:?}");
    assert!(errors >= 20, "only {errors} malformed inputs");
}
