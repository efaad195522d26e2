//! Household sync (issue 16, item 4): the arrangement kept in one retained message on the
//! user's own broker, so every phone in the house shows the same names, rooms, order and
//! scenes.
//!
//! Pure (no web-sys, no leptos, no clock), so every rule is tested natively on simulated
//! time, as the MQTT session is:
//! - the **document** ([`encode`] / [`decode`]): the arrangement in a versioned envelope
//!   (`{"lampboard_sync":1,"arrangement":{…}}`), validated on read: a size cap, the version,
//!   every item checked (a damaged item is left out and named; a document that is not one is
//!   refused whole, in words). Unknown fields are kept, at both levels.
//! - the **merge** is [`Arrangement::merge`]: per item, last writer wins, so two devices
//!   editing different lamps or scenes at once both keep their edit; never a whole-document
//!   overwrite.
//! - the **protocol** ([`SyncSession`], sans-IO): subscribe, look at what the broker holds,
//!   merge it in, publish the merged copy (retained, debounced) whenever the broker's copy
//!   lacks something this device has, and watch for the broker to send our own write back:
//!   Mosquitto acknowledges and silently drops a publish its ACL refuses (MQTT 3.1.1 has no
//!   way to say no), so a missing echo is the only sign.

use serde_json::{Map, Value};

use super::{clean_name, Arrangement};
use crate::mqtt::session::PublishTicket;

/// The version of the sync envelope. A document of a newer version is refused and never
/// written over (a newer Lampboard in the house owns the topic until this one is updated);
/// additions that older readers may ignore go into new fields, which are kept.
pub const SYNC_FORMAT: u32 = 1;

/// Where the household copy lives unless the user changes it. One fixed name, not one per
/// profile id: profile ids are random per browser, and two phones set up by hand must find
/// the same topic without agreeing on anything first. A second household on one broker picks
/// another topic.
pub const DEFAULT_SYNC_TOPIC: &str = "lampboard/arrangement";

/// The largest household copy read or written, in bytes: a 200-lamp house with scenes is
/// about 40 KB, and the cap keeps a hostile retained message from costing the page.
pub const MAX_SYNC_BYTES: usize = 256 * 1024;

/// The most lamps, rooms or scenes (each) a copy may hold, and the longest list inside one
/// (a room's order, a scene's lamps).
pub const MAX_SYNC_ITEMS: usize = 2_000;

/// The longest key (lamp id, room key, scene id) kept, in characters: lamp ids are topics,
/// Home Assistant's with a component suffix, well under this.
pub const MAX_KEY_CHARS: usize = 1_024;

/// The latest stamp accepted (the last millisecond of the year 9999): a larger or
/// non-finite one is a broken writer, not a clock.
pub const LAST_STAMP: f64 = 253_402_300_799_999.0;

/// How long after the broker granted the subscription this device waits for the retained
/// copy before deciding the topic holds none: brokers send retained messages right after
/// the SUBACK, so this is generous.
pub const LOOK_MS: f64 = 1_500.0;

/// How long local edits gather before the copy is published: a drag that reorders a room
/// in ten steps is one message.
pub const DEBOUNCE_MS: f64 = 800.0;

/// How long after the broker acknowledged our copy it must come back to us on the
/// subscription before the status says the broker did not keep it.
pub const ECHO_WAIT_MS: f64 = 5_000.0;

/// The envelope: the arrangement and any field a newer Lampboard added beside it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SyncDoc {
    /// The household's arrangement.
    pub arrangement: Arrangement,
    /// Envelope fields this Lampboard does not know, kept as they were.
    pub extra: Map<String, Value>,
}

/// A copy read from the broker: what could be used, and each item left out, in words.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Decoded {
    /// The document.
    pub doc: SyncDoc,
    /// Items left out and why.
    pub skipped: Vec<String>,
}

/// Why a copy was refused whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Written by a newer Lampboard: never written over.
    Newer(u32),
    /// Anything else wrong with it, in words.
    Broken(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Newer(v) => write!(
                f,
                "it was written by a newer Lampboard (sync format {v}); update this one to sync (this device's changes stay here meanwhile)"
            ),
            Refusal::Broken(why) => f.write_str(why),
        }
    }
}

