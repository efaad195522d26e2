//! The lamp sheet: everything about one lamp, opened from its tile. A modal `<dialog>`
//! (the page behind is inert), a bottom sheet on phones and a centred dialog on desktops
//! (the stylesheet decides). Focus goes to its close button, Tab and Shift-Tab wrap inside
//! it, Escape or a tap beside it closes it, and focus goes back to what opened it. One sheet
//! for the whole dashboard, built for the lamp it shows, so a thousand tiles carry no
//! controls at all.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::focus_trap::wrap_tab;
use super::lamp_controls::LampControls;
use super::lamp_tile::{css_rgb, glow, known_color, DeliveryMark};
use super::split::{loaded_view, split_view};
use crate::lamp::palette::Favourites;
use crate::lamp::LampId;
use crate::net::status::ConnectionStatus;
use crate::store::view::{
    age_text, condition, room_of, switch_label, toggle_change, Delivery, LampView,
};
use crate::store::Store;

/// Where the favourite colours are kept (one list for every broker: colours are the
/// user's, not the house's).
pub const FAVOURITES_KEY: &str = "lampboard.favourite-colours";

/// The element id of the sheet's heading (its accessible name).
const TITLE_ID: &str = "lamp-sheet-title";

/// Opens and closes the one lamp sheet; provided as context by the dashboard, so a tile
/// asks for its lamp without knowing the dialog. Also holds the favourite colours, read
/// once from localStorage.
#[derive(Clone, Copy)]
pub struct SheetHandle {
    /// The lamp shown, None while closed.
    pub lamp: RwSignal<Option<LampId>>,
    /// What had focus when the sheet opened (the tile's open button), focused again on close.
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
    /// The user's favourite colours.
    pub favourites: RwSignal<Favourites>,
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

impl SheetHandle {
    /// A closed sheet with the favourites from localStorage (none when unreadable).
    pub fn new() -> Self {
        let stored = local_storage()
            .and_then(|s| s.get_item(FAVOURITES_KEY).ok().flatten())
            .unwrap_or_default();
        Self {
            lamp: RwSignal::new(None),
            opener: StoredValue::new_local(None),
            favourites: RwSignal::new(Favourites::from_storage(&stored)),
        }
    }

    /// Shows lamp `id`, remembering what had focus to give it back on close.
    pub fn open(self, id: LampId) {
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        self.opener.set_value(active);
        self.lamp.set(Some(id));
    }

    /// Closes the sheet; focus goes back to the opener when it is still on the page, else
    /// to the lamp's tile.
    pub fn close(self) {
        let Some(id) = self.lamp.get_untracked() else {
            return;
        };
        self.lamp.set(None);
        let opener = self
            .opener
            .try_update_value(Option::take)
            .flatten()
            .filter(|e| e.is_connected())
            .or_else(|| {
                let doc = web_sys::window()?.document()?;
                let selector = format!(
                    "article.lamp-card[data-lamp=\"{}\"] .tile-open",
                    id.as_str().replace('\\', "\\\\").replace('"', "\\\"")
                );
                doc.query_selector(&selector)
                    .ok()
                    .flatten()?
                    .dyn_into::<web_sys::HtmlElement>()
                    .ok()
            });
        if let Some(el) = opener {
            let _ = el.focus();
        }
    }

    /// Changes the favourites and stores them.
    pub fn update_favourites(self, change: impl FnOnce(&mut Favourites) -> bool) {
        let mut changed = false;
        self.favourites.update(|f| changed = change(f));
        if changed {
            if let Some(s) = local_storage() {
                let _ = s.set_item(
                    FAVOURITES_KEY,
                    &self.favourites.with_untracked(Favourites::to_storage),
                );
            }
        }
    }
}

impl Default for SheetHandle {
    fn default() -> Self {
        Self::new()
    }
}

/// The sheet itself, mounted once by the dashboard.
#[component]
pub fn LampSheet() -> impl IntoView {
    let store = expect_context::<Store>();
    let sheet = expect_context::<SheetHandle>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();

    // Open and close the native dialog with the handle.
    Effect::new(move |_| {
        let open = sheet.lamp.with(Option::is_some);
        let Some(el) = dialog.get() else { return };
        if open && !el.open() {
            if el.show_modal().is_err() {
                // A browser without modal dialogs: shown, not modal (the Tab wrap below
                // still holds focus).
                el.set_open(true);
            }
            if let Ok(Some(close)) = el.query_selector(".sheet-close") {
                if let Some(close) = close.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = close.focus();
                }
            }
        } else if !open && el.open() {
            el.close();
        }
    });
    // A lamp that goes away while shown closes its sheet.
    Effect::new(move |_| {
        store.rooms.track();
        if let Some(id) = sheet.lamp.get_untracked() {
            if store.lamp(&id).is_none() {
                sheet.close();
            }
        }
    });

