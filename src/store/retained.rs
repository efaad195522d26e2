//! Brokers that withhold retained messages from wildcard subscriptions (RabbitMQ 3.x
//! delivers a topic's retained message only to a subscription on that exact topic).
//! Pure, tested natively:
//! - [`exact_topics_to_add`]: which topics the app already knows (offline snapshot,
//!   discovery-bound state topics) to subscribe exactly, beside the wildcards, so known
//!   lamps come back with their retained state at once on such a broker;
//! - [`RetainedWatch`]: noticing that a wildcard lamp filter produced no retained
//!   message while the exact topics under it did, to say so in words;
//! - [`Dedupe`]: the second copy of a message that a broker delivers once per matching
//!   subscription (Mosquitto does, for those deliberately overlapping exact topics).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::mqtt::topic::filter_matches;

/// At most this many exact topics are added (the offline snapshot keeps 600): one
/// SUBSCRIBE stays a few KB, and a house of 10,000 discovered lamps does not become
/// 10,000 subscriptions.
pub const MAX_EXACT_TOPICS: usize = 600;

/// How long after a wildcard's SUBACK the watch waits before it says the broker
/// withheld the retained messages: retained messages follow a SUBACK at once, and a
/// few seconds covers a slow link.
pub const WITHHELD_WAIT_MS: f64 = 3_000.0;

/// How close two copies of one message must arrive to count as one delivery per
/// matching subscription: copies come back to back, or within one retained burst.
pub const DEDUPE_WINDOW_MS: f64 = 2_000.0;

fn is_wildcard(filter: &str) -> bool {
    filter.contains(['+', '#'])
}

/// The known topics, in the order given and without repeats, that a wildcard in
/// `filters` matches and that are not already subscribed exactly, at most
/// [`MAX_EXACT_TOPICS`]. A topic no filter matches is not a lamp topic the user asked
/// for (the settings changed), so it is not added.
pub fn exact_topics_to_add<'a>(
    filters: &[String],
    known: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let exact: BTreeSet<&str> = filters
        .iter()
        .map(String::as_str)
        .filter(|f| !is_wildcard(f))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for topic in known {
        if out.len() == MAX_EXACT_TOPICS {
            break;
        }
        if exact.contains(topic) || !seen.insert(topic) {
            continue;
        }
        let under_wildcard = filters
            .iter()
            .any(|f| is_wildcard(f) && filter_matches(f, topic));
        if under_wildcard {
            out.push(topic.to_owned());
        }
    }
    out
}

/// What is known about one wildcard filter's retained messages.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Watched {
    /// When its SUBACK arrived.
    since: f64,
    /// No other SUBACK arrived since its own: a retained message on a matching topic
    /// now can only have come through this wildcard (a broker answers one SUBSCRIBE
    /// with its SUBACK and its retained messages before it reads the next).
    open: bool,
    /// A retained message came through it: the broker delivers retained to wildcards.
    proven: bool,
    /// A retained message on a topic it matches came only later, through an exact
    /// subscription: the broker has such messages and kept them from the wildcard.
    exact_only: bool,
}

/// Watches the wildcard lamp filters after their SUBACK. The store subscribes the
/// wildcards first and the exact topics in a second SUBSCRIBE, so on a broker that
/// delivers retained to wildcards (Mosquitto, EMQX, HiveMQ, aedes) the first SUBACK is
/// followed by retained messages before the second; on RabbitMQ only the second is.
#[derive(Debug, Default)]
pub struct RetainedWatch {
    filters: BTreeMap<String, Watched>,
    reported: bool,
}

impl RetainedWatch {
    /// An empty watch (a new connection or client).
    pub fn new() -> Self {
        Self::default()
    }

