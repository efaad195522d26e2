//! Connection profiles and the settings file: what the settings drawer edits,
//! what localStorage keeps and what export/import move between browsers.
//!
//! Pure (no web-sys, no leptos), so the rules that protect the user, a
//! password never leaves the browser unless asked, a bad import changes
//! nothing, a bad filter is named before it reaches the broker, are tested
//! natively.

use serde::{Deserialize, Serialize};

use crate::lamp::DirectorySettings;
use crate::mqtt::packet::{LastWill, QoS};
use crate::mqtt::session::{ConnectOptions, SessionOptions};
use crate::mqtt::topic::{validate_topic_filter, validate_topic_name, TopicError};
use crate::net::broker_url::BrokerUrl;

/// The marker and version of an exported settings file, so a random JSON file
/// is refused with a sentence instead of half-applied.
pub const FILE_FORMAT: u32 = 1;

/// The last will the broker publishes for us if the connection drops uncleanly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WillSettings {
    /// Where the will goes (a topic name).
    pub topic: String,
    /// The will's payload, as text.
    pub message: String,
    /// QoS 0, 1 or 2.
    pub qos: u8,
    /// Whether the broker retains the will.
    pub retain: bool,
}

impl Default for WillSettings {
    /// An empty will at QoS 1, retained: a status topic that says "offline"
    /// is the usual use, and it should stay readable for late subscribers.
    fn default() -> Self {
        Self {
            topic: String::new(),
            message: "offline".to_owned(),
            qos: 1,
            retain: true,
        }
    }
}

/// One named way to reach a broker, plus what to look for there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// A stable identity that survives renames and export/import: what the profile's own
    /// data in the browser (the dashboard's arrangement) is stored under, see
    /// [`profile_storage_key`]. Empty in files from before it existed; filled on load
    /// ([`SettingsFile::fill_ids`]).
    pub id: String,
    /// The name in the profile list.
    pub name: String,
    /// `ws://` or `wss://` URL (host, port, path).
    pub broker_url: String,
    /// Empty means a fresh `lampboard-xxxxxx` per tab, so two tabs never
    /// share an id (the broker would kick them off in turn, forever).
    pub client_id: String,
    /// User name; empty for none.
    pub username: String,
    /// The password. Only written to storage when `remember_password` is set,
    /// and never exported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The user agreed to keep the password in this browser's localStorage.
    pub remember_password: bool,
    /// Keep-alive in seconds (0 turns it off).
    pub keep_alive_secs: u16,
    /// Clean session (the broker forgets us on disconnect).
    pub clean_session: bool,
    /// `enabled` decides whether `will` is sent, so switching it off keeps the text.
    pub will_enabled: bool,
    /// The last will.
    pub will: WillSettings,
    /// Filters whose topics are lamps (the seed's `smarthome/+/lamps/#`).
    pub lamp_filters: Vec<String>,
    /// Read Home Assistant MQTT discovery.
    pub home_assistant: bool,
    /// Home Assistant's discovery prefix.
    pub home_assistant_prefix: String,
    /// Read Zigbee2MQTT's device list.
    pub zigbee2mqtt: bool,
    /// Zigbee2MQTT's base topic.
    pub zigbee2mqtt_base: String,
    /// Read Tasmota's discovery and the listed device topics.
    pub tasmota: bool,
    /// Tasmota device topics without discovery (one per line in the drawer).
    pub tasmota_topics: Vec<String>,
    /// Find WLED devices.
    pub wled: bool,
    /// Filter of WLED device topics.
    pub wled_filter: String,
    /// Read Shelly Gen1 lights (on for settings saved before Shelly existed).
    #[serde(default = "yes")]
    pub shelly_gen1: bool,
    /// Read Shelly Gen2+ lights.
    #[serde(default = "yes")]
    pub shelly_gen2: bool,
    /// QoS for the lamp controls' publishes (0, 1 or 2; default 1).
    pub publish_qos: u8,
    /// Household sync (issue 16): the arrangement kept in a retained message on this
    /// broker, shared with every device that turns it on. Off unless the user opts in.
    #[serde(default)]
    pub sync_enabled: bool,
    /// The topic of the household copy (`crate::arrange::sync::DEFAULT_SYNC_TOPIC`).
    #[serde(default = "default_sync_topic")]
    pub sync_topic: String,
}

