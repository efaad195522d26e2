//! Whether a lamp can be reached, from one or more availability topics, the way Home
//! Assistant combines them (`availability_mode`: all, any, latest). Shared by every system:
//! a binding says which topics and how to read them, this decides what they add up to.

use std::collections::BTreeMap;

/// How several availability topics combine (Home Assistant's `availability_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AvailabilityMode {
    /// Available only when every topic says available (HA's default).
    #[default]
    All,
    /// Available when any topic says available.
    Any,
    /// The last message on any of the topics decides.
    Latest,
}

impl AvailabilityMode {
    /// Parses HA's names; unknown names fall back to `all`, HA's default.
    pub fn from_name(name: &str) -> AvailabilityMode {
        match name.trim() {
            "any" => AvailabilityMode::Any,
            "latest" => AvailabilityMode::Latest,
            _ => AvailabilityMode::All,
        }
    }
}

/// What each availability topic last said, per lamp.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AvailabilityState {
    heard: BTreeMap<String, bool>,
    latest: Option<bool>,
}

impl AvailabilityState {
    /// Records one reading; returns whether the combined answer may have changed.
    pub fn record(&mut self, topic: &str, available: bool) -> bool {
        let before = (self.heard.get(topic).copied(), self.latest);
        self.heard.insert(topic.to_owned(), available);
        self.latest = Some(available);
        before != (Some(available), Some(available))
    }

    /// Whether any availability topic has said anything yet, so the card can tell "says it
    /// is offline" from "has not said it is online".
    pub fn heard_any(&self) -> bool {
        self.latest.is_some()
    }

    /// Whether the lamp is available: `topics` are the lamp's availability topics (none means
    /// always available), `before_heard` what a topic that has said nothing yet counts as.
    pub fn available(&self, topics: &[String], mode: AvailabilityMode, before_heard: bool) -> bool {
        if topics.is_empty() {
            return true;
        }
        let value = |t: &String| self.heard.get(t).copied().unwrap_or(before_heard);
        match mode {
            AvailabilityMode::All => topics.iter().all(value),
            AvailabilityMode::Any => topics.iter().any(value),
            AvailabilityMode::Latest => self.latest.unwrap_or(before_heard),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn modes_combine_topics_as_home_assistant_does() {
        let mut s = AvailabilityState::default();
        assert!(!s.available(&topics(), AvailabilityMode::All, false));
        assert!(s.available(&topics(), AvailabilityMode::All, true));
        s.record("a", true);
        assert!(!s.available(&topics(), AvailabilityMode::All, false));
        assert!(s.available(&topics(), AvailabilityMode::Any, false));
        assert!(s.available(&topics(), AvailabilityMode::Latest, false));
        s.record("b", false);
        assert!(!s.available(&topics(), AvailabilityMode::All, false));
        assert!(s.available(&topics(), AvailabilityMode::Any, false));
        assert!(!s.available(&topics(), AvailabilityMode::Latest, false));
        s.record("b", true);
        assert!(s.available(&topics(), AvailabilityMode::All, false));
        assert!(s.available(&[], AvailabilityMode::All, false));
        assert_eq!(
            AvailabilityMode::from_name("latest"),
            AvailabilityMode::Latest
        );
        assert_eq!(AvailabilityMode::from_name("bogus"), AvailabilityMode::All);
    }
}
