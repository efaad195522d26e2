//! Changes made while the broker is out of reach, kept per broker profile in localStorage so
//! they survive a reload or a closed tab, and sent in order, once, when that profile connects
//! again. Pure (tested natively in `tests/store_queue.rs`); the reactive store persists it
//! under [`super::profile_keys::ProfileKeys::queue`] and replays it.
//!
//! One entry per lamp: a second change to a lamp already waiting is folded into its entry
//! ([`coalesce`]: "on" then "off" waits as "off"), so a reload never replays a flicker. Each
//! entry carries the messages exactly as they will be sent (computed by the lamp's binding
//! when queued), the changes (to show them on the card again after a reload) and the lamp's
//! confirmed state at that moment ([`fingerprint`]). A live state that differs from it
//! before the entry could be sent makes the change moot ([`Queue::moot`]): someone changed
//! the lamp elsewhere, and sending would overwrite the newer state (a plain lamp's command is
//! its whole retained state), so the entry is dropped and the card says so.
//!
//! The stored form is versioned JSON (`lampboard_queue: 1`); a damaged entry is skipped and
//! named, an unknown version or unreadable text reads as empty and is reported, never a panic.

use serde::{Deserialize, Serialize};

use crate::lamp::{ColorMode, LampChange, LampId, LampState, Outgoing, Rgb};

/// The stored form's version.
pub const QUEUE_FORMAT: u32 = 1;
/// At most this many lamps wait (one entry each): a whole house switched offline fits, and
/// the stored form stays small next to the snapshot's 200 KB.
pub const MAX_ENTRIES: usize = 300;
/// At most this many changes fold into one entry (a colour dragged offline is one change,
/// the last; this only bounds hostile stored input).
pub const MAX_CHANGES: usize = 8;

/// A card's reason line for a queued change dropped because the lamp reported a newer state
/// from elsewhere before the change could be sent.
pub const MOOT_TEXT: &str = "Not sent: the lamp changed elsewhere while you were offline, so your change was dropped instead of overwriting it";

/// One change as stored (the lamp model's [`LampChange`] has no stored form of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum StoredChange {
    /// [`LampChange::On`].
    On {
        /// On or off.
        on: bool,
    },
    /// [`LampChange::Brightness`].
    Brightness {
        /// Percent.
        pct: u8,
    },
    /// [`LampChange::Color`].
    Color {
        /// Red.
        r: u8,
        /// Green.
        g: u8,
        /// Blue.
        b: u8,
    },
    /// [`LampChange::ColorTemp`].
    ColorTemp {
        /// Mireds.
        mireds: u16,
    },
    /// [`LampChange::Effect`].
    Effect {
        /// The effect's name.
        name: String,
    },
}

impl From<&LampChange> for StoredChange {
    fn from(change: &LampChange) -> Self {
        match change {
            LampChange::On(on) => StoredChange::On { on: *on },
            LampChange::Brightness(pct) => StoredChange::Brightness { pct: *pct },
            LampChange::Color(c) => StoredChange::Color {
                r: c.r,
                g: c.g,
                b: c.b,
            },
            LampChange::ColorTemp(mireds) => StoredChange::ColorTemp { mireds: *mireds },
            LampChange::Effect(name) => StoredChange::Effect { name: name.clone() },
        }
    }
}

impl From<&StoredChange> for LampChange {
    fn from(change: &StoredChange) -> Self {
        match change {
            StoredChange::On { on } => LampChange::On(*on),
            StoredChange::Brightness { pct } => LampChange::Brightness(*pct),
            StoredChange::Color { r, g, b } => LampChange::Color(Rgb {
                r: *r,
                g: *g,
                b: *b,
            }),
            StoredChange::ColorTemp { mireds } => LampChange::ColorTemp(*mireds),
            StoredChange::Effect { name } => LampChange::Effect(name.clone()),
        }
    }
}

/// One message as it will be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedMessage {
    /// The topic.
    pub topic: String,
    /// The payload (every lamp format is text).
    pub payload: String,
    /// The retain flag the binding asked for.
    pub retain: bool,
}

impl QueuedMessage {
    /// The message to publish.
    pub fn to_outgoing(&self) -> Outgoing {
        Outgoing {
            topic: self.topic.clone(),
            payload: self.payload.as_bytes().to_vec(),
            retain: self.retain,
        }
    }
}

/// One lamp's waiting change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedChange {
    /// Its place in the order of the user's actions (larger = later).
    pub seq: u64,
    /// The lamp.
    pub lamp: String,
    /// What the user asked, in order (shown on the card again after a reload).
    pub changes: Vec<StoredChange>,
    /// What will be sent, in order.
    pub messages: Vec<QueuedMessage>,
    /// [`fingerprint`] of the lamp's confirmed state when the change was first queued.
    pub base: String,
    /// Wall-clock ms when it was (last) queued.
    pub at: f64,
    /// Handed to the client and awaiting the broker (not stored: after a reload nothing is
    /// in flight, and the entry is sent again).
    #[serde(skip)]
    pub in_flight: bool,
}

