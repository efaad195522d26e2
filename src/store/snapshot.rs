//! The last known lamp messages, kept in localStorage per broker profile so the app opens
//! offline with the states of that profile's last visit. Pure (tested natively); the reactive store reads it at start
//! and writes it, throttled, as messages arrive.
//!
//! What is kept is the raw last payload per topic, in arrival order (a discovery config before
//! the state it describes), not the lamps: replaying them through the normal message path
//! rebuilds the lamps with the same rules as live messages, and the format survives changes to
//! the lamp model.

// Kept per profile under `profile_keys::ProfileKeys::snapshot` (`lampboard.snapshot.<id>`).
/// At most this many topics (a few hundred lamps, their discovery configs and bridges).
pub const MAX_TOPICS: usize = 600;
/// At most this many bytes of payload in all: localStorage allows ~5 MB per origin,
/// shared with the settings, and a start-up parse must stay quick.
pub const MAX_BYTES: usize = 200_000;

/// The last payload of each lamp topic, oldest topic first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// (topic, payload) pairs, in the order the topics were first heard.
    m: Vec<(String, String)>,
    bytes: usize,
}

/// The first string of the stored form: names the format, so a future change can ignore an
/// old snapshot instead of misreading it.
const FORMAT: &str = "lampboard-snapshot-1";

impl Snapshot {
    /// An empty snapshot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a topic's latest payload; an empty payload (a cleared retained message) forgets
    /// the topic. Returns whether anything changed, so the caller writes only then. Non-UTF-8
    /// payloads (no lamp format uses them) and topics beyond the limits are not kept.
    pub fn record(&mut self, topic: &str, payload: &[u8]) -> bool {
        let position = self.m.iter().position(|(t, _)| t == topic);
        if payload.is_empty() {
            return match position {
                Some(i) => {
                    let (t, p) = self.m.remove(i);
                    self.bytes -= t.len() + p.len();
                    true
                }
                None => false,
            };
        }
        let Ok(text) = std::str::from_utf8(payload) else {
            return false;
        };
        let old = position.map_or(0, |i| self.m[i].0.len() + self.m[i].1.len());
        let new = topic.len() + text.len();
        if self.bytes - old + new > MAX_BYTES {
            return false;
        }
        match position {
            Some(i) if self.m[i].1 == text => false,
            Some(i) => {
                self.m[i].1 = text.to_owned();
                self.bytes = self.bytes - old + new;
                true
            }
            None if self.m.len() >= MAX_TOPICS => false,
            None => {
                self.m.push((topic.to_owned(), text.to_owned()));
                self.bytes += new;
                true
            }
        }
    }