    /// A SUBACK granted `granted` at `now`: windows of earlier SUBACKs close, and each
    /// wildcard among `granted` starts being watched.
    pub fn subscribed<'a>(&mut self, granted: impl IntoIterator<Item = &'a str>, now: f64) {
        for w in self.filters.values_mut() {
            w.open = false;
        }
        for f in granted.into_iter().filter(|f| is_wildcard(f)) {
            self.filters.insert(
                f.to_owned(),
                Watched {
                    since: now,
                    open: true,
                    proven: false,
                    exact_only: false,
                },
            );
        }
    }

    /// A retained message arrived on `topic`.
    pub fn retained(&mut self, topic: &str) {
        for (filter, w) in self.filters.iter_mut() {
            if w.proven || !filter_matches(filter, topic) {
                continue;
            }
            if w.open {
                w.proven = true;
            } else {
                w.exact_only = true;
            }
        }
    }

    /// The wildcard filters that, [`WITHHELD_WAIT_MS`] after their SUBACK, gave no
    /// retained message while exact topics under them did: the first time only (the
    /// notice is said once), empty otherwise.
    pub fn withheld(&mut self, now: f64) -> Vec<String> {
        if self.reported {
            return Vec::new();
        }
        let found: Vec<String> = self
            .filters
            .iter()
            .filter(|(_, w)| !w.proven && w.exact_only && now >= w.since + WITHHELD_WAIT_MS)
            .map(|(f, _)| f.clone())
            .collect();
        self.reported = !found.is_empty();
        found
    }
}

/// The notice for [`RetainedWatch::withheld`] filters: what happened, the likely
/// reason, and what to do.
pub fn withheld_notice(filters: &[String]) -> String {
    let under = if filters.len() == 1 {
        "it"
    } else {
        "these filters"
    };
    format!(
        "No retained message came through {}, though exact topics under {under} have them: this \
         broker does not send retained messages to wildcard subscriptions (RabbitMQ does \
         this). Lamps seen before are subscribed exactly and show their state; a new lamp \
         appears when it next reports. To list them all at once, add their exact topics as \
         lamp filters in Settings, or use a broker that sends retained messages to wildcards \
         (Mosquitto, EMQX, HiveMQ).",
        filters.join(", ")
    )
}

/// Drops the second copy of a message on a deliberately overlapping topic.
#[derive(Debug, Default)]
pub struct Dedupe {
    /// Per topic: the last copy's payload, retain flag and arrival time.
    last: HashMap<String, (Vec<u8>, bool, f64)>,
}

impl Dedupe {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether this message is a copy to drop: the same topic, payload and retain flag
    /// as the previous message on `topic`, within [`DEDUPE_WINDOW_MS`]. Only topics in
    /// `overlapping` (subscribed exactly under a wildcard) are checked: elsewhere a
    /// repeated message is a real repeat.
    pub fn is_copy(
        &mut self,
        overlapping: &BTreeSet<String>,
        topic: &str,
        payload: &[u8],
        retain: bool,
        now: f64,
    ) -> bool {
        if !overlapping.contains(topic) {
            return false;
        }
        if let Some((p, r, at)) = self.last.get_mut(topic) {
            if p.as_slice() == payload && *r == retain && now - *at <= DEDUPE_WINDOW_MS {
                // The copy closes the pair: a third identical message is a real repeat.
                *at = f64::NEG_INFINITY;
                return true;
            }
            p.clear();
            p.extend_from_slice(payload);
            *r = retain;
            *at = now;
            return false;
        }
        self.last
            .insert(topic.to_owned(), (payload.to_vec(), retain, now));
        false
    }

