//! Keeping sliders and colour pickers from flooding the broker: while the user
//! drags, at most one message per interval goes out, and the value they let go
//! at is always sent. Pure, with the clock passed in, so it is tested natively.

/// What the control should do after an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<T> {
    /// Publish this value now.
    Send(T),
    /// Nothing now; call [`Throttle::tick`] at this time (ms) to send the latest value.
    WaitUntil(f64),
    /// Nothing to do: the value was already sent.
    Idle,
}

/// Rate limiter for one control.
#[derive(Debug, Clone)]
pub struct Throttle<T> {
    interval_ms: f64,
    last_sent_at: Option<f64>,
    last_sent: Option<T>,
    latest: Option<T>,
}

impl<T: Clone + PartialEq> Throttle<T> {
    /// A throttle that sends at most once per `interval_ms` while dragging.
    pub fn new(interval_ms: f64) -> Self {
        Self {
            interval_ms,
            last_sent_at: None,
            last_sent: None,
            latest: None,
        }
    }

    /// The value moved (an `input` event).
    pub fn input(&mut self, value: T, now: f64) -> Step<T> {
        self.latest = Some(value);
        match self.last_sent_at {
            Some(at) if now - at < self.interval_ms => Step::WaitUntil(at + self.interval_ms),
            _ => self.send_latest(now),
        }
    }

    /// The timer from [`Step::WaitUntil`] fired.
    pub fn tick(&mut self, now: f64) -> Step<T> {
        match self.last_sent_at {
            Some(at) if now - at < self.interval_ms => Step::WaitUntil(at + self.interval_ms),
            _ => self.send_latest(now),
        }
    }

    /// The user let go (a `change` event): the final value goes out now unless
    /// it is exactly what was last sent.
    pub fn commit(&mut self, value: T, now: f64) -> Step<T> {
        self.latest = Some(value);
        self.send_latest(now)
    }

    fn send_latest(&mut self, now: f64) -> Step<T> {
        match self.latest.take() {
            Some(v) if self.last_sent.as_ref() != Some(&v) => {
                self.last_sent = Some(v.clone());
                self.last_sent_at = Some(now);
                Step::Send(v)
            }
            _ => Step::Idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drag_sends_at_most_once_per_interval_and_always_the_final_value() {
        let mut t = Throttle::new(100.0);
        let mut sent = Vec::new();
        let mut timer: Option<f64> = None;
        // A 1-second drag with an input every 10 ms, values 0..=100.
        for i in 0..=100u32 {
            let now = f64::from(i) * 10.0;
            if let Some(at) = timer {
                if now >= at {
                    timer = None;
                    if let Step::Send(v) = t.tick(now) {
                        sent.push((now, v));
                    }
                }
            }
            match t.input(i, now) {
                Step::Send(v) => sent.push((now, v)),
                Step::WaitUntil(at) => timer = Some(timer.map_or(at, |t: f64| t.min(at))),
                Step::Idle => {}
            }
        }
        if let Step::Send(v) = t.commit(100, 1000.0) {
            sent.push((1000.0, v));
        }
        // While dragging (everything before the release) messages are >= 100 ms apart;
        // the release itself may follow at once, since the final value must go out.
        let (release, drag) = sent.split_last().expect("something was sent");
        for pair in drag.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= 100.0, "{sent:?}");
        }
        assert_eq!(release.0, 1000.0);
        assert_eq!(sent.first().map(|s| s.1), Some(0));
        assert_eq!(sent.last().map(|s| s.1), Some(100));
        assert!(sent.len() <= 12, "{} messages for a 1 s drag", sent.len());
    }

    #[test]
    fn committing_the_value_already_sent_sends_nothing() {
        let mut t = Throttle::new(100.0);
        assert_eq!(t.input(5, 0.0), Step::Send(5));
        assert_eq!(t.commit(5, 10.0), Step::Idle);
        assert_eq!(t.commit(6, 20.0), Step::Send(6));
    }

    #[test]
    fn a_tick_with_nothing_new_is_idle_and_an_early_tick_waits() {
        let mut t = Throttle::new(100.0);
        assert_eq!(t.input(1, 0.0), Step::Send(1));
        assert_eq!(t.input(2, 50.0), Step::WaitUntil(100.0));
        assert_eq!(t.tick(60.0), Step::WaitUntil(100.0));
        assert_eq!(t.tick(100.0), Step::Send(2));
        assert_eq!(t.tick(300.0), Step::Idle);
    }
}
