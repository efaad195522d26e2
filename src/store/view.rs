//! What one card shows, and the rules for grouping cards into rooms and for
//! showing a change before the broker confirms it. Pure, tested natively.

use crate::lamp::{Lamp, LampChange, LampId, LampState, SourceKind};

/// Where the user's last change to a lamp stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Delivery {
    /// Nothing sent recently.
    #[default]
    Idle,
    /// Sent at QoS 1 or 2, waiting for the broker's acknowledgement.
    Pending,
    /// Waiting in the profile's offline queue (`store::queue`): sent when the profile's
    /// broker is connected again, even after a reload.
    Queued,
    /// Acknowledged (PUBACK, PUBCOMP), or handed to the socket at QoS 0.
    Delivered,
    /// Asked at QoS 2, acknowledged at QoS 1 (PUBACK): the broker does not do QoS 2
    /// (RabbitMQ 3.x). Said on the card once, for the change that found it out; later
    /// changes on that connection are sent at QoS 1 and marked plain `Delivered`.
    Downgraded,
    /// Not sent; the card went back to the last confirmed state. The reason in words.
    Failed(String),
    /// The broker took the change but no state came back within [`ECHO_WAIT_MS`]: a
    /// broker whose ACL forbids the write acknowledges it and drops it silently, so
    /// only the missing echo tells. The card went back to the last confirmed state.
    NoEcho,
}

/// How long a delivered change may go without the lamp's state echoing it before
/// the card says so. Lamps on a home network answer in well under a second; five
/// seconds leaves room for a slow Zigbee mesh without leaving a lie on screen.
pub const ECHO_WAIT_MS: f64 = 5_000.0;

/// The card's line for [`Delivery::Downgraded`].
pub const DOWNGRADED_TEXT: &str = "This broker accepted it at QoS 1";

/// The card's reason line for a change still unconfirmed when the client was closed or
/// replaced (Disconnect, Reconnect, new settings): its ticket belongs to the old client,
/// whose answer will never come, so the card goes back rather than saying "Sending…"
/// forever.
pub const REPLACED_TEXT: &str = "The connection was closed or replaced (Disconnect, Reconnect or new settings) before the broker confirmed this change: not sent";

/// The mark of a change waiting in the offline queue ([`Delivery::Queued`]).
pub const QUEUED_TEXT: &str = "Will send when connected";
/// [`QUEUED_TEXT`] where a tile's corner has room for one word.
pub const QUEUED_SHORT: &str = "Queued";

/// The card's reason line for [`Delivery::NoEcho`].
pub const NO_ECHO_TEXT: &str = "The lamp did not confirm this change: the broker may not allow it";

impl Delivery {
    /// The short mark beside the lamp's age. A few words only, so the header of a
    /// card stays one or two lines on a phone; the reason goes in [`Delivery::reason`].
    pub fn mark(&self) -> &'static str {
        match self {
            Delivery::Idle => "",
            Delivery::Pending => "Sending…",
            Delivery::Queued => QUEUED_TEXT,
            Delivery::Delivered | Delivery::Downgraded => "✓ Delivered",
            Delivery::Failed(_) => "Not sent",
            Delivery::NoEcho => "No answer",
        }
    }

    /// The mark where room is short (a tile's corner): the same as [`Delivery::mark`] but
    /// for a queued change, which says *Queued* there and the whole [`QUEUED_TEXT`] in its
    /// title, the sheet and the tile's spoken text.
    pub fn short_mark(&self) -> &'static str {
        match self {
            Delivery::Queued => QUEUED_SHORT,
            other => other.mark(),
        }
    }

    /// Why a change did not take, shown across the card under its header; None while
    /// nothing went wrong.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Delivery::Failed(why) => Some(why),
            Delivery::NoEcho => Some(NO_ECHO_TEXT),
            Delivery::Downgraded => Some(DOWNGRADED_TEXT),
            Delivery::Idle | Delivery::Pending | Delivery::Queued | Delivery::Delivered => None,
        }
    }
}

