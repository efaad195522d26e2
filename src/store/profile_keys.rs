//! Where each profile's data lives in localStorage. Everything the app keeps about a broker
//! (the offline snapshot of lamp states, the changes waiting to be sent, the dashboard's
//! arrangement, the explorer's filter and saved messages) is stored under the profile's id, so switching
//! profiles shows that profile's data only and a change made on one is never shown on, or
//! sent to, another. Pure, tested natively (`tests/store_queue.rs`).

/// The one un-keyed key of earlier versions: the offline snapshot of whichever broker was
/// last used. It is dropped, not migrated (see [`LEGACY_SNAPSHOT_KEY`]).
///
/// Why dropped: it cannot say which broker it came from. The broker URL typed in the connect
/// form is not saved into a profile, so even the selected profile may not be the broker the
/// snapshot holds; migrating it would risk the very bug this keying fixes (a profile showing
/// another broker's lamps). It is only a cache: the live broker refills it within a second
/// of connecting, so dropping it costs at most one offline start without last known states.
/// Nothing else was kept un-keyed (waiting changes were never stored before).
pub const LEGACY_SNAPSHOT_KEY: &str = "lampboard.snapshot";

/// The keys of one profile's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileKeys {
    /// The offline snapshot (`store::snapshot`).
    pub snapshot: String,
    /// The changes waiting to be sent (`store::queue`).
    pub queue: String,
    /// The dashboard's arrangement (`crate::arrange`), as `settings::profile_storage_key`.
    pub arrange: String,
    /// The explorer's topic filter.
    pub explorer_filter: String,
    /// The publish form's saved messages (`store::saved`).
    pub saved_messages: String,
}

impl ProfileKeys {
    /// The keys for profile `id` (`Profile.id`): `lampboard.<what>.<id>`, the shape of
    /// `settings::profile_storage_key`.
    pub fn for_id(id: &str) -> Self {
        let key = |what: &str| format!("lampboard.{what}.{id}");
        Self {
            snapshot: key("snapshot"),
            queue: key("queue"),
            arrange: key("arrange"),
            explorer_filter: key("explorer-filter"),
            saved_messages: key("saved"),
        }
    }

    /// Every key, for checks and for removing a deleted profile's data.
    pub fn all(&self) -> [&str; 5] {
        [
            &self.snapshot,
            &self.queue,
            &self.arrange,
            &self.explorer_filter,
            &self.saved_messages,
        ]
    }
}