/// The document for `arrangement` (compact JSON), or why it cannot be published: over
/// [`MAX_SYNC_BYTES`].
pub fn encode(arrangement: &Arrangement, extra: &Map<String, Value>) -> Result<Vec<u8>, String> {
    let mut top = extra.clone();
    top.insert("lampboard_sync".to_owned(), Value::from(SYNC_FORMAT));
    top.insert("arrangement".to_owned(), arrangement.to_value());
    let bytes = serde_json::to_vec(&Value::Object(top)).map_err(|e| e.to_string())?;
    if bytes.len() > MAX_SYNC_BYTES {
        return Err(format!(
            "the arrangement is {} KB, over the {} KB a household copy may be",
            bytes.len() / 1024,
            MAX_SYNC_BYTES / 1024
        ));
    }
    Ok(bytes)
}

/// Reads a copy from the broker. `Ok(None)` for an empty payload (a retained message
/// cleared: the topic holds no copy). Never panics, whatever the bytes.
pub fn decode(payload: &[u8]) -> Result<Option<Decoded>, Refusal> {
    if payload.is_empty() {
        return Ok(None);
    }
    if payload.len() > MAX_SYNC_BYTES {
        return Err(Refusal::Broken(format!(
            "it is {} KB, over the {} KB limit",
            payload.len() / 1024,
            MAX_SYNC_BYTES / 1024
        )));
    }
    let value: Value = serde_json::from_slice(payload)
        .map_err(|e| Refusal::Broken(format!("it is not JSON ({e})")))?;
    let Value::Object(mut top) = value else {
        return Err(Refusal::Broken("it is not a JSON object".to_owned()));
    };
    let version = match top.remove("lampboard_sync") {
        None => {
            return Err(Refusal::Broken(
                "it is not a Lampboard household copy (no lampboard_sync marker)".to_owned(),
            ))
        }
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1 && *n <= u64::from(u32::MAX))
            .ok_or_else(|| Refusal::Broken(format!("its version {v} is not a version")))?
            as u32,
    };
    if version > SYNC_FORMAT {
        return Err(Refusal::Newer(version));
    }
    let Some(inner) = top.remove("arrangement") else {
        return Err(Refusal::Broken("it holds no arrangement".to_owned()));
    };
    if !inner.is_object() {
        return Err(Refusal::Broken(
            "its arrangement is not a JSON object".to_owned(),
        ));
    }
    for (what, key) in [("lamps", "lamps"), ("rooms", "rooms"), ("scenes", "scenes")] {
        let n = inner
            .get(key)
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        if n > MAX_SYNC_ITEMS {
            return Err(Refusal::Broken(format!(
                "it holds {n} {what}, more than the {MAX_SYNC_ITEMS} a household copy may"
            )));
        }
    }
    let loaded = Arrangement::from_value(inner).map_err(Refusal::Broken)?;
    let mut arrangement = loaded.arrangement;
    let mut skipped = loaded.skipped;
    check_items(&mut arrangement, &mut skipped);
    Ok(Some(Decoded {
        doc: SyncDoc {
            arrangement,
            extra: top,
        },
        skipped,
    }))
}

/// A stamp a real clock could have written.
fn stamp_ok(at: f64) -> bool {
    at.is_finite() && (0.0..=LAST_STAMP).contains(&at)
}

/// A key (lamp id, room key, scene id) worth keeping.
fn key_ok(key: &str) -> bool {
    !key.is_empty() && key.chars().count() <= MAX_KEY_CHARS && !key.chars().any(char::is_control)
}

/// A name as this Lampboard would have kept it (trimmed, collapsed, short, no control
/// characters): anything else came from a broken or hostile writer.
fn name_ok(name: &str) -> bool {
    clean_name(name).as_deref() == Some(name) && !name.chars().any(char::is_control)
}

