//! Home Assistant's default schema (no `schema` key): the state spread over several topics,
//! read through `payload_on`/`payload_off` and value templates, commands as plain payloads.

use serde_json::{Map, Value};

use super::discovery::{read_default_schema, HaLight};
use crate::lamp::command::LampChange;
use crate::lamp::read::ReadError;
use crate::lamp::state::StateUpdate;
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// A default-schema light.
#[derive(Debug)]
pub struct BasicLight {
    light: HaLight,
}

impl BasicLight {
    /// Binds a parsed configuration.
    pub fn new(light: HaLight) -> Self {
        BasicLight { light }
    }
}

impl Binding for BasicLight {
    fn kind(&self) -> SourceKind {
        SourceKind::HomeAssistant
    }

    fn state_topics(&self) -> Vec<String> {
        self.light.state_topic.iter().cloned().collect()
    }

    fn read(
        &self,
        _topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        match read_default_schema(&self.light, payload) {
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

    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    fn optimistic(&self) -> bool {
        self.light.state_topic.is_none()
    }

    fn command(&self, change: &LampChange, _lamp: &Lamp) -> CommandResult {
        let l = &self.light;
        let payload = match change {
            LampChange::On(true) => &l.payload_on,
            LampChange::On(false) | LampChange::Brightness(0) => &l.payload_off,
            _ => return Err("this lamp only switches on and off".into()),
        };
        Ok(vec![Outgoing {
            topic: l.command_topic.clone(),
            payload: payload.clone().into_bytes(),
            retain: l.retain,
        }])
    }

    fn availability_topics(&self) -> Vec<String> {
        self.light
            .availability
            .iter()
            .map(|a| a.topic.clone())
            .collect()
    }

    fn read_availability(&self, topic: &str, payload: &[u8]) -> Option<bool> {
        self.light
            .availability
            .iter()
            .filter(|a| a.topic == topic)
            .find_map(|a| a.read(payload))
    }

    /// Home Assistant marks an entity with availability topics unavailable until
    /// `payload_available` has been received (on all of them, in the default mode).
    fn available_before_heard(&self) -> bool {
        false
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        let l = &self.light;
        let mut d = vec![
            ("Schema", "default".to_owned()),
            ("Config topic", l.config_topic.clone()),
        ];
        d.extend(l.state_topic.clone().map(|t| ("State topic", t)));
        d.push(("Command topic", l.command_topic.clone()));
        d
    }
}
