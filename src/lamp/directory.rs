//! The lamp directory: every lamp Lampboard knows, fed message by message, asked for commands
//! and subscriptions. Pure and clock-free, so the reactive store only wraps it in a signal and
//! the whole discovery/reading/writing story is tested natively.
//!
//! Decisions worth knowing:
//! * Ids: seed lamps by topic, HA lamps by config topic, Zigbee2MQTT lamps by state topic.
//! * A Zigbee2MQTT light that is also announced through HA discovery (Z2M's default) appears
//!   once, as the Zigbee2MQTT lamp, while both sources are enabled.
//! * Empty payloads remove (seed topic, HA config) whatever the retain flag says: a live clear
//!   reaches existing subscribers with retain = 0 (MQTT-3.3.1-9).
//! * Zigbee2MQTT state topics are subscribed one by one from `bridge/devices` instead of
//!   `<base>/+`: friendly names may contain `/`, and sensors stay off the wire.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::command::{self, CommandStyle, Dialect, LampChange};
use super::discovery::home_assistant::{self, HaDiscovery, HaLight, HaSchema};
use super::discovery::seed::{filter_matches, seed_name};
use super::discovery::zigbee2mqtt::{self, Z2mLight};
use super::read::{read_object, read_state, ReadError, ReadOptions};
use super::state::{ColorMode, StateUpdate};
use super::{Capabilities, Lamp, LampId, Source, Unreadable};

/// Which sources are on and where they live; the settings page edits this.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectorySettings {
    /// Filters whose topics are seed-model lamps (default `smarthome/+/lamps/#`).
    pub lamp_filters: Vec<String>,
    /// Read Home Assistant MQTT discovery.
    pub home_assistant: bool,
    /// HA discovery prefix (default `homeassistant`).
    pub home_assistant_prefix: String,
    /// Read Zigbee2MQTT's device list.
    pub zigbee2mqtt: bool,
    /// Zigbee2MQTT base topic (default `zigbee2mqtt`).
    pub zigbee2mqtt_base: String,
}

impl Default for DirectorySettings {
    /// Everything on with the ecosystems' default topics, so lamps appear without setup.
    fn default() -> Self {
        DirectorySettings {
            lamp_filters: vec!["smarthome/+/lamps/#".into()],
            home_assistant: true,
            home_assistant_prefix: "homeassistant".into(),
            zigbee2mqtt: true,
            zigbee2mqtt_base: "zigbee2mqtt".into(),
        }
    }
}

/// What a message did, so the store updates only what changed and can log the rest.
#[derive(Clone, Debug, PartialEq)]
pub enum DirectoryEvent {
    /// A new lamp.
    Added(LampId),
    /// A lamp's state, availability or description changed; warnings name ignored values.
    Updated {
        /// The lamp.
        id: LampId,
        /// Values that were ignored or clamped while reading.
        warnings: Vec<String>,
    },
    /// A lamp is gone (empty retained payload, discovery removal, device list, settings).
    Removed(LampId),
    /// A payload on a lamp topic could not be read; the lamp (if any) keeps its last good
    /// state and records the raw text.
    Unreadable {
        /// Topic of the payload.
        topic: String,
        /// The lamp it was meant for, if one exists.
        lamp: Option<LampId>,
        /// The payload as text.
        raw: String,
        /// Why.
        error: ReadError,
    },
    /// A discovery message was rejected (invalid config, broken device list).
    DiscoveryRejected {
        /// Topic of the message.
        topic: String,
        /// Why.
        reason: String,
    },
    /// [`LampDirectory::subscriptions`] changed: subscribe/unsubscribe the difference.
    SubscriptionsChanged,
}

/// A message to publish, built by the directory so the UI never writes JSON or topics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Topic to publish to.
    pub topic: String,
    /// Compact JSON (or a plain payload for HA default-schema lamps).
    pub payload: Vec<u8>,
    /// Retain flag: true for seed lamps (their topic is their state), false for command
    /// topics unless HA discovery asked (`retain`), because a retained command replays on
    /// every device reconnect and fights later changes.
    pub retain: bool,
}

