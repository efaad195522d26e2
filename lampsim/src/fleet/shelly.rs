//! Shelly's side of the house: a Gen1 RGBW2 in colour mode that retains its statuses, a
//! Gen1 Bulb RGBW that does not (found only by asking `announce`/`update` on
//! `shellies/command`), and a Gen2 Plus RGBW PM with generic status updates on, found from its
//! retained `<prefix>/online` and `Shelly.GetStatus`. Availability is `true`/`false` on each
//! device's `online`, retained, as their last wills are.

use super::{Avail, Parts};
use crate::color::{Color, Rgb};
use crate::lamp::{Lamp, Light, Mode};

/// The Gen1 RGBW2's device id.
pub const RGBW2: &str = "shellyrgbw2-4A1B2C";
/// The Gen1 Bulb RGBW's device id.
pub const BULB: &str = "shellycolorbulb-3C61A1";
/// The Gen2 Plus RGBW PM's topic prefix (its device id).
pub const PLUS_RGBW: &str = "shellyplusrgbwpm-a0b1c2d3e4f5";

fn avail(topic: String) -> Avail {
    Avail {
        topic,
        online: b"true".to_vec(),
        offline: b"false".to_vec(),
    }
}

/// Adds the three Shelly devices.
pub(crate) fn build(parts: &mut Parts) {
    let rgbw2 = Lamp::shelly_gen1(
        RGBW2,
        "SHRGBW2",
        true,
        Light {
            on: true,
            brightness: 60,
            color: Some(Color::Rgb(Rgb::new(255, 80, 0))),
            color_temp: None,
            mode: Mode::Color,
            effect: None,
        },
    );
    let bulb = Lamp::shelly_gen1(
        BULB,
        "SHCB-1",
        false,
        Light {
            on: false,
            brightness: 80,
            color: Some(Color::Rgb(Rgb::new(0, 120, 255))),
            color_temp: Some(4000),
            mode: Mode::Color,
            effect: None,
        },
    );
    let plus = Lamp::shelly_gen2(
        PLUS_RGBW,
        true,
        Light {
            on: true,
            brightness: 45,
            color: Some(Color::Rgb(Rgb::new(120, 0, 255))),
            color_temp: None,
            mode: Mode::Color,
            effect: None,
        },
    );
    for (lamp, online) in [
        (rgbw2, format!("shellies/{RGBW2}/online")),
        (bulb, format!("shellies/{BULB}/online")),
        (plus, format!("{PLUS_RGBW}/online")),
    ] {
        parts.describe(parts.lamps.len(), &online);
        parts.avail.push(avail(online));
        parts.lamps.push(lamp);
    }
}
