//! The lamp directory: every lamp Lampboard knows, fed message by message, asked for commands
//! and subscriptions. It routes each message to the lamp systems (discovery) and to the lamps
//! bound to its topic (state, availability), and owns the lamps; everything that differs
//! between systems is behind [`LampSystem`] and [`crate::lamp::Binding`]. Pure and clock-free,
//! so the reactive store only wraps it and the whole story is tested natively.
//!
//! Decisions worth knowing:
//! * Ids come from the systems: seed lamps by topic, HA lamps by config topic, Zigbee2MQTT
//!   lamps by state topic.
//! * Two systems announcing one device (Zigbee2MQTT publishes HA discovery for its lights by
//!   default) give one lamp: lamps sharing a primary state topic are ranked by their system's
//!   precedence; the loser is kept aside and shown again if the winner goes.
//! * Empty payloads remove (seed topic, HA config) whatever the retain flag says: a live clear
//!   reaches existing subscribers with retain = 0 (MQTT-3.3.1-9).
//! * Bound state and availability topics are subscribed one by one when no system filter
//!   covers them: Zigbee2MQTT friendly names may contain `/`, and sensors stay off the wire.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::command::LampChange;
use super::deferred::{Deferred, Held};
use super::read::ReadError;
use super::state::StateUpdate;
use super::system::{CommandResult, Found, LampSpec, LampSystem, Outgoing};
use super::systems;
use super::topic_match::matches_any;
use super::{Lamp, LampId, SourceKind, Unreadable};

/// Which systems are on and where they live; the settings page edits this.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectorySettings {
    /// Filters whose topics are plain MQTT lamps (default `smarthome/+/lamps/#`).
    pub lamp_filters: Vec<String>,
    /// Read Home Assistant MQTT discovery.
    pub home_assistant: bool,
    /// HA discovery prefix (default `homeassistant`).
    pub home_assistant_prefix: String,
    /// Read Zigbee2MQTT's device list.
    pub zigbee2mqtt: bool,
    /// Zigbee2MQTT base topic (default `zigbee2mqtt`).
    pub zigbee2mqtt_base: String,
    /// Read Tasmota's discovery (`tasmota/discovery/+/config`) and the listed topics.
    pub tasmota: bool,
    /// Device topics (`t`) of Tasmota devices without discovery, on the default FullTopic.
    pub tasmota_topics: Vec<String>,
    /// Find WLED devices.
    pub wled: bool,
    /// Filter matching WLED device topics (default `wled/+`).
    pub wled_filter: String,
    /// Read Shelly Gen1 lights (`shellies/...`).
    pub shelly_gen1: bool,
    /// Read Shelly Gen2+ lights (`<prefix>/status/rgb:0`, RPC over MQTT).
    pub shelly_gen2: bool,
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
            tasmota: true,
            tasmota_topics: Vec::new(),
            wled: true,
            wled_filter: systems::wled::DEFAULT_FILTER.into(),
            shelly_gen1: true,
            shelly_gen2: true,
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
    /// A system asks for these messages to be published (after the subscriptions above).
    Publish(Vec<Outgoing>),
    /// A config waits for Home Assistant's template engine: load it, then call
    /// [`LampDirectory::replay_deferred`].
    TemplatesNeeded,
    /// A message waits for this system's code (`crate::lamp::systems::code`): load it, then
    /// call [`LampDirectory::install_code`] and [`LampDirectory::replay_deferred`].
    CodeNeeded(SourceKind),
}

/// All known lamps plus the systems that find them.
#[derive(Debug)]
pub struct LampDirectory {
    settings: DirectorySettings,
    systems: Vec<Box<dyn LampSystem>>,
    lamps: BTreeMap<LampId, Lamp>,
    /// Lamps that lost their primary state topic to a lamp of a system that ranks higher.
    shadowed: BTreeMap<LampId, (LampSpec, u8)>,
    routes: Routes,
    /// Every system's discovery filters, kept because each new lamp's topics are checked
    /// against them (10,000 retained lamps arrive one message each).
    system_filters: Vec<String>,
    /// Messages waiting for code still to come (the template engine, a system's chunk).
    deferred: Deferred,
}

