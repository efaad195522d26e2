//! Home Assistant MQTT lights: discovered from `<prefix>/light/.../config`, each read and
//! written by the module of its schema, as Home Assistant itself splits its MQTT light
//! (`schema_basic.py`, `schema_json.py`, `schema_template.py` over one shared base):
//! * [`discovery`]: topics, abbreviations, `~`, the parsed [`HaLight`] configuration;
//! * [`schema_basic`]: the default schema (no `schema` key);
//! * [`schema_json`]: `schema: json`.
//!
//! The system keeps the configurations it has seen, so a retained config heard again after a
//! reconnect yields no change, and an empty config removes what its topic announced.

pub mod discovery;
pub mod schema_basic;
pub mod schema_json;
pub(crate) mod template;

use std::collections::BTreeMap;

use super::SourceKind;
use crate::lamp::system::{BindingRef, Found, LampSpec, LampSystem};
use crate::lamp::LampId;
pub use discovery::{HaDiscovery, HaLight, HaSchema};

/// Home Assistant discovery under one prefix.
#[derive(Debug)]
pub struct HomeAssistantSystem {
    prefix: String,
    configs: BTreeMap<String, HaLight>,
}

impl HomeAssistantSystem {
    /// Discovery under `prefix` (Home Assistant's default is `homeassistant`).
    pub fn new(prefix: String) -> Self {
        HomeAssistantSystem {
            prefix,
            configs: BTreeMap::new(),
        }
    }
}

/// The binding for a light, by its schema.
fn binding(light: &HaLight) -> BindingRef {
    match light.schema {
        HaSchema::Json => BindingRef::new(schema_json::JsonLight::new(light.clone())),
        HaSchema::Default | HaSchema::Other(_) => {
            BindingRef::new(schema_basic::BasicLight::new(light.clone()))
        }
    }
}

impl LampSystem for HomeAssistantSystem {
    fn kind(&self) -> SourceKind {
        SourceKind::HomeAssistant
    }

    fn subscriptions(&self) -> Vec<String> {
        vec![format!("{}/light/#", self.prefix)]
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
        if !discovery::is_light_config_topic(&self.prefix, topic) {
            return None;
        }
        let id = LampId(topic.to_owned());
        Some(match discovery::parse_config(topic, payload) {
            HaDiscovery::Light(light) => {
                // The same config again is no news, unless the directory dropped the lamp
                // meanwhile (the user removed it from its card): then it is found again.
                if self.configs.get(topic) == Some(&*light) && known(&id) {
                    return Some(Vec::new());
                }
                let spec = LampSpec {
                    id,
                    name: light.name.clone(),
                    room: light.area.clone(),
                    binding: binding(&light),
                };
                self.configs.insert(topic.to_owned(), *light);
                vec![Found::Lamp(spec)]
            }
            HaDiscovery::Remove => match self.configs.remove(topic) {
                Some(_) => vec![Found::Gone(id)],
                None => Vec::new(),
            },
            HaDiscovery::Invalid(reason) => vec![Found::Rejected(reason)],
        })
    }
}
