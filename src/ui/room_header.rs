//! A room's header: its name (a button that folds the room, remembered), "2 of 4 on", one
//! room switch and a brightness slider that scales every lamp in it; in move mode, buttons
//! that move the room up and down the page.

use leptos::prelude::*;

use crate::arrange::order::moved;
use crate::arrange::rooms::{on_count, on_text, room_level};
use crate::store::Store;

/// The element id of a room's heading: the room bar links to it.
pub fn room_anchor(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("room-{safe}")
}

/// Moves a room `delta` places in the page's order.
pub fn move_room(store: Store, key: &str, delta: isize) {
    let keys: Vec<String> = store
        .rooms
        .with_untracked(|r| r.iter().map(|r| r.key.clone()).collect());
    if let Some(order) = moved(&keys, &key.to_owned(), delta) {
        store.arrange(|a, now| a.set_room_order(order, now));
    }
}

/// The header of one room. `key` is its identity, `moving` the page's move mode.
#[component]
pub fn RoomHeader(key: String, name: Signal<String>, moving: Signal<bool>) -> impl IntoView {
    let store = expect_context::<Store>();
    let key = StoredValue::new(key);
    let anchor = room_anchor(&key.get_value());
    let grid_id = format!("{anchor}-lamps");
    let members = Memo::new(move |_| store.room_members(&key.get_value()));
    let count = move || members.with(|m| on_text(m));
    let any_on = move || members.with(|m| on_count(m).0 > 0);
    let any_dimmable = move || members.with(|m| m.iter().any(|m| m.dimmable && m.available));
    let any_available = move || members.with(|m| m.iter().any(|m| m.available));
    let level = move || members.with(|m| room_level(m));
    let collapsed = move || store.arrangement.with(|a| a.is_collapsed(&key.get_value()));
    let first =
        move || store.rooms.with(|r| r.first().map(|r| r.key.clone())) == Some(key.get_value());
    let last =
        move || store.rooms.with(|r| r.last().map(|r| r.key.clone())) == Some(key.get_value());

    view! {
        <div class="room-head">
            <h2 id=anchor.clone()>
                <button
                    type="button"
                    class="room-fold"
                    aria-expanded=move || if collapsed() { "false" } else { "true" }
                    aria-controls=grid_id
                    on:click=move |_| {
                        let fold = !collapsed();
                        store.arrange(|a, now| a.set_collapsed(&key.get_value(), fold, now));
                    }
                >
                    <span class="fold-mark" aria-hidden="true"></span>
                    <span class="room-name">{move || name.get()}</span>
                </button>
            </h2>
            <span class="room-count">{count}</span>
            <div class="room-actions">
                <Show when=move || moving.get()>
                    <button
                        type="button"
                        class="icon room-up"
                        aria-label=move || format!("Move {} up", name.get())
                        prop:disabled=first
                        on:click=move |_| move_room(store, &key.get_value(), -1)
                    >"▲"</button>
                    <button
                        type="button"
                        class="icon room-down"
                        aria-label=move || format!("Move {} down", name.get())
                        prop:disabled=last
                        on:click=move |_| move_room(store, &key.get_value(), 1)
                    >"▼"</button>
                </Show>
                <Show when=any_dimmable>
                    <input
                        class="room-brightness"
                        type="range"
                        min="1"
                        max="100"
                        step="1"
                        aria-label=move || format!("{} brightness", name.get())
                        aria-valuetext=move || level().map(|l| format!("{l} %")).unwrap_or_else(|| "off".to_owned())
                        prop:value=move || level().unwrap_or(1).to_string()
                        // The final value only (release, or each key press): a drag over a
                        // room of lamps would otherwise send a message per lamp per step.
                        on:change=move |ev| {
                            if let Ok(pct) = event_target_value(&ev).parse::<u8>() {
                                store.room_brightness(&key.get_value(), pct);
                            }
                        }
                    />
                </Show>
                <button
                    type="button"
                    class="switch room-switch"
                    role="switch"
                    aria-checked=move || if any_on() { "true" } else { "false" }
                    aria-label=move || format!("{}: {}", name.get(), count())
                    prop:disabled=move || !any_available()
                    on:click=move |_| store.room_switch(&key.get_value(), !any_on())
                >
                    <span class="switch-knob"></span>
                </button>
            </div>
        </div>
    }
}
