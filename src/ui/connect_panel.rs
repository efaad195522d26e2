use std::rc::Rc;

use leptos::prelude::*;

use super::settings_drawer::settings_drawer;
use super::split::loaded_view;
use super::status_line::SettingsDoor;
use super::view_switch::{LampView, ViewChoice};
use crate::arrange::Arrangement;
use crate::net::broker_url::{BrokerUrl, PATH_HINT};
use crate::net::client::{Handler, MqttClient};
use crate::net::status::{ConnectionStatus, UNREACHABLE};
use crate::store::profile_keys::ProfileKeys;
use crate::store::settings::{profile_storage_key, Profile, SettingsFile};
use crate::store::Store;

const URL_KEY: &str = "lampboard.broker_url";
/// Where the profiles are kept in localStorage.
pub const SETTINGS_KEY: &str = "lampboard.settings";

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

/// A new profile id: random, so two browsers never make the same one (issue 16 syncs a
/// profile's data under it).
pub fn fresh_profile_id() -> String {
    let part = || {
        format!(
            "{:08x}",
            (js_sys::Math::random() * f64::from(u32::MAX)) as u32
        )
    };
    format!("p{}{}", part(), part())
}

/// Where a profile's arrangement is kept.
fn arrangement_key(profile: &Profile) -> String {
    profile_storage_key(profile, "arrange")
}

/// A broker as the user knows it: `host:port`, or the URL as typed when it does not parse.
pub(super) fn broker_label(url: &str) -> String {
    match BrokerUrl::parse(url, false) {
        Ok(u) => format!("{}:{}", u.host, u.port),
        Err(_) => url.to_owned(),
    }
}

