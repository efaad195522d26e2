//! The message explorer: the topic tree (`topic_tree_view`) beside a compact live log (one
//! line per message, expandable; filtered, pausable, rendered once per animation frame from
//! the store's ring) and the publish form (`publish_form`). On a phone the tree and the log
//! take turns (a switch above them); from 960 px they sit side by side. Payloads and topics
//! are text nodes, never HTML.

use leptos::prelude::*;
use leptos::tachys::view::keyed::keyed;

use super::publish_form::{PublishDraft, PublishForm};
use super::split::split_view;
use super::topic_tree_view::{TopicTreePane, TreeState};

use crate::store::log::{format_payload, payload_preview, LogEntry};
use crate::store::settings::check_filter;
use crate::store::Store;

/// Hex beyond this many bytes is cut: a 1 MiB blob must not stall a phone.
pub(super) const MAX_HEX_BYTES: usize = 1024;
/// Characters of a payload's first line on a log row.
const PREVIEW_CHARS: usize = 80;

/// "14:03:07.123" in local time.
pub(super) fn clock_text(ms: f64) -> String {
    let d = js_sys::Date::new(&ms.into());
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds()
    )
}

/// Which pane a phone shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pane {
    Tree,
    Log,
}

split_view!(
    explorer,
    /// The explorer page, built by its own chunk (`ui::split`): the Lamps page comes first.
    pub(super) fn explorer() {
        view! { <Explorer /> }
    }
);

/// The explorer page.
#[component]
pub fn Explorer() -> impl IntoView {
    let store = expect_context::<Store>();
    // The log's news is drawn once per frame while this page is mounted.
    store.watch_log();
    // Kept per broker profile (`Store::set_explorer_filter`): another broker's topics differ.
    let filter = store.explorer_filter;
    let filter_error = move || {
        filter.with(|f| {
            let f = f.trim();
            (!f.is_empty()).then(|| check_filter(f).err()).flatten()
        })
    };
    let active_filter = Signal::derive(move || {
        filter.with(|f| {
            let f = f.trim();
            (!f.is_empty() && check_filter(f).is_ok()).then(|| f.to_owned())
        })
    });
    // While paused, the rows are a snapshot; the ring keeps filling underneath.
    let paused = RwSignal::new(None::<Vec<LogEntry>>);
    let rows = move || {
        let f = active_filter.get();
        let matches = |e: &LogEntry| {
            f.as_deref()
                .is_none_or(|f| crate::mqtt::topic::filter_matches(f, &e.topic))
        };
        match paused.with(|p| {
            p.as_ref()
                .map(|s| s.iter().filter(|e| matches(e)).cloned().collect::<Vec<_>>())
        }) {
            Some(snapshot) => snapshot,
            None => {
                store.log_version.track();
                store.log_entries(f.as_deref())
            }
        }
    };
    let toggle_pause = move || {
        if paused.with_untracked(Option::is_some) {
            paused.set(None);
        } else {
            paused.set(Some(store.log_entries(None)));
        }
    };
    let counts = move || {
        store.log_version.track();
        let (kept, total) = store.log_counts();
        format!("{kept} kept of {total} received")
    };
    // Open beside the log on a desktop; folded on a phone so the log gets the screen.
    let wide = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w >= 960.0);
    let draft = PublishDraft::new(wide);
    let tree = TreeState::new();
    let pane = RwSignal::new(Pane::Tree);
    let pane_button = move |which: Pane, label: &'static str| {
        view! {
            <button
                type="button"
                class="pane-button"
                data-pane=if which == Pane::Tree { "tree" } else { "log" }
                aria-pressed=move || if pane.get() == which { "true" } else { "false" }
                on:click=move |_| pane.set(which)
            >
                {label}
            </button>
        }
    };

    view! {
        <section
            class="explorer"
            aria-label="Messages"
            data-pane=move || if pane.get() == Pane::Tree { "tree" } else { "log" }
        >
            <PublishForm draft=draft />
            <div class="log-tools">
                <label class="field grow">
                    <span class="field-label">"Show topics matching"</span>
                    <input
                        type="text"
                        name="log-filter"
                        placeholder="Filter: # or home/+/lamps/#"
                        autocomplete="off"
                        spellcheck="false"
                        prop:value=move || filter.get()
                        on:input=move |ev| store.set_explorer_filter(event_target_value(&ev))
                        aria-invalid=move || if filter_error().is_some() { "true" } else { "false" }
                    />
                    <span class="field-error" role="alert">{move || filter_error().unwrap_or_default()}</span>
                </label>
                <div class="log-buttons">
                    <div class="pane-switch" role="group" aria-label="Show">
                        {pane_button(Pane::Tree, "Topics")}
                        {pane_button(Pane::Log, "Log")}
                    </div>
                    <button
                        class="secondary pause"
                        aria-pressed=move || if paused.with(Option::is_some) { "true" } else { "false" }
                        title="Hold the log still (the tree stays live)"
                        on:click=move |_| toggle_pause()
                    >
                        {move || if paused.with(Option::is_some) { "Resume" } else { "Pause" }}
                    </button>
                    <button
                        class="secondary clear-log"
                        title="Empty the log and the tree here; the broker keeps its retained messages"
                        on:click=move |_| {
                            paused.set(None);
                            tree.reset();
                            store.clear_log();
                        }
                    >
                        "Clear view"
                    </button>
                </div>
            </div>
            <TopicTreePane state=tree filter=active_filter draft=draft />
            <div class="log-pane">
                <p class="log-counts">
                    <span>{counts}</span>
                    <Show when=move || paused.with(Option::is_some)>
                        <span class="paused-mark">" · paused"</span>
                    </Show>
                </p>
                <ol class="log" aria-live="off">
                    {move || static_rows(rows(), draft)}
                </ol>
                <Show when=move || store.log_version.with(|_| store.log_counts().0 == 0)>
                    <p class="empty-hint">"No messages yet. Messages on the subscribed topics appear here as they arrive."</p>
                </Show>
            </div>
        </section>
    }
}

