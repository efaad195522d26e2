//! The settings drawer: profiles, the connection's fields, what to look for
//! (lamp topic filters, discovery sources), publishing QoS, and moving all of
//! it between browsers as a JSON file.
//!
//! It edits a draft; nothing reaches storage, the store or the broker until
//! Save, and a save with any problem is refused with the problem shown.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use super::connect_panel::{page_is_https, Connection};
use super::outcome::OutcomeLine;
use super::split::split_view;
use crate::store::settings::{needs_everything_confirmation, Problem, Profile, SettingsFile};

/// Where the draft's problems are listed; a `Memo`, so typing re-checks once.
type Problems = Memo<Vec<Problem>>;

fn problem_text(problems: Problems, key: &str) -> Option<String> {
    problems.with(|ps| {
        ps.iter()
            .find(|p| p.field == key)
            .map(|p| p.message.clone())
    })
}

/// A labelled text input bound to one field of the draft, with its problem inline.
#[component]
fn TextField(
    draft: RwSignal<Profile>,
    problems: Problems,
    label: &'static str,
    key: &'static str,
    get: fn(&Profile) -> String,
    set: fn(&mut Profile, String),
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let error_id = format!("{key}-error");
    let described = error_id.clone();
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <input
                type=kind
                name=key
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                prop:value=move || draft.with(get)
                on:input=move |ev| draft.update(|p| set(p, event_target_value(&ev)))
                aria-invalid=move || if problem_text(problems, key).is_some() { "true" } else { "false" }
                aria-describedby=described
            />
            {(!hint.is_empty()).then(|| view! { <span class="field-hint">{hint}</span> })}
            <span id=error_id class="field-error" role="alert">
                {move || problem_text(problems, key).unwrap_or_default()}
            </span>
        </label>
    }
}

/// A checkbox bound to one flag of the draft.
#[component]
fn CheckField(
    draft: RwSignal<Profile>,
    label: &'static str,
    key: &'static str,
    get: fn(&Profile) -> bool,
    set: fn(&mut Profile, bool),
    /// Fields that matter only while the box is ticked, shown indented under it.
    #[prop(optional)]
    children: Option<ChildrenFn>,
) -> impl IntoView {
    let nested = children.map(|children| {
        view! {
            <Show when=move || draft.with(get)>
                <div class="nested">{children()}</div>
            </Show>
        }
    });
    view! {
        <label class="check">
            <input
                type="checkbox"
                name=key
                prop:checked=move || draft.with(get)
                on:change=move |ev| draft.update(|p| set(p, event_target_checked(&ev)))
            />
            <span>{label}</span>
        </label>
        {nested}
    }
}