impl Default for LampDirectory {
    fn default() -> Self {
        LampDirectory::new(DirectorySettings::default())
    }
}

/// Which lamps listen on which topics, kept up to date as lamps come and go, so a message
/// costs a lookup instead of a walk over every lamp (1,000 retained lamps arriving one
/// message each made that walk quadratic).
#[derive(Clone, Debug, Default)]
struct Routes {
    state: HashMap<String, Vec<LampId>>,
    availability: HashMap<String, Vec<LampId>>,
    /// Primary state topic -> the visible lamp that owns it.
    primary: HashMap<String, LampId>,
}

impl Routes {
    fn add(&mut self, lamp: &Lamp) {
        let topics = lamp.binding.state_topics();
        if let Some(primary) = topics.first() {
            self.primary.insert(primary.clone(), lamp.id.clone());
        }
        for t in topics {
            self.state.entry(t).or_default().push(lamp.id.clone());
        }
        for t in lamp.binding.availability_topics() {
            self.availability
                .entry(t)
                .or_default()
                .push(lamp.id.clone());
        }
    }

    fn remove(&mut self, lamp: &Lamp) {
        let drop = |map: &mut HashMap<String, Vec<LampId>>, topic: String| {
            if let Some(ids) = map.get_mut(&topic) {
                ids.retain(|i| *i != lamp.id);
                if ids.is_empty() {
                    map.remove(&topic);
                }
            }
        };
        let topics = lamp.binding.state_topics();
        if let Some(primary) = topics.first() {
            if self.primary.get(primary) == Some(&lamp.id) {
                self.primary.remove(primary);
            }
        }
        for t in topics {
            drop(&mut self.state, t);
        }
        for t in lamp.binding.availability_topics() {
            drop(&mut self.availability, t);
        }
    }

    fn lamps(map: &HashMap<String, Vec<LampId>>, topic: &str) -> Vec<LampId> {
        map.get(topic).cloned().unwrap_or_default()
    }
}

fn text(payload: &[u8]) -> String {
    String::from_utf8_lossy(payload).into_owned()
}

fn spec_of(lamp: &Lamp) -> LampSpec {
    LampSpec {
        id: lamp.id.clone(),
        name: lamp.name.clone(),
        room: lamp.room.clone(),
        binding: lamp.binding.clone(),
    }
}

/// What handling one message has done so far, collected while systems and lamps are visited.
#[derive(Default)]
struct Outcome {
    events: Vec<DirectoryEvent>,
    subscriptions_changed: bool,
    added: BTreeSet<LampId>,
    publish: Vec<Outgoing>,
    /// The message was held for code still to come (the template engine, a system's chunk).
    held: bool,
}

impl LampDirectory {
    /// An empty directory with the given settings.
    pub fn new(settings: DirectorySettings) -> Self {
        let mut directory = LampDirectory {
            systems: systems::build(&settings),
            settings,
            lamps: BTreeMap::new(),
            shadowed: BTreeMap::new(),
            routes: Routes::default(),
            system_filters: Vec::new(),
            deferred: Deferred::default(),
        };
        directory.refresh_filters();
        directory
    }

    /// Current settings.
    pub fn settings(&self) -> &DirectorySettings {
        &self.settings
    }

