//! One simulated lamp: its state and how it answers a message, per ecosystem. Pure (bytes in,
//! bytes out, no clock, no socket) so every rule is tested natively in microseconds, and the
//! MQTT runner only moves bytes.
//!
//! Every kind obeys commands the way the real system does, because Lampboard must work against
//! those, not against a friendly fake. One module per system:
//! * [`seed`] (`smarthome/<room>/lamps/<name>`): the topic *is* the state.
//! * [`ha_json`]: Home Assistant MQTT light, JSON schema (ESPHome-like), also behind the
//!   device-based discovery lamp and the flapping lamp.
//! * [`ha_default`]: Home Assistant's default ("basic") schema, one command topic per feature,
//!   as Tasmota's legacy discovery announced it.
//! * [`ha_template`]: Home Assistant's template schema: JSON rendered by HA's templates.
//! * [`z2m`]: Zigbee2MQTT devices (single and multi-endpoint) and groups.
//! * [`tasmota`]: Tasmota lights (native discovery, `cmnd/<t>/<Command>`, RESULT/STATE).
//! * [`wled`]: WLED strips (`wled/<id>`, `/col`, `/api`; state on `/g`, `/c`, `/v`).
//! * [`shelly`]: Shelly Gen1 colour channels (RGBW2, Bulb RGBW); [`shelly_gen2`]: a Shelly
//!   Gen2+ RGBW component answering JSON-RPC.
//!
//! `keys` (private) holds what the JSON dialects share (state/brightness/colour keys).

pub mod ha_default;
pub mod ha_json;
pub mod ha_template;
mod keys;
pub mod seed;
pub mod shelly;
pub mod shelly_gen2;
pub mod tasmota;
pub mod wled;
pub mod z2m;

use serde_json::{Map, Value};

use crate::color::Color;

/// Which ecosystem a lamp imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The seed's own model: state is the retained payload of the lamp's topic.
    Seed,
    /// Announced by Home Assistant MQTT discovery, JSON schema.
    HomeAssistant,
    /// Announced by Home Assistant MQTT discovery, default schema (no `schema` key).
    HaDefault,
    /// Announced by Home Assistant MQTT discovery, `schema: template`.
    HaTemplate,
    /// Listed in Zigbee2MQTT's `bridge/devices`.
    Zigbee2Mqtt,
    /// Listed in Zigbee2MQTT's `bridge/groups`; commands reach its members.
    Zigbee2MqttGroup,
    /// A Tasmota device announced by Tasmota's own discovery.
    Tasmota,
    /// A WLED strip.
    Wled,
    /// A Shelly Gen1 light channel (`shellies/<id>/color/0`).
    ShellyGen1,
    /// A Shelly Gen2+ light component, commanded by RPC.
    ShellyGen2,
}

impl Kind {
    /// A short label for log lines.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Seed => "seed",
            Kind::HomeAssistant => "ha",
            Kind::HaDefault => "ha-d",
            Kind::HaTemplate => "ha-t",
            Kind::Zigbee2Mqtt => "z2m",
            Kind::Zigbee2MqttGroup => "z2mg",
            Kind::Tasmota => "tas",
            Kind::Wled => "wled",
            Kind::ShellyGen1 => "sh1",
            Kind::ShellyGen2 => "sh2",
        }
    }

    /// Whether the lamp publishes several messages with their own retain flags (Shelly)
    /// instead of one retained state.
    pub fn is_shelly(self) -> bool {
        matches!(self, Kind::ShellyGen1 | Kind::ShellyGen2)
    }
}

/// What the lamp can do; commands for anything else are ignored (with a note), as a real lamp
/// would, so the app's capability handling is exercised.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Features {
    /// Full-scale brightness: 255 for seed and HA's default scale, 254 for Zigbee, 100 for
    /// Tasmota's `Dimmer`.
    pub brightness_max: u16,
    /// Takes a colour.
    pub color: bool,
    /// Takes a colour temperature, within this range (mireds, or kelvin when `kelvin`).
    pub color_temp: Option<(u16, u16)>,
    /// Colour temperatures are in kelvin (HA's `color_temp_kelvin: true`), not mireds.
    pub kelvin: bool,
    /// Effect names it runs; empty for none.
    pub effects: Vec<String>,
}

impl Features {
    /// Brightness `max`, optional colour and temperature range in mireds, no effects.
    pub fn new(brightness_max: u16, color: bool, color_temp: Option<(u16, u16)>) -> Features {
        Features {
            brightness_max,
            color,
            color_temp,
            ..Features::default()
        }
    }