/// All known lamps plus the discovery data that defines them.
#[derive(Clone, Debug, Default)]
pub struct LampDirectory {
    settings: DirectorySettings,
    lamps: BTreeMap<LampId, Lamp>,
    ha_configs: BTreeMap<String, HaLight>,
    z2m_lights: Vec<Z2mLight>,
    /// Built on demand; dropped whenever a discovered lamp comes, goes or changes source.
    routes: Option<Routes>,
}

/// Which discovered lamps listen on which state and availability topics, so a message costs
/// two lookups instead of a walk over every lamp (1,000 retained lamps arriving one message
/// each made that walk quadratic). Seed lamps listen on their own id and are not in it.
#[derive(Clone, Debug, Default)]
struct Routes {
    state: HashMap<String, Vec<LampId>>,
    availability: HashMap<String, Vec<LampId>>,
}

impl Routes {
    fn of<'a>(lamps: impl Iterator<Item = &'a Lamp>) -> Self {
        let mut routes = Routes::default();
        for lamp in lamps.filter(|l| l.source != Source::Seed) {
            if let Some(topic) = state_topic(lamp) {
                routes.state.entry(topic).or_default().push(lamp.id.clone());
            }
            for topic in availability_topics(lamp) {
                routes
                    .availability
                    .entry(topic)
                    .or_default()
                    .push(lamp.id.clone());
            }
        }
        routes
    }

    fn lamps(map: &HashMap<String, Vec<LampId>>, topic: &str) -> Vec<LampId> {
        map.get(topic).cloned().unwrap_or_default()
    }
}

fn text(payload: &[u8]) -> String {
    String::from_utf8_lossy(payload).into_owned()
}

impl LampDirectory {
    /// An empty directory with the given settings.
    pub fn new(settings: DirectorySettings) -> Self {
        LampDirectory {
            settings,
            ..LampDirectory::default()
        }
    }

    /// Current settings.
    pub fn settings(&self) -> &DirectorySettings {
        &self.settings
    }

    /// Replaces the settings, dropping lamps of sources that were switched off and seed
    /// lamps no filter matches any more.
    pub fn set_settings(&mut self, settings: DirectorySettings) -> Vec<DirectoryEvent> {
        let before = self.subscriptions();
        self.settings = settings;
        if !self.settings.home_assistant {
            self.ha_configs.clear();
        }
        if !self.settings.zigbee2mqtt {
            self.z2m_lights.clear();
        }
        let mut events = Vec::new();
        let stale: Vec<LampId> = self
            .lamps
            .values()
            .filter(|l| l.source == Source::Seed && !self.is_seed_topic(l.id.as_str()))
            .map(|l| l.id.clone())
            .collect();
        for id in stale {
            self.lamps.remove(&id);
            events.push(DirectoryEvent::Removed(id));
        }
        self.reconcile(&mut events);
        if self.subscriptions() != before && !events.contains(&DirectoryEvent::SubscriptionsChanged)
        {
            events.push(DirectoryEvent::SubscriptionsChanged);
        }
        events
    }

    /// One lamp by id.
    pub fn lamp(&self, id: &LampId) -> Option<&Lamp> {
        self.lamps.get(id)
    }

    /// All lamps, ordered by id (stable for rendering lists).
    pub fn lamps(&self) -> impl Iterator<Item = &Lamp> {
        self.lamps.values()
    }

    /// The topic filters to subscribe to: the user's lamp filters, HA's light discovery, the
    /// Zigbee2MQTT device list, and every bound state/availability topic not already covered.
    pub fn subscriptions(&self) -> Vec<String> {
        let s = &self.settings;
        let mut filters: Vec<String> = s.lamp_filters.clone();
        if s.home_assistant {
            filters.push(format!("{}/light/#", s.home_assistant_prefix));
        }
        if s.zigbee2mqtt {
            filters.push(format!("{}/bridge/devices", s.zigbee2mqtt_base));
        }
        let bound: BTreeSet<String> = self
            .lamps
            .values()
            .flat_map(|l| {
                let mut topics = Vec::new();
                topics.extend(state_topic(l));
                topics.extend(availability_topics(l));
                topics
            })
            .collect();
        for topic in bound {
            if !filters.iter().any(|f| filter_matches(f, &topic)) {
                filters.push(topic);
            }
        }
        filters
    }

