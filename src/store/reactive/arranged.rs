//! The store's side of the arrangement (`crate::arrange`): lamps dressed in the user's names,
//! rooms and controls, the arranged room list, its storage per profile, the room controls
//! and scenes. The rules are pure in `crate::arrange`; this only reads the signals and sends.

use leptos::prelude::*;

use super::{local_storage, wall_clock, Store};
use crate::arrange::rooms::{brightness_plan, switch_plan, Member};
use crate::arrange::scenes::capture;
use crate::arrange::{layout, Arrangement, LampInfo, Target};
use crate::lamp::{Lamp, LampId, SourceKind};
use crate::store::view::room_of;

/// The last scene recalled, for the line that says how many of its lamps confirmed.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneReport {
    /// The scene's name as recalled.
    pub name: String,
    /// Its lamps and their targets.
    pub targets: Vec<(LampId, Target)>,
    /// Lamps nothing could be sent to (unknown, unavailable, not connected).
    pub not_sent: usize,
}

impl Store {
    /// A lamp as the user arranged it: their name, their room and, for a plain lamp, the
    /// controls they set by hand. Everything else (state, binding) is the directory's.
    pub(super) fn dress(&self, mut lamp: Lamp) -> Lamp {
        self.arrangement.with_untracked(|a| {
            if let Some(own) = a.lamp(&lamp.id) {
                if let Some(name) = &own.name {
                    lamp.name = name.clone();
                }
                if let Some(room) = &own.room {
                    lamp.room = Some(room.clone());
                }
                if let Some(kind) = own.kind.filter(|_| lamp.source_kind() == SourceKind::Seed) {
                    kind.apply(&mut lamp.capabilities);
                }
            }
        });
        lamp
    }

