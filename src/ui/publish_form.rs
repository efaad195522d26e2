//! The explorer's publish form: publish any message, delete a retained one after a
//! confirmation, and keep the messages one sends often per broker profile. "Publish to this
//! topic" in the tree or the log fills it through [`PublishDraft::fill`], opens it, scrolls
//! it into view and puts the focus in the payload.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::outcome::OutcomeLine;
use crate::mqtt::packet::QoS;
use crate::store::saved::{legacy_saved_key, saved_key, SavedMessage, SavedMessages};
use crate::store::settings::{check_topic_name, qos_from};
use crate::store::Store;

/// What the form holds, shared with the tree and the log so either can fill it.
#[derive(Clone, Copy)]
pub(super) struct PublishDraft {
    topic: RwSignal<String>,
    payload: RwSignal<String>,
    qos: RwSignal<u8>,
    retain: RwSignal<bool>,
    open: RwSignal<bool>,
    /// The form's box (scrolled into view) and its payload field (focused) on `fill`.
    box_ref: NodeRef<leptos::html::Details>,
    payload_ref: NodeRef<leptos::html::Textarea>,
}

impl PublishDraft {
    /// An empty draft at QoS 1; `open` says whether the form starts unfolded.
    pub(super) fn new(open: bool) -> Self {
        Self {
            topic: RwSignal::new(String::new()),
            payload: RwSignal::new(String::new()),
            qos: RwSignal::new(1),
            retain: RwSignal::new(false),
            open: RwSignal::new(open),
            box_ref: NodeRef::new(),
            payload_ref: NodeRef::new(),
        }
    }

    /// "Publish to this topic": the topic, its last payload as a starting point (when it is
    /// whole text; binary or cut payloads leave the field empty), its QoS and retain flag;
    /// then the form opens, scrolls into view and focuses the payload.
    pub(super) fn fill(&self, topic: &str, payload: Option<&[u8]>, qos: QoS, retain: bool) {
        self.topic.set(topic.to_owned());
        let text = payload
            .and_then(|p| std::str::from_utf8(p).ok())
            .unwrap_or_default();
        self.payload.set(text.to_owned());
        self.qos.set(qos.as_u8());
        self.retain.set(retain);
        self.open.set(true);
        let (box_ref, payload_ref) = (self.box_ref, self.payload_ref);
        // After the frame that unfolded the form, so it has its height when scrolled to.
        request_animation_frame(move || {
            if let Some(el) = box_ref.get_untracked() {
                let el: &web_sys::Element = el.unchecked_ref();
                el.scroll_into_view_with_bool(true);
            }
            if let Some(el) = payload_ref.get_untracked() {
                let el: &web_sys::HtmlElement = el.unchecked_ref();
                let _ = el.focus();
            }
        });
    }

