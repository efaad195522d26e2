//! The message explorer: the live log (filtered, pausable, rendered once per
//! animation frame from the store's ring) and a form to publish or clear a
//! retained message. Payloads and topics are text nodes, never HTML.

use leptos::prelude::*;
use leptos::tachys::view::keyed::keyed;

use super::outcome::OutcomeLine;

use crate::store::log::{format_payload, LogEntry};
use crate::store::settings::{check_filter, check_topic_name, qos_from};
use crate::store::Store;

/// Hex beyond this many bytes is cut: a 1 MiB blob must not stall a phone.
const MAX_HEX_BYTES: usize = 1024;

/// "14:03:07.123" in local time.
fn clock_text(ms: f64) -> String {
    let d = js_sys::Date::new(&ms.into());
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds()
    )
}

/// The explorer page.
#[component]
pub fn Explorer() -> impl IntoView {
    let store = expect_context::<Store>();
    let filter = RwSignal::new(String::new());
    let filter_error = move || {
        filter.with(|f| {
            let f = f.trim();
            (!f.is_empty()).then(|| check_filter(f).err()).flatten()
        })
    };
    let active_filter = move || {
        filter.with(|f| {
            let f = f.trim();
            (!f.is_empty() && check_filter(f).is_ok()).then(|| f.to_owned())
        })
    };
    // While paused, the rows are a snapshot; the ring keeps filling underneath.
    let paused = RwSignal::new(None::<Vec<LogEntry>>);
    let rows = move || {
        let f = active_filter();
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
    let publish_topic = RwSignal::new(String::new());

    view! {
        <section class="explorer" aria-label="Messages">
            <PublishForm topic=publish_topic />
            <div class="log-tools">
                <label class="field grow">
                    <span class="field-label">"Show topics matching"</span>
                    <input
                        type="text"
                        name="log-filter"
                        placeholder="# (everything), or like smarthome/+/lamps/#"
                        autocomplete="off"
                        spellcheck="false"
                        prop:value=move || filter.get()
                        on:input=move |ev| filter.set(event_target_value(&ev))
                        aria-invalid=move || if filter_error().is_some() { "true" } else { "false" }
                    />
                    <span class="field-error" role="alert">{move || filter_error().unwrap_or_default()}</span>
                </label>
                <div class="log-buttons">
                    <button
                        class="secondary pause"
                        aria-pressed=move || if paused.with(Option::is_some) { "true" } else { "false" }
                        on:click=move |_| toggle_pause()
                    >
                        {move || if paused.with(Option::is_some) { "Resume" } else { "Pause" }}
                    </button>
                    <button class="secondary clear-log" on:click=move |_| {
                        paused.set(None);
                        store.clear_log();
                    }>
                        "Clear"
                    </button>
                </div>
            </div>
            <p class="log-counts">
                <span>{counts}</span>
                <Show when=move || paused.with(Option::is_some)>
                    <span class="paused-mark">" · paused"</span>
                </Show>
            </p>
            <ol class="log" aria-live="off">
                {move || static_rows(rows(), move |t: String| publish_topic.set(t))}
            </ol>
            <Show when=move || store.log_version.with(|_| store.log_counts().0 == 0)>
                <p class="empty-hint">"No messages yet. Messages on the subscribed topics appear here as they arrive."</p>
            </Show>
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
fn static_rows(
    entries: Vec<LogEntry>,
    on_pick: impl Fn(String) + Clone + Send + 'static,
) -> impl IntoView {
    keyed(
        entries,
        |e: &LogEntry| e.seq,
        move |_, entry| {
            let on_pick = on_pick.clone();
            (
                drop::<usize>,
                view! { <LogRow entry=entry on_pick=on_pick /> },
            )
        },
    )
}

/// One message; the payload is formatted here, once, when the row appears.
#[component]
fn LogRow(entry: LogEntry, on_pick: impl Fn(String) + 'static) -> impl IntoView {
    let payload = format_payload(&entry.payload, MAX_HEX_BYTES);
    let topic = entry.topic.to_string();
    let pick = topic.clone();
    view! {
        <li class="log-row" data-seq=entry.seq.to_string()>
            <div class="log-head">
                <button
                    class="log-topic"
                    title="Use this topic in the publish form"
                    on:click=move |_| on_pick(pick.clone())
                >
                    {topic}
                </button>
                <span class="log-meta">
                    <span class="badge">{format!("QoS {}", entry.qos.as_u8())}</span>
                    {entry.retain.then(|| view! { <span class="badge retained">"retained"</span> })}
                    <span class="badge kind">{payload.kind()}</span>
                    <time class="log-time">{clock_text(entry.at)}</time>
                </span>
            </div>
            <pre class="log-payload" data-kind=payload.kind()>{payload.text().to_owned()}</pre>
        </li>
    }
}

/// Publish any message, or clear a retained one after a confirmation.
#[component]
fn PublishForm(topic: RwSignal<String>) -> impl IntoView {
    let store = expect_context::<Store>();
    let payload = RwSignal::new(String::new());
    let qos = RwSignal::new(1u8);
    let retain = RwSignal::new(false);
    let tried = RwSignal::new(false);
    let confirm_clear = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // Open beside the log on a desktop; folded on a phone so the log gets the screen.
    let wide = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w >= 960.0);
    let topic_error = move || {
        let t = topic.get();
        if t.is_empty() && !tried.get() {
            return None;
        }
        check_topic_name(&t).err()
    };
    let send = move |body: Vec<u8>, retain_flag: bool, what: &str| {
        tried.set(true);
        let t = topic.get_untracked();
        let result = store.publish_raw(&t, body, qos_from(qos.get_untracked()), retain_flag);
        outcome.set(Some(match result {
            Ok(_) => Ok(format!("{what} {t}")),
            Err(why) => Err(why),
        }));
    };

    view! {
        <details class="publish-box" open=wide>
            <summary>"Publish a message"</summary>
            <form
                class="publish-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    confirm_clear.set(false);
                    send(payload.get_untracked().into_bytes(), retain.get_untracked(), "Published to");
                }
            >
                <label class="field">
                    <span class="field-label">"Topic"</span>
                    <input
                        type="text"
                        name="publish-topic"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="smarthome/kitchen/lamps/ceiling"
                        prop:value=move || topic.get()
                        on:input=move |ev| {
                            topic.set(event_target_value(&ev));
                            confirm_clear.set(false);
                        }
                        aria-invalid=move || if topic_error().is_some() { "true" } else { "false" }
                    />
                    <span class="field-error" role="alert">{move || topic_error().unwrap_or_default()}</span>
                </label>
                <label class="field">
                    <span class="field-label">"Payload"</span>
                    <textarea
                        name="publish-payload"
                        rows="3"
                        spellcheck="false"
                        placeholder=r#"{"state":"ON"}"#
                        prop:value=move || payload.get()
                        on:input=move |ev| payload.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <div class="row">
                    <label class="field">
                        <span class="field-label">"QoS"</span>
                        <select name="publish-qos" on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() {
                                qos.set(n);
                            }
                        }>
                            <option value="0">"0"</option>
                            <option value="1" selected>"1"</option>
                            <option value="2">"2"</option>
                        </select>
                    </label>
                    <label class="check">
                        <input
                            type="checkbox"
                            name="publish-retain"
                            prop:checked=move || retain.get()
                            on:change=move |ev| retain.set(event_target_checked(&ev))
                        />
                        <span>"Retain"</span>
                    </label>
                </div>
                <div class="row publish-buttons">
                    <button type="submit" class="primary publish">"Publish"</button>
                    <Show
                        when=move || confirm_clear.get()
                        fallback=move || view! {
                            <button
                                type="button"
                                class="secondary clear-retained"
                                on:click=move |_| {
                                    tried.set(true);
                                    if topic_error().is_none() {
                                        confirm_clear.set(true);
                                        outcome.set(None);
                                    }
                                }
                            >
                                "Clear retained…"
                            </button>
                        }
                    >
                        <span class="confirm-clear">
                            <span>{move || format!("Clear the retained message on {}?", topic.get())}</span>
                            <button
                                type="button"
                                class="danger confirm-clear-yes"
                                on:click=move |_| {
                                    confirm_clear.set(false);
                                    send(Vec::new(), true, "Cleared the retained message on");
                                }
                            >
                                "Clear it"
                            </button>
                            <button type="button" class="secondary" on:click=move |_| confirm_clear.set(false)>
                                "Cancel"
                            </button>
                        </span>
                    </Show>
                </div>
                <OutcomeLine outcome=outcome />
            </form>
        </details>
    }
}
