//! `mqtt-decode`: decodes MQTT 3.1.1 packets written as hex, one line at a time, and
//! prints one JSON object per line, using the app's own codec.
//!
//! ```text
//! cargo run --release --example mqtt-decode [-- --max-packet-size N] < packets.hex
//! ```
//!
//! White space anywhere in a line is ignored; upper- and lower-case hex are accepted.
//! Each output line is exactly one of:
//! - `{"result":"ok","consumed":N,"packets":[P,...]}`: the bytes are one or more whole
//!   packets with nothing left over;
//! - `{"result":"incomplete","needed":N}`: the bytes end inside a packet (possibly after
//!   whole ones, which are then not printed); `needed` is the decoder's "at least N more
//!   bytes" for that packet;
//! - `{"result":"error","reason":"..."}`: a packet is malformed (even after whole
//!   ones), or the line is not hex (`"invalid hex: ..."`). Reasons start with the
//!   spec's rule id in brackets when it has one, e.g. `[MQTT-3.8.1-1] ...`.
//!
//! An empty (or all-white-space) line is zero bytes, for which the decoder says what it
//! says of any empty buffer: `{"result":"incomplete","needed":2}` (the smallest packet
//! is 2 bytes). Without `--max-packet-size` only the spec's own maximum applies.
//!
//! Each packet P has "type" and the fields of its kind: CONNECT protocol_name,
//! protocol_level, clean_session, keep_alive, client_id, will ({topic, message_hex, qos,
//! retain} or null), username (or null), password_hex (or null); CONNACK
//! session_present, return_code; PUBLISH dup, qos, retain, topic, packet_id (null at
//! QoS 0), payload_hex; PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK packet_id;
//! SUBSCRIBE packet_id, filters [{filter, qos}]; SUBACK packet_id, return_codes (128
//! for failure); UNSUBSCRIBE packet_id, filters; PINGREQ, PINGRESP and DISCONNECT
//! nothing more. Hex output is lower case. Scripts read this shape: keep it.
//!
//! The line-to-JSON logic is [`decode_line`], which tests/codec_decode_tool.rs calls
//! directly.

use std::io::{self, BufRead, Write};

use lampboard::mqtt::codec::{decode, DecodeLimits, Decoded};
use lampboard::mqtt::packet::Packet;
use serde::Serialize;

/// One output line.
#[derive(Serialize)]
#[serde(tag = "result", rename_all = "lowercase")]
enum Line {
    Ok {
        consumed: usize,
        packets: Vec<PacketJson>,
    },
    Incomplete {
        needed: usize,
    },
    Error {
        reason: String,
    },
}

/// One packet, as the scripts expect it.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
enum PacketJson {
    Connect {
        protocol_name: &'static str,
        protocol_level: u8,
        clean_session: bool,
        keep_alive: u16,
        client_id: String,
        will: Option<WillJson>,
        username: Option<String>,
        password_hex: Option<String>,
    },
    Connack {
        session_present: bool,
        return_code: u8,
    },
    Publish {
        dup: bool,
        qos: u8,
        retain: bool,
        topic: String,
        packet_id: Option<u16>,
        payload_hex: String,
    },
    Puback {
        packet_id: u16,
    },
    Pubrec {
        packet_id: u16,
    },
    Pubrel {
        packet_id: u16,
    },
    Pubcomp {
        packet_id: u16,
    },
    Subscribe {
        packet_id: u16,
        filters: Vec<FilterJson>,
    },
    Suback {
        packet_id: u16,
        return_codes: Vec<u8>,
    },
    Unsubscribe {
        packet_id: u16,
        filters: Vec<String>,
    },
    Unsuback {
        packet_id: u16,
    },
    Pingreq,
    Pingresp,
    Disconnect,
}

#[derive(Serialize)]
struct WillJson {
    topic: String,
    message_hex: String,
    qos: u8,
    retain: bool,
}

#[derive(Serialize)]
struct FilterJson {
    filter: String,
    qos: u8,
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Parses a line of hex, ignoring white space; the error is the reason to print.
fn parse_hex(line: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(line.len() / 2);
    let mut high: Option<u8> = None;
    let mut digits = 0usize;
    for (position, c) in line.chars().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        let Some(value) = c.to_digit(16) else {
            return Err(format!(
                "invalid hex: {c:?} at character {} is not a hex digit",
                position + 1
            ));
        };
        // to_digit(16) is below 16, so the cast is exact.
        let value = value as u8;
        digits += 1;
        match high.take() {
            None => high = Some(value),
            Some(h) => bytes.push((h << 4) | value),
        }
    }
    if high.is_some() {
        return Err(format!("invalid hex: odd number of hex digits ({digits})"));
    }
    Ok(bytes)
}