    /// Feeds one received message. `retained` is accepted for the store's convenience but
    /// does not change the outcome (see the module notes on empty payloads).
    pub fn handle_message(
        &mut self,
        topic: &str,
        payload: &[u8],
        retained: bool,
    ) -> Vec<DirectoryEvent> {
        let _ = retained;
        let mut events = Vec::new();
        let s = &self.settings;
        if s.home_assistant
            && home_assistant::is_light_config_topic(&s.home_assistant_prefix, topic)
        {
            self.handle_ha_config(topic, payload, &mut events);
            return events;
        }
        if s.zigbee2mqtt && topic == format!("{}/bridge/devices", s.zigbee2mqtt_base) {
            match zigbee2mqtt::parse_bridge_devices(payload) {
                Ok(lights) => {
                    self.z2m_lights = lights;
                    self.reconcile(&mut events);
                }
                Err(reason) => events.push(DirectoryEvent::DiscoveryRejected {
                    topic: topic.into(),
                    reason,
                }),
            }
            return events;
        }
        let lamps = &self.lamps;
        let routes = self
            .routes
            .get_or_insert_with(|| Routes::of(lamps.values()));
        let bound = Routes::lamps(&routes.state, topic);
        let availability = Routes::lamps(&routes.availability, topic);
        for id in &availability {
            self.handle_availability(id, payload, &mut events);
        }
        for id in &bound {
            self.handle_bound_state(id, topic, payload, &mut events);
        }
        if bound.is_empty() && availability.is_empty() && self.is_seed_topic(topic) {
            self.handle_seed(topic, payload, &mut events);
        }
        events
    }

    /// The message that applies `change` to a lamp, or `None` when the lamp is unknown or
    /// cannot do it (e.g. colour on an HA default-schema lamp).
    pub fn command(&self, id: &LampId, change: &LampChange) -> Option<Outgoing> {
        let lamp = self.lamps.get(id)?;
        match &lamp.source {
            Source::Seed => {
                let doc = if lamp.document.is_empty() {
                    document_from_state(lamp)
                } else {
                    within_range(&lamp.document, lamp)
                };
                Some(Outgoing {
                    topic: id.0.clone(),
                    payload: command::whole_state_payload(&doc, change, 255),
                    retain: true,
                })
            }
            Source::HomeAssistant(l) if l.schema == HaSchema::Default => {
                let payload = match change {
                    LampChange::On(true) => &l.payload_on,
                    LampChange::On(false) | LampChange::Brightness(0) => &l.payload_off,
                    _ => return None,
                };
                Some(Outgoing {
                    topic: l.command_topic.clone(),
                    payload: payload.clone().into_bytes(),
                    retain: l.retain,
                })
            }
            Source::HomeAssistant(l) => {
                let style = CommandStyle {
                    dialect: Dialect::HomeAssistantJson,
                    brightness_scale: l.brightness_scale,
                    color_temp_kelvin: l.color_temp_kelvin,
                    mireds_range: l.mireds_range,
                    color_modes: l.supported_color_modes.clone(),
                };
                Some(Outgoing {
                    topic: l.command_topic.clone(),
                    payload: command::change_payload(change, &style),
                    retain: l.retain,
                })
            }
            Source::Zigbee2Mqtt { base, light } => {
                let mut modes = Vec::new();
                if light.color_xy {
                    modes.push(ColorMode::Xy);
                }
                if light.color_hs {
                    modes.push(ColorMode::Hs);
                }
                if light.color_xy {
                    // Zigbee2MQTT converts {r,g,b} itself for xy lamps.
                    modes.push(ColorMode::Rgb);
                }
                let style = CommandStyle {
                    dialect: Dialect::Zigbee2Mqtt,
                    brightness_scale: light.brightness_max.unwrap_or(254),
                    color_temp_kelvin: false,
                    mireds_range: light.color_temp_range,
                    color_modes: modes,
                };
                Some(Outgoing {
                    topic: format!("{base}/{}/set", light.friendly_name),
                    payload: command::change_payload(change, &style),
                    retain: false,
                })
            }
        }
    }