    /// The same with these effect names.
    pub fn with_effects(mut self, effects: &[&str]) -> Features {
        self.effects = effects.iter().map(|e| (*e).to_string()).collect();
        self
    }
}

/// Which of the lamp's outputs is showing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The colour in [`Light::color`].
    Color,
    /// The temperature in [`Light::color_temp`].
    ColorTemp,
    /// Plain dimmable white.
    Brightness,
}

/// The physical state of a lamp (or of one endpoint of a multi-channel device). Brightness is
/// kept while off, like real lamps that come back at their last level.
#[derive(Clone, Debug, PartialEq)]
pub struct Light {
    /// On or off.
    pub on: bool,
    /// Level on the lamp's own scale (`0..=Features::brightness_max`).
    pub brightness: u16,
    /// Last colour, when the lamp has one.
    pub color: Option<Color>,
    /// Last colour temperature (the lamp's unit, see [`Features::kelvin`]), when it has one.
    pub color_temp: Option<u16>,
    /// Which output shows.
    pub mode: Mode,
    /// The running effect, as the lamp names it (`None` when it never ran one).
    pub effect: Option<String>,
}

impl Light {
    /// A plain dimmable light: `on` at `brightness`, no colour, no effect.
    pub fn dimmed(on: bool, brightness: u16) -> Light {
        Light {
            on,
            brightness,
            color: None,
            color_temp: None,
            mode: Mode::Brightness,
            effect: None,
        }
    }
}

/// A change that does not come through MQTT: a wall switch (`--chaos`) or the benchmark
/// load (`--flood`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Change {
    /// Flip on/off.
    Toggle,
    /// Set the level (and switch on).
    Brightness(u16),
    /// Show a colour (and switch on); ignored by lamps without colour.
    Color(crate::color::Rgb),
    /// Show a temperature (and switch on); ignored by lamps without one.
    ColorTemp(u16),
}

/// Which of a lamp's topics a message arrived on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The command topic (for seed lamps: the state topic itself).
    Command,
    /// Zigbee2MQTT's `/get`: report the state, change nothing.
    Get,
    /// HA default schema: `brightness_command_topic`.
    Brightness,
    /// HA default schema: `rgb_command_topic`.
    Rgb,
    /// HA default schema: `color_temp_command_topic`.
    ColorTemp,
    /// HA default schema: `effect_command_topic`.
    Effect,
    /// Zigbee2MQTT `<name>/<endpoint>/set`: keys without suffix for that endpoint (index).
    EndpointSet(usize),
    /// Shelly Gen1 `<channel>/set`: JSON.
    ShellySet,
    /// Shelly Gen1 `shellies/<id>/command` (and the broadcast `shellies/command`):
    /// `announce`, `update`.
    ShellyDevice,
    /// Tasmota `cmnd/<t>/<Command>`: the command's index in [`tasmota::COMMANDS`]
    /// ([`tasmota::UNKNOWN`] for any other).
    Tasmota(u8),
    /// WLED `<base>/api`: a JSON or HTTP API call.
    WledApi,
}

/// One message a lamp publishes besides (or instead of) its state topic: Tasmota's RESULT
/// and POWER answers, WLED's `/g`, `/c`, `/v`, each with the retain flag the firmware uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publish {
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// Retained.
    pub retain: bool,
}

impl Publish {
    /// A message with its retain flag.
    pub fn new(topic: impl Into<String>, payload: impl Into<Vec<u8>>, retain: bool) -> Publish {
        Publish {
            topic: topic.into(),
            payload: payload.into(),
            retain,
        }
    }
}

/// What the lamp does about one message.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Reply {
    /// The message was understood (at least one key applied); false means ignored.
    pub accepted: bool,
    /// The light differs from before.
    pub changed: bool,
    /// The payload to publish on [`Lamp::state_topic`], when the lamp reports.
    pub publish: Option<Vec<u8>>,
    /// Why parts of the message were ignored, clamped or completed, for the log.
    pub notes: Vec<String>,
    /// Further messages to publish, in order (firmware answers on their own topics).
    pub extra: Vec<Publish>,
}

pub(crate) fn ignored(why: &str) -> Reply {
    Reply {
        accepted: false,
        changed: false,
        publish: None,
        notes: vec![why.to_string()],
        extra: Vec::new(),
    }
}

