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
