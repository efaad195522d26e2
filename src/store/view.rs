//! What one card shows, and the rules for grouping cards into rooms and for
//! showing a change before the broker confirms it. Pure, tested natively.

use crate::lamp::{ColorMode, Lamp, LampChange, LampId, LampState, SourceKind};

/// Where the user's last change to a lamp stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Delivery {
    /// Nothing sent recently.
    #[default]
    Idle,
    /// Sent at QoS 1 or 2, waiting for the broker's acknowledgement.
    Pending,
    /// Acknowledged (PUBACK, PUBCOMP), or handed to the socket at QoS 0.
    Delivered,
    /// Not sent; the card went back to the last confirmed state. The reason in words.
    Failed(String),
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
        }
    }

    /// The broker told us the lamp's state: it replaces any optimistic guess.
    pub fn confirm(&mut self, lamp: Lamp, now: f64) {
        self.shown = lamp.state.clone();
        self.lamp = lamp;
        self.updated_at = Some(now);
        self.stale = false;
    }

    /// Shows `change` at once, before the broker echoes it.
    pub fn assume(&mut self, change: &LampChange) {
        apply_change(&mut self.shown, change);
    }

    /// The publish failed: back to what the broker last said, with the reason.
    pub fn roll_back(&mut self, why: String) {
        self.shown = self.lamp.state.clone();
        self.delivery = Delivery::Failed(why);
    }

    /// The room heading this card sits under.
    pub fn room(&self) -> String {
        room_of(&self.lamp)
    }
}

/// The change as the lamp will look once it obeys.
pub fn apply_change(state: &mut LampState, change: &LampChange) {
    match change {
        LampChange::On(on) => state.on = Some(*on),
        LampChange::Brightness(pct) => {
            state.brightness_pct = Some(f32::from((*pct).min(100)));
            state.on = Some(*pct > 0);
        }
        LampChange::Color(rgb) => {
            state.rgb = Some(*rgb);
            state.color_mode = Some(ColorMode::Rgb);
        }
        LampChange::ColorTemp(mireds) => {
            state.color_temp_mireds = Some(*mireds);
            state.color_mode = Some(ColorMode::ColorTemp);
        }
    }
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
    fn ages_read_naturally() {
        assert_eq!(age_text(None, 0.0), "no state yet");
        assert_eq!(age_text(Some(1000.0), 3000.0), "just now");
        assert_eq!(age_text(Some(0.0), 42_000.0), "42 s ago");
        assert_eq!(age_text(Some(0.0), 300_000.0), "5 min ago");
        assert_eq!(age_text(Some(0.0), 3.0 * 3_600_000.0), "3 h ago");
        assert_eq!(age_text(Some(0.0), 2.0 * 86_400_000.0), "2 d ago");
    }
}
