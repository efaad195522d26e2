//! Native Zigbee scenes as Zigbee2MQTT lists them: a group's in `bridge/groups`, a device
//! endpoint's in `bridge/devices` (`endpoints.<n>.scenes`). Both are `[{"id": 1, "name":
//! "Evening"}]`, recalled with `{"scene_recall": id}` on the group's or device's `/set` topic.

use serde_json::Value;

/// A native Zigbee scene stored in a group or a device; the scenes panel lists and recalls it
/// (`Binding::recall_native_scene`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Z2mScene {
    /// Scene id within the group or endpoint (`scene_recall` takes it).
    pub id: u64,
    /// The scene's name: Zigbee2MQTT's own, or "Scene <id>" when it has none.
    pub name: String,
}

/// Reads a `scenes` list, skipping entries without a numeric id and repeated ids (a device
/// lists a scene once per endpoint that stores it), so one scene is one button.
pub fn read_scenes(list: Option<&Value>, into: &mut Vec<Z2mScene>) {
    let entries = list.and_then(Value::as_array).into_iter().flatten();
    for s in entries.filter_map(Value::as_object) {
        let Some(id) = s.get("id").and_then(Value::as_u64) else {
            continue;
        };
        if into.iter().any(|known| known.id == id) {
            continue;
        }
        let name = s
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map_or_else(|| format!("Scene {id}"), str::to_string);
        into.push(Z2mScene { id, name });
    }
}
