//! Home Assistant's default schema (no `schema` key, HA's `schema_basic.py`): the state spread
//! over several topics (`state_topic`, `brightness_state_topic`, `rgb_state_topic`, ...), each
//! read through its `*_value_template`; a change is one or more plain payloads on per-feature
//! command topics, in the order HA publishes them, shaped by `on_command_type`.

use serde_json::{Map, Value};

use super::discovery::HaLight;
use crate::lamp::availability::AvailabilityMode;
use crate::lamp::color::{self, Rgb};
use crate::lamp::command::LampChange;
use crate::lamp::read::ReadError;
use crate::lamp::state::{ColorMode, StateUpdate};
use crate::lamp::system::{Binding, CommandResult, Outgoing};
use crate::lamp::systems::SourceKind;
use crate::lamp::{Capabilities, Lamp};

/// What one state topic of a default-schema light carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    State,
    Brightness,
    Rgb,
    Rgbw,
    Rgbww,
    Hs,
    Xy,
    ColorTemp,
    Effect,
    ColorMode,
}

/// Each part with its state topic key and value template key.
const PARTS: &[(Part, &str, &str)] = &[
    (Part::State, "state_topic", "state_value_template"),
    (
        Part::Brightness,
        "brightness_state_topic",
        "brightness_value_template",
    ),
    (Part::Rgb, "rgb_state_topic", "rgb_value_template"),
    (Part::Rgbw, "rgbw_state_topic", "rgbw_value_template"),
    (Part::Rgbww, "rgbww_state_topic", "rgbww_value_template"),
    (Part::Hs, "hs_state_topic", "hs_value_template"),
    (Part::Xy, "xy_state_topic", "xy_value_template"),
    (
        Part::ColorTemp,
        "color_temp_state_topic",
        "color_temp_value_template",
    ),
    (Part::Effect, "effect_state_topic", "effect_value_template"),
    (
        Part::ColorMode,
        "color_mode_state_topic",
        "color_mode_value_template",
    ),
];

/// `on_command_type`: when HA sends `payload_on` along with other changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OnCommand {
    /// After the other commands (HA's default).
    Last,
    /// Before them.
    First,
    /// Never: a turn-on is a brightness command.
    Brightness,
}

/// A default-schema light.
#[derive(Debug)]
pub struct BasicLight {
    light: HaLight,
    on_command: OnCommand,
    modes: Vec<ColorMode>,
}

/// Python's `round`: halves go to the even neighbour.
fn py_round(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    }
}

/// A float as Python's `str` prints it (`30.0`, `0.123`).
fn py_float(x: f64) -> String {
    let s = format!("{x}");
    if s.contains(['.', 'e', 'i', 'N']) {
        s
    } else {
        format!("{s}.0")
    }
}

impl BasicLight {
    /// Binds a parsed configuration; the colour modes are deduced from which command topics
    /// exist, as HA's `_setup_from_config` does.
    pub fn new(light: HaLight) -> Self {
        let on_command = match light.text("on_command_type").as_deref() {
            Some("first") => OnCommand::First,
            Some("brightness") => OnCommand::Brightness,
            _ => OnCommand::Last,
        };
        let mut modes: Vec<ColorMode> = [
            ("color_temp_command_topic", ColorMode::ColorTemp),
            ("hs_command_topic", ColorMode::Hs),
            ("rgb_command_topic", ColorMode::Rgb),
            ("rgbw_command_topic", ColorMode::Rgbw),
            ("rgbww_command_topic", ColorMode::Rgbww),
            ("white_command_topic", ColorMode::White),
            ("xy_command_topic", ColorMode::Xy),
        ]
        .into_iter()
        .filter(|(k, _)| light.text(k).is_some())
        .map(|(_, m)| m)
        .collect();
        if modes.is_empty() {
            modes.push(if light.text("brightness_command_topic").is_some() {
                ColorMode::Brightness
            } else {
                ColorMode::OnOff
            });
        }
        BasicLight {
            light,
            on_command,
            modes,
        }
    }

    fn topic(&self, key: &str) -> Option<String> {
        self.light.text(key)
    }

    fn out(&self, topic: String, payload: String) -> Outgoing {
        Outgoing {
            topic,
            payload: payload.into_bytes(),
            retain: self.light.retain,
        }
    }

