//! Home Assistant's additions to Jinja: Python's formatting and methods, and HA's `int`,
//! `float`, `round` and `iif` with their defaults.

use minijinja::value::{Kwargs, Value as JValue, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

/// An environment with HA's filters, functions and formatting.
pub fn environment() -> Environment<'static> {
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
    env
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
