//! The explorer's topic tree: every topic heard under the explorer's filter as collapsible
//! levels, with counts, the time of the last message and each topic's last payload; a
//! search over topics; a selected topic shows its last payload, its recent history with what
//! changed in JSON, and "Publish to this topic".
//!
//! The model is `store::topic_tree` (pure); this draws the rows it returns, at most once per
//! animation frame (it reads `log_version`). Rows are static views keyed by what they show
//! (node, message count, open, selected), so an unchanged row is never rebuilt and a row has
//! no owner or effect of its own (see `explorer::static_rows` for why).

use std::collections::HashMap;

use leptos::either::Either;
use leptos::prelude::*;
use leptos::tachys::view::keyed::keyed;

use super::explorer::{clock_text, MAX_HEX_BYTES};
use super::publish_form::PublishDraft;
use crate::store::json_diff::json_diff;
use crate::store::log::{format_payload, payload_preview};
use crate::store::topic_tree::{NodeId, OpenRule, Sample, TopicDetail, TreeRow, MAX_TOPICS};
use crate::store::Store;

/// Rows drawn at most; past it the pane says to narrow the view.
pub const MAX_TREE_ROWS: usize = 300;
/// A branch with at most this many topics opens by itself (a 16-lamp house shows whole).
const AUTO_OPEN_TOPICS: u32 = 40;
/// What the summary line's tooltip says about the bound.
const LIMIT_NOTE: &str =
    "The tree holds up to 20,000 topics; past that, messages on new topics are counted but not added.";
/// Characters of a leaf's payload shown on its row.
const PREVIEW_CHARS: usize = 60;

/// The tree's state the explorer owns, so "Clear view" can reset it.
#[derive(Clone, Copy)]
pub(super) struct TreeState {
    /// Text a topic must contain.
    pub search: RwSignal<String>,
    /// Nodes the user opened or closed.
    pub chosen: RwSignal<HashMap<NodeId, bool>>,
    /// The selected topic.
    pub selected: RwSignal<Option<String>>,
}

impl TreeState {
    pub(super) fn new() -> Self {
        Self {
            search: RwSignal::new(String::new()),
            chosen: RwSignal::new(HashMap::new()),
            selected: RwSignal::new(None),
        }
    }

    /// Forgets choices that name nodes of a cleared tree.
    pub(super) fn reset(&self) {
        self.chosen.set(HashMap::new());
        self.selected.set(None);
    }
}

/// "1 topic", "12 topics".
fn topics_text(n: u32) -> String {
    plural(u64::from(n), "topic")
}

/// "1 message", "3 messages".
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn short_clock(ms: f64) -> String {
    let full = clock_text(ms);
    full.split('.').next().unwrap_or_default().to_owned()
}

/// The tree pane.
#[component]
pub(super) fn TopicTreePane(
    state: TreeState,
    filter: Signal<Option<String>>,
    draft: PublishDraft,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let TreeState {
        search,
        chosen,
        selected,
    } = state;
    // One closure per frame with news: the view, the rows and the summary line from one read.
    let rendered = move || {
        store.log_version.track();
        let f = filter.get();
        let q = search.get();
        let sel = selected.get();
        store.set_tree_view(f.as_deref(), &q);
        let (rows, shown, topics, not_kept) = chosen
            .with(|chosen| {
                store.with_tree(|t| {
                    let rule = OpenRule {
                        chosen,
                        auto_open_topics: AUTO_OPEN_TOPICS,
                        max_rows: MAX_TREE_ROWS,
                    };
                    (
                        t.rows(rule),
                        t.shown_sums().topics as usize,
                        t.topic_count(),
                        t.not_kept(),
                    )
                })
            })
            .unwrap_or_default();
        let mut summary = if shown == topics {
            format!("{topics} topics")
        } else {
            format!("{shown} of {topics} topics match")
        };
        if not_kept > 0 {
            summary.push_str(&format!(
                " · limit of {MAX_TOPICS} topics reached: {not_kept} messages on new topics counted, not added"
            ));
        }
        let truncated = rows.truncated;
        let nothing = rows.rows.is_empty();
        let key_sel = sel.clone();
        let list = keyed(
            rows.rows,
            move |r: &TreeRow| {
                (
                    r.id,
                    r.sums.messages,
                    r.open,
                    key_sel.as_deref() == Some(r.path.as_str()),
                )
            },
            move |_, row| {
                let is_selected = sel.as_deref() == Some(row.path.as_str());
                (
                    drop::<usize>,
                    tree_row(store, state, draft, row, is_selected),
                )
            },
        );
        let note = if nothing {
            "No topics yet. Every topic heard under the filter appears here as a tree.".to_owned()
        } else if truncated {
            format!("Showing the first {MAX_TREE_ROWS} rows: search or filter to narrow them.")
        } else {
            String::new()
        };
        let hide_note = note.is_empty();
        view! {
            <p class="tree-summary" title=LIMIT_NOTE>{summary}</p>
            <ul class="tree" role="tree" aria-label="Topics">
                {list}
                <li class="tree-note" class:hidden=hide_note>{note}</li>
            </ul>
        }
    };

    view! {
        <div class="tree-pane">
            <label class="field tree-search">
                <span class="field-label">"Search topics"</span>
                <input
                    type="search"
                    name="tree-search"
                    placeholder="Search topics, like kitchen"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </label>
            {rendered}
        </div>
    }
}

