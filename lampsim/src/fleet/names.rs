//! The seed house: room and lamp names and first colours, deterministic so tests and
//! screenshots are stable.

use crate::color::Rgb;

/// Rooms in the order `--rooms N` takes them; beyond the list rooms are numbered.
const ROOMS: &[(&str, &[&str])] = &[
    (
        "kitchen",
        &["ceiling", "counter", "island", "pantry", "window"],
    ),
    (
        "living",
        &["sofa", "ceiling", "reading", "tv-backlight", "shelf"],
    ),
    (
        "bedroom",
        &[
            "bedside-left",
            "bedside-right",
            "ceiling",
            "wardrobe",
            "mirror",
        ],
    ),
    (
        "office",
        &["desk", "ceiling", "shelf", "monitor-bar", "plant"],
    ),
    ("bathroom", &["mirror", "ceiling", "shower", "night"]),
    ("hallway", &["entrance", "ceiling", "stairs", "coat-rack"]),
    ("dining", &["pendant", "sideboard", "ceiling", "candle"]),
    ("kids", &["ceiling", "night", "desk", "star-projector"]),
    ("garage", &["ceiling", "workbench", "door"]),
    ("garden", &["path", "terrace", "pond", "fence"]),
    ("attic", &["ceiling", "desk", "window"]),
    ("laundry", &["ceiling", "shelf"]),
];

/// First colours of seed lamps, cycled: what a lived-in house might show.
pub(crate) const PALETTE: &[Rgb] = &[
    Rgb::new(0, 255, 255),
    Rgb::new(255, 180, 107),
    Rgb::new(255, 147, 41),
    Rgb::new(180, 0, 255),
    Rgb::new(255, 60, 60),
    Rgb::new(60, 255, 120),
    Rgb::new(255, 255, 255),
    Rgb::new(80, 120, 255),
];

/// Room name for index `i`.
pub fn room_name(i: usize) -> String {
    ROOMS
        .get(i)
        .map_or_else(|| format!("room-{}", i + 1), |(r, _)| (*r).to_string())
}

/// Lamp name for slot `slot` in room `room`.
pub(crate) fn lamp_name(room: usize, slot: usize) -> String {
    ROOMS
        .get(room)
        .and_then(|(_, names)| names.get(slot))
        .map_or_else(|| format!("lamp-{}", slot + 1), |n| (*n).to_string())
}
