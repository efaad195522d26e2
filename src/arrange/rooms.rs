//! What a room's header says and does: "2 of 4 on", the room switch, the room brightness
//! slider that scales every lamp in it, and the house-wide All off. Pure: the store hands
//! in each lamp as a [`Member`] and sends the changes these return.

use crate::lamp::{LampChange, LampId};

/// One lamp of a room, as the header needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Identity.
    pub id: LampId,
    /// On/off as the card shows it (None: unknown).
    pub on: Option<bool>,
    /// Brightness in percent as the card shows it.
    pub brightness: Option<f32>,
    /// Has a brightness control.
    pub dimmable: bool,
    /// Can be reached (an unavailable lamp cannot obey; its card says so already).
    pub available: bool,
}

/// How many lamps are on, of how many: the header's "2 of 4 on".
pub fn on_count(members: &[Member]) -> (usize, usize) {
    let on = members.iter().filter(|m| m.on == Some(true)).count();
    (on, members.len())
}

/// The header's words for [`on_count`].
pub fn on_text(members: &[Member]) -> String {
    match on_count(members) {
        (_, 0) => "no lamps".to_owned(),
        (0, 1) => "off".to_owned(),
        (1, 1) => "on".to_owned(),
        (0, n) => format!("all {n} off"),
        (on, n) if on == n => format!("all {n} on"),
        (on, n) => format!("{on} of {n} on"),
    }
}

/// The room slider's position: the brightest dimmable lamp that is on (the slider scales
/// the others with it), None when none is on.
pub fn room_level(members: &[Member]) -> Option<u8> {
    members
        .iter()
        .filter(|m| m.dimmable && m.on == Some(true))
        .filter_map(|m| m.brightness)
        .map(|b| b.round().clamp(1.0, 100.0) as u8)
        .max()
}

/// The room switch: on when any lamp is on, so a press turns the room off; else a press
/// turns it on. Unavailable lamps are skipped, and so are lamps already there.
pub fn switch_plan(members: &[Member], on: bool) -> Vec<(LampId, Vec<LampChange>)> {
    members
        .iter()
        .filter(|m| m.available && m.on != Some(on))
        .map(|m| (m.id.clone(), vec![LampChange::On(on)]))
        .collect()
}

/// The room slider moved to `target` %. When lamps are on, each dimmable lamp that is on is
/// scaled by the same factor, so the brightest lands on `target` and the others keep their
/// proportion (a reading lamp at half of the ceiling's stays at half); lamps that are off
/// stay off. When none is on, every dimmable lamp turns on at `target`.
pub fn brightness_plan(members: &[Member], target: u8) -> Vec<(LampId, Vec<LampChange>)> {
    let target = target.clamp(1, 100);
    let usable = members.iter().filter(|m| m.available && m.dimmable);
    match room_level(members) {
        Some(level) => usable
            .filter(|m| m.on == Some(true))
            .map(|m| {
                let now = m.brightness.unwrap_or(f32::from(level));
                let scaled = (now * f32::from(target) / f32::from(level))
                    .round()
                    .clamp(1.0, 100.0) as u8;
                (m.id.clone(), vec![LampChange::Brightness(scaled)])
            })
            .collect(),
        None => usable
            .map(|m| {
                (
                    m.id.clone(),
                    vec![LampChange::On(true), LampChange::Brightness(target)],
                )
            })
            .collect(),
    }
}