    /// A request for the lamp's current state where the ecosystem has one (Zigbee2MQTT
    /// `/get`), because Zigbee2MQTT does not retain states and a fresh page would show
    /// "unknown" until the lamp changes.
    pub fn refresh(&self, id: &LampId) -> Option<Outgoing> {
        match &self.lamps.get(id)?.source {
            Source::Zigbee2Mqtt { base, light } => Some(Outgoing {
                topic: format!("{base}/{}/get", light.friendly_name),
                payload: br#"{"state":""}"#.to_vec(),
                retain: false,
            }),
            _ => None,
        }
    }

    /// Whether the lamp reports its state on a topic we hear, so a change to it
    /// should come back as a state message (optimistic Home Assistant lamps never do).
    pub fn reports_state(&self, id: &LampId) -> bool {
        self.lamps.get(id).is_some_and(|l| state_topic(l).is_some())
    }

    /// Applies a change locally for lamps that never report state (HA discovery without a
    /// state topic, i.e. optimistic), so their card follows the user's clicks.
    pub fn assume(&mut self, id: &LampId, change: &LampChange) -> Option<DirectoryEvent> {
        let lamp = self.lamps.get_mut(id)?;
        let optimistic =
            matches!(&lamp.source, Source::HomeAssistant(l) if l.state_topic.is_none());
        if !optimistic {
            return None;
        }
        let mut u = StateUpdate::default();
        match change {
            LampChange::On(on) => u.on = Some(*on),
            LampChange::Brightness(0) => u.on = Some(false),
            LampChange::Brightness(p) => u.brightness_pct = Some(f32::from((*p).min(100))),
            LampChange::Color(c) => {
                u.rgb = Some(*c);
                u.color_mode = Some(ColorMode::Rgb);
            }
            LampChange::ColorTemp(m) => {
                u.color_temp_mireds = Some(*m);
                u.rgb = Some(super::color::mireds_to_rgb(f64::from(*m)));
                u.color_mode = Some(ColorMode::ColorTemp);
            }
        }
        lamp.state.apply(&u).then(|| DirectoryEvent::Updated {
            id: id.clone(),
            warnings: Vec::new(),
        })
    }

    fn is_seed_topic(&self, topic: &str) -> bool {
        self.settings
            .lamp_filters
            .iter()
            .any(|f| filter_matches(f, topic))
    }

    fn handle_ha_config(&mut self, topic: &str, payload: &[u8], events: &mut Vec<DirectoryEvent>) {
        match home_assistant::parse_config(topic, payload) {
            HaDiscovery::Light(light) => {
                self.ha_configs.insert(topic.to_string(), *light);
            }
            HaDiscovery::Remove => {
                if self.ha_configs.remove(topic).is_none() {
                    return;
                }
            }
            HaDiscovery::Invalid(reason) => {
                events.push(DirectoryEvent::DiscoveryRejected {
                    topic: topic.into(),
                    reason,
                });
                return;
            }
        }
        self.reconcile(events);
    }

