//! One simulated lamp: its state and how it answers a message, per ecosystem. Pure (bytes in,
//! bytes out, no clock, no socket) so every rule is tested natively in microseconds, and the
//! MQTT runner only moves bytes.
//!
//! The three kinds obey commands the way the real systems do, because Lampboard must work
//! against those, not against a friendly fake:
//! * [`Kind::Seed`] (`smarthome/<room>/lamps/<name>`): the topic *is* the state. Another client
//!   writes a new (retained) state there and the lamp adopts it. Keys it does not know are kept,
//!   a partial or out-of-range write is completed/clamped and the full state re-published so
//!   the retained value stays whole; an unreadable or empty write is answered by re-publishing
//!   the last good state (the lamp still owns its topic).
//! * [`Kind::HomeAssistant`] (MQTT discovery, JSON schema): JSON commands on `command_topic`,
//!   the whole new state published on `state_topic` (like ESPHome).
//! * [`Kind::Zigbee2Mqtt`]: `<base>/<name>/set` takes JSON (numbers may be strings, `TOGGLE`,
//!   `brightness_step`, colours as xy/rgb/hex/hue-saturation) or a bare `ON`/`OFF`/`TOGGLE`;
//!   the full state is echoed on `<base>/<name>` with sorted keys; `<base>/<name>/get` asks for
//!   the state without changing it; an empty `/set` is ignored.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::color::{Color, Rgb};

/// Which ecosystem a lamp imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The seed's own model: state is the retained payload of the lamp's topic.
    Seed,
    /// Announced by Home Assistant MQTT discovery, JSON schema.
    HomeAssistant,
    /// Listed in Zigbee2MQTT's `bridge/devices`.
    Zigbee2Mqtt,
}

impl Kind {
    /// A short label for log lines.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Seed => "seed",
            Kind::HomeAssistant => "ha",
            Kind::Zigbee2Mqtt => "z2m",
        }
    }
}

/// What the lamp can do; commands for anything else are ignored (with a note), as a real lamp
/// would, so the app's capability handling is exercised.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    /// Full-scale brightness: 255 for seed and HA's default scale, 254 for Zigbee.
    pub brightness_max: u16,
    /// Takes a colour.
    pub color: bool,
    /// Takes a colour temperature, within this range of mireds.
    pub color_temp: Option<(u16, u16)>,
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

/// The physical state of a lamp. Brightness is kept while off, like real lamps that come back
/// at their last level.
#[derive(Clone, Debug, PartialEq)]
pub struct Light {
    /// On or off.
    pub on: bool,
    /// Level on the lamp's own scale (`0..=Features::brightness_max`).
    pub brightness: u16,
    /// Last colour, when the lamp has one.
    pub color: Option<Color>,
    /// Last colour temperature in mireds, when the lamp has one.
    pub color_temp: Option<u16>,
    /// Which output shows.
    pub mode: Mode,
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
    Color(Rgb),
    /// Show a temperature in mireds (and switch on); ignored by lamps without one.
    ColorTemp(u16),
}

/// Which of a lamp's topics a message arrived on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The command topic (for seed lamps: the state topic itself).
    Command,
    /// Zigbee2MQTT's `/get`: report the state, change nothing.
    Get,
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
    /// Capabilities.
    pub features: Features,
    /// Current state.
    pub light: Light,
    /// Zigbee2MQTT's signal strength field, reported with every state.
    pub linkquality: u8,
    /// Seed lamps: keys a writer put in the document that the lamp does not interpret, kept
    /// so the retained document round-trips (the app preserves unknown keys too).
    seed_extra: Map<String, Value>,
    /// Seed lamps: report `color_mode` (once a writer used it or a temperature).
    seed_mode_key: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Seed,
    Ha,
    Z2m,
}

impl Lamp {
    /// A seed lamp at `smarthome/<room>/lamps/<name>`: colour and brightness 0-255.
    pub fn seed(room: &str, name: &str, light: Light) -> Lamp {
        let topic = format!("smarthome/{room}/lamps/{name}");
        Lamp {
            kind: Kind::Seed,
            name: format!("{room}/{name}"),
            state_topic: topic.clone(),
            command_topic: topic,
            get_topic: None,
            features: Features {
                brightness_max: 255,
                color: true,
                color_temp: None,
            },
            light,
            linkquality: 0,
            seed_extra: Map::new(),
            seed_mode_key: false,
        }
    }

