//! A WLED strip under WLED's default device topic shape (`wled/<last MAC digits>`), with its
//! retained last will `wled/<id>/status` `online`.

use super::{Avail, Parts};
use crate::color::{Color, Rgb};
use crate::lamp::wled::WledInfo;
use crate::lamp::{Lamp, Light, Mode};

/// The strip's device topic.
pub const STRIP_BASE: &str = "wled/5c3f1a";

/// Adds the strip to `parts`.
pub(super) fn build(parts: &mut Parts) {
    let strip = Lamp::wled(
        WledInfo {
            base: STRIP_BASE.into(),
            name: "Shelf Strip".into(),
        },
        Light {
            color: Some(Color::Rgb(Rgb::new(255, 160, 0))),
            mode: Mode::Color,
            effect: Some("0".into()),
            ..Light::dimmed(true, 128)
        },
    );
    parts
        .avail
        .push(Avail::plain(&format!("{STRIP_BASE}/status")));
    parts.describe(parts.lamps.len(), &format!("{STRIP_BASE}/status"));
    parts.lamps.push(strip);
}