/// One simulated lamp.
#[derive(Clone, Debug, PartialEq)]
pub struct Lamp {
    /// Ecosystem.
    pub kind: Kind,
    /// Name for log lines: `kitchen/ceiling`, a discovery name, a friendly name.
    pub name: String,
    /// Where the state is published (retained).
    pub state_topic: String,
    /// Where commands arrive (the state topic for seed lamps).
    pub command_topic: String,
    /// Zigbee2MQTT's `/get` topic.
    pub get_topic: Option<String>,
    /// More command topics and what arrives there (HA default schema's per-feature topics,
    /// Zigbee2MQTT's per-endpoint `/set`).
    pub other_topics: Vec<(String, Role)>,
    /// Capabilities.
    pub features: Features,
    /// Current state (of the first endpoint, for multi-endpoint devices).
    pub light: Light,
    /// Zigbee2MQTT multi-endpoint devices: endpoint names (`l1`, `l2`, ...); empty otherwise.
    pub endpoints: Vec<String>,
    /// Zigbee2MQTT multi-endpoint devices: the state of endpoints 2.. (endpoint 1 is `light`).
    pub more_lights: Vec<Light>,
    /// Zigbee2MQTT's signal strength field, reported with every device state.
    pub linkquality: u8,
    /// A Tasmota device's topic and light layout.
    pub tasmota: Option<tasmota::TasmotaInfo>,
    /// A WLED strip's device topic and name.
    pub wled: Option<wled::WledInfo>,
    seed: seed::SeedExtras,
    /// Shelly devices' own memory (model, retain option, outbox).
    pub shelly: shelly::ShellyExtras,
}

impl Lamp {
    fn base(kind: Kind, name: &str, state_topic: &str, command_topic: &str) -> Lamp {
        Lamp {
            kind,
            name: name.to_string(),
            state_topic: state_topic.to_string(),
            command_topic: command_topic.to_string(),
            get_topic: None,
            other_topics: Vec::new(),
            features: Features::default(),
            light: Light::dimmed(false, 0),
            endpoints: Vec::new(),
            more_lights: Vec::new(),
            linkquality: 0,
            tasmota: None,
            wled: None,
            seed: seed::SeedExtras::default(),
            shelly: shelly::ShellyExtras::default(),
        }
    }

    /// Answers one message on one of the lamp's command (or get) topics.
    pub fn handle(&mut self, role: Role, payload: &[u8]) -> Reply {
        if role == Role::Get {
            return Reply {
                accepted: true,
                changed: false,
                publish: Some(self.state_payload()),
                notes: Vec::new(),
                extra: Vec::new(),
            };
        }
        match self.kind {
            Kind::Seed => self.seed_write(payload),
            Kind::HomeAssistant => self.ha_json_command(payload),
            Kind::HaDefault => self.ha_default_command(role, payload),
            Kind::HaTemplate => self.ha_template_command(payload),
            Kind::Zigbee2Mqtt | Kind::Zigbee2MqttGroup => self.z2m_command(role, payload),
            Kind::Tasmota => self.tasmota_command(role, payload),
            Kind::Wled => self.wled_command(role, payload),
            Kind::ShellyGen1 => self.shelly_gen1_command(role, payload),
            Kind::ShellyGen2 => self.shelly_gen2_command(payload),
        }
    }

    /// Applies a change from outside MQTT; returns whether the light changed. The caller
    /// publishes [`Lamp::state_payload`] afterwards, as the lamp would report it. Groups are
    /// not lamps and never change by themselves.
    pub fn apply_change(&mut self, change: Change) -> bool {
        if self.kind == Kind::Zigbee2MqttGroup {
            return false;
        }
        let before = self.light.clone();
        let l = &mut self.light;
        match change {
            Change::Toggle => l.on = !l.on,
            Change::Brightness(b) => {
                l.brightness = b.clamp(1, self.features.brightness_max.max(1));
                l.on = true;
            }
            Change::Color(c) if self.features.color => {
                l.color = Some(Color::Rgb(c));
                l.mode = Mode::Color;
                l.on = true;
            }
            Change::ColorTemp(m) => {
                if let Some((lo, hi)) = self.features.color_temp {
                    l.color_temp = Some(m.clamp(lo, hi));
                    l.mode = Mode::ColorTemp;
                    l.on = true;
                }
            }
            Change::Color(_) => {}
        }
        self.light != before
    }

    /// The state as the lamp reports it on [`Lamp::state_topic`], compact JSON.
    pub fn state_payload(&self) -> Vec<u8> {
        match self.kind {
            Kind::Seed => self.seed_state(),
            Kind::HomeAssistant => self.ha_json_state(),
            Kind::HaDefault => self.ha_default_state(),
            Kind::HaTemplate => self.ha_template_state(),
            Kind::Zigbee2Mqtt | Kind::Zigbee2MqttGroup => self.z2m_state(),
            Kind::ShellyGen1 => self.shelly_gen1_status(),
            Kind::ShellyGen2 => self.shelly_gen2_status(),
            Kind::Tasmota => self.tasmota_state(true),
            Kind::Wled => self.wled_brightness(),
        }
    }