/// One node's row; the selected topic's detail is drawn inside it.
fn tree_row(
    store: Store,
    state: TreeState,
    draft: PublishDraft,
    row: TreeRow,
    is_selected: bool,
) -> AnyView {
    let TreeRow {
        id,
        depth,
        level,
        path,
        sums,
        has_children,
        open,
        last,
        own_messages,
    } = row;
    let toggle = move || {
        state.chosen.update(|c| {
            c.insert(id, !open);
        })
    };
    let toggle_button = if has_children {
        Either::Left(view! {
            <button
                class="tree-toggle"
                aria-expanded=if open { "true" } else { "false" }
                aria-label=if open { "Close" } else { "Open" }
                on:click=move |_| toggle()
            >
                {if open { "▾" } else { "▸" }}
            </button>
        })
    } else {
        Either::Right(view! { <span class="tree-toggle" aria-hidden="true"></span> })
    };
    let is_topic = last.is_some();
    let pick_path = path.clone();
    let pick = move || {
        if is_topic {
            let again = state
                .selected
                .with_untracked(|s| s.as_deref() == Some(&pick_path));
            state
                .selected
                .set(if again { None } else { Some(pick_path.clone()) });
        } else {
            toggle();
        }
    };
    let name = if level.is_empty() {
        "(empty level)".to_owned()
    } else {
        level
    };
    let count_title = if has_children {
        format!(
            "{} messages in {} topics ({own_messages} on this topic itself)",
            sums.messages, sums.topics
        )
    } else {
        format!("{} messages", sums.messages)
    };
    let preview = last.as_ref().map(|s| {
        let (kind, text) = payload_preview(&s.payload, PREVIEW_CHARS);
        view! { <span class="tree-payload" data-kind=kind>{text}</span> }
    });
    let retained = last.as_ref().is_some_and(|s| s.retain);
    let detail = is_selected
        .then(|| store.with_tree(|t| t.detail(&path)).flatten())
        .flatten()
        .map(|d| topic_detail(draft, d));
    view! {
        <li
            class="tree-row"
            class:selected=is_selected
            data-topic=path
            data-depth=depth.to_string()
            role="treeitem"
            aria-expanded=has_children.then_some(if open { "true" } else { "false" })
            aria-selected=if is_selected { "true" } else { "false" }
        >
            <div class="tree-line" style:padding-left=format!("{}px", u32::from(depth) * 14)>
                {toggle_button}
                <button class="tree-name" on:click=move |_| pick()>{name}</button>
                {has_children.then(|| view! { <span class="tree-topics">{topics_text(sums.topics)}</span> })}
                {preview}
                <span class="tree-meta">
                    {retained.then(|| view! { <span class="mark retained" title="Retained">"R"</span> })}
                    <span class="tree-count" title=count_title>{sums.messages.to_string()}</span>
                    <time class="tree-time">{short_clock(sums.last_at)}</time>
                </span>
            </div>
            {detail}
        </li>
    }
    .into_any()
}

/// One history sample: time, marks, payload (first line, expandable), and what changed in
/// JSON from the one before.
fn history_item(sample: &Sample, older: Option<&Sample>) -> impl IntoView {
    let (kind, line) = payload_preview(&sample.payload, PREVIEW_CHARS);
    let full = format_payload(&sample.payload, MAX_HEX_BYTES);
    let changes = older
        .and_then(|o| json_diff(&o.payload, &sample.payload))
        .map(|changes| {
            let empty = changes.is_empty();
            view! {
                <ul class="diff">
                    {changes
                        .into_iter()
                        .map(|c| view! { <li data-change=c.kind()>{c.line()}</li> })
                        .collect_view()}
                    {empty.then(|| view! { <li data-change="same">"No change"</li> })}
                </ul>
            }
        });
    view! {
        <li class="history-item">
            <details>
                <summary>
                    <time class="log-time">{clock_text(sample.at)}</time>
                    <span class="log-marks">{marks(sample)}</span>
                    <span class="log-preview" data-kind=kind>{line}</span>
                </summary>
                <pre class="log-payload" data-kind=full.kind()>{full.text().to_owned()}</pre>
            </details>
            {changes}
        </li>
    }
}

/// "Q1" and "R": QoS and retained, compact.
pub(super) fn marks(s: &Sample) -> String {
    let mut m = format!("Q{}", s.qos.as_u8());
    if s.retain {
        m.push_str(" R");
    }
    m
}

fn topic_detail(draft: PublishDraft, d: TopicDetail) -> impl IntoView {
    let TopicDetail {
        topic,
        messages,
        last,
        history,
    } = d;
    let full = format_payload(&last.payload, MAX_HEX_BYTES);
    let cut = last.is_cut().then(|| {
        format!(
            "Only the first {} of {} bytes were kept.",
            last.payload.len(),
            last.size
        )
    });
    let items = history
        .iter()
        .enumerate()
        .map(|(i, s)| history_item(s, history.get(i + 1)))
        .collect_view();
    let count = history.len();
    let publish_topic = topic.clone();
    let publish_sample = last.clone();
    view! {
        <div class="topic-detail">
            <div class="detail-head">
                <span class="detail-facts">
                    {format!("{} · last at {}", plural(messages, "message"), clock_text(last.at))}
                    {last.retain.then_some(" · retained")}
                    {format!(" · QoS {}", last.qos.as_u8())}
                </span>
                <button
                    type="button"
                    class="primary publish-here"
                    on:click=move |_| {
                        let payload = (!publish_sample.is_cut()).then_some(&*publish_sample.payload);
                        draft.fill(&publish_topic, payload, publish_sample.qos, publish_sample.retain);
                    }
                >
                    "Publish to this topic"
                </button>
            </div>
            <pre class="detail-payload log-payload" data-kind=full.kind()>{full.text().to_owned()}</pre>
            {cut.map(|c| view! { <p class="field-hint">{c}</p> })}
            <p class="history-title">{format!("Last {}, newest first", plural(count as u64, "payload"))}</p>
            <ol class="history">{items}</ol>
        </div>
    }
}
