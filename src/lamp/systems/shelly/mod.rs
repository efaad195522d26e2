//! Shelly, both generations, read and commanded the way Shelly's own API documentation says
//! (shelly-api-docs.shelly.cloud, `gen1/` and `gen2/`); no Home Assistant in between.
//!
//! * Gen1 (RGBW2, Bulb, Bulb RGBW, Duo, Vintage, Dimmer): topics under `shellies/<id>/`,
//!   state on `<color|white|light>/<N>` (`on`/`off`) and `<...>/<N>/status` (JSON), commands on
//!   `<...>/<N>/command` (`on`/`off`) and `<...>/<N>/set` (JSON), availability on
//!   `shellies/<id>/online` (`true`/`false`), discovery from `shellies/announce`, asked for
//!   with `announce` on `shellies/command` when Lampboard connects. See [`gen1`].
//! * Gen2+ (Plus, Pro): topics under a per-device prefix (`shellyplusrgbwpm-<mac>` by
//!   default), status on `<prefix>/status/<rgb|rgbw|light|cct>:<N>`, notifications on
//!   `<prefix>/events/rpc`, commands as JSON-RPC on `<prefix>/rpc` with replies on
//!   `<RPC_SRC>/rpc`, availability on `<prefix>/online`. See [`gen2`].
//!
//! One job per module: [`models`] (what each Gen1 model can do), [`gen1_channel`] (one Gen1
//! channel's wire format), [`gen1`] (the Gen1 system), [`rpc`] (Gen2 request ids, frames and
//! replies), [`gen2_component`] (one Gen2 light component's wire format), [`gen2`] (the Gen2
//! system).

pub mod gen1;
pub mod gen1_channel;
pub mod gen2;
pub mod gen2_component;
pub mod models;
pub mod rpc;

use serde_json::{Map, Value};

pub use gen1::ShellyGen1System;
pub use gen2::ShellyGen2System;

/// Shelly's availability payloads: both generations publish the plain words `true` and
/// `false` on `.../online` (their MQTT last will), not `online`/`offline`.
pub fn read_online(payload: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(payload);
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Default id prefixes and the product names Shelly sells them as, longest first.
const PRODUCTS: [(&str, &str); 12] = [
    ("shellyplusrgbwpm", "Plus RGBW PM"),
    ("shellyprorgbwwpm", "Pro RGBWW PM"),
    ("shellypro2pm", "Pro 2PM"),
    ("shellyplus0-10vdimmer", "Plus 0-10V Dimmer"),
    ("shellypluswdus", "Wall Dimmer US"),
    ("shellydimmerg3", "Dimmer Gen3"),
    ("shellybulbduo", "Duo"),
    ("shellycolorbulb", "Bulb RGBW"),
    ("shellyvintage", "Vintage"),
    ("shellydimmer", "Dimmer"),
    ("shellyrgbw2", "RGBW2"),
    ("shellybulb", "Bulb"),
];

/// A card name for a device id or prefix: `shellyrgbw2-4A1B2C` -> `RGBW2 4A1B2C`,
/// `shellyplusrgbwpm-a0b1c2d3e4f5` -> `Plus RGBW PM e4f5`... (the last six characters of the
/// MAC), so cards are told apart without the long default id. A custom id or prefix (the
/// user's own name) is kept as it is.
pub fn device_name(id: &str) -> String {
    let Some((kind, mac)) = id.rsplit_once('-') else {
        return id.to_string();
    };
    let lower = kind.to_ascii_lowercase();
    match PRODUCTS.iter().find(|(p, _)| lower == *p) {
        Some((_, product)) if !mac.is_empty() => {
            let tail = &mac[mac.len().saturating_sub(6)..];
            format!("{product} {tail}")
        }
        _ => id.to_string(),
    }
}

/// The payload as a JSON object, or `None` (Shelly's JSON topics always carry objects).
pub(crate) fn object(payload: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(payload.trim_ascii()) {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// A JSON number as `f64`, when it is one and finite (Shelly never sends numbers as strings).
/// Reads a colour temperature in kelvin (Gen1 `temp`, Gen2 `ct`) into `u`: white mode, its
/// mireds and the colour drawn for it; a value under 1000 K is said as a warning, not read.
/// Returns whether the key carried a number, so a caller can fall back when it did not.
pub(crate) fn read_kelvin(
    key: &str,
    kelvin: Option<f64>,
    u: &mut crate::lamp::state::StateUpdate,
) -> bool {
    match kelvin {
        Some(k) if k >= 1000.0 => {
            let mireds = crate::lamp::color::kelvin_to_mireds(k as u32);
            u.color_temp_mireds = Some(mireds);
            u.rgb = Some(crate::lamp::color::mireds_to_rgb(f64::from(mireds)));
            u.color_mode = Some(crate::lamp::state::ColorMode::ColorTemp);
            true
        }
        Some(k) => {
            u.warnings
                .push(format!("{key} {k} is not a colour temperature"));
            true
        }
        None => false,
    }
}

pub(crate) fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|f| f.is_finite())
}

/// A channel value 0-255 from a JSON number, clamped, or `None`.
pub(crate) fn channel(v: Option<&Value>) -> Option<u8> {
    num(v).map(|f| f.round().clamp(0.0, 255.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ids_read_as_product_names() {
        assert_eq!(device_name("shellyrgbw2-4A1B2C"), "RGBW2 4A1B2C");
        assert_eq!(device_name("ShellyBulbDuo-1A2B3C"), "Duo 1A2B3C");
        assert_eq!(
            device_name("shellyplusrgbwpm-a0b1c2d3e4f5"),
            "Plus RGBW PM d3e4f5"
        );
        assert_eq!(device_name("kitchen-strip"), "kitchen-strip");
        assert_eq!(device_name("bulb"), "bulb");
    }

    #[test]
    fn online_is_true_or_false() {
        assert_eq!(read_online(b"true"), Some(true));
        assert_eq!(read_online(b" false\n"), Some(false));
        assert_eq!(read_online(b"online"), None);
    }
}
