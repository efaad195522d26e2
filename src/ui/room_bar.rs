//! The room bar: one link per room, to jump down a long house without scrolling.

use leptos::prelude::*;

use super::room_header::room_anchor;
use crate::store::Store;

/// Links to every room's heading, in page order. Shown from three rooms on (fewer fit on
/// one screen anyway).
#[component]
pub fn RoomBar() -> impl IntoView {
    let store = expect_context::<Store>();
    let rooms = move || {
        store.rooms.with(|r| {
            r.iter()
                .map(|r| (r.key.clone(), r.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || store.rooms.with(|r| r.len() >= 3)>
            <nav class="room-bar" aria-label="Rooms">
                <For each=rooms key=|(k, n)| (k.clone(), n.clone()) let:room>
                    <a class="room-link" href=format!("#{}", room_anchor(&room.0))>{room.1}</a>
                </For>
            </nav>
        </Show>
    }
}
