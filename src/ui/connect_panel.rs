use std::rc::Rc;

use leptos::prelude::*;

use super::settings_drawer::SettingsDrawer;
use crate::net::broker_url::{BrokerUrl, PATH_HINT};
use crate::net::client::{Handler, MqttClient};
use crate::net::status::{ConnectionStatus, UNREACHABLE};
use crate::store::settings::{Profile, SettingsFile};
use crate::store::Store;

const URL_KEY: &str = "lampboard.broker_url";
const SETTINGS_KEY: &str = "lampboard.settings";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Whether the page came over https: then only `wss://` brokers can work,
/// and the form says so before a socket fails silently.
pub(super) fn page_is_https() -> bool {
    web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "https:")
}

/// The broker this page most likely talks to: the last one used, else the
/// WebSocket listener on the host that served the page (lampsim's default).
pub fn default_broker_url() -> String {
    if let Some(saved) = local_storage().and_then(|s| s.get_item(URL_KEY).ok().flatten()) {
        return saved;
    }
    let host = web_sys::window()
        .and_then(|w| w.location().hostname().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    format!("ws://{host}:9001/mqtt")
}

/// A client id of our own for this page: two tabs sharing one would make the
/// broker disconnect them in turn, forever.
pub fn fresh_client_id() -> String {
    let n = (js_sys::Math::random() * 36f64.powi(6)) as u64;
    let mut suffix = String::new();
    let mut rest = n;
    for _ in 0..6 {
        suffix.push(char::from_digit((rest % 36) as u32, 36).unwrap_or('0'));
        rest /= 36;
    }
    format!("lampboard-{suffix}")
}

/// The saved profiles, or a first profile pointing at the likely broker.
fn load_settings() -> SettingsFile {
    local_storage()
        .and_then(|s| s.get_item(SETTINGS_KEY).ok().flatten())
        .and_then(|text| SettingsFile::from_json(&text).ok())
        .unwrap_or_else(|| SettingsFile::single(Profile::with_url(default_broker_url())))
}

/// The page's one connection and its profiles; `Copy`, shared by the panel
/// and the settings drawer so both drive the same client.
#[derive(Clone, Copy)]
pub(super) struct Connection {
    /// Every profile (passwords in memory; storage strips unremembered ones).
    pub saved: RwSignal<SettingsFile>,
    /// The profile in use.
    pub active: RwSignal<Profile>,
    /// This tab's client id, used when a profile names none.
    pub auto_id: StoredValue<String>,
    /// Why the last connect attempt could not start, in words.
    pub error: RwSignal<Option<String>>,
    client: StoredValue<Option<MqttClient>, LocalStorage>,
    store: Store,
}

impl Connection {
    fn new(store: Store) -> Self {
        let saved = load_settings();
        let active = saved.current().cloned().unwrap_or_default();
        Self {
            saved: RwSignal::new(saved),
            active: RwSignal::new(active),
            auto_id: StoredValue::new(fresh_client_id()),
            error: RwSignal::new(None),
            client: StoredValue::new_local(None),
            store,
        }
    }

    /// Writes the profiles to localStorage (without unremembered passwords).
    pub fn persist(&self) {
        let json = self
            .saved
            .with_untracked(|s| serde_json::to_string(&s.for_storage()).unwrap_or_default());
        if let Some(s) = local_storage() {
            let _ = s.set_item(SETTINGS_KEY, &json);
        }
    }

    /// Makes `profile` the one in use: the store gets its lamp settings and
    /// publishing QoS at once; connection fields apply at the next connect.
    pub fn use_profile(&self, profile: Profile) {
        self.store.set_settings(profile.directory_settings());
        self.store.qos.set(profile.qos());
        self.store.profile.set(profile.name.clone());
        self.active.set(profile);
    }

    /// (Re)connects with the active profile; problems become the panel's error.
    pub fn connect(&self) {
        self.error.set(None);
        let profile = self.active.get_untracked();
        if let Some(p) = profile.problems(page_is_https()).into_iter().next() {
            self.error.set(Some(p.message));
            return;
        }
        if let Some(old) = self.client.get_value() {
            old.disconnect();
        }
        self.store.set_settings(profile.directory_settings());
        self.store.qos.set(profile.qos());
        let store = self.store;
        let handler: Handler = Rc::new(move |event| store.handle_client_event(event));
        let options = profile.session_options(&self.auto_id.get_value());
        match MqttClient::new(&profile.broker_url, options, handler) {
            Ok(c) => {
                if let Some(s) = local_storage() {
                    let _ = s.set_item(URL_KEY, profile.broker_url.trim());
                }
                c.connect();
                self.store.set_publisher(Rc::new(c.clone()));
                self.client.set_value(Some(c));
            }
            Err(why) => self
                .error
                .set(Some(crate::store::settings::sentence_case(&why))),
        }
    }

    /// Says goodbye to the broker and stops retrying.
    pub fn disconnect(&self) {
        if let Some(c) = self.client.get_value() {
            c.disconnect();
        }
        self.store.clear_publisher();
        self.client.set_value(None);
    }

    /// Whether a connection is up or being attempted.
    pub fn busy(&self) -> bool {
        !matches!(
            self.store.status.get(),
            ConnectionStatus::Disconnected | ConnectionStatus::Refused(_)
        )
    }
}

/// Whether the last socket closed before MQTT started (the status line says so).
fn unreachable(store: Store) -> bool {
    store.status.with(
        |s| matches!(s, ConnectionStatus::Retrying { why, .. } if why.starts_with(UNREACHABLE)),
    )
}

/// While the broker cannot be reached (the socket closed before MQTT started), what
/// to check: the URL, the path for well-known ports, the port and, for `wss://`, the
/// certificate, with a link to the listener's https page, where the browser explains
/// an untrusted certificate (the socket gets close code 1006 and nothing else).
fn unreachable_hint(store: Store, conn: Connection) -> Option<impl IntoView> {
    if !unreachable(store) {
        return None;
    }
    let url = conn
        .active
        .with(|p| BrokerUrl::parse(&p.broker_url, false).ok())?;
    let advice = url.unreachable_advice();
    let certificate = url.certificate_page().map(|page| {
        view! {
            <p class="field-hint certificate-hint">
                "Using a certificate of your own? This browser may not trust it: open "
                <a href=page.clone() target="_blank" rel="noopener">{page.clone()}</a>
                " to check it."
            </p>
        }
    });
    Some(view! {
        <p class="field-hint unreachable-hint">{advice}</p>
        {certificate}
    })
}

/// Broker URL, connect and disconnect, and the door to the settings drawer.
/// Once connected it folds into one summary line so the lamps get the screen.
#[component]
pub fn ConnectPanel(#[prop(optional)] manual: bool) -> impl IntoView {
    let store = expect_context::<Store>();
    let conn = Connection::new(store);
    conn.use_profile(conn.active.get_untracked());
    let drawer_open = RwSignal::new(false);
    if !manual {
        conn.connect();
    }
    let connected = move || store.status.with(|s| *s == ConnectionStatus::Connected);
    let broker_label = move || {
        conn.active
            .with(|p| match BrokerUrl::parse(&p.broker_url, false) {
                Ok(u) => format!("{}:{}", u.host, u.port),
                Err(_) => p.broker_url.clone(),
            })
    };

    view! {
        <Show
            when=connected
            fallback=move || {
                view! {
                    <form
                        class="connect-panel"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            conn.connect();
                        }
                    >
                        <label class="field grow">
                            <span class="field-label">"Broker"</span>
                            <input
                                type="url"
                                name="broker-url"
                                inputmode="url"
                                autocomplete="off"
                                spellcheck="false"
                                placeholder="ws://host:9001/mqtt"
                                prop:value=move || conn.active.with(|p| p.broker_url.clone())
                                on:input=move |ev| {
                                    conn.active.update(|p| p.broker_url = event_target_value(&ev))
                                }
                                aria-invalid=move || {
                                    if conn.error.with(Option::is_some) { "true" } else { "false" }
                                }
                                aria-describedby="broker-url-error"
                            />
                        </label>
                        <div class="panel-buttons">
                            <button type="submit" class="primary">
                                {move || if conn.busy() { "Reconnect" } else { "Connect" }}
                            </button>
                            <Show when=move || conn.busy()>
                                <button type="button" class="secondary" on:click=move |_| conn.disconnect()>
                                    "Disconnect"
                                </button>
                            </Show>
                            <button
                                type="button"
                                class="secondary open-settings"
                                on:click=move |_| drawer_open.set(true)
                            >
                                "Settings"
                            </button>
                        </div>
                        <p id="broker-url-error" class="field-error" role="alert">
                            {move || conn.error.get().unwrap_or_default()}
                        </p>
                        // Which path, before anything failed; once it has, the advice below says it.
                        <Show when=move || !unreachable(store)>
                            <p class="field-hint path-hint">{PATH_HINT}"."</p>
                        </Show>
                        {move || unreachable_hint(store, conn)}
                    </form>
                }
            }
        >
            <div class="connect-summary">
                <span class="summary-dot" aria-hidden="true"></span>
                <span class="summary-text">
                    <span class="summary-host">{broker_label}</span>
                    <span class="summary-profile">{move || conn.active.with(|p| p.name.clone())}</span>
                </span>
                <button class="secondary open-settings" on:click=move |_| drawer_open.set(true)>
                    "Settings"
                </button>
            </div>
        </Show>
        <Show when=move || drawer_open.get()>
            <SettingsDrawer conn=conn open=drawer_open />
        </Show>
    }
}
