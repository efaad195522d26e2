//! The first screen of a first visit, drawn once its lamps have arrived.
//!
//! With nothing kept from an earlier visit, a page's lamps arrive after the SUBACK as a burst
//! of retained messages in the broker's order, not the page's: each new lamp can open a room
//! above the one being read or slot a tile in before others, and a Zigbee2MQTT device list or
//! a Tasmota answer can rename and move tiles a moment later. Drawn as they come, the page
//! jumps for a second on a slow phone (issue 17 measured a layout shift of 0.29). So when a
//! connection starts with no lamps at all, the dashboard keeps its "connecting" view until the
//! lamp list has been quiet for [`QUIET_MS`] after the SUBACK, [`CAP_MS`] after the CONNACK at
//! the latest, and then shows every room at once. A page that has lamps (a snapshot of the
//! last visit, or a reconnect) never waits.
//!
//! The client follows each SUBSCRIBE with a PINGREQ (`SessionOptions::settle_probes`); a broker
//! answers a client's packets in order, so its PINGRESP comes after the retained messages it
//! queued for that SUBSCRIBE. Once every SUBSCRIBE so far is settled that way, the burst is in,
//! and the wait shrinks to [`SETTLE_MS`] of quiet: the first screen comes as soon as the lamps
//! are there instead of [`QUIET_MS`] later. A broker that answered early (or a publisher with
//! no probes) is still covered by the quiet time after each change, and [`CAP_MS`] by the cap.
//!
//! Lamps whose messages wait for code fetched on first need (Home Assistant's template engine,
//! a lamp system's chunk) keep the wait going until it has arrived and they are in, within a
//! longer cap, [`CODE_CAP_MS`]: on a slow first visit the chunks of a home's systems take
//! longer than the retained burst, and lamps drawn after the first screen would shift it.
//!
//! When the first screen is final (the wait is over, or there was none), the page hears
//! `lampboard-settled`: boot.js registers the service worker then, so its install, which
//! downloads every file of the app, does not share a slow first visit's link with the chunks
//! the first screen waits for.

use leptos::prelude::*;

use super::Store;

/// How long the lamp list must stay unchanged after the SUBACK before the first screen is
/// drawn: a local broker's retained burst and the answers to the connect hello come well
/// within it.
pub const QUIET_MS: f64 = 300.0;
/// The quiet time once the broker has answered the probe after every SUBSCRIBE: the lamps
/// are in, and this only lets a lamp that is a message behind (a cascade's own state) land
/// in the same frame.
pub const SETTLE_MS: f64 = 50.0;
/// The longest the first screen waits after the CONNACK, whatever still arrives.
pub const CAP_MS: f64 = 2500.0;
/// The longest it waits after the CONNACK while lamps wait for code fetched on first need.
pub const CODE_CAP_MS: f64 = 8000.0;

/// The wait's deadlines, in `Date.now()` milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Arrival {
    /// The end of the wait at the latest; `None` when not waiting.
    cap: Option<f64>,
    /// When the lamp list last changed after the SUBACK; `None` before the SUBACK.
    quiet_from: Option<f64>,
    /// Every SUBSCRIBE so far has been answered by its probe's PINGRESP.
    settled: bool,
    /// Lamps waited for code fetched on first need: the cap is [`CODE_CAP_MS`].
    code_awaited: bool,
}

impl Arrival {
    /// The end of the wait at the latest.
    fn limit(&self) -> Option<f64> {
        let cap = self.cap?;
        Some(if self.code_awaited {
            cap - CAP_MS + CODE_CAP_MS
        } else {
            cap
        })
    }