    fn apply(&self, m: &SavedMessage) {
        self.topic.set(m.topic.clone());
        self.payload.set(m.payload.clone());
        self.qos.set(m.qos.min(2));
        self.retain.set(m.retain);
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The saved messages of profile `id` (named `name`); a list an earlier version kept under
/// the name moves to the id on this first read.
fn load_saved(id: &str, name: &str) -> SavedMessages {
    let Some(s) = local_storage() else {
        return SavedMessages::default();
    };
    let key = saved_key(id, name);
    let mut text = s.get_item(&key).ok().flatten();
    if text.is_none() && !id.is_empty() {
        let legacy = legacy_saved_key(name);
        text = s.get_item(&legacy).ok().flatten();
        if let Some(t) = &text {
            if s.set_item(&key, t).is_ok() {
                let _ = s.remove_item(&legacy);
            }
        }
    }
    text.map(|t| SavedMessages::from_json(&t))
        .unwrap_or_default()
}

/// Publish any message, or delete a retained one after a confirmation; saved messages
/// of the profile in use above the buttons.
#[component]
pub(super) fn PublishForm(draft: PublishDraft) -> impl IntoView {
    let store = expect_context::<Store>();
    let PublishDraft {
        topic,
        payload,
        qos,
        retain,
        open,
        ..
    } = draft;
    let tried = RwSignal::new(false);
    let confirm_clear = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // The profile's list, read from localStorage when the profile changes or after an edit.
    let saved_edits = RwSignal::new(0u32);
    let saved = move || {
        saved_edits.track();
        // The id is set before the name when the profile changes (store::reactive::profiles).
        let name = store.profile.get();
        load_saved(&store.profile_id(), &name)
    };
    let edit_saved = move |edit: &dyn Fn(&mut SavedMessages) -> Result<(), String>| {
        let (id, name) = (store.profile_id(), store.profile.get_untracked());
        let mut list = load_saved(&id, &name);
        let result = edit(&mut list);
        if result.is_ok() {
            if let Some(s) = local_storage() {
                let _ = s.set_item(&saved_key(&id, &name), &list.to_json());
            }
            saved_edits.update(|n| *n += 1);
        }
        result
    };
    let PublishDraft {
        box_ref,
        payload_ref,
        ..
    } = draft;
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
    let save_current = move || {
        let message = SavedMessage {
            topic: topic.get_untracked().trim().to_owned(),
            payload: payload.get_untracked(),
            qos: qos.get_untracked(),
            retain: retain.get_untracked(),
        };
        match edit_saved(&|list| list.add(message.clone())) {
            Ok(()) => outcome.set(Some(Ok("Saved for this broker profile".to_owned()))),
            Err(why) => outcome.set(Some(Err(why))),
        }
    };
    let saved_list = move || {
        let s = saved();
        (!s.items.is_empty()).then(|| {
            s.items
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let m = m.clone();
                    let label = m.label();
                    view! {
                        <li class="saved-item">
                            <button type="button" class="chip saved-use" title="Fill the form with this message" on:click=move |_| draft.apply(&m)>
                                {label.clone()}
                            </button>
                            <button
                                type="button"
                                class="chip saved-remove"
                                aria-label=format!("Remove the saved message {label}")
                                on:click=move |_| {
                                    let _ = edit_saved(&|list| {
                                        list.remove(i);
                                        Ok(())
                                    });
                                }
                            >
                                "✕"
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let none_saved = move || {
        saved_edits.track();
        store
            .profile
            .with(|name| load_saved(&store.profile_id(), name).items.is_empty())
    };

    view! {
        <details
            class="publish-box"
            node_ref=box_ref
            prop:open=move || open.get()
            on:toggle=move |ev| {
                let now_open = ev
                    .target()
                    .and_then(|t| js_sys::Reflect::get(&t, &"open".into()).ok())
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                if now_open != open.get_untracked() {
                    open.set(now_open);
                }
            }
        >
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
                        node_ref=payload_ref
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
                            <option value="0" prop:selected=move || qos.get() == 0>"0"</option>
                            <option value="1" prop:selected=move || qos.get() == 1>"1"</option>
                            <option value="2" prop:selected=move || qos.get() == 2>"2"</option>
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
                    <button type="button" class="secondary save-message" on:click=move |_| save_current()>
                        "Save"
                    </button>
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
                                "Delete retained message…"
                            </button>
                        }
                    >
                        <span class="confirm-clear">
                            <span>{move || format!("Delete the retained message on {}? The broker forgets it for every client.", topic.get())}</span>
                            <button
                                type="button"
                                class="danger confirm-clear-yes"
                                on:click=move |_| {
                                    confirm_clear.set(false);
                                    send(Vec::new(), true, "Deleted the retained message on");
                                }
                            >
                                "Delete it"
                            </button>
                            <button type="button" class="secondary" on:click=move |_| confirm_clear.set(false)>
                                "Cancel"
                            </button>
                        </span>
                    </Show>
                </div>
                <OutcomeLine outcome=outcome />
                <div class="saved-messages">
                    <span class="field-label">"Saved messages for this broker profile"</span>
                    <p class="field-hint" class:hidden=move || !none_saved()>
                        "None yet: “Save” keeps the message above for a tap later."
                    </p>
                    <ul class="saved-list">{saved_list}</ul>
                </div>
            </form>
        </details>
    }
}