/// A QoS 0/1/2 choice bound to the draft.
#[component]
fn QosField(
    draft: RwSignal<Profile>,
    label: &'static str,
    key: &'static str,
    get: fn(&Profile) -> u8,
    set: fn(&mut Profile, u8),
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <select
                name=key
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<u8>() {
                        draft.update(|p| set(p, n));
                    }
                }
            >
                {[(0u8, "0 · at most once"), (1, "1 · at least once"), (2, "2 · exactly once")]
                    .into_iter()
                    .map(|(n, text)| {
                        view! {
                            <option value=n.to_string() prop:selected=move || draft.with(get) == n>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Hands `text` to the browser as a file download: a Blob, an object URL and
/// a click on a temporary anchor (no server, no inline script).
fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.set_hidden(true);
    let body = document.body().ok_or("no body")?;
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    // Revoke later: the download reads the URL after this handler returns.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

split_view!(
    settings,
    /// The drawer, built by its own chunk (`ui::split`): the first screen does not need it.
    pub(super) fn settings_drawer(conn: Connection, open: RwSignal<bool>) {
        view! { <SettingsDrawer conn=conn open=open /> }
    }
);

/// The drawer itself; `open` closes it.
#[component]
fn SettingsDrawer(conn: Connection, open: RwSignal<bool>) -> impl IntoView {
    let draft = RwSignal::new(conn.active.get_untracked());
    let https = page_is_https();
    let problems: Problems = Memo::new(move |_| draft.with(|p| p.problems(https)));
    let confirm_everything = RwSignal::new(false);
    let needs_confirm = move || draft.with(|p| needs_everything_confirmation(&p.lamp_filters));
    // Ok(what happened) or Err(why not), shown in the footer.
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let close = move || open.set(false);
    let close_button = NodeRef::<html::Button>::new();
    let drawer = NodeRef::<html::Aside>::new();
    // What opened the drawer gets focus back when it closes.
    let opener = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
    let opener = StoredValue::new_local(opener);
    on_cleanup(move || {
        if let Some(el) = opener.try_get_value().flatten() {
            if el.is_connected() {
                let _ = el.focus();
            }
        }
    });
    // A field's error appearing below the visible part of the drawer (under its sticky
    // footer) is scrolled into sight.
    Effect::new(move |_| {
        if problems.with(Vec::is_empty) {
            return;
        }
        request_animation_frame(move || {
            let Some(el) = drawer.get_untracked() else {
                return;
            };
            let Ok(Some(body)) = el.query_selector(".drawer-body") else {
                return;
            };
            let Ok(Some(error)) = body.query_selector(".field-error:not(:empty)") else {
                return;
            };
            let (b, e) = (
                body.get_bounding_client_rect(),
                error.get_bounding_client_rect(),
            );
            if e.bottom() > b.bottom() {
                body.set_scroll_top(body.scroll_top() + (e.bottom() - b.bottom() + 16.0) as i32);
            }
        });
    });
    request_animation_frame(move || {
        if let Some(b) = close_button.get_untracked() {
            let _ = b.focus();
        }
    });

    let save = move |connect_after: bool| {
        let profile = draft.get_untracked();
        if let Some(p) = problems.get_untracked().into_iter().next() {
            outcome.set(Some(Err(format!("Not saved: {}", p.message))));
            return;
        }
        if needs_everything_confirmation(&profile.lamp_filters)
            && !confirm_everything.get_untracked()
        {
            outcome.set(Some(Err(
                "Not saved: confirm the “#” subscription first".to_owned()
            )));
            return;
        }
        conn.saved.update(|s| s.upsert(profile.clone()));
        conn.persist();
        conn.use_profile(profile);
        if connect_after {
            conn.connect();
            if let Some(why) = conn.error.get_untracked() {
                outcome.set(Some(Err(why)));
                return;
            }
            close();
        } else {
            outcome.set(Some(Ok("Saved".to_owned())));
        }
    };

    let select_profile = move |name: String| {
        if let Some(p) = conn
            .saved
            .with(|s| s.profiles.iter().find(|p| p.name == name).cloned())
        {
            draft.set(p);
            outcome.set(None);
        }
    };
    let new_profile = move || {
        let n = conn.saved.with(|s| s.profiles.len()) + 1;
        let url = draft.with(|p| p.broker_url.clone());
        draft.set(Profile {
            name: format!("Profile {n}"),
            ..Profile::with_url(url)
        });
        outcome.set(Some(Ok("New profile: fill it in and save".to_owned())));
    };
    let delete_profile = move || {
        let name = draft.with(|p| p.name.clone());
        let gone_id = conn.saved.with(|s| {
            s.profiles
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.id.clone())
        });
        let removed = conn.saved.try_update(|s| s.remove(&name)).unwrap_or(false);
        if removed {
            conn.persist();
            if let Some(cur) = conn.saved.with(|s| s.current().cloned()) {
                draft.set(cur.clone());
                conn.use_profile(cur);
            }
            conn.forget_profile_data(gone_id.as_deref(), &name);
            outcome.set(Some(Ok(format!("Deleted “{name}”"))));
        } else {
            outcome.set(Some(Err(
                "The last saved profile cannot be deleted".to_owned()
            )));
        }
    };

    let export = move || {
        let (json, n) = (conn.export_json(), conn.saved.with(|s| s.profiles.len()));
        outcome.set(Some(match download("lampboard-settings.json", &json) {
            Ok(()) => Ok(format!(
                "Exported {n} profile{} (passwords are never exported)",
                if n == 1 { "" } else { "s" }
            )),
            Err(_) => Err("The browser refused the download".to_owned()),
        }));
    };
    let import_text = move |text: String| match SettingsFile::from_json(&text) {
        Ok(file) => {
            let n = file.profiles.len();
            conn.import(file);
            if let Some(cur) = conn.saved.with_untracked(|s| s.current().cloned()) {
                draft.set(cur.clone());
                conn.use_profile(cur);
            }
            outcome.set(Some(Ok(format!(
                "Imported {n} profile{}",
                if n == 1 { "" } else { "s" }
            ))));
        }
        Err(why) => outcome.set(Some(Err(format!(
            "Import refused: {why}. Nothing was changed."
        )))),
    };
    let on_import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // Let the same file be picked again after a fix.
        input.set_value("");
        let read = file.text();
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(read).await {
                Ok(v) => import_text(v.as_string().unwrap_or_default()),
                Err(_) => outcome.set(Some(Err(
                    "Import refused: the file could not be read. Nothing was changed.".to_owned(),
                ))),
            }
        });
    };

    let filter_count = move || draft.with(|p| p.lamp_filters.len());
    let filter_error = move |i: usize| problem_text(problems, &format!("filter:{i}"));
    let store = expect_context::<crate::store::Store>();
    let refused_filters = store.refused_filters;
    let granted = store.granted;
    let qos2_downgraded = store.qos2_downgraded;
    // The QoS the broker granted the filter as subscribed, shown on its row (a broker
    // may grant less than asked; the app asks QoS 0 for lamp states).
    let filter_granted = move |i: usize| {
        let filter = draft.with(|p| p.lamp_filters.get(i).map(|f| f.trim().to_owned()))?;
        granted.with(|map| map.get(&filter).copied())
    };
    // The broker's answer to the filter as subscribed (so as saved, trimmed), shown on its row.
    let filter_refused = move |i: usize| {
        let filter = draft.with(|p| p.lamp_filters.get(i).map(|f| f.trim().to_owned()));
        filter.is_some_and(|f| refused_filters.with(|set| set.contains(&f)))
    };

    view! {
        <div class="drawer-backdrop" on:click=move |_| close()></div>
        <aside
            class="drawer"
            role="dialog"
            aria-modal="true"
            aria-labelledby="settings-title"
            node_ref=drawer
            on:keydown=move |ev| {
                match ev.key().as_str() {
                    "Escape" => close(),
                    "Tab" => {
                        let wrapped = drawer
                            .get_untracked()
                            .is_some_and(|el| super::focus_trap::wrap_tab(&el, ev.shift_key()));
                        if wrapped {
                            ev.prevent_default();
                        }
                    }
                    _ => {}
                }
            }
        >
            <header class="drawer-head">
                <h2 id="settings-title">"Settings"</h2>
                <button class="icon close" aria-label="Close settings" node_ref=close_button on:click=move |_| close()>
                    "✕"
                </button>
            </header>
            // A form, so password managers and Enter work; Enter saves.
            <form
                class="drawer-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save(false);
                }
            >
            <div class="drawer-body">
                <section class="settings-section">
                    <h3>"Profile"</h3>
                    <div class="row">
                        <label class="field grow">
                            <span class="field-label">"Saved profiles"</span>
                            <select name="profile" on:change=move |ev| select_profile(event_target_value(&ev))>
                                <For
                                    each=move || conn.saved.with(|s| s.profiles.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
                                    key=|n| n.clone()
                                    let:name
                                >
                                    {
                                        let shown = name.clone();
                                        view! {
                                            <option value=name.clone() prop:selected=move || draft.with(|d| d.name == name)>
                                                {shown}
                                            </option>
                                        }
                                    }
                                </For>
                            </select>
                        </label>
                        <button type="button" class="secondary" on:click=move |_| new_profile()>"New"</button>
                        <button type="button" class="secondary danger" name="delete-profile" on:click=move |_| delete_profile()>
                            "Delete"
                        </button>
                    </div>
                    <TextField
                        draft problems label="Profile name" key="name"
                        get=|p| p.name.clone() set=|p, v| p.name = v
                        hint="Saving under a new name adds a profile."
                    />
                </section>

                <section class="settings-section">
                    <h3>"Connection"</h3>
                    <TextField
                        draft problems label="Broker URL" key="broker_url" kind="url"
                        placeholder="ws://host:9001/mqtt"
                        get=|p| p.broker_url.clone() set=|p, v| p.broker_url = v
                        hint="ws:// or wss://, host, port and path (many brokers want /mqtt)."
                    />
                    <TextField
                        draft problems label="Client id" key="client_id"
                        placeholder=conn.auto_id.get_value()
                        get=|p| p.client_id.clone() set=|p, v| p.client_id = v
                        hint="Leave empty for a new id per tab."
                    />
                    <div class="row">
                        <TextField
                            draft problems label="User name" key="username"
                            get=|p| p.username.clone() set=|p, v| p.username = v
                        />
                        <TextField
                            draft problems label="Password" key="password" kind="password"
                            get=|p| p.password.clone().unwrap_or_default()
                            set=|p, v| p.password = (!v.is_empty()).then_some(v)
                        />
                    </div>
                    <CheckField
                        draft label="Remember the password in this browser" key="remember_password"
                        get=|p| p.remember_password set=|p, v| p.remember_password = v
                    />
                    <div class="row">
                        <TextField
                            draft problems label="Keep alive (s)" key="keep_alive" kind="number"
                            get=|p| p.keep_alive_secs.to_string()
                            set=|p, v| if let Ok(n) = v.trim().parse() { p.keep_alive_secs = n }
                        />
                        <CheckField
                            draft label="Clean session" key="clean_session"
                            get=|p| p.clean_session set=|p, v| p.clean_session = v
                        />
                    </div>
                    <CheckField
                        draft label="Send a last will" key="will_enabled"
                        get=|p| p.will_enabled set=|p, v| p.will_enabled = v
                    >
                        <TextField
                            draft problems label="Will topic" key="will_topic"
                            placeholder="lampboard/status"
                            get=|p| p.will.topic.clone() set=|p, v| p.will.topic = v
                        />
                        <TextField
                            draft problems label="Will message" key="will_message"
                            get=|p| p.will.message.clone() set=|p, v| p.will.message = v
                        />
                        <div class="row">
                            <QosField
                                draft label="Will QoS" key="will_qos"
                                get=|p| p.will.qos set=|p, v| p.will.qos = v
                            />
                            <CheckField
                                draft label="Retain the will" key="will_retain"
                                get=|p| p.will.retain set=|p, v| p.will.retain = v
                            />
                        </div>
                    </CheckField>
                </section>

                <section class="settings-section">
                    <h3>"Lamps"</h3>
                    <fieldset class="filters">
                        <legend class="field-label">"Lamp topics (subscription filters)"</legend>
                        <For each=move || 0..filter_count() key=|i| *i let:i>
                            <div class="filter-row">
                                <input
                                    type="text"
                                    class="filter-input"
                                    name=format!("filter-{i}")
                                    aria-label=format!("Topic filter {}", i + 1)
                                    autocomplete="off"
                                    spellcheck="false"
                                    prop:value=move || draft.with(|p| p.lamp_filters.get(i).cloned().unwrap_or_default())
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        draft.update(|p| {
                                            if let Some(f) = p.lamp_filters.get_mut(i) {
                                                *f = v;
                                            }
                                        });
                                    }
                                    aria-invalid=move || if filter_error(i).is_some() { "true" } else { "false" }
                                />
                                <button
                                    type="button"
                                    class="icon"
                                    aria-label=format!("Remove topic filter {}", i + 1)
                                    on:click=move |_| draft.update(|p| {
                                        if i < p.lamp_filters.len() {
                                            p.lamp_filters.remove(i);
                                        }
                                    })
                                >
                                    "✕"
                                </button>
                                <span class="field-error filter-error" role="alert">
                                    {move || filter_error(i).unwrap_or_default()}
                                </span>
                                {move || {
                                    filter_granted(i)
                                        .map(|q| {
                                            view! {
                                                <span class="field-hint filter-granted">
                                                    {format!("Subscribed: the broker granted QoS {}", q as u8)}
                                                </span>
                                            }
                                        })
                                }}
                                <Show when=move || filter_refused(i)>
                                    <span class="field-error filter-refused" role="alert">
                                        "The broker refused this subscription: this login may not read these topics."
                                    </span>
                                </Show>
                            </div>
                        </For>
                        <button
                            type="button"
                            class="chip add-filter"
                            on:click=move |_| draft.update(|p| p.lamp_filters.push(String::new()))
                        >
                            "+ Add a filter"
                        </button>
                        <span class="field-error" role="alert">
                            {move || problem_text(problems, "filters").unwrap_or_default()}
                        </span>
                        <Show when=needs_confirm>
                            <label class="check confirm-everything">
                                <input
                                    type="checkbox"
                                    name="confirm_everything"
                                    prop:checked=move || confirm_everything.get()
                                    on:change=move |ev| confirm_everything.set(event_target_checked(&ev))
                                />
                                <span>"“#” subscribes to every topic: many brokers refuse it, and a busy broker floods this page. Subscribe anyway?"</span>
                            </label>
                        </Show>
                    </fieldset>
                    <CheckField
                        draft label="Home Assistant discovery" key="home_assistant"
                        get=|p| p.home_assistant set=|p, v| p.home_assistant = v
                    >
                        <TextField
                            draft problems label="Discovery prefix" key="home_assistant_prefix"
                            get=|p| p.home_assistant_prefix.clone() set=|p, v| p.home_assistant_prefix = v
                        />
                    </CheckField>
                    <CheckField
                        draft label="Zigbee2MQTT" key="zigbee2mqtt"
                        get=|p| p.zigbee2mqtt set=|p, v| p.zigbee2mqtt = v
                    >
                        <TextField
                            draft problems label="Base topic" key="zigbee2mqtt_base"
                            get=|p| p.zigbee2mqtt_base.clone() set=|p, v| p.zigbee2mqtt_base = v
                        />
                    </CheckField>
                    <CheckField
                        draft label="Tasmota" key="tasmota"
                        get=|p| p.tasmota set=|p, v| p.tasmota = v
                    >
                        <TextField
                            draft problems label="Tasmota topics" key="tasmota_topics"
                            placeholder="tasmota_49A3BC, porch"
                            hint="Devices that publish no Tasmota discovery, by their Topic, comma-separated"
                            get=|p| p.tasmota_topics.join(",")
                            set=|p, v| p.tasmota_topics = v.split(',').map(str::to_owned).collect()
                        />
                    </CheckField>
                    <CheckField
                        draft label="WLED" key="wled"
                        get=|p| p.wled set=|p, v| p.wled = v
                    >
                        <TextField
                            draft problems label="Device topics" key="wled_filter"
                            get=|p| p.wled_filter.clone() set=|p, v| p.wled_filter = v
                        />
                    </CheckField>
                    <CheckField
                        draft label="Shelly Gen1 (shellies/…)" key="shelly_gen1"
                        get=|p| p.shelly_gen1 set=|p, v| p.shelly_gen1 = v
                    />
                    <CheckField
                        draft label="Shelly Gen2+ (Plus, Pro)" key="shelly_gen2"
                        get=|p| p.shelly_gen2 set=|p, v| p.shelly_gen2 = v
                    />
                </section>

                <section class="settings-section">
                    <h3>"Publishing"</h3>
                    <QosField
                        draft label="QoS for lamp changes" key="publish_qos"
                        get=|p| p.publish_qos set=|p, v| p.publish_qos = v
                    />
                    <Show when=move || qos2_downgraded.get()>
                        <p class="field-hint qos2-downgraded" role="status">
                            "This broker does not support QoS 2: messages are sent at QoS 1"
                        </p>
                    </Show>
                </section>

                <section class="settings-section household-sync">
                    <h3>"Household sync"</h3>
                    <CheckField
                        draft label="Share names, rooms, order and scenes with every device on this broker" key="sync_enabled"
                        get=|p| p.sync_enabled set=|p, v| p.sync_enabled = v
                    >
                        <TextField
                            draft problems label="Sync topic" key="sync_topic"
                            placeholder=crate::arrange::sync::DEFAULT_SYNC_TOPIC
                            get=|p| p.sync_topic.clone() set=|p, v| p.sync_topic = v
                            hint="Kept as one retained message on your broker; devices using the same topic share one arrangement."
                        />
                    </CheckField>
                    // The status is the profile in use's, not a draft's.
                    <Show when=move || conn.active.with(|a| draft.with(|d| d.name == a.name))>
                        <p
                            class="field-hint sync-status"
                            class:is-problem=move || matches!(store.sync_status(), crate::arrange::sync::SyncStatus::Problem(_))
                            role="status"
                        >
                            {move || crate::arrange::sync::status_text(&store.sync_status(), store.now.get())}
                        </p>
                    </Show>
                </section>
                <super::share_panel::SharePanel conn=conn />

                <section class="settings-section">
                    <h3>"Backup"</h3>
                    <p class="field-hint">"Move saved profiles to another browser as a JSON file. Passwords stay here."</p>
                    <div class="row">
                        <button type="button" class="secondary export" on:click=move |_| export()>
                            "Export…"
                        </button>
                        <label class="button-like secondary">
                            "Import…"
                            <input
                                type="file"
                                class="visually-hidden import"
                                accept="application/json,.json"
                                on:change=on_import
                            />
                        </label>
                    </div>
                </section>
            </div>
            <footer class="drawer-foot">
                <OutcomeLine outcome=outcome />
                <div class="foot-buttons">
                    <Show when=move || conn.busy()>
                        <button type="button" class="secondary" on:click=move |_| conn.disconnect()>
                            "Disconnect"
                        </button>
                    </Show>
                    <button type="button" class="secondary save" on:click=move |_| save(false)>
                        "Save"
                    </button>
                    <button type="button" class="primary save-connect" on:click=move |_| save(true)>
                        "Save & connect"
                    </button>
                </div>
            </footer>
            </form>
        </aside>
    }
}