impl Default for Profile {
    /// What a first visit starts with: the lamps' default topics, QoS 1, and a
    /// broker URL the page fills in (see [`Profile::with_url`]).
    fn default() -> Self {
        let d = DirectorySettings::default();
        Self {
            id: String::new(),
            name: "Default".to_owned(),
            broker_url: String::new(),
            client_id: String::new(),
            username: String::new(),
            password: None,
            remember_password: false,
            keep_alive_secs: 30,
            clean_session: true,
            will_enabled: false,
            will: WillSettings::default(),
            lamp_filters: d.lamp_filters,
            home_assistant: d.home_assistant,
            home_assistant_prefix: d.home_assistant_prefix,
            zigbee2mqtt: d.zigbee2mqtt,
            zigbee2mqtt_base: d.zigbee2mqtt_base,
            tasmota: d.tasmota,
            tasmota_topics: d.tasmota_topics,
            wled: d.wled,
            wled_filter: d.wled_filter,
            shelly_gen1: d.shelly_gen1,
            shelly_gen2: d.shelly_gen2,
            publish_qos: 1,
            sync_enabled: false,
            sync_topic: default_sync_topic(),
        }
    }
}

/// Serde's default for the sync topic of profiles saved before sync existed.
fn default_sync_topic() -> String {
    crate::arrange::sync::DEFAULT_SYNC_TOPIC.to_owned()
}

/// The localStorage key of one kind of data (`what`, e.g. `"arrange"`) that belongs to a
/// profile: `lampboard.<what>.<profile id>`. Keyed by the id, not the name, so renaming a
/// profile keeps its data and two browsers importing one file agree on the key (issue 16
/// syncs these through the broker under the same id).
pub fn profile_storage_key(profile: &Profile, what: &str) -> String {
    format!("lampboard.{what}.{}", profile.id)
}

/// One thing wrong with a profile, tied to the field that shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Which field: `name`, `broker_url`, `client_id`, `password`, `will_topic`,
    /// `filter:<index>`, `home_assistant_prefix`, `zigbee2mqtt_base`, `tasmota_topics`,
    /// `wled_filter`, `qos`, `sync_topic`.
    pub field: String,
    /// The sentence shown next to it.
    pub message: String,
}

