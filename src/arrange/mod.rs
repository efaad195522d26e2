//! The user's arrangement of the dashboard: names, rooms, order, hidden lamps, favourites,
//! hand-set capabilities of plain lamps, collapsed rooms and scenes. Keyed by [`LampId`],
//! stored in the browser per broker profile and carried by the settings export.
//!
//! Pure (no web-sys, no leptos), so every rule is tested natively. Built to be merged: each
//! item (one lamp's arrangement, one room's, the room order, one scene) carries its own
//! `updated_at` stamp, and [`Arrangement::merge`] keeps the newer of each, so two browsers
//! syncing through the broker (issue 16) converge item by item instead of one overwriting the
//! other whole. Unknown fields are kept through a load and save, so a newer Lampboard's
//! additions survive an older one.

pub mod names;
pub mod order;
pub mod rooms;
pub mod scenes;
pub mod search;
pub mod sync;

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::lamp::{Capabilities, LampId};
pub use names::{natural_cmp, room_display_name, room_key};
pub use order::{layout, LampInfo, Layout, RoomLayout};
pub use scenes::{Scene, SceneItem, Target};
pub use search::matches;

/// The version of the stored arrangement; a file from a newer Lampboard is still read (what
/// this one understands) and its unknown fields kept.
pub const ARRANGEMENT_FORMAT: u32 = 1;

/// The longest name (lamp, room or scene) kept, in characters: enough for any real name,
/// and a pasted page of text does not become a tile.
pub const MAX_NAME_CHARS: usize = 80;

/// What a plain MQTT lamp can do, set by hand: a seed lamp learns its controls from the
/// fields it sends, and one that only ever sent `{"state":"ON"}` would never show a slider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualKind {
    /// A switch only.
    OnOff,
    /// On/off and brightness.
    Dimmable,
    /// Brightness and colour.
    Colour,
    /// Brightness and colour temperature (tunable white).
    White,
}

impl ManualKind {
    /// Every kind, in the order the picker offers them.
    pub const ALL: [ManualKind; 4] = [
        ManualKind::OnOff,
        ManualKind::Dimmable,
        ManualKind::Colour,
        ManualKind::White,
    ];

