//! Recognising a seed lamp's own publishes when the broker sends them back.
//!
//! MQTT 3.1.1 has no "no local" subscription option, so a seed lamp, subscribed to its own
//! topic, receives everything it publishes. Taking such an echo for a write from another
//! client would make the lamp adopt an older state of its own (under `--flood`, echoes lag
//! behind newer publishes) and, answering it, feed a loop.
//!
//! Kept by time, not by count: at 50 000 messages per second a count-bounded memory of a few
//! hundred payloads overflows before the echoes come back (seen in practice), while every
//! echo on loopback arrives within milliseconds. Payloads are remembered as 64-bit hashes, so
//! lookups stay O(1) at any rate. Pure (the caller passes the time), so it is unit-tested.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

/// How long an own publish is expected back at most.
pub const ECHO_WINDOW: Duration = Duration::from_secs(5);

/// One lamp's publishes not yet seen coming back, oldest first.
#[derive(Debug, Default, Clone)]
pub struct EchoMemory {
    order: VecDeque<(Instant, u64)>,
    counts: HashMap<u64, u32>,
}

fn digest(payload: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    payload.hash(&mut h);
    h.finish()
}

impl EchoMemory {
    /// Remembers a payload just published.
    pub fn published(&mut self, payload: &[u8], now: Instant) {
        self.expire(now);
        let d = digest(payload);
        self.order.push_back((now, d));
        *self.counts.entry(d).or_insert(0) += 1;
    }

    /// True when `payload` is one of the remembered publishes coming back; that one and every
    /// older one are forgotten (the broker delivers one publisher's messages in order, so the
    /// older ones' echoes are gone or were already matched).
    pub fn take_echo(&mut self, payload: &[u8], now: Instant) -> bool {
        self.expire(now);
        let d = digest(payload);
        if !self.counts.contains_key(&d) {
            return false;
        }
        while let Some((_, front)) = self.order.pop_front() {
            self.forget(front);
            if front == d {
                break;
            }
        }
        true
    }

    /// Whether own publishes are still on their way (within the window).
    pub fn pending(&mut self, now: Instant) -> bool {
        self.expire(now);
        !self.order.is_empty()
    }

    /// Forgets everything: after a reconnect or once the subscription is in place, earlier
    /// publishes will never come back live.
    pub fn clear(&mut self) {
        self.order.clear();
        self.counts.clear();
    }

    fn forget(&mut self, d: u64) {
        if let Some(c) = self.counts.get_mut(&d) {
            *c -= 1;
            if *c == 0 {
                self.counts.remove(&d);
            }
        }
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&(at, d)) = self.order.front() {
            if now.saturating_duration_since(at) <= ECHO_WINDOW {
                break;
            }
            self.order.pop_front();
            self.forget(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_recognised_once_and_older_ones_dropped() {
        let t = Instant::now();
        let mut m = EchoMemory::default();
        m.published(b"A", t);
        m.published(b"B", t);
        m.published(b"C", t);
        assert!(m.pending(t));
        assert!(m.take_echo(b"B", t), "B is ours");
        assert!(
            !m.take_echo(b"A", t),
            "A's echo can no longer come: a write"
        );
        assert!(!m.take_echo(b"X", t), "never published");
        assert!(m.take_echo(b"C", t));
        assert!(!m.take_echo(b"C", t), "each publish comes back once");
        assert!(!m.pending(t));
    }

    #[test]
    fn repeated_payloads_are_counted() {
        let t = Instant::now();
        let mut m = EchoMemory::default();
        m.published(b"same", t);
        m.published(b"same", t);
        assert!(m.take_echo(b"same", t));
        assert!(m.take_echo(b"same", t));
        assert!(!m.take_echo(b"same", t));
    }

    #[test]
    fn a_flood_does_not_overflow_it_but_time_does() {
        let t = Instant::now();
        let mut m = EchoMemory::default();
        for i in 0..100_000u32 {
            m.published(&i.to_be_bytes(), t);
        }
        assert!(
            m.take_echo(&7u32.to_be_bytes(), t),
            "early publish still known"
        );
        assert!(m.take_echo(&99_999u32.to_be_bytes(), t));
        assert!(!m.pending(t));
        m.published(b"late", t);
        let later = t + ECHO_WINDOW + Duration::from_millis(1);
        assert!(!m.pending(later), "expired");
        assert!(!m.take_echo(b"late", later));
        m.published(b"x", later);
        m.clear();
        assert!(!m.pending(later) && !m.take_echo(b"x", later));
    }
}