/// One lamp as a card renders it: the directory's lamp, the change shown
/// ahead of confirmation, the time of the last state and the delivery mark.
#[derive(Debug, Clone, PartialEq)]
pub struct LampView {
    /// The lamp as the broker last described it.
    pub lamp: Lamp,
    /// What the card shows: `lamp.state` with the user's unconfirmed change applied.
    pub shown: LampState,
    /// Wall-clock ms (Date.now) of the last state message; None before any.
    pub updated_at: Option<f64>,
    /// The delivery mark.
    pub delivery: Delivery,
    /// Shown from the last visit's snapshot and not heard live since: the card is greyed.
    pub stale: bool,
    /// Wall-clock ms by which a delivered change must have been echoed; None when
    /// nothing is awaited.
    pub echo_due: Option<f64>,
}

impl LampView {
    /// A card for a lamp just heard of.
    pub fn new(lamp: Lamp, now: f64) -> Self {
        let shown = lamp.state.clone();
        Self {
            lamp,
            shown,
            updated_at: Some(now),
            delivery: Delivery::Idle,
            stale: false,
            echo_due: None,
        }
    }

    /// The broker told us the lamp's state: it replaces any optimistic guess.
    pub fn confirm(&mut self, lamp: Lamp, now: f64) {
        self.shown = lamp.state.clone();
        self.lamp = lamp;
        self.updated_at = Some(now);
        self.stale = false;
        self.echo_due = None;
    }

    /// Whether the card shows a change of the user's the broker has not confirmed yet: the
    /// user is watching this card for the echo, so it is redrawn at once, not at the next frame.
    pub fn has_unconfirmed_change(&self) -> bool {
        self.shown != self.lamp.state
    }

    /// Shows `change` at once, before the broker echoes it.
    pub fn assume(&mut self, change: &LampChange) {
        apply_change(&mut self.shown, change);
    }

    /// The publish failed: back to what the broker last said, with the reason.
    pub fn roll_back(&mut self, why: String) {
        self.shown = self.lamp.state.clone();
        self.delivery = Delivery::Failed(why);
        self.echo_due = None;
    }

    /// The broker acknowledged the change (or took it at QoS 0): from now the
    /// lamp's state has until `now + ECHO_WAIT_MS` to come back.
    pub fn delivered(&mut self, now: f64) {
        self.delivery = Delivery::Delivered;
        self.echo_due = Some(now + ECHO_WAIT_MS);
    }

    /// [`LampView::delivered`], saying the broker took it at QoS 1 although QoS 2 was
    /// asked.
    pub fn delivered_downgraded(&mut self, now: f64) {
        self.delivered(now);
        self.delivery = Delivery::Downgraded;
    }

    /// Whether the echo of a delivered change is overdue: the deadline passed and
    /// the card still shows something the broker never confirmed. A change that
    /// ended where the lamp already was (on, then off again) has nothing to wait for.
    pub fn echo_overdue(&self, now: f64) -> bool {
        matches!(self.delivery, Delivery::Delivered | Delivery::Downgraded)
            && self.echo_due.is_some_and(|due| now >= due)
            && self.shown != self.lamp.state
    }

    /// Applies the echo rule at `now`: an overdue change goes back to the last
    /// confirmed state and the mark says why. Returns whether it did.
    pub fn check_echo(&mut self, now: f64) -> bool {
        if !self.echo_overdue(now) {
            return false;
        }
        self.shown = self.lamp.state.clone();
        self.delivery = Delivery::NoEcho;
        self.echo_due = None;
        true
    }

    /// The room heading this card sits under.
    pub fn room(&self) -> String {
        room_of(&self.lamp)
    }
}

/// The card's reason line for a lamp its availability topic reports offline.
pub const UNAVAILABLE_OFFLINE: &str =
    "Unavailable: the lamp's availability topic says it is offline";
/// The card's reason line for a lamp whose availability topic has not said "online" yet
/// (Home Assistant shows such a lamp unavailable until it does).
pub const UNAVAILABLE_UNHEARD: &str =
    "Unavailable: the lamp's availability topic has not said it is online yet";