    /// Forgets these topics (a lamp the user removed from its card), so it does not come back
    /// at the next start. Returns whether anything was kept for them.
    pub fn forget<'a>(&mut self, topics: impl IntoIterator<Item = &'a str>) -> bool {
        let mut changed = false;
        for topic in topics {
            changed |= self.record(topic, b"");
        }
        changed
    }

    /// Whether the topic is kept (later messages on it are recorded even when the
    /// directory finds nothing new in them).
    pub fn has(&self, topic: &str) -> bool {
        self.m.iter().any(|(t, _)| t == topic)
    }

    /// The kept messages, oldest topic first, to replay at start.
    pub fn messages(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.m.iter().map(|(t, p)| (t.as_str(), p.as_bytes()))
    }

    /// How many topics are kept.
    pub fn len(&self) -> usize {
        self.m.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.m.is_empty()
    }

    /// The stored form: a flat JSON array of strings, the format name then topic, payload,
    /// topic, payload... (a plain `Vec<String>` costs the wasm no new serde code).
    pub fn to_json(&self) -> String {
        let mut flat = Vec::with_capacity(1 + 2 * self.m.len());
        flat.push(FORMAT);
        for (t, p) in &self.m {
            flat.push(t);
            flat.push(p);
        }
        serde_json::to_string(&flat).unwrap_or_default()
    }

    /// Reads the stored form; anything unreadable, of another format or over the limits is
    /// an empty snapshot (the live broker fills it again).
    pub fn from_json(text: &str) -> Self {
        let flat = serde_json::from_str::<Vec<String>>(text).unwrap_or_default();
        let Some((FORMAT, rest)) = flat.split_first().map(|(f, r)| (f.as_str(), r)) else {
            return Self::new();
        };
        if rest.len() % 2 != 0 || rest.len() / 2 > MAX_TOPICS {
            return Self::new();
        }
        let m: Vec<(String, String)> = rest
            .chunks_exact(2)
            .map(|pair| (pair[0].clone(), pair[1].clone()))
            .collect();
        let bytes = m.iter().map(|(t, p)| t.len() + p.len()).sum();
        if bytes > MAX_BYTES {
            return Self::new();
        }
        Self { m, bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_payload_per_topic_survives_a_round_trip_in_first_heard_order() {
        let mut s = Snapshot::new();
        assert!(s.record("homeassistant/light/a/config", br#"{"schema":"json"}"#));
        assert!(s.record("smarthome/hall/lamps/a", br#"{"state":"OFF"}"#));
        assert!(s.record("smarthome/hall/lamps/a", br#"{"state":"ON"}"#));
        assert!(
            !s.record("smarthome/hall/lamps/a", br#"{"state":"ON"}"#),
            "same payload"
        );
        let back = Snapshot::from_json(&s.to_json());
        let messages: Vec<_> = back.messages().collect();
        assert_eq!(
            messages,
            [
                ("homeassistant/light/a/config", &br#"{"schema":"json"}"#[..]),
                ("smarthome/hall/lamps/a", &br#"{"state":"ON"}"#[..]),
            ]
        );
    }

    #[test]
    fn an_empty_payload_forgets_the_topic() {
        let mut s = Snapshot::new();
        s.record("smarthome/hall/lamps/a", b"{}");
        assert!(s.record("smarthome/hall/lamps/a", b""));
        assert!(s.is_empty());
        assert!(!s.record("smarthome/hall/lamps/b", b""));
    }

    #[test]
    fn forgetting_a_lamps_topics_drops_only_those() {
        let mut s = Snapshot::new();
        s.record("homeassistant/light/a/config", br#"{"schema":"json"}"#);
        s.record("lamps/a/state", br#"{"state":"ON"}"#);
        s.record("smarthome/hall/lamps/b", br#"{"state":"OFF"}"#);
        assert!(s.forget(["homeassistant/light/a/config", "lamps/a/state"]));
        assert!(!s.forget(["homeassistant/light/a/config"]), "already gone");
        let left: Vec<_> = s.messages().map(|(t, _)| t).collect();
        assert_eq!(left, ["smarthome/hall/lamps/b"]);
        let back = Snapshot::from_json(&s.to_json());
        assert_eq!(back.len(), 1, "the stored form forgets them too");
    }

    #[test]
    fn limits_keep_the_snapshot_small() {
        let mut s = Snapshot::new();
        let big = "x".repeat(MAX_BYTES / 2);
        assert!(s.record("a", big.as_bytes()));
        assert!(!s.record("b", big.as_bytes()), "over the byte limit");
        assert!(s.record("a", b"small"), "replacing frees room");
        for i in 0..MAX_TOPICS + 10 {
            s.record(&format!("t/{i}"), b"1");
        }
        assert_eq!(s.len(), MAX_TOPICS);
        assert!(
            !s.record("t/x", &[0xff, 0xfe]) && !s.has("t/x"),
            "not UTF-8"
        );
    }

    #[test]
    fn garbage_or_another_version_reads_as_empty() {
        assert!(Snapshot::from_json("not json").is_empty());
        assert!(Snapshot::from_json(r#"["lampboard-snapshot-9","a","1"]"#).is_empty());
        assert!(Snapshot::from_json(r#"["lampboard-snapshot-1","a"]"#).is_empty());
        assert_eq!(
            Snapshot::from_json(r#"["lampboard-snapshot-1","a","1"]"#).len(),
            1
        );
    }
}