    /// Rebuilds the room list, the Favourites row and the hidden list from the directory's
    /// lamps and the arrangement; each signal is set only when it changed.
    pub(super) fn regroup_now(&self) {
        let Some(infos) = self.directory.try_with_value(|d| {
            d.lamps()
                .map(|lamp| LampInfo {
                    id: lamp.id.clone(),
                    name: lamp.name.clone(),
                    room: room_of(lamp),
                })
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        let Some(arranged) = self.arrangement.try_with_untracked(|a| layout(&infos, a)) else {
            return;
        };
        if self.rooms.with_untracked(|r| *r != arranged.rooms) {
            self.rooms.try_set(arranged.rooms);
        }
        if self
            .favourites
            .with_untracked(|f| *f != arranged.favourites)
        {
            self.favourites.try_set(arranged.favourites);
        }
        if self.hidden.with_untracked(|h| *h != arranged.hidden) {
            self.hidden.try_set(arranged.hidden);
        }
    }

    /// Applies the arrangement to every card: names, rooms and hand-set controls.
    pub(super) fn redress_all(&self) {
        let signals: Vec<(LampId, RwSignal<crate::store::view::LampView>)> = self
            .lamps
            .with_value(|l| l.iter().map(|(id, s)| (id.clone(), *s)).collect());
        for (id, signal) in signals {
            let Some(lamp) = self.directory.with_value(|d| d.lamp(&id).cloned()) else {
                continue;
            };
            let dressed = self.dress(lamp);
            let differs = signal.with_untracked(|v| {
                v.lamp.name != dressed.name
                    || v.lamp.room != dressed.room
                    || v.lamp.capabilities != dressed.capabilities
            });
            if differs {
                signal.try_update(|v| {
                    v.lamp.name = dressed.name;
                    v.lamp.room = dressed.room;
                    v.lamp.capabilities = dressed.capabilities;
                });
            }
        }
    }

    /// Uses the arrangement kept under `key` (`settings::profile_storage_key`), or an empty
    /// one. A stored copy that cannot be read is kept aside under `<key>.damaged` (nothing
    /// lost) and the notice says so; damaged entries inside a readable one are named too.
    pub fn use_arrangement(&self, key: Option<String>) {
        let stored = key
            .as_deref()
            .and_then(|k| local_storage().and_then(|s| s.get_item(k).ok().flatten()));
        let arrangement = match stored.as_deref().map(Arrangement::from_json) {
            None => Arrangement::default(),
            Some(Ok(loaded)) => {
                if !loaded.skipped.is_empty() {
                    self.notice.try_set(Some(format!(
                        "Part of the saved arrangement could not be read and was left out: {}",
                        loaded.skipped.join("; ")
                    )));
                }
                loaded.arrangement
            }
            Some(Err(why)) => {
                if let (Some(k), Some(s), Some(text)) = (&key, local_storage(), &stored) {
                    let _ = s.set_item(&format!("{k}.damaged"), text);
                }
                self.notice.try_set(Some(format!(
                    "The saved arrangement could not be read ({why}); it was kept aside and the dashboard starts unarranged"
                )));
                Arrangement::default()
            }
        };
        self.arrangement_key.set_value(key);
        self.arrangement.set(arrangement);
        self.redress_all();
        self.regroup_now();
        // An import merged into the profile in use is shared like an edit (a profile switch
        // turns the old profile's sync off right after, in `set_sync`, before it could be).
        self.sync_edited();
    }

    /// Where the arrangement in use is kept, if anywhere.
    pub fn arrangement_key(&self) -> Option<String> {
        self.arrangement_key.get_value()
    }

    /// Changes the arrangement (`edit` gets it and the time, and says whether it changed
    /// anything): saved at once, the cards and rooms follow.
    pub fn arrange(&self, edit: impl FnOnce(&mut Arrangement, f64) -> bool) -> bool {
        let now = wall_clock();
        let changed = self
            .arrangement
            .try_update(|a| edit(a, now))
            .unwrap_or(false);
        if changed {
            self.save_arrangement();
            self.redress_all();
            self.regroup_now();
            self.sync_edited();
        }
        changed
    }

    /// Writes the arrangement to its key; a full storage is said in the notice.
    pub(super) fn save_arrangement(&self) {
        let Some(key) = self.arrangement_key.get_value() else {
            return;
        };
        let json = self.arrangement.with_untracked(Arrangement::to_json);
        if let Some(storage) = local_storage() {
            if storage.set_item(&key, &json).is_err() {
                self.notice.try_set(Some(
                    "The browser refused to save the arrangement (storage full?): it holds until the page closes".to_owned(),
                ));
            }
        }
    }

    /// The name and room a lamp's system gives it, before the user's: the rename form
    /// shows them as what "reset" goes back to.
    pub fn original(&self, id: &LampId) -> Option<(String, String)> {
        self.directory
            .with_value(|d| d.lamp(id).map(|l| (l.name.clone(), room_of(l))))
    }

    /// Which system a lamp came from, for search and the sheet.
    pub fn system_of(&self, id: &LampId) -> Option<SourceKind> {
        self.directory
            .with_value(|d| d.lamp(id).map(Lamp::source_kind))
    }

    /// One lamp as the room controls see it (as its card shows it).
    fn member(&self, id: &LampId) -> Option<Member> {
        self.lamp(id).map(|s| {
            s.with(|v| Member {
                id: id.clone(),
                on: v.shown.on,
                brightness: v.shown.brightness_pct,
                dimmable: v.lamp.capabilities.brightness,
                available: v.lamp.available,
            })
        })
    }

    /// The visible lamps of a room (by key or heading), tracked: a header reading this
    /// redraws when one of its lamps changes.
    pub fn room_members(&self, room: &str) -> Vec<Member> {
        let ids = self.rooms.with(|rooms| {
            rooms
                .iter()
                .find(|r| r.key == room || r.name == room)
                .map(|r| r.lamps.clone())
                .unwrap_or_default()
        });
        ids.iter().filter_map(|id| self.member(id)).collect()
    }

    /// The room slider let go at `pct`: every dimmable lamp in it scaled (see
    /// `arrange::rooms::brightness_plan`).
    pub fn room_brightness(&self, room: &str, pct: u8) {
        let members = untrack(|| self.room_members(room));
        for (id, changes) in brightness_plan(&members, pct) {
            self.change_all(&id, &changes);
        }
    }

    /// The house-wide All off: every visible lamp that is not off already.
    pub fn all_off(&self) {
        let rooms: Vec<String> = self
            .rooms
            .with_untracked(|r| r.iter().map(|r| r.key.clone()).collect());
        for room in rooms {
            let members = untrack(|| self.room_members(&room));
            for (id, changes) in switch_plan(&members, false) {
                self.change_all(&id, &changes);
            }
        }
    }

    /// What these lamps show now, as scene items; lamps whose on/off is unknown are left
    /// out and returned, so the form can name them.
    pub fn capture_scene(&self, ids: &[LampId]) -> (Vec<crate::arrange::SceneItem>, Vec<LampId>) {
        let views: Vec<(LampId, crate::lamp::LampState, crate::lamp::Capabilities)> = ids
            .iter()
            .filter_map(|id| {
                self.lamp(id).map(|s| {
                    s.with_untracked(|v| (id.clone(), v.shown.clone(), v.lamp.capabilities.clone()))
                })
            })
            .collect();
        capture(views.iter().map(|(id, s, c)| (id, s, c)))
    }

    /// Saves these lamps' current states as a new scene; its id, or why not in words.
    pub fn save_scene(&self, name: &str, ids: &[LampId]) -> Result<String, String> {
        let (items, _) = self.capture_scene(ids);
        let mut result = Err(String::new());
        self.arrange(|a, now| {
            result = a.add_scene(name, items, now);
            result.is_ok()
        });
        result
    }

    /// Recalls a scene: each lamp gets its target's changes through its own binding. The
    /// report ([`Store::scene_report`]) then counts the lamps that confirmed.
    pub fn recall_scene(&self, scene_id: &str) {
        let Some(scene) = self
            .arrangement
            .with_untracked(|a| a.scenes.get(scene_id).filter(|s| !s.deleted).cloned())
        else {
            return;
        };
        let mut not_sent = 0;
        for item in &scene.items {
            let sent = self.lamp(&item.lamp).is_some()
                && self.change_all(&item.lamp, &item.target.changes());
            // A lamp already in its target state needs nothing and is not "not sent".
            let already = !sent
                && self
                    .lamp(&item.lamp)
                    .is_some_and(|s| s.with_untracked(|v| item.target.reached_by(&v.lamp.state)));
            if !sent && !already {
                not_sent += 1;
            }
        }
        self.scene_report.set(Some(SceneReport {
            name: scene.name.clone(),
            targets: scene
                .items
                .iter()
                .map(|i| (i.lamp.clone(), i.target.clone()))
                .collect(),
            not_sent,
        }));
    }

    /// The scenes lamps' own systems store (Zigbee2MQTT groups), as (lamp, lamp name, scene
    /// id, scene name); tracked on the room list, which changes as lamps come and go.
    pub fn native_scenes(&self) -> Vec<(LampId, String, u64, String)> {
        self.rooms.track();
        let scenes = self
            .directory
            .try_with_value(|d| d.native_scenes())
            .unwrap_or_default();
        scenes
            .into_iter()
            .map(|(lamp, id, name)| {
                let lamp_name = self
                    .lamp(&lamp)
                    .map(|s| s.with_untracked(|v| v.lamp.name.clone()))
                    .unwrap_or_else(|| lamp.to_string());
                (lamp, lamp_name, id, name)
            })
            .collect()
    }

    /// Recalls a native scene the way its system does (`{"scene_recall": id}` for
    /// Zigbee2MQTT); a refusal or failure goes to the notice.
    pub fn recall_native_scene(&self, lamp: &LampId, scene: u64) {
        let messages = match self
            .directory
            .with_value(|d| d.recall_native_scene(lamp, scene))
        {
            Ok(m) => m,
            Err(why) => {
                self.notice.set(Some(format!("Scene not recalled: {why}")));
                return;
            }
        };
        let Some(publisher) = self.publisher.get_value() else {
            self.notice.set(Some(
                "Scene not recalled: not connected to a broker".to_owned(),
            ));
            return;
        };
        let qos = self.qos.get_untracked();
        for out in messages {
            if let Err(why) = publisher.publish(&out.topic, out.payload, qos, out.retain) {
                self.notice.set(Some(format!("Scene not recalled: {why}")));
                return;
            }
        }
    }

    /// How many of the recalled scene's lamps confirmed their target, of how many (tracked:
    /// the line redraws as states come back).
    pub fn scene_progress(&self, report: &SceneReport) -> (usize, usize) {
        let reached = report
            .targets
            .iter()
            .filter(|(id, target)| {
                self.lamp(id)
                    .is_some_and(|s| s.with(|v| target.reached_by(&v.lamp.state)))
            })
            .count();
        (reached, report.targets.len())
    }
}