    /// Every message that reports the lamp's state, with its retain flag: the retained state
    /// topic for most kinds; Tasmota's unretained telemetry (`tele/<t>/STATE`); WLED's
    /// `/g`, `/c` and `/v`; Shelly's own mix (Gen1 status + `on`/`off`, Gen2 status only when
    /// generic status updates are on).
    pub fn state_messages(&self) -> Vec<Publish> {
        match self.kind {
            Kind::Tasmota => vec![Publish::new(
                self.state_topic.clone(),
                self.state_payload(),
                false,
            )],
            Kind::Wled => self.wled_messages(),
            Kind::ShellyGen1 => self.shelly_gen1_messages(),
            Kind::ShellyGen2 => self.shelly_gen2_messages(),
            _ => vec![Publish::new(
                self.state_topic.clone(),
                self.state_payload(),
                true,
            )],
        }
    }

    /// Messages besides the state the last command produced (announce, RPC reply,
    /// notification), emptied.
    pub fn take_outbox(&mut self) -> Vec<shelly::Wire> {
        std::mem::take(&mut self.shelly.outbox)
    }

    /// The light of endpoint `i` (0 is [`Lamp::light`]).
    pub fn endpoint_light(&self, i: usize) -> Option<&Light> {
        match i {
            0 => Some(&self.light),
            _ => self.more_lights.get(i - 1),
        }
    }

    fn endpoint_light_mut(&mut self, i: usize) -> Option<&mut Light> {
        match i {
            0 => Some(&mut self.light),
            _ => self.more_lights.get_mut(i - 1),
        }
    }

    /// One line for logs: `ON 71% #00ffff`, `OFF 40% 370 mired`, `ON 50% | OFF 20%`.
    pub fn summary(&self) -> String {
        let mut parts = vec![self.light_summary(&self.light)];
        parts.extend(self.more_lights.iter().map(|l| self.light_summary(l)));
        parts.join(" | ")
    }

    fn light_summary(&self, l: &Light) -> String {
        let max = u32::from(self.features.brightness_max.max(1));
        let pct = (u32::from(l.brightness) * 100 + max / 2) / max;
        let mut s = format!("{} {pct}%", if l.on { "ON" } else { "OFF" });
        match l.mode {
            Mode::Color => {
                if let Some(c) = l.color {
                    s.push_str(&format!(" {}", c.to_rgb()));
                }
            }
            Mode::ColorTemp => {
                if let Some(m) = l.color_temp {
                    let unit = if self.features.kelvin { "K" } else { "mired" };
                    s.push_str(&format!(" {m} {unit}"));
                }
            }
            Mode::Brightness => {}
        }
        if let Some(e) = &l.effect {
            s.push_str(&format!(" effect {e}"));
        }
        s
    }
}

/// A command's keys as a JSON object, or why not.
pub(crate) fn json_object(payload: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err("command is not a JSON object".into()),
        Err(e) => Err(format!("command is not JSON ({e})")),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::color::Rgb;

    pub fn cyan() -> Light {
        Light {
            on: true,
            brightness: 180,
            color: Some(Color::Rgb(Rgb::new(0, 255, 255))),
            color_temp: None,
            mode: Mode::Color,
            effect: None,
        }
    }

    pub fn json_of(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::color::Rgb;

    #[test]
    fn outside_changes_respect_features() {
        let mut lamp = Lamp::home_assistant(
            "Reading Lamp",
            "lampsim/reading/state",
            "lampsim/reading/set",
            Features::new(255, false, Some((153, 454))),
            Light {
                color_temp: Some(370),
                mode: Mode::ColorTemp,
                ..Light::dimmed(false, 100)
            },
        );
        assert!(!lamp.apply_change(Change::Color(Rgb::new(1, 2, 3))));
        assert!(lamp.apply_change(Change::ColorTemp(1000)));
        assert_eq!(lamp.light.color_temp, Some(454));
        assert!(lamp.light.on);
        assert!(lamp.apply_change(Change::Toggle));
        assert!(!lamp.light.on);
        assert!(lamp.apply_change(Change::Brightness(0)));
        assert_eq!(lamp.light.brightness, 1, "never 0 while on");
        let mut s = Lamp::seed("kitchen", "ceiling", cyan());
        assert!(
            !s.apply_change(Change::ColorTemp(300)),
            "seed lamps have no announced range"
        );
        assert!(s.apply_change(Change::Color(Rgb::new(255, 0, 0))));
        assert_eq!(s.summary(), "ON 71% #ff0000");
    }
}
