//! Messages the directory holds back until code they need has arrived: Home Assistant's
//! template engine (`lamp::templating`) or a lamp system's chunk (`lamp::systems::code`).
//! Discovery messages that need it, and, while any is held, the messages no lamp claims yet,
//! since they may be the held lamps' retained states (on a topic an existing wildcard covers,
//! the broker will not send them again).
//!
//! Kept as the last message per topic, in arrival order, with caps, so a broker that keeps
//! publishing while the engine loads cannot grow the page without bound.

/// Discovery messages held at most: more than any real house announces (a stand-in for a
/// system with wide filters, Shelly Gen2's `+/status/+`, holds everything there; past this the
/// oldest go first).
const CONFIG_LIMIT: usize = 4096;
/// Unclaimed messages held at most (the oldest go first).
const UNCLAIMED_LIMIT: usize = 1024;

/// One held message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// Its topic.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Whether it came retained.
    pub retained: bool,
}

/// What is held, configs first.
#[derive(Clone, Debug, Default)]
pub struct Deferred {
    configs: Vec<Held>,
    unclaimed: Vec<Held>,
}

impl Deferred {
    /// Whether messages are waiting for code.
    pub fn is_waiting(&self) -> bool {
        !self.configs.is_empty()
    }

    /// Holds a message that needs code; a newer one on its topic replaces it.
    pub fn hold_config(&mut self, topic: &str, payload: &[u8], retained: bool) {
        keep_last(&mut self.configs, topic, payload, retained, CONFIG_LIMIT);
    }

    /// Forgets the config held for `topic`: a newer message there (a removal, a config without
    /// templates) was handled at once, and replaying the held one would undo it.
    pub fn drop_config(&mut self, topic: &str) {
        self.configs.retain(|h| h.topic != topic);
    }

    /// Holds a message nothing claimed, if configs are waiting (else it is simply not a lamp's).
    pub fn hold_unclaimed(&mut self, topic: &str, payload: &[u8], retained: bool) {
        if self.is_waiting() {
            keep_last(
                &mut self.unclaimed,
                topic,
                payload,
                retained,
                UNCLAIMED_LIMIT,
            );
        }
    }

    /// Keeps only the held discovery messages whose topic `keep` accepts (a settings change:
    /// nothing waits for a system switched off); with none left, the unclaimed ones go too.
    pub fn retain_configs(&mut self, keep: impl Fn(&str) -> bool) {
        self.configs.retain(|h| keep(&h.topic));
        if self.configs.is_empty() {
            self.unclaimed.clear();
        }
    }

    /// Everything held, configs first then the rest in arrival order, and nothing held after.
    pub fn take(&mut self) -> Vec<Held> {
        let mut all = std::mem::take(&mut self.configs);
        all.append(&mut self.unclaimed);
        all
    }
}

fn keep_last(list: &mut Vec<Held>, topic: &str, payload: &[u8], retained: bool, limit: usize) {
    list.retain(|h| h.topic != topic);
    if list.len() >= limit {
        list.remove(0);
    }
    list.push(Held {
        topic: topic.to_owned(),
        payload: payload.to_vec(),
        retained,
    });
}
