//! Reading Tasmota's native discovery message (`tasmota/discovery/<MAC>/config`, retained,
//! published by Tasmota 9.2+ with `SetOption19 0`) into the lights it describes.
//!
//! Field meanings (short keys, as Tasmota's `xdrv_12_discovery.ino` writes them and the Home
//! Assistant Tasmota integration reads them): `dn` device name, `fn` friendly name per relay,
//! `hn` host name, `mac`, `md` model, `sw` firmware, `t` topic, `ft` FullTopic, `tp` prefixes,
//! `ofln`/`onln` LWT payloads, `state` the OFF/ON/TOGGLE/HOLD words, `rl` relay kinds
//! (0 none, 1 relay, 2 light, 3 shutter), `lt_st` light subtype (0 none, 1 single channel,
//! 2 cold/warm, 3 RGB, 4 RGBW, 5 RGBCW), `lk` RGB and white linked (0 = split into two
//! lights, `SetOption37 128`), `ty` Tuya dimmer, `so` SetOptions: 20 dimmer does not power
//! on, 30 relays are lights, 68 multi-channel PWM (one dimmer per channel), 82 reduced
//! CT range (200-380 mireds).

use serde_json::{Map, Value};

use super::topics::{device_topics, DeviceTopics, TopicParts};

/// What a light can do, from `lt_st` and the options that split it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LightKind {
    /// A relay shown as a light (`SetOption30 1`): on/off only.
    Relay,
    /// One dimmable channel.
    Dimmer,
    /// Cold and warm white: brightness and colour temperature.
    ColdWarm,
    /// Colour only.
    Rgb,
    /// Colour plus one white channel.
    Rgbw,
    /// Colour plus cold and warm white.
    Rgbcw,
}

impl LightKind {
    /// The kind for `lt_st` (`None` for 0, no light).
    pub fn from_subtype(lt_st: u64) -> Option<LightKind> {
        match lt_st {
            1 => Some(LightKind::Dimmer),
            2 => Some(LightKind::ColdWarm),
            3 => Some(LightKind::Rgb),
            4 => Some(LightKind::Rgbw),
            5 => Some(LightKind::Rgbcw),
            _ => None,
        }
    }

    /// Takes a colour.
    pub fn has_color(self) -> bool {
        matches!(self, LightKind::Rgb | LightKind::Rgbw | LightKind::Rgbcw)
    }

    /// Takes a colour temperature.
    pub fn has_ct(self) -> bool {
        matches!(self, LightKind::ColdWarm | LightKind::Rgbcw)
    }
}

/// One light of a Tasmota device, with everything its binding needs.
#[derive(Clone, Debug, PartialEq)]
pub struct TasmotaLight {
    /// Topic roots.
    pub topics: DeviceTopics,
    /// The device topic (`t`).
    pub device_topic: String,
    /// Relay index, 0-based (`POWER<index+1>`).
    pub index: usize,
    /// The device has one power output, so Tasmota says `POWER` (not `POWER1`).
    pub single_power: bool,
    /// What it can do; `None` for a device added by topic, whose controls are learned.
    pub kind: Option<LightKind>,
    /// The key carrying its brightness (`Dimmer`, `Dimmer1`/`Dimmer2` when split,
    /// `Channel<n>` with SetOption68).
    pub dimmer_key: String,
    /// The command setting its brightness (`Dimmer`, `Dimmer1`, `Dimmer3` for Tuya,
    /// `Channel<n>`).
    pub dimmer_command: String,
    /// The RGB half of a split light: `Color2` gets `=` so the white channels stay.
    pub split_rgb: bool,
    /// Colour temperature range in mireds.
    pub mireds: (u16, u16),
    /// SetOption20: a dimmer change does not power the light on, so Power is sent too.
    pub not_power_linked: bool,
    /// LWT words.
    pub online: String,
    /// LWT words.
    pub offline: String,
    /// Power words (`state[1]`, `state[0]`).
    pub power_on: String,
    /// Power words.
    pub power_off: String,
    /// MAC as in the discovery topic, when discovered.
    pub mac: Option<String>,
    /// Model (`md`).
    pub model: Option<String>,
    /// Firmware version (`sw`).
    pub firmware: Option<String>,
}

/// A device's lights with its names.
#[derive(Clone, Debug, PartialEq)]
pub struct TasmotaDevice {
    /// MAC (`mac`).
    pub mac: String,
    /// Device name (`dn`).
    pub device_name: String,
    /// The device topic (`t`).
    pub topic: String,
    /// Its lights with their names.
    pub lights: Vec<(String, TasmotaLight)>,
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn required<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    text(obj, key)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("Tasmota discovery without “{key}”"))
}

fn option(obj: &Map<String, Value>, number: &str) -> bool {
    obj.get("so")
        .and_then(|so| so.get(number))
        .and_then(Value::as_u64)
        .is_some_and(|v| v == 1)
}