impl QueuedChange {
    /// The lamp's id.
    pub fn lamp_id(&self) -> LampId {
        LampId(self.lamp.clone())
    }

    /// The changes as the lamp model's.
    pub fn lamp_changes(&self) -> Vec<LampChange> {
        self.changes.iter().map(LampChange::from).collect()
    }

    /// The messages to publish.
    pub fn outgoing(&self) -> Vec<Outgoing> {
        self.messages
            .iter()
            .map(QueuedMessage::to_outgoing)
            .collect()
    }
}

/// A colour mode as fingerprints have always spelled it (the enum's variant names), so a
/// queue saved by an earlier version still compares equal. Spelled out, not `Debug`: the
/// release build formats derived `Debug` shallowly (`-Zfmt-debug=shallow`,
/// xtask/src/nightly.rs), and a stored text must not depend on a compiler flag.
fn mode_text(mode: ColorMode) -> &'static str {
    match mode {
        ColorMode::OnOff => "OnOff",
        ColorMode::Brightness => "Brightness",
        ColorMode::ColorTemp => "ColorTemp",
        ColorMode::Hs => "Hs",
        ColorMode::Xy => "Xy",
        ColorMode::Rgb => "Rgb",
        ColorMode::Rgbw => "Rgbw",
        ColorMode::Rgbww => "Rgbww",
        ColorMode::White => "White",
    }
}

/// What a lamp's confirmed state was, in a stable text (the lamp model's types have no
/// stored form): on/off, brightness, colour mode, colour, temperature and effect. Compared,
/// never parsed.
pub fn fingerprint(state: &LampState) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    format!(
        "on={};bri={};mode={};rgb={};ct={};fx={}",
        opt(state.on.map(|o| u8::from(o).to_string())),
        opt(state.brightness_pct.map(|b| format!("{b:.2}"))),
        opt(state.color_mode.map(|m| mode_text(m).to_owned())),
        opt(state.rgb.map(|c| format!("{},{},{}", c.r, c.g, c.b))),
        opt(state.color_temp_mireds.map(|m| m.to_string())),
        opt(state.effect.clone()),
    )
}

/// Folds new changes into the ones already waiting for a lamp: a later change of the same
/// kind replaces the earlier (colour and colour temperature are one kind: the lamp shows
/// one), so what waits is what the user last asked, in the order asked.
pub fn coalesce(waiting: &[LampChange], new: &[LampChange]) -> Vec<LampChange> {
    fn kind(c: &LampChange) -> u8 {
        match c {
            LampChange::On(_) => 0,
            LampChange::Brightness(_) => 1,
            LampChange::Color(_) | LampChange::ColorTemp(_) => 2,
            LampChange::Effect(_) => 3,
        }
    }
    let mut out: Vec<LampChange> = waiting.to_vec();
    for change in new {
        out.retain(|c| kind(c) != kind(change));
        out.push(change.clone());
    }
    out
}

/// The stored form.
#[derive(Serialize, Deserialize)]
struct StoredQueue {
    lampboard_queue: u32,
    next: u64,
    entries: Vec<serde_json::Value>,
}

/// The queue read back: what could be read, and what was skipped, in words.
#[derive(Debug, Default)]
pub struct LoadedQueue {
    /// The readable entries, in order.
    pub queue: Queue,
    /// Why parts (or all) of the stored queue were left out; empty when all was read.
    pub skipped: Vec<String>,
}

/// The waiting changes of one profile, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Queue {
    entries: Vec<QueuedChange>,
    next: u64,
}

