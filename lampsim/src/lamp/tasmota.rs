//! Tasmota lights, as Tasmota's firmware answers MQTT (docs `Commands.md`, `Lights.md`):
//!
//! * Commands on `cmnd/<t>/<Command>`, names in any case, the value as plain text; an empty
//!   value is a query. `Power[n]` ON/OFF/TOGGLE/1/0/2; `Dimmer` 0-100 (0 = off, any other
//!   level powers on); `Color`/`Color1` `r,g,b` or hex sets the channels (the dimmer follows
//!   the brightest), `Color2` sets the colour at the current dimmer; `HSBColor` `h,s,b` (or
//!   `HSBColor1` h, `HSBColor2` s, `HSBColor3` b); `CT` 153-500 switches to white; `White`
//!   sets the white level; `Scheme` 0-4; `Channel<n>` with SetOption68; `Backlog` runs
//!   `;`-separated commands in order (`NoDelay` is skipped); `State` reports everything.
//! * Every command is answered on `stat/<t>/RESULT` (not retained) — one RESULT per command
//!   of a Backlog — and a power change also on `stat/<t>/POWER[n]` (PowerRetain 0: not
//!   retained). Unknown commands get `{"Command":"Unknown"}`.
//! * Telemetry on `tele/<t>/STATE` (not retained), the light keys among unrelated ones.
//! * `Color` is reported as decimal (SetOption17 1), already scaled by the dimmer; in white
//!   mode the RGB channels are 0, `White` is the level and `HSBColor` keeps a stale hue.

use serde_json::{json, Map, Value};

use super::{ignored, Kind, Lamp, Light, Mode, Publish, Reply, Role};
use crate::color::{hs_to_rgb, Color, Rgb};

/// Commands a simulated Tasmota device understands (compared case-insensitively).
pub const COMMANDS: [&str; 18] = [
    "Power",
    "Power1",
    "Power2",
    "Dimmer",
    "Channel1",
    "Channel2",
    "Color",
    "Color1",
    "Color2",
    "HSBColor",
    "HSBColor1",
    "HSBColor2",
    "HSBColor3",
    "CT",
    "White",
    "Scheme",
    "Backlog",
    "State",
];
/// The role index of any other command.
pub const UNKNOWN: u8 = u8::MAX;

/// Tasmota's warmest and coldest CT.
const CT_RANGE: (u16, u16) = (153, 500);

/// The index of a command name, any case.
pub fn command_index(name: &str) -> u8 {
    COMMANDS
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name))
        .map_or(UNKNOWN, |i| i as u8)
}

/// A simulated Tasmota device: its topic, MAC and light layout.
#[derive(Clone, Debug, PartialEq)]
pub struct TasmotaInfo {
    /// The device topic (`t`).
    pub topic: String,
    /// The MAC, 12 hex digits (the discovery topic's level).
    pub mac: String,
    /// Light subtype (`lt_st`): 2 cold/warm, 5 RGB + cold/warm.
    pub subtype: u8,
    /// SetOption68: each PWM channel is a light of its own (`Channel<n>`, `POWER<n>`).
    pub channels: bool,
}

impl TasmotaInfo {
    fn stat(&self, what: &str) -> String {
        format!("stat/{}/{what}", self.topic)
    }
}

/// Hue (degrees) and saturation (percent) of a colour.
fn rgb_to_hs(c: Rgb) -> (u16, u16) {
    let (r, g, b) = (f64::from(c.r), f64::from(c.g), f64::from(c.b));
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    if max == 0.0 || max == min {
        return (0, 0);
    }
    let d = max - min;
    let h = if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (h.round() as u16 % 360, (d / max * 100.0).round() as u16)
}