/// Serde's default for switches that are on unless a saved profile says otherwise.
fn yes() -> bool {
    true
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// Words for a topic error, for inline messages (the codec's own text cites rules).
fn topic_words(e: TopicError) -> String {
    match e {
        TopicError::Empty => "Empty: type a topic".to_owned(),
        TopicError::TooLong(n) => format!("Too long ({n} bytes; at most 65535)"),
        TopicError::NullCharacter { .. } => "Contains a NUL character".to_owned(),
        TopicError::WildcardInName { wildcard, .. } => {
            format!("“{wildcard}” is a wildcard: not allowed in a topic you publish to")
        }
        TopicError::MultiLevelNotAlone { .. } => {
            "“#” must stand alone in its level (like a/#)".to_owned()
        }
        TopicError::MultiLevelNotLast { .. } => "“#” must be the last level".to_owned(),
        TopicError::SingleLevelNotAlone { .. } => {
            "“+” must stand alone in its level (like a/+/b)".to_owned()
        }
    }
}

/// A message as a sentence: its first character upper-cased when it is a letter (errors
/// from the session are in Rust's lower-case style). A message starting with a quote or a
/// symbol is left alone, unlike CSS `::first-letter`, which upper-cased the first letter
/// after the quote ("“#” Must…").
pub fn sentence_case(message: &str) -> String {
    // ASCII only: the app's own words are English, and Unicode case tables cost wasm size.
    let mut out = message.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// Checks one subscription filter; the sentence to show inline, if any.
pub fn check_filter(filter: &str) -> Result<(), String> {
    validate_topic_filter(filter.trim()).map_err(topic_words)
}

/// Checks a topic to publish to (the explorer's form, the will).
pub fn check_topic_name(topic: &str) -> Result<(), String> {
    validate_topic_name(topic).map_err(topic_words)
}

/// Checks the household sync topic: a topic name this login publishes to and subscribes
/// to exactly, so no wildcard, and not a `$` topic (brokers keep those for themselves).
pub fn check_sync_topic(topic: &str) -> Result<(), String> {
    if topic.trim() != topic {
        return Err("Remove the spaces at the start or end".to_owned());
    }
    check_topic_name(topic)?;
    if topic.starts_with('$') {
        return Err("Topics starting with “$” belong to the broker: pick another".to_owned());
    }
    Ok(())
}

/// A lone `#` subscribes to everything on the broker: heavy, and many
/// brokers refuse it, so the form asks the user to confirm it.
pub fn needs_everything_confirmation(filters: &[String]) -> bool {
    filters.iter().any(|f| f.trim() == "#")
}

/// A QoS from the form's 0/1/2.
pub fn qos_from(n: u8) -> QoS {
    QoS::from_u8(n).unwrap_or(QoS::AtLeastOnce)
}

impl Profile {
    /// The default profile for a page whose likely broker is `url`.
    pub fn with_url(url: impl Into<String>) -> Self {
        Self {
            broker_url: url.into(),
            ..Self::default()
        }
    }

    /// Everything wrong with the profile, so the form marks each field at once
    /// instead of failing one by one at the broker.
    pub fn problems(&self, page_is_https: bool) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(problem("name", "Give the profile a name"));
        }
        if let Err(e) = BrokerUrl::parse(&self.broker_url, page_is_https) {
            out.push(problem("broker_url", e.to_string()));
        }
        if self.client_id.trim().len() > usize::from(u16::MAX) {
            out.push(problem("client_id", "The client id is too long"));
        }
        if self.username.is_empty() && self.password.as_deref().is_some_and(|p| !p.is_empty()) {
            out.push(problem(
                "password",
                "MQTT 3.1.1 sends a password only with a user name",
            ));
        }
        if self.will_enabled {
            if let Err(e) = check_topic_name(&self.will.topic) {
                out.push(problem("will_topic", format!("Will topic: {e}")));
            }
        }
        if QoS::from_u8(self.will.qos).is_none() && self.will_enabled {
            out.push(problem("will_qos", "QoS is 0, 1 or 2"));
        }
        let shelly = self.shelly_gen1 || self.shelly_gen2;
        if self.lamp_filters.is_empty()
            && !self.home_assistant
            && !self.zigbee2mqtt
            && !self.tasmota
            && !self.wled
            && !shelly
        {
            out.push(problem(
                "filters",
                "Nothing to look for: add a filter or switch a discovery source on",
            ));
        }
        for (i, f) in self.lamp_filters.iter().enumerate() {
            if let Err(e) = check_filter(f) {
                out.push(problem(format!("filter:{i}"), e));
            }
        }
        if self.home_assistant {
            if let Err(e) = check_topic_name(&self.home_assistant_prefix) {
                out.push(problem("home_assistant_prefix", e));
            }
        }
        if self.zigbee2mqtt {
            if let Err(e) = check_topic_name(&self.zigbee2mqtt_base) {
                out.push(problem("zigbee2mqtt_base", e));
            }
        }
        if self.tasmota {
            for t in &self.tasmota_topics {
                let t = t.trim();
                if t.is_empty() {
                    continue;
                }
                if t.contains('/') || t.contains('+') || t.contains('#') {
                    out.push(problem(
                        "tasmota_topics",
                        format!("“{t}”: a Tasmota device topic is one level (its Topic, e.g. tasmota_49A3BC)"),
                    ));
                } else if let Err(e) = check_topic_name(&format!("cmnd/{t}/Power")) {
                    out.push(problem("tasmota_topics", format!("“{t}”: {e}")));
                }
            }
        }
        if self.wled {
            if let Err(e) = check_filter(&self.wled_filter) {
                out.push(problem("wled_filter", e));
            } else if self.wled_filter.trim().ends_with('#') {
                out.push(problem(
                    "wled_filter",
                    "The WLED filter names device topics: use + for a level, not #",
                ));
            }
        }
        if QoS::from_u8(self.publish_qos).is_none() {
            out.push(problem("qos", "QoS is 0, 1 or 2"));
        }
        if self.sync_enabled {
            if let Err(e) = check_sync_topic(&self.sync_topic) {
                out.push(problem("sync_topic", e));
            }
        }
        out
    }

    /// The household sync topic when sync is on and the topic is usable, else None: what
    /// the store subscribes and publishes to for this profile.
    pub fn sync_topic_in_use(&self) -> Option<String> {
        (self.sync_enabled && check_sync_topic(&self.sync_topic).is_ok())
            .then(|| self.sync_topic.clone())
    }

    /// The discovery settings the lamp directory runs with.
    pub fn directory_settings(&self) -> DirectorySettings {
        DirectorySettings {
            lamp_filters: self
                .lamp_filters
                .iter()
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect(),
            home_assistant: self.home_assistant,
            home_assistant_prefix: self.home_assistant_prefix.trim().to_owned(),
            zigbee2mqtt: self.zigbee2mqtt,
            zigbee2mqtt_base: self.zigbee2mqtt_base.trim().to_owned(),
            tasmota: self.tasmota,
            tasmota_topics: self
                .tasmota_topics
                .iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            wled: self.wled,
            wled_filter: self.wled_filter.trim().to_owned(),
            shelly_gen1: self.shelly_gen1,
            shelly_gen2: self.shelly_gen2,
        }
    }

    /// The QoS the lamp controls publish at.
    pub fn qos(&self) -> QoS {
        qos_from(self.publish_qos)
    }

    /// The session's options; `auto_client_id` is this tab's id, used when the
    /// profile names none.
    pub fn session_options(&self, auto_client_id: &str) -> SessionOptions {
        let id = self.client_id.trim();
        let mut c = ConnectOptions::new(if id.is_empty() { auto_client_id } else { id });
        c.clean_session = self.clean_session;
        c.keep_alive_secs = self.keep_alive_secs;
        if !self.username.is_empty() {
            c.username = Some(self.username.clone());
            c.password = self
                .password
                .as_ref()
                .filter(|p| !p.is_empty())
                .map(|p| p.clone().into_bytes());
        }
        if self.will_enabled {
            c.will = Some(LastWill {
                topic: self.will.topic.clone().into(),
                message: self.will.message.clone().into_bytes().into(),
                qos: qos_from(self.will.qos),
                retain: self.will.retain,
            });
        }
        // The first screen of a first visit ends its wait when the retained burst is in
        // (store/reactive/arrival.rs), which these probes tell.
        SessionOptions {
            settle_probes: true,
            ..SessionOptions::new(c)
        }
    }
}

