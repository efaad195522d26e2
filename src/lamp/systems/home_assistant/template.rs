//! Home Assistant's Jinja templates, evaluated with minijinja the way Home Assistant renders
//! them: `value` and `value_json` for value templates, named variables for command templates,
//! Python's spelling of `None`/`True`/`False`, and HA's own `int`, `float`, `round` and `iif`
//! (with their `default` argument and errors when it is missing), registered as filters and
//! functions.
//!
//! A [`Templates`] set is built once per discovery config (templates are parsed once, not per
//! message); rendering never panics and says in words why it failed, so a binding can refuse a
//! command instead of publishing something wrong.

use std::fmt;

use minijinja::value::{Kwargs, Value as JValue, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};
use serde_json::{Map, Value};

/// The templates of one discovery config, parsed once, looked up by their config key
/// (`state_value_template`, `command_on_template`, ...).
pub struct Templates {
    env: Environment<'static>,
    /// Templates that did not parse, with the reason, so the card can say which.
    broken: Vec<(String, String)>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.env.templates().map(|(n, _)| n).collect();
        f.debug_struct("Templates")
            .field("parsed", &names)
            .field("broken", &self.broken)
            .finish()
    }
}

impl PartialEq for Templates {
    fn eq(&self, other: &Self) -> bool {
        let src = |t: &Templates| -> Vec<(String, String)> {
            t.env
                .templates()
                .map(|(n, tpl)| (n.to_owned(), tpl.source().to_owned()))
                .collect()
        };
        src(self) == src(other) && self.broken == other.broken
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

impl Templates {
    /// An empty set with HA's filters, functions and formatting.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_formatter(python_formatter);
        env.add_filter("int", ha_int);
        env.add_function("int", ha_int);
        env.add_filter("float", ha_float);
        env.add_function("float", ha_float);
        env.add_filter("round", ha_round);
        env.add_filter("iif", ha_iif);
        env.add_function("iif", ha_iif);
        env.set_unknown_method_callback(python_method);
        Templates {
            env,
            broken: Vec::new(),
        }
    }

    /// Parses `source` under `key`; a template that does not parse is remembered as broken.
    pub fn add(&mut self, key: &str, source: &str) {
        if let Err(e) = self
            .env
            .add_template_owned(key.to_owned(), source.to_owned())
        {
            self.broken.push((key.to_owned(), describe(&e)));
        }
    }

    /// Whether a template is configured under `key` (parsed or broken).
    pub fn has(&self, key: &str) -> bool {
        self.env.get_template(key).is_ok() || self.broken.iter().any(|(k, _)| k == key)
    }

    /// The templates that could not be parsed, as (key, reason).
    pub fn broken(&self) -> &[(String, String)] {
        &self.broken
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
        if let Some((_, reason)) = self.broken.iter().find(|(k, _)| k == key) {
            return Err(format!("{key} cannot be read: {reason}"));
        }
        let tpl = self
            .env
            .get_template(key)
            .map_err(|_| format!("{key} is not configured"))?;
        tpl.render(to_jinja(&Value::Object(variables.clone())))
            .map_err(|e| format!("{key} cannot be rendered: {}", describe(&e)))
    }
}

/// A JSON value as a template value (objects keep their keys, numbers their kind).
fn to_jinja(v: &Value) -> JValue {
    match v {
        Value::Null => JValue::from(()),
        Value::Bool(b) => JValue::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => JValue::from(i),
            (_, Some(u), _) => JValue::from(u),
            (_, _, f) => JValue::from(f.unwrap_or(f64::NAN)),
        },
        Value::String(s) => JValue::from(s.as_str()),
        Value::Array(items) => items.iter().map(to_jinja).collect(),
        Value::Object(map) => {
            let m: std::collections::BTreeMap<JValue, JValue> = map
                .iter()
                .map(|(k, v)| (JValue::from(k.as_str()), to_jinja(v)))
                .collect();
            JValue::from_object(m)
        }
    }
}

/// A one-line description of a minijinja error (no source dump).
fn describe(e: &Error) -> String {
    match e.detail() {
        Some(d) => format!("{} ({d})", e.kind()),
        None => e.kind().to_string(),
    }
}

