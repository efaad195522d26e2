//! Opening Lampboard with a `#setup=` link: the fragment is read once at start-up and taken
//! out of the address bar at once (`history.replaceState`, so a reload or a bookmark does
//! not ask again), then a modal dialog asks before anything changes: add the shared profile
//! as a new one, replace the saved profile it matches (same id, else same broker), or
//! cancel. A link that cannot be read says why in words and changes nothing.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::connect_panel::{fresh_profile_id, Connection};
use super::split::split_view;
use crate::arrange::Arrangement;
use crate::share::plan::{self, Choice};
use crate::share::{decode, fragment_data, Share};
use crate::store::settings::{profile_storage_key, Profile};
use crate::store::Store;

/// The page's `#setup=` link, cleared from the address bar: None when the page was opened
/// without one (the usual case), else the link's data, read by the prompt (its decoding
/// lives in the prompt's chunk, `ui::split`: the first load does not need it).
pub(super) fn take_setup_fragment() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    take_setup_from(&href)
}

/// [`take_setup_fragment`] for the URL a `hashchange` went to (the event's own, not
/// `location`'s: read from the event, each listener sees the link even after another one
/// cleared the address bar).
pub(super) fn take_setup_from(url: &str) -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let (_, hash) = url.split_once('#')?;
    let data = fragment_data(hash)?.to_owned();
    let clean = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&clean));
    }
    Some(data)
}

/// Merges the shared arrangement into the one kept for `profile` (item by item, the newer
/// edit of each winning, as an import does). Returns why not, if the browser refused.
fn keep_arrangement(profile: &Profile, shared: &Arrangement) -> Result<(), String> {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| "This browser keeps no local storage".to_owned())?;
    let key = profile_storage_key(profile, "arrange");
    let mut kept = storage
        .get_item(&key)
        .ok()
        .flatten()
        .and_then(|t| Arrangement::from_json(&t).ok())
        .map(|l| l.arrangement)
        .unwrap_or_default();
    kept.merge(shared);
    storage
        .set_item(&key, &kept.to_json())
        .map_err(|_| "The browser refused to save the dashboard (storage full?)".to_owned())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the link brings, in a line: "Dashboard: 12 lamps arranged, 4 rooms ordered,
/// 2 scenes" (a part with nothing in it is left out).
fn summary(a: &Arrangement) -> String {
    if a.is_empty() {
        return "No dashboard arrangement (the lamps show as their systems name them)".to_owned();
    }
    let mut parts = Vec::new();
    if !a.lamps.is_empty() {
        parts.push(format!(
            "{} arranged",
            plural(a.lamps.len(), "lamp", "lamps")
        ));
    }
    let rooms = a.rooms.values().filter(|r| !r.order.is_empty()).count();
    if rooms > 0 {
        parts.push(format!("{} ordered", plural(rooms, "room", "rooms")));
    }
    if !a.room_order.keys.is_empty() {
        parts.push("the rooms' order".to_owned());
    }
    let scenes = a.live_scenes().len();
    if scenes > 0 {
        parts.push(plural(scenes, "scene", "scenes"));
    }
    format!("Dashboard: {}", parts.join(", "))
}

split_view!(
    share,
    /// The dialog for a setup link's `data`, built by its own chunk with the link's decoding.
    pub(super) fn share_prompt(conn: Connection, data: String, manual: bool) {
        view! { <SharePrompt conn=conn setup=decode(&data) manual=manual /> }
    }
);