/// Every saved profile and which one is in use: the localStorage value and
/// the export file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsFile {
    /// Always [`FILE_FORMAT`]; tells a Lampboard file from any other JSON.
    pub lampboard_settings: u32,
    /// The profile in use, by name.
    pub selected: String,
    /// The profiles, in the order the list shows them.
    pub profiles: Vec<Profile>,
    /// In an export only: each profile's dashboard arrangement (`crate::arrange`), by
    /// profile id. Kept in storage under [`profile_storage_key`], never in the settings
    /// value itself ([`SettingsFile::for_storage`] leaves it out).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub arrangements: std::collections::BTreeMap<String, serde_json::Value>,
    /// In an export only: the dashboard's Tiles/Cards choice (one of [`LAMP_VIEWS`]), so a
    /// new browser set up from the file looks like the old one. Kept in storage under its
    /// own key for every profile (`ui::view_switch`), never in the settings value itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lamp_view: Option<String>,
}

/// The names [`SettingsFile::lamp_view`] may hold: compact tiles (the default) or roomier cards.
pub const LAMP_VIEWS: [&str; 2] = ["tiles", "cards"];

impl SettingsFile {
    /// A file holding one profile, selected.
    pub fn single(profile: Profile) -> Self {
        Self {
            lampboard_settings: FILE_FORMAT,
            selected: profile.name.clone(),
            profiles: vec![profile],
            arrangements: std::collections::BTreeMap::new(),
            lamp_view: None,
        }
    }

    /// Gives every profile without an id (files from before ids, new profiles) or with an
    /// id another profile already has a fresh one from `fresh`. Returns whether any changed,
    /// so the caller saves the ids it made.
    pub fn fill_ids(&mut self, mut fresh: impl FnMut() -> String) -> bool {
        let mut seen = std::collections::BTreeSet::new();
        let mut changed = false;
        for p in &mut self.profiles {
            while p.id.trim().is_empty() || seen.contains(&p.id) {
                p.id = fresh();
                changed = true;
            }
            seen.insert(p.id.clone());
        }
        changed
    }