    /// A command payload through its `*_command_template` (with `value` and `extra`
    /// variables), or the value itself when there is none.
    fn render_command(
        &self,
        key: &str,
        value: Value,
        extra: &[(&str, Value)],
    ) -> Result<String, String> {
        if !self.light.templates.has(key) {
            return Ok(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        }
        let mut vars = Map::new();
        vars.insert("value".into(), value);
        for (k, v) in extra {
            vars.insert((*k).to_owned(), v.clone());
        }
        self.light.templates.render(key, &vars)
    }

    /// HA's `render_rgbx`: `r,g,b[,w[,w]]` through the colour's command template (which
    /// also gets `red`, `green`, `blue`, `white`, `cold_white`, `warm_white`).
    fn render_rgbx(&self, key: &str, channels: &[u8]) -> Result<String, String> {
        let text = channels
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut extra = vec![
            ("red", Value::from(channels[0])),
            ("green", Value::from(channels[1])),
            ("blue", Value::from(channels[2])),
        ];
        match channels.len() {
            4 => extra.push(("white", Value::from(channels[3]))),
            5 => {
                extra.push(("cold_white", Value::from(channels[3])));
                extra.push(("warm_white", Value::from(channels[4])));
            }
            _ => {}
        }
        self.render_command(key, Value::String(text), &extra)
    }

    /// The lamp's brightness on HA's 0-255 scale, as HA remembers it.
    fn current_brightness(lamp: &Lamp) -> Option<f64> {
        lamp.state
            .brightness_pct
            .map(|p| py_round(f64::from(p) * 255.0 / 100.0))
            .filter(|b| *b > 0.0)
    }

    /// HA's `scale_rgbx`: a colour scaled by the brightness, unless a brightness command
    /// topic carries the brightness (then the colour goes unscaled).
    fn scale(&self, channels: &[u8], brightness: Option<f64>, lamp: &Lamp) -> Vec<u8> {
        let b = match brightness {
            Some(b) => b,
            None if self.topic("brightness_command_topic").is_some() => 255.0,
            None => Self::current_brightness(lamp).unwrap_or(255.0),
        };
        channels
            .iter()
            .map(|c| (f64::from(*c) * b / 255.0) as u8)
            .collect()
    }

    /// The messages of HA's `async_turn_on` for the given service arguments, in its order.
    fn turn_on(&self, mut args: TurnOn, lamp: &Lamp) -> CommandResult {
        let mut out = Vec::new();
        let on = || {
            self.out(
                self.light.command_topic.clone(),
                self.light.payload_on.clone(),
            )
        };
        match self.on_command {
            OnCommand::First => out.push(on()),
            OnCommand::Brightness if args.brightness.is_none() => {
                args.brightness = Some(Self::current_brightness(lamp).unwrap_or(255.0));
            }
            _ => {}
        }
        if let Some(hs) = args.hs {
            if let Some(t) = self.topic("hs_command_topic") {
                let text = format!("{},{}", py_float(hs.0), py_float(hs.1));
                let payload = self.render_command(
                    "hs_command_template",
                    Value::String(text),
                    &[("hue", hs.0.into()), ("sat", hs.1.into())],
                )?;
                out.push(self.out(t, payload));
            }
        }
        if let (Some(rgb), Some(t)) = (args.rgb, self.topic("rgb_command_topic")) {
            let scaled = self.scale(&[rgb.r, rgb.g, rgb.b], None, lamp);
            out.push(self.out(t, self.render_rgbx("rgb_command_template", &scaled)?));
        }
        if let (Some(c), Some(t)) = (&args.rgbw, self.topic("rgbw_command_topic")) {
            let scaled = self.scale(c, None, lamp);
            out.push(self.out(t, self.render_rgbx("rgbw_command_template", &scaled)?));
        }
        if let (Some(c), Some(t)) = (&args.rgbww, self.topic("rgbww_command_topic")) {
            let scaled = self.scale(c, None, lamp);
            out.push(self.out(t, self.render_rgbx("rgbww_command_template", &scaled)?));
        }
        if let (Some(xy), Some(t)) = (args.xy, self.topic("xy_command_topic")) {
            let text = format!("{},{}", py_float(xy.0), py_float(xy.1));
            let payload = self.render_command(
                "xy_command_template",
                Value::String(text),
                &[("x", xy.0.into()), ("y", xy.1.into())],
            )?;
            out.push(self.out(t, payload));
        }
        if let Some(b) = args.brightness {
            let no_color = args.rgb.is_none() && args.rgbw.is_none() && args.rgbww.is_none();
            if let Some(t) = self.topic("brightness_command_topic") {
                let scale = f64::from(self.light.brightness_scale);
                let device = py_round(b / 255.0 * scale).min(scale).max(1.0) as u64;
                let payload =
                    self.render_command("brightness_command_template", device.into(), &[])?;
                out.push(self.out(t, payload));
            } else if let (true, Some(t)) = (no_color, self.topic("rgb_command_topic")) {
                let rgb = lamp.state.rgb.unwrap_or(Rgb::new(255, 255, 255));
                let scaled = self.scale(&[rgb.r, rgb.g, rgb.b], Some(b), lamp);
                out.push(self.out(t, self.render_rgbx("rgb_command_template", &scaled)?));
            } else if let (true, Some(t)) = (no_color, self.topic("rgbw_command_topic")) {
                let rgb = lamp.state.rgb.unwrap_or(Rgb::new(255, 255, 255));
                let scaled = self.scale(&[rgb.r, rgb.g, rgb.b, 0], Some(b), lamp);
                out.push(self.out(t, self.render_rgbx("rgbw_command_template", &scaled)?));
            } else if let (true, Some(t)) = (no_color, self.topic("rgbww_command_topic")) {
                let rgb = lamp.state.rgb.unwrap_or(Rgb::new(255, 255, 255));
                let scaled = self.scale(&[rgb.r, rgb.g, rgb.b, 0, 0], Some(b), lamp);
                out.push(self.out(t, self.render_rgbx("rgbww_command_template", &scaled)?));
            }
        }
        if let (Some(mireds), Some(t)) = (args.mireds, self.topic("color_temp_command_topic")) {
            let value = if self.light.color_temp_kelvin {
                u64::from(color::mireds_to_kelvin(mireds))
            } else {
                u64::from(mireds)
            };
            let payload = self.render_command("color_temp_command_template", value.into(), &[])?;
            out.push(self.out(t, payload));
        }
        if let (Some(name), Some(t)) = (&args.effect, self.topic("effect_command_topic")) {
            if self.light.effects.contains(name) {
                let payload =
                    self.render_command("effect_command_template", name.clone().into(), &[])?;
                out.push(self.out(t, payload));
            }
        }
        if self.on_command == OnCommand::Last {
            out.push(on());
        }
        if out.is_empty() {
            return Err("this lamp's configuration has no topic for that change".into());
        }
        Ok(out)
    }

    /// Reads one part's value, updating `u`; `Err` with the reason when HA would ignore it.
    fn read_part(&self, part: Part, value: &str, u: &mut StateUpdate) -> Result<(), String> {
        let l = &self.light;
        let optimistic_mode = l.optimistic || self.topic("color_mode_state_topic").is_none();
        if value.is_empty() {
            return Err("empty value".into());
        }
        match part {
            Part::State => {
                if value == l.payload_on {
                    u.on = Some(true);
                } else if value == l.payload_off {
                    u.on = Some(false);
                } else if value == "None" {
                    u.on_unknown = true;
                } else {
                    return Err(format!(
                        "state “{value}” is neither payload_on “{}” nor payload_off “{}”",
                        l.payload_on, l.payload_off
                    ));
                }
            }
            Part::Brightness => {
                let v: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("brightness “{value}” is not a number"))?;
                if v == 0.0 {
                    return Err("zero brightness is ignored".into());
                }
                let pct = (v / f64::from(l.brightness_scale) * 100.0).clamp(0.0, 100.0);
                u.brightness_pct = Some(pct as f32);
            }
            Part::Rgb | Part::Rgbw | Part::Rgbww => {
                let channels: Vec<f64> = value
                    .split(',')
                    .map(|c| c.trim().parse::<i64>().map(|n| n as f64))
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("colour “{value}” is not comma-separated numbers"))?;
                let want = match part {
                    Part::Rgb => 3,
                    Part::Rgbw => 4,
                    _ => 5,
                };
                if channels.len() != want {
                    return Err(format!("colour “{value}” needs {want} numbers"));
                }
                let rgb = [channels[0], channels[1], channels[2]];
                let (mode, mixed) = match part {
                    Part::Rgb => (
                        ColorMode::Rgb,
                        Rgb::new(
                            rgb[0].clamp(0.0, 255.0) as u8,
                            rgb[1].clamp(0.0, 255.0) as u8,
                            rgb[2].clamp(0.0, 255.0) as u8,
                        ),
                    ),
                    Part::Rgbw => (ColorMode::Rgbw, color::rgbw_to_rgb(rgb, channels[3])),
                    _ => {
                        let (lo, hi) = l.mireds_range.unwrap_or((153, 500));
                        (
                            ColorMode::Rgbww,
                            color::rgbww_to_rgb(rgb, channels[3], channels[4], lo, hi),
                        )
                    }
                };
                let mut shown = mixed;
                if self.topic("brightness_state_topic").is_none() {
                    let max = mixed.r.max(mixed.g).max(mixed.b);
                    if max == 0 {
                        return Err("zero brightness is ignored".into());
                    }
                    u.brightness_pct = Some(f32::from(max) / 255.0 * 100.0);
                    let norm =
                        |c: u8| (py_round(f64::from(c) / f64::from(max) * 255.0)).min(255.0) as u8;
                    shown = Rgb::new(norm(mixed.r), norm(mixed.g), norm(mixed.b));
                }
                u.rgb = Some(shown);
                if optimistic_mode {
                    u.color_mode = Some(mode);
                }
            }
            Part::Hs | Part::Xy => {
                let nums: Vec<f64> = value
                    .splitn(2, ',')
                    .map(|c| c.trim().parse::<f64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("colour “{value}” is not two numbers"))?;
                let [a, b] = nums[..] else {
                    return Err(format!("colour “{value}” is not two numbers"));
                };
                if part == Part::Hs {
                    u.rgb = Some(color::hs_to_rgb(a, b));
                    if optimistic_mode {
                        u.color_mode = Some(ColorMode::Hs);
                    }
                } else {
                    u.rgb = Some(color::xy_to_rgb(a, b));
                    if optimistic_mode {
                        u.color_mode = Some(ColorMode::Xy);
                    }
                }
            }
            Part::ColorTemp => {
                let n: u32 = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("colour temperature “{value}” is not a whole number"))?;
                if n == 0 {
                    return Err("zero colour temperature".into());
                }
                let mireds = if l.color_temp_kelvin {
                    color::kelvin_to_mireds(n)
                } else {
                    n.min(u32::from(u16::MAX)) as u16
                };
                u.color_temp_mireds = Some(mireds);
                u.rgb = Some(color::mireds_to_rgb(f64::from(mireds)));
                if optimistic_mode {
                    u.color_mode = Some(ColorMode::ColorTemp);
                }
            }
            Part::Effect => u.effect = Some(value.to_owned()),
            Part::ColorMode => {
                let mode = ColorMode::from_name(value)
                    .ok_or_else(|| format!("colour mode “{value}” is not one of HA's"))?;
                u.color_mode = Some(mode);
            }
        }
        Ok(())
    }
}