    /// A Home Assistant JSON-schema lamp with its own state and command topics.
    pub fn home_assistant(
        name: &str,
        state_topic: &str,
        command_topic: &str,
        features: Features,
        light: Light,
    ) -> Lamp {
        Lamp {
            kind: Kind::HomeAssistant,
            name: name.to_string(),
            state_topic: state_topic.to_string(),
            command_topic: command_topic.to_string(),
            get_topic: None,
            features,
            light,
            linkquality: 0,
            seed_extra: Map::new(),
            seed_mode_key: false,
        }
    }

    /// A Zigbee2MQTT lamp under `<base>/<friendly_name>`.
    pub fn zigbee2mqtt(
        base: &str,
        friendly_name: &str,
        features: Features,
        light: Light,
        linkquality: u8,
    ) -> Lamp {
        let state_topic = format!("{base}/{friendly_name}");
        Lamp {
            kind: Kind::Zigbee2Mqtt,
            name: friendly_name.to_string(),
            command_topic: format!("{state_topic}/set"),
            get_topic: Some(format!("{state_topic}/get")),
            state_topic,
            features,
            light,
            linkquality,
            seed_extra: Map::new(),
            seed_mode_key: false,
        }
    }

    /// Answers one message on the lamp's command (or get) topic.
    pub fn handle(&mut self, role: Role, payload: &[u8]) -> Reply {
        if role == Role::Get {
            return Reply {
                accepted: true,
                changed: false,
                publish: Some(self.state_payload()),
                notes: Vec::new(),
            };
        }
        match self.kind {
            Kind::Seed => self.seed_write(payload),
            Kind::HomeAssistant => self.ha_command(payload),
            Kind::Zigbee2Mqtt => self.z2m_command(payload),
        }
    }

