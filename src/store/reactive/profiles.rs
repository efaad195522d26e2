//! Switching broker profiles: everything the store holds belongs to the profile in use
//! (`store::profile_keys`). Leaving a profile settles its changes (waiting ones stay in its
//! queue and are sent when it connects again; ones its broker never confirmed are said in the
//! notice) and writes its snapshot; the next profile starts from its own snapshot, queue,
//! arrangement and explorer filter, and never shows another broker's lamps.

use std::collections::{BTreeSet, HashMap};

use leptos::prelude::*;

use super::{local_storage, Store};
use crate::lamp::{DirectorySettings, LampDirectory};
use crate::store::log::MessageLog;
use crate::store::profile_keys::{ProfileKeys, LEGACY_SNAPSHOT_KEY};
use crate::store::snapshot::Snapshot;
use crate::store::topic_tree::TopicTree;

/// "1 change", "3 changes".
fn changes(n: usize) -> String {
    if n == 1 {
        "1 change".to_owned()
    } else {
        format!("{n} changes")
    }
}

impl Store {
    /// The id of the profile whose data the store holds (empty before the first).
    pub fn profile_id(&self) -> String {
        self.profile_id.get_value()
    }

    /// Makes profile `id` (named `name`, with its discovery `settings`) the one whose data the
    /// store holds. From another profile: the publisher is let go (the caller closes its
    /// client: a change is never sent to another profile's broker), that profile's changes are
    /// settled and said in the notice, its snapshot written, and every lamp, card, message and
    /// arrangement of it forgotten. Then this profile's snapshot is replayed (cards greyed
    /// until heard live), its waiting changes shown on their cards, its arrangement and
    /// explorer filter read. The first profile of a page starts from the store as it is (empty
    /// in the app). The old un-keyed snapshot is dropped (see `profile_keys`).
    pub fn use_profile(&self, id: &str, name: &str, settings: DirectorySettings) {
        if self.profile_id.with_value(|p| p == id) {
            return;
        }
        match self.owner.with_value(|o| o.get()) {
            Some(owner) => owner.with(|| self.switch_profile(id, name, settings)),
            None => self.switch_profile(id, name, settings),
        }
    }

    fn switch_profile(&self, id: &str, name: &str, settings: DirectorySettings) {
        let leaving = self.profile_id.get_value();
        if !leaving.is_empty() {
            let words = self.leave_profile();
            self.notice.set(words);
        }
        if let Some(s) = local_storage() {
            let _ = s.remove_item(LEGACY_SNAPSHOT_KEY);
        }
        self.profile_id.set_value(id.to_owned());
        self.profile.set(name.to_owned());
        let keys = ProfileKeys::for_id(id);
        if !leaving.is_empty() {
            self.settings.set(settings.clone());
            self.directory.set_value(LampDirectory::new(settings));
            self.load_wanted_code();
        } else {
            self.set_settings(settings);
        }
        self.use_arrangement(Some(keys.arrange.clone()));
        self.restore_snapshot(&keys);
        self.load_queue(&keys);
        self.show_queue_on_cards();
        let filter = local_storage()
            .and_then(|s| s.get_item(&keys.explorer_filter).ok().flatten())
            .unwrap_or_default();
        self.explorer_filter.set(filter);
        self.regroup_now();
    }

    /// Settles and forgets the profile in use; returns the notice's words about its changes.
    fn leave_profile(&self) -> Option<String> {
        let name = self.profile.get_untracked();
        let queued_tickets = self
            .queue_tickets
            .with_value(|m| m.keys().copied().collect::<BTreeSet<_>>());
        let unconfirmed = self.in_flight.with_value(|m| {
            m.iter()
                .filter(|(t, _)| !queued_tickets.contains(t))
                .map(|(_, id)| id.clone())
                .collect::<BTreeSet<_>>()
                .len()
        });
        // Changes on their way go back (queued ones to the queue, saved), then the snapshot.
        self.clear_publisher();
        self.write_snapshot();
        let waiting = self.queue.with_value(|q| q.len());
        let mut words = Vec::new();
        if waiting > 0 {
            words.push(format!(
                "{} for “{name}” {} kept and will be sent when you connect to “{name}” again.",
                changes(waiting),
                if waiting == 1 { "is" } else { "are" }
            ));
        }
        if unconfirmed > 0 {
            words.push(format!(
                "{} sent to “{name}” had no answer from its broker before the switch: {} may not have arrived.",
                changes(unconfirmed),
                if unconfirmed == 1 { "it" } else { "they" }
            ));
        }
        // Forget everything of the old profile.
        self.lamps.set_value(HashMap::new());
        self.card_updates.set_value(HashMap::new());
        self.in_flight.set_value(HashMap::new());
        self.queue_tickets.set_value(HashMap::new());
        self.queue.set_value(Default::default());
        self.queued.set(0);
        self.snapshot.set_value(Snapshot::new());
        self.exact_known.set_value(Vec::new());
        self.log.update_value(MessageLog::clear);
        self.tree.update_value(TopicTree::clear);
        self.log_version.update(|v| *v += 1);
        self.scene_report.set(None);
        self.rooms.set(Vec::new());
        self.favourites.set(Vec::new());
        self.hidden.set(Vec::new());
        (!words.is_empty()).then(|| words.join(" "))
    }

    /// Shows the lamps of the profile's last visit before any broker answers: each kept
    /// message goes through the normal message path, then every lamp is marked stale
    /// (greyed) until a live message about it arrives.
    fn restore_snapshot(&self, keys: &ProfileKeys) {
        let Some(text) = local_storage().and_then(|s| s.get_item(&keys.snapshot).ok().flatten())
        else {
            return;
        };
        let snapshot = Snapshot::from_json(&text);
        self.batched(|| {
            for (topic, payload) in snapshot.messages() {
                self.handle(topic, payload, true);
            }
        });
        self.restored_while_waiting(snapshot.messages().map(|(topic, _)| topic));
        self.snapshot.set_value(snapshot);
        // Draw the restored states now, so the next frame's redraw does not mark them live.
        self.apply_card_updates();
        self.lamps.with_value(|lamps| {
            for signal in lamps.values() {
                signal.update(|v| v.stale = true);
            }
        });
    }

    /// Writes the snapshot under the profile's key now (nothing before the first profile).
    pub(super) fn write_snapshot(&self) {
        let Some(id) = self.profile_id.try_get_value().filter(|id| !id.is_empty()) else {
            return;
        };
        if let (Some(json), Some(storage)) = (
            self.snapshot.try_with_value(Snapshot::to_json),
            local_storage(),
        ) {
            let _ = storage.set_item(&ProfileKeys::for_id(&id).snapshot, &json);
        }
    }

    /// The explorer's filter changed: kept for the profile in use.
    pub fn set_explorer_filter(&self, filter: String) {
        let id = self.profile_id.get_value();
        if !id.is_empty() {
            if let Some(s) = local_storage() {
                let key = ProfileKeys::for_id(&id).explorer_filter;
                let _ = if filter.is_empty() {
                    s.remove_item(&key)
                } else {
                    s.set_item(&key, &filter)
                };
            }
        }
        self.explorer_filter.set(filter);
    }
}
