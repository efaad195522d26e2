//! The one small interface every lamp system implements, so the directory can route messages
//! and own lamps without knowing anything system-specific (Home Assistant splits its MQTT light
//! the same way: one module per schema over a shared base).
//!
//! Two halves, because discovery and a lamp's wire format live at different scales:
//! * [`LampSystem`]: one per system and per directory. Says which topics it needs for
//!   discovery and turns discovery messages into [`Found`] lamps (or removals).
//! * [`Binding`]: one per lamp. Says which topics carry the lamp's state and availability,
//!   reads them, and turns a user's [`LampChange`] into the messages that lamp expects.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::availability::AvailabilityMode;
use super::command::LampChange;
use super::read::ReadError;
use super::state::StateUpdate;
use super::systems::SourceKind;
use super::{Capabilities, Lamp, LampId};

/// A message to publish, built by a binding so the UI never writes JSON or topics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Topic to publish to.
    pub topic: String,
    /// The payload, in the lamp's own format.
    pub payload: Vec<u8>,
    /// Retain flag: true for seed lamps (their topic is their state), false for command
    /// topics unless discovery asked (`retain`), because a retained command replays on
    /// every device reconnect and fights later changes.
    pub retain: bool,
}

impl Outgoing {
    /// A message that is not retained, the usual shape of a command.
    pub fn command(topic: impl Into<String>, payload: impl Into<Vec<u8>>) -> Self {
        Outgoing {
            topic: topic.into(),
            payload: payload.into(),
            retain: false,
        }
    }
}

/// The messages for one change, or why there are none, in words the card can show.
pub type CommandResult = Result<Vec<Outgoing>, String>;

/// One lamp's wire format: which topics it listens on and how it reads and writes them.
///
/// Pure: a binding never keeps time or I/O. Per-lamp memory that reading needs (the seed's
/// merged JSON document) lives in the lamp and is passed in, so bindings stay shared and
/// immutable (`Arc`: the reactive store's signals need `Send + Sync` values).
pub trait Binding: fmt::Debug + Send + Sync {
    /// The system this lamp belongs to, for badges and the lamp sheet.
    fn kind(&self) -> SourceKind;

    /// Topics carrying this lamp's state. The first is the lamp's primary state topic, which
    /// is how two systems announcing one device are recognised as one lamp.
    fn state_topics(&self) -> Vec<String>;

