//! Messages one sends often, saved per broker profile: the explorer's publish form lists
//! them, fills itself from one with a tap, and adds or removes them. Kept in localStorage
//! under [`saved_key`]: the profile's id like the rest of its data, so a renamed profile
//! keeps its list and a deleted one takes it along. Earlier versions kept it under the
//! profile's name ([`legacy_saved_key`]); the form moves such a list on first read.
//!
//! Pure, tested natively; the explorer does the storage calls.

use serde_json::{json, Value};

/// At most this many per profile: a list, not an archive.
pub const MAX_SAVED: usize = 50;
/// Payload bytes kept per saved message (localStorage is small, about 5 MB per site).
pub const MAX_SAVED_PAYLOAD: usize = 16 * 1024;

/// The localStorage key of the saved messages of profile `id` (named `name`): under the id
/// ([`ProfileKeys::saved_messages`](super::profile_keys::ProfileKeys::saved_messages)), or
/// under the name while a store holds no profile yet.
pub fn saved_key(id: &str, name: &str) -> String {
    if id.is_empty() {
        legacy_saved_key(name)
    } else {
        super::profile_keys::ProfileKeys::for_id(id).saved_messages
    }
}

/// Where earlier versions kept a profile's saved messages: under its name, which a rename
/// left behind and a deletion never removed.
pub fn legacy_saved_key(name: &str) -> String {
    format!("lampboard.saved-messages.{name}")
}

/// One saved message: everything the publish form needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedMessage {
    /// Topic to publish to.
    pub topic: String,
    /// Payload as text.
    pub payload: String,
    /// QoS 0, 1 or 2.
    pub qos: u8,
    /// Whether to retain.
    pub retain: bool,
}

impl Default for SavedMessage {
    fn default() -> Self {
        Self {
            topic: String::new(),
            payload: String::new(),
            qos: 1,
            retain: false,
        }
    }
}

impl SavedMessage {
    /// Reads one stored message; missing fields take their defaults. Through
    /// `serde_json::Value` (already in the app) rather than a derive: smaller wasm.
    fn from_value(v: &Value) -> Option<Self> {
        let d = Self::default();
        Some(Self {
            topic: v.get("topic")?.as_str()?.to_owned(),
            payload: v
                .get("payload")
                .and_then(Value::as_str)
                .map_or(d.payload, str::to_owned),
            qos: v
                .get("qos")
                .and_then(Value::as_u64)
                .map_or(d.qos, |q| q.min(2) as u8),
            retain: v.get("retain").and_then(Value::as_bool).unwrap_or(d.retain),
        })
    }

    fn to_value(&self) -> Value {
        json!({
            "topic": self.topic,
            "payload": self.payload,
            "qos": self.qos,
            "retain": self.retain,
        })
    }

    /// The label in the list: the topic and the payload's first line, shortened.
    pub fn label(&self) -> String {
        let first = self.payload.lines().next().unwrap_or("");
        let mut short: String = first.chars().take(40).collect();
        if short.len() < first.len() {
            short.push('…');
        }
        if short.is_empty() {
            format!("{} (empty)", self.topic)
        } else {
            format!("{} · {short}", self.topic)
        }
    }
}

/// A profile's saved messages, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavedMessages {
    /// The list, newest first.
    pub items: Vec<SavedMessage>,
}

impl SavedMessages {
    /// Reads the stored JSON; anything unreadable is an empty list (never an error on screen:
    /// the list is a convenience).
    pub fn from_json(text: &str) -> Self {
        let list = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
        let items = list
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(SavedMessage::from_value)
                    .take(MAX_SAVED)
                    .collect()
            })
            .unwrap_or_default();
        Self { items }
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        Value::Array(self.items.iter().map(SavedMessage::to_value).collect()).to_string()
    }

    /// Saves a message at the top; the same topic and payload saved again moves up instead
    /// of repeating, and the oldest go past [`MAX_SAVED`]. Refuses, in words, a payload over
    /// [`MAX_SAVED_PAYLOAD`] or an empty topic.
    pub fn add(&mut self, message: SavedMessage) -> Result<(), String> {
        if message.topic.trim().is_empty() {
            return Err("Type a topic before saving the message".to_owned());
        }
        if message.payload.len() > MAX_SAVED_PAYLOAD {
            return Err(format!(
                "Too long to save ({} bytes; at most {MAX_SAVED_PAYLOAD})",
                message.payload.len()
            ));
        }
        self.items
            .retain(|m| !(m.topic == message.topic && m.payload == message.payload));
        self.items.insert(0, message);
        self.items.truncate(MAX_SAVED);
        Ok(())
    }

    /// Removes the message at `index` (out of range does nothing).
    pub fn remove(&mut self, index: usize) {
        if index < self.items.len() {
            self.items.remove(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(topic: &str, payload: &str) -> SavedMessage {
        SavedMessage {
            topic: topic.into(),
            payload: payload.into(),
            qos: 2,
            retain: true,
        }
    }

    #[test]
    fn add_puts_new_first_moves_repeats_up_and_round_trips() {
        let mut s = SavedMessages::default();
        s.add(msg("a", "1")).unwrap();
        s.add(msg("b", "2")).unwrap();
        s.add(msg("a", "1")).unwrap();
        assert_eq!(s.items, [msg("a", "1"), msg("b", "2")]);
        let back = SavedMessages::from_json(&s.to_json());
        assert_eq!(back, s);
        s.remove(0);
        s.remove(7);
        assert_eq!(s.items, [msg("b", "2")]);
    }

    #[test]
    fn bad_input_is_refused_in_words_and_bad_storage_is_an_empty_list() {
        let mut s = SavedMessages::default();
        assert!(s
            .add(msg(" ", "1"))
            .unwrap_err()
            .starts_with("Type a topic"));
        let long = "x".repeat(MAX_SAVED_PAYLOAD + 1);
        assert!(s.add(msg("a", &long)).unwrap_err().starts_with("Too long"));
        assert!(s.items.is_empty());
        assert_eq!(
            SavedMessages::from_json("{not json"),
            SavedMessages::default()
        );
        for i in 0..MAX_SAVED + 5 {
            s.add(msg("t", &i.to_string())).unwrap();
        }
        assert_eq!(s.items.len(), MAX_SAVED);
        assert_eq!(s.items[0].payload, (MAX_SAVED + 4).to_string());
    }

    #[test]
    fn labels_show_the_topic_and_a_short_first_line() {
        assert_eq!(msg("a/b", "ON").label(), "a/b · ON");
        assert_eq!(msg("a", "").label(), "a (empty)");
        let long = format!("{}\nsecond", "y".repeat(60));
        assert_eq!(msg("a", &long).label(), format!("a · {}…", "y".repeat(40)));
        assert_eq!(saved_key("p1234", "Home"), "lampboard.saved.p1234");
        assert_eq!(saved_key("", "Home"), "lampboard.saved-messages.Home");
    }
}
