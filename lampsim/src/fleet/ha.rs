//! The Home Assistant lamps announced one entity per config topic
//! (`homeassistant/light/<object_id>/config`): the two ESPHome-style JSON lamps (the desk
//! strip now with effects), the flapping porch light (JSON schema, `availability` list with
//! `availability_mode: all`), the Tasmota-style default-schema bulb and the template lamp.

use serde_json::{json, Value};

use super::{Avail, Parts, HA_PREFIX};
use crate::color::{Color, Rgb};
use crate::lamp::ha_default::{DefaultTopics, PAYLOAD_OFF, PAYLOAD_ON};
use crate::lamp::ha_json::NO_EFFECT;
use crate::lamp::{Features, Lamp, Light, Mode};

/// The flapping lamp's object id.
pub const FLAKY_ID: &str = "lampsim_porch_light";
/// lampsim's own availability (`{"state":"online"}`), the first entry of the porch light's
/// `availability` list, as Zigbee2MQTT's bridge state is for its HA entities.
pub const BRIDGE_STATE: &str = "lampsim/bridge/state";

/// A JSON-schema lamp: (object id, name, area, model, features, first state).
struct JsonSpec {
    object_id: &'static str,
    name: &'static str,
    area: &'static str,
    model: &'static str,
    features: Features,
    light: Light,
}

fn json_specs() -> Vec<JsonSpec> {
    vec![
        JsonSpec {
            object_id: "lampsim_desk_strip",
            name: "Desk Strip",
            area: "Office",
            model: "RGB LED strip (ESPHome)",
            features: Features::new(255, true, None)
                .with_effects(&["Rainbow", "Strobe", "Pulse", NO_EFFECT]),
            light: Light {
                color: Some(Color::Rgb(Rgb::new(255, 0, 128))),
                mode: Mode::Color,
                ..Light::dimmed(true, 200)
            },
        },
        JsonSpec {
            object_id: "lampsim_reading_lamp",
            name: "Reading Lamp",
            area: "Living",
            model: "Tunable white bulb (ESPHome)",
            features: Features::new(255, false, Some((153, 454))),
            light: Light {
                color_temp: Some(370),
                mode: Mode::ColorTemp,
                ..Light::dimmed(false, 150)
            },
        },
    ]
}

fn device_block(object_id: &str, name: &str, model: &str, area: &str) -> Value {
    json!({
        "identifiers": [object_id],
        "name": name,
        "manufacturer": "Lampboard lampsim",
        "model": model,
        "suggested_area": area,
    })
}

/// Adds the per-entity Home Assistant lamps to `parts`.
pub(super) fn build(parts: &mut Parts) {
    for spec in json_specs() {
        let base = format!("lampsim/{}", spec.object_id);
        let lamp = Lamp::home_assistant(
            spec.name,
            &format!("{base}/state"),
            &format!("{base}/set"),
            spec.features.clone(),
            spec.light.clone(),
        );
        let avail = format!("{base}/availability");
        let mut config = json_config(&spec, &lamp);
        config["availability_topic"] = json!(avail);
        parts.avail.push(Avail::plain(&avail));
        parts.add_config(
            format!("{HA_PREFIX}/light/{}/config", spec.object_id),
            config,
            lamp,
        );
    }
    porch(parts);
    tasmota(parts);
    template(parts);
}

/// A discovery config as ESPHome-style firmware publishes it: JSON schema, long keys,
/// separate state/command topics, a device block with a suggested area.
fn json_config(spec: &JsonSpec, lamp: &Lamp) -> Value {
    let mut modes = Vec::new();
    if lamp.features.color {
        modes.push("rgb");
    }
    if lamp.features.color_temp.is_some() {
        modes.push("color_temp");
    }
    if modes.is_empty() {
        modes.push("brightness");
    }
    let mut config = json!({
        "name": spec.name,
        "unique_id": spec.object_id,
        "schema": "json",
        "state_topic": lamp.state_topic,
        "command_topic": lamp.command_topic,
        "brightness": true,
        "brightness_scale": lamp.features.brightness_max,
        "supported_color_modes": modes,
        "device": device_block(spec.object_id, spec.name, spec.model, spec.area),
    });
    if let Some(obj) = config.as_object_mut() {
        if let Some((lo, hi)) = lamp.features.color_temp {
            obj.insert("min_mireds".into(), lo.into());
            obj.insert("max_mireds".into(), hi.into());
        }
        if !lamp.features.effects.is_empty() {
            obj.insert("effect".into(), true.into());
            obj.insert("effect_list".into(), json!(lamp.features.effects));
        }
    }
    config
}

