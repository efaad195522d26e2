use leptos::prelude::*;

use super::lamp_card::LampCard;
use crate::net::status::ConnectionStatus;
use crate::store::Store;

/// Every lamp, grouped by room, with room-wide switches. Rooms and cards are
/// keyed, so a new lamp adds one card and a state change touches one card.
#[component]
pub fn Dashboard() -> impl IntoView {
    let store = expect_context::<Store>();
    let empty = move || store.rooms.with(Vec::is_empty);
    view! {
        <Show when=move || !empty() fallback=move || view! { <EmptyHint /> }>
            <For
                each=move || store.rooms.with(|rooms| rooms.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
                key=|name| name.clone()
                let:room
            >
                <RoomSection name=room />
            </For>
        </Show>
    }
}

#[component]
fn RoomSection(name: String) -> impl IntoView {
    let store = expect_context::<Store>();
    let room = StoredValue::new(name.clone());
    let lamps = move || {
        store.rooms.with(|rooms| {
            room.with_value(|name| {
                rooms
                    .iter()
                    .find(|r| &r.name == name)
                    .map(|r| r.lamps.clone())
            })
            .unwrap_or_default()
        })
    };
    let heading_id = format!(
        "room-{}",
        name.to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "-")
    );
    let labelled_by = heading_id.clone();
    view! {
        <section class="room" aria-labelledby=labelled_by>
            <div class="room-head">
                <h2 id=heading_id>{name.clone()}</h2>
                <div class="room-actions">
                    <button class="chip" on:click=move |_| room.with_value(|r| store.room_switch(r, true))>
                        "All on"
                    </button>
                    <button class="chip" on:click=move |_| room.with_value(|r| store.room_switch(r, false))>
                        "All off"
                    </button>
                </div>
            </div>
            <div class="lamp-grid">
                <For each=lamps key=|id| id.clone() let:id>
                    {store.lamp(&id).map(|signal| view! { <LampCard id=id.clone() lamp=signal /> })}
                </For>
            </div>
        </section>
    }
}

#[component]
fn EmptyHint() -> impl IntoView {
    let store = expect_context::<Store>();
    view! {
        <div class="empty-hint">
            {move || match store.status.get() {
                ConnectionStatus::Connected => {
                    "Connected. No lamps yet: waiting for lamp messages (smarthome/+/lamps/#, Home Assistant discovery, Zigbee2MQTT)."
                }
                ConnectionStatus::Connecting => "Connecting to the broker…",
                _ => "No lamps yet. Connect to a broker to see them here.",
            }}
        </div>
    }
}
