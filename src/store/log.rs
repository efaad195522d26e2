//! The message explorer's memory: a capped ring of raw messages, and the
//! formatting done only when a row is rendered.
//!
//! Pure, so the lamp path's cost (one push of bytes already owned, no
//! formatting) and the ring's bound are tested natively.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::mqtt::packet::QoS;
use crate::mqtt::topic::filter_matches;

/// How many messages the explorer keeps: enough to look back over a burst,
/// few enough that rendering them all stays cheap on a phone.
pub const LOG_CAPACITY: usize = 500;

/// One received message as it arrived: bytes, not text, so nothing is
/// decoded or pretty-printed until a row shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// Increasing number, the row's key in the rendered list.
    pub seq: u64,
    /// Wall-clock ms when it arrived.
    pub at: f64,
    /// The topic.
    pub topic: Arc<str>,
    /// The raw payload, shared with the rendered row without copying.
    pub payload: Arc<[u8]>,
    /// QoS it was delivered at.
    pub qos: QoS,
    /// A retained value rather than a live change.
    pub retain: bool,
}

/// A ring of the last [`LOG_CAPACITY`] messages.
#[derive(Debug, Default)]
pub struct MessageLog {
    entries: VecDeque<LogEntry>,
    next_seq: u64,
    /// `next_seq` at the last `clear`: the explorer counts from there.
    counted_from: u64,
    capacity: usize,
}

impl MessageLog {
    /// An empty ring holding at most `capacity` messages.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::with_capacity(capacity.min(1024)),
            next_seq: 0,
            counted_from: 0,
            capacity: capacity.max(1),
        }
    }

    /// Appends a message, dropping the oldest once full. O(1), no formatting.
    pub fn push(&mut self, at: f64, topic: &str, payload: Arc<[u8]>, qos: QoS, retain: bool) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(LogEntry {
            seq: self.next_seq,
            at,
            topic: Arc::from(topic),
            payload,
            qos,
            retain,
        });
        self.next_seq += 1;
    }

    /// How many messages are kept now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many messages arrived since the log was made or last cleared (including
    /// those dropped from the ring): the explorer's counter, which Clear resets.
    pub fn total(&self) -> u64 {
        self.next_seq - self.counted_from
    }

    /// Forgets every kept message and restarts the count; the sequence itself keeps
    /// counting, so row keys stay unique.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.counted_from = self.next_seq;
    }

    /// Newest first, only topics `filter` matches (all when `filter` is None).
    pub fn newest_first(&self, filter: Option<&str>) -> Vec<LogEntry> {
        self.entries
            .iter()
            .rev()
            .filter(|e| filter.is_none_or(|f| filter_matches(f, &e.topic)))
            .cloned()
            .collect()
    }
}

/// How a payload reads in the explorer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayloadText {
    /// Nothing (a retained message being cleared, usually).
    Empty,
    /// JSON, pretty-printed.
    Json(String),
    /// Printable UTF-8 that is not JSON (`ON`, `offline`), shown as it is.
    Text(String),
    /// Anything else, as hex bytes.
    Hex(String),
}

impl PayloadText {
    /// The text to show.
    pub fn text(&self) -> &str {
        match self {
            PayloadText::Empty => "(empty)",
            PayloadText::Json(s) | PayloadText::Text(s) | PayloadText::Hex(s) => s,
        }
    }

    /// A short name for a CSS class and a badge.
    pub fn kind(&self) -> &'static str {
        match self {
            PayloadText::Empty => "empty",
            PayloadText::Json(_) => "json",
            PayloadText::Text(_) => "text",
            PayloadText::Hex(_) => "hex",
        }
    }
}

/// Formats a payload for display; called lazily, once per rendered row.
/// Large binary payloads are cut after `max_hex` bytes so a 1 MiB blob
/// cannot stall the page.
pub fn format_payload(payload: &[u8], max_hex: usize) -> PayloadText {
    if payload.is_empty() {
        return PayloadText::Empty;
    }
    if let Ok(text) = std::str::from_utf8(payload) {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
                if let Ok(pretty) = serde_json::to_string_pretty(&v) {
                    return PayloadText::Json(pretty);
                }
            }
        }
        let printable = text
            .chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t');
        if printable {
            return PayloadText::Text(text.to_owned());
        }
    }
    let mut hex = String::with_capacity(payload.len().min(max_hex) * 3);
    for (i, b) in payload.iter().take(max_hex).enumerate() {
        if i > 0 {
            hex.push(if i % 16 == 0 { '\n' } else { ' ' });
        }
        hex.push_str(&format!("{b:02x}"));
    }
    if payload.len() > max_hex {
        hex.push_str(&format!("\n… {} more bytes", payload.len() - max_hex));
    }
    PayloadText::Hex(hex)
}

