//! Zigbee2MQTT groups from the retained `<base>/bridge/groups` list, and what a group of
//! lights can do.
//!
//! A group is a lamp when one of its members is a light. Its capabilities are computed as
//! Zigbee2MQTT's Home Assistant extension computes a group's light (`getConfigs` and
//! `exposeToConfig` in `lib/extension/homeassistant.ts`): from every `light` expose of every
//! member device, a feature is offered when any member has it, the colour temperature range
//! is the members' common range (largest minimum, smallest maximum; their whole span when they
//! have none in common, where Zigbee2MQTT would announce a minimum above the maximum),
//! brightness uses the
//! 0-254 scale, and the effects are the union of the members' `effect` enums.

use serde_json::{Map, Value};

use super::devices::{Z2mDevice, Z2mLight};
use super::scenes::{read_scenes, Z2mScene};

/// One member of a group: a device endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Z2mMember {
    /// The member device's IEEE address.
    pub ieee_address: String,
    /// The Zigbee endpoint number in the group.
    pub endpoint: Option<u64>,
}

/// One group of `bridge/groups`.
#[derive(Clone, Debug, PartialEq)]
pub struct Z2mGroup {
    /// Group id: what survives a rename.
    pub id: u64,
    /// Friendly name; also the topic suffix.
    pub friendly_name: String,
    /// The group's description, when set.
    pub description: Option<String>,
    /// Members.
    pub members: Vec<Z2mMember>,
    /// Native scenes stored in the group.
    pub scenes: Vec<Z2mScene>,
}

fn group_from(g: &Map<String, Value>) -> Option<Z2mGroup> {
    let id = g.get("id")?.as_u64()?;
    let friendly_name = g.get("friendly_name")?.as_str()?.trim().to_string();
    if friendly_name.is_empty() {
        return None;
    }
    let list = |key: &str| {
        g.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_object).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let members = list("members")
        .into_iter()
        .filter_map(|m| {
            Some(Z2mMember {
                ieee_address: m.get("ieee_address")?.as_str()?.to_string(),
                endpoint: m.get("endpoint").and_then(Value::as_u64),
            })
        })
        .collect();
    let mut scenes = Vec::new();
    read_scenes(g.get("scenes"), &mut scenes);
    Some(Z2mGroup {
        id,
        friendly_name,
        description: g
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .map(str::to_string),
        members,
        scenes,
    })
}

/// Reads `bridge/groups`. A payload that is not a JSON array is an error, so the directory
/// keeps the groups it had.
pub fn parse_groups(payload: &[u8]) -> Result<Vec<Z2mGroup>, String> {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Array(items)) => Ok(items
            .iter()
            .filter_map(Value::as_object)
            .filter_map(group_from)
            .collect()),
        Ok(_) => Err("bridge/groups is not a JSON array".into()),
        Err(e) => Err(format!("bridge/groups is not valid JSON: {e}")),
    }
}

/// What the group can do as one light, from its members' exposes; `None` when no member is
/// a light (a group of switches or an empty group is not a lamp).
pub fn group_light(group: &Z2mGroup, devices: &[Z2mDevice]) -> Option<Z2mLight> {
    let members: Vec<&Z2mDevice> = group
        .members
        .iter()
        .filter_map(|m| {
            devices
                .iter()
                .find(|d| d.ieee_address.as_deref() == Some(m.ieee_address.as_str()))
        })
        .collect();
    let lights: Vec<&Z2mLight> = members.iter().flat_map(|d| &d.lights).collect();
    if lights.is_empty() {
        return None;
    }
    let ranges: Vec<(u16, u16)> = lights.iter().filter_map(|l| l.color_temp_range).collect();
    let color_temp_range = (!ranges.is_empty()).then(|| {
        let lo = ranges.iter().map(|r| r.0).max().unwrap_or(153);
        let hi = ranges.iter().map(|r| r.1).min().unwrap_or(500);
        if lo <= hi {
            (lo, hi)
        } else {
            // Members with no temperature in common (Zigbee2MQTT would announce min > max):
            // offer the span of all of them, each bulb clamps what it cannot do.
            let lo = ranges.iter().map(|r| r.0).min().unwrap_or(153);
            let hi = ranges.iter().map(|r| r.1).max().unwrap_or(500);
            (lo, hi)
        }
    });
    let mut effects: Vec<String> = Vec::new();
    for e in members.iter().flat_map(|d| &d.effects) {
        if !effects.contains(e) {
            effects.push(e.clone());
        }
    }
    Some(Z2mLight {
        friendly_name: group.friendly_name.clone(),
        ieee_address: None,
        endpoint: None,
        label: group.description.clone(),
        brightness_max: lights
            .iter()
            .any(|l| l.brightness_max.is_some())
            .then_some(254),
        color_xy: lights.iter().any(|l| l.color_xy),
        color_hs: lights.iter().any(|l| l.color_hs),
        color_temp_range,
        effects,
        properties: Default::default(),
        scenes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulb(ieee: &str, range: (u16, u16)) -> Z2mDevice {
        Z2mDevice {
            friendly_name: ieee.into(),
            ieee_address: Some(ieee.into()),
            lights: vec![Z2mLight {
                friendly_name: ieee.into(),
                ieee_address: Some(ieee.into()),
                endpoint: None,
                label: None,
                brightness_max: Some(254),
                color_xy: false,
                color_hs: false,
                color_temp_range: Some(range),
                effects: Vec::new(),
                properties: Default::default(),
                scenes: Vec::new(),
            }],
            effects: Vec::new(),
        }
    }

    #[test]
    fn members_without_a_common_temperature_span_all_of_theirs() {
        let devices = [bulb("a", (153, 250)), bulb("b", (300, 454))];
        let group = Z2mGroup {
            id: 1,
            friendly_name: "g".into(),
            description: None,
            members: ["a", "b"]
                .iter()
                .map(|i| Z2mMember {
                    ieee_address: (*i).into(),
                    endpoint: Some(1),
                })
                .collect(),
            scenes: Vec::new(),
        };
        let light = group_light(&group, &devices).expect("a light group");
        assert_eq!(light.color_temp_range, Some((153, 454)));
        assert!(!light.color_xy && light.brightness_max == Some(254));
    }
}