    /// Applies a change from outside MQTT; returns whether the light changed. The caller
    /// publishes [`Lamp::state_payload`] afterwards, as the lamp would report it.
    pub fn apply_change(&mut self, change: Change) -> bool {
        let before = self.light.clone();
        let l = &mut self.light;
        match change {
            Change::Toggle => l.on = !l.on,
            Change::Brightness(b) => {
                l.brightness = b.clamp(1, self.features.brightness_max);
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
        let l = &self.light;
        let state = if l.on { "ON" } else { "OFF" };
        let result = match self.kind {
            Kind::Seed => serde_json::to_vec(&SeedOut {
                state,
                brightness: l.brightness,
                color: l.color.map(Color::to_rgb),
                color_mode: self.seed_mode_key.then(|| mode_name(l.mode, "rgb")),
                color_temp: l.color_temp,
                extra: &self.seed_extra,
            }),
            Kind::HomeAssistant => serde_json::to_vec(&HaOut {
                state,
                brightness: l.brightness,
                color_mode: mode_name(l.mode, "rgb"),
                color: (l.mode == Mode::Color)
                    .then_some(l.color)
                    .flatten()
                    .map(Color::to_rgb),
                color_temp: (l.mode == Mode::ColorTemp)
                    .then_some(l.color_temp)
                    .flatten(),
            }),
            Kind::Zigbee2Mqtt => serde_json::to_vec(&Z2mOut {
                brightness: l.brightness,
                color: if self.features.color {
                    l.color.map(|c| {
                        let (x, y) = c.to_xy();
                        Xy { x, y }
                    })
                } else {
                    None
                },
                color_mode: match l.mode {
                    Mode::Brightness => None,
                    m => Some(mode_name(m, "xy")),
                },
                color_temp: l.color_temp,
                linkquality: self.linkquality,
                state,
            }),
        };
        // Serialising plain structs and a string-keyed map cannot fail.
        result.unwrap_or_else(|_| b"{}".to_vec())
    }

    /// One line for logs: `ON 71% #00ffff`, `OFF 40% 370 mired`.
    pub fn summary(&self) -> String {
        let l = &self.light;
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
                    s.push_str(&format!(" {m} mired"));
                }
            }
            Mode::Brightness => {}
        }
        s
    }

    fn seed_write(&mut self, payload: &[u8]) -> Reply {
        let restore = |lamp: &Lamp, note: String| Reply {
            accepted: false,
            changed: false,
            publish: Some(lamp.state_payload()),
            notes: vec![note],
        };
        if payload.trim_ascii().is_empty() {
            return restore(self, "retained state cleared; restoring it".into());
        }
        let written = match serde_json::from_slice::<Value>(payload) {
            Ok(v) => v,
            Err(e) => return restore(self, format!("unreadable ({e}); restoring the last state")),
        };
        let Value::Object(obj) = &written else {
            return restore(self, "not a JSON object; restoring the last state".into());
        };
        let before = (self.light.clone(), self.seed_extra.clone());
        let mut notes = Vec::new();
        let applied = self.apply_command_keys(obj, Dialect::Seed, &mut notes);
        let changed = (self.light.clone(), self.seed_extra.clone()) != before;
        let canonical = self.state_payload();
        let same = serde_json::from_slice::<Value>(&canonical).ok().as_ref() == Some(&written);
        Reply {
            accepted: applied,
            changed,
            // The writer's retained payload already is the state when it was complete and
            // valid; otherwise complete it, so the retained value never lies.
            publish: (!same).then_some(canonical),
            notes,
        }
    }

    fn ha_command(&mut self, payload: &[u8]) -> Reply {
        let obj = match serde_json::from_slice::<Value>(payload) {
            Ok(Value::Object(o)) => o,
            Ok(_) => return ignored("command is not a JSON object"),
            Err(e) => return ignored(&format!("command is not JSON ({e})")),
        };
        self.command_object(&obj, Dialect::Ha)
    }

    fn z2m_command(&mut self, payload: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(payload);
        let text = text.trim();
        if text.is_empty() {
            return ignored("empty /set ignored");
        }
        let obj = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => o,
            _ if ["ON", "OFF", "TOGGLE"]
                .iter()
                .any(|w| w.eq_ignore_ascii_case(text)) =>
            {
                let mut o = Map::new();
                o.insert("state".into(), Value::String(text.to_string()));
                o
            }
            Ok(_) => return ignored("command is not a JSON object"),
            Err(e) => return ignored(&format!("command is not JSON ({e})")),
        };
        self.command_object(&obj, Dialect::Z2m)
    }

    fn command_object(&mut self, obj: &Map<String, Value>, dialect: Dialect) -> Reply {
        let before = self.light.clone();
        let mut notes = Vec::new();
        let applied = self.apply_command_keys(obj, dialect, &mut notes);
        if !applied {
            return Reply {
                accepted: false,
                changed: false,
                publish: None,
                notes,
            };
        }
        Reply {
            accepted: true,
            changed: self.light != before,
            publish: Some(self.state_payload()),
            notes,
        }
    }

    /// Applies the keys of a command or seed document; returns whether any key was applied.
    fn apply_command_keys(
        &mut self,
        obj: &Map<String, Value>,
        dialect: Dialect,
        notes: &mut Vec<String>,
    ) -> bool {
        let max = self.features.brightness_max;
        let mut next = self.light.clone();
        let mut explicit_state: Option<bool> = None;
        let mut implicit: Option<bool> = None;
        let mut applied = false;
        for (key, value) in obj {
            match key.as_str() {
                "state" => match value.as_str().map(str::to_ascii_uppercase).as_deref() {
                    Some("ON") => explicit_state = Some(true),
                    Some("OFF") => explicit_state = Some(false),
                    Some("TOGGLE") if dialect == Dialect::Z2m => {
                        explicit_state = Some(!self.light.on)
                    }
                    _ => {
                        notes.push(format!("state {value} is not ON/OFF; ignored"));
                        continue;
                    }
                },
                "brightness" => {
                    let Some(b) = number(value, dialect) else {
                        notes.push(format!("brightness {value} is not a number; ignored"));
                        continue;
                    };
                    let clamped = b.round().clamp(0.0, f64::from(max)) as u16;
                    if f64::from(clamped) != b {
                        notes.push(format!("brightness {value} clamped to {clamped}"));
                    }
                    if dialect != Dialect::Seed && clamped == 0 {
                        implicit = Some(false);
                    } else {
                        next.brightness = clamped;
                        implicit = Some(true);
                    }
                }
                "brightness_step" if dialect == Dialect::Z2m => {
                    let Some(step) = number(value, dialect) else {
                        notes.push(format!("brightness_step {value} is not a number; ignored"));
                        continue;
                    };
                    let b = (f64::from(next.brightness) + step.round()).clamp(0.0, f64::from(max));
                    if b == 0.0 {
                        implicit = Some(false);
                    } else {
                        next.brightness = b as u16;
                        implicit = Some(true);
                    }
                }
                "color" => {
                    if !self.features.color {
                        notes.push("no colour on this lamp; color ignored".into());
                        continue;
                    }
                    let Some(c) = parse_color(value, dialect) else {
                        notes.push(format!("color {value} not understood; ignored"));
                        continue;
                    };
                    next.color = Some(c);
                    next.mode = Mode::Color;
                    implicit = Some(true);
                }
                "color_temp" => {
                    let range = match (dialect, self.features.color_temp) {
                        (_, Some(r)) => r,
                        (Dialect::Seed, None) => (1, u16::MAX),
                        _ => {
                            notes.push("no colour temperature on this lamp; ignored".into());
                            continue;
                        }
                    };
                    let Some(m) = number(value, dialect) else {
                        notes.push(format!("color_temp {value} is not a number; ignored"));
                        continue;
                    };
                    let clamped = m.round().clamp(f64::from(range.0), f64::from(range.1)) as u16;
                    if f64::from(clamped) != m {
                        notes.push(format!("color_temp {value} clamped to {clamped}"));
                    }
                    next.color_temp = Some(clamped);
                    next.mode = Mode::ColorTemp;
                    if dialect == Dialect::Seed {
                        self.seed_mode_key = true;
                    }
                    implicit = Some(true);
                }
                "color_mode" if dialect == Dialect::Seed => {
                    match value.as_str() {
                        Some("color_temp") => next.mode = Mode::ColorTemp,
                        Some("rgb" | "xy" | "hs" | "rgbw" | "rgbww") => next.mode = Mode::Color,
                        Some("brightness" | "onoff" | "white") => next.mode = Mode::Brightness,
                        _ => {
                            notes.push(format!("color_mode {value} not understood; ignored"));
                            continue;
                        }
                    }
                    self.seed_mode_key = true;
                }
                // Accepted and meaningless for a simulated lamp: no fades, no effects.
                "transition" | "effect" | "flash" if dialect != Dialect::Seed => {}
                other => match dialect {
                    Dialect::Seed => {
                        self.seed_extra.insert(other.to_string(), value.clone());
                    }
                    Dialect::Ha => {
                        notes.push(format!("unknown key '{other}' ignored"));
                        continue;
                    }
                    Dialect::Z2m => {
                        notes.push(format!("No converter available for '{other}'"));
                        continue;
                    }
                },
            }
            applied = true;
        }
        next.on = match (explicit_state, implicit, dialect) {
            (Some(on), _, _) => on,
            // A seed document's other keys never switch the lamp: the writer said the state.
            (None, _, Dialect::Seed) => next.on,
            (None, Some(on), _) => on,
            (None, None, _) => next.on,
        };
        self.light = next;
        applied
    }
}