    /// Replaces the settings. A system whose own settings did not change is kept with what it
    /// discovered; lamps of systems switched off or reconfigured are dropped, except those the
    /// new system still claims (a plain lamp the new filters still match).
    pub fn set_settings(&mut self, settings: DirectorySettings) -> Vec<DirectoryEvent> {
        let before = self.subscriptions();
        let mut old: Vec<Option<Box<dyn LampSystem>>> = std::mem::take(&mut self.systems)
            .into_iter()
            .map(Some)
            .collect();
        let mut unchanged: BTreeSet<SourceKind> = BTreeSet::new();
        let mut systems = systems::build(&settings);
        for system in systems.iter_mut() {
            // A stand-in is not kept over a system whose code has arrived since.
            let same = old.iter_mut().find(|o| {
                o.as_ref().is_some_and(|o| {
                    o.kind() == system.kind()
                        && o.settings_key() == system.settings_key()
                        && (o.waits_for_code().is_none() || system.waits_for_code().is_some())
                })
            });
            if let Some(kept) = same.and_then(Option::take) {
                unchanged.insert(kept.kind());
                *system = kept;
            }
        }
        self.systems = systems;
        self.settings = settings;
        self.refresh_filters();
        // What waited for a system switched off (or moved to other topics) waits no more.
        let filters = &self.system_filters;
        self.deferred
            .retain_configs(|topic| matches_any(filters, topic));
        let keeps = |lamp: &Lamp, systems: &[Box<dyn LampSystem>]| {
            let kind = lamp.source_kind();
            unchanged.contains(&kind) || systems.iter().any(|s| s.kind() == kind && s.keeps(lamp))
        };
        let mut events = Vec::new();
        let gone: Vec<LampId> = self
            .lamps
            .values()
            .filter(|l| !keeps(l, &self.systems))
            .map(|l| l.id.clone())
            .collect();
        self.shadowed
            .retain(|_, (spec, _)| unchanged.contains(&spec.binding.kind()));
        let mut outcome = Outcome::default();
        for id in gone {
            self.remove_lamp(&id, &mut outcome);
        }
        events.append(&mut outcome.events);
        if self.subscriptions() != before {
            events.push(DirectoryEvent::SubscriptionsChanged);
        }
        // A system switched on (or reconfigured) says hello as it would on connect.
        let hello: Vec<Outgoing> = self
            .systems
            .iter()
            .filter(|s| !unchanged.contains(&s.kind()))
            .flat_map(|s| s.on_connect())
            .collect();
        if !hello.is_empty() {
            events.push(DirectoryEvent::Publish(hello));
        }
        events
    }

    /// What every system sends when the client connects, after the subscriptions (Shelly
    /// Gen1's `announce`).
    pub fn on_connect(&self) -> Vec<Outgoing> {
        self.systems.iter().flat_map(|s| s.on_connect()).collect()
    }

    /// One lamp by id.
    pub fn lamp(&self, id: &LampId) -> Option<&Lamp> {
        self.lamps.get(id)
    }

    /// All lamps, ordered by id (stable for rendering lists).
    pub fn lamps(&self) -> impl Iterator<Item = &Lamp> {
        self.lamps.values()
    }

    /// The topic filters to subscribe to: every system's discovery filters, then every bound
    /// state and availability topic no filter covers.
    pub fn subscriptions(&self) -> Vec<String> {
        let mut filters = self.system_filters.clone();
        let bound: BTreeSet<&String> = self
            .routes
            .state
            .keys()
            .chain(self.routes.availability.keys())
            .collect();
        for topic in bound {
            if !matches_any(&filters, topic) {
                filters.push(topic.clone());
            }
        }
        filters
    }

    /// Whether a system's own filters already bring this topic.
    fn covered(&self, topic: &str) -> bool {
        matches_any(&self.system_filters, topic)
    }

    /// Collects the systems' discovery filters again (after settings or a system's own change).
    fn refresh_filters(&mut self) {
        let mut filters: Vec<String> = Vec::new();
        for f in self.systems.iter().flat_map(|s| s.subscriptions()) {
            if !filters.contains(&f) {
                filters.push(f);
            }
        }
        self.system_filters = filters;
    }

    /// Feeds one received message. `retained` is accepted for the store's convenience but
    /// does not change the outcome (see the module notes on empty payloads).
    pub fn handle_message(
        &mut self,
        topic: &str,
        payload: &[u8],
        retained: bool,
    ) -> Vec<DirectoryEvent> {
        let mut outcome = Outcome::default();
        let mut claimed = false;
        for i in 0..self.systems.len() {
            let (lamps, shadowed) = (&self.lamps, &self.shadowed);
            let known = |id: &LampId| lamps.contains_key(id) || shadowed.contains_key(id);
            let Some(found) = self.systems[i].discover(topic, payload, &known) else {
                continue;
            };
            claimed = true;
            let rank = self.systems[i].precedence();
            for f in found {
                self.apply_found(f, rank, (topic, payload, retained), &mut outcome);
            }
        }
        if claimed && self.deferred.is_waiting() && !outcome.held {
            self.deferred.drop_config(topic);
        }
        let availability = Routes::lamps(&self.routes.availability, topic);
        let state = Routes::lamps(&self.routes.state, topic);
        if !claimed && availability.is_empty() && state.is_empty() {
            self.deferred.hold_unclaimed(topic, payload, retained);
        }
        for id in availability {
            self.handle_availability(&id, topic, payload, &mut outcome.events);
        }
        for id in state {
            let mut local = Vec::new();
            self.handle_state(&id, topic, payload, &mut local);
            if outcome.added.contains(&id) {
                // Added already tells the store to render the lamp; keep only warnings.
                local.retain(|e| {
                    matches!(e, DirectoryEvent::Updated { warnings, .. } if !warnings.is_empty())
                });
            }
            outcome.events.extend(local);
        }
        if outcome.subscriptions_changed {
            outcome.events.push(DirectoryEvent::SubscriptionsChanged);
        }
        if !outcome.publish.is_empty() {
            outcome
                .events
                .push(DirectoryEvent::Publish(outcome.publish));
        }
        outcome.events
    }