impl Queue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[QueuedChange] {
        &self.entries
    }

    /// How many lamps have a change waiting.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry waiting for a lamp.
    pub fn get(&self, lamp: &LampId) -> Option<&QueuedChange> {
        self.entries.iter().find(|e| e.lamp == lamp.0)
    }

    /// The changes already waiting for a lamp (to [`coalesce`] a new one into).
    pub fn waiting_changes(&self, lamp: &LampId) -> Vec<LampChange> {
        self.get(lamp)
            .filter(|e| !e.in_flight)
            .map(QueuedChange::lamp_changes)
            .unwrap_or_default()
    }

    /// Queues `changes` for a lamp, to be sent as `messages` (computed for all of them
    /// against `confirmed`, the lamp's confirmed state). A lamp already waiting has its entry
    /// replaced, keeping the first entry's base, and moves to the end (the user's latest
    /// action last). Refused in words when the queue is full or a payload is not text.
    pub fn push(
        &mut self,
        lamp: &LampId,
        changes: &[LampChange],
        messages: &[Outgoing],
        confirmed: &LampState,
        now: f64,
    ) -> Result<u64, String> {
        let messages = messages
            .iter()
            .map(|m| {
                String::from_utf8(m.payload.clone())
                    .map(|payload| QueuedMessage {
                        topic: m.topic.clone(),
                        payload,
                        retain: m.retain,
                    })
                    .map_err(|_| {
                        "this lamp's command is not text and cannot be kept offline".to_owned()
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if messages.is_empty() {
            return Err("nothing to send".to_owned());
        }
        let previous = self
            .entries
            .iter()
            .position(|e| e.lamp == lamp.0 && !e.in_flight);
        let base = match previous {
            Some(i) => self.entries.remove(i).base,
            None => {
                if self.entries.len() >= MAX_ENTRIES {
                    return Err(format!(
                        "{MAX_ENTRIES} lamps already have a change waiting to be sent: this one was not kept"
                    ));
                }
                fingerprint(confirmed)
            }
        };
        self.next += 1;
        let seq = self.next;
        let start = changes.len().saturating_sub(MAX_CHANGES);
        self.entries.push(QueuedChange {
            seq,
            lamp: lamp.0.clone(),
            changes: changes[start..].iter().map(StoredChange::from).collect(),
            messages,
            base,
            at: now,
            in_flight: false,
        });
        Ok(seq)
    }

    /// The user cancelled a lamp's waiting change: removed and returned (None when nothing
    /// waits, or it is already on its way to the broker).
    pub fn cancel(&mut self, lamp: &LampId) -> Option<QueuedChange> {
        let i = self
            .entries
            .iter()
            .position(|e| e.lamp == lamp.0 && !e.in_flight)?;
        Some(self.entries.remove(i))
    }

    /// The lamp reported `live` (a state heard from the broker, not the snapshot): if it
    /// differs from the state the waiting change was made against, the change is moot and is
    /// removed and returned. An entry on its way (in flight) is left alone: the state may be
    /// its own echo.
    pub fn moot(&mut self, lamp: &LampId, live: &LampState) -> Option<QueuedChange> {
        let i = self
            .entries
            .iter()
            .position(|e| e.lamp == lamp.0 && !e.in_flight)?;
        if self.entries[i].base == fingerprint(live) {
            return None;
        }
        Some(self.entries.remove(i))
    }

    /// The entries to send now, oldest first, marked in flight (each is sent once per
    /// connection; [`Queue::taken`] removes it when the broker took it).
    pub fn start_sending(&mut self) -> Vec<QueuedChange> {
        let mut out = Vec::new();
        for e in &mut self.entries {
            if !e.in_flight {
                e.in_flight = true;
                out.push(e.clone());
            }
        }
        out
    }

    /// The broker took every message of entry `seq`: it leaves the queue. Returns whether it
    /// was there.
    pub fn taken(&mut self, seq: u64) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.seq != seq);
        self.entries.len() != before
    }

    /// Entry `seq` could not be sent (publish refused) or its connection went before the
    /// broker took it: back to waiting, so the next connection sends it.
    pub fn unsent(&mut self, seq: u64) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.seq == seq) {
            e.in_flight = false;
        }
    }

    /// Every entry back to waiting (the client went away).
    pub fn all_unsent(&mut self) {
        for e in &mut self.entries {
            e.in_flight = false;
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        let stored = StoredQueue {
            lampboard_queue: QUEUE_FORMAT,
            next: self.next,
            entries: self
                .entries
                .iter()
                .filter_map(|e| serde_json::to_value(e).ok())
                .collect(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// Reads the stored form. Unreadable text or another version is an empty queue with the
    /// reason; a damaged entry (or one over the limits) is skipped and named; order and
    /// numbering are kept.
    pub fn from_json(text: &str) -> LoadedQueue {
        let stored: StoredQueue = match serde_json::from_str(text) {
            Ok(s) => s,
            Err(e) => {
                return LoadedQueue {
                    queue: Queue::new(),
                    skipped: vec![format!("the stored queue is not readable ({e})")],
                }
            }
        };
        if stored.lampboard_queue != QUEUE_FORMAT {
            return LoadedQueue {
                queue: Queue::new(),
                skipped: vec![format!(
                    "the stored queue is of version {}, this app reads version {QUEUE_FORMAT}",
                    stored.lampboard_queue
                )],
            };
        }
        let mut queue = Queue {
            entries: Vec::new(),
            next: stored.next,
        };
        let mut skipped = Vec::new();
        for (i, value) in stored.entries.into_iter().enumerate() {
            match serde_json::from_value::<QueuedChange>(value) {
                Ok(e) if queue.entries.len() >= MAX_ENTRIES => {
                    skipped.push(format!(
                        "change {} for {}: over {MAX_ENTRIES} lamps",
                        i + 1,
                        e.lamp
                    ));
                }
                Ok(e) if e.messages.is_empty() || e.changes.len() > MAX_CHANGES => {
                    skipped.push(format!("change {} for {}: nothing to send", i + 1, e.lamp));
                }
                Ok(e) if queue.entries.iter().any(|k| k.lamp == e.lamp) => {
                    skipped.push(format!(
                        "change {} for {}: a second entry for one lamp",
                        i + 1,
                        e.lamp
                    ));
                }
                Ok(e) => {
                    queue.next = queue.next.max(e.seq);
                    queue.entries.push(e);
                }
                Err(why) => skipped.push(format!("change {}: {why}", i + 1)),
            }
        }
        queue.entries.sort_by_key(|e| e.seq);
        LoadedQueue { queue, skipped }
    }
}