/// Leaves out every item that fails its checks, naming it.
fn check_items(a: &mut Arrangement, skipped: &mut Vec<String>) {
    a.lamps.retain(|id, l| {
        let why = if !key_ok(id.as_str()) {
            Some("its id is empty, too long or has control characters")
        } else if !stamp_ok(l.updated_at) {
            Some("its time stamp is not a time")
        } else if l.name.as_deref().is_some_and(|n| !name_ok(n)) {
            Some("its name is empty, too long or has control characters")
        } else if l.room.as_deref().is_some_and(|n| !name_ok(n)) {
            Some("its room is empty, too long or has control characters")
        } else {
            None
        };
        keep(why, "Lamp", id.as_str(), skipped)
    });
    a.rooms.retain(|key, r| {
        let why = if !key_ok(key) {
            Some("its key is empty, too long or has control characters")
        } else if !stamp_ok(r.updated_at) {
            Some("its time stamp is not a time")
        } else if r.order.len() > MAX_SYNC_ITEMS || r.order.iter().any(|id| !key_ok(id.as_str())) {
            Some("its lamp order is too long or names a broken lamp id")
        } else {
            None
        };
        keep(why, "Room", key, skipped)
    });
    let order = &a.room_order;
    if !stamp_ok(order.updated_at)
        || order.keys.len() > MAX_SYNC_ITEMS
        || order.keys.iter().any(|k| !key_ok(k))
    {
        skipped.push(
            "The room order: broken (bad time stamp, too long or a broken room key), left out"
                .to_owned(),
        );
        a.room_order = Default::default();
    }
    a.scenes.retain(|id, s| {
        let why = if !key_ok(id) {
            Some("its id is empty, too long or has control characters")
        } else if !stamp_ok(s.updated_at) {
            Some("its time stamp is not a time")
        } else if !s.deleted && !name_ok(&s.name) {
            Some("its name is empty, too long or has control characters")
        } else if s.items.len() > MAX_SYNC_ITEMS
            || s.items
                .iter()
                .any(|i| !key_ok(i.lamp.as_str()) || i.target.brightness.is_some_and(|b| b > 100))
        {
            Some("its lamps are too many, or one has a broken id or a brightness over 100 %")
        } else {
            None
        };
        keep(why, "Scene", id, skipped)
    });
}

fn keep(why: Option<&str>, what: &str, key: &str, skipped: &mut Vec<String>) -> bool {
    match why {
        None => true,
        Some(why) => {
            let shown: String = key.chars().take(60).filter(|c| !c.is_control()).collect();
            skipped.push(format!("{what} “{shown}”: {why}, left out"));
            false
        }
    }
}

/// Where the protocol is, per connection.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// No connection to use.
    Offline,
    /// Subscribed, waiting for the SUBACK.
    Subscribing,
    /// Subscribed; the retained copy, if any, arrives before `until`.
    Looking { until: f64 },
    /// Caught up: local edits are published.
    Live,
    /// The broker refused the subscription.
    ReadRefused,
}

/// A copy published and not yet seen coming back.
#[derive(Clone, Debug)]
struct Echo {
    ticket: Option<PublishTicket>,
    payload: Vec<u8>,
    /// Set when the broker acknowledged it: by then it must come back.
    deadline: Option<f64>,
}

/// What the sync field in the settings says.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncStatus {
    /// Sync is off for this profile.
    Off,
    /// Not connected.
    Offline,
    /// Subscribing, or reading what the broker holds.
    Reading,
    /// Connected, nothing arranged on either side yet.
    Empty,
    /// Our copy was published and has not come back yet.
    Sharing,
    /// This device and the broker agreed at this wall-clock time (ms).
    Synced(f64),
    /// Something went wrong, in words (a refusal by the broker, a refused copy).
    Problem(String),
}

/// The words for a status; `now` for "2 s ago".
pub fn status_text(status: &SyncStatus, now: f64) -> String {
    match status {
        SyncStatus::Off => "Off: this device's arrangement stays on this device".to_owned(),
        SyncStatus::Offline => {
            "Not connected: changes are shared when the broker is back".to_owned()
        }
        SyncStatus::Reading => "Reading the household copy…".to_owned(),
        SyncStatus::Empty => {
            "Nothing arranged yet: your first change starts the household copy".to_owned()
        }
        SyncStatus::Sharing => "Sharing this device's changes…".to_owned(),
        SyncStatus::Synced(at) => {
            let secs = ((now - at) / 1000.0).max(0.0).round() as u64;
            match secs {
                0..=1 => "Synced just now".to_owned(),
                2..=59 => format!("Synced {secs} s ago"),
                60..=3599 => format!("Synced {} min ago", secs / 60),
                _ => format!("Synced {} h ago", secs / 3600),
            }
        }
        SyncStatus::Problem(why) => why.clone(),
    }
}

/// What a received message did to the local arrangement.
#[derive(Clone, Debug, PartialEq)]
pub enum Received {
    /// The local arrangement is now this (the broker's items merged in).
    Merged(Arrangement),
    /// Nothing changed here.
    Unchanged,
    /// The copy was refused, in words (also the status).
    Refused(String),
}

/// The sync protocol for one profile, sans-IO: the store feeds it the connection's events
/// and the time, publishes what [`SyncSession::poll`] returns on [`SyncSession::topic`], and
/// calls `poll` again by [`SyncSession::next_deadline`].
#[derive(Clone, Debug)]
pub struct SyncSession {
    topic: Option<String>,
    phase: Phase,
    /// What the broker holds as last seen on this connection (None: nothing readable).
    broker_copy: Option<Arrangement>,
    /// The broker holds a copy of a newer format: never written over.
    blocked: bool,
    /// Envelope fields of the last readable copy, written back unchanged.
    extra: Map<String, Value>,
    publish_at: Option<f64>,
    echo: Option<Echo>,
    last_synced: Option<f64>,
    problem: Option<String>,
}