    /// The picker's words.
    pub fn label(self) -> &'static str {
        match self {
            ManualKind::OnOff => "On/off only",
            ManualKind::Dimmable => "Dimmable",
            ManualKind::Colour => "Colour",
            ManualKind::White => "White (colour temperature)",
        }
    }

    /// The value in forms and storage.
    pub fn key(self) -> &'static str {
        match self {
            ManualKind::OnOff => "on_off",
            ManualKind::Dimmable => "dimmable",
            ManualKind::Colour => "colour",
            ManualKind::White => "white",
        }
    }

    /// The kind a form value names, if any.
    pub fn from_key(key: &str) -> Option<ManualKind> {
        ManualKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The controls this kind has, written over what was announced or learned (effects
    /// stay: they come from the lamp's own list).
    pub fn apply(self, caps: &mut Capabilities) {
        let (brightness, color, color_temp) = match self {
            ManualKind::OnOff => (false, false, false),
            ManualKind::Dimmable => (true, false, false),
            ManualKind::Colour => (true, true, false),
            ManualKind::White => (true, false, true),
        };
        caps.brightness = brightness;
        caps.color = color;
        caps.color_temp = color_temp;
    }
}

/// One lamp as the user arranged it. Every field is optional in storage.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LampArrangement {
    /// The user's name for it; None shows the name its system gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The room the user put it in; None keeps its system's room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Left off the rooms and listed under "Hidden lamps".
    pub hidden: bool,
    /// Shown in the Favourites row too.
    pub favourite: bool,
    /// Hand-set controls (plain MQTT lamps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ManualKind>,
    /// Wall-clock ms of the last change, for last-writer-wins merges.
    pub updated_at: f64,
    /// Fields a newer Lampboard wrote, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One room as the user arranged it, keyed by [`room_key`].
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomArrangement {
    /// The lamps in the order the user put them; lamps not listed follow, in natural order.
    pub order: Vec<LampId>,
    /// Folded to its header.
    pub collapsed: bool,
    /// Wall-clock ms of the last change.
    pub updated_at: f64,
    /// Fields a newer Lampboard wrote.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The order of the rooms on the page, by [`room_key`]; rooms not listed follow.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomOrder {
    /// Room keys, first on the page first.
    pub keys: Vec<String>,
    /// Wall-clock ms of the last change.
    pub updated_at: f64,
    /// Fields a newer Lampboard wrote.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Everything the user arranged for one broker profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Arrangement {
    /// Always [`ARRANGEMENT_FORMAT`] when written by this Lampboard.
    pub lampboard_arrangement: u32,
    /// Per lamp.
    pub lamps: BTreeMap<LampId, LampArrangement>,
    /// Per room key.
    pub rooms: BTreeMap<String, RoomArrangement>,
    /// The rooms' order.
    pub room_order: RoomOrder,
    /// Scenes by id (deleted ones stay as stamped tombstones, so a merge does not bring them
    /// back).
    pub scenes: BTreeMap<String, Scene>,
    /// Fields a newer Lampboard wrote.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Arrangement {
    fn default() -> Self {
        Self {
            lampboard_arrangement: ARRANGEMENT_FORMAT,
            lamps: BTreeMap::new(),
            rooms: BTreeMap::new(),
            room_order: RoomOrder::default(),
            scenes: BTreeMap::new(),
            extra: Map::new(),
        }
    }
}

/// A stamp for an item changed at `now`: never earlier than or equal to its last stamp, so a
/// local change always wins over what it replaces even when the clock stepped back.
pub fn stamp(previous: f64, now: f64) -> f64 {
    if now > previous {
        now
    } else {
        previous + 1.0
    }
}

/// A name as kept: trimmed, inner whitespace collapsed, at most [`MAX_NAME_CHARS`]; None
/// when nothing is left.
pub fn clean_name(raw: &str) -> Option<String> {
    let joined = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = joined.chars().take(MAX_NAME_CHARS).collect();
    let cut = cut.trim_end().to_owned();
    (!cut.is_empty()).then_some(cut)
}

/// What loading a stored or imported arrangement found: the arrangement, and each part it
/// had to leave out, in words (a damaged entry costs that entry, not the whole arrangement).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Loaded {
    /// What could be read.
    pub arrangement: Arrangement,
    /// What was left out and why.
    pub skipped: Vec<String>,
}

/// Reads each entry of an object map on its own, so one bad entry is skipped, not fatal.
fn entries<T: DeserializeOwned>(
    value: Option<&Value>,
    what: &str,
    skipped: &mut Vec<String>,
) -> Vec<(String, T)> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(map) = value.as_object() else {
        skipped.push(format!("{what}s: not a list of entries, left out"));
        return Vec::new();
    };
    map.iter()
        .filter_map(|(key, v)| match serde_json::from_value::<T>(v.clone()) {
            Ok(t) => Some((key.clone(), t)),
            Err(e) => {
                skipped.push(format!("{what} “{key}”: {e}"));
                None
            }
        })
        .collect()
}

