//! Home Assistant MQTT lights: discovered from `<prefix>/light/[<node_id>/]<object_id>/config`
//! and from device configs `<prefix>/device/<object_id>/config` (`cmps`, HA 2024.11+), each
//! read and written by the module of its schema, as Home Assistant itself splits its MQTT
//! light (`schema_basic.py`, `schema_json.py`, `schema_template.py` over one shared base):
//! * [`discovery`]: topics, abbreviations, `~`, device configs, the parsed [`HaLight`];
//! * [`template`]: HA's Jinja templates (minijinja with HA's filters), parsed once per config;
//! * [`schema_basic`]: the default schema (no `schema` key);
//! * [`schema_json`]: `schema: json`;
//! * [`schema_template`]: `schema: template`.
//!
//! The system keeps the configurations it has seen, so a retained config heard again after a
//! reconnect yields no change, an empty config removes what its topic announced, and a second
//! config with a `unique_id` already in use is ignored (HA keeps the first).

pub mod discovery;
pub mod schema_basic;
pub mod schema_json;
pub mod schema_template;
pub mod template;

use std::collections::BTreeMap;

use super::SourceKind;
use crate::lamp::system::{BindingRef, Found, LampSpec, LampSystem};
use crate::lamp::LampId;
use discovery::DeviceComponent;
pub use discovery::{HaDiscovery, HaLight, HaSchema};

/// Where discovery under `prefix` arrives: single lights and whole-device configs. Also what
/// the page subscribes to before this system's code has loaded (`crate::lamp::systems::code`).
pub fn discovery_filters(prefix: &str) -> Vec<String> {
    vec![
        format!("{prefix}/light/#"),
        format!("{prefix}/device/+/config"),
    ]
}

/// Home Assistant discovery under one prefix.
#[derive(Debug)]
pub struct HomeAssistantSystem {
    prefix: String,
    /// Lamp id -> its config.
    configs: BTreeMap<LampId, HaLight>,
    /// unique_id -> the lamp that holds it.
    unique_ids: BTreeMap<String, LampId>,
}

impl HomeAssistantSystem {
    /// Discovery under `prefix` (Home Assistant's default is `homeassistant`).
    pub fn new(prefix: String) -> Self {
        HomeAssistantSystem {
            prefix,
            configs: BTreeMap::new(),
            unique_ids: BTreeMap::new(),
        }
    }

    /// Adds, replaces or removes the lamp `id` as one light config says. An unchanged config
    /// is no news, unless the directory no longer has the lamp (the user removed it): heard
    /// again, it comes back.
    fn apply(
        &mut self,
        id: LampId,
        found: HaDiscovery,
        known: &dyn Fn(&LampId) -> bool,
    ) -> Vec<Found> {
        match found {
            HaDiscovery::Light(light) => {
                if self.configs.get(&id) == Some(&*light) && known(&id) {
                    return Vec::new();
                }
                if let Some(uid) = &light.unique_id {
                    if let Some(owner) = self.unique_ids.get(uid).filter(|o| **o != id) {
                        return vec![Found::Rejected(format!(
                            "unique_id “{uid}” is already used by {owner}; Home Assistant keeps the first and ignores this one"
                        ))];
                    }
                }
                self.forget_unique_id(&id);
                if let Some(uid) = &light.unique_id {
                    self.unique_ids.insert(uid.clone(), id.clone());
                }
                let spec = LampSpec {
                    id: id.clone(),
                    name: light.name.clone(),
                    room: light.area.clone(),
                    binding: binding(&light),
                };
                self.configs.insert(id, *light);
                vec![Found::Lamp(spec)]
            }
            HaDiscovery::Remove => {
                self.forget_unique_id(&id);
                match self.configs.remove(&id) {
                    Some(_) => vec![Found::Gone(id)],
                    None => Vec::new(),
                }
            }
            HaDiscovery::Invalid(reason) => vec![Found::Rejected(reason)],
        }
    }