/// The porch light: JSON schema, brightness only, and two availability topics that must
/// both say online (`availability_mode: all`); its own one flaps (see the runner).
fn porch(parts: &mut Parts) {
    let spec = JsonSpec {
        object_id: FLAKY_ID,
        name: "Porch Light",
        area: "Garden",
        model: "Outdoor dimmer (flaky Wi-Fi)",
        features: Features::new(255, false, None),
        light: Light::dimmed(true, 120),
    };
    let base = format!("lampsim/{FLAKY_ID}");
    let lamp = Lamp::home_assistant(
        spec.name,
        &format!("{base}/state"),
        &format!("{base}/set"),
        spec.features.clone(),
        spec.light.clone(),
    );
    let own = format!("{base}/availability");
    let mut config = json_config(&spec, &lamp);
    config["availability"] = json!([
        {"topic": BRIDGE_STATE, "value_template": "{{ value_json.state }}"},
        {"topic": own},
    ]);
    config["availability_mode"] = json!("all");
    parts.avail.push(Avail::plain(&own));
    parts.add_config(format!("{HA_PREFIX}/light/{FLAKY_ID}/config"), config, lamp);
}

/// The Tasmota-style bulb (default schema): see [`crate::lamp::ha_default`].
fn tasmota(parts: &mut Parts) {
    let id = "lampsim_tasmota_bulb";
    let t = DefaultTopics::tasmota(id);
    let features = Features::new(100, true, Some((153, 500))).with_effects(&[
        "none",
        "wakeup",
        "cycleup",
        "cycledown",
        "random",
    ]);
    let lamp = Lamp::ha_default(
        "Tasmota Bulb",
        &t,
        features.clone(),
        Light {
            color: Some(Color::Rgb(Rgb::new(255, 0, 0))),
            mode: Mode::Color,
            ..Light::dimmed(true, 40)
        },
    );
    let (lo, hi) = features.color_temp.unwrap_or((153, 500));
    let config = json!({
        "name": "Tasmota Bulb",
        "unique_id": id,
        "command_topic": t.power,
        "state_topic": t.state,
        "state_value_template": "{{ value_json.POWER }}",
        // Numbers, as Tasmota's JSON had them; Home Assistant reads them as text.
        "payload_on": PAYLOAD_ON.parse::<u8>().unwrap_or(1),
        "payload_off": PAYLOAD_OFF.parse::<u8>().unwrap_or(0),
        "on_command_type": "brightness",
        "brightness_command_topic": t.dimmer,
        "brightness_state_topic": t.state,
        "brightness_scale": 100,
        "brightness_value_template": "{{ value_json.Dimmer }}",
        "rgb_command_topic": t.color,
        "rgb_state_topic": t.state,
        "rgb_value_template": "{{ value_json.Color }}",
        "color_temp_command_topic": t.ct,
        "color_temp_state_topic": t.state,
        "color_temp_value_template": "{{ value_json.CT }}",
        "min_mireds": lo,
        "max_mireds": hi,
        "effect_command_topic": t.scheme,
        "effect_state_topic": t.state,
        "effect_value_template": "{{ value_json.Scheme }}",
        "effect_list": features.effects,
        "availability_topic": t.lwt,
        "payload_available": "Online",
        "payload_not_available": "Offline",
        "device": device_block(id, "Tasmota Bulb", "RGBCCT bulb (Tasmota, legacy discovery)", "Bedroom"),
    });
    parts.avail.push(Avail {
        topic: t.lwt.clone(),
        online: b"Online".to_vec(),
        offline: b"Offline".to_vec(),
    });
    parts.add_config(format!("{HA_PREFIX}/light/{id}/config"), config, lamp);
}

