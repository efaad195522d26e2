//! The store's side of code that arrives after the page: Home Assistant's template engine and
//! the lamp systems' chunks (`lamp::systems::code`). A message that needs either starts its
//! load, and once it is there the directory replays what it held. Lamps the replay brings from
//! the last visit's snapshot are greyed like the others restored from it, unless their topic
//! was heard live while the code loaded.

use std::collections::BTreeSet;
use std::time::Duration;

use leptos::prelude::{
    set_timeout, GetUntracked, GetValue, Set, SetValue, Update, UpdateValue, WithValue,
};

use crate::lamp::systems::{code, SourceKind};
use crate::lamp::DirectoryEvent;

use super::Store;
use crate::net::template_module;

/// How long after a failed chunk fetch it is tried again (a new connection tries at once).
const RETRY_MS: u64 = 15_000;

/// How long a replay that code came in for waits for other chunks still on their way: chunks
/// fetched together arrive within a few hundred milliseconds even on a slow link, and one
/// that hangs must not hold back the lamps whose code is in.
const REPLAY_WAIT_MS: u64 = 1_000;

/// What the notice says when `kind`'s chunk cannot be fetched.
fn failed_words(kind: SourceKind) -> String {
    format!(
        "Lampboard could not load what it needs for {} lamps: the network is out of reach. It tries again in a moment.",
        kind.label()
    )
}

/// Where a lamp system's code stands on this page, once asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CodeLoad {
    /// Being fetched: a replay waits for it, so one replay takes in every chunk in flight.
    Asked,
    /// In and installed: not asked for again.
    Loaded,
    /// The chunk could not be fetched: asked for again by the retry or the next connection.
    Failed,
}

impl Store {
    /// A config waits for the template engine: fetch it (once per page), then replay.
    pub(super) fn load_templates(&self) {
        let store = *self;
        template_module::load(move || store.replay_when_settled(true));
    }

    /// Messages wait for `kind`'s code: fetch its chunk (once; a failed fetch is tried
    /// again [`RETRY_MS`] later and on the next connection), then put the system in and replay.
    pub(super) fn load_system_code(&self, kind: SourceKind) {
        let started = self
            .code_loads
            .try_update_value(|loads| {
                let new = !loads.iter().any(|(k, _)| *k == kind);
                if new {
                    loads.push((kind, CodeLoad::Asked));
                }
                new
            })
            .unwrap_or(false);
        if !started {
            return;
        }
        let store = *self;
        wasm_bindgen_futures::spawn_local(async move {
            match code::load(kind).await {
                Ok(builder) => {
                    if store.notice.get_untracked().as_deref() == Some(&failed_words(kind)) {
                        store.notice.set(None);
                    }
                    store.set_code_load(kind, CodeLoad::Loaded);
                    code::install(kind, builder);
                    let Some(events) = store.directory.try_update_value(|d| d.install_code())
                    else {
                        return;
                    };
                    store.apply_directory_events(events);
                    store.replay_when_settled(true);
                }
                Err(_) => {
                    // Kept as failed, so the held messages do not refetch one by one: the
                    // retry timer and the next connection ask again.
                    store.set_code_load(kind, CodeLoad::Failed);
                    store.notice.set(Some(failed_words(kind)));
                    // Chunks that came in while this one was fetched replay now.
                    store.replay_when_settled(false);
                    set_timeout(
                        move || store.retry_code_loads(),
                        Duration::from_millis(RETRY_MS),
                    );
                }
            }
        });
    }

    fn set_code_load(&self, kind: SourceKind, to: CodeLoad) {
        let _ = self.code_loads.try_update_value(|loads| {
            for (k, load) in loads.iter_mut() {
                if *k == kind {
                    *load = to;
                }
            }
        });
    }

