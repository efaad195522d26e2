//! What the directory's events ask the broker for (new subscriptions, state requests), sent
//! once for a run of messages handled together instead of once per message. A replay of held
//! discovery configs, or a last visit's snapshot, finds a lamp per message, and each one
//! recomputed the whole subscription set (the filters reduced, the exact topics matched):
//! work that grew with the square of the lamps, a third of the replay's long task in a CPU
//! profile of a throttled first visit.

use leptos::prelude::{UpdateValue, WithValue};

use super::Store;
use crate::lamp::Outgoing;

/// What a batch owes the broker when it ends.
#[derive(Default)]
pub(super) struct Outbox {
    /// The directory's subscriptions changed: compute and send them once.
    resubscribe: bool,
    /// State requests (Zigbee2MQTT's `/get`, Tasmota's `State`), sent after the
    /// subscriptions so their answers find the page subscribed.
    ask: Vec<Outgoing>,
}

impl Store {
    /// Runs `work` (which handles messages) with the subscription changes and state requests
    /// it causes held back, then sends them once: the subscriptions first, then the requests,
    /// the order [`Store::apply_directory_events`] keeps for a single message. A batch inside
    /// a batch joins the outer one.
    pub(super) fn batched<R>(&self, work: impl FnOnce() -> R) -> R {
        let outer = self.outbox.try_with_value(Option::is_some).unwrap_or(false);
        if outer {
            return work();
        }
        self.outbox
            .try_update_value(|o| *o = Some(Outbox::default()));
        let result = work();
        let owed = self
            .outbox
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_default();
        if owed.resubscribe {
            self.sync_subscriptions();
        }
        self.publish_quietly(owed.ask);
        result
    }

    /// The directory's subscriptions changed: synced now, or at the end of the batch.
    pub(super) fn subscriptions_changed(&self) {
        let batched = self
            .outbox
            .try_update_value(|o| o.as_mut().map(|o| o.resubscribe = true).is_some())
            .unwrap_or(false);
        if !batched {
            self.sync_subscriptions();
        }
    }

    /// State requests for new lamps: sent now, or at the end of the batch (after its
    /// subscriptions).
    pub(super) fn ask_quietly(&self, ask: Vec<Outgoing>) {
        if ask.is_empty() {
            return;
        }
        let unbatched = self
            .outbox
            .try_update_value(move |o| match o.as_mut() {
                Some(o) => {
                    o.ask.extend(ask);
                    None
                }
                None => Some(ask),
            })
            .flatten();
        if let Some(ask) = unbatched {
            self.publish_quietly(ask);
        }
    }
}
