//! The seed's own lamps: `smarthome/<room>/lamps/<name...>`, whose topic carries the whole
//! state. Naming lives here so the card title and room come from one rule.

/// Room and name read from a seed topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedName {
    /// The level after `smarthome`, when the topic has the seed's shape.
    pub room: Option<String>,
    /// The levels after `lamps`, joined with " / " (so `top/turquoise` reads as a path
    /// without pretending to be a topic); the whole topic for other shapes.
    pub name: String,
}

/// Names a lamp from its topic. Topics matching a user filter but not the seed shape keep the
/// full topic as name, which is at least unambiguous.
pub fn seed_name(topic: &str) -> SeedName {
    let levels: Vec<&str> = topic.split('/').collect();
    match levels.as_slice() {
        ["smarthome", room, "lamps", rest @ ..]
            if !rest.is_empty() && !rest.iter().all(|l| l.is_empty()) =>
        {
            SeedName {
                room: Some((*room).to_string()),
                name: rest.join(" / "),
            }
        }
        _ => SeedName {
            room: None,
            name: topic.to_string(),
        },
    }
}

/// MQTT filter matching (`+`, `#`, `$`-topics), private to the lamp model so it does not
/// depend on `crate::mqtt`; the lead may swap it for `mqtt::topic` matching.
pub(crate) fn filter_matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}
