//! The controls that make a lamp the user's: rename, move to a room, favourite, hide and,
//! for a plain MQTT lamp, what it can do. One component, so the lamp sheet can host it
//! whole; until the sheet exists, each card carries it in an "Arrange" disclosure.

use leptos::prelude::*;

use crate::arrange::ManualKind;
use crate::lamp::{LampId, SourceKind};
use crate::store::Store;

/// A number for ids unique on the page (the datalist of rooms, a label's target).
fn next_uid() -> u64 {
    thread_local!(static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
    NEXT.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

/// Rename, room, favourite, hide and (plain lamps) capabilities for one lamp. Each change is
/// saved at once in the profile's arrangement; a status line says what happened.
#[component]
pub fn LampArrangeControls(id: LampId) -> impl IntoView {
    let store = expect_context::<Store>();
    let id = StoredValue::new(id);
    let uid = next_uid();
    let rooms_list = format!("arrange-rooms-{uid}");
    let said = RwSignal::new(String::new());
    let own = move || {
        store
            .arrangement
            .with(|a| a.lamp(&id.get_value()).cloned().unwrap_or_default())
    };
    let original = move || store.original(&id.get_value()).unwrap_or_default();
    let shown_name = move || own().name.unwrap_or_else(|| original().0);
    let shown_room = move || {
        own()
            .room
            .unwrap_or_else(|| crate::arrange::room_display_name(&original().1))
    };
    let name_draft = RwSignal::new(untrack(shown_name));
    let room_draft = RwSignal::new(untrack(shown_room));
    let favourite = move || own().favourite;
    let hidden = move || own().hidden;
    let plain = store.system_of(&id.get_value()) == Some(SourceKind::Seed);
    let kind_key = move || own().kind.map(|k| k.key()).unwrap_or("auto");

    let rename = move || {
        let (original_name, _) = original();
        let typed = name_draft.get_untracked();
        let changed =
            store.arrange(|a, now| a.rename(&id.get_value(), &typed, &original_name, now));
        name_draft.set(shown_name());
        said.set(if !changed {
            "Nothing to change".to_owned()
        } else if own().name.is_none() {
            format!("Back to its own name, “{original_name}”")
        } else {
            format!("Renamed to “{}”", shown_name())
        });
    };
    let move_room = move || {
        let (_, original_room) = original();
        let typed = room_draft.get_untracked();
        let changed =
            store.arrange(|a, now| a.move_to_room(&id.get_value(), &typed, &original_room, now));
        room_draft.set(shown_room());
        said.set(if changed {
            format!("Moved to {}", shown_room())
        } else {
            "Nothing to change".to_owned()
        });
    };
    let room_names = move || {
        store
            .rooms
            .with(|r| r.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
    };

    view! {
        <div class="lamp-arrange">
            <form
                class="arrange-row"
                on:submit=move |ev| {
                    ev.prevent_default();
                    rename();
                }
            >
                <label class="field grow">
                    <span class="field-label">"Name"</span>
                    <input
                        class="arrange-name"
                        type="text"
                        maxlength="80"
                        autocomplete="off"
                        placeholder=move || original().0
                        prop:value=move || name_draft.get()
                        on:input=move |ev| name_draft.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="secondary arrange-rename">"Rename"</button>
            </form>
            <form
                class="arrange-row"
                on:submit=move |ev| {
                    ev.prevent_default();
                    move_room();
                }
            >
                <label class="field grow">
                    <span class="field-label">"Room"</span>
                    <input
                        class="arrange-room"
                        type="text"
                        maxlength="80"
                        autocomplete="off"
                        list=rooms_list.clone()
                        placeholder=move || crate::arrange::room_display_name(&original().1)
                        prop:value=move || room_draft.get()
                        on:input=move |ev| room_draft.set(event_target_value(&ev))
                    />
                </label>
                <datalist id=rooms_list>
                    {move || room_names().into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
                </datalist>
                <button type="submit" class="secondary arrange-move">"Move"</button>
            </form>
            <div class="arrange-row arrange-toggles">
                <button
                    type="button"
                    class="secondary arrange-favourite"
                    aria-pressed=move || if favourite() { "true" } else { "false" }
                    on:click=move |_| {
                        let now_favourite = !favourite();
                        store.arrange(|a, now| a.set_favourite(&id.get_value(), now_favourite, now));
                        said.set(if now_favourite { "Added to Favourites" } else { "Removed from Favourites" }.to_owned());
                    }
                >
                    <span aria-hidden="true">{move || if favourite() { "★ " } else { "☆ " }}</span>
                    "Favourite"
                </button>
                <button
                    type="button"
                    class="secondary arrange-hide"
                    on:click=move |_| {
                        let hide = !hidden();
                        store.arrange(|a, now| a.set_hidden(&id.get_value(), hide, now));
                        said.set(if hide { "Hidden: find it under “Hidden lamps”" } else { "Shown again" }.to_owned());
                    }
                >
                    {move || if hidden() { "Show again" } else { "Hide" }}
                </button>
            </div>
            {plain.then(|| view! {
                <label class="field arrange-row">
                    <span class="field-label">"What it can do"</span>
                    <select
                        class="arrange-kind"
                        prop:value=kind_key
                        on:change=move |ev| {
                            let kind = ManualKind::from_key(&event_target_value(&ev));
                            store.arrange(|a, now| a.set_kind(&id.get_value(), kind, now));
                            said.set(match kind {
                                Some(k) => format!("Set by hand: {}", k.label()),
                                None => "Controls follow what the lamp sends".to_owned(),
                            });
                        }
                    >
                        <option value="auto" selected=move || kind_key() == "auto">"As it reports"</option>
                        {ManualKind::ALL.into_iter().map(|k| view! {
                            <option value=k.key() selected=move || kind_key() == k.key()>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            <p class="arrange-said" role="status">{move || said.get()}</p>
        </div>
    }
}