    /// Whether messages wait for code still to come: Home Assistant's template engine, or a
    /// lamp system's chunk.
    pub fn waiting_for_code(&self) -> bool {
        self.deferred.is_waiting()
    }

    /// The systems whose code is wanted now, before any message asks (devices listed by
    /// topic): the store loads them, then calls [`LampDirectory::install_code`].
    pub fn code_wanted(&self) -> Vec<SourceKind> {
        self.systems
            .iter()
            .filter(|s| s.waits_for_code() == Some(true))
            .map(|s| s.kind())
            .collect()
    }

    /// Puts each system whose code has arrived (`systems::code::install`) in its stand-in's
    /// place, with the directory's settings. What the stand-ins held stays held: replay it
    /// next ([`LampDirectory::replay_deferred`]). Returns the subscription change and what the
    /// new systems say on connect that their stand-ins did not (publish it when connected).
    pub fn install_code(&mut self) -> Vec<DirectoryEvent> {
        let before = self.subscriptions();
        let mut hello = Vec::new();
        for slot in self.systems.iter_mut() {
            if slot.waits_for_code().is_none() {
                continue;
            }
            let Some(build) = systems::code::builder(slot.kind()) else {
                continue;
            };
            let real = build(&self.settings);
            let said = slot.on_connect();
            hello.extend(real.on_connect().into_iter().filter(|m| !said.contains(m)));
            *slot = real;
        }
        self.refresh_filters();
        let mut events = Vec::new();
        if self.subscriptions() != before {
            events.push(DirectoryEvent::SubscriptionsChanged);
        }
        if !hello.is_empty() {
            events.push(DirectoryEvent::Publish(hello));
        }
        events
    }

    /// Handles again what waited for code: Home Assistant's template engine once it has loaded
    /// (or failed to: the lamps then come with a note that their templates cannot be
    /// evaluated), or a system's chunk once [`LampDirectory::install_code`] put it in (what
    /// still waits for other code is held again).
    /// Configs come first, then the messages nothing claimed meanwhile, in arrival order; each
    /// with what it did, so the store can keep the ones about lamps for an offline start.
    pub fn replay_deferred(&mut self) -> Vec<(Held, Vec<DirectoryEvent>)> {
        let held = self.deferred.take();
        held.into_iter()
            .map(|h| {
                let events = self.handle_message(&h.topic, &h.payload, h.retained);
                (h, events)
            })
            .collect()
    }

    fn apply_found(
        &mut self,
        found: Found,
        rank: u8,
        (topic, payload, retained): (&str, &[u8], bool),
        outcome: &mut Outcome,
    ) {
        match found {
            Found::Lamp(spec) => self.upsert(spec, rank, outcome),
            Found::Gone(id) => {
                if self.shadowed.remove(&id).is_none() {
                    self.remove_lamp(&id, outcome);
                }
            }
            Found::Renamed { from, spec } => self.rename(&from, spec, rank, outcome),
            Found::Rejected(reason) => outcome.events.push(DirectoryEvent::DiscoveryRejected {
                topic: topic.into(),
                reason,
            }),
            Found::Unreadable(error) => outcome.events.push(DirectoryEvent::Unreadable {
                topic: topic.into(),
                lamp: None,
                raw: text(payload),
                error,
            }),
            Found::SubscriptionsChanged => {
                self.refresh_filters();
                outcome.subscriptions_changed = true;
            }
            Found::Publish(messages) => outcome.publish.extend(messages),
            Found::NeedsTemplates => {
                self.hold(
                    DirectoryEvent::TemplatesNeeded,
                    (topic, payload, retained),
                    outcome,
                );
            }
            Found::NeedsCode(kind) => {
                self.hold(
                    DirectoryEvent::CodeNeeded(kind),
                    (topic, payload, retained),
                    outcome,
                );
            }
        }
    }