/// The rows, keyed by `seq` like `<For>`, but without an `Owner` per row.
///
/// `<For>` gives each row `Owner::new()` under the explorer's owner, and reactive_graph
/// (0.2) keeps a `Weak` to every child owner in its parent until the parent is cleaned up:
/// a removed row leaves its owner's allocation behind (about 90 bytes), so at 1,000 messages
/// a second the wasm heap grew without end while the explorer was open. A row is static (no
/// signal, effect or context of its own), so it needs no owner; it is built inside the
/// list's render effect, whose owner is cleaned at every re-render, so nothing piles up.
/// A row that ever needs reactive state must get it from a parent, not create it.
fn static_rows(entries: Vec<LogEntry>, draft: PublishDraft) -> impl IntoView {
    keyed(
        entries,
        |e: &LogEntry| e.seq,
        move |_, entry| (drop::<usize>, log_row(entry, draft)),
    )
}

/// One message on one line (time, topic, QoS/retain marks, the payload's first line);
/// opening it shows the whole payload, formatted here once when the row appears, and
/// "Publish to this topic".
fn log_row(entry: LogEntry, draft: PublishDraft) -> impl IntoView {
    let (kind, line) = payload_preview(&entry.payload, PREVIEW_CHARS);
    let payload = format_payload(&entry.payload, MAX_HEX_BYTES);
    let topic = entry.topic.to_string();
    let qos = entry.qos;
    let retain = entry.retain;
    let body = entry.payload.clone();
    let pick = topic.clone();
    view! {
        <li class="log-row" data-seq=entry.seq.to_string()>
            <details class="log-line">
                <summary>
                    <time class="log-time">{clock_text(entry.at)}</time>
                    <span class="log-topic">{topic}</span>
                    <span class="log-meta">
                        <span class="mark" title=format!("QoS {}", qos.as_u8())>{format!("Q{}", qos.as_u8())}</span>
                        {retain.then(|| view! { <span class="mark retained" title="Retained">"R"</span> })}
                    </span>
                    <span class="log-preview" data-kind=kind>{line}</span>
                </summary>
                <div class="log-full">
                    <pre class="log-payload" data-kind=payload.kind()>{payload.text().to_owned()}</pre>
                    <button
                        type="button"
                        class="chip publish-here"
                        on:click=move |_| draft.fill(&pick, Some(&body), qos, retain)
                    >
                        "Publish to this topic"
                    </button>
                </div>
            </details>
        </li>
    }
}
