use gloo_timers::callback::Interval;
use leptos::prelude::*;

use super::{ConnectPanel, Dashboard, StatusLine};
use crate::lamp::DirectorySettings;
use crate::store::Store;

/// The whole page: header with the connection status, the broker form and
/// the lamps by room. `manual` leaves the broker alone until the user clicks
/// Connect (tests use it; the app connects to the last broker at once).
#[component]
pub fn App(#[prop(optional)] manual: bool) -> impl IntoView {
    let store = Store::new(DirectorySettings::default());
    provide_context(store);
    // Ages ("5 s ago") move on even when no message arrives.
    let ticker = Interval::new(5_000, move || {
        store.now.try_set(js_sys::Date::now());
    });
    let ticker = StoredValue::new_local(Some(ticker));
    on_cleanup(move || ticker.set_value(None));

    view! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                <h1>"Lampboard"</h1>
            </div>
            <StatusLine status=store.status.read_only() />
        </header>
        <main class="lamp-area" aria-label="Lamps">
            <ConnectPanel manual=manual />
            <Notice />
            <Dashboard />
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