    view! {
        <dialog
            class="lamp-sheet"
            node_ref=dialog
            aria-labelledby=TITLE_ID
            // Escape: the browser's cancel (closes the dialog), or our keydown below.
            // (the event comes a task later: a sheet reopened meanwhile stays open)
            on:close=move |_| {
                if dialog.get_untracked().is_some_and(|d| !d.open()) {
                    sheet.close();
                }
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                let Some(el) = dialog.get_untracked() else { return };
                match ev.key().as_str() {
                    "Escape" => {
                        ev.prevent_default();
                        sheet.close();
                    }
                    "Tab" if wrap_tab(el.unchecked_ref(), ev.shift_key()) => ev.prevent_default(),
                    _ => {}
                }
            }
            // A press on the backdrop lands on the dialog itself (its body fills the box).
            on:click=move |ev| {
                let on_backdrop = match (ev.target(), dialog.get_untracked()) {
                    (Some(t), Some(d)) => {
                        let d: &web_sys::EventTarget = d.as_ref();
                        t == *d
                    }
                    _ => false,
                };
                if on_backdrop {
                    sheet.close();
                }
            }
        >
            {move || {
                let id = sheet.lamp.get()?;
                let lamp = store.lamp(&id)?;
                Some(view! { <SheetBody id=id lamp=lamp /> })
            }}
        </dialog>
    }
}

/// What the sheet shows for one lamp.
#[component]
fn SheetBody(id: LampId, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let sheet = expect_context::<SheetHandle>();
    let id = StoredValue::new(id);
    let on = move || lamp.with(|v| v.shown.on == Some(true));
    let on_known = move || lamp.with(|v| v.shown.on.is_some());
    let available = move || lamp.with(|v| v.lamp.available);
    let stale = move || lamp.with(|v| v.stale);
    let age = move || {
        lamp.with(|v| {
            if v.stale {
                "last known state".to_owned()
            } else {
                age_text(v.updated_at, store.now.get())
            }
        })
    };
    let glow_color = move || {
        lamp.with(|v| {
            glow(v)
                .map(|(c, _)| c)
                .or_else(|| known_color(v))
                .map(css_rgb)
                .unwrap_or_default()
        })
    };

    view! {
        <div
            class="sheet-body lamp-card-detail"
            class:is-on=on
            class:is-unknown=move || !on_known()
            class:is-unavailable=move || !available()
            class:is-stale=stale
            data-lamp=id.get_value().0
            style:--lamp=glow_color
        >
            <span class="sheet-grabber" aria-hidden="true"></span>
            <header class="sheet-head">
                <span class="lamp-bulb" aria-hidden="true"></span>
                <div class="lamp-title">
                    <h2 id=TITLE_ID>{move || lamp.with(|v| v.lamp.name.clone())}</h2>
                    <p class="lamp-meta">
                        {move || lamp.with(|v| room_of(&v.lamp))}" · "
                        <span class="lamp-age">{age}</span>
                        " "<DeliveryMark lamp=lamp />
                    </p>
                </div>
                <button
                    type="button"
                    class="switch sheet-switch"
                    role=move || on_known().then_some("switch")
                    aria-checked=move || on_known().then(|| if on() { "true" } else { "false" })
                    aria-label=move || lamp.with(|v| switch_label(&v.lamp.name, v.shown.on))
                    prop:disabled=move || !available()
                    on:click=move |_| {
                        store.change(&id.get_value(), toggle_change(lamp.with_untracked(|v| v.shown.on)))
                    }
                >
                    <span class="switch-knob"></span>
                </button>
                <button
                    type="button"
                    class="icon sheet-close"
                    aria-label="Close"
                    on:click=move |_| sheet.close()
                >
                    "✕"
                </button>
            </header>
            <p class="lamp-condition">{move || lamp.with(|v| condition(v).unwrap_or_default())}</p>
            <p class="delivery-reason" role="alert">
                {move || lamp.with(|v| v.delivery.reason().unwrap_or_default().to_owned())}
            </p>
            // A change waiting in the offline queue can be taken back before it is sent.
            <Show when=move || lamp.with(|v| v.delivery == Delivery::Queued)>
                <div class="queued-line">
                    <span>
                        "This change waits for “"{move || store.profile.get()}"” and is sent when its broker is connected, even after a reload."
                    </span>
                    <button
                        type="button"
                        class="secondary cancel-queued"
                        on:click=move |_| {
                            store.cancel_queued(&id.get_value());
                        }
                    >
                        "Cancel"
                    </button>
                </div>
            </Show>

            {loaded_view("the lamp's controls", move || sheet_details(id, lamp))}
        </div>
    }
}

