//! One Tasmota light's wire format: state from `<stat>RESULT`, `<tele>STATE` and
//! `<stat>POWER<n>`, availability from `<tele>LWT`, commands to `<cmnd><Command>` with the
//! value as plain text (docs `Commands.md`): `Power1 ON`, `Dimmer 50`, `Color2 255,0,0`,
//! `CT 300`, `Scheme 2`, several at once as `Backlog Dimmer 50;Power1 ON`.

use serde_json::{Map, Value};

use super::config::{LightKind, TasmotaLight};
use super::state::{power_word, read_light, scheme_number, SCHEMES};
use crate::lamp::command::LampChange;
use crate::lamp::read::ReadError;
use crate::lamp::state::StateUpdate;
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// A Tasmota light's binding (the light is its whole configuration).
#[derive(Clone, Debug, PartialEq)]
pub struct TasmotaBinding {
    /// The light.
    pub light: TasmotaLight,
}

impl TasmotaBinding {
    /// `POWER` for a device with one output, else `POWER<n>`: the name Tasmota uses in its
    /// answers, its `stat/<t>/POWER<n>` topic and (as `Power<n>`) its command.
    fn power_name(&self) -> String {
        if self.light.single_power && self.light.index == 0 {
            "POWER".into()
        } else {
            format!("POWER{}", self.light.index + 1)
        }
    }

    fn power_command(&self) -> String {
        if self.light.single_power && self.light.index == 0 {
            "Power".into()
        } else {
            format!("Power{}", self.light.index + 1)
        }
    }

    fn cmnd(&self, command: &str, value: impl Into<String>) -> Outgoing {
        Outgoing::command(format!("{}{command}", self.light.topics.cmnd), value.into())
    }

    /// One command, or `Backlog` when there are several (run in order by Tasmota).
    fn send(&self, commands: Vec<(String, String)>) -> Vec<Outgoing> {
        match commands.as_slice() {
            [(c, v)] => vec![self.cmnd(c, v.clone())],
            _ => {
                let list: Vec<String> = commands.iter().map(|(c, v)| format!("{c} {v}")).collect();
                vec![self.cmnd("Backlog", list.join(";"))]
            }
        }
    }

    /// The topic `Power` answers on.
    pub fn power_topic(&self) -> String {
        format!("{}{}", self.light.topics.stat, self.power_name())
    }

    /// The topic of `RESULT` answers.
    pub fn result_topic(&self) -> String {
        format!("{}RESULT", self.light.topics.stat)
    }

    /// The topic of telemetry.
    pub fn state_topic(&self) -> String {
        format!("{}STATE", self.light.topics.tele)
    }

    /// The LWT topic.
    pub fn lwt_topic(&self) -> String {
        format!("{}LWT", self.light.topics.tele)
    }
}

impl Binding for TasmotaBinding {
    fn kind(&self) -> SourceKind {
        SourceKind::Tasmota
    }

    /// The POWER topic first: it is the one topic that is this light's alone (two lights
    /// of one device share RESULT and STATE).
    fn state_topics(&self) -> Vec<String> {
        vec![self.power_topic(), self.result_topic(), self.state_topic()]
    }