fn ignored(why: &str) -> Reply {
    Reply {
        accepted: false,
        changed: false,
        publish: None,
        notes: vec![why.to_string()],
    }
}

fn mode_name(mode: Mode, color: &'static str) -> &'static str {
    match mode {
        Mode::Color => color,
        Mode::ColorTemp => "color_temp",
        Mode::Brightness => "brightness",
    }
}

/// A JSON number; Zigbee2MQTT also takes numeric strings (`"brightness":"200"`).
fn number(v: &Value, dialect: Dialect) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) if dialect == Dialect::Z2m => {
            s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
        }
        _ => None,
    }
}

fn channel(obj: &Map<String, Value>, key: &str, dialect: Dialect) -> Option<u8> {
    number(obj.get(key)?, dialect).map(|v| v.round().clamp(0.0, 255.0) as u8)
}

/// `{r,g,b}`, `{x,y}`, `{h,s}` / `{hue,saturation}`, `{hex}` or (Zigbee2MQTT) a `#rrggbb`
/// string.
fn parse_color(v: &Value, dialect: Dialect) -> Option<Color> {
    if let (Value::String(s), Dialect::Z2m) = (v, dialect) {
        return Rgb::from_hex(s).map(Color::Rgb);
    }
    let o = v.as_object()?;
    let num = |k: &str| o.get(k).and_then(|v| number(v, dialect));
    if let (Some(r), Some(g), Some(b)) = (
        channel(o, "r", dialect),
        channel(o, "g", dialect),
        channel(o, "b", dialect),
    ) {
        return Some(Color::Rgb(Rgb::new(r, g, b)));
    }
    if let (Some(x), Some(y)) = (num("x"), num("y")) {
        return (0.0..=1.0)
            .contains(&x)
            .then_some(())
            .filter(|_| (0.0..=1.0).contains(&y))
            .map(|_| Color::Xy { x, y });
    }
    if let (Some(h), Some(s)) = (
        num("h").or_else(|| num("hue")),
        num("s").or_else(|| num("saturation")),
    ) {
        return Some(Color::Hs { h, s });
    }
    if let Some(Value::String(hex)) = o.get("hex") {
        return Rgb::from_hex(hex).map(Color::Rgb);
    }
    None
}

