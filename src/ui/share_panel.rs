//! "Share setup" in the settings drawer: the profile in use and its dashboard as a link and
//! a QR code (drawn here, no network), a Copy button (the clipboard where the browser allows
//! it, else the link is selected for the user to copy), and the "Include password" tick,
//! off by default; once ticked the panel says in words that the link holds the password.
//! The rules are pure in `crate::share`.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use super::connect_panel::Connection;
use super::outcome::OutcomeLine;
use crate::share::{link, qr};
use crate::store::Store;

/// The page's own address without its fragment: where the link opens Lampboard again.
fn page_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

/// `navigator.clipboard.writeText(text)`, if this browser offers it here (it does not on a
/// plain-http page other than localhost): looked up, not assumed, so a missing clipboard
/// is a fallback, never a thrown exception.
fn clipboard_write(text: &str) -> Option<js_sys::Promise> {
    let window: JsValue = web_sys::window()?.into();
    let navigator = js_sys::Reflect::get(&window, &"navigator".into()).ok()?;
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| c.is_object())?;
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()?
        .dyn_into()
        .ok()?;
    write
        .call1(&clipboard, &JsValue::from_str(text))
        .ok()?
        .dyn_into()
        .ok()
}

const SELECTED: &str =
    "The link is selected: copy it with Ctrl+C (or ⌘C), or a long press on a phone";

/// The drawer's "Share setup" block, for the profile in use.
#[component]
pub(super) fn SharePanel(conn: Connection) -> impl IntoView {
    let store = expect_context::<Store>();
    let include_password = RwSignal::new(false);
    let has_password = move || {
        conn.active
            .with(|p| p.password.as_deref().is_some_and(|pw| !pw.is_empty()))
    };
    let page = page_url();
    let made = Memo::new(move |_| {
        let with_password = include_password.get() && has_password();
        conn.active
            .with(|p| store.arrangement.with(|a| link(&page, p, a, with_password)))
    });
    let code = Memo::new(move |_| made.with(|l| qr::encode(&l.url)));
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let field = NodeRef::<html::Input>::new();
    let select = move || {
        if let Some(input) = field.get_untracked() {
            let _ = input.focus();
            input.select();
        }
    };
    let copy = move |_| {
        let url = made.with_untracked(|l| l.url.clone());
        select();
        match clipboard_write(&url) {
            Some(promise) => spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(promise).await;
                outcome.try_set(Some(match done {
                    Ok(_) => Ok("Link copied".to_owned()),
                    Err(_) => Err(format!("The browser did not allow copying. {SELECTED}")),
                }));
            }),
            None => {
                outcome.set(Some(Err(format!(
                    "This page cannot use the clipboard. {SELECTED}"
                ))));
            }
        }
    };
    let name = move || conn.active.with(|p| p.name.clone());
    let user = move || conn.active.with(|p| p.username.clone());

    view! {
        <section class="settings-section share-setup">
            <h3>"Share setup"</h3>
            <p class="field-hint">
                {move || format!(
                    "Scan or open this on another phone or computer to add “{}” with this dashboard: names, rooms, order, favourites and scenes. It is all in the link itself; no server sees it.",
                    name()
                )}
            </p>
            {move || match code.get() {
                Ok(q) => {
                    let svg = q.svg("QR code of the setup link");
                    let dense = q.dense_hint();
                    view! {
                        <div class="share-qr" data-modules=q.width.to_string() data-version=q.version.to_string() inner_html=svg></div>
                        {dense.map(|hint| view! { <p class="field-hint share-qr-dense">{hint}</p> })}
                    }
                        .into_any()
                }
                Err(why) => view! { <p class="field-error share-qr-error">{why}</p> }.into_any(),
            }}
            <label class="check">
                <input
                    type="checkbox"
                    name="share_password"
                    prop:disabled=move || !has_password()
                    prop:checked=move || include_password.get()
                    on:change=move |ev| include_password.set(event_target_checked(&ev))
                />
                <span>"Include password"</span>
            </label>
            <Show when=move || !has_password()>
                <p class="field-hint share-no-password">
                    "No password is saved for this profile: the other device asks for one if the broker needs it."
                </p>
            </Show>
            <Show when=move || made.with(|l| l.contains_password)>
                <p class="share-warning" role="status">
                    {move || format!(
                        "This link contains the password of “{}”: anyone who has it can use this broker as you. Share it only with your household.",
                        user()
                    )}
                </p>
            </Show>
            <div class="share-link-row">
                <input
                    type="text"
                    class="share-link"
                    name="share_link"
                    readonly
                    aria-label="Setup link"
                    node_ref=field
                    prop:value=move || made.with(|l| l.url.clone())
                    on:focus=move |_| select()
                />
                <button type="button" class="secondary share-copy" on:click=copy>
                    "Copy"
                </button>
            </div>
            <OutcomeLine outcome=outcome />
        </section>
    }
}