    /// The selected profile (the first one if the name is stale).
    pub fn current(&self) -> Option<&Profile> {
        self.profiles
            .iter()
            .find(|p| p.name == self.selected)
            .or_else(|| self.profiles.first())
    }

    /// Adds or replaces (by name) a profile and selects it. A profile saved under a new
    /// name is a new profile: if it carries the id of the one it was copied from, the id is
    /// dropped, for [`SettingsFile::fill_ids`] to give it its own.
    pub fn upsert(&mut self, mut profile: Profile) {
        if self
            .profiles
            .iter()
            .any(|p| p.id == profile.id && p.name != profile.name)
        {
            profile.id.clear();
        }
        self.selected = profile.name.clone();
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(slot) => *slot = profile,
            None => self.profiles.push(profile),
        }
    }

    /// Removes a profile by name; the list never becomes empty (a page with
    /// no profile would have nothing to connect with), so the last one stays.
    pub fn remove(&mut self, name: &str) -> bool {
        if self.profiles.len() <= 1 {
            return false;
        }
        let before = self.profiles.len();
        self.profiles.retain(|p| p.name != name);
        if self.selected == name {
            self.selected = self.profiles[0].name.clone();
        }
        self.profiles.len() != before
    }

    /// What localStorage keeps: passwords only where the user ticked "remember".
    pub fn for_storage(&self) -> Self {
        let mut copy = self.clone();
        copy.arrangements.clear();
        copy.lamp_view = None;
        for p in &mut copy.profiles {
            if !p.remember_password {
                p.password = None;
            }
        }
        copy
    }

    /// The export file: no passwords at all, since files get mailed and synced.
    pub fn to_export_json(&self) -> String {
        let mut copy = self.clone();
        for p in &mut copy.profiles {
            p.password = None;
        }
        serde_json::to_string_pretty(&copy).unwrap_or_default()
    }

    /// Reads an imported (or stored) file and checks every profile, so a bad
    /// file is refused whole, with the reason, and changes nothing.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("This is not a JSON file ({e})"))?;
        match value.get("lampboard_settings").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(FILE_FORMAT) => {}
            Some(v) => {
                return Err(format!(
                    "This settings file has version {v}; this Lampboard reads version {FILE_FORMAT}"
                ))
            }
            None => return Err("This is not a Lampboard settings file".to_owned()),
        }
        let file: SettingsFile = serde_json::from_value(value)
            .map_err(|e| format!("The settings file is damaged: {e}"))?;
        if file.profiles.is_empty() {
            return Err("The settings file holds no profile".to_owned());
        }
        if let Some(view) = file.lamp_view.as_deref() {
            if !LAMP_VIEWS.contains(&view) {
                return Err(format!(
                    "The settings file asks for a “{view}” view; this Lampboard shows tiles or cards"
                ));
            }
        }
        for (id, value) in &file.arrangements {
            let owner = file
                .profiles
                .iter()
                .find(|p| &p.id == id)
                .map_or_else(|| id.clone(), |p| p.name.clone());
            if let Err(why) = crate::arrange::Arrangement::from_value(value.clone()) {
                return Err(format!("The arrangement of “{owner}”: {why}"));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for p in &file.profiles {
            if !names.insert(p.name.as_str()) {
                return Err(format!("Two profiles are named “{}”", p.name));
            }
            // https-ness is the page's, not the file's: check the URL as if on http.
            if let Some(pr) = p.problems(false).first() {
                return Err(format!("Profile “{}”: {}", p.name, pr.message));
            }
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_sentences_without_touching_a_leading_quote() {
        assert_eq!(sentence_case("not connected"), "Not connected");
        assert_eq!(
            check_filter("a/#/b").unwrap_err(),
            "“#” must be the last level"
        );
        assert_eq!(
            sentence_case(&check_filter("a/#/b").unwrap_err()),
            "“#” must be the last level"
        );
        assert_eq!(sentence_case(""), "");
    }

    fn profile() -> Profile {
        Profile::with_url("ws://127.0.0.1:9001/mqtt")
    }

    #[test]
    fn the_default_profile_is_valid_and_looks_for_the_seed_lamps() {
        let p = profile();
        assert!(p.problems(false).is_empty(), "{:?}", p.problems(false));
        assert_eq!(p.directory_settings(), DirectorySettings::default());
        assert_eq!(p.qos(), QoS::AtLeastOnce);
        let o = p.session_options("lampboard-abc123");
        assert_eq!(o.connect.client_id, "lampboard-abc123");
        assert!(o.connect.will.is_none());
    }

    #[test]
    fn bad_filters_and_topics_are_named_per_field() {
        let mut p = profile();
        p.lamp_filters = vec!["ok/+/x".into(), "a/#/b".into(), "a+".into()];
        p.will_enabled = true;
        p.will.topic = "status/#".into();
        let fields: Vec<String> = p.problems(false).into_iter().map(|x| x.field).collect();
        assert_eq!(fields, ["will_topic", "filter:1", "filter:2"]);
        assert_eq!(
            check_filter("a/#/b").unwrap_err(),
            "“#” must be the last level"
        );
        assert!(check_filter("#").is_ok());
        assert!(needs_everything_confirmation(&["#".into()]));
        assert!(!needs_everything_confirmation(&["a/#".into()]));
    }

    #[test]
    fn passwords_stay_out_of_storage_unless_remembered_and_out_of_exports() {
        let mut p = profile();
        p.username = "me".into();
        p.password = Some("secret".into());
        let mut file = SettingsFile::single(p.clone());
        assert!(file.for_storage().profiles[0].password.is_none());
        file.profiles[0].remember_password = true;
        assert_eq!(
            file.for_storage().profiles[0].password.as_deref(),
            Some("secret")
        );
        assert!(!file.to_export_json().contains("secret"));
        let o = p.session_options("x");
        assert_eq!(o.connect.password.as_deref(), Some(&b"secret"[..]));
    }

    #[test]
    fn export_round_trips_and_bad_files_are_refused_whole() {
        let mut file = SettingsFile::single(profile());
        let mut second = profile();
        second.name = "Cellar".into();
        second.publish_qos = 2;
        file.upsert(second);
        let back = SettingsFile::from_json(&file.to_export_json()).unwrap();
        assert_eq!(back, file);
        assert_eq!(back.current().unwrap().name, "Cellar");

        assert!(SettingsFile::from_json("{oops")
            .unwrap_err()
            .starts_with("This is not a JSON file"));
        assert_eq!(
            SettingsFile::from_json(r#"{"a":1}"#).unwrap_err(),
            "This is not a Lampboard settings file"
        );
        let bad = file
            .to_export_json()
            .replace("smarthome/+/lamps/#", "smarthome/#/x");
        assert!(SettingsFile::from_json(&bad)
            .unwrap_err()
            .contains("“#” must be the last level"));
    }

    #[test]
    fn the_last_profile_cannot_be_deleted() {
        let mut file = SettingsFile::single(profile());
        assert!(!file.remove("Default"));
        let mut b = profile();
        b.name = "B".into();
        file.upsert(b);
        assert!(file.remove("B"));
        assert_eq!(file.selected, "Default");
    }

    #[test]
    fn firmware_sources_load_from_old_settings_and_bad_values_are_named() {
        // A profile saved before Tasmota and WLED existed loads with both on.
        let mut old = serde_json::to_value(profile()).unwrap();
        for k in ["tasmota", "tasmota_topics", "wled", "wled_filter"] {
            old.as_object_mut().unwrap().remove(k);
        }
        let p: Profile = serde_json::from_value(old).unwrap();
        assert!(p.tasmota && p.wled);
        assert_eq!(p.wled_filter, "wled/+");
        let mut p = profile();
        p.tasmota_topics = vec![" porch ".into(), String::new(), "a/b".into()];
        p.wled_filter = "wled/#".into();
        let problems = p.problems(false);
        let fields: Vec<&str> = problems.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["tasmota_topics", "wled_filter"]);
        assert!(problems[0].message.contains("“a/b”"), "{problems:?}");
        p.tasmota_topics.pop();
        p.wled_filter = "home/leds/+".into();
        assert!(p.problems(false).is_empty());
        let d = p.directory_settings();
        assert_eq!(d.tasmota_topics, ["porch"]);
        assert_eq!(d.wled_filter, "home/leds/+");
        // Switched off, their fields are not checked.
        p.tasmota = false;
        p.tasmota_topics = vec!["x/y".into()];
        assert!(p.problems(false).is_empty());
    }
}
