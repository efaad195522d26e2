//! Wiring a [`Throttle`] to a slider or picker: `input` events are rate
//! limited, `change` (release) always sends the final value.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::throttle::{Step, Throttle};

/// Minimum spacing of messages while a control is dragged.
pub const DRAG_INTERVAL_MS: f64 = 100.0;

/// A rate-limited sender for one control; `Copy`, so event closures can share it.
pub struct Throttled<T: 'static> {
    throttle: StoredValue<Throttle<T>, LocalStorage>,
    timer: StoredValue<Option<Timeout>, LocalStorage>,
    send: StoredValue<Box<dyn Fn(T)>, LocalStorage>,
}

impl<T: 'static> Clone for Throttled<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: 'static> Copy for Throttled<T> {}

fn now() -> f64 {
    js_sys::Date::now()
}

impl<T: Clone + PartialEq + 'static> Throttled<T> {
    /// Wraps `send`, the function that publishes one value.
    pub fn new(send: impl Fn(T) + 'static) -> Self {
        Self {
            throttle: StoredValue::new_local(Throttle::new(DRAG_INTERVAL_MS)),
            timer: StoredValue::new_local(None),
            send: StoredValue::new_local(Box::new(send)),
        }
    }

    /// The value moved while dragging.
    pub fn input(self, value: T) {
        let step = self.throttle.try_update_value(|t| t.input(value, now()));
        self.apply(step);
    }

    /// The user let go.
    pub fn commit(self, value: T) {
        self.timer.set_value(None);
        let step = self.throttle.try_update_value(|t| t.commit(value, now()));
        self.apply(step);
    }

    fn apply(self, step: Option<Step<T>>) {
        match step {
            Some(Step::Send(v)) => self.send.with_value(|send| send(v)),
            Some(Step::WaitUntil(at)) => {
                if self.timer.with_value(Option::is_none) {
                    let wait = (at - now()).max(0.0) as u32;
                    let timeout = Timeout::new(wait, move || {
                        self.timer.set_value(None);
                        let step = self.throttle.try_update_value(|t| t.tick(now()));
                        self.apply(step);
                    });
                    self.timer.set_value(Some(timeout));
                }
            }
            Some(Step::Idle) | None => {}
        }
    }
}