/// Prints values as Python (Home Assistant's Jinja) would: `None`, `True`, `False`; undefined
/// prints nothing.
fn python_formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut State<'_, '_>,
    value: &JValue,
) -> Result<(), Error> {
    match value.kind() {
        ValueKind::Undefined => Ok(()),
        ValueKind::None => out.write_str("None").map_err(Error::from),
        ValueKind::Bool => {
            let text = if value.is_true() { "True" } else { "False" };
            out.write_str(text).map_err(Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The few Python methods real configs call on strings and dicts (`value.split(',')`,
/// `value_json.get('x')`, `.lower()`...), since templates are Python's Jinja.
fn python_method(
    _state: &mut State<'_, '_>,
    value: &JValue,
    method: &str,
    args: &[JValue],
) -> Result<JValue, Error> {
    let unknown = || Error::new(ErrorKind::UnknownMethod, format!("no method {method}"));
    let arg_str = |i: usize| args.get(i).and_then(|a| a.as_str()).map(str::to_owned);
    if let Some(s) = value.as_str() {
        return Ok(match method {
            "split" => {
                let max = args
                    .get(1)
                    .and_then(|a| i64::try_from(a.clone()).ok())
                    .filter(|n| *n >= 0);
                let parts: Vec<JValue> = match (arg_str(0), max) {
                    (Some(sep), Some(n)) if !sep.is_empty() => s
                        .splitn(n as usize + 1, sep.as_str())
                        .map(JValue::from)
                        .collect(),
                    (Some(sep), None) if !sep.is_empty() => {
                        s.split(sep.as_str()).map(JValue::from).collect()
                    }
                    _ => s.split_whitespace().map(JValue::from).collect(),
                };
                JValue::from(parts)
            }
            "lower" => JValue::from(s.to_lowercase()),
            "upper" => JValue::from(s.to_uppercase()),
            "strip" => JValue::from(s.trim()),
            "startswith" => JValue::from(arg_str(0).is_some_and(|p| s.starts_with(p.as_str()))),
            "endswith" => JValue::from(arg_str(0).is_some_and(|p| s.ends_with(p.as_str()))),
            "replace" => match (arg_str(0), arg_str(1)) {
                (Some(a), Some(b)) => JValue::from(s.replace(a.as_str(), b.as_str())),
                _ => return Err(unknown()),
            },
            _ => return Err(unknown()),
        });
    }
    if value.kind() == ValueKind::Map && method == "get" {
        let key = args.first().cloned().unwrap_or_default();
        let found = value.get_item(&key).unwrap_or_default();
        return Ok(if found.is_undefined() {
            args.get(1).cloned().unwrap_or(JValue::from(()))
        } else {
            found
        });
    }
    Err(unknown())
}

/// HA raises when a conversion fails and no default is given.
fn no_default(name: &str, value: &JValue) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{name} got invalid input '{value}' and no default was given"),
    )
}

/// A number from a value as Python's `float()` takes it (numbers, numeric text, booleans).
fn as_f64(value: &JValue) -> Option<f64> {
    match value.kind() {
        ValueKind::Number => f64::try_from(value.clone()).ok(),
        ValueKind::Bool => Some(if value.is_true() { 1.0 } else { 0.0 }),
        ValueKind::String => value.as_str()?.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// HA's `int` (filter and function): `int(value, default, base=10)`; text like `"12.7"` is
/// 12 as Jinja's `int` does.
fn ha_int(value: JValue, default: Option<JValue>, kwargs: Kwargs) -> Result<JValue, Error> {
    let base: Option<u32> = kwargs.get("base")?;
    let default = default.or(kwargs.get::<Option<JValue>>("default")?);
    kwargs.assert_all_used()?;
    let text = value.as_str().map(str::trim);
    let parsed = match (text, base) {
        (Some(t), Some(b)) if b != 10 => {
            let t = t
                .trim_start_matches("0x")
                .trim_start_matches("0o")
                .trim_start_matches("0b");
            i64::from_str_radix(t, b).ok()
        }
        (Some(t), _) => t.parse::<i64>().ok().or_else(|| {
            t.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        }),
        _ => as_f64(&value)
            .filter(|f| f.is_finite())
            .map(|f| f.trunc() as i64),
    };
    match (parsed, default) {
        (Some(n), _) => Ok(JValue::from(n)),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(no_default("int", &value)),
    }
}

/// HA's `float`: `float(value, default)`.
fn ha_float(value: JValue, default: Option<JValue>, kwargs: Kwargs) -> Result<JValue, Error> {
    let default = default.or(kwargs.get::<Option<JValue>>("default")?);
    kwargs.assert_all_used()?;
    match (as_f64(&value), default) {
        (Some(f), _) => Ok(JValue::from(f)),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(no_default("float", &value)),
    }
}

/// Python's `round(x, n)`: halves go to the even neighbour.
fn round_half_even(x: f64, precision: i32) -> f64 {
    let m = 10f64.powi(precision);
    let y = x * m;
    let r = y.round();
    let r = if (y - y.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - y.signum()
    } else {
        r
    };
    r / m
}

/// HA's `round(value, precision=0, method="common", default)`: an int when the precision is
/// 0, methods `common` (Python's rounding), `ceil`, `floor`, `half`.
fn ha_round(
    value: JValue,
    precision: Option<i32>,
    method: Option<String>,
    kwargs: Kwargs,
) -> Result<JValue, Error> {
    let default: Option<JValue> = kwargs.get("default")?;
    let precision = precision.or(kwargs.get("precision")?).unwrap_or(0);
    let method = method.or(kwargs.get("method")?);
    kwargs.assert_all_used()?;
    let Some(x) = as_f64(&value) else {
        return default.ok_or_else(|| no_default("round", &value));
    };
    let m = 10f64.powi(precision);
    let r = match method.as_deref() {
        Some("ceil") => (x * m).ceil() / m,
        Some("floor") => (x * m).floor() / m,
        Some("half") => (x * 2.0).round() / 2.0,
        _ => round_half_even(x, precision),
    };
    Ok(if precision == 0 {
        JValue::from(r as i64)
    } else {
        JValue::from(r)
    })
}

/// HA's immediate if: `iif(value, if_true=True, if_false=False, if_none=<if_false>)`.
fn ha_iif(
    value: JValue,
    if_true: Option<JValue>,
    if_false: Option<JValue>,
    if_none: Option<JValue>,
) -> JValue {
    if value.is_none() || value.is_undefined() {
        if let Some(v) = if_none {
            return v;
        }
    }
    if value.is_true() {
        if_true.unwrap_or(JValue::from(true))
    } else {
        if_false.unwrap_or(JValue::from(false))
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
