//! The store's side of Home Assistant's lazily loaded template engine: a config that needs it
//! starts the load, and once it is there (or has failed) the directory replays what it held.
//! Lamps the replay brings from the last visit's snapshot are greyed like the others restored
//! from it, unless their topic was heard live while the engine loaded.

use leptos::prelude::{SetValue, Update, UpdateValue, WithValue};

use crate::lamp::DirectoryEvent;

use super::Store;
use crate::net::template_module;

impl Store {
    /// A config waits for the template engine: fetch it (once per page), then replay.
    pub(super) fn load_templates(&self) {
        let store = *self;
        template_module::load(move || {
            let replayed = store.directory.try_update_value(|d| d.replay_deferred());
            let restored = store
                .restored_waiting
                .try_update_value(std::mem::take)
                .unwrap_or_default();
            let mut stale = Vec::new();
            for (held, events) in replayed.unwrap_or_default() {
                if restored.contains(&held.topic) {
                    stale.extend(events.iter().filter_map(|e| match e {
                        DirectoryEvent::Added(id) | DirectoryEvent::Updated { id, .. } => {
                            Some(id.clone())
                        }
                        _ => None,
                    }));
                }
                // Held messages were not kept for an offline start when they arrived (they
                // did nothing then): those about lamps are kept now.
                let about_lamps = store.apply_directory_events_about_lamps(events);
                store.remember(&held.topic, &held.payload, about_lamps);
            }
            // Drawn now: a lamp and the held messages about it (its availability, its state)
            // show together, not one frame apart; and, as `restore_snapshot` does, before the
            // restored ones are greyed, so the next frame does not mark them live.
            store.apply_card_updates();
            for id in stale {
                if let Some(signal) = store.lamp(&id) {
                    signal.update(|v| v.stale = true);
                }
            }
        });
    }

    /// The snapshot's messages went in: if some wait for the engine, their topics are kept
    /// so the lamps the wait brings are restored ones.
    pub(super) fn restored_while_waiting<'a>(&self, topics: impl Iterator<Item = &'a str>) {
        if self.directory.with_value(|d| d.waiting_for_templates()) {
            self.restored_waiting
                .set_value(topics.map(str::to_owned).collect());
        }
    }

    /// A live message: its topic is no longer only the last visit's.
    pub(super) fn heard_live(&self, topic: &str) {
        if self
            .restored_waiting
            .with_value(|r| !r.is_empty() && r.contains(topic))
        {
            self.restored_waiting.update_value(|r| {
                r.remove(topic);
            });
        }
    }
}