/// The arguments of one HA `light.turn_on` call, as the card's change maps to them.
#[derive(Default)]
struct TurnOn {
    brightness: Option<f64>,
    rgb: Option<Rgb>,
    rgbw: Option<Vec<u8>>,
    rgbww: Option<Vec<u8>>,
    hs: Option<(f64, f64)>,
    xy: Option<(f64, f64)>,
    mireds: Option<u16>,
    effect: Option<String>,
}

impl Binding for BasicLight {
    fn kind(&self) -> SourceKind {
        SourceKind::HomeAssistant
    }

    /// Every distinct state topic, `state_topic` first.
    fn state_topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = Vec::new();
        for (_, key, _) in PARTS {
            if let Some(t) = self.topic(key) {
                if !topics.contains(&t) {
                    topics.push(t);
                }
            }
        }
        topics
    }

    fn read(
        &self,
        topic: &str,
        payload: &[u8],
        _document: &mut Map<String, Value>,
    ) -> Result<StateUpdate, ReadError> {
        if payload.trim_ascii().is_empty() {
            return Err(ReadError::Empty);
        }
        let text = String::from_utf8_lossy(payload);
        let mut u = StateUpdate::default();
        let mut reasons = Vec::new();
        let mut read_any = false;
        for (part, key, template) in PARTS {
            if self.topic(key).as_deref() != Some(topic) {
                continue;
            }
            let result = self
                .light
                .templates
                .render_value(template, &text)
                .and_then(|value| self.read_part(*part, &value, &mut u));
            match result {
                Ok(()) => read_any = true,
                Err(e) => reasons.push(e),
            }
        }
        if !read_any {
            return Err(ReadError::NotAState {
                found: reasons.join("; "),
            });
        }
        u.recognized = true;
        u.warnings = reasons.into_iter().filter(|r| r != "empty value").collect();
        Ok(u)
    }

    fn capabilities(&self) -> Capabilities {
        let m = &self.modes;
        let color_temp = m.contains(&ColorMode::ColorTemp);
        Capabilities {
            brightness: m.iter().any(|m| *m != ColorMode::OnOff),
            color: m.iter().any(|m| m.is_color()),
            color_temp,
            color_temp_range: color_temp.then(|| self.light.mireds_range.unwrap_or((153, 500))),
            effects: if self.topic("effect_command_topic").is_some() {
                self.light.effects.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// HA: `optimistic: true`, or no `state_topic`.
    fn optimistic(&self) -> bool {
        self.light.optimistic || self.light.state_topic.is_none()
    }

    fn command(&self, change: &LampChange, lamp: &Lamp) -> CommandResult {
        let l = &self.light;
        let has = |m: ColorMode| self.modes.contains(&m);
        let mut args = TurnOn::default();
        match change {
            LampChange::On(false) | LampChange::Brightness(0) => {
                return Ok(vec![
                    self.out(l.command_topic.clone(), l.payload_off.clone())
                ]);
            }
            LampChange::On(true) => {}
            LampChange::Brightness(pct) => {
                args.brightness = Some(py_round(f64::from((*pct).min(100)) * 255.0 / 100.0));
            }
            LampChange::Color(c) => {
                // HA's light service hands the colour over in a mode the lamp supports.
                if has(ColorMode::Rgb) {
                    args.rgb = Some(*c);
                } else if has(ColorMode::Hs) {
                    args.hs = Some(color::rgb_to_hs(*c));
                } else if has(ColorMode::Xy) {
                    args.xy = Some(color::rgb_to_xy(*c));
                } else if has(ColorMode::Rgbw) {
                    args.rgbw = Some(rgb_to_rgbw(*c));
                } else if has(ColorMode::Rgbww) {
                    args.rgbww = Some(vec![c.r, c.g, c.b, 0, 0]);
                } else {
                    return Err("this lamp takes no colour".into());
                }
            }
            LampChange::ColorTemp(m) => {
                if !has(ColorMode::ColorTemp) {
                    return Err("this lamp takes no colour temperature".into());
                }
                let (lo, hi) = l.mireds_range.unwrap_or((153, 500));
                args.mireds = Some((*m).clamp(lo.min(hi), hi.max(lo)));
            }
            LampChange::Effect(name) => {
                if self.topic("effect_command_topic").is_none() || !l.effects.contains(name) {
                    return Err(format!("this lamp has no effect called “{name}”"));
                }
                args.effect = Some(name.clone());
            }
        }
        self.turn_on(args, lamp)
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
        self.light.details("default")
    }

    fn note(&self) -> Option<String> {
        super::broken_note(&self.light)
    }
}

/// HA's `color_rgb_to_rgbw`: the white channel takes the common part of the three.
fn rgb_to_rgbw(c: Rgb) -> Vec<u8> {
    let w = c.r.min(c.g).min(c.b);
    let (r, g, b) = (c.r - w, c.g - w, c.b - w);
    // Scale back to the input maximum, as HA's `_match_max_scale`.
    let max_in = f64::from(c.r.max(c.g).max(c.b));
    let max_out = f64::from(r.max(g).max(b).max(w));
    let f = if max_out == 0.0 {
        0.0
    } else {
        max_in / max_out
    };
    [r, g, b, w]
        .iter()
        .map(|v| py_round(f64::from(*v) * f).clamp(0.0, 255.0) as u8)
        .collect()
}