/// The command_on_template of Home Assistant's template-light documentation.
pub const COMMAND_ON_TEMPLATE: &str = concat!(
    r#"{"state": "on""#,
    r#"{%- if brightness is defined -%}, "brightness": {{ brightness }}{%- endif -%}"#,
    r#"{%- if red is defined and green is defined and blue is defined -%}, "color": [{{ red }}, {{ green }}, {{ blue }}]{%- endif -%}"#,
    r#"{%- if effect is defined -%}, "effect": "{{ effect }}"{%- endif -%}}"#,
);

/// The template-schema lamp: see [`crate::lamp::ha_template`].
fn template(parts: &mut Parts) {
    let id = "lampsim_template_lamp";
    let base = format!("lampsim/{id}");
    let features = Features::new(255, true, None).with_effects(&["none", "rainbow", "colorloop"]);
    let lamp = Lamp::ha_template(
        "Template Lamp",
        &format!("{base}/status"),
        &format!("{base}/set"),
        features.clone(),
        Light {
            color: Some(Color::Rgb(Rgb::new(255, 147, 41))),
            mode: Mode::Color,
            ..Light::dimmed(true, 128)
        },
    );
    let avail = format!("{base}/availability");
    let config = json!({
        "name": "Template Lamp",
        "unique_id": id,
        "schema": "template",
        "command_topic": lamp.command_topic,
        "state_topic": lamp.state_topic,
        "availability_topic": avail,
        "command_on_template": COMMAND_ON_TEMPLATE,
        "command_off_template": r#"{"state": "off"}"#,
        "state_template": "{{ value_json.state }}",
        "brightness_template": "{{ value_json.brightness }}",
        "red_template": "{{ value_json.color[0] }}",
        "green_template": "{{ value_json.color[1] }}",
        "blue_template": "{{ value_json.color[2] }}",
        "effect_template": "{{ value_json.effect }}",
        "effect_list": features.effects,
        "device": device_block(id, "Template Lamp", "RGB lamp (template schema)", "Kitchen"),
    });
    parts.avail.push(Avail::plain(&avail));
    parts.add_config(format!("{HA_PREFIX}/light/{id}/config"), config, lamp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_the_documented_one() {
        assert!(COMMAND_ON_TEMPLATE.starts_with(r#"{"state": "on"{%- if brightness"#));
        assert!(COMMAND_ON_TEMPLATE.ends_with(r#""effect": "{{ effect }}"{%- endif -%}}"#));
    }

    #[test]
    fn configs_announce_what_the_lamps_obey() {
        let mut parts = Parts::default();
        build(&mut parts);
        let config = |id: &str| -> Value {
            let a = parts
                .announcements
                .iter()
                .find(|a| a.topic == format!("homeassistant/light/{id}/config"))
                .unwrap_or_else(|| panic!("{id}"));
            serde_json::from_slice(&a.payload).unwrap()
        };
        let t = config("lampsim_tasmota_bulb");
        assert!(
            t.get("schema").is_none(),
            "default schema has no schema key"
        );
        assert_eq!(
            (t["payload_on"].clone(), t["payload_off"].clone()),
            (json!(1), json!(0))
        );
        assert_eq!(t["brightness_scale"], 100);
        assert_eq!(t["on_command_type"], "brightness");
        assert_eq!(t["rgb_state_topic"], "tele/lampsim_tasmota_bulb/STATE");
        let tpl = config("lampsim_template_lamp");
        assert_eq!(tpl["schema"], "template");
        assert_eq!(tpl["effect_list"], json!(["none", "rainbow", "colorloop"]));
        let porch = config(FLAKY_ID);
        assert_eq!(porch["availability_mode"], "all");
        assert_eq!(porch["availability"][0]["topic"], BRIDGE_STATE);
        assert_eq!(porch["supported_color_modes"], json!(["brightness"]));
        let strip = config("lampsim_desk_strip");
        assert_eq!(
            (strip["effect"].clone(), strip["effect_list"][3].clone()),
            (json!(true), json!("None"))
        );
        assert!(config("lampsim_reading_lamp").get("effect").is_none());
    }
}