/// The saved profiles, or a first profile pointing at the likely broker; profiles without
/// an id get one, saved at once so it stays.
fn load_settings() -> SettingsFile {
    let mut file = local_storage()
        .and_then(|s| s.get_item(SETTINGS_KEY).ok().flatten())
        .and_then(|text| SettingsFile::from_json(&text).ok())
        .unwrap_or_else(|| SettingsFile::single(Profile::with_url(default_broker_url())));
    if file.fill_ids(fresh_profile_id) {
        if let (Some(s), Ok(json)) = (local_storage(), serde_json::to_string(&file.for_storage())) {
            let _ = s.set_item(SETTINGS_KEY, &json);
        }
    }
    file
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
    /// Whether this visit was ever connected: until then the buttons say "Connect" and
    /// "Stop trying", not "Reconnect" and "Disconnect" (there was nothing to re-do).
    pub ever_connected: RwSignal<bool>,
    /// The dashboard's Tiles/Cards choice: exported with the settings, set by an import.
    view: ViewChoice,
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
            ever_connected: RwSignal::new(false),
            view: ViewChoice::from_context(),
            client: StoredValue::new_local(None),
            store,
        }
    }

    /// Writes the profiles to localStorage (without unremembered passwords); a profile
    /// new since the last write gets its id first.
    pub fn persist(&self) {
        if self
            .saved
            .with_untracked(|s| s.profiles.iter().any(|p| p.id.is_empty()))
        {
            self.saved.update(|s| {
                s.fill_ids(fresh_profile_id);
            });
        }
        let json = self
            .saved
            .with_untracked(|s| serde_json::to_string(&s.for_storage()).unwrap_or_default());
        if let Some(s) = local_storage() {
            let _ = s.set_item(SETTINGS_KEY, &json);
        }
    }

    /// Makes `profile` the one in use: the store gets its lamp settings and
    /// publishing QoS at once; connection fields apply at the next connect.
    pub fn use_profile(&self, mut profile: Profile) {
        // A profile from the form carries the id it was saved under (or none yet).
        if let Some(id) = self.saved.with_untracked(|s| {
            s.profiles
                .iter()
                .find(|p| p.name == profile.name)
                .map(|p| p.id.clone())
        }) {
            profile.id = id;
        }
        // Another profile: its broker's client goes first (a change is never sent to
        // another profile's broker), then the store holds this profile's data only.
        if !profile.id.is_empty() && self.store.profile_id() != profile.id {
            if !self.store.profile_id().is_empty() {
                self.close_client();
            }
            self.store
                .use_profile(&profile.id, &profile.name, profile.directory_settings());
        }
        let key = (!profile.id.is_empty()).then(|| arrangement_key(&profile));
        if self.store.arrangement_key() != key {
            self.store.use_arrangement(key);
        }
        self.store
            .set_sync(&profile.id, profile.sync_topic_in_use());
        self.store.set_settings(profile.directory_settings());
        self.store.qos.set(profile.qos());
        self.store.profile.set(profile.name.clone());
        self.store.broker.set(broker_label(&profile.broker_url));
        self.active.set(profile);
    }

    /// A deleted profile's data (snapshot, waiting changes, arrangement, explorer filter)
    /// leaves the browser with it; the waiting changes are dropped and the outcome line says
    /// the profile is deleted.
    pub fn forget_profile_data(&self, id: Option<&str>, name: &str) {
        let Some(id) = id.filter(|id| !id.is_empty() && *id != self.store.profile_id()) else {
            return;
        };
        let Some(s) = local_storage() else { return };
        let keys = ProfileKeys::for_id(id);
        let waiting = s.get_item(&keys.queue).ok().flatten().map_or(0, |text| {
            crate::store::queue::Queue::from_json(&text).queue.len()
        });
        for key in keys.all() {
            let _ = s.remove_item(key);
        }
        if waiting > 0 {
            self.store.notice.set(Some(format!(
                "“{name}” was deleted with its data: {waiting} change{} waiting for its broker {} dropped, not sent.",
                if waiting == 1 { "" } else { "s" },
                if waiting == 1 { "was" } else { "were" }
            )));
        }
    }

    /// Closes the client without touching the store (the profile switch settles it).
    fn close_client(&self) {
        if let Some(c) = self.client.get_value() {
            c.disconnect();
        }
        self.client.set_value(None);
        self.ever_connected.set(false);
    }

    /// The export file: every profile (no passwords) with the arrangement kept for each.
    pub fn export_json(&self) -> String {
        let mut file = self.saved.get_untracked();
        let storage = local_storage();
        for p in &file.profiles.clone() {
            let stored = storage
                .as_ref()
                .and_then(|s| s.get_item(&arrangement_key(p)).ok().flatten());
            if let Some(Ok(loaded)) = stored.as_deref().map(Arrangement::from_json) {
                if !loaded.arrangement.is_empty() {
                    file.arrangements
                        .insert(p.id.clone(), loaded.arrangement.to_value());
                }
            }
        }
        file.lamp_view = Some(self.view.0.get_untracked().name().to_owned());
        file.to_export_json()
    }

    /// Takes an imported file: its profiles replace the saved ones, and each arrangement it
    /// carries is merged item by item into the one kept for that profile (the newer edit of
    /// each lamp, room and scene wins, so importing an old file undoes nothing newer). A
    /// Tiles/Cards choice in the file applies at once; a file without one keeps the page's.
    pub fn import(&self, mut file: SettingsFile) {
        let arrangements = std::mem::take(&mut file.arrangements);
        if let Some(view) = file.lamp_view.take() {
            self.view.choose(LampView::from_name(Some(&view)));
        }
        if let Some(storage) = local_storage() {
            for p in &file.profiles {
                let Some(value) = arrangements.get(&p.id) else {
                    continue;
                };
                let Ok(incoming) = Arrangement::from_value(value.clone()) else {
                    continue;
                };
                let key = arrangement_key(p);
                let mut kept = storage
                    .get_item(&key)
                    .ok()
                    .flatten()
                    .and_then(|t| Arrangement::from_json(&t).ok())
                    .map(|l| l.arrangement)
                    .unwrap_or_default();
                kept.merge(&incoming.arrangement);
                let _ = storage.set_item(&key, &kept.to_json());
            }
        }
        self.saved.set(file);
        self.persist();
        // The arrangement of the profile in use may have changed: read it again.
        self.store.use_arrangement(None);
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
    // Shared with the phone header's status button (ui/status_line.rs).
    let drawer_open = SettingsDoor::from_context().0;
    // A `#setup=` link asks first; its answer connects (issue 16). One pasted into the
    // address bar of an open page is a `hashchange`, not a new page load.
    let setup = RwSignal::new(super::share_prompt::take_setup_fragment());
    if !manual && setup.with_untracked(Option::is_none) {
        conn.connect();
    }
    let on_hash = window_event_listener(leptos::ev::hashchange, move |ev| {
        if let Some(s) = super::share_prompt::take_setup_from(&ev.new_url()) {
            setup.set(Some(s));
        }
    });
    on_cleanup(move || on_hash.remove());
    let connected = move || store.status.with(|s| *s == ConnectionStatus::Connected);
    Effect::new(move |_| {
        if connected() {
            conn.ever_connected.set(true);
        }
    });
    let again = move || conn.busy() && conn.ever_connected.get();
    let broker_label = move || conn.active.with(|p| broker_label(&p.broker_url));

    // The form stays while a first visit's lamps arrive, so it and the hint below it give way
    // to the lamps in one frame instead of the hint jumping up first (store/reactive/arrival.rs).
    let settled = move || connected() && !store.arriving.get();
    view! {
        <Show
            when=settled
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
                                {move || if again() { "Reconnect" } else { "Connect" }}
                            </button>
                            <Show when=move || conn.busy()>
                                <button type="button" class="secondary disconnect" on:click=move |_| conn.disconnect()>
                                    {move || if again() { "Disconnect" } else { "Stop trying" }}
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
            {loaded_view("the settings", move || settings_drawer(conn, drawer_open))}
        </Show>
        {move || {
            setup
                .get()
                .map(|data| loaded_view("the setup link", move || super::share_prompt::share_prompt(conn, data.clone(), manual)))
        }}
    }
}
