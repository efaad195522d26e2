//! The store's side of household sync (`crate::arrange::sync`, issue 16 item 4): it drives
//! the pure [`SyncSession`] with the connection's events and the clock, publishes what the
//! session asks on the profile's sync topic (retained, QoS 1), and takes merged copies into
//! the arrangement as if the user had made them (saved, cards redressed). The rules live in
//! the pure module; this only wires signals, timers and the publisher.

use leptos::prelude::*;

use super::{wall_clock, Store};
use crate::arrange::sync::{Received, SyncSession, SyncStatus};
use crate::mqtt::packet::{QoS, SubackReturnCode};
use crate::mqtt::session::{Event, FilterResult};

/// The sync state the store keeps; `Copy`, one per store.
#[derive(Clone, Copy)]
pub(super) struct SyncLink {
    session: StoredValue<SyncSession>,
    /// What the settings field shows.
    status: RwSignal<SyncStatus>,
    /// The profile whose arrangement is synced ("" before any).
    profile: StoredValue<String>,
    /// The wake-up already set (wall-clock ms), so a burst of edits sets one timer.
    wake_at: StoredValue<Option<f64>>,
}

impl SyncLink {
    /// Sync off.
    pub(super) fn new() -> Self {
        Self {
            session: StoredValue::new(SyncSession::new()),
            status: RwSignal::new(SyncStatus::Off),
            profile: StoredValue::new(String::new()),
            wake_at: StoredValue::new(None),
        }
    }
}

impl Store {
    /// What the household sync of the profile in use is doing (tracked), for the settings.
    pub fn sync_status(&self) -> SyncStatus {
        self.sync.status.get()
    }

    /// The topic household sync uses now, if it is on.
    pub fn sync_topic(&self) -> Option<String> {
        self.sync
            .session
            .with_value(|s| s.topic().map(str::to_owned))
    }

    /// Sync for profile `profile_id`: on `topic`, or off (None). Turning it off unsubscribes
    /// and leaves the local arrangement as it is. The topic is subscribed on the current
    /// connection only when it serves this profile already (the same profile, or the
    /// store's first); a profile switch subscribes with its own connection
    /// ([`Store::set_publisher`]), so one profile's arrangement never goes to another's
    /// broker.
    pub fn set_sync(&self, profile_id: &str, topic: Option<String>) {
        let previous = self.sync.profile.get_value();
        let current = self.sync_topic();
        let same_profile = previous == profile_id;
        if same_profile && current == topic {
            return;
        }
        if let (Some(old), Some(publisher)) = (&current, self.publisher.get_value()) {
            let _ = publisher.unsubscribe(std::slice::from_ref(old));
        }
        self.sync.profile.set_value(profile_id.to_owned());
        self.sync.session.update_value(|s| {
            s.disable();
            if let Some(t) = &topic {
                s.enable(t);
            }
        });
        if same_profile || previous.is_empty() {
            self.sync_subscribe();
        }
        self.sync_refresh();
    }

    /// Subscribes the sync topic on the current connection, if sync is on and there is one.
    fn sync_subscribe(&self) {
        let (Some(topic), Some(publisher)) = (self.sync_topic(), self.publisher.get_value()) else {
            return;
        };
        // QoS 1: the household copy is one retained message, worth its PUBACK.
        match publisher.subscribe(std::slice::from_ref(&topic), QoS::AtLeastOnce) {
            Ok(()) => self.sync.session.update_value(SyncSession::subscribing),
            Err(why) => {
                self.sync.session.update_value(|s| s.not_sent(&why));
                self.notice
                    .try_set(Some(format!("Household sync could not subscribe: {why}")));
            }
        }
    }

    /// A new connection (publisher): the sync topic is subscribed on it.
    pub(super) fn sync_connected(&self) {
        self.sync.session.update_value(SyncSession::offline);
        self.sync_subscribe();
        self.sync_refresh();
    }

    /// No connection any more (the user disconnected).
    pub(super) fn sync_disconnected(&self) {
        self.sync.session.update_value(SyncSession::offline);
        self.sync_refresh();
    }

    /// The connection dropped; the session subscribes again when it is back.
    pub(super) fn sync_connection_lost(&self) {
        self.sync.session.update_value(SyncSession::connection_lost);
        self.sync_refresh();
    }