split_view!(
    sheet,
    /// Everything below the sheet's header (the controls, name and place, the facts), built
    /// by its own chunk (`ui::split`): the tiles come first, and the header with its close
    /// button is there at once, where the dialog puts the focus.
    fn sheet_details(id: StoredValue<LampId>, lamp: RwSignal<LampView>) {
        let store = expect_context::<Store>();
        let removable = move || {
            lamp.with(|v| v.stale)
                && store
                    .status
                    .with(|s| matches!(s, ConnectionStatus::Connected))
        };
        view! {
            <LampControls id=id lamp=lamp />

            // Make it yours: name, room, favourite, hidden and (plain lamps) what it can do.
            <section class="sheet-arrange" aria-label="Name and place">
                <super::lamp_arrange::LampArrangeControls id=id.get_value() />
            </section>

            <LampFacts lamp=lamp />

            <Show when=removable>
                <ForgetLamp id=id />
            </Show>
        }
    }
);

/// The lamp's system, topic, last message and what its configuration says, for the user who
/// wonders where a lamp comes from or why it does not obey.
#[component]
fn LampFacts(lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let topic = Memo::new(move |_| {
        lamp.with(|v| {
            v.lamp
                .binding
                .state_topics()
                .into_iter()
                .next()
                .unwrap_or_else(|| v.lamp.id.0.clone())
        })
    });
    // Re-read whenever the lamp's signal moves (each state it sends).
    let last = move || {
        lamp.track();
        let topic = topic.get();
        store
            .with_tree(|t| t.detail(&topic))
            .flatten()
            .map(|d| {
                let text = String::from_utf8_lossy(&d.last.payload).into_owned();
                if d.last.is_cut() {
                    format!("{text}…")
                } else if text.is_empty() {
                    "(empty)".to_owned()
                } else {
                    text
                }
            })
            .unwrap_or_else(|| "Nothing heard this visit".to_owned())
    };
    let details = Memo::new(move |_| lamp.with(|v| v.lamp.binding.details()));
    let note = Memo::new(move |_| lamp.with(|v| v.lamp.binding.note()));
    view! {
        <section class="lamp-facts" aria-label="About this lamp">
            <dl class="facts">
                <div><dt>"System"</dt><dd class="fact-system">{move || lamp.with(|v| v.lamp.source_kind().label())}</dd></div>
                <div><dt>"Topic"</dt><dd class="fact-topic mono">{move || topic.get()}</dd></div>
                {move || details.get().into_iter().map(|(k, v)| view! {
                    <div><dt>{k}</dt><dd class="mono">{v}</dd></div>
                }).collect_view()}
                <div class="fact-wide"><dt>"Last message"</dt><dd><pre class="raw fact-last">{last}</pre></dd></div>
            </dl>
            {move || note.get().map(|note| view! { <p class="lamp-note">{note}</p> })}
            {move || lamp.with(|v| v.lamp.unreadable.clone()).map(|u| view! {
                <details class="unreadable" open=true>
                    <summary>"Last message unreadable"</summary>
                    <p class="unreadable-why">{u.error.to_string()}</p>
                    <pre class="raw">{u.raw}</pre>
                </details>
            })}
        </section>
    }
}

/// "Remove" for a lamp kept only from the last visit, with a confirmation in the sheet (no
/// browser dialog): removing drops it from the dashboard and from the offline snapshot.
#[component]
fn ForgetLamp(id: StoredValue<LampId>) -> impl IntoView {
    let store = expect_context::<Store>();
    let asking = RwSignal::new(false);
    view! {
        <footer class="lamp-foot lamp-forget">
            <Show
                when=move || asking.get()
                fallback=move || view! {
                    <span>"Not heard from since your last visit"</span>
                    <button type="button" class="secondary forget" on:click=move |_| asking.set(true)>
                        "Remove"
                    </button>
                }
            >
                <span role="alert">"Remove this lamp? It comes back if it speaks again."</span>
                <span class="forget-buttons">
                    <button
                        type="button"
                        class="danger forget-yes"
                        on:click=move |_| store.forget_lamp(&id.get_value())
                    >
                        "Remove"
                    </button>
                    <button type="button" class="secondary forget-no" on:click=move |_| asking.set(false)>
                        "Keep"
                    </button>
                </span>
            </Show>
        </footer>
    }
}
