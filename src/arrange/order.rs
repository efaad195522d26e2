//! Where each lamp goes on the page: the Favourites row, the rooms in order with their lamps
//! in order, and the hidden list, from the lamps the systems found and the user's
//! arrangement. Plus the reordering steps (up/down, drop before). Pure.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::names::{natural_cmp, room_display_name, room_key};
use super::Arrangement;
use crate::lamp::LampId;

/// One lamp as its system describes it, before the arrangement.
#[derive(Clone, Debug, PartialEq)]
pub struct LampInfo {
    /// Identity.
    pub id: LampId,
    /// The name its system gives.
    pub name: String,
    /// The room its system gives (`store::view::room_of`).
    pub room: String,
}

/// One room on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomLayout {
    /// Identity ([`room_key`]): the keyed room list and the arrangement use it.
    pub key: String,
    /// The heading.
    pub name: String,
    /// Its visible lamps, in order.
    pub lamps: Vec<LampId>,
}

/// The page, arranged.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Layout {
    /// Favourite lamps not hidden, in natural order of their names.
    pub favourites: Vec<LampId>,
    /// Rooms with at least one visible lamp, in order.
    pub rooms: Vec<RoomLayout>,
    /// Hidden lamps, in natural order of their names.
    pub hidden: Vec<LampId>,
}

/// The name a lamp shows: the user's, else its system's.
pub fn lamp_name<'a>(info: &'a LampInfo, arrangement: &'a Arrangement) -> &'a str {
    arrangement
        .lamp(&info.id)
        .and_then(|l| l.name.as_deref())
        .unwrap_or(&info.name)
}

/// The room a lamp shows in, as displayed: the user's, else its system's, with spaces.
pub fn lamp_room(info: &LampInfo, arrangement: &Arrangement) -> String {
    let raw = arrangement
        .lamp(&info.id)
        .and_then(|l| l.room.as_deref())
        .unwrap_or(&info.room);
    room_display_name(raw)
}

/// Position in a user's order (listed ones first, in that order), else None.
fn position<T: PartialEq>(order: &[T], item: &T) -> Option<usize> {
    order.iter().position(|x| x == item)
}

/// Listed items first in the listed order, then the rest by `rest`.
fn by_order<T: PartialEq>(order: &[T], a: &T, b: &T, rest: impl FnOnce() -> Ordering) -> Ordering {
    match (position(order, a), position(order, b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => rest(),
    }
}

/// A lamp by its shown name, for sorting.
type Named<'a> = (&'a str, &'a LampId);

/// Arranges the lamps: one room per [`room_key`] (its heading the spelling starting with a
/// capital if any, else the first in byte order, so it does not depend on arrival order),
/// rooms and lamps in the user's order first, the rest in natural order of their names then
/// ids, so the grid never jumps as messages arrive. Hidden lamps are in no room.
pub fn layout(lamps: &[LampInfo], arrangement: &Arrangement) -> Layout {
    let mut rooms: BTreeMap<String, (String, Vec<Named<'_>>)> = BTreeMap::new();
    let mut favourites = Vec::new();
    let mut hidden = Vec::new();
    for info in lamps {
        let name = lamp_name(info, arrangement);
        let own = arrangement.lamp(&info.id);
        if own.is_some_and(|l| l.hidden) {
            hidden.push((name, &info.id));
            continue;
        }
        if own.is_some_and(|l| l.favourite) {
            favourites.push((name, &info.id));
        }
        let room = lamp_room(info, arrangement);
        let entry = rooms
            .entry(room_key(&room))
            .or_insert_with(|| (room.clone(), Vec::new()));
        let capital = |s: &str| s.starts_with(char::is_uppercase);
        if (capital(&room), std::cmp::Reverse(&room))
            > (capital(&entry.0), std::cmp::Reverse(&entry.0))
        {
            entry.0 = room;
        }
        entry.1.push((name, &info.id));
    }
    let natural =
        |a: &(&str, &LampId), b: &(&str, &LampId)| natural_cmp(a.0, b.0).then_with(|| a.1.cmp(b.1));
    let mut rooms: Vec<RoomLayout> = rooms
        .into_iter()
        .map(|(key, (name, mut list))| {
            let order = arrangement
                .rooms
                .get(&key)
                .map(|r| r.order.as_slice())
                .unwrap_or_default();
            list.sort_by(|a, b| by_order(order, a.1, b.1, || natural(a, b)));
            RoomLayout {
                key,
                name,
                lamps: list.into_iter().map(|(_, id)| id.clone()).collect(),
            }
        })
        .collect();
    let room_order = &arrangement.room_order.keys;
    rooms.sort_by(|a, b| {
        by_order(room_order, &a.key, &b.key, || {
            natural_cmp(&a.name, &b.name).then_with(|| a.key.cmp(&b.key))
        })
    });
    favourites.sort_by(natural);
    hidden.sort_by(natural);
    Layout {
        favourites: favourites.into_iter().map(|(_, id)| id.clone()).collect(),
        rooms,
        hidden: hidden.into_iter().map(|(_, id)| id.clone()).collect(),
    }
}

/// `order` with `item` moved `delta` places (negative: up), or None when it cannot move
/// (not there, or already at that end).
pub fn moved<T: PartialEq + Clone>(order: &[T], item: &T, delta: isize) -> Option<Vec<T>> {
    let from = position(order, item)?;
    let to = from.checked_add_signed(delta)?;
    if to >= order.len() || to == from {
        return None;
    }
    let mut out = order.to_vec();
    let x = out.remove(from);
    out.insert(to, x);
    Some(out)
}

/// `order` with `item` dropped just before `before` (a drag onto another lamp or room), or
/// at the end for None. None when nothing changes.
pub fn dropped_before<T: PartialEq + Clone>(
    order: &[T],
    item: &T,
    before: Option<&T>,
) -> Option<Vec<T>> {
    if before == Some(item) {
        return None;
    }
    let mut out = order.to_vec();
    let from = position(&out, item)?;
    let x = out.remove(from);
    let to = match before {
        Some(b) => position(&out, b)?,
        None => out.len(),
    };
    out.insert(to, x);
    (out != order).then_some(out)
}