impl Arrangement {
    /// Reads an arrangement, keeping what it can: text that is not a JSON object is an
    /// error in words; a damaged entry is skipped and named in [`Loaded::skipped`].
    pub fn from_json(text: &str) -> Result<Loaded, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("The arrangement is not JSON ({e})"))?;
        Self::from_value(value)
    }

    /// [`Arrangement::from_json`] for a value already parsed (the settings export).
    pub fn from_value(value: Value) -> Result<Loaded, String> {
        let Value::Object(mut top) = value else {
            return Err("The arrangement is not a JSON object".to_owned());
        };
        let mut skipped = Vec::new();
        let lamps = entries::<LampArrangement>(top.get("lamps"), "Lamp", &mut skipped);
        let rooms = entries::<RoomArrangement>(top.get("rooms"), "Room", &mut skipped);
        let scenes = entries::<Scene>(top.get("scenes"), "Scene", &mut skipped);
        let room_order = match top.get("room_order") {
            None => RoomOrder::default(),
            Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|e| {
                skipped.push(format!("The room order: {e}"));
                RoomOrder::default()
            }),
        };
        for known in [
            "lampboard_arrangement",
            "lamps",
            "rooms",
            "scenes",
            "room_order",
        ] {
            top.remove(known);
        }
        let arrangement = Arrangement {
            lampboard_arrangement: ARRANGEMENT_FORMAT,
            lamps: lamps.into_iter().map(|(k, v)| (LampId(k), v)).collect(),
            rooms: rooms.into_iter().collect(),
            room_order,
            scenes: scenes
                .into_iter()
                .map(|(k, mut s)| {
                    s.id = k.clone();
                    (k, s)
                })
                .collect(),
            extra: top,
        };
        Ok(Loaded {
            arrangement,
            skipped,
        })
    }

    /// The stored form (compact JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The arrangement as a JSON value (for the settings export).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Whether nothing was arranged (an empty arrangement is not exported).
    pub fn is_empty(&self) -> bool {
        self.lamps.is_empty()
            && self.rooms.is_empty()
            && self.room_order.keys.is_empty()
            && self.scenes.is_empty()
    }

    /// One lamp's arrangement, if any.
    pub fn lamp(&self, id: &LampId) -> Option<&LampArrangement> {
        self.lamps.get(id)
    }

    /// Changes one lamp's arrangement and stamps it. Returns whether anything changed, so
    /// an unchanged form submit writes nothing.
    fn edit_lamp(
        &mut self,
        id: &LampId,
        now: f64,
        edit: impl FnOnce(&mut LampArrangement),
    ) -> bool {
        let known = self.lamps.contains_key(id);
        let entry = self.lamps.entry(id.clone()).or_default();
        let before = entry.clone();
        edit(entry);
        if *entry == before {
            if !known {
                // Nothing arranged: leave no empty entry behind.
                self.lamps.remove(id);
            }
            return false;
        }
        entry.updated_at = stamp(before.updated_at, now);
        true
    }

    /// Renames a lamp; an empty name, or the system's own `original`, goes back to the
    /// system's name.
    pub fn rename(&mut self, id: &LampId, name: &str, original: &str, now: f64) -> bool {
        let name = clean_name(name).filter(|n| n != original.trim());
        self.edit_lamp(id, now, |l| l.name = name)
    }

    /// Puts a lamp in a room by name; an empty name, or its system's `original` room, goes
    /// back to the system's room.
    pub fn move_to_room(&mut self, id: &LampId, room: &str, original: &str, now: f64) -> bool {
        let room = clean_name(room).filter(|r| room_key(r) != room_key(original));
        self.edit_lamp(id, now, |l| l.room = room)
    }

    /// Hides a lamp or brings it back.
    pub fn set_hidden(&mut self, id: &LampId, hidden: bool, now: f64) -> bool {
        self.edit_lamp(id, now, |l| l.hidden = hidden)
    }

    /// Marks a lamp a favourite or not.
    pub fn set_favourite(&mut self, id: &LampId, favourite: bool, now: f64) -> bool {
        self.edit_lamp(id, now, |l| l.favourite = favourite)
    }

    /// Sets a plain lamp's controls by hand, or None to go back to what it sends.
    pub fn set_kind(&mut self, id: &LampId, kind: Option<ManualKind>, now: f64) -> bool {
        self.edit_lamp(id, now, |l| l.kind = kind)
    }

    /// Changes one room's arrangement and stamps it.
    fn edit_room(&mut self, key: &str, now: f64, edit: impl FnOnce(&mut RoomArrangement)) -> bool {
        let known = self.rooms.contains_key(key);
        let entry = self.rooms.entry(key.to_owned()).or_default();
        let before = entry.clone();
        edit(entry);
        if *entry == before {
            if !known {
                // Nothing arranged: leave no empty entry behind.
                self.rooms.remove(key);
            }
            return false;
        }
        entry.updated_at = stamp(before.updated_at, now);
        true
    }

    /// Folds a room to its header or opens it.
    pub fn set_collapsed(&mut self, room: &str, collapsed: bool, now: f64) -> bool {
        self.edit_room(room, now, |r| r.collapsed = collapsed)
    }

    /// Whether a room is folded.
    pub fn is_collapsed(&self, room: &str) -> bool {
        self.rooms.get(room).is_some_and(|r| r.collapsed)
    }

    /// Sets the order of a room's lamps.
    pub fn set_lamp_order(&mut self, room: &str, order: Vec<LampId>, now: f64) -> bool {
        self.edit_room(room, now, |r| r.order = order)
    }

    /// Sets the order of the rooms.
    pub fn set_room_order(&mut self, keys: Vec<String>, now: f64) -> bool {
        if self.room_order.keys == keys {
            return false;
        }
        self.room_order.keys = keys;
        self.room_order.updated_at = stamp(self.room_order.updated_at, now);
        true
    }

    /// The scenes not deleted, by name in natural order.
    pub fn live_scenes(&self) -> Vec<&Scene> {
        let mut list: Vec<&Scene> = self.scenes.values().filter(|s| !s.deleted).collect();
        list.sort_by(|a, b| natural_cmp(&a.name, &b.name).then_with(|| a.id.cmp(&b.id)));
        list
    }

    /// Saves a new scene; its id is new (made from `now`, never one in use, deleted ones
    /// included). Returns the id, or why not in words (no name, no lamp).
    pub fn add_scene(
        &mut self,
        name: &str,
        items: Vec<SceneItem>,
        now: f64,
    ) -> Result<String, String> {
        let name = clean_name(name).ok_or_else(|| "Give the scene a name".to_owned())?;
        if items.is_empty() {
            return Err("A scene needs at least one lamp whose state is known".to_owned());
        }
        let mut n = now.max(0.0) as u64;
        let id = loop {
            let id = format!("scene-{n:x}");
            if !self.scenes.contains_key(&id) {
                break id;
            }
            n += 1;
        };
        self.scenes.insert(
            id.clone(),
            Scene {
                id: id.clone(),
                name,
                items,
                deleted: false,
                updated_at: now,
                extra: Map::new(),
            },
        );
        Ok(id)
    }

    /// Changes a scene (rename, new lamps or states) and stamps it.
    pub fn edit_scene(&mut self, id: &str, now: f64, edit: impl FnOnce(&mut Scene)) -> bool {
        let Some(scene) = self.scenes.get_mut(id) else {
            return false;
        };
        let before = scene.clone();
        edit(scene);
        if let Some(name) = clean_name(&scene.name) {
            scene.name = name;
        } else {
            scene.name = before.name.clone();
        }
        if *scene == before {
            return false;
        }
        scene.updated_at = stamp(before.updated_at, now);
        true
    }

    /// Deletes a scene, leaving a stamped tombstone so a merge with an older copy does not
    /// bring it back.
    pub fn delete_scene(&mut self, id: &str, now: f64) -> bool {
        self.edit_scene(id, now, |s| {
            s.deleted = true;
            s.items.clear();
        })
    }

    /// Merges another copy item by item, the later stamp winning (a tie goes to the larger
    /// JSON text, so both sides pick the same one). Merging is commutative and idempotent.
    pub fn merge(&mut self, other: &Arrangement) {
        merge_map(&mut self.lamps, &other.lamps, |l| l.updated_at);
        merge_map(&mut self.rooms, &other.rooms, |r| r.updated_at);
        merge_map(&mut self.scenes, &other.scenes, |s| s.updated_at);
        if newer(&other.room_order, &self.room_order, |o| o.updated_at) {
            self.room_order = other.room_order.clone();
        }
        for (k, v) in &other.extra {
            self.extra.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// Whether `a` wins over `b`: a later stamp, or on a tie the larger JSON text.
fn newer<T: Serialize>(a: &T, b: &T, at: impl Fn(&T) -> f64) -> bool {
    let (x, y) = (at(a), at(b));
    if x != y {
        return x > y;
    }
    let text = |t: &T| serde_json::to_string(t).unwrap_or_default();
    text(a) > text(b)
}

fn merge_map<K: Ord + Clone, T: Clone + Serialize>(
    mine: &mut BTreeMap<K, T>,
    theirs: &BTreeMap<K, T>,
    at: impl Fn(&T) -> f64 + Copy,
) {
    for (k, t) in theirs {
        match mine.get(k) {
            Some(m) if !newer(t, m, at) => {}
            _ => {
                mine.insert(k.clone(), t.clone());
            }
        }
    }
}