/// Reads one discovery config. `mac_in_topic` is the `<MAC>` level of its topic: a config
/// whose `mac` disagrees is refused, as the Home Assistant integration does.
pub fn parse_config(payload: &[u8], mac_in_topic: &str) -> Result<TasmotaDevice, String> {
    let obj = match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Err("Tasmota discovery that is not a JSON object".into()),
        Err(e) => return Err(format!("Tasmota discovery is not valid JSON: {e}")),
    };
    let mac = required(&obj, "mac")?;
    if !mac.eq_ignore_ascii_case(mac_in_topic) {
        return Err(format!(
            "Tasmota discovery for {mac} published under {mac_in_topic}"
        ));
    }
    let topic = required(&obj, "t")?;
    let full_topic = required(&obj, "ft")?;
    let prefixes: Vec<&str> = obj
        .get("tp")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let [cmnd, stat, tele] = prefixes[..] else {
        return Err("Tasmota discovery without the three prefixes “tp”".into());
    };
    let parts = TopicParts {
        full_topic,
        topic,
        hostname: text(&obj, "hn").unwrap_or_default(),
        mac,
        prefixes: [cmnd, stat, tele],
    };
    let topics = device_topics(&parts);
    let device_name = text(&obj, "dn").unwrap_or(topic).to_string();
    let words: Vec<&str> = obj
        .get("state")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let relays: Vec<u64> = obj
        .get("rl")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_u64().unwrap_or(0)).collect())
        .unwrap_or_default();
    let friendly: Vec<Option<&str>> = obj
        .get("fn")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(Value::as_str).collect())
        .unwrap_or_default();
    let subtype = obj.get("lt_st").and_then(Value::as_u64).unwrap_or(0);
    let linked = obj.get("lk").and_then(Value::as_u64).unwrap_or(1) == 1;
    let tuya = obj.get("ty").and_then(Value::as_u64).unwrap_or(0) == 1;
    let ifan = obj.get("if").and_then(Value::as_u64).unwrap_or(0) == 1;
    let relays_are_lights = option(&obj, "30");
    let pwm_channels = option(&obj, "68");
    let mireds = if option(&obj, "82") {
        (200, 380)
    } else {
        (153, 500)
    };
    let single_power = relays.iter().filter(|&&r| r != 0).count() <= 1;
    let first_light = relays.iter().position(|&r| r == 2);
    let base = TasmotaLight {
        topics,
        device_topic: topic.to_string(),
        index: 0,
        single_power,
        kind: None,
        dimmer_key: "Dimmer".into(),
        dimmer_command: "Dimmer".into(),
        split_rgb: false,
        mireds,
        not_power_linked: option(&obj, "20"),
        online: text(&obj, "onln").unwrap_or("Online").to_string(),
        offline: text(&obj, "ofln").unwrap_or("Offline").to_string(),
        power_on: words.get(1).copied().unwrap_or("ON").to_string(),
        power_off: words.first().copied().unwrap_or("OFF").to_string(),
        mac: Some(mac.to_string()),
        model: text(&obj, "md").map(str::to_owned),
        firmware: text(&obj, "sw").map(str::to_owned),
    };
    let mut lights = Vec::new();
    for (index, &relay) in relays.iter().enumerate() {
        // The iFan's light relay is a plain on/off light.
        let relay = if ifan && index == 0 && relay == 2 {
            1
        } else {
            relay
        };
        let mut light = TasmotaLight {
            index,
            ..base.clone()
        };
        match relay {
            2 => {
                let Some(mut kind) = LightKind::from_subtype(subtype) else {
                    continue;
                };
                if tuya {
                    light.dimmer_command = "Dimmer3".into();
                }
                if pwm_channels {
                    kind = LightKind::Dimmer;
                    light.dimmer_key = format!("Channel{}", index + 1);
                    light.dimmer_command = light.dimmer_key.clone();
                } else if !linked && matches!(kind, LightKind::Rgbw | LightKind::Rgbcw) {
                    let half = index - first_light.unwrap_or(index);
                    match half {
                        0 => {
                            kind = LightKind::Rgb;
                            light.split_rgb = true;
                        }
                        1 if kind == LightKind::Rgbw => kind = LightKind::Dimmer,
                        1 => kind = LightKind::ColdWarm,
                        _ => {}
                    }
                    if half <= 1 {
                        light.dimmer_key = format!("Dimmer{}", half + 1);
                        light.dimmer_command = light.dimmer_key.clone();
                    }
                }
                light.kind = Some(kind);
            }
            1 if relays_are_lights || (ifan && index == 0) => light.kind = Some(LightKind::Relay),
            _ => continue,
        }
        let name = friendly
            .get(index)
            .copied()
            .flatten()
            .filter(|n| !n.trim().is_empty())
            .map_or_else(|| format!("{device_name} light {index}"), str::to_owned);
        lights.push((name, light));
    }
    Ok(TasmotaDevice {
        mac: mac.to_string(),
        device_name,
        topic: topic.to_string(),
        lights,
    })
}

/// A light known only by its device topic (added in settings): default FullTopic and
/// words, first relay, controls learned from what it reports.
pub fn topic_only(topic: &str) -> TasmotaLight {
    TasmotaLight {
        topics: super::topics::default_topics(topic),
        device_topic: topic.to_string(),
        index: 0,
        single_power: true,
        kind: None,
        dimmer_key: "Dimmer".into(),
        dimmer_command: "Dimmer".into(),
        split_rgb: false,
        mireds: (153, 500),
        not_power_linked: false,
        online: "Online".into(),
        offline: "Offline".into(),
        power_on: "ON".into(),
        power_off: "OFF".into(),
        mac: None,
        model: None,
        firmware: None,
    }
}