impl Default for SyncSession {
    fn default() -> Self {
        Self::new()
    }
}

impl SyncSession {
    /// Sync off.
    pub fn new() -> Self {
        Self {
            topic: None,
            phase: Phase::Offline,
            broker_copy: None,
            blocked: false,
            extra: Map::new(),
            publish_at: None,
            echo: None,
            last_synced: None,
            problem: None,
        }
    }

    /// The topic in use, when sync is on.
    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// Sync on, on `topic` (a new topic starts from nothing known); the store subscribes
    /// when it has a connection.
    pub fn enable(&mut self, topic: &str) {
        if self.topic.as_deref() != Some(topic) {
            *self = Self::new();
            self.topic = Some(topic.to_owned());
        }
    }

    /// Sync off: everything forgotten (the local arrangement stays; the store unsubscribes).
    pub fn disable(&mut self) {
        *self = Self::new();
    }

    /// The store subscribed on a (new) connection; what the last connection learned about
    /// the broker's copy is forgotten: the retained copy comes again after the SUBACK.
    pub fn subscribing(&mut self) {
        if self.topic.is_none() {
            return;
        }
        self.phase = Phase::Subscribing;
        self.broker_copy = None;
        self.echo = None;
        self.blocked = false;
    }

    /// The connection dropped: the MQTT session resubscribes by itself when it is back, so
    /// the SUBACK comes again ([`SyncSession::subscribed`]); until then the status says
    /// offline, and edits wait for it.
    pub fn connection_lost(&mut self) {
        self.offline();
    }

    /// No connection at all (the user disconnected).
    pub fn offline(&mut self) {
        self.subscribing();
        self.phase = Phase::Offline;
    }