    /// Brings the discovered lamps in line with the discovery data, keeping the state of lamps
    /// that stay and announcing the difference.
    fn reconcile(&mut self, events: &mut Vec<DirectoryEvent>) {
        // Discovered lamps may come, go or change source below.
        self.routes = None;
        let before = self.subscriptions();
        let s = &self.settings;
        let mut desired: BTreeMap<LampId, Source> = BTreeMap::new();
        if s.zigbee2mqtt {
            for light in &self.z2m_lights {
                let id = LampId(format!("{}/{}", s.zigbee2mqtt_base, light.friendly_name));
                desired.insert(
                    id,
                    Source::Zigbee2Mqtt {
                        base: s.zigbee2mqtt_base.clone(),
                        light: light.clone(),
                    },
                );
            }
        }
        if s.home_assistant {
            for (topic, light) in &self.ha_configs {
                let shadowed = light
                    .state_topic
                    .as_ref()
                    .is_some_and(|t| desired.contains_key(&LampId(t.clone())));
                if !shadowed {
                    desired.insert(
                        LampId(topic.clone()),
                        Source::HomeAssistant(Box::new(light.clone())),
                    );
                }
            }
        }
        let gone: Vec<LampId> = self
            .lamps
            .values()
            .filter(|l| l.source != Source::Seed && !desired.contains_key(&l.id))
            .map(|l| l.id.clone())
            .collect();
        for id in gone {
            self.lamps.remove(&id);
            events.push(DirectoryEvent::Removed(id));
        }
        for (id, source) in desired {
            let (name, room) = describe(&id, &source);
            match self.lamps.get_mut(&id) {
                Some(lamp) if lamp.source == source => {}
                Some(lamp) => {
                    lamp.capabilities = Capabilities::of(&source);
                    lamp.source = source;
                    lamp.name = name;
                    lamp.room = room;
                    events.push(DirectoryEvent::Updated {
                        id,
                        warnings: Vec::new(),
                    });
                }
                None => {
                    let lamp = Lamp {
                        id: id.clone(),
                        name,
                        room,
                        capabilities: Capabilities::of(&source),
                        source,
                        state: Default::default(),
                        available: None,
                        unreadable: None,
                        document: Map::new(),
                    };
                    self.lamps.insert(id.clone(), lamp);
                    events.push(DirectoryEvent::Added(id));
                }
            }
        }
        if self.subscriptions() != before {
            events.push(DirectoryEvent::SubscriptionsChanged);
        }
    }

    fn handle_availability(
        &mut self,
        id: &LampId,
        payload: &[u8],
        events: &mut Vec<DirectoryEvent>,
    ) {
        let Some(lamp) = self.lamps.get_mut(id) else {
            return;
        };
        let available = match &lamp.source {
            Source::HomeAssistant(l) => l.availability.iter().find_map(|a| a.read(payload)),
            Source::Zigbee2Mqtt { .. } => read_z2m_availability(payload),
            Source::Seed => None,
        };
        if let Some(a) = available {
            if lamp.available != Some(a) {
                lamp.available = Some(a);
                events.push(DirectoryEvent::Updated {
                    id: id.clone(),
                    warnings: Vec::new(),
                });
            }
        }
    }

    fn handle_bound_state(
        &mut self,
        id: &LampId,
        topic: &str,
        payload: &[u8],
        events: &mut Vec<DirectoryEvent>,
    ) {
        let Some(lamp) = self.lamps.get_mut(id) else {
            return;
        };
        let result = match &lamp.source {
            Source::HomeAssistant(l) if l.schema == HaSchema::Default => {
                match home_assistant::read_default_schema(l, payload) {
                    Some(on) => Ok(StateUpdate {
                        on: Some(on),
                        recognized: true,
                        ..StateUpdate::default()
                    }),
                    None if payload.trim_ascii().is_empty() => Err(ReadError::Empty),
                    None => Err(ReadError::NotAState {
                        found: "no on/off value for this lamp".into(),
                    }),
                }
            }
            Source::HomeAssistant(l) => read_state(
                payload,
                &ReadOptions {
                    brightness_scale: l.brightness_scale,
                    color_temp_kelvin: l.color_temp_kelvin,
                    mireds_range: l.mireds_range.unwrap_or((153, 500)),
                },
            ),
            Source::Zigbee2Mqtt { light, .. } => read_state(
                payload,
                &ReadOptions {
                    brightness_scale: light.brightness_max.unwrap_or(254),
                    color_temp_kelvin: false,
                    mireds_range: light.color_temp_range.unwrap_or((153, 500)),
                },
            ),
            Source::Seed => return,
        };
        apply_result(lamp, topic, payload, result, events);
    }