    /// Holds a message for code still to come, asking for it once per message.
    fn hold(
        &mut self,
        need: DirectoryEvent,
        (topic, payload, retained): (&str, &[u8], bool),
        outcome: &mut Outcome,
    ) {
        self.deferred.hold_config(topic, payload, retained);
        outcome.held = true;
        if !outcome.events.contains(&need) {
            outcome.events.push(need);
        }
    }

    /// Adds a lamp a system found, or gives a known one its new configuration (keeping its
    /// state), honouring the ranking of lamps that share a primary state topic.
    fn upsert(&mut self, spec: LampSpec, rank: u8, outcome: &mut Outcome) {
        self.shadowed.remove(&spec.id);
        if let Some(lamp) = self.lamps.get(&spec.id) {
            if lamp.binding == spec.binding && lamp.name == spec.name && lamp.room == spec.room {
                return;
            }
            let state = lamp.state.clone();
            let document = lamp.document().clone();
            let id = spec.id.clone();
            self.remove_lamp_quietly(&id, outcome);
            let mut lamp = Lamp::found(spec, rank);
            lamp.state = state;
            lamp.document = document;
            self.insert_lamp(lamp, outcome);
            outcome.events.push(DirectoryEvent::Updated {
                id,
                warnings: Vec::new(),
            });
            return;
        }
        let primary = spec.binding.state_topics().into_iter().next();
        let rival = primary
            .as_ref()
            .and_then(|p| self.routes.primary.get(p))
            .and_then(|id| self.lamps.get(id))
            .map(|l| (l.id.clone(), l.rank));
        match rival {
            Some((_, rival_rank)) if rival_rank < rank => {
                self.shadowed.insert(spec.id.clone(), (spec, rank));
                return;
            }
            Some((rival, rival_rank)) if rival_rank > rank => {
                if let Some(lamp) = self.lamps.get(&rival) {
                    let kept = (spec_of(lamp), lamp.rank);
                    self.remove_lamp_quietly(&rival, outcome);
                    outcome.events.push(DirectoryEvent::Removed(rival.clone()));
                    self.shadowed.insert(rival, kept);
                }
            }
            _ => {}
        }
        let id = spec.id.clone();
        self.insert_lamp(Lamp::found(spec, rank), outcome);
        outcome.added.insert(id.clone());
        outcome.events.push(DirectoryEvent::Added(id));
    }

    /// Moves a renamed lamp to its new id and topics, keeping what it said (state, document):
    /// the card goes (`Removed(from)`) and comes back under the new id (`Added`) with its state.
    fn rename(&mut self, from: &LampId, spec: LampSpec, rank: u8, outcome: &mut Outcome) {
        let kept = if self.lamps.contains_key(from) {
            let lamp = self.remove_lamp_quietly(from, outcome);
            outcome.events.push(DirectoryEvent::Removed(from.clone()));
            lamp
        } else {
            self.shadowed.remove(from);
            None
        };
        let id = spec.id.clone();
        self.upsert(spec, rank, outcome);
        if let (Some(old), Some(lamp)) = (kept, self.lamps.get_mut(&id)) {
            lamp.state = old.state;
            lamp.document = old.document;
        }
    }

    fn insert_lamp(&mut self, lamp: Lamp, outcome: &mut Outcome) {
        let topics: Vec<String> = lamp
            .binding
            .state_topics()
            .into_iter()
            .chain(lamp.binding.availability_topics())
            .collect();
        if topics.iter().any(|t| !self.covered(t)) {
            outcome.subscriptions_changed = true;
        }
        self.routes.add(&lamp);
        self.lamps.insert(lamp.id.clone(), lamp);
    }

