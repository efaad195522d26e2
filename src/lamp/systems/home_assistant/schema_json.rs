//! Home Assistant's JSON schema (`schema: json`): one JSON document carries the whole state
//! on `state_topic`, and commands are JSON on `command_topic` holding only the change, with
//! `"state":"ON"` as Home Assistant always sends it.

use serde_json::{Map, Value};

use super::discovery::HaLight;
use crate::lamp::availability::AvailabilityMode;
use crate::lamp::command::{change_payload, CommandStyle, Dialect, LampChange};
use crate::lamp::read::{read_state, ReadError, ReadOptions};
use crate::lamp::state::{ColorMode, StateUpdate};
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// A JSON-schema light.
#[derive(Debug)]
pub struct JsonLight {
    light: HaLight,
}

impl JsonLight {
    /// Binds a parsed configuration.
    pub fn new(light: HaLight) -> Self {
        JsonLight { light }
    }
}

impl Binding for JsonLight {
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
        let l = &self.light;
        read_state(
            payload,
            &ReadOptions {
                brightness_scale: l.brightness_scale,
                color_temp_kelvin: l.color_temp_kelvin,
                mireds_range: l.mireds_range.unwrap_or((153, 500)),
            },
        )
    }

    fn capabilities(&self) -> Capabilities {
        let l = &self.light;
        let modes = &l.supported_color_modes;
        let color_temp = modes.contains(&ColorMode::ColorTemp);
        Capabilities {
            brightness: modes.iter().any(|m| *m != ColorMode::OnOff),
            color: modes.iter().any(|m| m.is_color()),
            color_temp,
            color_temp_range: color_temp.then(|| l.mireds_range.unwrap_or((153, 500))),
            // HA offers effects only with `effect: true`.
            effects: if l.flag("effect", false) {
                l.effects.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// HA: `optimistic: true`, or no `state_topic`.
    fn optimistic(&self) -> bool {
        self.light.optimistic || self.light.state_topic.is_none()
    }

    fn command(&self, change: &LampChange, _lamp: &Lamp) -> CommandResult {
        let l = &self.light;
        let modes = &l.supported_color_modes;
        match change {
            LampChange::Color(_) if !modes.iter().any(|m| m.is_color()) => {
                return Err("this lamp takes no colour".into());
            }
            LampChange::ColorTemp(_) if !modes.contains(&ColorMode::ColorTemp) => {
                return Err("this lamp takes no colour temperature".into());
            }
            _ => {}
        }
        if let LampChange::Effect(name) = change {
            if !l.flag("effect", false) || !l.effects.contains(name) {
                return Err(format!("this lamp has no effect called “{name}”"));
            }
        }
        let style = CommandStyle {
            dialect: Dialect::HomeAssistantJson,
            brightness_scale: l.brightness_scale,
            color_temp_kelvin: l.color_temp_kelvin,
            mireds_range: l.mireds_range,
            color_modes: l.supported_color_modes.clone(),
        };
        Ok(vec![Outgoing {
            topic: l.command_topic.clone(),
            payload: change_payload(change, &style),
            retain: l.retain,
        }])
    }

    fn availability_topics(&self) -> Vec<String> {
        self.light.availability_topics()
    }

    fn read_availability(&self, topic: &str, payload: &[u8]) -> Option<bool> {
        self.light.read_availability(topic, payload)
    }

    fn availability_mode(&self) -> AvailabilityMode {
        self.light.availability_mode
    }

    /// Home Assistant marks an entity with availability topics unavailable until
    /// `payload_available` has been received (on all of them, in the default mode).
    fn available_before_heard(&self) -> bool {
        false
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        self.light.details("json")
    }

    fn note(&self) -> Option<String> {
        super::broken_note(&self.light)
    }
}