    fn handle_seed(&mut self, topic: &str, payload: &[u8], events: &mut Vec<DirectoryEvent>) {
        let id = LampId(topic.to_string());
        let trimmed = payload.trim_ascii();
        if trimmed.is_empty() {
            if self.lamps.remove(&id).is_some() {
                events.push(DirectoryEvent::Removed(id));
            }
            return;
        }
        // Parse once: the object is both read and merged into the lamp's document.
        let (result, object) = if trimmed.first() == Some(&b'{') {
            match serde_json::from_slice::<Value>(trimmed) {
                Ok(Value::Object(o)) => (Ok(read_object(&o, &ReadOptions::default())), Some(o)),
                // Starts with `{` and parsed: an object; anything else is still handled.
                Ok(_) => (
                    Err(ReadError::NotAState {
                        found: "JSON that is not an object".into(),
                    }),
                    None,
                ),
                Err(e) => (
                    Err(ReadError::InvalidJson {
                        message: e.to_string(),
                    }),
                    None,
                ),
            }
        } else {
            (read_state(trimmed, &ReadOptions::default()), None)
        };
        let result = match result {
            Ok(u) if !u.recognized => Err(ReadError::NotAState {
                found: "a JSON object without lamp keys".into(),
            }),
            other => other,
        };
        let is_new = !self.lamps.contains_key(&id);
        if is_new {
            if let Err(error) = result {
                events.push(DirectoryEvent::Unreadable {
                    topic: topic.into(),
                    lamp: None,
                    raw: text(payload),
                    error,
                });
                return;
            }
            let n = seed_name(topic);
            self.lamps.insert(
                id.clone(),
                Lamp {
                    id: id.clone(),
                    name: n.name,
                    room: n.room,
                    source: Source::Seed,
                    state: Default::default(),
                    // The seed's lamp is a colour lamp (`state` + `color`), and brightness is
                    // the Home Assistant key every such lamp takes: offer both from the start,
                    // so an "OFF"-only state still gets its controls. Colour temperature only
                    // once the lamp shows it speaks it.
                    capabilities: Capabilities {
                        brightness: true,
                        color: true,
                        ..Capabilities::default()
                    },
                    available: None,
                    unreadable: None,
                    document: Map::new(),
                },
            );
        }
        let Some(lamp) = self.lamps.get_mut(&id) else {
            return;
        };
        if let (Ok(_), Some(o)) = (&result, object) {
            let caps = &mut lamp.capabilities;
            caps.brightness |= o.contains_key("brightness");
            caps.color |= o.contains_key("color");
            caps.color_temp |= o.contains_key("color_temp");
            lamp.document.extend(o);
        }
        let mut local = Vec::new();
        apply_result(lamp, topic, payload, result, &mut local);
        if is_new {
            // Added already tells the store to render the lamp; keep only news with warnings.
            events.push(DirectoryEvent::Added(id));
            events.extend(local.into_iter().filter(
                |e| matches!(e, DirectoryEvent::Updated { warnings, .. } if !warnings.is_empty()),
            ));
        } else {
            events.extend(local);
        }
    }
}

/// Merges a reading into a lamp (or records why it could not), emitting what changed.
fn apply_result(
    lamp: &mut Lamp,
    topic: &str,
    payload: &[u8],
    result: Result<StateUpdate, ReadError>,
    events: &mut Vec<DirectoryEvent>,
) {
    match result {
        Ok(update) => {
            let cleared = lamp.unreadable.take().is_some();
            let changed = lamp.state.apply(&update);
            if changed || cleared || !update.warnings.is_empty() {
                events.push(DirectoryEvent::Updated {
                    id: lamp.id.clone(),
                    warnings: update.warnings,
                });
            }
        }
        // An empty payload on a bound state topic is a retained clear, not news.
        Err(ReadError::Empty) => {}
        Err(error) => {
            lamp.unreadable = Some(Unreadable {
                raw: text(payload),
                error: error.clone(),
            });
            events.push(DirectoryEvent::Unreadable {
                topic: topic.into(),
                lamp: Some(lamp.id.clone()),
                raw: text(payload),
                error,
            });
        }
    }
}