    /// A SUBACK: the sync topic's answer, if it is in it.
    pub(super) fn sync_subscribed(&self, results: &[FilterResult]) {
        let Some(topic) = self.sync_topic() else {
            return;
        };
        let Some(result) = results.iter().find(|r| r.filter == topic) else {
            return;
        };
        let granted = matches!(result.result, SubackReturnCode::Success(_));
        self.sync
            .session
            .update_value(|s| s.subscribed(granted, wall_clock()));
        self.sync_refresh();
    }

    /// A message from the broker: if it is on the sync topic, it is merged into the
    /// arrangement (or refused, said in the notice and the status) and `true` says it was
    /// ours, so it is not read as a lamp.
    pub(super) fn sync_receive(&self, topic: &str, payload: &[u8]) -> bool {
        if self.sync_topic().as_deref() != Some(topic) {
            return false;
        }
        let local = self.arrangement.get_untracked();
        let outcome = self
            .sync
            .session
            .try_update_value(|s| s.received(payload, &local, wall_clock()));
        match outcome {
            Some(Received::Merged(arrangement)) => {
                self.arrangement.set(arrangement);
                self.save_arrangement();
                self.redress_all();
                self.regroup_now();
            }
            Some(Received::Refused(words)) => {
                self.notice.try_set(Some(words));
            }
            Some(Received::Unchanged) | None => {}
        }
        self.sync_refresh();
        true
    }

    /// Takes the session events about the household copy's own publish (its PUBACK, its
    /// failure); `true` when the event was about it, so no lamp's delivery mark is touched.
    pub(super) fn sync_owns(&self, event: &Event) -> bool {
        let now = wall_clock();
        let ours = self.sync.session.try_update_value(|s| match event {
            Event::Sent(ticket) | Event::Delivered(ticket) => s.delivered(*ticket, now),
            Event::DeliveredDowngraded { ticket, .. } => s.delivered(*ticket, now),
            Event::PublishFailed { ticket, reason } => s.failed(*ticket, &reason.to_string()),
            Event::PublishRefused { ticket, reason } => s.failed(*ticket, &reason.to_string()),
            _ => false,
        });
        let ours = ours.unwrap_or(false);
        if ours {
            self.sync_refresh();
        }
        ours
    }

    /// The user changed the arrangement here: shared after the debounce.
    pub(super) fn sync_edited(&self) {
        self.sync.session.update_value(|s| s.edited(wall_clock()));
        self.sync_refresh();
    }

    /// Lets the session act on the time (the look ends, a publish is due, an echo is
    /// overdue) and publishes what it asks.
    fn sync_tick(&self) {
        let local = self.arrangement.get_untracked();
        let Some(payload) = self
            .sync
            .session
            .try_update_value(|s| s.poll(wall_clock(), &local))
            .flatten()
        else {
            self.sync_refresh();
            return;
        };
        let (Some(topic), Some(publisher)) = (self.sync_topic(), self.publisher.get_value()) else {
            self.sync
                .session
                .update_value(|s| s.not_sent("not connected to a broker"));
            self.sync_refresh();
            return;
        };
        match publisher.publish(&topic, payload, QoS::AtLeastOnce, true) {
            Ok(ticket) => self.sync.session.update_value(|s| s.published(ticket)),
            Err(why) => self.sync.session.update_value(|s| s.not_sent(&why)),
        }
        self.sync_refresh();
    }

    /// Shows the session's status and sets a timer for its next deadline.
    fn sync_refresh(&self) {
        let Some(status) = self.sync.session.try_with_value(SyncSession::status) else {
            return;
        };
        if self.sync.status.with_untracked(|s| *s != status) {
            self.sync.status.try_set(status);
        }
        let Some(at) = self.sync.session.with_value(SyncSession::next_deadline) else {
            return;
        };
        if self.sync.wake_at.get_value().is_some_and(|w| w <= at) {
            return;
        }
        self.sync.wake_at.set_value(Some(at));
        let store = *self;
        let wait = (at - wall_clock()).max(0.0) as u64 + 10;
        set_timeout(
            move || {
                // None: the store is gone with its page.
                if store.sync.wake_at.try_update_value(|w| *w = None).is_some() {
                    store.sync_tick();
                }
            },
            std::time::Duration::from_millis(wait),
        );
    }
}