    /// Removes a lamp without announcing it; returns it.
    fn remove_lamp_quietly(&mut self, id: &LampId, outcome: &mut Outcome) -> Option<Lamp> {
        let lamp = self.lamps.remove(id)?;
        self.routes.remove(&lamp);
        let topics = lamp
            .binding
            .state_topics()
            .into_iter()
            .chain(lamp.binding.availability_topics());
        if topics.into_iter().any(|t| !self.covered(&t)) {
            outcome.subscriptions_changed = true;
        }
        Some(lamp)
    }

    /// Removes a lamp, announces it, and shows the best lamp it was hiding, if any.
    fn remove_lamp(&mut self, id: &LampId, outcome: &mut Outcome) {
        let Some(lamp) = self.remove_lamp_quietly(id, outcome) else {
            return;
        };
        outcome.events.push(DirectoryEvent::Removed(id.clone()));
        let Some(primary) = lamp.binding.state_topics().into_iter().next() else {
            return;
        };
        let heir = self
            .shadowed
            .iter()
            .filter(|(_, (spec, _))| spec.binding.state_topics().first() == Some(&primary))
            .min_by_key(|(_, (_, rank))| *rank)
            .map(|(id, _)| id.clone());
        if let Some((spec, rank)) = heir.and_then(|h| self.shadowed.remove(&h)) {
            self.upsert(spec, rank, outcome);
        }
    }

    /// The lamps whose state this topic carries, so the store can tell which cards a live
    /// message speaks for (a lamp's id is not always a topic: `…#l1` endpoints, device
    /// components).
    pub fn lamps_on(&self, topic: &str) -> Vec<LampId> {
        Routes::lamps(&self.routes.state, topic)
    }

    /// The messages that apply `change` to a lamp, or why there are none, in words.
    pub fn command(&self, id: &LampId, change: &LampChange) -> CommandResult {
        let lamp = self
            .lamps
            .get(id)
            .ok_or_else(|| "this lamp is no longer known".to_owned())?;
        if !lamp.available {
            return Err("the lamp is unavailable".into());
        }
        lamp.binding.command(change, lamp)
    }

    /// Every lamp's native scenes (its system's own, e.g. a Zigbee2MQTT group's), as
    /// (lamp, scene id, scene name), in lamp id order.
    pub fn native_scenes(&self) -> Vec<(LampId, u64, String)> {
        let mut out: Vec<(LampId, u64, String)> = self
            .lamps
            .values()
            .flat_map(|l| {
                l.binding
                    .native_scenes()
                    .into_iter()
                    .map(move |(id, name)| (l.id.clone(), id, name))
            })
            .collect();
        out.sort();
        out
    }

    /// The message recalling a lamp's native scene, or why not.
    pub fn recall_native_scene(&self, id: &LampId, scene: u64) -> CommandResult {
        let lamp = self
            .lamps
            .get(id)
            .ok_or_else(|| "this lamp is no longer known".to_owned())?;
        if !lamp.available {
            return Err("the lamp is unavailable".into());
        }
        lamp.binding.recall_native_scene(scene)
    }

    /// The messages for several changes to one lamp (a scene's on, brightness and colour),
    /// each computed against the lamp as the changes before it leave it: a plain lamp's
    /// topic is its whole state, so its second change must carry the first. A whole state
    /// published retained on the lamp's own state topic replaces the one before it, so only
    /// the last of those is sent.
    pub fn command_all(&self, id: &LampId, changes: &[LampChange]) -> CommandResult {
        let lamp = self
            .lamps
            .get(id)
            .ok_or_else(|| "this lamp is no longer known".to_owned())?;
        if !lamp.available {
            return Err("the lamp is unavailable".into());
        }
        let state_topics = lamp.binding.state_topics();
        let mut after = lamp.clone();
        let mut out: Vec<Outgoing> = Vec::new();
        for change in changes {
            for message in lamp.binding.command(change, &after)? {
                let whole_state = message.retain && state_topics.contains(&message.topic);
                if whole_state {
                    if let Ok(serde_json::Value::Object(doc)) =
                        serde_json::from_slice::<serde_json::Value>(&message.payload)
                    {
                        after.document = doc;
                    }
                    out.retain(|m| !(m.retain && m.topic == message.topic));
                }
                out.push(message);
            }
            change.apply_to(&mut after.state);
        }
        Ok(out)
    }