    /// Reads one message on one of [`Binding::state_topics`]. `document` is the lamp's memory
    /// of what it said before (merged JSON), for bindings that write whole states back.
    fn read(
        &self,
        topic: &str,
        payload: &[u8],
        document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError>;

    /// What the card may offer, as the lamp's configuration announces it.
    fn capabilities(&self) -> Capabilities;

    /// Widens `capabilities` from what a message showed, for lamps whose controls are learned
    /// from the fields they actually send (a plain MQTT lamp has no configuration to announce
    /// them). Called after every good reading; the default learns nothing.
    fn learn(
        &self,
        update: &StateUpdate,
        document: &Map<String, Value>,
        capabilities: &mut Capabilities,
    ) {
        let _ = (update, document, capabilities);
    }

    /// Whether the lamp's state follows the user's changes instead of coming back as state
    /// messages (no state topic, or Home Assistant's `optimistic: true`).
    fn optimistic(&self) -> bool {
        false
    }

    /// The messages that make the lamp do `change`, or why it cannot.
    fn command(&self, change: &LampChange, lamp: &Lamp) -> CommandResult;

    /// Scenes the lamp's own system stores (a Zigbee2MQTT group's), as (id, name): the
    /// scenes panel lists them beside the app's own and recalls them natively.
    fn native_scenes(&self) -> Vec<(u64, String)> {
        Vec::new()
    }

    /// The message recalling one of [`Binding::native_scenes`], or why not, in words.
    fn recall_native_scene(&self, _id: u64) -> CommandResult {
        Err("this lamp has no scenes of its own".into())
    }

    /// Messages asking the lamp for its current state when it is found, for systems that do
    /// not retain states (Zigbee2MQTT `/get`).
    fn refresh(&self) -> Vec<Outgoing> {
        Vec::new()
    }

    /// Topics carrying the lamp's availability.
    fn availability_topics(&self) -> Vec<String> {
        Vec::new()
    }

    /// Reads one availability message: `Some(true)` available, `Some(false)` not, `None`
    /// when the payload is neither (an unknown payload never flips a lamp offline).
    fn read_availability(&self, topic: &str, payload: &[u8]) -> Option<bool> {
        let _ = (topic, payload);
        None
    }

    /// How several availability topics combine.
    fn availability_mode(&self) -> AvailabilityMode {
        AvailabilityMode::All
    }

    /// Whether the lamp counts as available before its availability topic has said anything.
    /// Home Assistant shows such an entity unavailable until it hears `online`; Zigbee2MQTT's
    /// availability is optional, so silence means nothing there.
    fn available_before_heard(&self) -> bool {
        true
    }

    /// Facts for the lamp sheet (label, value): topics, schema, model.
    fn details(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// A note for the card about what this lamp's configuration asks that Lampboard cannot
    /// do (a template it cannot render), so the user is told instead of being sent a wrong
    /// message.
    fn note(&self) -> Option<String> {
        None
    }
}

/// A shared, immutable binding. Compared by identity: a system hands out a new one only when
/// the lamp's configuration changed, so "same pointer" means "same configuration".
#[derive(Clone)]
pub struct BindingRef(pub Arc<dyn Binding>);

impl BindingRef {
    /// Wraps a binding.
    pub fn new(binding: impl Binding + 'static) -> Self {
        BindingRef(Arc::new(binding))
    }
}

impl std::ops::Deref for BindingRef {
    type Target = dyn Binding;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl PartialEq for BindingRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for BindingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A lamp a system found, with what the card needs to name and place it.
#[derive(Clone, Debug, PartialEq)]
pub struct LampSpec {
    /// Stable identity (a topic the user recognises).
    pub id: LampId,
    /// Display name.
    pub name: String,
    /// Room, when the system says.
    pub room: Option<String>,
    /// How the lamp is read and written.
    pub binding: BindingRef,
}

/// What a discovery message meant.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// A lamp to add, or to replace when its id is known (configuration changed).
    Lamp(LampSpec),
    /// A lamp this system announced before is gone.
    Gone(LampId),
    /// A lamp this system announced before as `from` is now `spec` (Zigbee2MQTT renamed the
    /// device: same IEEE address, new friendly name and topics). The directory moves the
    /// lamp with its state; a `from` it does not know makes this an ordinary [`Found::Lamp`].
    Renamed {
        /// The id the lamp had.
        from: LampId,
        /// The lamp as it is now.
        spec: LampSpec,
    },
    /// The message was meant as discovery but cannot be used, in words.
    Rejected(String),
    /// The message could have founded a lamp but is not a lamp state.
    Unreadable(ReadError),
    /// The system needs these filters subscribed or dropped: call
    /// [`LampSystem::subscriptions`] again.
    SubscriptionsChanged,
    /// Messages the system must send to learn more (Shelly Gen2: `Shelly.GetStatus` to a
    /// device whose `online` it just heard, whose components only the reply names).
    Publish(Vec<Outgoing>),
    /// A configuration this system can read only with Home Assistant's template engine, which
    /// has not arrived yet (`lamp::templating`): the directory holds the message and replays
    /// it from [`crate::lamp::directory::LampDirectory::replay_deferred`].
    NeedsTemplates,
    /// The message is this system's, whose code has not arrived yet
    /// (`crate::lamp::systems::code`): the directory holds it and asks for the code; the store
    /// puts the system in ([`crate::lamp::directory::LampDirectory::install_code`]) and has
    /// the directory replay it.
    NeedsCode(SourceKind),
}

/// One lamp system: what it subscribes to and what its discovery messages mean.
pub trait LampSystem: fmt::Debug + Send + Sync {
    /// Which system.
    fn kind(&self) -> SourceKind;

    /// Topic filters this system needs for discovery (the lamps' own state and availability
    /// topics are subscribed by the directory from their bindings).
    fn subscriptions(&self) -> Vec<String>;

    /// The settings this system was built from, as text: a system whose key is unchanged
    /// after a settings change is kept with everything it discovered.
    fn settings_key(&self) -> String;

    /// Whether a lamp of this kind found under older settings still belongs to this system
    /// (a plain lamp whose topic the new filters still match). Discovered lamps are dropped
    /// and found again from their retained announcements.
    fn keeps(&self, lamp: &Lamp) -> bool {
        let _ = lamp;
        false
    }

    /// Reads a message if it is this system's discovery (or, for systems whose lamps appear
    /// by speaking, a first state). `None` when the message is not this system's business.
    /// Called for every message, so it must reject foreign topics cheaply. `known` says
    /// whether the directory has a lamp with that id.
    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>>;

    /// Messages to send each time the client connects, after the subscriptions: systems whose
    /// devices announce themselves only when asked (Shelly Gen1's `announce` on
    /// `shellies/command`). Empty by default.
    fn on_connect(&self) -> Vec<Outgoing> {
        Vec::new()
    }

    /// Whether this system's lamps win over another system's lamp with the same primary state
    /// topic. Native systems (Zigbee2MQTT's own device list) outrank second-hand announcements
    /// (Home Assistant discovery that the same bridge publishes); lower wins.
    fn precedence(&self) -> u8 {
        1
    }

    /// `Some` for a stand-in whose system's code has not loaded yet
    /// (`crate::lamp::systems::pending`), saying whether the code is wanted at once instead of
    /// on the first message; `None` for a real system.
    fn waits_for_code(&self) -> Option<bool> {
        None
    }
}
