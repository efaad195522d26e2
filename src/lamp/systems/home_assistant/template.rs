//! A tiny evaluator for the value templates discovery configs actually use:
//! `{{ value }}`, `{{ value_json.key }}`, `{{ value_json["key"] }}` (chained) and constants
//! such as `{{ "offline" }}`. Lampboard does not run Jinja; anything richer yields `None`,
//! which callers treat as "unknown" rather than guessing.

use serde_json::Value;

/// Renders `template` against `payload`, or `None` when the template is beyond this subset or
/// the payload lacks the key. Booleans render as Python does (`True`/`False`), as in HA.
pub fn render(template: &str, payload: &str) -> Option<String> {
    let inner = template
        .trim()
        .strip_prefix("{{")?
        .strip_suffix("}}")?
        .trim();
    if inner == "value" {
        return Some(payload.trim().to_string());
    }
    if let Some(c) = quoted(inner) {
        return Some(c.to_string());
    }
    let mut path = inner.strip_prefix("value_json")?;
    let mut value: Value = serde_json::from_str(payload.trim()).ok()?;
    while !path.is_empty() {
        let (key, rest) = if let Some(r) = path.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            (&r[..end], &r[end..])
        } else {
            let r = path.strip_prefix('[')?;
            let end = r.find(']')?;
            (quoted(r[..end].trim())?, &r[end + 1..])
        };
        if key.is_empty() {
            return None;
        }
        value = value.get(key)?.clone();
        path = rest.trim_start();
    }
    Some(match value {
        Value::String(s) => s,
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    })
}

/// The text inside matching single or double quotes.
fn quoted(s: &str) -> Option<&str> {
    let bytes = s.as_bytes();
    let (first, last) = (*bytes.first()?, *bytes.last()?);
    (s.len() >= 2 && first == last && (first == b'"' || first == b'\'')).then(|| &s[1..s.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_the_simple_forms_and_refuses_the_rest() {
        let p = r#"{"POWER":"ON","state":{"on":true},"n":3,"ł":"x"}"#;
        assert_eq!(render("{{value_json.POWER}}", p).as_deref(), Some("ON"));
        assert_eq!(
            render("{{ value_json[\"state\"].on }}", p).as_deref(),
            Some("True")
        );
        assert_eq!(render("{{ value_json['n'] }}", p).as_deref(), Some("3"));
        assert_eq!(render("{{ value_json['ł'] }}", p).as_deref(), Some("x"));
        assert_eq!(
            render("{{ \"offline\" }}", "whatever").as_deref(),
            Some("offline")
        );
        assert_eq!(render("{{ value }}", " on ").as_deref(), Some("on"));
        assert_eq!(render("{{ value_json.missing }}", p), None);
        assert_eq!(render("{{ value_json.POWER | lower }}", p), None);
        assert_eq!(render("{%if value_json.White%}x{%endif%}", p), None);
        assert_eq!(render("{{ value_json.POWER }}", "not json"), None);
        for odd in [
            "",
            "{{",
            "}}",
            "{{}}",
            "{{ ' }}",
            "{{ value_json[ }}",
            "{{ value_json.ł }}",
            "{{\"}}",
        ] {
            let _ = render(odd, p);
        }
    }
}