/// A payload's first line for the compact log, at most `max_chars` characters (an ellipsis
/// marks a cut or more lines), with its kind as [`PayloadText::kind`] names it. Cheap: no
/// pretty-printing, and hex only for the bytes shown.
pub fn payload_preview(payload: &[u8], max_chars: usize) -> (&'static str, String) {
    if payload.is_empty() {
        return ("empty", "(empty)".to_owned());
    }
    let printable = |t: &str| {
        t.chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t')
    };
    match std::str::from_utf8(payload) {
        Ok(text) if printable(text) => {
            let trimmed = text.trim_start();
            let json = (trimmed.starts_with('{') || trimmed.starts_with('['))
                && serde_json::from_str::<serde_json::Value>(text).is_ok();
            let mut lines = trimmed.lines();
            let first = lines.next().unwrap_or("").trim_end();
            let mut line: String = first.chars().take(max_chars).collect();
            if line.len() < first.len() || lines.next().is_some() {
                line.push('…');
            }
            (if json { "json" } else { "text" }, line)
        }
        _ => {
            let shown = payload.len().min(max_chars / 3).max(1);
            let mut hex: Vec<String> = payload[..shown]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if shown < payload.len() {
                hex.push("…".to_owned());
            }
            ("hex", hex.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &[u8]) -> Arc<[u8]> {
        Arc::from(s)
    }

    #[test]
    fn the_ring_keeps_the_newest_and_filters_by_topic() {
        let mut log = MessageLog::new(3);
        for i in 0..5 {
            let topic = if i % 2 == 0 { "a/x" } else { "b/x" };
            log.push(f64::from(i), topic, bytes(b"1"), QoS::AtMostOnce, false);
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.total(), 5);
        let seqs: Vec<u64> = log.newest_first(None).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [4, 3, 2]);
        let a: Vec<u64> = log
            .newest_first(Some("a/#"))
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(a, [4, 2]);
        log.clear();
        assert!(log.is_empty());
        assert_eq!(log.total(), 0, "Clear resets the counter");
        log.push(9.0, "c", bytes(b""), QoS::AtMostOnce, true);
        assert_eq!(log.newest_first(None)[0].seq, 5, "keys stay unique");
        assert_eq!(log.total(), 1, "counting restarts from Clear");
    }

    #[test]
    fn payloads_read_as_json_text_or_hex() {
        assert_eq!(
            format_payload(br#"{"state":"ON","brightness":3}"#, 64),
            // Keys come out sorted (serde_json without preserve_order, kept lean).
            PayloadText::Json("{\n  \"brightness\": 3,\n  \"state\": \"ON\"\n}".into())
        );
        assert_eq!(format_payload(b"ON", 64), PayloadText::Text("ON".into()));
        assert_eq!(
            format_payload(b"{broken", 64),
            PayloadText::Text("{broken".into())
        );
        assert_eq!(
            format_payload(&[0, 1, 0xff], 64),
            PayloadText::Hex("00 01 ff".into())
        );
        assert_eq!(format_payload(b"", 64), PayloadText::Empty);
        let long: Vec<u8> = (0..20).collect();
        let PayloadText::Hex(h) = format_payload(&long, 17) else {
            panic!()
        };
        assert!(h.contains("\n10") && h.ends_with("… 3 more bytes"), "{h}");
    }

    #[test]
    fn previews_are_the_first_line_cut_with_an_ellipsis() {
        assert_eq!(
            payload_preview(br#"{"state":"ON"}"#, 40),
            ("json", r#"{"state":"ON"}"#.to_owned())
        );
        assert_eq!(
            payload_preview(b"{\n  \"a\": 1\n}", 40),
            ("json", "{…".to_owned())
        );
        assert_eq!(payload_preview(b"offline", 3), ("text", "off…".to_owned()));
        assert_eq!(payload_preview(b"", 3), ("empty", "(empty)".to_owned()));
        assert_eq!(
            payload_preview(&[0, 1, 0xff, 7], 6),
            ("hex", "00 01 …".to_owned())
        );
    }
}
