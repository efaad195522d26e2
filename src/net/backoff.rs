//! When to try the broker again after a connection is lost.
//!
//! Exponential backoff with jitter keeps a house full of tabs from hammering a
//! broker that just restarted, and from storming one that refuses the login.

/// First retry delay.
pub const BASE_MS: u32 = 1_000;
/// No retry waits longer than this.
pub const CAP_MS: u32 = 30_000;
/// A connection that lasted this long counts as stable and resets the backoff.
pub const STABLE_MS: u64 = 10_000;

/// Retry timing: 1 s doubling to a 30 s cap, each delay jittered down by up
/// to half ("equal jitter"), reset after a stable connection.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// A fresh policy: the next retry waits about one second.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many attempts failed in a row since the last stable connection.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The ceiling for the next delay, before jitter.
    pub fn ceiling_ms(&self) -> u32 {
        let shift = self.failures.min(5);
        BASE_MS.saturating_mul(1 << shift).min(CAP_MS)
    }

    /// Records a failed or lost connection and returns how long to wait.
    /// `random` is uniform in [0, 1) (Math.random in the browser, fixed in tests).
    pub fn next_delay_ms(&mut self, random: f64) -> u32 {
        let ceiling = self.ceiling_ms();
        self.failures = self.failures.saturating_add(1);
        let r = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let half = ceiling / 2;
        half + (f64::from(ceiling - half) * r) as u32
    }

    /// Called when a connection ends: a connection that lasted `STABLE_MS` or
    /// more starts the backoff from the beginning again.
    pub fn connection_ended(&mut self, lasted_ms: u64) {
        if lasted_ms >= STABLE_MS {
            self.failures = 0;
        }
    }

    /// Forgets past failures: the user asked to connect, or the network came back.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second_to_the_cap() {
        let mut b = Backoff::new();
        let ceilings: Vec<u32> = (0..8)
            .map(|_| {
                let c = b.ceiling_ms();
                b.next_delay_ms(0.999_999);
                c
            })
            .collect();
        assert_eq!(
            ceilings,
            [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
    }

    #[test]
    fn jitter_stays_between_half_and_the_ceiling() {
        let mut low = Backoff::new();
        let mut high = Backoff::new();
        for _ in 0..10 {
            let c = low.ceiling_ms();
            let l = low.next_delay_ms(0.0);
            let h = high.next_delay_ms(0.999_999);
            assert_eq!(l, c / 2);
            assert!(h <= c && h >= c - 1, "{h} vs {c}");
        }
        assert_eq!(Backoff::new().next_delay_ms(f64::NAN), 500);
    }

    #[test]
    fn a_stable_connection_resets_but_a_short_one_does_not() {
        let mut b = Backoff::new();
        for _ in 0..4 {
            b.next_delay_ms(0.5);
        }
        b.connection_ended(2_000);
        assert_eq!(b.ceiling_ms(), 16_000);
        b.connection_ended(STABLE_MS);
        assert_eq!(b.ceiling_ms(), 1_000);
        b.next_delay_ms(0.5);
        b.reset();
        assert_eq!(b.failures(), 0);
    }
}