    /// When the wait ends, given what is known now.
    fn due(&self) -> Option<f64> {
        let cap = self.limit()?;
        let quiet = if self.settled { SETTLE_MS } else { QUIET_MS };
        Some(self.quiet_from.map_or(cap, |q| (q + quiet).min(cap)))
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Tells the page the first screen is final (boot.js then registers the service worker).
fn settled() {
    if let Some(window) = web_sys::window() {
        if let Ok(event) = web_sys::Event::new("lampboard-settled") {
            let _ = window.dispatch_event(&event);
        }
    }
}

impl Store {
    /// The CONNACK: a store with no lamps waits for them; one that resumed a stored session
    /// gets no new SUBACK, so it does not wait.
    pub(super) fn arrival_connected(&self, session_present: bool) {
        let waiting = self.arriving.try_get_untracked().unwrap_or(true);
        if session_present || waiting || self.lamp_count() > 0 {
            if !waiting {
                settled();
            }
            return;
        }
        self.arrival.set_value(Arrival {
            cap: Some(now() + CAP_MS),
            quiet_from: None,
            settled: false,
            code_awaited: false,
        });
        self.arriving.set(true);
        self.arrival_check_in(CAP_MS);
    }

    /// A SUBACK: the retained burst follows; the quiet time starts now.
    pub(super) fn arrival_subscribed(&self) {
        if self.arriving.try_get_untracked() != Some(true) {
            return;
        }
        // A SUBACK after the burst settled means a new SUBSCRIBE: its own probe follows.
        self.arrival.update_value(|a| {
            a.quiet_from = Some(now());
            a.settled = false;
        });
        self.arrival_check_in(QUIET_MS);
    }

    /// The probe after a SUBSCRIBE was answered: with no SUBSCRIBE still open, the retained
    /// burst is in and the wait shrinks to [`SETTLE_MS`].
    pub(super) fn arrival_settled(&self, more_pending: bool) {
        if self.arriving.try_get_untracked() != Some(true) || more_pending {
            return;
        }
        self.arrival.update_value(|a| {
            a.quiet_from = Some(now());
            a.settled = true;
        });
        self.arrival_check_in(SETTLE_MS);
    }

    /// The lamp list changed: while waiting after the SUBACK, the quiet time starts again.
    pub(super) fn arrival_lamps_changed(&self) {
        if self.arriving.try_get_untracked() != Some(true) {
            return;
        }
        self.arrival.update_value(|a| {
            if a.quiet_from.is_some() {
                a.quiet_from = Some(now());
            }
        });
    }

    /// The wait ends (its time is up, or the connection ended): the dashboard draws.
    pub(super) fn arrival_end(&self) {
        settled();
        self.arrival.try_set_value(Arrival::default());
        if self.arriving.try_get_untracked() == Some(true) {
            self.arriving.try_set(false);
        }
    }

    fn arrival_check_in(&self, ms: f64) {
        let store = *self;
        let ms = ms.clamp(0.0, CAP_MS) as u32;
        gloo_timers::callback::Timeout::new(ms, move || store.arrival_check()).forget();
    }

    fn arrival_check(&self) {
        if self.arriving.try_get_untracked() != Some(true) {
            return;
        }
        // Lamps whose messages wait for code (the template engine, a system's chunk) are part
        // of this first screen too: while it loads (within the longer cap) the wait goes on,
        // and the replay's lamps restart the quiet time. A chunk that could not be fetched is
        // not waited for.
        let code_loading = self
            .directory
            .try_with_value(|d| d.waiting_for_code())
            .unwrap_or(false)
            && !self.code_failed();
        let mut arrival = self.arrival.try_get_value().unwrap_or_default();
        if code_loading && !arrival.code_awaited {
            arrival.code_awaited = true;
            self.arrival.try_set_value(arrival);
        }
        let (Some(due), Some(limit)) = (arrival.due(), arrival.limit()) else {
            self.arrival_end();
            return;
        };
        let left = due - now();
        let limit_left = limit - now();
        if left > 0.0 {
            self.arrival_check_in(left);
        } else if code_loading && limit_left > 0.0 {
            self.arrival_check_in(SETTLE_MS.min(limit_left));
        } else {
            self.arrival_end();
        }
    }
}
