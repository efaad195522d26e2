//! Plain MQTT lamps: any topic under the user's lamp filters (default `smarthome/+/lamps/#`)
//! whose retained JSON is the lamp's whole state. The lamp appears by speaking, is written
//! back whole (unknown keys kept) and retained on its own topic, and disappears when its
//! retained state is cleared.
//!
//! Such a lamp has no configuration to announce what it can do, so its controls are learned
//! from the fields its messages actually carry: a lamp that only ever says `{"state":"ON"}`
//! gets a switch and nothing else.

use serde_json::{Map, Value};

use super::SourceKind;
use crate::lamp::command::{whole_state_payload, LampChange};
use crate::lamp::read::{read_object, read_state, ReadError, ReadOptions};
use crate::lamp::state::StateUpdate;
use crate::lamp::system::{
    Binding, BindingRef, CommandResult, Found, LampSpec, LampSystem, Outgoing,
};
use crate::lamp::topic_match::matches_any;
use crate::lamp::{Capabilities, Lamp, LampId};

/// Last topic levels that address a lamp's command or query, never a lamp of their own:
/// `smarthome/kitchen/lamps/island/set` is a write to `island`, not a lamp called "Set".
const COMMAND_LEVELS: &[&str] = &["set", "get", "command", "cmnd", "cmd"];

/// Room and name read from a seed topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedName {
    /// The level after `smarthome`, when the topic has the seed's shape.
    pub room: Option<String>,
    /// The levels after `lamps`, joined with " / " (so `top/turquoise` reads as a path
    /// without pretending to be a topic); the whole topic for other shapes.
    pub name: String,
}

/// Names a lamp from its topic. Topics matching a user filter but not the seed shape keep the
/// full topic as name, which is at least unambiguous.
pub fn seed_name(topic: &str) -> SeedName {
    let levels: Vec<&str> = topic.split('/').collect();
    match levels.as_slice() {
        ["smarthome", room, "lamps", rest @ ..]
            if !rest.is_empty() && !rest.iter().all(|l| l.is_empty()) =>
        {
            SeedName {
                room: Some((*room).to_string()),
                name: rest.join(" / "),
            }
        }
        _ => SeedName {
            room: None,
            name: topic.to_string(),
        },
    }
}

/// Whether a topic is a command or query sub-topic of a lamp rather than a lamp.
pub fn is_command_topic(topic: &str) -> bool {
    let last = topic.rsplit('/').next().unwrap_or_default();
    topic.contains('/') && COMMAND_LEVELS.iter().any(|c| last.eq_ignore_ascii_case(c))
}

/// The plain-MQTT system: lamps under the user's filters.
#[derive(Debug)]
pub struct SeedSystem {
    filters: Vec<String>,
}

impl SeedSystem {
    /// A system over the user's lamp filters.
    pub fn new(filters: Vec<String>) -> Self {
        SeedSystem { filters }
    }

    /// Whether a topic can be a seed lamp.
    pub fn claims(&self, topic: &str) -> bool {
        !is_command_topic(topic) && matches_any(&self.filters, topic)
    }
}

impl LampSystem for SeedSystem {
    fn kind(&self) -> SourceKind {
        SourceKind::Seed
    }

    fn subscriptions(&self) -> Vec<String> {
        self.filters.clone()
    }

    fn settings_key(&self) -> String {
        self.filters.join("\n")
    }

    fn keeps(&self, lamp: &Lamp) -> bool {
        self.claims(lamp.id.as_str())
    }