    /// Replays what the directory held once no chunk is still being fetched, or
    /// [`REPLAY_WAIT_MS`] after code came in (`owed`: the held messages wait for it). A
    /// first visit to a home of five systems fetches five chunks at once, and a replay per
    /// chunk handled every held message and redrew the cards five times over: the long tasks
    /// a slow phone feels (Lighthouse's blocking time doubled). One replay after the last
    /// chunk does that work once; the first screen waits for the chunks either way
    /// (`arrival`), so nothing shows later there.
    fn replay_when_settled(&self, owed: bool) {
        if owed && !self.replay_owed.get_value() {
            self.replay_owed.set_value(true);
            let store = *self;
            set_timeout(
                move || store.replay_owed_now(),
                Duration::from_millis(REPLAY_WAIT_MS),
            );
        }
        let in_flight = self
            .code_loads
            .try_with_value(|loads| loads.iter().any(|(_, l)| *l == CodeLoad::Asked))
            .unwrap_or(false);
        if !in_flight {
            self.replay_owed_now();
        }
    }

    /// The replay [`Self::replay_when_settled`] owes, if it has not run yet.
    fn replay_owed_now(&self) {
        if self.replay_owed.try_get_value() == Some(true) {
            self.replay_owed.set_value(false);
            self.replay_held();
        }
    }

    /// Loads the code the directory wants before any message asks for it (Tasmota devices
    /// listed by topic), after the directory was made or its settings changed.
    pub(super) fn load_wanted_code(&self) {
        let wanted = self
            .directory
            .try_with_value(|d| d.code_wanted())
            .unwrap_or_default();
        for kind in wanted {
            self.load_system_code(kind);
        }
    }

    /// Whether a system's chunk could not be fetched (its messages stay held until a retry):
    /// the first screen does not wait for it.
    pub(super) fn code_failed(&self) -> bool {
        self.code_loads
            .try_with_value(|loads| loads.iter().any(|(_, l)| *l == CodeLoad::Failed))
            .unwrap_or(false)
    }

    /// A new connection, or [`RETRY_MS`] after a failure: chunks that failed to load are
    /// fetched again.
    pub(super) fn retry_code_loads(&self) {
        let failed: Vec<SourceKind> = self
            .code_loads
            .try_update_value(|loads| {
                let failed = loads
                    .iter()
                    .filter(|(_, load)| *load == CodeLoad::Failed)
                    .map(|(kind, _)| *kind)
                    .collect::<Vec<_>>();
                loads.retain(|(_, load)| *load != CodeLoad::Failed);
                failed
            })
            .unwrap_or_default();
        for kind in failed {
            self.load_system_code(kind);
        }
    }

    /// The directory replays what it held, now that code it waited for is in (or has failed
    /// to come: the template engine's lights then come with a note that their templates
    /// cannot be evaluated).
    fn replay_held(&self) {
        let store = *self;
        let replayed = store.directory.try_update_value(|d| d.replay_deferred());
        let restored = if store.directory.with_value(|d| d.waiting_for_code()) {
            // Still waiting for other code: what it holds is still the snapshot's.
            store.restored_waiting.with_value(Clone::clone)
        } else {
            store
                .restored_waiting
                .try_update_value(std::mem::take)
                .unwrap_or_default()
        };
        let mut stale = Vec::new();
        let mut added = Vec::new();
        // The subscriptions for every lamp the replay finds are computed and sent once.
        store.batched(|| {
            for (held, events) in replayed.unwrap_or_default() {
                added.extend(events.iter().filter_map(|e| match e {
                    DirectoryEvent::Added(id) => Some(id.clone()),
                    _ => None,
                }));
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
        });
        // Drawn now: a lamp and the held messages about it (its availability, its state)
        // show together, not one frame apart; and, as `restore_snapshot` does, before the
        // restored ones are greyed, so the next frame does not mark them live.
        store.apply_card_updates();
        for id in stale {
            if let Some(signal) = store.lamp(&id) {
                signal.update(|v| v.stale = true);
            }
        }
        // A change waiting in the offline queue for one of them shows on its card, as it
        // does for lamps that were there when the queue was read.
        if !added.is_empty() {
            store.show_queue_on(|id| added.contains(id));
        }
    }

    /// The snapshot's messages went in: if some wait for code, their topics are kept so the
    /// lamps the wait brings are restored ones.
    pub(super) fn restored_while_waiting<'a>(&self, topics: impl Iterator<Item = &'a str>) {
        let waiting = self.directory.with_value(|d| d.waiting_for_code());
        self.restored_waiting.set_value(if waiting {
            topics.map(str::to_owned).collect()
        } else {
            BTreeSet::new()
        });
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
