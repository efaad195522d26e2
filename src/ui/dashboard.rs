use std::collections::BTreeMap;

use leptos::prelude::*;

use super::actions_menu::ActionsMenu;
use super::lamp_sheet::{LampSheet, SheetHandle};
use super::lamp_tile::LampTile;
use super::room_bar::RoomBar;
use super::room_header::{room_anchor, RoomHeader};
use super::scenes::{NewSceneButton, SceneForm, ScenesPanel};
use super::search_bar::{shows, SearchBar};
use super::view_switch::{ViewChoice, ViewSwitch};
use crate::arrange::order::{dropped_before, moved};
use crate::lamp::LampId;
use crate::net::status::ConnectionStatus;
use crate::store::Store;

/// The page's move mode (lamps and rooms get up/down buttons and can be dragged), shared by
/// the room sections.
#[derive(Clone, Copy)]
struct MoveMode {
    on: RwSignal<bool>,
    /// The lamp being dragged, and its room's key.
    dragging: RwSignal<Option<(String, LampId)>>,
}

/// Every lamp, arranged: the toolbar (search, and New scene, Reorder and All off, behind one
/// menu button on phones: ui/actions_menu.rs), the room bar, scenes,
/// the Favourites row, the rooms with their headers, and the hidden lamps. Rooms and cards
/// are keyed, so a new lamp adds one card and a state change touches one card.
#[component]
pub fn Dashboard() -> impl IntoView {
    let store = expect_context::<Store>();
    let mode = MoveMode {
        on: RwSignal::new(false),
        dragging: RwSignal::new(None),
    };
    provide_context(mode);
    provide_context(SceneForm(RwSignal::new(false)));
    // One lamp sheet for every tile (ui/lamp_sheet.rs).
    provide_context(SheetHandle::new());
    let density = ViewChoice::from_context();
    // A first visit's lamps are drawn all at once when they are in (store/reactive/arrival.rs).
    let empty = move || {
        store.arriving.get()
            || (store.rooms.with(Vec::is_empty) && store.hidden.with(Vec::is_empty))
    };
    view! {
        <LampSheet />
        <Show when=move || !empty() fallback=move || view! { <EmptyHint /> }>
            <div class="dash-toolbar">
                <SearchBar />
                <div class="dash-actions">
                    <ViewSwitch view=density />
                    // Phones: the way out of move mode stays in sight (Reorder is in the menu).
                    <Show when=move || mode.on.get()>
                        <button type="button" class="primary move-done" on:click=move |_| mode.on.set(false)>
                            "Done"
                        </button>
                    </Show>
                    <ActionsMenu>
                        <NewSceneButton />
                        <button
                            type="button"
                            class="secondary move-mode"
                            aria-pressed=move || if mode.on.get() { "true" } else { "false" }
                            on:click=move |_| mode.on.update(|m| *m = !*m)
                        >
                            {move || if mode.on.get() { "Done" } else { "Reorder" }}
                        </button>
                        <button type="button" class="secondary all-off" on:click=move |_| store.all_off()>
                            "All off"
                        </button>
                    </ActionsMenu>
                </div>
            </div>
            <RoomBar />
            <ScenesPanel />
            <div class="lamps" data-view=move || density.0.get().name()>
                <Favourites />
                <For
                    each=move || store.rooms.with(|rooms| rooms.iter().map(|r| r.key.clone()).collect::<Vec<_>>())
                    key=|key| key.clone()
                    let:room
                >
                    <RoomSection room_key=room />
                </For>
            </div>
            <HiddenLamps />
        </Show>
    }
}

