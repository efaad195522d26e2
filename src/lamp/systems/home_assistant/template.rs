//! A Home Assistant light's templates as its config gives them, keyed by their config key
//! (`state_value_template`, `command_on_template`, ...), rendered the way Home Assistant does:
//! `value` and `value_json` for value templates, named variables for command templates.
//!
//! Only the sources live here; [`crate::lamp::templating`] renders them, parsing each once.
//! Rendering never panics and says in words why it failed, so a binding can refuse a command
//! instead of publishing something wrong.

use serde_json::{Map, Value};

use crate::lamp::templating;

/// The templates of one discovery config.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Templates {
    /// (config key, source), in the config's order.
    sources: Vec<(String, String)>,
}

impl Templates {
    /// An empty set.
    pub fn new() -> Self {
        Templates::default()
    }

    /// Adds `source` under `key`. Parsing waits for the first use (or [`Templates::broken`]),
    /// because in the browser the engine may not have arrived yet.
    pub fn add(&mut self, key: &str, source: &str) {
        self.sources.push((key.to_owned(), source.to_owned()));
    }

    /// Whether a template is configured under `key` (whether or not it parses).
    pub fn has(&self, key: &str) -> bool {
        self.source(key).is_some()
    }

    /// Whether the config has any template, so discovery knows it needs the engine.
    pub fn any(&self) -> bool {
        !self.sources.is_empty()
    }

    /// The templates that cannot be parsed (or cannot be, the engine being unavailable), as
    /// (key, reason).
    pub fn broken(&self) -> Vec<(String, String)> {
        self.sources
            .iter()
            .filter_map(|(k, src)| templating::check(src).err().map(|r| (k.clone(), r)))
            .collect()
    }

    fn source(&self, key: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, src)| src.as_str())
    }

    /// Renders the value template `key` for an incoming `payload` as HA does: `value` is the
    /// payload text, `value_json` its JSON when it parses. Without a template the payload
    /// itself is the value.
    pub fn render_value(&self, key: &str, payload: &str) -> Result<String, String> {
        if !self.has(key) {
            return Ok(payload.to_owned());
        }
        let mut ctx = Map::new();
        ctx.insert("value".into(), Value::String(payload.to_owned()));
        if let Ok(json) = serde_json::from_str::<Value>(payload) {
            ctx.insert("value_json".into(), json);
        }
        self.render(key, &ctx)
    }

    /// Renders the template `key` with `variables` (a command template). `Err` when it is
    /// missing, broken or fails to render, in words.
    pub fn render(&self, key: &str, variables: &Map<String, Value>) -> Result<String, String> {
        let source = self
            .source(key)
            .ok_or_else(|| format!("{key} is not configured"))?;
        templating::check(source).map_err(|reason| format!("{key} cannot be read: {reason}"))?;
        templating::render(source, variables)
            .map_err(|reason| format!("{key} cannot be rendered: {reason}"))
    }
}

#[cfg(test)]
mod tests {
    use super::Templates;

    fn value(tpl: &str, payload: &str) -> Result<String, String> {
        let mut t = Templates::new();
        t.add("t", tpl);
        t.render_value("t", payload)
    }

    #[test]
    fn renders_what_real_configs_use() {
        let p = r#"{"POWER":"ON","state":{"on":true},"n":3,"ł":"x","c":[1,2,3],"z":null}"#;
        assert_eq!(value("{{value_json.POWER}}", p).unwrap(), "ON");
        assert_eq!(value("{{ value_json[\"state\"].on }}", p).unwrap(), "True");
        assert_eq!(value("{{ value_json['ł'] }}", p).unwrap(), "x");
        assert_eq!(value("{{ value_json.c[1] }}", p).unwrap(), "2");
        assert_eq!(value("{{ value_json.z }}", p).unwrap(), "None");
        assert_eq!(value("{{ value_json.missing }}", p).unwrap(), "");
        assert_eq!(value("{{ value_json.POWER | lower }}", p).unwrap(), "on");
        assert_eq!(value("{{ value }}", "on").unwrap(), "on");
        // 50 * 2.55 is 127.49999999999999 in floating point: Python (and HA) round it to 127.
        assert_eq!(
            value("{{ (value | float * 2.55) | round }}", "50").unwrap(),
            "127"
        );
        assert_eq!(value("{{ 2.5 | round }}", "").unwrap(), "2");
        assert_eq!(value("{{ 'x' | int(7) }}", "").unwrap(), "7");
        assert!(value("{{ 'x' | int }}", "").is_err());
        assert_eq!(value("{{ '12.7' | int }}", "").unwrap(), "12");
        assert_eq!(
            value("{{ iif(value_json.n > 2, 'on', 'off') }}", p).unwrap(),
            "on"
        );
        assert_eq!(
            value("{{ value_json.z | iif('a', 'b', 'n') }}", p).unwrap(),
            "n"
        );
        assert_eq!(
            value("{% if value_json.n == 3 %}ON{% else %}OFF{% endif %}", p).unwrap(),
            "ON"
        );
        // Jinja2's tojson (json.dumps): ", " between items.
        assert_eq!(
            value("{{ value_json.c | tojson }}", p).unwrap(),
            "[1, 2, 3]"
        );
        assert_eq!(value("{{ value_json.q | default('d') }}", p).unwrap(), "d");
        // Tasmota's legacy discovery (payload set had-15) calls Python's str.split.
        let hsb = r#"{"HSBColor":"30,100,50"}"#;
        let tpl = "{{value_json.HSBColor.split(',')[0:2]|join(',')}}";
        assert_eq!(value(tpl, hsb).unwrap(), "30,100");
        assert_eq!(value("{{ value_json.get('n', 0) }}", p).unwrap(), "3");
        assert_eq!(value("{{ value_json.get('q', 0) }}", p).unwrap(), "0");
        // value_json is undefined for a non-JSON payload: reading a key from it fails as in HA.
        assert!(value("{{ value_json.POWER }}", "not json").is_err());
        let mut t = Templates::new();
        t.add("bad", "{{ value_json. }}");
        assert!(t.render_value("bad", p).is_err());
        assert_eq!(t.broken().len(), 1);
    }
}