/// The card's line for a lamp whose on/off nobody has told (or that said "unknown").
pub const STATE_UNKNOWN: &str = "State unknown";

/// What a card says about the lamp itself, above its controls: whether it can be reached,
/// then whether its on/off is known. None for a reachable lamp in a known state, so a card
/// that has nothing to confess shows no line.
pub fn condition(view: &LampView) -> Option<&'static str> {
    if !view.lamp.available {
        return Some(if view.lamp.availability_heard() {
            UNAVAILABLE_OFFLINE
        } else {
            UNAVAILABLE_UNHEARD
        });
    }
    view.shown.on.is_none().then_some(STATE_UNKNOWN)
}

/// The tile's one line of state (the tile has room for one): what is wrong first
/// (unreachable, unreadable, unknown), else on with its brightness when known, or off; a
/// lamp shown from the last visit says so.
pub fn tile_state(view: &LampView) -> String {
    if !view.lamp.available {
        return "Offline".to_owned();
    }
    if view.lamp.unreadable.is_some() {
        return "Unreadable message".to_owned();
    }
    let state = match (view.shown.on, view.shown.brightness_pct) {
        (None, _) => return STATE_UNKNOWN.to_owned(),
        (Some(false), _) => "Off".to_owned(),
        (Some(true), Some(b)) => format!("On · {} %", b.clamp(0.0, 100.0).round() as u8),
        (Some(true), None) => "On".to_owned(),
    };
    if view.stale {
        format!("{state} · last known")
    } else {
        state
    }
}

/// The accessible name of a card's switch. Known: the state, as a switch's name says it
/// (the role carries the action). Unknown: the action, because the button is then no
/// switch (ARIA gives `role=switch` no "mixed") and a press turns the lamp on.
pub fn switch_label(name: &str, on: Option<bool>) -> String {
    match on {
        Some(true) => format!("{name} is on"),
        Some(false) => format!("{name} is off"),
        None => format!("Turn {name} on (its state is unknown)"),
    }
}

/// What a press of the card's switch asks: the opposite of a known state, and "on" for an
/// unknown one (turning on is what a person pressing a light's switch in the dark expects).
pub fn toggle_change(on: Option<bool>) -> LampChange {
    LampChange::On(on != Some(true))
}

/// The change as the lamp will look once it obeys.
pub fn apply_change(state: &mut LampState, change: &LampChange) {
    change.apply_to(state);
}

/// A lamp's room: the one its source names, else the ecosystem it came from,
/// so Home Assistant and Zigbee2MQTT lamps without an area stay together.
pub fn room_of(lamp: &Lamp) -> String {
    match (&lamp.room, lamp.source_kind()) {
        (Some(room), _) if !room.trim().is_empty() => room.clone(),
        (_, SourceKind::Seed) => "Other lamps".to_owned(),
        (_, kind) => kind.label().to_owned(),
    }
}

/// One room heading and its lamps, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// The heading.
    pub name: String,
    /// Lamp ids, sorted by lamp name.
    pub lamps: Vec<LampId>,
}

/// Groups lamps into rooms: one room per name whatever its case ("living" from a
/// topic and "Living" from Home Assistant are the same room), rooms sorted by
/// name, lamps by name then id, so the grid does not jump as messages arrive.
/// Room names are unique, which the keyed room list relies on.
pub fn group_rooms<'a>(lamps: impl Iterator<Item = &'a Lamp>) -> Vec<Room> {
    let mut rooms: std::collections::BTreeMap<String, (String, Vec<(String, LampId)>)> =
        std::collections::BTreeMap::new();
    for lamp in lamps {
        let name = room_of(lamp);
        let key = name.trim().to_lowercase();
        let entry = rooms
            .entry(key)
            .or_insert_with(|| (name.clone(), Vec::new()));
        // Prefer the spelling that starts with a capital, as a person would write it.
        if name.starts_with(char::is_uppercase) && !entry.0.starts_with(char::is_uppercase) {
            entry.0 = name;
        }
        entry.1.push((lamp.name.to_lowercase(), lamp.id.clone()));
    }
    rooms
        .into_values()
        .map(|(name, mut lamps)| {
            lamps.sort();
            Room {
                name,
                lamps: lamps.into_iter().map(|(_, id)| id).collect(),
            }
        })
        .collect()
}

