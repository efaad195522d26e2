//! Home Assistant's template schema (`schema: template`, HA's `schema_template.py`): commands
//! are whatever `command_on_template` / `command_off_template` render from HA's variables
//! (`state`, `brightness`, `red`/`green`/`blue`, `hue`/`sat`, `color_temp`, `effect`, each
//! defined only when the change carries it), and the state is read from `state_topic` through
//! `state_template`, `brightness_template`, `red/green/blue_template`, `color_temp_template`
//! and `effect_template`.

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

/// A template-schema light.
#[derive(Debug)]
pub struct TemplateLight {
    light: HaLight,
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

/// HA's `color_hsv_to_RGB(h, s, v)`: Python's `colorsys.hsv_to_rgb`, channels truncated.
fn hsv_to_rgb(h: f64, s: f64, v: f64) -> (u8, u8, u8) {
    let (h, s, v) = (h / 360.0, s / 100.0, v / 100.0);
    let (r, g, b) = if s == 0.0 {
        (v, v, v)
    } else {
        let i = (h * 6.0).trunc();
        let f = h * 6.0 - i;
        let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
        match (i as i64).rem_euclid(6) {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        }
    };
    let c = |x: f64| (x * 255.0).clamp(0.0, 255.0) as u8;
    (c(r), c(g), c(b))
}

impl TemplateLight {
    /// Binds a parsed configuration.
    pub fn new(light: HaLight) -> Self {
        TemplateLight { light }
    }

    fn has(&self, key: &str) -> bool {
        self.light.templates.has(key)
    }

    fn has_color(&self) -> bool {
        self.has("red_template") && self.has("green_template") && self.has("blue_template")
    }

    /// The colour modes HA derives: color_temp with a `color_temp_template`, hs with all of
    /// `red/green/blue_template`, else brightness with a `brightness_template`, else on/off.
    fn modes(&self) -> Vec<ColorMode> {
        let mut m = Vec::new();
        if self.has("color_temp_template") {
            m.push(ColorMode::ColorTemp);
        }
        if self.has_color() {
            m.push(ColorMode::Hs);
        }
        if m.is_empty() {
            m.push(if self.has("brightness_template") {
                ColorMode::Brightness
            } else {
                ColorMode::OnOff
            });
        }
        m
    }

    fn publish(&self, key: &str, vars: &Map<String, Value>) -> CommandResult {
        let payload = self.light.templates.render(key, vars)?;
        Ok(vec![Outgoing {
            topic: self.light.command_topic.clone(),
            payload: payload.into_bytes(),
            retain: self.light.retain,
        }])
    }