    fn read(
        &self,
        topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        let text = String::from_utf8_lossy(payload);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ReadError::Empty);
        }
        if topic == self.power_topic() {
            return match power_word(trimmed, &self.light) {
                Some(on) => Ok(StateUpdate {
                    on: Some(on),
                    recognized: true,
                    ..StateUpdate::default()
                }),
                None => Err(ReadError::NotAState {
                    found: format!("power word “{trimmed}”"),
                }),
            };
        }
        match serde_json::from_str::<Value>(trimmed) {
            // A RESULT answering another command (`{"Wifi":...}`) says nothing of the light.
            Ok(Value::Object(obj)) => Ok(read_light(&obj, &self.light)),
            Ok(_) => Err(ReadError::NotAState {
                found: "JSON that is not an object".into(),
            }),
            Err(e) => Err(ReadError::InvalidJson {
                message: e.to_string(),
            }),
        }
    }

    fn capabilities(&self) -> Capabilities {
        let Some(kind) = self.light.kind else {
            return Capabilities::default();
        };
        let dims = kind != LightKind::Relay;
        Capabilities {
            brightness: dims,
            color: kind.has_color(),
            color_temp: kind.has_ct(),
            color_temp_range: kind.has_ct().then_some(self.light.mireds),
            effects: if kind.has_color() {
                SCHEMES.iter().map(|s| (*s).to_string()).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// A light added by topic has no discovery to say what it can do: each control appears
    /// with the first report carrying its key.
    fn learn(&self, update: &StateUpdate, _document: &Map<String, Value>, caps: &mut Capabilities) {
        if self.light.kind.is_some() {
            return;
        }
        caps.brightness |= update.brightness_pct.is_some();
        caps.color |= update.color_mode.is_some_and(|m| m.is_color());
        if update.color_temp_mireds.is_some() && !caps.color_temp {
            caps.color_temp = true;
            caps.color_temp_range = Some(self.light.mireds);
        }
        if update.effect.is_some() && caps.effects.is_empty() {
            caps.effects = SCHEMES.iter().map(|s| (*s).to_string()).collect();
        }
    }

    fn command(&self, change: &LampChange, lamp: &Lamp) -> CommandResult {
        let caps = &lamp.capabilities;
        let on = self.light.power_on.clone();
        let mut commands: Vec<(String, String)> = Vec::new();
        match change {
            LampChange::On(want) => {
                let word = if *want {
                    on
                } else {
                    self.light.power_off.clone()
                };
                commands.push((self.power_command(), word));
            }
            LampChange::Brightness(0) => {
                commands.push((self.power_command(), self.light.power_off.clone()));
            }
            LampChange::Brightness(p) => {
                if !caps.brightness {
                    return Err("this lamp has no brightness control".into());
                }
                commands.push((self.light.dimmer_command.clone(), (*p).min(100).to_string()));
                if self.light.not_power_linked {
                    commands.push((self.power_command(), on));
                }
            }
            LampChange::Color(c) => {
                if !caps.color {
                    return Err("this lamp has no colour control".into());
                }
                // Color2 keeps the dimmer (docs: "set color adjusted to current Dimmer");
                // `=` keeps the white channels of a split light.
                let suffix = if self.light.split_rgb { "=" } else { "" };
                commands.push(("Color2".into(), format!("{},{},{}{suffix}", c.r, c.g, c.b)));
            }
            LampChange::ColorTemp(m) => {
                if !caps.color_temp {
                    return Err("this lamp has no colour temperature control".into());
                }
                let (lo, hi) = caps.color_temp_range.unwrap_or(self.light.mireds);
                commands.push(("CT".into(), (*m).clamp(lo, hi.max(lo)).to_string()));
            }
            LampChange::Effect(name) => {
                let n = caps
                    .effects
                    .iter()
                    .any(|e| e == name)
                    .then(|| scheme_number(name))
                    .flatten()
                    .ok_or_else(|| format!("this lamp has no effect called “{name}”"))?;
                commands.push(("Scheme".into(), n.to_string()));
            }
        }
        Ok(self.send(commands))
    }

    /// `State` (empty payload) makes Tasmota answer with its whole light state on RESULT, so
    /// a card fills without waiting up to five minutes for telemetry.
    fn refresh(&self) -> Vec<Outgoing> {
        vec![self.cmnd("State", "")]
    }

    fn availability_topics(&self) -> Vec<String> {
        vec![self.lwt_topic()]
    }

    fn read_availability(&self, _topic: &str, payload: &[u8]) -> Option<bool> {
        let text = String::from_utf8_lossy(payload);
        let t = text.trim();
        if t == self.light.online {
            Some(true)
        } else if t == self.light.offline {
            Some(false)
        } else {
            None
        }
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        let l = &self.light;
        let mut d = vec![
            ("Device topic", l.device_topic.clone()),
            (
                "Command topic",
                format!("{}{}", l.topics.cmnd, self.power_command()),
            ),
            (
                "State topics",
                format!("{}, {}", self.result_topic(), self.state_topic()),
            ),
        ];
        d.extend(l.mac.clone().map(|m| ("MAC", m)));
        d.extend(l.model.clone().map(|m| ("Model", m)));
        d.extend(l.firmware.clone().map(|m| ("Firmware", m)));
        if l.kind.is_none() {
            d.push((
                "Added",
                "by topic (controls learned from its reports)".into(),
            ));
        }
        d
    }
}