/// "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago".
pub fn age_text(updated_at: Option<f64>, now: f64) -> String {
    let Some(at) = updated_at else {
        return "no state yet".to_owned();
    };
    let secs = ((now - at) / 1000.0).max(0.0) as u64;
    match secs {
        0..=4 => "just now".to_owned(),
        5..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lamp::{DirectorySettings, LampDirectory, Rgb};

    fn directory_with(messages: &[(&str, &str)]) -> LampDirectory {
        let mut d = LampDirectory::new(DirectorySettings::default());
        for (topic, payload) in messages {
            d.handle_message(topic, payload.as_bytes(), true);
        }
        d
    }

    #[test]
    fn rooms_are_sorted_and_lamps_grouped_under_them() {
        let d = directory_with(&[
            ("smarthome/kitchen/lamps/top", r#"{"state":"ON"}"#),
            ("smarthome/bedroom/lamps/reading", r#"{"state":"OFF"}"#),
            ("smarthome/kitchen/lamps/counter", r#"{"state":"OFF"}"#),
        ]);
        let rooms = group_rooms(d.lamps());
        let names: Vec<_> = rooms.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["bedroom", "kitchen"]);
        let kitchen: Vec<_> = rooms[1].lamps.iter().map(|id| id.as_str()).collect();
        assert_eq!(
            kitchen,
            [
                "smarthome/kitchen/lamps/counter",
                "smarthome/kitchen/lamps/top"
            ]
        );
    }

    #[test]
    fn rooms_differing_only_in_case_are_one_room_listed_once() {
        let d = directory_with(&[
            ("smarthome/living/lamps/ceiling", r#"{"state":"ON"}"#),
            ("smarthome/Living/lamps/reading", r#"{"state":"ON"}"#),
            ("smarthome/living/lamps/floor", r#"{"state":"OFF"}"#),
            ("smarthome/office/lamps/desk", r#"{"state":"OFF"}"#),
        ]);
        let rooms = group_rooms(d.lamps());
        let names: Vec<_> = rooms.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Living", "office"]);
        assert_eq!(rooms[0].lamps.len(), 3);
    }

    #[test]
    fn an_assumed_change_shows_until_rolled_back_or_confirmed() {
        let d = directory_with(&[("smarthome/hall/lamps/a", r#"{"state":"OFF"}"#)]);
        let lamp = d.lamps().next().unwrap().clone();
        let mut view = LampView::new(lamp.clone(), 0.0);
        view.assume(&LampChange::On(true));
        view.assume(&LampChange::Color(Rgb {
            r: 0,
            g: 255,
            b: 255,
        }));
        assert_eq!(view.shown.on, Some(true));
        assert_eq!(
            view.shown.rgb,
            Some(Rgb {
                r: 0,
                g: 255,
                b: 255
            })
        );
        assert_eq!(
            view.lamp.state.on,
            Some(false),
            "the confirmed state is untouched"
        );
        view.roll_back("the offline queue is full".into());
        assert_eq!(view.shown.on, Some(false));
        assert_eq!(
            view.delivery,
            Delivery::Failed("the offline queue is full".into())
        );
        view.assume(&LampChange::Brightness(0));
        assert_eq!(view.shown.on, Some(false));
        view.confirm(lamp, 5.0);
        assert_eq!(view.updated_at, Some(5.0));
    }

    #[test]
    fn a_tiles_state_line_says_what_is_wrong_first_then_on_with_brightness_or_off() {
        let d = directory_with(&[
            (
                "smarthome/hall/lamps/a",
                r#"{"state":"ON","brightness":128}"#,
            ),
            ("smarthome/hall/lamps/b", r#"{"state":"ON"}"#),
            (
                "smarthome/hall/lamps/c",
                r#"{"state":"OFF","brightness":40}"#,
            ),
            ("smarthome/hall/lamps/d", r#"{"brightness":40}"#),
        ]);
        let view = |id: &str| {
            let lamp = d
                .lamp(&LampId(format!("smarthome/hall/lamps/{id}")))
                .unwrap();
            LampView::new(lamp.clone(), 0.0)
        };
        assert_eq!(tile_state(&view("a")), "On · 50 %");
        assert_eq!(tile_state(&view("b")), "On");
        assert_eq!(tile_state(&view("c")), "Off");
        assert_eq!(tile_state(&view("d")), STATE_UNKNOWN);
        let mut stale = view("c");
        stale.stale = true;
        assert_eq!(tile_state(&stale), "Off · last known");
        let mut gone = view("a");
        gone.lamp.available = false;
        assert_eq!(tile_state(&gone), "Offline", "unreachable wins over on");
    }

    fn hall_lamp_off() -> LampView {
        let d = directory_with(&[("smarthome/hall/lamps/a", r#"{"state":"OFF"}"#)]);
        let lamp = d.lamps().next().unwrap().clone();
        LampView::new(lamp, 0.0)
    }

    /// The hall lamp as the broker reports it after it obeyed "on".
    fn hall_lamp_echoed_on() -> Lamp {
        directory_with(&[("smarthome/hall/lamps/a", r#"{"state":"ON"}"#)])
            .lamps()
            .next()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_delivered_change_with_no_echo_goes_back_once_the_wait_is_over() {
        let mut view = hall_lamp_off();
        view.assume(&LampChange::On(true));
        view.delivery = Delivery::Pending;
        assert!(!view.check_echo(1e12), "nothing is due while pending");
        view.delivered(1_000.0);
        assert!(!view.check_echo(1_000.0 + ECHO_WAIT_MS - 1.0));
        assert_eq!(view.shown.on, Some(true), "still shown while waiting");
        assert!(view.check_echo(1_000.0 + ECHO_WAIT_MS));
        assert_eq!(view.shown.on, Some(false), "back to the confirmed state");
        assert_eq!(view.delivery, Delivery::NoEcho);
        assert!(!view.check_echo(1e12), "said once");
    }

    #[test]
    fn a_change_that_did_not_take_has_a_short_mark_and_a_reason() {
        let failed = Delivery::Failed("the offline queue is full".into());
        assert_eq!(failed.mark(), "Not sent");
        assert_eq!(failed.reason(), Some("the offline queue is full"));
        assert_eq!(Delivery::NoEcho.mark(), "No answer");
        assert_eq!(Delivery::NoEcho.reason(), Some(NO_ECHO_TEXT));
        for fine in [Delivery::Idle, Delivery::Pending, Delivery::Delivered] {
            assert_eq!(fine.reason(), None, "{fine:?}");
            assert!(fine.mark().len() <= "✓ Delivered".len(), "{fine:?}");
        }
    }

    #[test]
    fn a_change_taken_at_qos1_says_so_and_still_awaits_its_echo() {
        let mut view = hall_lamp_off();
        view.assume(&LampChange::On(true));
        view.delivered_downgraded(1_000.0);
        assert_eq!(view.delivery.mark(), "✓ Delivered");
        assert_eq!(view.delivery.reason(), Some(DOWNGRADED_TEXT));
        assert!(
            view.check_echo(1_000.0 + ECHO_WAIT_MS),
            "the echo rule still holds"
        );
        assert_eq!(view.delivery, Delivery::NoEcho);
    }

    #[test]
    fn an_echo_before_the_deadline_confirms_and_cancels_the_wait() {
        let mut view = hall_lamp_off();
        view.assume(&LampChange::On(true));
        view.delivered(0.0);
        let echoed = hall_lamp_echoed_on();
        view.confirm(echoed, 200.0);
        assert!(!view.check_echo(ECHO_WAIT_MS * 2.0));
        assert_eq!(view.shown.on, Some(true));
        assert_eq!(view.delivery, Delivery::Delivered);
    }

    #[test]
    fn a_change_back_to_the_confirmed_state_awaits_no_echo() {
        let mut view = hall_lamp_off();
        view.assume(&LampChange::On(true));
        view.assume(&LampChange::On(false));
        view.delivered(0.0);
        assert!(!view.check_echo(ECHO_WAIT_MS * 2.0));
        assert_eq!(view.delivery, Delivery::Delivered);
    }

    #[test]
    fn a_card_awaits_an_echo_only_while_it_shows_an_unconfirmed_change() {
        let mut view = hall_lamp_off();
        assert!(!view.has_unconfirmed_change());
        view.assume(&LampChange::On(true));
        assert!(
            view.has_unconfirmed_change(),
            "the user's change is on screen"
        );
        let echoed = hall_lamp_echoed_on();
        view.confirm(echoed, 10.0);
        assert!(!view.has_unconfirmed_change(), "the echo confirmed it");
    }

    fn view_of(messages: &[(&str, &str)], id: &str) -> LampView {
        let d = directory_with(messages);
        let lamp = d.lamp(&LampId(id.into())).expect("the lamp").clone();
        LampView::new(lamp, 0.0)
    }

    const PORCH: &str = "homeassistant/light/porch/config";
    const PORCH_CONFIG: &str = r#"{"schema":"json","name":"Porch","command_topic":"porch/set","state_topic":"porch/state","availability_topic":"porch/avail"}"#;

    #[test]
    fn a_card_says_unavailable_with_why_before_it_says_unknown() {
        let v = view_of(&[(PORCH, PORCH_CONFIG)], PORCH);
        assert_eq!(
            condition(&v),
            Some(UNAVAILABLE_UNHEARD),
            "nothing heard yet"
        );
        let v = view_of(&[(PORCH, PORCH_CONFIG), ("porch/avail", "offline")], PORCH);
        assert_eq!(condition(&v), Some(UNAVAILABLE_OFFLINE));
        let v = view_of(&[(PORCH, PORCH_CONFIG), ("porch/avail", "online")], PORCH);
        assert_eq!(
            condition(&v),
            Some(STATE_UNKNOWN),
            "reachable, never told on/off"
        );
        let v = view_of(
            &[
                (PORCH, PORCH_CONFIG),
                ("porch/avail", "online"),
                ("porch/state", r#"{"state":"OFF"}"#),
            ],
            PORCH,
        );
        assert_eq!(condition(&v), None, "nothing to confess");
        let v = view_of(
            &[
                (PORCH, PORCH_CONFIG),
                ("porch/state", r#"{"state":"ON"}"#),
                ("porch/avail", "offline"),
            ],
            PORCH,
        );
        assert_eq!(condition(&v), Some(UNAVAILABLE_OFFLINE));
        assert_eq!(v.shown.on, Some(true), "the last state is kept");
    }

    #[test]
    fn an_unknown_switch_names_its_action_and_turns_the_lamp_on() {
        assert_eq!(switch_label("Desk", Some(true)), "Desk is on");
        assert_eq!(switch_label("Desk", Some(false)), "Desk is off");
        assert_eq!(
            switch_label("Desk", None),
            "Turn Desk on (its state is unknown)"
        );
        assert_eq!(toggle_change(Some(true)), LampChange::On(false));
        assert_eq!(toggle_change(Some(false)), LampChange::On(true));
        assert_eq!(toggle_change(None), LampChange::On(true));
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age_text(None, 0.0), "no state yet");
        assert_eq!(age_text(Some(1000.0), 3000.0), "just now");
        assert_eq!(age_text(Some(0.0), 42_000.0), "42 s ago");
        assert_eq!(age_text(Some(0.0), 300_000.0), "5 min ago");
        assert_eq!(age_text(Some(0.0), 3.0 * 3_600_000.0), "3 h ago");
        assert_eq!(age_text(Some(0.0), 2.0 * 86_400_000.0), "2 d ago");
    }
}