/// The dialog for a setup link. `manual` (the tests) leaves the broker alone; otherwise
/// the answer connects: to the shared profile once added, or, on cancel, to the profile in
/// use if the page was not connected or trying already (a link opened at start-up).
#[component]
fn SharePrompt(
    conn: Connection,
    setup: Result<Share, String>,
    #[prop(optional)] manual: bool,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let open = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() && !el.open() {
            if el.show_modal().is_err() {
                el.set_open(true);
            }
            if let Ok(Some(first)) = el.query_selector("button.primary") {
                if let Some(first) = first.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = first.focus();
                }
            }
        } else if !open.get() && el.open() {
            el.close();
        }
    });
    let finish = move |accepted: bool| {
        open.set(false);
        if !manual && (accepted || !conn.busy()) {
            conn.connect();
        }
    };
    let body = match setup {
        Err(why) => view! {
            <h2 id="share-prompt-title">"This setup link cannot be used"</h2>
            <p class="share-prompt-why" role="alert">{why}</p>
            <p class="field-hint">"Nothing was changed. Ask for a new link, or set the broker up in Settings."</p>
            <div class="foot-buttons">
                <button type="button" class="primary share-dismiss" on:click=move |_| finish(false)>
                    "OK"
                </button>
            </div>
        }
        .into_any(),
        Ok(share) => {
            let share = StoredValue::new(share);
            let target = conn.saved.with_untracked(|s| {
                share.with_value(|sh| plan::match_for(s, &sh.profile).map(|p| p.name.clone()))
            });
            let accept = move |choice: Choice| {
                let incoming = share.with_value(|s| s.profile.clone());
                let Some(applied) = conn
                    .saved
                    .try_update(|s| plan::apply(s, &incoming, &choice, fresh_profile_id))
                else {
                    return;
                };
                let profile = match applied {
                    Ok(p) => p,
                    Err(why) => {
                        error.set(Some(why));
                        return;
                    }
                };
                conn.persist();
                if let Err(why) = share.with_value(|s| keep_arrangement(&profile, &s.arrangement)) {
                    store.notice.set(Some(why));
                }
                // Read the profile's arrangement again: it has just changed in storage.
                store.use_arrangement(None);
                conn.use_profile(profile);
                finish(true);
            };
            let (name, url, user, has_password, what) = share.with_value(|s| {
                (
                    s.profile.name.clone(),
                    s.profile.broker_url.clone(),
                    s.profile.username.clone(),
                    s.has_password,
                    summary(&s.arrangement),
                )
            });
            // A last will publishes on the broker when this device drops off: said before
            // anyone accepts it, never set up unseen.
            let will = share.with_value(|s| {
                s.profile
                    .will_enabled
                    .then(|| format!("“{}” on {}", s.profile.will.message, s.profile.will.topic))
            });
            let replace = target.map(|old| {
                let label = format!("Replace “{old}”");
                let hint = format!(
                    "“{old}” is this profile or uses the same broker: its settings become the shared ones and its dashboard is merged with the shared one (the newer change of each lamp, room and scene wins)."
                );
                let button = view! {
                    <button
                        type="button"
                        class="secondary share-replace"
                        on:click=move |_| accept(Choice::Replace(old.clone()))
                    >
                        {label}
                    </button>
                };
                (view! { <p class="field-hint share-replace-hint">{hint}</p> }, button)
            });
            let (replace_hint, replace) = match replace {
                Some((h, b)) => (Some(h), Some(b)),
                None => (None, None),
            };
            view! {
                <h2 id="share-prompt-title">"Add a shared setup?"</h2>
                <dl class="share-facts">
                    <dt>"Profile"</dt>
                    <dd class="share-name">{name}</dd>
                    <dt>"Broker"</dt>
                    <dd class="share-broker">{url}</dd>
                    {(!user.is_empty()).then(|| view! { <dt>"User name"</dt><dd>{user}</dd> })}
                    {will.map(|w| view! { <dt>"Last will"</dt><dd class="share-will">{w}</dd> })}
                    <dt>"Password"</dt>
                    <dd class="share-password">
                        {if has_password {
                            "Included: it will be kept in this browser"
                        } else {
                            "Not included: Lampboard asks for it if the broker needs one"
                        }}
                    </dd>
                </dl>
                <p class="share-what">{what}</p>
                {replace_hint}
                <p class="field-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                <div class="foot-buttons share-choices">
                    <button type="button" class="secondary share-cancel" on:click=move |_| finish(false)>
                        "Cancel"
                    </button>
                    {replace}
                    <button
                        type="button"
                        class="primary share-add"
                        on:click=move |_| accept(Choice::AddNew)
                    >
                        "Add as new profile"
                    </button>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <dialog
            class="share-prompt"
            node_ref=dialog
            aria-labelledby="share-prompt-title"
            // Escape closes the native dialog: the same as Cancel.
            on:close=move |_| {
                if open.get_untracked() {
                    finish(false);
                }
            }
        >
            <div class="share-prompt-body">{body}</div>
        </dialog>
    }
}