    fn forget_unique_id(&mut self, id: &LampId) {
        if let Some(uid) = self.configs.get(id).and_then(|l| l.unique_id.clone()) {
            if self.unique_ids.get(&uid) == Some(id) {
                self.unique_ids.remove(&uid);
            }
        }
    }

    /// A device config: each light component is a lamp `<topic>#<component id>`.
    fn device(
        &mut self,
        topic: &str,
        payload: &[u8],
        known: &dyn Fn(&LampId) -> bool,
    ) -> Vec<Found> {
        match discovery::parse_device_config(topic, payload) {
            Ok(Some(components))
                if components.iter().any(
                    |(_, c)| matches!(c, DeviceComponent::Light(found) if needs_engine(found)),
                ) =>
            {
                vec![Found::NeedsTemplates]
            }
            Err(reason) => vec![Found::Rejected(reason)],
            Ok(None) => {
                let prefix = format!("{topic}#");
                let ids: Vec<LampId> = self
                    .configs
                    .keys()
                    .filter(|id| id.0.starts_with(&prefix))
                    .cloned()
                    .collect();
                ids.into_iter()
                    .flat_map(|id| self.apply(id, HaDiscovery::Remove, known))
                    .collect()
            }
            Ok(Some(components)) => components
                .into_iter()
                .flat_map(|(cid, component)| {
                    let id = device_lamp_id(topic, &cid);
                    match component {
                        DeviceComponent::Light(found) => self.apply(id, found, known),
                        DeviceComponent::Removed => self.apply(id, HaDiscovery::Remove, known),
                        DeviceComponent::Other => Vec::new(),
                    }
                })
                .collect(),
        }
    }
}

/// The id of one light component of a device config: the config topic and the component id
/// (`#` cannot occur in a topic, so it never collides with a real one).
pub fn device_lamp_id(config_topic: &str, component_id: &str) -> LampId {
    LampId(format!("{config_topic}#{component_id}"))
}

/// The binding for a light, by its schema.
fn binding(light: &HaLight) -> BindingRef {
    match light.schema {
        HaSchema::Json => BindingRef::new(schema_json::JsonLight::new(light.clone())),
        HaSchema::Default => BindingRef::new(schema_basic::BasicLight::new(light.clone())),
        HaSchema::Template => BindingRef::new(schema_template::TemplateLight::new(light.clone())),
    }
}

/// Whether this config must wait for the template engine: it has templates and the engine has
/// not arrived (the browser loads it on first need; `lamp::templating`).
fn needs_engine(found: &HaDiscovery) -> bool {
    matches!(found, HaDiscovery::Light(light) if light.templates.any())
        && crate::lamp::templating::is_pending()
}

/// What the card should say about templates of this config that did not parse.
fn broken_note(light: &HaLight) -> Option<String> {
    let broken = light.templates.broken();
    (!broken.is_empty()).then(|| {
        let list: Vec<String> = broken.iter().map(|(k, r)| format!("{k}: {r}")).collect();
        format!(
            "Lampboard cannot evaluate some of this lamp's templates ({}); what they read or send is left out",
            list.join("; ")
        )
    })
}

impl LampSystem for HomeAssistantSystem {
    fn kind(&self) -> SourceKind {
        SourceKind::HomeAssistant
    }

    fn subscriptions(&self) -> Vec<String> {
        discovery_filters(&self.prefix)
    }

    fn settings_key(&self) -> String {
        self.prefix.clone()
    }

    fn discover(
        &mut self,
        topic: &str,
        payload: &[u8],
        known: &dyn Fn(&LampId) -> bool,
    ) -> Option<Vec<Found>> {
        if discovery::is_light_config_topic(&self.prefix, topic) {
            let found = discovery::parse_config(topic, payload);
            if needs_engine(&found) {
                return Some(vec![Found::NeedsTemplates]);
            }
            return Some(self.apply(LampId(topic.to_owned()), found, known));
        }
        if discovery::is_device_config_topic(&self.prefix, topic) {
            return Some(self.device(topic, payload, known));
        }
        None
    }
}