    /// Requests for the lamp's current state where its system has one (Zigbee2MQTT `/get`),
    /// sent when the lamp is found.
    pub fn refresh(&self, id: &LampId) -> Vec<Outgoing> {
        self.lamps
            .get(id)
            .map(|l| l.binding.refresh())
            .unwrap_or_default()
    }

    /// Whether a change to the lamp should come back as a state message, so the card waits
    /// for that echo (optimistic lamps never send one).
    pub fn reports_state(&self, id: &LampId) -> bool {
        self.lamps
            .get(id)
            .is_some_and(|l| !l.binding.optimistic() && !l.binding.state_topics().is_empty())
    }

    /// Applies a change locally for optimistic lamps (no state topic, or HA's
    /// `optimistic: true`), so their card follows the user's changes as Home Assistant's does.
    pub fn assume(&mut self, id: &LampId, change: &LampChange) -> Option<DirectoryEvent> {
        let lamp = self.lamps.get_mut(id)?;
        if !lamp.binding.optimistic() {
            return None;
        }
        let before = lamp.state.clone();
        change.apply_to(&mut lamp.state);
        (lamp.state != before).then(|| DirectoryEvent::Updated {
            id: id.clone(),
            warnings: Vec::new(),
        })
    }

    /// Drops a lamp at the user's request (a lamp kept only from the last visit that nothing
    /// on the broker speaks for any more): the same as its system removing it, so a lamp it
    /// was hiding shows again and its subscriptions go. It comes back if it speaks again.
    pub fn forget(&mut self, id: &LampId) -> Vec<DirectoryEvent> {
        let mut outcome = Outcome::default();
        self.remove_lamp(id, &mut outcome);
        if outcome.subscriptions_changed {
            outcome.events.push(DirectoryEvent::SubscriptionsChanged);
        }
        outcome.events
    }

    fn handle_availability(
        &mut self,
        id: &LampId,
        topic: &str,
        payload: &[u8],
        events: &mut Vec<DirectoryEvent>,
    ) {
        let Some(lamp) = self.lamps.get_mut(id) else {
            return;
        };
        let Some(reading) = lamp.binding.read_availability(topic, payload) else {
            return;
        };
        let first_word = !lamp.availability.heard_any();
        lamp.availability.record(topic, reading);
        let available = lamp.availability.available(
            &lamp.binding.availability_topics(),
            lamp.binding.availability_mode(),
            lamp.binding.available_before_heard(),
        );
        // The first "offline" of a lamp already unavailable (unheard) changes no flag but
        // what the card says (offline, not "not heard yet"), and is worth keeping offline.
        if available != lamp.available || (first_word && !available) {
            lamp.available = available;
            events.push(DirectoryEvent::Updated {
                id: id.clone(),
                warnings: Vec::new(),
            });
        }
    }

    fn handle_state(
        &mut self,
        id: &LampId,
        topic: &str,
        payload: &[u8],
        events: &mut Vec<DirectoryEvent>,
    ) {
        let Some(lamp) = self.lamps.get_mut(id) else {
            return;
        };
        let binding = lamp.binding.clone();
        let result = binding.read(topic, payload, &mut lamp.document);
        let mut learned = false;
        if let Ok(update) = &result {
            let before = lamp.capabilities.clone();
            binding.learn(update, &lamp.document, &mut lamp.capabilities);
            learned = lamp.capabilities != before;
        }
        apply_result(lamp, topic, payload, result, learned, events);
    }
}

/// Merges a reading into a lamp (or records why it could not), emitting what changed.
fn apply_result(
    lamp: &mut Lamp,
    topic: &str,
    payload: &[u8],
    result: Result<StateUpdate, ReadError>,
    learned: bool,
    events: &mut Vec<DirectoryEvent>,
) {
    match result {
        Ok(update) => {
            let cleared = lamp.unreadable.take().is_some();
            let changed = lamp.state.apply(&update);
            if changed || cleared || learned || !update.warnings.is_empty() {
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