    fn precedence(&self) -> u8 {
        2
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        if !self.claims(topic) {
            return None;
        }
        let id = LampId(topic.to_owned());
        if payload.trim_ascii().is_empty() {
            // A cleared retained state (or a live clear, which arrives with retain = 0,
            // MQTT-3.3.1-9): the lamp is gone.
            return Some(if known(&id) {
                vec![Found::Gone(id)]
            } else {
                Vec::new()
            });
        }
        if known(&id) {
            // A state of a lamp we have: the directory routes it to the binding.
            return None;
        }
        match read_seed(payload) {
            Ok((update, _)) if update.recognized => {
                let n = seed_name(topic);
                Some(vec![Found::Lamp(LampSpec {
                    id,
                    name: n.name,
                    room: n.room,
                    binding: BindingRef::new(SeedBinding {
                        topic: topic.to_owned(),
                    }),
                })])
            }
            Ok(_) => Some(vec![Found::Unreadable(ReadError::NotAState {
                found: "a JSON object without lamp keys".into(),
            })]),
            Err(e) => Some(vec![Found::Unreadable(e)]),
        }
    }
}

/// Reads a seed payload: a JSON object (returned too, to merge into the document) or plain
/// `ON`/`OFF`.
fn read_seed(payload: &[u8]) -> Result<(StateUpdate, Option<Map<String, Value>>), ReadError> {
    let trimmed = payload.trim_ascii();
    if trimmed.first() != Some(&b'{') {
        return read_state(trimmed, &ReadOptions::default()).map(|u| (u, None));
    }
    match serde_json::from_slice::<Value>(trimmed) {
        Ok(Value::Object(o)) => Ok((read_object(&o, &ReadOptions::default()), Some(o))),
        Ok(_) => Err(ReadError::NotAState {
            found: "JSON that is not an object".into(),
        }),
        Err(e) => Err(ReadError::InvalidJson {
            message: e.to_string(),
        }),
    }
}

/// One plain MQTT lamp: its topic is its state.
#[derive(Debug, PartialEq)]
pub struct SeedBinding {
    topic: String,
}

impl Binding for SeedBinding {
    fn kind(&self) -> SourceKind {
        SourceKind::Seed
    }

    fn state_topics(&self) -> Vec<String> {
        vec![self.topic.clone()]
    }

    fn read(
        &self,
        _topic: &str,
        payload: &[u8],
        document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        let (update, object) = read_seed(payload)?;
        if !update.recognized {
            return Err(ReadError::NotAState {
                found: "a JSON object without lamp keys".into(),
            });
        }
        if let Some(o) = object {
            document.extend(o);
        }
        Ok(update)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    fn learn(&self, update: &StateUpdate, document: &Map<String, Value>, caps: &mut Capabilities) {
        caps.brightness |= update.brightness_pct.is_some();
        caps.color |= update.rgb.is_some() && update.color_mode.is_none_or(|m| m.is_color());
        caps.color_temp |= update.color_temp_mireds.is_some();
        if let Some(Value::Array(list)) = document.get("effect_list") {
            let names: Vec<String> = list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if !names.is_empty() {
                caps.effects = names;
            }
        }
    }

    fn command(&self, change: &LampChange, lamp: &Lamp) -> CommandResult {
        if let LampChange::Effect(_) = change {
            if lamp.capabilities.effects.is_empty() {
                return Err("this lamp has no effects".into());
            }
        }
        let doc = if lamp.document().is_empty() {
            document_from_state(lamp)
        } else {
            within_range(lamp.document(), lamp)
        };
        Ok(vec![Outgoing {
            topic: self.topic.clone(),
            payload: whole_state_payload(&doc, change, 255),
            retain: true,
        }])
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        vec![("State topic", self.topic.clone())]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_sub_topics_are_never_lamps() {
        let s = SeedSystem::new(vec!["smarthome/+/lamps/#".into()]);
        assert!(s.claims("smarthome/kitchen/lamps/island"));
        for sub in ["set", "get", "command", "cmnd", "SET"] {
            assert!(!s.claims(&format!("smarthome/kitchen/lamps/island/{sub}")));
        }
        // A lamp may still be called "settings" or sit under a level called "set".
        assert!(s.claims("smarthome/kitchen/lamps/set/left"));
        assert!(s.claims("smarthome/kitchen/lamps/settings"));
    }
}