    /// Forgets topics no longer subscribed exactly.
    pub fn retain_topics(&mut self, overlapping: &BTreeSet<String>) {
        self.last.retain(|t, _| overlapping.contains(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn known_topics_under_a_wildcard_are_added_once_and_in_order() {
        let filters = strings(&[
            "smarthome/+/lamps/#",
            "homeassistant/light/#",
            "zigbee2mqtt/bridge/devices",
            "zigbee2mqtt/desk",
        ]);
        let known = [
            "smarthome/hall/lamps/ceiling",
            "homeassistant/light/a/config",
            "zigbee2mqtt/desk",
            "smarthome/hall/lamps/ceiling",
            "other/topic",
            "zigbee2mqtt/bridge/devices",
        ];
        assert_eq!(
            exact_topics_to_add(&filters, known),
            [
                "smarthome/hall/lamps/ceiling",
                "homeassistant/light/a/config"
            ]
        );
    }

    #[test]
    fn at_most_max_exact_topics_are_added() {
        let filters = strings(&["a/#"]);
        let known: Vec<String> = (0..2 * MAX_EXACT_TOPICS)
            .map(|i| format!("a/{i}"))
            .collect();
        let added = exact_topics_to_add(&filters, known.iter().map(String::as_str));
        assert_eq!(added.len(), MAX_EXACT_TOPICS);
        assert_eq!(added[0], "a/0");
    }

    #[test]
    fn a_wildcard_silent_while_exact_topics_answer_is_reported_once_after_the_wait() {
        let mut w = RetainedWatch::new();
        w.subscribed(
            ["smarthome/+/lamps/#", "zigbee2mqtt/bridge/devices"],
            1_000.0,
        );
        // RabbitMQ: the exact SUBACK follows at once, then retained only through it.
        w.subscribed(["smarthome/hall/lamps/ceiling"], 1_010.0);
        w.retained("smarthome/hall/lamps/ceiling");
        assert!(w.withheld(3_999.0).is_empty(), "not before the wait");
        assert_eq!(w.withheld(4_000.0), ["smarthome/+/lamps/#"]);
        assert!(w.withheld(9_000.0).is_empty(), "said once");
    }

    #[test]
    fn a_wildcard_that_delivers_retained_is_never_reported() {
        let mut w = RetainedWatch::new();
        w.subscribed(["smarthome/+/lamps/#"], 0.0);
        // Mosquitto: the wildcard's retained messages come before the exact SUBACK.
        w.retained("smarthome/hall/lamps/ceiling");
        w.subscribed(["smarthome/hall/lamps/ceiling"], 5.0);
        w.retained("smarthome/hall/lamps/ceiling");
        assert!(w.withheld(60_000.0).is_empty());
    }

    #[test]
    fn an_empty_broker_is_not_reported() {
        let mut w = RetainedWatch::new();
        w.subscribed(["smarthome/+/lamps/#"], 0.0);
        w.subscribed(["smarthome/hall/lamps/ceiling"], 5.0);
        assert!(w.withheld(60_000.0).is_empty(), "no evidence either way");
    }

    #[test]
    fn the_notice_names_the_filter_the_reason_and_what_to_do() {
        let text = withheld_notice(&strings(&["smarthome/+/lamps/#"]));
        assert!(text.contains("smarthome/+/lamps/#"));
        assert!(text.contains("RabbitMQ"));
        assert!(text.contains("exact topics as lamp filters"));
        assert!(text.contains("exact topics under it have them"), "{text}");
        let two = withheld_notice(&strings(&["homeassistant/light/#", "smarthome/+/lamps/#"]));
        assert!(
            two.starts_with(
                "No retained message came through homeassistant/light/#, smarthome/+/lamps/#, \
                 though exact topics under these filters have them:"
            ),
            "{two}"
        );
    }

    #[test]
    fn a_copy_on_an_overlapping_topic_is_dropped_once() {
        let overlapping: BTreeSet<String> = ["a/1".to_owned()].into();
        let mut d = Dedupe::new();
        assert!(!d.is_copy(&overlapping, "a/1", b"on", true, 0.0));
        assert!(d.is_copy(&overlapping, "a/1", b"on", true, 10.0));
        assert!(
            !d.is_copy(&overlapping, "a/1", b"on", true, 20.0),
            "a third is real"
        );
        assert!(!d.is_copy(&overlapping, "a/1", b"off", false, 30.0));
        assert!(d.is_copy(&overlapping, "a/1", b"off", false, 31.0));
        // A different retain flag, a late copy or another topic is not a copy.
        assert!(!d.is_copy(&overlapping, "a/1", b"x", true, 40.0));
        assert!(!d.is_copy(&overlapping, "a/1", b"x", false, 41.0));
        assert!(!d.is_copy(&overlapping, "a/1", b"y", false, 50.0));
        assert!(!d.is_copy(
            &overlapping,
            "a/1",
            b"y",
            false,
            50.0 + DEDUPE_WINDOW_MS + 1.0
        ));
        assert!(!d.is_copy(&overlapping, "b/1", b"on", true, 0.0));
        assert!(!d.is_copy(&overlapping, "b/1", b"on", true, 1.0));
    }
}