/// Zigbee2MQTT availability: `online`/`offline` as text (1.x) or `{"state":"online"}` (2.x),
/// compared case-insensitively because the set has `Offline`.
fn read_z2m_availability(payload: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(payload);
    let value = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(o)) => o.get("state")?.as_str()?.to_string(),
        _ => text.trim().to_string(),
    };
    if value.eq_ignore_ascii_case("online") {
        Some(true)
    } else if value.eq_ignore_ascii_case("offline") {
        Some(false)
    } else {
        None
    }
}

fn state_topic(lamp: &Lamp) -> Option<String> {
    match &lamp.source {
        Source::Seed => Some(lamp.id.0.clone()),
        Source::HomeAssistant(l) => l.state_topic.clone(),
        Source::Zigbee2Mqtt { base, light } => Some(format!("{base}/{}", light.friendly_name)),
    }
}

fn availability_topics(lamp: &Lamp) -> Vec<String> {
    match &lamp.source {
        Source::Seed => Vec::new(),
        Source::HomeAssistant(l) => l.availability.iter().map(|a| a.topic.clone()).collect(),
        Source::Zigbee2Mqtt { base, light } => {
            vec![format!("{base}/{}/availability", light.friendly_name)]
        }
    }
}

fn describe(id: &LampId, source: &Source) -> (String, Option<String>) {
    match source {
        Source::Seed => {
            let n = seed_name(id.as_str());
            (n.name, n.room)
        }
        Source::HomeAssistant(l) => (l.name.clone(), l.area.clone()),
        Source::Zigbee2Mqtt { light, .. } => (light.friendly_name.clone(), None),
    }
}

/// The lamp's document with any hostile value another client left in the keys we
/// understand (a brightness of 10^9, colour components of -255, a state of
/// `"<script>"`) replaced by what the card shows, which the reader clamped. The
/// whole document is written back retained on every change, so without this one
/// garbage message would be re-published by every tap. Unknown keys stay as they are.
fn within_range(doc: &Map<String, Value>, lamp: &Lamp) -> Map<String, Value> {
    let fresh = document_from_state(lamp);
    let mut m = doc.clone();
    let mut take = |key: &str, ok: bool| {
        if ok {
            return;
        }
        match fresh.get(key) {
            Some(v) => m.insert(key.to_owned(), v.clone()),
            None => m.remove(key),
        };
    };
    let byte = |v: Option<&Value>| {
        v.and_then(Value::as_f64)
            .is_some_and(|n| (0.0..=255.0).contains(&n))
    };
    take(
        "state",
        doc.get("state").is_none_or(|v| {
            v.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("on") || s.eq_ignore_ascii_case("off"))
        }),
    );
    take(
        "brightness",
        doc.get("brightness").is_none_or(|v| byte(Some(v))),
    );
    take(
        "color",
        doc.get("color").is_none_or(|c| match c.as_object() {
            Some(o) if ["r", "g", "b"].iter().any(|k| o.contains_key(*k)) => {
                ["r", "g", "b"].iter().all(|k| byte(o.get(*k)))
            }
            // Other colour forms (hex, xy, hs) are left to the reader's leniency.
            _ => true,
        }),
    );
    m
}

/// A seed document for a lamp we only know from plain text or a partial state, so writing
/// still publishes a whole state.
fn document_from_state(lamp: &Lamp) -> Map<String, Value> {
    let mut m = Map::new();
    let s = &lamp.state;
    if let Some(on) = s.on {
        m.insert("state".into(), if on { "ON" } else { "OFF" }.into());
    }
    if let Some(b) = s.brightness_pct {
        m.insert(
            "brightness".into(),
            ((f64::from(b) * 2.55).round() as u64).into(),
        );
    }
    if let Some(c) = s.rgb {
        m.insert(
            "color".into(),
            serde_json::json!({"r": c.r, "g": c.g, "b": c.b}),
        );
    }
    m
}