    fn value(&self, key: &str, text: &str) -> Option<Result<String, String>> {
        self.has(key)
            .then(|| self.light.templates.render_value(key, text))
    }
}

impl Binding for TemplateLight {
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
        if payload.trim_ascii().is_empty() {
            return Err(ReadError::Empty);
        }
        let text = String::from_utf8_lossy(payload);
        let mut u = StateUpdate::default();
        let mut warn = Vec::new();
        let mut read_any = false;
        match self.value("state_template", &text) {
            Some(Ok(s)) if s == "on" => (u.on, read_any) = (Some(true), true),
            Some(Ok(s)) if s == "off" => (u.on, read_any) = (Some(false), true),
            Some(Ok(s)) if s == "None" => (u.on_unknown, read_any) = (true, true),
            Some(Ok(s)) => warn.push(format!("invalid state value “{s}” (on, off or None)")),
            Some(Err(e)) => warn.push(e),
            None => {}
        }
        match self.value("brightness_template", &text) {
            Some(Ok(s)) => match s.trim().parse::<i64>() {
                Ok(0) => {}
                Ok(b) => {
                    u.brightness_pct = Some((b as f32 / 255.0 * 100.0).clamp(0.0, 100.0));
                    read_any = true;
                }
                Err(_) => warn.push(format!("brightness “{s}” is not a whole number")),
            },
            Some(Err(e)) => warn.push(e),
            None => {}
        }
        match self.value("color_temp_template", &text) {
            Some(Ok(s)) if s == "None" => {}
            Some(Ok(s)) => match s.trim().parse::<u32>() {
                Ok(n) if n > 0 => {
                    let m = if self.light.color_temp_kelvin {
                        color::kelvin_to_mireds(n)
                    } else {
                        n.min(u32::from(u16::MAX)) as u16
                    };
                    u.color_temp_mireds = Some(m);
                    read_any = true;
                }
                _ => warn.push(format!("colour temperature “{s}” is not a whole number")),
            },
            Some(Err(e)) => warn.push(e),
            None => {}
        }
        if self.has_color() {
            let parts: Result<Vec<String>, String> =
                ["red_template", "green_template", "blue_template"]
                    .iter()
                    .map(|k| self.light.templates.render_value(k, &text))
                    .collect();
            match parts {
                Ok(p) if p.iter().all(|c| c == "None") => {}
                Ok(p) => match p
                    .iter()
                    .map(|c| c.trim().parse::<i64>())
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(c) => {
                        let c8 = |v: i64| v.clamp(0, 255) as u8;
                        // HA keeps the hue and saturation only: paint them at full value.
                        let (h, s) = color::rgb_to_hs(Rgb::new(c8(c[0]), c8(c[1]), c8(c[2])));
                        u.rgb = Some(color::hs_to_rgb(h, s));
                        read_any = true;
                    }
                    Err(_) => warn.push(format!("colour “{}” is not three numbers", p.join(","))),
                },
                Err(e) => warn.push(e),
            }
        }
        // HA's `_update_color_mode`: hs when a colour is set (without a colour temperature
        // template), else color_temp.
        let modes = self.modes();
        if modes.len() == 1 && modes[0] != ColorMode::OnOff && modes[0] != ColorMode::Brightness {
            u.color_mode = Some(modes[0]);
        } else if u.rgb.is_some() && u.color_temp_mireds.is_none() {
            u.color_mode = Some(ColorMode::Hs);
        } else if u.color_temp_mireds.is_some() && u.rgb.is_none() {
            u.color_mode = Some(ColorMode::ColorTemp);
        }
        if u.color_mode == Some(ColorMode::ColorTemp) {
            if let Some(m) = u.color_temp_mireds {
                u.rgb = Some(color::mireds_to_rgb(f64::from(m)));
            }
        }
        match self.value("effect_template", &text) {
            Some(Ok(e)) if self.light.effects.contains(&e) => {
                u.effect = Some(e);
                read_any = true;
            }
            Some(Ok(e)) => warn.push(format!("unsupported effect “{e}”")),
            Some(Err(e)) => warn.push(e),
            None => {}
        }
        if !read_any {
            return Err(ReadError::NotAState {
                found: warn.join("; "),
            });
        }
        u.recognized = true;
        u.warnings = warn;
        Ok(u)
    }

    fn capabilities(&self) -> Capabilities {
        let m = self.modes();
        let color_temp = m.contains(&ColorMode::ColorTemp);
        Capabilities {
            brightness: m.iter().any(|m| *m != ColorMode::OnOff),
            color: m.iter().any(|m| m.is_color()),
            color_temp,
            color_temp_range: color_temp.then(|| self.light.mireds_range.unwrap_or((153, 500))),
            effects: self.light.effects.clone(),
        }
    }

    /// HA: `optimistic: true`, or no `state_topic`, or no `state_template`.
    fn optimistic(&self) -> bool {
        self.light.optimistic || self.light.state_topic.is_none() || !self.has("state_template")
    }

    fn command(&self, change: &LampChange, lamp: &Lamp) -> CommandResult {
        let mut v = Map::new();
        let on = !matches!(change, LampChange::On(false) | LampChange::Brightness(0));
        v.insert("state".into(), on.into());
        if !on {
            return self.publish("command_off_template", &v);
        }
        match change {
            LampChange::Brightness(pct) => {
                let b = py_round(f64::from((*pct).min(100)) * 255.0 / 100.0) as u64;
                v.insert("brightness".into(), b.into());
            }
            LampChange::Color(c) => {
                if !self.has_color() {
                    return Err("this lamp takes no colour".into());
                }
                let (h, s) = color::rgb_to_hs(*c);
                let brightness = if self.has("brightness_template") {
                    255.0
                } else {
                    lamp.state
                        .brightness_pct
                        .map_or(255.0, |p| py_round(f64::from(p) * 255.0 / 100.0))
                };
                let (r, g, b) = hsv_to_rgb(h, s, brightness / 255.0 * 100.0);
                v.insert("red".into(), r.into());
                v.insert("green".into(), g.into());
                v.insert("blue".into(), b.into());
                v.insert("hue".into(), h.into());
                v.insert("sat".into(), s.into());
            }
            LampChange::ColorTemp(m) => {
                if !self.has("color_temp_template") {
                    return Err("this lamp takes no colour temperature".into());
                }
                let (lo, hi) = self.light.mireds_range.unwrap_or((153, 500));
                v.insert(
                    "color_temp".into(),
                    (*m).clamp(lo.min(hi), hi.max(lo)).into(),
                );
            }
            LampChange::Effect(name) => {
                if !self.light.effects.contains(name) {
                    return Err(format!("this lamp has no effect called “{name}”"));
                }
                v.insert("effect".into(), name.clone().into());
            }
            LampChange::On(_) => {}
        }
        self.publish("command_on_template", &v)
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
    /// `payload_available` has been received.
    fn available_before_heard(&self) -> bool {
        false
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        self.light.details("template")
    }

    fn note(&self) -> Option<String> {
        super::broken_note(&self.light).or_else(|| {
            (!self.has("command_on_template") || !self.has("command_off_template")).then(|| {
                "this template light has no command_on_template or command_off_template, so it cannot be switched".to_owned()
            })
        })
    }
}
