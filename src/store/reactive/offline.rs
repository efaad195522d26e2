//! The store's side of the offline queue (`store::queue`): a change made while the broker is
//! out of reach waits in the profile's queue, persisted at once, the card showing "Will send
//! when connected"; when that profile connects again the queue is sent in order, once the
//! subscriptions' retained states came in (a moot change is dropped first), and each entry
//! leaves the queue when the broker took it. The rules are pure in `store::queue`.

use std::collections::HashSet;

use leptos::prelude::*;

use super::{local_storage, wall_clock, CardUpdate, Store};
use crate::lamp::{LampChange, LampId};
use crate::mqtt::session::PublishTicket;
use crate::net::status::ConnectionStatus;
use crate::store::profile_keys::ProfileKeys;
use crate::store::queue::{coalesce, Queue, MOOT_TEXT};
use crate::store::view::{Delivery, LampView};

/// How long after a SUBACK the queue waits before it is sent: the broker sends a
/// subscription's retained states right after its SUBACK, and a state that changed while
/// offline must arrive first to make a waiting change moot.
const REPLAY_SETTLE: std::time::Duration = std::time::Duration::from_millis(600);
/// Sent anyway this long after connecting if no SUBACK came (a kept session resubscribes
/// nothing).
const REPLAY_FALLBACK: std::time::Duration = std::time::Duration::from_millis(3000);

impl Store {
    /// Whether a change must wait in the queue: no connected publisher, or the queue is still
    /// to be sent on this connection (a change now goes after the ones waiting).
    pub(super) fn must_queue(&self) -> bool {
        let connected = self.publisher.get_value().is_some_and(|p| p.connected());
        !connected || self.replay_armed.get_value()
    }

    /// Queues `changes` for a lamp (folded into what already waits for it), computed by its
    /// binding now, shown on the card with "Will send when connected". A change that leaves
    /// the lamp where it is (on, then off again) just cancels what waited.
    pub(super) fn queue_change(
        &self,
        id: &LampId,
        changes: &[LampChange],
        signal: RwSignal<LampView>,
    ) -> bool {
        let waiting = self.queue.with_value(|q| q.waiting_changes(id));
        let all = coalesce(&waiting, changes);
        let confirmed = signal.with_untracked(|v| v.lamp.state.clone());
        let mut target = confirmed.clone();
        for change in &all {
            change.apply_to(&mut target);
        }
        if target == confirmed {
            self.cancel_queued(id);
            return false;
        }
        let messages = match self.directory.with_value(|d| d.command_all(id, &all)) {
            Ok(messages) if !messages.is_empty() => messages,
            Ok(_) => return false,
            Err(why) => {
                signal.update(|v| v.roll_back(why));
                return false;
            }
        };
        let pushed = self
            .queue
            .try_update_value(|q| q.push(id, &all, &messages, &confirmed, wall_clock()));
        match pushed {
            Some(Ok(_)) => {}
            Some(Err(why)) => {
                signal.update(|v| v.roll_back(why.clone()));
                self.notice.set(Some(format!("Not kept: {why}")));
                return false;
            }
            None => return false,
        }
        self.save_queue();
        signal.update(|v| show_queued(v, &all));
        true
    }

    /// The user cancelled a lamp's waiting change: it leaves the queue and the card goes back
    /// to the lamp's confirmed state. Returns whether anything was waiting.
    pub fn cancel_queued(&self, id: &LampId) -> bool {
        let cancelled = self.queue.try_update_value(|q| q.cancel(id)).flatten();
        if cancelled.is_none() {
            return false;
        }
        self.save_queue();
        if let Some(signal) = self.lamp(id) {
            signal.update(|v| {
                v.shown = v.lamp.state.clone();
                v.delivery = Delivery::Idle;
                v.echo_due = None;
            });
        }
        true
    }

