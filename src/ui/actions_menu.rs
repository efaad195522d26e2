//! The dashboard's actions (New scene, Reorder, All off): a row of buttons on wide screens,
//! and on phones (under 768 px, style/arrange.css) one "More actions" button beside the
//! search that opens them as a popover of big targets, so a phone's first screen goes to
//! lamps (issue 15: ten tiles on a 390x844 phone).
//!
//! A disclosure, not an ARIA menu: on wide screens the same buttons are a plain row, so they
//! stay plain buttons, Tab reaches each. Opening focuses the first action; arrow keys, Home
//! and End move between them; Escape closes and gives focus back to the menu button, as
//! does choosing an action; a tap beside the open menu or Tab out of it closes it.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

/// The id the menu button's `aria-controls` names.
const LIST_ID: &str = "dash-actions-list";

/// Which action an arrow key (or Home/End) moves focus to among `len` of them, from
/// `current` (none when focus is on the menu button): the next or previous one, wrapping.
/// `None` for any other key, which is left to the browser.
pub fn step(current: Option<usize>, len: usize, key: &str) -> Option<usize> {
    if len == 0 {
        return None;
    }
    match key {
        "ArrowDown" | "ArrowRight" => Some(current.map_or(0, |i| (i + 1) % len)),
        "ArrowUp" | "ArrowLeft" => Some(current.map_or(len - 1, |i| (i + len - 1) % len)),
        "Home" => Some(0),
        "End" => Some(len - 1),
        _ => None,
    }
}

/// The enabled buttons in the list, in order.
fn actions(list: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(nodes) = list.query_selector_all("button:not([disabled])") else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Whether `node` is `root` or inside it.
fn within(root: Option<web_sys::HtmlDivElement>, node: Option<web_sys::Node>) -> bool {
    match (root, node) {
        (Some(root), Some(node)) => root.contains(Some(&node)),
        _ => false,
    }
}

/// The menu button and the list of `children` (the action buttons) it opens.
#[component]
pub fn ActionsMenu(children: Children) -> impl IntoView {
    let open = RwSignal::new(false);
    let root = NodeRef::<html::Div>::new();
    let toggle = NodeRef::<html::Button>::new();
    let list = NodeRef::<html::Div>::new();
    let close = move |focus_back: bool| {
        if !open.get_untracked() {
            return;
        }
        open.set(false);
        if focus_back {
            if let Some(b) = toggle.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    // A tap beside the open menu closes it (focus stays where the tap puts it).
    let outside = window_event_listener(ev::pointerdown, move |e| {
        if open.get_untracked() {
            let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            if !within(root.get_untracked(), target) {
                open.set(false);
            }
        }
    });
    let outside = StoredValue::new_local(Some(outside));
    on_cleanup(move || {
        if let Some(handle) = outside.try_update_value(Option::take).flatten() {
            handle.remove();
        }
    });

    view! {
        <div
            class="actions-menu"
            node_ref=root
            on:keydown=move |e: ev::KeyboardEvent| {
                if !open.get_untracked() {
                    return;
                }
                if e.key() == "Escape" {
                    e.prevent_default();
                    close(true);
                    return;
                }
                let Some(el) = list.get_untracked() else {
                    return;
                };
                let items = actions(&el);
                let active = document().active_element();
                let current = items.iter().position(|b| active.as_ref() == Some(b.unchecked_ref()));
                if let Some(i) = step(current, items.len(), &e.key()) {
                    e.prevent_default();
                    let _ = items[i].focus();
                }
            }
            on:focusout=move |e: ev::FocusEvent| {
                // Tab (or a click) onto something outside closes it; focus leaving for
                // nowhere (a tap on the list's padding) does not.
                let next = e.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                if open.get_untracked() && next.is_some() && !within(root.get_untracked(), next) {
                    open.set(false);
                }
            }
        >
            <button
                type="button"
                class="icon actions-toggle"
                node_ref=toggle
                aria-label="More actions"
                title="More actions"
                aria-controls=LIST_ID
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |_| {
                    let now = !open.get_untracked();
                    open.set(now);
                    if now {
                        // Once the list is shown: its first action.
                        request_animation_frame(move || {
                            if let Some(first) = list.get_untracked().and_then(|l| actions(&l).into_iter().next()) {
                                let _ = first.focus();
                            }
                        });
                    }
                }
            >
                <span class="actions-icon" aria-hidden="true"></span>
            </button>
            <div
                class="actions-list"
                id=LIST_ID
                role="group"
                aria-label="Dashboard actions"
                node_ref=list
                data-open=move || open.get().then_some("true")
                // An action chosen: the action runs first (its own handler), then the menu
                // closes with focus back on its button.
                on:click=move |e: ev::MouseEvent| {
                    let on_button = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .and_then(|t| t.closest("button").ok().flatten())
                        .is_some();
                    if on_button {
                        close(true);
                    }
                }
            >
                {children()}
            </div>
        </div>
    }
}
