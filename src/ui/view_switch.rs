//! Tiles or cards: the dashboard's density, a setting kept in localStorage. Tiles (the
//! default) fit ten and more lamps on a phone's first screen; cards are roomier, with the
//! lamp's system and the age of its state, for large screens. Both have a fixed height.

use leptos::prelude::*;

/// Where the choice is kept (one for every broker: it is about the screen, not the house).
pub const VIEW_KEY: &str = "lampboard.view";

/// How lamps are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LampView {
    /// Compact tiles, the default.
    Tiles,
    /// Roomier cards.
    Cards,
}

impl LampView {
    /// The stored and `data-view` name.
    pub fn name(self) -> &'static str {
        match self {
            LampView::Tiles => "tiles",
            LampView::Cards => "cards",
        }
    }

    /// Reads the stored choice; anything else is tiles.
    pub fn from_name(name: Option<&str>) -> Self {
        match name {
            Some("cards") => LampView::Cards,
            _ => LampView::Tiles,
        }
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The stored view, read once when the page is built.
pub fn stored_view() -> LampView {
    let stored = local_storage().and_then(|s| s.get_item(VIEW_KEY).ok().flatten());
    LampView::from_name(stored.as_deref())
}

/// The page's one Tiles/Cards choice. The app provides it, so the settings import (in the
/// connect panel) can change the dashboard it does not own; the dashboard reads it.
#[derive(Clone, Copy)]
pub struct ViewChoice(pub RwSignal<LampView>);

impl ViewChoice {
    /// The stored choice, as a signal.
    pub fn new() -> Self {
        Self(RwSignal::new(stored_view()))
    }

    /// The provided choice, or a fresh one when mounted without the app (tests).
    pub fn from_context() -> Self {
        use_context::<Self>().unwrap_or_default()
    }

    /// Shows `which` at once and remembers it.
    pub fn choose(self, which: LampView) {
        self.0.set(which);
        if let Some(s) = local_storage() {
            let _ = s.set_item(VIEW_KEY, which.name());
        }
    }
}

impl Default for ViewChoice {
    fn default() -> Self {
        Self::new()
    }
}

/// Two pressed-or-not buttons, "Tiles" and "Cards"; a press applies and stores at once.
#[component]
pub fn ViewSwitch(view: ViewChoice) -> impl IntoView {
    let button = move |which: LampView, label: &'static str| {
        view! {
            <button
                type="button"
                class="view-button"
                data-view-choice=which.name()
                aria-pressed=move || if view.0.get() == which { "true" } else { "false" }
                on:click=move |_| view.choose(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="view-switch" role="group" aria-label="Show lamps as">
            {button(LampView::Tiles, "Tiles")}
            {button(LampView::Cards, "Cards")}
        </div>
    }
}
