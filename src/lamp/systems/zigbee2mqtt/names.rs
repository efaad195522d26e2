//! Names, rooms and lamp ids for Zigbee2MQTT lights.
//!
//! Zigbee2MQTT nests topics with `/` in friendly names (`bedroom/bedside` publishes on
//! `zigbee2mqtt/bedroom/bedside`), and people use the first level as the room. Lampboard
//! does the same: the first level is the room and the rest the name; a name without `/`
//! has no room (the store then files it under "Zigbee2MQTT").

/// `(room, name)` for a friendly name: `bedroom/bedside` -> (`bedroom`, `bedside`),
/// `a/b/c` -> (`a`, `b/c`), `hue1` -> (none, `hue1`). Empty levels never make a room.
pub fn room_and_name(friendly_name: &str) -> (Option<String>, String) {
    match friendly_name.split_once('/') {
        Some((room, rest)) if !room.trim().is_empty() && !rest.trim().is_empty() => {
            (Some(room.trim().to_string()), rest.trim().to_string())
        }
        _ => (None, friendly_name.to_string()),
    }
}

/// The name of one endpoint's light: the device's name and the endpoint in words, the
/// expose's label when it has one, else the endpoint capitalised as Zigbee2MQTT's Home
/// Assistant extension names the entity (`dimmer L1`).
pub fn endpoint_name(device_name: &str, endpoint: &str, label: Option<&str>) -> String {
    let words = match label {
        Some(label) => label.to_string(),
        None => capitalize(endpoint),
    };
    format!("{device_name} {words}")
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The lamp id: the state topic (`zigbee2mqtt/bedroom/bedside`), with `#<endpoint>` for one
/// endpoint's light (`zigbee2mqtt/living/dimmer#l1`). Zigbee2MQTT forbids `#` in friendly
/// names, so the two kinds never collide.
pub fn lamp_id(base: &str, friendly_name: &str, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(ep) => format!("{base}/{friendly_name}#{ep}"),
        None => format!("{base}/{friendly_name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_level_is_the_room() {
        assert_eq!(
            room_and_name("bedroom/bedside"),
            (Some("bedroom".into()), "bedside".into())
        );
        assert_eq!(room_and_name("a/b/c"), (Some("a".into()), "b/c".into()));
        assert_eq!(room_and_name("hue1"), (None, "hue1".into()));
        assert_eq!(room_and_name("/x"), (None, "/x".into()));
        assert_eq!(endpoint_name("dimmer", "l1", None), "dimmer L1");
        assert_eq!(
            endpoint_name("strip", "rgb", Some("Colour")),
            "strip Colour"
        );
        assert_eq!(lamp_id("z", "a/b", Some("l2")), "z/a/b#l2");
    }
}
