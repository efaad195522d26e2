use leptos::prelude::*;

use crate::net::status::ConnectionStatus;

/// The one line that tells the user whether the dashboard is live. It is an
/// ARIA live region so screen readers announce changes.
#[component]
pub fn StatusLine(status: ReadSignal<ConnectionStatus>) -> impl IntoView {
    view! {
        <p
            class="status-line"
            data-status=move || status.get().kind()
            role="status"
            aria-live="polite"
        >
            <span class="status-dot" aria-hidden="true"></span>
            <span class="status-text">{move || status.get().text()}</span>
        </p>
    }
}

/// Whether the settings drawer is open, shared by the connect panel's Settings button and
/// the phone header's status button, so either opens the one drawer.
#[derive(Clone, Copy)]
pub struct SettingsDoor(pub RwSignal<bool>);

impl SettingsDoor {
    /// The provided door, or a fresh one when the panel is mounted without the app.
    pub fn from_context() -> Self {
        use_context::<Self>().unwrap_or_else(|| Self(RwSignal::new(false)))
    }
}

/// The connection on a phone, folded into the header row: a status dot and a word or two
/// (`ConnectionStatus::short`), where the connect panel's summary line used to take a row
/// of its own above the lamps. A tap opens the settings drawer (broker, profiles). The
/// whole sentence stays in the [`StatusLine`] (read out, visually hidden on phones) and in
/// the tooltip. Hidden on wide screens, which keep the status line and the summary.
#[component]
pub fn StatusButton(status: ReadSignal<ConnectionStatus>, door: SettingsDoor) -> impl IntoView {
    view! {
        <button
            type="button"
            class="status-button"
            data-status=move || status.get().kind()
            aria-haspopup="dialog"
            aria-label=move || format!("{}: connection settings", status.get().short())
            title=move || status.get().text()
            on:click=move |_| door.0.set(true)
        >
            <span class="status-dot" aria-hidden="true"></span>
            <span class="status-short" aria-hidden="true">{move || status.get().short()}</span>
        </button>
    }
}
