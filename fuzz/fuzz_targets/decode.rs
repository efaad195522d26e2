//! Fuzzes the MQTT 3.1.1 decoder with libFuzzer: the properties are in `property.rs`,
//! shared with the stable replay of the regression corpus (`tests/codec_regressions.rs`).
#![no_main]

mod property;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| property::check(data));
