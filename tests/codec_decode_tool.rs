//! The `mqtt-decode` example's line-to-JSON logic, checked on a handful of lines: the
//! exact output shape that scripts outside the repo read.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../examples/mqtt-decode.rs"]
#[allow(dead_code)] // the example's `main` is not called here
mod tool;

use lampboard::mqtt::codec::DecodeLimits;
use serde_json::{json, Value};

fn run(line: &str) -> Value {
    run_with(line, &DecodeLimits::default())
}

fn run_with(line: &str, limits: &DecodeLimits) -> Value {
    let text = tool::decode_line(line, limits);
    assert!(!text.contains('\n'), "one line per input: {text}");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn key_order_puts_the_result_first() {
    assert_eq!(
        tool::decode_line("c000", &DecodeLimits::default()),
        r#"{"result":"ok","consumed":2,"packets":[{"type":"PINGREQ"}]}"#
    );
}

#[test]
fn connect_with_everything() {
    let line = "10 1e 00 04 4d 51 54 54 04 ec 00 00 00 02 69 64 00 03 61 2f 62 00 03 62 79 65 00 01 75 00 01 70";
    assert_eq!(
        run(line),
        json!({"result": "ok", "consumed": 32, "packets": [{
            "type": "CONNECT", "protocol_name": "MQTT", "protocol_level": 4,
            "clean_session": false, "keep_alive": 0, "client_id": "id",
            "will": {"topic": "a/b", "message_hex": "627965", "qos": 1, "retain": true},
            "username": "u", "password_hex": "70"
        }]})
    );
    assert_eq!(
        run("100d00044d5154540402003c000163")["packets"][0],
        json!({
            "type": "CONNECT", "protocol_name": "MQTT", "protocol_level": 4,
            "clean_session": true, "keep_alive": 60, "client_id": "c",
            "will": null, "username": null, "password_hex": null
        })
    );
}

#[test]
fn several_packets_on_one_line() {
    assert_eq!(
        run("20020100 3B0900036132620001FFEE 62020001 9006000100010280 b0020002 d000 e000"),
        json!({"result": "ok", "consumed": 35, "packets": [
            {"type": "CONNACK", "session_present": true, "return_code": 0},
            {"type": "PUBLISH", "dup": true, "qos": 1, "retain": true, "topic": "a2b",
             "packet_id": 1, "payload_hex": "ffee"},
            {"type": "PUBREL", "packet_id": 1},
            {"type": "SUBACK", "packet_id": 1, "return_codes": [0, 1, 2, 128]},
            {"type": "UNSUBACK", "packet_id": 2},
            {"type": "PINGRESP"},
            {"type": "DISCONNECT"}
        ]})
    );
}

#[test]
fn subscribe_unsubscribe_and_qos0_publish() {
    assert_eq!(
        run("82 0e 00 0a 00 01 2b 00 00 05 61 2f 2b 2f 63 02")["packets"][0],
        json!({"type": "SUBSCRIBE", "packet_id": 10,
               "filters": [{"filter": "+", "qos": 0}, {"filter": "a/+/c", "qos": 2}]})
    );
    assert_eq!(
        run("a2 0a 00 02 00 01 61 00 03 62 2f 23")["packets"][0],
        json!({"type": "UNSUBSCRIBE", "packet_id": 2, "filters": ["a", "b/#"]})
    );
    assert_eq!(
        run("30 05 00 03 61 2f 62")["packets"][0],
        json!({"type": "PUBLISH", "dup": false, "qos": 0, "retain": false, "topic": "a/b",
               "packet_id": null, "payload_hex": ""})
    );
    assert_eq!(
        run("40020007 50020007 70020007"),
        json!({"result": "ok", "consumed": 12, "packets": [
            {"type": "PUBACK", "packet_id": 7},
            {"type": "PUBREC", "packet_id": 7},
            {"type": "PUBCOMP", "packet_id": 7}
        ]})
    );
}

#[test]
fn incomplete_after_whole_packets() {
    assert_eq!(
        run("c000 30 07 00 03"),
        json!({"result": "incomplete", "needed": 5})
    );
    assert_eq!(run("30"), json!({"result": "incomplete", "needed": 1}));
}

#[test]
fn empty_line_is_zero_bytes() {
    assert_eq!(run(""), json!({"result": "incomplete", "needed": 2}));
    assert_eq!(run("  \t\r"), json!({"result": "incomplete", "needed": 2}));
}

#[test]
fn malformed_packets_say_why() {
    assert_eq!(
        run("c000 8008000100036126230 1"),
        json!({"result": "error",
               "reason": "[MQTT-3.8.1-1] SUBSCRIBE fixed header flags must be 0010, got 0000"})
    );
    let reason = run("308080808001")["reason"].clone();
    assert!(
        reason
            .as_str()
            .is_some_and(|r| r.contains("longer than 4 bytes")),
        "{reason}"
    );
}

#[test]
fn bad_hex_is_an_error_in_words() {
    assert_eq!(
        run("c0 0"),
        json!({"result": "error", "reason": "invalid hex: odd number of hex digits (3)"})
    );
    assert_eq!(
        run("0xc000"),
        json!({"result": "error", "reason": "invalid hex: 'x' at character 2 is not a hex digit"})
    );
}

#[test]
fn max_packet_size_applies() {
    let limits = DecodeLimits::with_max_packet_size(8);
    assert_eq!(
        run_with("30 07 00 03 61 2f 62 68 69", &limits),
        json!({"result": "error",
               "reason": "packet of 9 bytes exceeds the maximum packet size of 8 bytes"})
    );
    assert_eq!(
        run_with("30 06 00 03 61 2f 62 68", &limits)["result"],
        json!("ok")
    );
}