#[derive(Serialize)]
struct SeedOut<'a> {
    state: &'static str,
    brightness: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<Rgb>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_temp: Option<u16>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
}

#[derive(Serialize)]
struct HaOut {
    state: &'static str,
    brightness: u16,
    color_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<Rgb>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_temp: Option<u16>,
}

#[derive(Serialize)]
struct Xy {
    x: f64,
    y: f64,
}

/// Field order is alphabetical: Zigbee2MQTT serialises with sorted keys.
#[derive(Serialize)]
struct Z2mOut {
    brightness: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<Xy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color_temp: Option<u16>,
    linkquality: u8,
    state: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cyan() -> Light {
        Light {
            on: true,
            brightness: 180,
            color: Some(Color::Rgb(Rgb::new(0, 255, 255))),
            color_temp: None,
            mode: Mode::Color,
        }
    }

    fn seed() -> Lamp {
        Lamp::seed("kitchen", "ceiling", cyan())
    }

    fn ha_rgb() -> Lamp {
        Lamp::home_assistant(
            "Desk Strip",
            "lampsim/desk/state",
            "lampsim/desk/set",
            Features {
                brightness_max: 255,
                color: true,
                color_temp: None,
            },
            cyan(),
        )
    }

    fn ha_white() -> Lamp {
        Lamp::home_assistant(
            "Reading Lamp",
            "lampsim/reading/state",
            "lampsim/reading/set",
            Features {
                brightness_max: 255,
                color: false,
                color_temp: Some((153, 454)),
            },
            Light {
                on: false,
                brightness: 100,
                color: None,
                color_temp: Some(370),
                mode: Mode::ColorTemp,
            },
        )
    }

    fn z2m_color() -> Lamp {
        Lamp::zigbee2mqtt(
            "zigbee2mqtt",
            "hallway/ceiling",
            Features {
                brightness_max: 254,
                color: true,
                color_temp: Some((153, 500)),
            },
            Light {
                on: true,
                brightness: 254,
                color: Some(Color::Xy { x: 0.3, y: 0.3 }),
                color_temp: Some(250),
                mode: Mode::Color,
            },
            120,
        )
    }