    /// A live state for a lamp whose change waits: if the lamp changed elsewhere since the
    /// change was made, the change is dropped (not sent over the newer state) and the card
    /// says so.
    pub(super) fn drop_if_moot(&self, id: &LampId, signal: RwSignal<LampView>) {
        let Some(live) = self
            .directory
            .with_value(|d| d.lamp(id).map(|l| l.state.clone()))
        else {
            return;
        };
        let dropped = self.queue.try_update_value(|q| q.moot(id, &live)).flatten();
        if dropped.is_some() {
            self.save_queue();
            signal.try_update(|v| v.roll_back(MOOT_TEXT.to_owned()));
            self.queue_card_update(id.clone(), CardUpdate::State);
        }
    }

    /// Shows the waiting changes on their cards (after the profile's snapshot was replayed).
    pub(super) fn show_queue_on_cards(&self) {
        self.show_queue_on(|_| true);
    }

    /// Shows the waiting changes on the cards `which` picks (lamps a replay brought after
    /// the queue was read: their system's code came later).
    pub(super) fn show_queue_on(&self, which: impl Fn(&LampId) -> bool) {
        let entries = self.queue.with_value(|q| q.entries().to_vec());
        for entry in entries.into_iter().filter(|e| which(&e.lamp_id())) {
            if let Some(signal) = self.lamp(&entry.lamp_id()) {
                let changes = entry.lamp_changes();
                signal.update(|v| show_queued(v, &changes));
            }
        }
    }

    /// Reads the queue kept for a profile; what could not be read is said in the notice and
    /// set aside under `<key>.damaged` (nothing lost).
    pub(super) fn load_queue(&self, keys: &ProfileKeys) {
        let stored = local_storage().and_then(|s| s.get_item(&keys.queue).ok().flatten());
        let queue = match stored {
            None => Queue::new(),
            Some(text) => {
                let loaded = Queue::from_json(&text);
                if !loaded.skipped.is_empty() {
                    if let Some(s) = local_storage() {
                        let _ = s.set_item(&format!("{}.damaged", keys.queue), &text);
                    }
                    self.notice.try_set(Some(format!(
                        "Part of the changes waiting to be sent could not be read and was left out: {}",
                        loaded.skipped.join("; ")
                    )));
                }
                loaded.queue
            }
        };
        self.queued.set(queue.len());
        self.queue.set_value(queue);
        self.queue_tickets.set_value(Default::default());
    }

    /// Writes the queue under the profile's key at once (a closed tab loses nothing) and
    /// updates the banner's count.
    pub(super) fn save_queue(&self) {
        let (len, json) = self
            .queue
            .with_value(|q| (q.len(), (!q.is_empty()).then(|| q.to_json())));
        self.queued.try_set(len);
        let id = self.profile_id.get_value();
        if id.is_empty() {
            return;
        }
        let key = ProfileKeys::for_id(&id).queue;
        let Some(storage) = local_storage() else {
            return;
        };
        let saved = match json {
            Some(json) => storage.set_item(&key, &json),
            None => storage.remove_item(&key),
        };
        if saved.is_err() {
            self.notice.try_set(Some(
                "The browser refused to keep the waiting changes (storage full?): they are sent if this page stays open".to_owned(),
            ));
        }
    }

    /// The connection status moved: connected with changes waiting, the queue is sent once
    /// the subscriptions answered (or after `REPLAY_FALLBACK`); anything else holds it.
    pub(super) fn status_changed(&self, status: &ConnectionStatus) {
        if *status != ConnectionStatus::Connected {
            self.replay_armed.set_value(false);
            return;
        }
        let waiting = self
            .queue
            .with_value(|q| q.entries().iter().any(|e| !e.in_flight));
        if !waiting {
            return;
        }
        self.replay_armed.set_value(true);
        let store = *self;
        set_timeout(move || store.replay_if_armed(), REPLAY_FALLBACK);
    }

    /// A SUBACK came: the retained states follow it; send the queue a little later.
    pub(super) fn subscribed_for_replay(&self) {
        if !self.replay_armed.get_value() {
            return;
        }
        let store = *self;
        set_timeout(move || store.replay_if_armed(), REPLAY_SETTLE);
    }

    fn replay_if_armed(&self) {
        if self.replay_armed.try_get_value() == Some(true) {
            self.replay_queue();
        }
    }