fn packet_json(packet: &Packet<'_>) -> PacketJson {
    match packet {
        Packet::Connect(c) => PacketJson::Connect {
            protocol_name: "MQTT",
            protocol_level: 4,
            clean_session: c.clean_session,
            keep_alive: c.keep_alive,
            client_id: c.client_id.to_string(),
            will: c.will.as_ref().map(|w| WillJson {
                topic: w.topic.to_string(),
                message_hex: to_hex(&w.message),
                qos: w.qos.as_u8(),
                retain: w.retain,
            }),
            username: c.credentials.as_ref().map(|c| c.username.to_string()),
            password_hex: c
                .credentials
                .as_ref()
                .and_then(|c| c.password.as_deref())
                .map(to_hex),
        },
        Packet::Connack(c) => PacketJson::Connack {
            session_present: c.session_present(),
            return_code: c.return_code(),
        },
        Packet::Publish(p) => PacketJson::Publish {
            dup: p.dup,
            qos: p.qospid.qos().as_u8(),
            retain: p.retain,
            topic: p.topic.to_string(),
            packet_id: p.qospid.packet_id().map(|id| id.get()),
            payload_hex: to_hex(&p.payload),
        },
        Packet::Puback(id) => PacketJson::Puback {
            packet_id: id.get(),
        },
        Packet::Pubrec(id) => PacketJson::Pubrec {
            packet_id: id.get(),
        },
        Packet::Pubrel(id) => PacketJson::Pubrel {
            packet_id: id.get(),
        },
        Packet::Pubcomp(id) => PacketJson::Pubcomp {
            packet_id: id.get(),
        },
        Packet::Subscribe(s) => PacketJson::Subscribe {
            packet_id: s.packet_id.get(),
            filters: s
                .filters
                .iter()
                .map(|f| FilterJson {
                    filter: f.filter.to_string(),
                    qos: f.qos.as_u8(),
                })
                .collect(),
        },
        Packet::Suback(s) => PacketJson::Suback {
            packet_id: s.packet_id.get(),
            return_codes: s.return_codes.iter().map(|c| c.as_u8()).collect(),
        },
        Packet::Unsubscribe(u) => PacketJson::Unsubscribe {
            packet_id: u.packet_id.get(),
            filters: u.filters.iter().map(|f| f.to_string()).collect(),
        },
        Packet::Unsuback(id) => PacketJson::Unsuback {
            packet_id: id.get(),
        },
        Packet::Pingreq => PacketJson::Pingreq,
        Packet::Pingresp => PacketJson::Pingresp,
        Packet::Disconnect => PacketJson::Disconnect,
    }
}

fn line_result(line: &str, limits: &DecodeLimits) -> Line {
    let bytes = match parse_hex(line) {
        Ok(bytes) => bytes,
        Err(reason) => return Line::Error { reason },
    };
    let mut packets = Vec::new();
    let mut offset = 0;
    loop {
        let rest = bytes.get(offset..).unwrap_or_default();
        match decode(rest, limits) {
            Ok(Decoded::Packet { packet, consumed }) => {
                packets.push(packet_json(&packet));
                offset += consumed;
                if offset == bytes.len() {
                    return Line::Ok {
                        consumed: offset,
                        packets,
                    };
                }
            }
            Ok(Decoded::Incomplete { needed }) => return Line::Incomplete { needed },
            Err(e) => {
                return Line::Error {
                    reason: e.to_string(),
                }
            }
        }
    }
}

/// Turns one input line into its JSON output line (without the newline).
pub fn decode_line(line: &str, limits: &DecodeLimits) -> String {
    match serde_json::to_string(&line_result(line, limits)) {
        Ok(json) => json,
        // Serializing these plain structs cannot fail; stay valid JSON regardless.
        Err(e) => format!(r#"{{"result":"error","reason":"internal: {e}"}}"#),
    }
}

const USAGE: &str = "usage: mqtt-decode [--max-packet-size N] < lines-of-hex";

/// Reads the command line: only `--max-packet-size N` (or `=N`) and `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<DecodeLimits, String> {
    let mut limits = DecodeLimits::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let value = if arg == "--max-packet-size" {
            args.next()
                .ok_or_else(|| "--max-packet-size needs a number".to_string())?
        } else if let Some(v) = arg.strip_prefix("--max-packet-size=") {
            v.to_string()
        } else if arg == "--help" || arg == "-h" {
            return Err(String::new());
        } else {
            return Err(format!("unknown argument {arg:?}"));
        };
        let max = value
            .parse::<usize>()
            .map_err(|_| format!("--max-packet-size: {value:?} is not a number of bytes"))?;
        limits = DecodeLimits::with_max_packet_size(max);
    }
    Ok(limits)
}

fn main() {
    let limits = match parse_args(std::env::args().skip(1)) {
        Ok(limits) => limits,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("mqtt-decode: {why}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for line in stdin.lock().split(b'\n') {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("mqtt-decode: reading stdin: {e}");
                std::process::exit(1);
            }
        };
        // Non-UTF-8 input cannot be hex; the replacement character says so below.
        let text = String::from_utf8_lossy(&line);
        if writeln!(out, "{}", decode_line(&text, &limits)).is_err() {
            // The reader went away (e.g. `| head`): stop quietly.
            return;
        }
    }
    let _ = out.flush();
}