/// `r,g,b[,..]`, `#RRGGBB`, `RRGGBB`: the colour at full chroma and its brightest channel.
fn parse_color(text: &str) -> Option<(Rgb, u8)> {
    let t = text.trim();
    let ch: Vec<u8> = if t.contains(',') {
        t.split(',')
            .map(|p| p.trim().parse::<u8>().ok())
            .collect::<Option<_>>()?
    } else {
        let hex = t.trim_start_matches('#');
        if hex.len() < 6 || !hex.len().is_multiple_of(2) || !hex.is_ascii() {
            return None;
        }
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect::<Option<_>>()?
    };
    let [r, g, b, ..] = ch[..] else { return None };
    let max = r.max(g).max(b);
    if max == 0 {
        return None;
    }
    let k = 255.0 / f64::from(max);
    let up = |v: u8| (f64::from(v) * k).round().min(255.0) as u8;
    Some((Rgb::new(up(r), up(g), up(b)), max))
}

fn word(on: bool) -> &'static str {
    if on {
        "ON"
    } else {
        "OFF"
    }
}

impl Lamp {
    /// A Tasmota light (one output) or a SetOption68 two-channel controller (`second` is the
    /// second channel's light).
    pub fn tasmota(
        name: &str,
        info: TasmotaInfo,
        features: super::Features,
        light: Light,
        second: Option<Light>,
    ) -> Lamp {
        let mut lamp = Lamp::base(
            Kind::Tasmota,
            name,
            &format!("tele/{}/STATE", info.topic),
            &format!("cmnd/{}/+", info.topic),
        );
        lamp.features = features;
        lamp.light = light;
        lamp.more_lights.extend(second);
        lamp.tasmota = Some(info);
        lamp
    }

    fn info(&self) -> TasmotaInfo {
        self.tasmota.clone().unwrap_or(TasmotaInfo {
            topic: self.name.clone(),
            mac: String::new(),
            subtype: 5,
            channels: false,
        })
    }

    /// The light keys as Tasmota reports them; `tele` adds telemetry's unrelated keys.
    pub(super) fn tasmota_state(&self, tele: bool) -> Vec<u8> {
        let info = self.info();
        let mut m = Map::new();
        if tele {
            m.insert("Uptime".into(), json!("0T02:05:19"));
            m.insert("Heap".into(), json!(20));
        }
        if info.channels {
            for (i, l) in [&self.light]
                .into_iter()
                .chain(&self.more_lights)
                .enumerate()
            {
                m.insert(format!("POWER{}", i + 1), json!(word(l.on)));
            }
            let levels: Vec<u16> = [&self.light]
                .into_iter()
                .chain(&self.more_lights)
                .map(|l| l.brightness)
                .collect();
            for (i, v) in levels.iter().enumerate() {
                m.insert(format!("Channel{}", i + 1), json!(v));
            }
            m.insert("Channel".into(), json!(levels));
        } else {
            self.tasmota_light_keys(&mut m);
        }
        if tele {
            m.insert(
                "Wifi".into(),
                json!({"AP": 1, "SSId": "lampsim", "RSSI": 80, "Signal": -60, "Channel": 11}),
            );
        }
        Value::Object(m).to_string().into_bytes()
    }

    fn tasmota_light_keys(&self, m: &mut Map<String, Value>) {
        let l = &self.light;
        let d = l.brightness;
        let scale = |v: u8| (f64::from(v) * f64::from(d) / 100.0).round() as u8;
        let rgb = match l.color {
            Some(Color::Rgb(c)) => c,
            Some(other) => other.to_rgb(),
            None => Rgb::new(255, 255, 255),
        };
        let (h, s) = rgb_to_hs(rgb);
        let ct = l.color_temp.unwrap_or(CT_RANGE.0);
        let warm = f64::from(ct - CT_RANGE.0) / f64::from(CT_RANGE.1 - CT_RANGE.0);
        let white = l.mode != Mode::Color;
        let (cw, ww) = if white {
            let level = 255.0 * f64::from(d) / 100.0;
            (
                ((1.0 - warm) * level).round() as u8,
                (warm * level).round() as u8,
            )
        } else {
            (0, 0)
        };
        let (r, g, b) = if white {
            (0, 0, 0)
        } else {
            (scale(rgb.r), scale(rgb.g), scale(rgb.b))
        };
        let pct = |v: u8| (f64::from(v) / 2.55).round() as u8;
        m.insert("POWER".into(), json!(word(l.on)));
        m.insert("Dimmer".into(), json!(d));
        m.insert("Color".into(), json!(format!("{r},{g},{b},{cw},{ww}")));
        m.insert(
            "HSBColor".into(),
            json!(format!("{h},{s},{}", if white { 0 } else { d })),
        );
        m.insert("White".into(), json!(if white { d } else { 0 }));
        m.insert("CT".into(), json!(ct));
        m.insert(
            "Channel".into(),
            json!([pct(r), pct(g), pct(b), pct(cw), pct(ww)]),
        );
        let scheme: u8 = l
            .effect
            .as_deref()
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        m.insert("Scheme".into(), json!(scheme));
        m.insert("Fade".into(), json!("OFF"));
        m.insert("Speed".into(), json!(1));
        m.insert("LedTable".into(), json!("ON"));
    }

