//! Zigbee2MQTT groups: `bridge/groups` and what a group command does to the members and a
//! member's change to its groups.
//!
//! Groups, as Zigbee2MQTT's `groups` extension does it (optimistic groups, `off_state:
//! all_members_off`):
//! * a command on `<base>/<group>/set` is one Zigbee group command; Zigbee2MQTT publishes
//!   the group's new state, then each member's state with the properties it supports
//!   (`state`, `brightness`, `color_temp`, `color`), suffixed with the member's endpoint name
//!   (`state_l1`) for multi-endpoint devices;
//! * a member's own change (its `/set`, a wall switch) is published to its groups too, except
//!   that `OFF` reaches a group only once every member is off.

use serde_json::{json, Map, Value};

use crate::lamp::{Features, Kind, Lamp, Light, Mode, Role};

/// One member of a group: lamp index in the fleet and which of its endpoints.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Index of the member lamp in [`super::Fleet::lamps`].
    pub lamp: usize,
    /// Endpoint index within the lamp (0 for single-endpoint lamps).
    pub endpoint: usize,
    pub(super) ieee: String,
    pub(super) zigbee_endpoint: u8,
}

/// A Zigbee2MQTT group.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Index of the group's own lamp (its state) in [`super::Fleet::lamps`].
    pub lamp: usize,
    /// Group id.
    pub id: u16,
    /// Its friendly name (the topic under the base).
    pub friendly_name: String,
    /// Members.
    pub members: Vec<Member>,
}

/// `bridge/groups` as Zigbee2MQTT 2.x publishes it.
pub(super) fn groups_json(groups: &[Group]) -> Value {
    Value::Array(
        groups
            .iter()
            .map(|g| {
                json!({
                    "id": g.id,
                    "friendly_name": g.friendly_name,
                    "description": "Every Zigbee light",
                    "scenes": [],
                    "members": g.members.iter().map(|m| json!({
                        "ieee_address": m.ieee,
                        "endpoint": m.zigbee_endpoint,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The group state properties a command (or a member's change) touched: `state` always
/// (Zigbee2MQTT's light converters report it with a level), plus `brightness`, `color_temp`
/// and `color` when the payload set them; per endpoint index for multi-endpoint devices.
pub(super) fn touched(lamp: &Lamp, role: Role, payload: &[u8]) -> Vec<(usize, Vec<&'static str>)> {
    let text = String::from_utf8_lossy(payload);
    let keys: Vec<String> = match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Object(o)) => o.keys().cloned().collect(),
        _ => vec!["state".to_string()],
    };
    let mut out: Vec<(usize, Vec<&'static str>)> = Vec::new();
    for key in keys {
        let (ep, base) = match role {
            Role::EndpointSet(ep) => (ep, key.clone()),
            _ => lamp
                .endpoints
                .iter()
                .enumerate()
                .find_map(|(i, n)| {
                    key.strip_suffix(&format!("_{n}"))
                        .map(|b| (i, b.to_string()))
                })
                .unwrap_or((0, key.clone())),
        };
        let props: &[&'static str] = match base.as_str() {
            "state" => &["state"],
            "brightness" | "brightness_step" => &["state", "brightness"],
            "color_temp" => &["color_temp"],
            "color" => &["color"],
            _ => &[],
        };
        if props.is_empty() {
            continue;
        }
        let entry = match out.iter().position(|(e, _)| *e == ep) {
            Some(i) => &mut out[i].1,
            None => {
                out.push((ep, Vec::new()));
                &mut out.last_mut().expect("just pushed").1
            }
        };
        for p in props {
            if !entry.contains(p) {
                entry.push(p);
            }
        }
    }
    out
}

/// `props` of `light` as a Zigbee2MQTT state update, limited to what `features` has.
fn update_of(light: &Light, features: &Features, props: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    for p in props {
        match *p {
            "state" => {
                m.insert("state".into(), json!(if light.on { "ON" } else { "OFF" }));
            }
            "brightness" => {
                m.insert("brightness".into(), json!(light.brightness));
            }
            "color_temp" if features.color_temp.is_some() => {
                if let Some(ct) = light.color_temp {
                    m.insert("color_temp".into(), json!(ct));
                }
            }
            "color" if features.color => {
                if let Some(c) = light.color.filter(|_| light.mode == Mode::Color) {
                    let (x, y) = c.to_xy();
                    m.insert("color".into(), json!({"x": x, "y": y}));
                }
            }
            _ => {}
        }
    }
    m
}

/// After group lamp `g` accepted `payload`: the members' optimistic states. Returns the lamps
/// to publish (every member that got an update).
pub(super) fn group_commanded(
    lamps: &mut [Lamp],
    groups: &[Group],
    g: usize,
    role: Role,
    payload: &[u8],
) -> Vec<usize> {
    let Some(group) = groups.iter().find(|gr| gr.lamp == g) else {
        return Vec::new();
    };
    let props: Vec<&str> = touched(&lamps[g], role, payload)
        .into_iter()
        .flat_map(|(_, p)| p)
        .collect();
    if props.is_empty() {
        return Vec::new();
    }
    let group_light = lamps[g].light.clone();
    let mut out = Vec::new();
    for m in &group.members {
        let update = update_of(&group_light, &lamps[m.lamp].features, &props);
        if update.is_empty() {
            continue;
        }
        lamps[m.lamp].z2m_apply_optimistic(m.endpoint, &update);
        if !out.contains(&m.lamp) {
            out.push(m.lamp);
        }
    }
    out
}

/// Everything a wall switch may have changed on endpoint 0.
pub(super) const ALL_PROPS: &[&str] = &["state", "brightness", "color_temp", "color"];

/// After device `i` changed the `touched` properties (per endpoint; see [`touched`]): its
/// groups' states. Returns the group lamps to publish.
pub(super) fn member_changed(
    lamps: &mut [Lamp],
    groups: &[Group],
    i: usize,
    touched: Vec<(usize, Vec<&'static str>)>,
) -> Vec<usize> {
    let mut out = Vec::new();
    for (ep, props) in touched {
        let Some(light) = lamps[i].endpoint_light(ep).cloned() else {
            continue;
        };
        for group in groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m.lamp == i && m.endpoint == ep))
        {
            let features = lamps[group.lamp].features.clone();
            let update = update_of(&light, &features, &props);
            let all_off = group.members.iter().all(|m| {
                !lamps[m.lamp]
                    .endpoint_light(m.endpoint)
                    .is_some_and(|l| l.on)
            });
            if update.get("state") == Some(&json!("OFF")) && !all_off {
                continue;
            }
            if lamps[group.lamp].z2m_apply_optimistic(0, &update) && !out.contains(&group.lamp) {
                out.push(group.lamp);
            }
        }
    }
    out
}

/// Whether lamp `i` is a Zigbee2MQTT device that groups may contain.
pub(super) fn is_device(lamp: &Lamp) -> bool {
    lamp.kind == Kind::Zigbee2Mqtt
}