    /// The broker answered the subscription: granted, or refused (an ACL forbidding this
    /// login to read the topic).
    pub fn subscribed(&mut self, granted: bool, now: f64) {
        let Some(topic) = &self.topic else { return };
        if granted {
            self.phase = Phase::Looking {
                until: now + LOOK_MS,
            };
            if self
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("refused reading"))
            {
                self.problem = None;
            }
        } else {
            self.phase = Phase::ReadRefused;
            self.problem = Some(format!(
                "Refused by the broker: it refused reading {topic}, so this device cannot see the household copy (an ACL may forbid this login to read it)"
            ));
        }
    }

    /// A message on the topic. `local` is this device's arrangement; a changed one comes
    /// back in [`Received::Merged`] for the store to keep and show.
    pub fn received(&mut self, payload: &[u8], local: &Arrangement, now: f64) -> Received {
        let Some(topic) = self.topic.clone() else {
            return Received::Unchanged;
        };
        if self.echo.as_ref().is_some_and(|e| e.payload == payload) {
            self.echo = None;
        }
        match decode(payload) {
            Ok(None) => {
                self.blocked = false;
                self.broker_copy = None;
                self.want_publish(now);
                Received::Unchanged
            }
            Err(refusal) => {
                let words = format!("Refused the household copy on {topic}: {refusal}");
                match refusal {
                    Refusal::Newer(_) => {
                        self.blocked = true;
                        self.publish_at = None;
                    }
                    // Nothing readable there: this device's copy replaces it.
                    Refusal::Broken(_) => {
                        self.blocked = false;
                        self.broker_copy = None;
                        self.want_publish(now);
                    }
                }
                self.problem = Some(words.clone());
                Received::Refused(words)
            }
            Ok(Some(decoded)) => {
                self.blocked = false;
                self.extra = decoded.doc.extra;
                let mut merged = local.clone();
                merged.merge(&decoded.doc.arrangement);
                let theirs = decoded.doc.arrangement;
                if merged == theirs {
                    self.last_synced = Some(now);
                    self.problem = None;
                } else {
                    // The broker's copy lacks something this device has.
                    self.want_publish(now);
                }
                if !decoded.skipped.is_empty() {
                    self.problem = Some(format!(
                        "Part of the household copy on {topic} was left out: {}",
                        decoded.skipped.join("; ")
                    ));
                }
                self.broker_copy = Some(theirs);
                if merged == *local {
                    Received::Unchanged
                } else {
                    Received::Merged(merged)
                }
            }
        }
    }

    /// The user changed the arrangement here: published after [`DEBOUNCE_MS`].
    pub fn edited(&mut self, now: f64) {
        self.want_publish(now);
    }

    fn want_publish(&mut self, now: f64) {
        if self.topic.is_some() && !self.blocked && self.publish_at.is_none() {
            self.publish_at = Some(now + DEBOUNCE_MS);
        }
    }

    /// Whether the broker's copy lacks something `local` has.
    fn needs_publish(&self, local: &Arrangement) -> bool {
        !self.blocked
            && match &self.broker_copy {
                Some(copy) => copy != local,
                None => !local.is_empty(),
            }
    }

    /// Moves time on: the payload to publish (retained, QoS 1) on the topic, if one is due.
    /// A copy too big to publish is said in the status instead.
    pub fn poll(&mut self, now: f64, local: &Arrangement) -> Option<Vec<u8>> {
        let topic = self.topic.clone()?;
        if let Phase::Looking { until } = self.phase {
            if now >= until {
                self.phase = Phase::Live;
                if self.needs_publish(local) {
                    self.publish_at = Some(now);
                }
            }
        }
        if let Some(deadline) = self.echo.as_ref().and_then(|e| e.deadline) {
            if now >= deadline {
                self.echo = None;
                self.problem = Some(format!(
                    "Refused by the broker: it did not keep the household copy on {topic} (it took the message but never sent it back within {} s); an ACL probably forbids this login to write there",
                    (ECHO_WAIT_MS / 1000.0) as u64
                ));
            }
        }
        if self.phase != Phase::Live || self.publish_at.is_none_or(|at| now < at) {
            return None;
        }
        self.publish_at = None;
        if !self.needs_publish(local) {
            return None;
        }
        match encode(local, &self.extra) {
            Ok(payload) => {
                self.echo = Some(Echo {
                    ticket: None,
                    payload: payload.clone(),
                    deadline: None,
                });
                Some(payload)
            }
            Err(why) => {
                self.problem = Some(format!("Not shared: {why}"));
                None
            }
        }
    }

    /// The store published the payload `poll` returned under this ticket.
    pub fn published(&mut self, ticket: PublishTicket) {
        if let Some(echo) = &mut self.echo {
            echo.ticket = Some(ticket);
        }
    }

    /// The broker acknowledged a publish: if it was our copy, it must now come back within
    /// [`ECHO_WAIT_MS`]. Returns whether the ticket was ours.
    pub fn delivered(&mut self, ticket: PublishTicket, now: f64) -> bool {
        match &mut self.echo {
            Some(echo) if echo.ticket == Some(ticket) => {
                echo.deadline = Some(now + ECHO_WAIT_MS);
                true
            }
            _ => false,
        }
    }

    /// A publish failed or was refused before the broker took it: if it was ours, the
    /// status says why. Returns whether the ticket was ours.
    pub fn failed(&mut self, ticket: PublishTicket, why: &str) -> bool {
        match &self.echo {
            Some(echo) if echo.ticket == Some(ticket) => {
                self.echo = None;
                self.problem = Some(format!("The household copy was not sent: {why}"));
                true
            }
            _ => false,
        }
    }

    /// The payload `poll` returned could not be handed to the connection: said in the
    /// status, and tried again with the next change.
    pub fn not_sent(&mut self, why: &str) {
        self.echo = None;
        self.problem = Some(format!("The household copy was not sent: {why}"));
    }

    /// When `poll` has something to do next, if ever.
    pub fn next_deadline(&self) -> Option<f64> {
        self.topic.as_ref()?;
        let looking = match self.phase {
            Phase::Looking { until } => Some(until),
            _ => None,
        };
        let publish = self.publish_at.filter(|_| self.phase == Phase::Live);
        [
            looking,
            publish,
            self.echo.as_ref().and_then(|e| e.deadline),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min)
    }

    /// What the settings field says now.
    pub fn status(&self) -> SyncStatus {
        if self.topic.is_none() {
            return SyncStatus::Off;
        }
        if let Some(problem) = &self.problem {
            return SyncStatus::Problem(problem.clone());
        }
        match self.phase {
            Phase::Offline => SyncStatus::Offline,
            Phase::Subscribing | Phase::Looking { .. } => SyncStatus::Reading,
            // The refusal is the problem above; this is only reached if it was cleared.
            Phase::ReadRefused => SyncStatus::Reading,
            Phase::Live => {
                if self.echo.is_some() || self.publish_at.is_some() {
                    SyncStatus::Sharing
                } else if let Some(at) = self.last_synced {
                    SyncStatus::Synced(at)
                } else {
                    SyncStatus::Empty
                }
            }
        }
    }
}