/// The Favourites row: favourite lamps, also shown in their rooms.
#[component]
fn Favourites() -> impl IntoView {
    let store = expect_context::<Store>();
    let lamps = move || {
        store.favourites.with(|f| {
            f.iter()
                .filter(|id| shows(store, id, "Favourites"))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !lamps().is_empty()>
            <section class="room favourites" aria-labelledby="favourites-heading">
                <div class="room-head">
                    <h2 id="favourites-heading">"Favourites"</h2>
                </div>
                <div class="lamp-grid">
                    <For each=lamps key=|id| id.clone() let:id>
                        {store.lamp(&id).map(|signal| view! { <LampTile id=id.clone() lamp=signal /> })}
                    </For>
                </div>
            </section>
        </Show>
    }
}

#[component]
fn RoomSection(room_key: String) -> impl IntoView {
    let store = expect_context::<Store>();
    let mode = expect_context::<MoveMode>();
    let key = StoredValue::new(room_key.clone());
    let room = move || {
        store
            .rooms
            .with(|rooms| rooms.iter().find(|r| r.key == key.get_value()).cloned())
    };
    let name = Signal::derive(move || room().map(|r| r.name).unwrap_or_default());
    let all_lamps = move || room().map(|r| r.lamps).unwrap_or_default();
    let lamps = move || {
        let name = name.get();
        all_lamps()
            .into_iter()
            .filter(|id| shows(store, id, &name))
            .collect::<Vec<_>>()
    };
    let searching = move || !store.search.with(|q| q.trim().is_empty());
    // A search shows matches in folded rooms too.
    let open = move || !store.arrangement.with(|a| a.is_collapsed(&key.get_value())) || searching();
    let anchor = StoredValue::new(room_anchor(&room_key));
    let grid_id = StoredValue::new(format!("{}-lamps", anchor.get_value()));
    let move_lamp = move |id: &LampId, delta: isize| {
        if let Some(order) = moved(&all_lamps(), id, delta) {
            store.arrange(|a, now| a.set_lamp_order(&key.get_value(), order, now));
        }
    };
    let lamp_name = move |id: &LampId| {
        store
            .lamp(id)
            .map(|s| s.with(|v| v.lamp.name.clone()))
            .unwrap_or_default()
    };
    view! {
        <Show when=move || !lamps().is_empty() || !searching()>
            <section class="room" class:is-collapsed=move || !open() aria-labelledby=anchor.get_value() data-room=key.get_value()>
                <RoomHeader key=key.get_value() name=name moving=mode.on.into() />
                <Show when=open>
                    <Show
                        when=move || mode.on.get()
                        fallback=move || view! {
                            <div class="lamp-grid" id=grid_id.get_value()>
                                <For each=lamps key=|id| id.clone() let:id>
                                    {store.lamp(&id).map(|signal| view! { <LampTile id=id.clone() lamp=signal /> })}
                                </For>
                            </div>
                        }
                    >
                        <ol class="move-list">
                            <For each=lamps key=|id| id.clone() let:id>
                                {
                                    let row = StoredValue::new(id.clone());
                                    view! {
                                        <li
                                            class="move-row"
                                            data-lamp=id.0.clone()
                                            draggable="true"
                                            on:dragstart=move |ev: leptos::ev::DragEvent| {
                                                if let Some(dt) = ev.data_transfer() {
                                                    let _ = dt.set_data("text/plain", row.get_value().as_str());
                                                }
                                                mode.dragging.set(Some((key.get_value(), row.get_value())));
                                            }
                                            on:dragover=move |ev: leptos::ev::DragEvent| {
                                                if mode.dragging.with_untracked(|d| d.as_ref().is_some_and(|(k, _)| *k == key.get_value())) {
                                                    ev.prevent_default();
                                                }
                                            }
                                            on:drop=move |ev: leptos::ev::DragEvent| {
                                                ev.prevent_default();
                                                if let Some((room, dragged)) = mode.dragging.get_untracked() {
                                                    if room == key.get_value() {
                                                        if let Some(order) = dropped_before(&all_lamps(), &dragged, Some(&row.get_value())) {
                                                            store.arrange(|a, now| a.set_lamp_order(&room, order, now));
                                                        }
                                                    }
                                                }
                                                mode.dragging.set(None);
                                            }
                                            on:dragend=move |_| mode.dragging.set(None)
                                        >
                                            <span class="drag-handle" aria-hidden="true">"⠿"</span>
                                            <span class="move-name">{move || lamp_name(&row.get_value())}</span>
                                            <button
                                                type="button"
                                                class="icon lamp-up"
                                                aria-label=move || format!("Move {} up", lamp_name(&row.get_value()))
                                                prop:disabled=move || all_lamps().first() == Some(&row.get_value())
                                                on:click=move |_| move_lamp(&row.get_value(), -1)
                                            >"▲"</button>
                                            <button
                                                type="button"
                                                class="icon lamp-down"
                                                aria-label=move || format!("Move {} down", lamp_name(&row.get_value()))
                                                prop:disabled=move || all_lamps().last() == Some(&row.get_value())
                                                on:click=move |_| move_lamp(&row.get_value(), 1)
                                            >"▼"</button>
                                        </li>
                                    }
                                }
                            </For>
                        </ol>
                    </Show>
                </Show>
            </section>
        </Show>
    }
}

/// The lamps the user hid, each with a button to bring it back.
#[component]
fn HiddenLamps() -> impl IntoView {
    let store = expect_context::<Store>();
    let count = move || store.hidden.with(Vec::len);
    let name_of = move |id: &LampId| {
        store
            .lamp(id)
            .map(|s| s.with(|v| v.lamp.name.clone()))
            .unwrap_or_else(|| id.to_string())
    };
    view! {
        <Show when=move || { count() > 0 }>
            <details class="hidden-lamps">
                <summary>{move || format!("Hidden lamps ({})", count())}</summary>
                <ul>
                    <For each=move || store.hidden.get() key=|id| id.clone() let:id>
                        {
                            let lamp = StoredValue::new(id.clone());
                            view! {
                                <li class="hidden-lamp" data-lamp=id.0.clone()>
                                    <span>{move || name_of(&lamp.get_value())}</span>
                                    <button
                                        type="button"
                                        class="secondary show-lamp"
                                        aria-label=move || format!("Show {} again", name_of(&lamp.get_value()))
                                        on:click=move |_| {
                                            store.arrange(|a, now| a.set_hidden(&lamp.get_value(), false, now));
                                        }
                                    >"Show"</button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </details>
        </Show>
    }
}

#[component]
fn EmptyHint() -> impl IntoView {
    let store = expect_context::<Store>();
    // How many filters the broker has acknowledged: a page with none is not listening yet,
    // so lamps published now would pass it by (a test starts its lamps on this; a user on
    // a slow broker reads it in words).
    let granted = move || store.granted.with(BTreeMap::len);
    view! {
        <div class="empty-hint" data-granted=granted>
            {move || match store.status.get() {
                ConnectionStatus::Connected if store.arriving.get() => "Connected. Loading lamps…",
                ConnectionStatus::Connected if granted() == 0 => {
                    "Connected. Subscribing to the lamp topics…"
                }
                ConnectionStatus::Connected => {
                    "Connected. No lamps yet: waiting for lamp messages (smarthome/+/lamps/#, Home Assistant discovery, Zigbee2MQTT, Shelly)."
                }
                ConnectionStatus::Connecting => "Connecting to the broker…",
                _ => "No lamps yet. Connect to a broker to see them here.",
            }}
        </div>
    }
}
