//! The search field: tiles are filtered by name, room and system as the user types.

use leptos::prelude::*;

use crate::arrange::matches;
use crate::lamp::LampId;
use crate::store::Store;

/// Whether a lamp shows for the store's search text (always, when it is empty). Reads the
/// lamp's name tracked only while searching, so a quiet search costs nothing per message.
pub fn shows(store: Store, id: &LampId, room: &str) -> bool {
    let query = store.search.get();
    if query.trim().is_empty() {
        return true;
    }
    let name = store
        .lamp(id)
        .map(|s| s.with(|v| v.lamp.name.clone()))
        .unwrap_or_default();
    let system = store.system_of(id).map(|k| k.label()).unwrap_or_default();
    matches(&query, &name, room, system)
}

/// The search field, with a line saying how many lamps match.
#[component]
pub fn SearchBar() -> impl IntoView {
    let store = expect_context::<Store>();
    let found = move || {
        store.rooms.with(|rooms| {
            rooms
                .iter()
                .map(|r| {
                    r.lamps
                        .iter()
                        .filter(|id| shows(store, id, &r.name))
                        .count()
                })
                .sum::<usize>()
        })
    };
    let searching = move || !store.search.with(|q| q.trim().is_empty());
    view! {
        <div class="search-bar" role="search">
            <label class="field grow">
                <span class="visually-hidden">"Search lamps"</span>
                <input
                    class="search-input"
                    type="search"
                    placeholder="Search name, room, system"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || store.search.get()
                    on:input=move |ev| store.search.set(event_target_value(&ev))
                />
            </label>
            <p class="search-count" role="status">
                {move || searching().then(|| match found() {
                    0 => format!("No lamp matches “{}”", store.search.get().trim()),
                    1 => "1 lamp matches".to_owned(),
                    n => format!("{n} lamps match"),
                })}
            </p>
        </div>
    }
}
