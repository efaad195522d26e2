//! Time as plain milliseconds.
//!
//! `std::time::Instant` panics on wasm32-unknown-unknown, and a sans-IO session
//! must not read a clock anyway: the caller passes the time in. In the browser
//! that is `performance.now()`; in tests it is a number the test chooses.

/// A point in time: milliseconds since an origin the caller picks (only
/// differences matter). Kept as its own type so a duration in seconds (the MQTT
/// keep-alive) cannot be mixed up with a point in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// Converts `performance.now()` (fractional milliseconds, never negative in
    /// practice) without panicking on odd values: NaN and negatives become 0.
    pub fn from_f64(ms: f64) -> Self {
        if ms.is_finite() && ms > 0.0 {
            // `as` saturates for floats above u64::MAX.
            Millis(ms as u64)
        } else {
            Millis(0)
        }
    }

    /// This point plus `ms` milliseconds, saturating, so a huge keep-alive or a
    /// clock near the end of the range cannot overflow into the past.
    pub fn plus(self, ms: u64) -> Self {
        Millis(self.0.saturating_add(ms))
    }
}