    /// The light a power/channel command addresses (0 or 1).
    fn tasmota_light(&mut self, i: usize) -> Option<&mut Light> {
        self.endpoint_light_mut(i)
    }

    /// Answers one `cmnd/<t>/<Command>` message.
    pub(super) fn tasmota_command(&mut self, role: Role, payload: &[u8]) -> Reply {
        let Role::Tasmota(index) = role else {
            return ignored("not a Tasmota command topic");
        };
        let value = String::from_utf8_lossy(payload).trim().to_string();
        if COMMANDS.get(usize::from(index)) == Some(&"Backlog") {
            let mut reply = Reply {
                accepted: false,
                ..Reply::default()
            };
            for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (name, arg) = part.split_once([' ', '=']).unwrap_or((part, ""));
                if name.eq_ignore_ascii_case("NoDelay") {
                    continue;
                }
                let one = self.tasmota_one(command_index(name), arg.trim());
                reply.accepted |= one.accepted;
                reply.changed |= one.changed;
                reply.notes.extend(one.notes);
                reply.extra.extend(one.extra);
            }
            return reply;
        }
        self.tasmota_one(index, &value)
    }

    fn tasmota_one(&mut self, index: u8, value: &str) -> Reply {
        let info = self.info();
        let Some(&name) = COMMANDS.get(usize::from(index)) else {
            return Reply {
                accepted: false,
                notes: vec!["unknown command".into()],
                extra: vec![Publish::new(
                    info.stat("RESULT"),
                    br#"{"Command":"Unknown"}"#.to_vec(),
                    false,
                )],
                ..Reply::default()
            };
        };
        let before: Vec<Light> = [&self.light]
            .into_iter()
            .chain(&self.more_lights)
            .cloned()
            .collect();
        let number = value.parse::<f64>().ok();
        let mut notes = Vec::new();
        let mut power_of: Option<usize> = None;
        let single = !info.channels;
        match name {
            "Power" | "Power1" | "Power2" => {
                let i = if name == "Power2" { 1 } else { 0 };
                power_of = Some(i);
                if let Some(l) = self.tasmota_light(i) {
                    match value.to_ascii_uppercase().as_str() {
                        "" => {}
                        "ON" | "1" => l.on = true,
                        "OFF" | "0" => l.on = false,
                        "TOGGLE" | "2" => l.on = !l.on,
                        other => notes.push(format!("power value {other} ignored")),
                    }
                } else {
                    notes.push("no such output".into());
                }
            }
            "Dimmer" | "Channel1" | "Channel2" if !value.is_empty() => {
                let i = usize::from(name == "Channel2");
                if (name == "Dimmer") == info.channels {
                    notes.push(format!("{name} does not address a light here"));
                } else if let (Some(d), Some(l)) = (number, self.tasmota_light(i)) {
                    let d = d.clamp(0.0, 100.0).round() as u16;
                    if d == 0 {
                        l.on = false;
                    } else {
                        l.brightness = d;
                        l.on = true;
                    }
                    power_of = Some(i);
                }
            }
            "Color" | "Color1" | "Color2" | "HSBColor" | "HSBColor1" | "HSBColor2"
            | "HSBColor3"
                if !value.is_empty() && self.features.color =>
            {
                let l = &mut self.light;
                let old = match l.color {
                    Some(c) => c.to_rgb(),
                    None => Rgb::new(255, 255, 255),
                };
                let (h, s) = rgb_to_hs(old);
                let mut set = |rgb: Rgb, dimmer: Option<u16>| {
                    l.color = Some(Color::Rgb(rgb));
                    l.mode = Mode::Color;
                    if let Some(d) = dimmer {
                        l.brightness = d.clamp(1, 100);
                    }
                    l.on = true;
                };
                let cut = value.trim_end_matches('=');
                match name {
                    "Color" | "Color1" | "Color2" => match parse_color(cut) {
                        Some((rgb, max)) => {
                            let dimmer =
                                (name != "Color2").then(|| (f64::from(max) / 2.55).round() as u16);
                            set(rgb, dimmer);
                        }
                        None => notes.push(format!("colour {value} not understood")),
                    },
                    "HSBColor" => {
                        let parts: Vec<Option<f64>> =
                            cut.split(',').map(|p| p.trim().parse().ok()).collect();
                        match parts[..] {
                            [Some(h), Some(s), Some(b)] => {
                                set(hs_to_rgb(h, s), Some(b.round() as u16));
                            }
                            _ => notes.push(format!("HSBColor {value} not understood")),
                        }
                    }
                    _ => match number {
                        Some(n) if name == "HSBColor1" => set(hs_to_rgb(n, f64::from(s)), None),
                        Some(n) if name == "HSBColor2" => set(hs_to_rgb(f64::from(h), n), None),
                        Some(n) => set(old, Some(n.round() as u16)),
                        None => notes.push(format!("{name} {value} not understood")),
                    },
                }
                power_of = Some(0).filter(|_| single);
            }
            "CT" if !value.is_empty() && self.features.color_temp.is_some() => match number {
                Some(m) => {
                    let l = &mut self.light;
                    l.color_temp = Some((m.round() as u16).clamp(CT_RANGE.0, CT_RANGE.1));
                    l.mode = Mode::ColorTemp;
                    l.on = true;
                    power_of = Some(0);
                }
                None => notes.push(format!("CT {value} not understood")),
            },
            "White" if !value.is_empty() && single => match number {
                Some(w) => {
                    let l = &mut self.light;
                    l.mode = Mode::ColorTemp;
                    l.brightness = w.clamp(1.0, 100.0).round() as u16;
                    l.on = true;
                    power_of = Some(0);
                }
                None => notes.push(format!("White {value} not understood")),
            },
            "Scheme" if !value.is_empty() && single => match number {
                Some(n) if (0.0..=4.0).contains(&n) => {
                    self.light.effect = Some((n as u8).to_string());
                    self.light.on = true;
                    power_of = Some(0);
                }
                _ => notes.push(format!("scheme {value} not offered")),
            },
            "State" | "Dimmer" | "Channel1" | "Channel2" | "Color" | "Color1" | "Color2"
            | "HSBColor" | "HSBColor1" | "HSBColor2" | "HSBColor3" | "CT" | "White" | "Scheme" => {
                // A query (empty value), or a control this light lacks: the state, unchanged.
            }
            _ => notes.push(format!("{name} not simulated")),
        }
        let after: Vec<Light> = [&self.light]
            .into_iter()
            .chain(&self.more_lights)
            .cloned()
            .collect();
        let changed = before != after;
        let mut extra = Vec::new();
        let result = match (name, power_of) {
            ("Power" | "Power1" | "Power2", Some(i)) => {
                let key = if single {
                    "POWER".to_string()
                } else {
                    format!("POWER{}", i + 1)
                };
                let on = after.get(i).is_some_and(|l| l.on);
                json!({ key: word(on) }).to_string().into_bytes()
            }
            _ => self.tasmota_state(false),
        };
        extra.push(Publish::new(info.stat("RESULT"), result, false));
        for (i, (a, b)) in before.iter().zip(&after).enumerate() {
            let asked = name.starts_with("Power") && power_of == Some(i);
            if a.on != b.on || asked {
                let topic = if single {
                    "POWER".to_string()
                } else {
                    format!("POWER{}", i + 1)
                };
                extra.push(Publish::new(info.stat(&topic), word(b.on), false));
            }
        }
        Reply {
            accepted: notes.is_empty(),
            changed,
            publish: None,
            notes,
            extra,
        }
    }

    /// Tasmota's discovery config for this device (`tasmota/discovery/<MAC>/config`), in the
    /// firmware's short keys (see the app's `systems/tasmota/config.rs` for their meaning).
    pub fn tasmota_discovery(&self, names: &[&str]) -> Value {
        let info = self.info();
        let lights = if info.channels { 2 } else { 1 };
        let mut rl = vec![0; 8];
        rl[..lights].fill(2);
        let mut fnames: Vec<Value> = names.iter().map(|n| json!(n)).collect();
        fnames.resize(8, Value::Null);
        json!({
            "ip": "127.0.0.1", "dn": self.name, "fn": fnames,
            "hn": format!("{}-{}", info.topic, &info.mac[info.mac.len().saturating_sub(4)..]),
            "mac": info.mac, "md": if info.channels { "H801" } else { "Generic RGBCCT bulb" },
            "ty": 0, "if": 0, "ofln": "Offline", "onln": "Online",
            "state": ["OFF", "ON", "TOGGLE", "HOLD"], "sw": "13.2.0", "t": info.topic,
            "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"], "rl": rl,
            "swc": [-1, -1, -1, -1, -1, -1, -1, -1], "swn": [null, null, null, null, null, null, null, null],
            "btn": [0, 0, 0, 0, 0, 0, 0, 0],
            "so": {"4": 0, "11": 0, "13": 0, "17": 1, "20": 0, "30": 0,
                   "68": u8::from(info.channels), "73": 0, "82": 0, "114": 0, "117": 0},
            "lk": 1, "lt_st": info.subtype, "bat": 0, "dslp": 0, "sho": [], "sht": [], "ver": 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lamp::Features;

    fn bulb() -> Lamp {
        Lamp::tasmota(
            "Hall Bulb",
            TasmotaInfo {
                topic: "tasmota_A1B2C3".into(),
                mac: "A4CF12A1B2C3".into(),
                subtype: 5,
                channels: false,
            },
            Features::new(100, true, Some((153, 500))),
            Light {
                color: Some(Color::Rgb(Rgb::new(255, 0, 0))),
                mode: Mode::Color,
                ..Light::dimmed(true, 50)
            },
            None,
        )
    }

    fn send(lamp: &mut Lamp, cmd: &str, value: &str) -> Reply {
        lamp.handle(Role::Tasmota(command_index(cmd)), value.as_bytes())
    }

    fn result(r: &Reply) -> Value {
        serde_json::from_slice(&r.extra[0].payload).unwrap()
    }

    #[test]
    fn commands_answer_on_result_and_power_unretained() {
        let mut b = bulb();
        let r = send(&mut b, "POWER", "OFF");
        assert!(r.accepted && r.changed && r.publish.is_none());
        assert_eq!(r.extra[0].topic, "stat/tasmota_A1B2C3/RESULT");
        assert_eq!(result(&r), json!({"POWER": "OFF"}));
        assert_eq!(
            r.extra[1],
            Publish::new("stat/tasmota_A1B2C3/POWER", "OFF", false)
        );
        assert!(r.extra.iter().all(|p| !p.retain));
        // Empty = query: the answer without a change (sample tas-21), TOGGLE flips (tas-22).
        let r = send(&mut b, "Power", "");
        assert!(!r.changed);
        assert_eq!(result(&r), json!({"POWER": "OFF"}));
        send(&mut b, "Power", "TOGGLE");
        assert!(b.light.on);
        // Dimmer powers on and answers with the whole light.
        send(&mut b, "Power", "OFF");
        let r = send(&mut b, "Dimmer", "70");
        let v = result(&r);
        assert_eq!(
            (v["POWER"].clone(), v["Dimmer"].clone()),
            (json!("ON"), json!(70))
        );
        assert_eq!(v["Color"], "179,0,0,0,0", "Color is scaled by the dimmer");
        assert_eq!(v["HSBColor"], "0,100,70");
        assert_eq!(r.extra[1].topic, "stat/tasmota_A1B2C3/POWER");
        let r = send(&mut b, "Unheard", "1");
        assert!(!r.accepted);
        assert_eq!(result(&r), json!({"Command": "Unknown"}));
    }

    #[test]
    fn colour_ct_scheme_and_backlog_follow_the_firmware() {
        let mut b = bulb();
        // Color2 keeps the dimmer; Color sets it from the brightest channel.
        send(&mut b, "Color2", "0,0,255");
        assert_eq!(
            (b.light.brightness, b.light.color),
            (50, Some(Color::Rgb(Rgb::new(0, 0, 255))))
        );
        send(&mut b, "Color", "0,128,0");
        assert_eq!(
            (b.light.brightness, b.light.color),
            (50, Some(Color::Rgb(Rgb::new(0, 255, 0))))
        );
        // HSBColor like sample tas-27.
        send(&mut b, "HSBColor", "127,84,100");
        assert_eq!(b.light.brightness, 100);
        let r = send(&mut b, "CT", "300");
        let v = result(&r);
        assert_eq!(
            (v["White"].clone(), v["CT"].clone()),
            (json!(100), json!(300))
        );
        assert!(v["Color"].as_str().unwrap().starts_with("0,0,0,"), "{v}");
        // Backlog as HA sends it (samples tas-24, tas-25): one RESULT per command.
        let r = send(&mut b, "Backlog", "NoDelay;Dimmer 40;NoDelay;Scheme 2");
        assert!(r.accepted);
        let results = r
            .extra
            .iter()
            .filter(|p| p.topic.ends_with("RESULT"))
            .count();
        assert_eq!(results, 2);
        assert_eq!(
            (b.light.brightness, b.light.effect.as_deref()),
            (40, Some("2"))
        );
        assert!(!send(&mut b, "Scheme", "9").accepted);
        let tele: Value = serde_json::from_slice(&b.tasmota_state(true)).unwrap();
        assert_eq!(tele["Wifi"]["Channel"], 11);
        assert_eq!(tele["Scheme"], 2);
    }

    #[test]
    fn a_two_channel_controller_answers_per_channel() {
        let mut c = Lamp::tasmota(
            "Cabinet",
            TasmotaInfo {
                topic: "tasmota_D4E5F6".into(),
                mac: "A4CF12D4E5F6".into(),
                subtype: 2,
                channels: true,
            },
            Features::new(100, false, None),
            Light::dimmed(true, 30),
            Some(Light::dimmed(false, 70)),
        );
        let r = send(&mut c, "Channel2", "45");
        assert_eq!(c.more_lights[0].brightness, 45);
        assert!(c.more_lights[0].on);
        let v = result(&r);
        assert_eq!(
            (
                v["Channel1"].clone(),
                v["Channel2"].clone(),
                v["POWER2"].clone()
            ),
            (json!(30), json!(45), json!("ON"))
        );
        assert_eq!(
            r.extra[1],
            Publish::new("stat/tasmota_D4E5F6/POWER2", "ON", false)
        );
        let r = send(&mut c, "Power1", "OFF");
        assert_eq!(result(&r), json!({"POWER1": "OFF"}));
        assert!(
            !send(&mut c, "Dimmer", "50").accepted,
            "SetOption68: Channel<n>, not Dimmer"
        );
        let d = c.tasmota_discovery(&["Cabinet Left", "Cabinet Right"]);
        assert_eq!(d["rl"], json!([2, 2, 0, 0, 0, 0, 0, 0]));
        assert_eq!(d["so"]["68"], 1);
    }
}
