use leptos::prelude::*;

use super::{ConnectionStatus, StatusLine};

/// The whole page: header, connection status and the lamp area. Mounted by
/// `main` and by the browser tests, so both see the same tree.
#[component]
pub fn App() -> impl IntoView {
    let status = RwSignal::new(ConnectionStatus::Disconnected);
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                <h1>"Lampboard"</h1>
            </div>
            <StatusLine status=status.read_only() />
        </header>
        <main class="lamp-area" aria-label="Lamps">
            <p class="empty-hint">"No lamps yet. Connect to a broker to see them here."</p>
        </main>
    }
}