    /// Sends every waiting change, oldest first, through the normal delivery path ("Sending…",
    /// then "✓ Delivered" and the echo wait); each entry leaves the queue when the broker took
    /// its last message ([`Store::queued_delivered`]).
    pub(super) fn replay_queue(&self) {
        self.replay_armed.set_value(false);
        let Some(publisher) = self.publisher.get_value().filter(|p| p.connected()) else {
            return;
        };
        let entries = self
            .queue
            .try_update_value(Queue::start_sending)
            .unwrap_or_default();
        let qos = self.qos.get_untracked();
        for entry in entries {
            let id = entry.lamp_id();
            let mut failed = None;
            for out in entry.outgoing() {
                match publisher.publish(&out.topic, out.payload, qos, out.retain) {
                    Ok(ticket) => {
                        self.in_flight.update_value(|m| {
                            m.insert(ticket, id.clone());
                        });
                        self.queue_tickets.update_value(|m| {
                            m.insert(ticket, entry.seq);
                        });
                    }
                    Err(why) => {
                        failed = Some(why);
                        break;
                    }
                }
            }
            if let Some(why) = failed {
                // The client refused it (its own limits): dropped, and the card says why.
                self.forget_in_flight(&id);
                self.queue_tickets
                    .update_value(|m| m.retain(|_, seq| *seq != entry.seq));
                self.queue.update_value(|q| {
                    q.taken(entry.seq);
                });
                if let Some(signal) = self.lamp(&id) {
                    signal.update(|v| v.roll_back(why.clone()));
                }
                self.notice.set(Some(format!("Not sent: {why}")));
                continue;
            }
            if let Some(signal) = self.lamp(&id) {
                signal.update(|v| v.delivery = Delivery::Pending);
            }
            let mut assumed = false;
            for change in entry.lamp_changes() {
                assumed |= self
                    .directory
                    .try_update_value(|d| d.assume(&id, &change))
                    .flatten()
                    .is_some();
            }
            if assumed {
                self.queue_card_update(id, CardUpdate::State);
            }
        }
        self.save_queue();
    }

    /// The broker took a message: if it was a queued change's last, the change leaves the
    /// queue (sent exactly once).
    pub(super) fn queued_delivered(&self, ticket: PublishTicket) {
        let Some(seq) = self
            .queue_tickets
            .try_update_value(|m| m.remove(&ticket))
            .flatten()
        else {
            return;
        };
        let more = self
            .queue_tickets
            .with_value(|m| m.values().any(|s| *s == seq));
        if !more {
            self.queue.update_value(|q| {
                q.taken(seq);
            });
            self.save_queue();
        }
    }

    /// A queued change's message failed for good (the client gave up): it leaves the queue;
    /// the card goes back with the reason as any failed change does.
    pub(super) fn queued_failed(&self, ticket: PublishTicket) {
        let Some(seq) = self
            .queue_tickets
            .try_update_value(|m| m.remove(&ticket))
            .flatten()
        else {
            return;
        };
        self.queue_tickets
            .update_value(|m| m.retain(|_, s| *s != seq));
        self.queue.update_value(|q| {
            q.taken(seq);
        });
        self.save_queue();
    }

    /// The client goes before the broker took the queued changes it was sending: they wait
    /// again (their cards say so) for the next connection. Returns their tickets.
    pub(super) fn requeue_in_flight(&self) -> HashSet<PublishTicket> {
        let tickets = self
            .queue_tickets
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        if tickets.is_empty() {
            return HashSet::new();
        }
        self.queue.update_value(Queue::all_unsent);
        let entries = self.queue.with_value(|q| q.entries().to_vec());
        for entry in entries {
            if let Some(signal) = self.lamp(&entry.lamp_id()) {
                signal.try_update(|v| v.delivery = Delivery::Queued);
            }
        }
        self.save_queue();
        tickets.into_keys().collect()
    }
}

/// A card showing a waiting change: the confirmed state with the changes applied, marked
/// "Will send when connected".
fn show_queued(v: &mut LampView, changes: &[LampChange]) {
    v.shown = v.lamp.state.clone();
    for change in changes {
        v.assume(change);
    }
    v.delivery = Delivery::Queued;
    v.echo_due = None;
}
