use gloo_timers::callback::Interval;
use leptos::prelude::*;

use super::split::loaded_view;
use super::status_line::{SettingsDoor, StatusButton};
use super::view_switch::ViewChoice;
use super::{ConnectPanel, Dashboard, StatusLine};
use crate::lamp::DirectorySettings;
use crate::net::status::ConnectionStatus;
use crate::store::Store;

const THEME_KEY: &str = "lampboard.theme";

/// Which page the header's tabs show.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Page {
    Lamps,
    Messages,
}

/// The whole page: header with the connection status and the Lamps/Messages
/// tabs, the broker panel and the lamps by room (or the message explorer). On a phone the
/// header is one row (the brand mark, the tabs, the status as a button that opens the
/// settings, the theme) and the connected summary line is folded into it (style/main.css).
/// `manual` leaves the broker alone until the user clicks Connect (tests use
/// it; the app connects to the last broker at once). `store` lets a test hand
/// in a store wired to a recording publisher; the app makes its own.
#[component]
pub fn App(
    #[prop(optional)] manual: bool,
    #[prop(optional)] store: Option<Store>,
) -> impl IntoView {
    // The last visit's lamps (greyed until the broker answers, or at all, offline) come with
    // the profile the connect panel puts in use (`Store::use_profile`).
    let store = store.unwrap_or_else(|| Store::new(DirectorySettings::default()));
    provide_context(store);
    // One settings drawer, opened from the connect panel or the phone header's status.
    let door = SettingsDoor(RwSignal::new(false));
    provide_context(door);
    // One Tiles/Cards choice: the dashboard shows it, a settings import may change it.
    provide_context(ViewChoice::new());
    let offline = move || store.status.with(|s| *s != ConnectionStatus::Connected);
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
            <div class="header-tools">
                <StatusLine status=store.status.read_only() />
                <StatusButton status=store.status.read_only() door=door />
                <ThemeButton />
            </div>
        </header>
        <main class="lamp-area" class:is-offline=offline aria-label="Lamps">
            <ConnectPanel manual=manual />
            <Notice />
            <OfflineBanner />
            <Show
                when=move || page.get() == Page::Lamps
                fallback=|| loaded_view("the messages", super::explorer::explorer)
            >
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

/// The colour theme: the system's, or one the user picked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    /// Reads what boot.js applied before the first paint (`data-theme` on `<html>`).
    fn current() -> Self {
        let attr = document()
            .document_element()
            .and_then(|html| html.get_attribute("data-theme"));
        match attr.as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The button cycles system → light → dark → system.
    fn next(self) -> Self {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Sets `data-theme` (the CSS picks its colours from it) and remembers the choice.
    fn apply(self) {
        if let Some(html) = document().document_element() {
            let _ = match self {
                Theme::System => html.remove_attribute("data-theme"),
                _ => html.set_attribute("data-theme", self.name()),
            };
        }
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = match self {
                Theme::System => storage.remove_item(THEME_KEY),
                _ => storage.set_item(THEME_KEY, self.name()),
            };
        }
    }
}

/// A header button cycling the colour theme: dark and light follow the system unless the
/// user picks one here (stored in localStorage, applied by boot.js before the first paint).
#[component]
fn ThemeButton() -> impl IntoView {
    let theme = RwSignal::new(Theme::current());
    let label = move || {
        let t = theme.get();
        format!("Theme: {} (switch to {})", t.name(), t.next().name())
    };
    view! {
        <button
            class="icon theme-button"
            data-theme-choice=move || theme.get().name()
            aria-label=label
            title=label
            on:click=move |_| {
                let next = theme.get_untracked().next();
                next.apply();
                theme.set(next);
            }
        >
            <span class="theme-icon" aria-hidden="true">
                {move || match theme.get() {
                    Theme::System => "◐",
                    Theme::Light => "☀",
                    Theme::Dark => "☾",
                }}
            </span>
        </button>
    }
}

/// Says that the cards show the last known states while the broker is out of reach, and
/// exactly what happens to a change: kept in this profile's queue (even across a reload) and
/// sent to its broker when the connection is back, or when the user connects; how many wait.
#[component]
fn OfflineBanner() -> impl IntoView {
    let store = expect_context::<Store>();
    let shown = move || {
        store.status.with(|s| *s != ConnectionStatus::Connected)
            && (!store.rooms.with(Vec::is_empty) || store.queued.get() > 0)
    };
    let what_happens = move || {
        let whom = format!("“{}” ({})", store.profile.get(), store.broker.get());
        let when = match store.status.get() {
            ConnectionStatus::Disconnected | ConnectionStatus::Refused(_) => "when you connect",
            _ => "when the connection is back",
        };
        offline_words(store.queued.get(), &whom, when)
    };
    view! {
        <Show when=shown>
            <p class="offline-banner" role="status">
                <strong>"Offline — showing the last known states."</strong>
                <span class="offline-what">{what_happens}</span>
            </p>
        </Show>
    }
}

/// The banner's promise in words: which profile and broker, how many changes wait, when
/// they go.
fn offline_words(queued: usize, whom: &str, when: &str) -> String {
    match queued {
        0 => format!("Changes you make are kept for {whom} and sent {when}."),
        1 => format!("1 change is kept for {whom} and will be sent {when}; you can cancel it in the lamp's sheet."),
        n => format!("{n} changes are kept for {whom} and will be sent {when}; you can cancel each in its lamp's sheet."),
    }
}
