use gloo_timers::callback::Interval;
use leptos::prelude::*;

use super::{ConnectPanel, Dashboard, Explorer, StatusLine};
use crate::lamp::DirectorySettings;
use crate::store::Store;

/// Which page the header's tabs show.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Page {
    Lamps,
    Messages,
}

/// The whole page: header with the connection status and the Lamps/Messages
/// tabs, the broker panel and the lamps by room (or the message explorer).
/// `manual` leaves the broker alone until the user clicks Connect (tests use
/// it; the app connects to the last broker at once). `store` lets a test hand
/// in a store wired to a recording publisher; the app makes its own.
#[component]
pub fn App(
    #[prop(optional)] manual: bool,
    #[prop(optional)] store: Option<Store>,
) -> impl IntoView {
    let store = store.unwrap_or_else(|| Store::new(DirectorySettings::default()));
    provide_context(store);
    // Ages ("5 s ago") move on even when no message arrives.
    let ticker = Interval::new(5_000, move || {
        store.now.try_set(js_sys::Date::now());
    });
    let ticker = StoredValue::new_local(Some(ticker));
    on_cleanup(move || ticker.set_value(None));
    let page = RwSignal::new(Page::Lamps);
    let tab = move |which: Page, label: &'static str| {
        view! {
            <button
                class="tab"
                data-page=if which == Page::Lamps { "lamps" } else { "messages" }
                aria-pressed=move || if page.get() == which { "true" } else { "false" }
                on:click=move |_| page.set(which)
            >
                {label}
            </button>
        }
    };

    view! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                <h1>"Lampboard"</h1>
            </div>
            <nav class="tabs" aria-label="Pages">
                {tab(Page::Lamps, "Lamps")}
                {tab(Page::Messages, "Messages")}
            </nav>
            <StatusLine status=store.status.read_only() />
        </header>
        <main class="lamp-area" aria-label="Lamps">
            <ConnectPanel manual=manual />
            <Notice />
            <Show when=move || page.get() == Page::Lamps fallback=|| view! { <Explorer /> }>
                <Dashboard />
            </Show>
        </main>
    }
}

/// A dismissible line for what the user should know (a refused publish).
#[component]
fn Notice() -> impl IntoView {
    let store = expect_context::<Store>();
    view! {
        <Show when=move || store.notice.with(Option::is_some)>
            <div class="notice" role="alert">
                <span>{move || store.notice.get().unwrap_or_default()}</span>
                <button class="chip" aria-label="Dismiss" on:click=move |_| store.notice.set(None)>
                    "✕"
                </button>
            </div>
        </Show>
    }
}
