//! The setup link as a QR code, drawn by the app itself (no network, no image service):
//! the `qrcode` crate makes the modules, this turns them into one SVG path.
//!
//! Error correction M (15 % of the code may be lost) while the code stays at most
//! [`PREFER_M_UP_TO`]; a larger link drops to L (7 %), which a clean screen needs, so the
//! code stays as small as it can be. [`SCANNABLE_VERSION`] is the largest code we call
//! scannable from a phone screen by another phone's camera: version 30, 137 modules a
//! side, 1,732 bytes at L.

use qrcode::{Color, EcLevel, QrCode, Version};

/// The largest version still drawn with error correction M.
pub const PREFER_M_UP_TO: i16 = 20;

/// The largest QR version we count as comfortably scannable from a phone's screen.
pub const SCANNABLE_VERSION: i16 = 30;

/// The light margin around the code, in modules (the standard's quiet zone).
pub const QUIET_ZONE: usize = 4;

/// A QR code's modules, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qr {
    /// Modules a side (17 + 4 × version).
    pub width: usize,
    /// The QR version (1-40).
    pub version: i16,
    /// Whether error correction L was needed (else M).
    pub low_correction: bool,
    /// `width × width` modules, true for dark, row after row.
    pub dark: Vec<bool>,
}

/// Encodes `text` at the smallest size that holds it; too long for any QR code is an
/// error in words.
pub fn encode(text: &str) -> Result<Qr, String> {
    let make = |level| QrCode::with_error_correction_level(text.as_bytes(), level);
    let too_long = || {
        format!(
            "The link is too long for a QR code ({} bytes; at most about 2,900): copy the link instead",
            text.len()
        )
    };
    let medium = make(EcLevel::M).ok();
    let (code, low) = match medium {
        Some(c) if version_of(&c) <= PREFER_M_UP_TO => (c, false),
        _ => match make(EcLevel::L) {
            Ok(c) => (c, true),
            Err(_) => return Err(too_long()),
        },
    };
    Ok(Qr {
        width: code.width(),
        version: version_of(&code),
        low_correction: low,
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect(),
    })
}

fn version_of(code: &QrCode) -> i16 {
    match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    }
}

impl Qr {
    /// What to tell the user about a code past [`SCANNABLE_VERSION`], whose modules get too
    /// small for many phone cameras at a screen's distance: drawn anyway (a good camera reads
    /// it), with the way that always works named. `None` for a code of comfortable size.
    pub fn dense_hint(&self) -> Option<String> {
        (self.version > SCANNABLE_VERSION).then(|| {
            format!(
                "This code is dense ({} modules a side): if the other phone's camera cannot read it, hold it closer or copy the link instead.",
                self.width
            )
        })
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// The dark modules as one SVG path (`M x y h n v1 h-n z` per horizontal run), in
    /// module units with the quiet zone added, so one element draws the whole code.
    pub fn path(&self) -> String {
        let mut d = String::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                d.push_str(&format!(
                    "M{} {}h{run}v1h-{run}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE
                ));
            }
        }
        d
    }

    /// The whole code as an SVG document: a light square with the quiet zone and the dark
    /// path, crisp at any size (`shape-rendering="crispEdges"`), with `data-modules` saying
    /// how many modules a side it has.
    pub fn svg(&self, label: &str) -> String {
        let side = self.width + 2 * QUIET_ZONE;
        let label = label
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;");
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {side} {side}\" \
             shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\" \
             data-modules=\"{w}\" data-version=\"{v}\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{d}\"/></svg>",
            w = self.width,
            v = self.version,
            d = self.path()
        )
    }
}