    fn json_of(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn seed_state_has_the_documented_shape() {
        assert_eq!(
            String::from_utf8(seed().state_payload()).unwrap(),
            r#"{"state":"ON","brightness":180,"color":{"r":0,"g":255,"b":255}}"#
        );
        assert_eq!(seed().state_topic, "smarthome/kitchen/lamps/ceiling");
        assert_eq!(seed().command_topic, seed().state_topic);
    }

    #[test]
    fn seed_adopts_a_whole_write_without_republishing() {
        let mut lamp = seed();
        let write = br#"{"state":"OFF","brightness":40,"color":{"r":255,"g":0,"b":0}}"#;
        let reply = lamp.handle(Role::Command, write);
        assert!(reply.accepted && reply.changed, "{reply:?}");
        assert_eq!(
            reply.publish, None,
            "the writer's retained payload is the state"
        );
        assert!(!lamp.light.on);
        assert_eq!(lamp.light.brightness, 40);
        assert_eq!(lamp.light.color, Some(Color::Rgb(Rgb::new(255, 0, 0))));
        // The same write again (e.g. our own echo) changes nothing and publishes nothing.
        let again = lamp.handle(Role::Command, write);
        assert!(!again.changed && again.publish.is_none());
    }

    #[test]
    fn seed_completes_a_partial_write_and_keeps_unknown_keys() {
        let mut lamp = seed();
        let reply = lamp.handle(Role::Command, br#"{"state":"OFF","scene":"movie"}"#);
        assert!(reply.changed);
        let published = json_of(&reply.publish.expect("completed state is re-published"));
        assert_eq!(
            published,
            json!({"state":"OFF","brightness":180,"color":{"r":0,"g":255,"b":255},"scene":"movie"})
        );
        // The app writes the whole document back with the unknown key: no republish.
        let reply = lamp.handle(
            Role::Command,
            br#"{"state":"ON","brightness":180,"color":{"r":0,"g":255,"b":255},"scene":"movie"}"#,
        );
        assert!(reply.changed && reply.publish.is_none(), "{reply:?}");
    }

    #[test]
    fn seed_accepts_what_the_app_writes_for_colour_temperature() {
        let mut lamp = seed();
        let write = br#"{"brightness":180,"color":{"b":255,"g":255,"r":0},"color_mode":"color_temp","color_temp":300,"state":"ON"}"#;
        let reply = lamp.handle(Role::Command, write);
        assert!(reply.changed && reply.publish.is_none(), "{reply:?}");
        assert_eq!(lamp.light.mode, Mode::ColorTemp);
        assert_eq!(lamp.light.color_temp, Some(300));
        assert_eq!(lamp.summary(), "ON 71% 300 mired");
    }

    #[test]
    fn seed_clamps_and_restores() {
        let mut lamp = seed();
        let reply = lamp.handle(Role::Command, br#"{"state":"on","brightness":300}"#);
        assert_eq!(lamp.light.brightness, 255);
        let published = json_of(reply.publish.as_deref().unwrap());
        assert_eq!(published["state"], "ON");
        assert_eq!(published["brightness"], 255);
        assert!(reply.notes.iter().any(|n| n.contains("clamped")));

        let before = lamp.state_payload();
        for garbage in [&b"not json"[..], b"", b"  ", b"[1,2]", b"\"ON\""] {
            let reply = lamp.handle(Role::Command, garbage);
            assert!(!reply.accepted && !reply.changed, "{garbage:?}");
            assert_eq!(reply.publish.as_deref(), Some(&before[..]), "restores");
        }
        let reply = lamp.handle(Role::Command, br#"{"state":true}"#);
        assert!(lamp.light.on, "invalid state keeps the lamp as it was");
        assert!(reply.publish.is_some(), "and the bad value is overwritten");
    }

    #[test]
    fn ha_command_publishes_the_whole_state() {
        let mut lamp = ha_rgb();
        let reply = lamp.handle(
            Role::Command,
            br#"{"state":"ON","brightness":128,"color":{"r":255,"g":0,"b":128}}"#,
        );
        assert!(reply.accepted && reply.changed);
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"state":"ON","brightness":128,"color_mode":"rgb","color":{"r":255,"g":0,"b":128}})
        );
        let reply = lamp.handle(Role::Command, br#"{"state":"OFF"}"#);
        assert_eq!(json_of(&reply.publish.unwrap())["state"], "OFF");
        assert_eq!(lamp.light.brightness, 128, "level kept while off");
        // Brightness 0 means off; a colour alone switches on.
        lamp.handle(Role::Command, br#"{"state":"ON"}"#);
        lamp.handle(Role::Command, br#"{"brightness":0}"#);
        assert!(!lamp.light.on);
        lamp.handle(Role::Command, br#"{"color":{"h":120,"s":100}}"#);
        assert!(lamp.light.on);
        assert_eq!(lamp.light.color.unwrap().to_rgb(), Rgb::new(0, 255, 0));
    }

    #[test]
    fn ha_ignores_what_it_cannot_do() {
        let mut lamp = ha_white();
        let reply = lamp.handle(Role::Command, br#"{"color":{"r":1,"g":2,"b":3}}"#);
        assert!(!reply.accepted && reply.publish.is_none());
        let reply = lamp.handle(
            Role::Command,
            br#"{"state":"ON","color_temp":600,"transition":2}"#,
        );
        assert!(reply.accepted);
        assert_eq!(
            json_of(&reply.publish.unwrap()),
            json!({"state":"ON","brightness":100,"color_mode":"color_temp","color_temp":454})
        );
        for bad in [&b"ON"[..], b"", b"{\"state\":\"TOGGLE\"}", b"[]"] {
            let reply = lamp.handle(Role::Command, bad);
            assert!(!reply.accepted && reply.publish.is_none(), "{bad:?}");
        }
    }

    #[test]
    fn z2m_echoes_sorted_full_state() {
        let mut lamp = z2m_color();
        assert_eq!(lamp.state_topic, "zigbee2mqtt/hallway/ceiling");
        assert_eq!(lamp.command_topic, "zigbee2mqtt/hallway/ceiling/set");
        let reply = lamp.handle(Role::Command, br#"{"brightness":"200"}"#);
        assert_eq!(
            String::from_utf8(reply.publish.unwrap()).unwrap(),
            r#"{"brightness":200,"color":{"x":0.3,"y":0.3},"color_mode":"xy","color_temp":250,"linkquality":120,"state":"ON"}"#
        );
        let reply = lamp.handle(Role::Command, b"TOGGLE");
        assert!(reply.changed && !lamp.light.on);
        lamp.handle(Role::Command, br#"{"state":"toggle"}"#);
        assert!(lamp.light.on);
        lamp.handle(Role::Command, br##"{"color":"#FF0000"}"##);
        let (x, y) = lamp.light.color.unwrap().to_xy();
        assert!(
            (x - 0.7006).abs() < 0.001 && (y - 0.2993).abs() < 0.001,
            "{x},{y}"
        );
        lamp.handle(Role::Command, br#"{"color":{"x":0.1355,"y":0.0399}}"#);
        assert_eq!(
            json_of(&lamp.state_payload())["color"],
            json!({"x":0.1355,"y":0.0399})
        );
        lamp.handle(Role::Command, br#"{"color_temp":"222"}"#);
        assert_eq!(lamp.light.mode, Mode::ColorTemp);
        assert_eq!(json_of(&lamp.state_payload())["color_mode"], "color_temp");
        lamp.handle(Role::Command, br#"{"brightness_step":-250}"#);
        assert!(!lamp.light.on, "stepping to 0 switches off");
        assert_eq!(lamp.light.brightness, 200, "and keeps the level");
    }

    #[test]
    fn z2m_rejects_what_zigbee2mqtt_rejects() {
        let mut lamp = z2m_color();
        let before = lamp.clone();
        for bad in [
            &br#""#[..],
            b"   ",
            br#"{"state":true}"#,
            br#"{"state":1}"#,
            br#"{"brightness_step":-05}"#,
            br#"{"foo":1}"#,
            b"maybe",
        ] {
            let reply = lamp.handle(Role::Command, bad);
            assert!(!reply.accepted && reply.publish.is_none(), "{bad:?}");
            assert!(!reply.notes.is_empty());
        }
        assert_eq!(lamp, before);
        let reply = lamp.handle(Role::Get, br#"{"state":""}"#);
        assert!(!reply.changed && reply.publish.is_some());
    }

    #[test]
    fn outside_changes_respect_features() {
        let mut lamp = ha_white();
        assert!(!lamp.apply_change(Change::Color(Rgb::new(1, 2, 3))));
        assert!(lamp.apply_change(Change::ColorTemp(1000)));
        assert_eq!(lamp.light.color_temp, Some(454));
        assert!(lamp.light.on);
        assert!(lamp.apply_change(Change::Toggle));
        assert!(!lamp.light.on);
        assert!(lamp.apply_change(Change::Brightness(0)));
        assert_eq!(lamp.light.brightness, 1, "never 0 while on");
        let mut s = seed();
        assert!(
            !s.apply_change(Change::ColorTemp(300)),
            "seed lamps have no announced range"
        );
        assert!(s.apply_change(Change::Color(Rgb::new(255, 0, 0))));
        assert_eq!(s.summary(), "ON 71% #ff0000");
    }
}
