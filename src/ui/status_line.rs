use leptos::prelude::*;

/// Where the connection to the broker stands, in the words the status line
/// shows; kept as data so the transport can set it and tests can assert it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// Nothing has been tried yet, or the user disconnected.
    Disconnected,
    /// A socket is opening or the CONNECT handshake is under way.
    Connecting,
    /// The broker accepted the session.
    Connected,
    /// The connection dropped; the next attempt starts in this many seconds.
    Retrying {
        /// Seconds until the next attempt.
        in_secs: u32,
    },
    /// The broker or the browser refused; the reason is in words for the user.
    Refused(String),
}

impl ConnectionStatus {
    /// The sentence the status line shows, so wording lives in one place.
    pub fn text(&self) -> String {
        match self {
            Self::Disconnected => "Not connected".to_owned(),
            Self::Connecting => "Connecting…".to_owned(),
            Self::Connected => "Connected".to_owned(),
            Self::Retrying { in_secs } => format!("Connection lost, retrying in {in_secs} s"),
            Self::Refused(reason) => format!("Refused: {reason}"),
        }
    }

    /// A short machine-friendly name used as a CSS class and test hook.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Disconnected => "disconnected",
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Retrying { .. } => "retrying",
            Self::Refused(_) => "refused",
        }
    }
}

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
