//! Scenes: one button per scene to recall it, a line saying how many lamps confirmed, a form
//! to save the current state of a room or of chosen lamps, and a list to rename, update and
//! delete scenes.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::split::{loaded_view, split_view};

use crate::lamp::LampId;
use crate::store::Store;

/// The scenes row, the recall report, and the forms behind "New scene" and "Edit". Needs a
/// [`SceneForm`] in context (the dashboard provides it).
#[component]
pub fn ScenesPanel() -> impl IntoView {
    let store = expect_context::<Store>();
    let creating = expect_context::<SceneForm>().0;
    let editing = RwSignal::new(false);
    let scenes = move || {
        store.arrangement.with(|a| {
            a.live_scenes()
                .into_iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let has_scenes = move || store.arrangement.with(|a| !a.live_scenes().is_empty());
    let native = move || store.native_scenes();
    let has_native = move || !native().is_empty();
    let report = move || {
        store.scene_report.get().map(|r| {
            let (reached, total) = store.scene_progress(&r);
            let mut line = format!("{}: {reached} of {total} lamps confirmed", r.name);
            if r.not_sent > 0 {
                line.push_str(&format!(" ({} could not be sent to)", r.not_sent));
            }
            line
        })
    };
    view! {
        // Nothing but the toolbar's "New scene" until there is a scene or the form is open,
        // so a house without scenes loses no screen to them.
        <Show when=move || has_scenes() || has_native() || creating.get()>
            <section class="scenes" aria-labelledby="scenes-heading">
                <div class="scenes-head">
                    <h2 id="scenes-heading">"Scenes"</h2>
                    <Show when=has_scenes>
                        <button
                            type="button"
                            class="chip edit-scenes"
                            aria-expanded=move || if editing.get() { "true" } else { "false" }
                            on:click=move |_| editing.update(|e| *e = !*e)
                        >"Edit"</button>
                    </Show>
                </div>
                <div class="scene-row">
                    <For each=scenes key=|s| s.clone() let:scene>
                        <button
                            type="button"
                            class="scene-button"
                            data-scene=scene.0.clone()
                            on:click=move |_| store.recall_scene(&scene.0)
                        >{scene.1.clone()}</button>
                    </For>
                </div>
                <Show when=has_native>
                    <div class="scene-row native-scenes" aria-label="Scenes stored in Zigbee2MQTT groups and devices">
                        <For each=native key=|s| (s.0.clone(), s.2, s.3.clone()) let:scene>
                            {
                                let lamp = StoredValue::new(scene.0.clone());
                                let id = scene.2;
                                view! {
                                    <button
                                        type="button"
                                        class="scene-button native-scene"
                                        title="Stored in the Zigbee2MQTT group or device, recalled by it"
                                        on:click=move |_| store.recall_native_scene(&lamp.get_value(), id)
                                    >
                                        <span class="scene-owner">{scene.1.clone()}": "</span>
                                        {scene.3.clone()}
                                    </button>
                                }
                            }
                        </For>
                    </div>
                </Show>
                <p class="scene-report" role="status">{report}</p>
                <Show when=move || creating.get()>
                    {loaded_view("the scene form", move || new_scene(creating))}
                </Show>
                <Show when=move || editing.get() && has_scenes()>
                    {loaded_view("the scene editor", edit_scenes)}
                </Show>
            </section>
        </Show>
    }
}

/// The toolbar's "New scene" button; opens the form in the scenes section.
#[component]
pub fn NewSceneButton() -> impl IntoView {
    let creating = expect_context::<SceneForm>().0;
    view! {
        <button
            type="button"
            class="secondary new-scene"
            aria-expanded=move || if creating.get() { "true" } else { "false" }
            on:click=move |_| creating.update(|c| *c = !*c)
        >"New scene"</button>
    }
}

/// Whether the new-scene form is open, shared by the toolbar's button and the section.
#[derive(Clone, Copy)]
pub struct SceneForm(pub RwSignal<bool>);

/// The form for a new scene: a name, a room (or all), and the lamps of it to include, all
/// ticked at first.
#[component]
fn NewScene(open: RwSignal<bool>) -> impl IntoView {
    let store = expect_context::<Store>();
    let name = RwSignal::new(String::new());
    let room = RwSignal::new(
        store
            .rooms
            .with_untracked(|r| r.first().map(|r| r.key.clone()))
            .unwrap_or_default(),
    );
    let lamps_of = move |room: &str| -> Vec<LampId> {
        store.rooms.with(|rooms| {
            rooms
                .iter()
                .filter(|r| room == "*" || r.key == room)
                .flat_map(|r| r.lamps.clone())
                .collect()
        })
    };
    let left_out = RwSignal::new(BTreeSet::<LampId>::new());
    let error = RwSignal::new(String::new());
    let save = move || {
        let ids: Vec<LampId> = lamps_of(&room.get_untracked())
            .into_iter()
            .filter(|id| !left_out.with_untracked(|l| l.contains(id)))
            .collect();
        let (_, unknown) = store.capture_scene(&ids);
        match store.save_scene(&name.get_untracked(), &ids) {
            Ok(_) => {
                error.set(String::new());
                open.set(false);
                if !unknown.is_empty() {
                    store.notice.set(Some(format!(
                        "Saved without {} lamp{} whose state is unknown",
                        unknown.len(),
                        if unknown.len() == 1 { "" } else { "s" }
                    )));
                }
            }
            Err(why) => error.set(why),
        }
    };
    let label_of = move |id: &LampId| {
        store
            .lamp(id)
            .map(|s| s.with(|v| v.lamp.name.clone()))
            .unwrap_or_else(|| id.to_string())
    };
    view! {
        <form
            class="scene-form"
            on:submit=move |ev| {
                ev.prevent_default();
                save();
            }
        >
            <label class="field">
                <span class="field-label">"Scene name"</span>
                <input
                    class="scene-name"
                    type="text"
                    maxlength="80"
                    autocomplete="off"
                    placeholder="Evening"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span class="field-label">"Lamps of"</span>
                <select
                    class="scene-room"
                    prop:value=move || room.get()
                    on:change=move |ev| {
                        room.set(event_target_value(&ev));
                        left_out.set(BTreeSet::new());
                    }
                >
                    {move || store.rooms.with(|rooms| rooms.iter().map(|r| {
                        let key = r.key.clone();
                        let selected = room.with_untracked(|k| *k == key);
                        view! { <option value=key selected=selected>{r.name.clone()}</option> }
                    }).collect_view())}
                    <option value="*">"Every room"</option>
                </select>
            </label>
            <fieldset class="scene-lamps">
                <legend>"Include"</legend>
                {move || lamps_of(&room.get()).into_iter().map(|id| {
                    let lamp = StoredValue::new(id.clone());
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                class="scene-lamp"
                                data-lamp=id.0.clone()
                                prop:checked=move || !left_out.with(|l| l.contains(&lamp.get_value()))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    left_out.update(|l| {
                                        if on { l.remove(&lamp.get_value()); } else { l.insert(lamp.get_value()); }
                                    });
                                }
                            />
                            <span>{label_of(&id)}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <div class="panel-buttons">
                <button type="submit" class="primary save-scene">"Save current states"</button>
                <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}

split_view!(
    scenes,
    /// The new-scene form, built by the scene editor's chunk (`ui::split`).
    fn new_scene(open: RwSignal<bool>) {
        view! { <NewScene open=open /> }
    }
);

split_view!(
    scenes,
    /// The scene editor, built by its own chunk (`ui::split`): most visits only run scenes.
    fn edit_scenes() {
        view! { <EditScenes /> }
    }
);

/// Every scene with a name field, its lamps and targets, "Update to now" and "Delete".
#[component]
fn EditScenes() -> impl IntoView {
    let store = expect_context::<Store>();
    let ids = move || {
        store.arrangement.with(|a| {
            a.live_scenes()
                .into_iter()
                .map(|s| s.id.clone())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ul class="scene-edit-list">
            <For each=ids key=|id| id.clone() let:id>
                <SceneEditor id=id />
            </For>
        </ul>
    }
}

#[component]
fn SceneEditor(id: String) -> impl IntoView {
    let store = expect_context::<Store>();
    let id = StoredValue::new(id);
    let scene = move || {
        store
            .arrangement
            .with(|a| a.scenes.get(&id.get_value()).cloned())
    };
    let name = RwSignal::new(untrack(scene).map(|s| s.name).unwrap_or_default());
    let said = RwSignal::new(String::new());
    let lamp_name = move |lamp: &LampId| {
        store
            .lamp(lamp)
            .map(|s| s.with(|v| v.lamp.name.clone()))
            .unwrap_or_else(|| format!("{lamp} (not seen now)"))
    };
    view! {
        <li class="scene-editor" data-scene=id.get_value()>
            <form
                class="arrange-row"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let typed = name.get_untracked();
                    let changed = store.arrange(|a, now| a.edit_scene(&id.get_value(), now, |s| s.name = typed));
                    name.set(scene().map(|s| s.name).unwrap_or_default());
                    said.set(if changed { "Renamed".into() } else { "Nothing to change".into() });
                }
            >
                <label class="field grow">
                    <span class="field-label">"Name"</span>
                    <input
                        class="scene-rename"
                        type="text"
                        maxlength="80"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="secondary">"Rename"</button>
            </form>
            <ul class="scene-targets">
                {move || scene().map(|s| s.items.into_iter().map(|item| {
                    let lamp = StoredValue::new(item.lamp.clone());
                    view! {
                        <li>
                            <span class="scene-target-name">{lamp_name(&item.lamp)}</span>
                            " "
                            <span class="scene-target-state">{item.target.describe()}</span>
                            <button
                                type="button"
                                class="chip scene-drop-lamp"
                                aria-label=format!("Remove {} from the scene", lamp_name(&item.lamp))
                                on:click=move |_| {
                                    store.arrange(|a, now| a.edit_scene(&id.get_value(), now, |s| {
                                        s.items.retain(|i| i.lamp != lamp.get_value());
                                    }));
                                }
                            >"Remove"</button>
                        </li>
                    }
                }).collect_view())}
            </ul>
            <div class="panel-buttons">
                <button
                    type="button"
                    class="secondary scene-update"
                    on:click=move |_| {
                        let lamps: Vec<LampId> = scene().map(|s| s.items.into_iter().map(|i| i.lamp).collect()).unwrap_or_default();
                        let (items, unknown) = store.capture_scene(&lamps);
                        let changed = store.arrange(|a, now| a.edit_scene(&id.get_value(), now, |s| {
                            // Lamps whose state is unknown now keep their saved target.
                            for item in items {
                                if let Some(slot) = s.items.iter_mut().find(|i| i.lamp == item.lamp) {
                                    *slot = item;
                                }
                            }
                        }));
                        said.set(match (changed, unknown.len()) {
                            (false, _) => "Already the current states".to_owned(),
                            (true, 0) => "Updated to the current states".to_owned(),
                            (true, n) => format!("Updated; {n} lamp(s) of unknown state kept as saved"),
                        });
                    }
                >"Update to current states"</button>
                <button
                    type="button"
                    class="secondary danger scene-delete"
                    on:click=move |_| {
                        store.arrange(|a, now| a.delete_scene(&id.get_value(), now));
                    }
                >"Delete"</button>
            </div>
            <p class="arrange-said" role="status">{move || said.get()}</p>
        </li>
    }
}
