//! What accepting a setup link does to the saved profiles: add the shared profile as a new
//! one, or replace the one it matches (same id, else same broker URL). Pure, so the rules
//! that protect what the user already has are tested natively: a new profile never takes
//! an id or a name already in use, and a replaced one keeps its name, id (its data in this
//! browser stays with it) and, when the link carries none, its own password.

use crate::store::settings::{Profile, SettingsFile};

/// The user's answer to the prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Keep every saved profile and add the shared one.
    AddNew,
    /// Replace the saved profile of this name with the shared one.
    Replace(String),
}

/// The saved profile a shared one would replace: the one with the same id, else the first
/// with the same broker URL (trimmed, case folded: a host is case-insensitive).
pub fn match_for<'a>(saved: &'a SettingsFile, incoming: &Profile) -> Option<&'a Profile> {
    let id = incoming.id.trim();
    if !id.is_empty() {
        if let Some(p) = saved.profiles.iter().find(|p| p.id == id) {
            return Some(p);
        }
    }
    let url = incoming.broker_url.trim().to_ascii_lowercase();
    saved
        .profiles
        .iter()
        .find(|p| p.broker_url.trim().to_ascii_lowercase() == url)
}

/// A name not used by any saved profile: `wanted`, else `wanted (2)`, `(3)`, ...
pub fn free_name(saved: &SettingsFile, wanted: &str) -> String {
    let taken = |n: &str| saved.profiles.iter().any(|p| p.name == n);
    if !taken(wanted) {
        return wanted.to_owned();
    }
    (2..)
        .map(|n| format!("{wanted} ({n})"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| wanted.to_owned())
}

/// Applies the choice to the saved profiles and selects the result; returns the profile
/// now in use (its id is the key of its arrangement), or why not in words. `fresh_id`
/// makes a new profile id when the shared one is missing or already taken.
pub fn apply(
    saved: &mut SettingsFile,
    incoming: &Profile,
    choice: &Choice,
    fresh_id: impl FnMut() -> String,
) -> Result<Profile, String> {
    let mut profile = incoming.clone();
    profile.client_id.clear();
    match choice {
        Choice::AddNew => {
            if saved.profiles.iter().any(|p| p.id == profile.id) {
                profile.id.clear();
            }
            profile.name = free_name(saved, &profile.name);
            saved.profiles.push(profile.clone());
        }
        Choice::Replace(name) => {
            let slot = saved
                .profiles
                .iter_mut()
                .find(|p| &p.name == name)
                .ok_or_else(|| format!("There is no saved profile named “{name}” any more"))?;
            profile.name = slot.name.clone();
            profile.id = slot.id.clone();
            if profile.password.is_none() {
                profile.password = slot.password.clone();
                profile.remember_password = slot.remember_password;
            }
            *slot = profile.clone();
        }
    }
    saved.selected = profile.name.clone();
    saved.fill_ids(fresh_id);
    saved
        .current()
        .cloned()
        .ok_or_else(|| "No profile is selected".to_owned())
}
