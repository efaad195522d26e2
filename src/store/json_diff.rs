//! What changed between two JSON payloads of one topic: keys added, removed or changed,
//! named by their path (`color.r`, `list[2]`). The explorer shows it under each payload of
//! a topic's history, so a lamp's `{"state":"ON","brightness":120}` after
//! `{"state":"ON","brightness":80}` reads "brightness: 80 → 120".
//!
//! Pure, tested natively.

use std::collections::BTreeMap;

use serde_json::Value;

/// Leaves compared at most per payload: a huge document is compared by its first ones.
const MAX_LEAVES: usize = 500;

/// One difference, by path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A key the new payload has and the old one had not, with its value.
    Added(String, String),
    /// A key the old payload had and the new one has not, with its old value.
    Removed(String, String),
    /// A key whose value changed: old, new.
    Changed(String, String, String),
}

impl Change {
    /// One line for the explorer: `+ key: value`, `− key: value`, `key: old → new`.
    pub fn line(&self) -> String {
        match self {
            Change::Added(k, v) => format!("+ {k}: {v}"),
            Change::Removed(k, v) => format!("− {k}: {v}"),
            Change::Changed(k, old, new) => format!("{k}: {old} → {new}"),
        }
    }

    /// A short name for a CSS class.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Added(..) => "added",
            Change::Removed(..) => "removed",
            Change::Changed(..) => "changed",
        }
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    if out.len() >= MAX_LEAVES {
        return;
    }
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, child, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, child) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), child, out);
            }
        }
        leaf => {
            let key = if prefix.is_empty() { "(value)" } else { prefix };
            out.insert(key.to_owned(), leaf.to_string());
        }
    }
}

fn parse(payload: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(payload).ok()?.trim_start();
    if !(text.starts_with('{') || text.starts_with('[')) {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// The changes from `old` to `new`, in key order, or `None` when either is not a JSON
/// object or array (a text or binary payload has no keys to compare).
pub fn json_diff(old: &[u8], new: &[u8]) -> Option<Vec<Change>> {
    let (old, new) = (parse(old)?, parse(new)?);
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", &old, &mut a);
    flatten("", &new, &mut b);
    let mut out = Vec::new();
    for (k, v) in &a {
        match b.get(k) {
            None => out.push(Change::Removed(k.clone(), v.clone())),
            Some(nv) if nv != v => out.push(Change::Changed(k.clone(), v.clone(), nv.clone())),
            Some(_) => {}
        }
    }
    for (k, v) in &b {
        if !a.contains_key(k) {
            out.push(Change::Added(k.clone(), v.clone()));
        }
    }
    out.sort_by(|x, y| key(x).cmp(key(y)));
    Some(out)
}

fn key(c: &Change) -> &str {
    match c {
        Change::Added(k, _) | Change::Removed(k, _) | Change::Changed(k, _, _) => k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_added_removed_and_changed_by_path() {
        let d = json_diff(
            br#"{"state":"ON","brightness":80,"color":{"r":255,"g":0},"effect":"none"}"#,
            br#"{"state":"ON","brightness":120,"color":{"r":255,"g":10},"color_temp":300}"#,
        )
        .unwrap();
        assert_eq!(
            d,
            [
                Change::Changed("brightness".into(), "80".into(), "120".into()),
                Change::Changed("color.g".into(), "0".into(), "10".into()),
                Change::Added("color_temp".into(), "300".into()),
                Change::Removed("effect".into(), "\"none\"".into()),
            ]
        );
        assert_eq!(d[0].line(), "brightness: 80 → 120");
        assert_eq!(d[2].line(), "+ color_temp: 300");
        assert_eq!(d[3].line(), "− effect: \"none\"");
    }

    #[test]
    fn arrays_compare_by_index_and_equal_payloads_have_no_changes() {
        assert_eq!(
            json_diff(br#"[1,2]"#, br#"[1,3,4]"#).unwrap(),
            [
                Change::Changed("[1]".into(), "2".into(), "3".into()),
                Change::Added("[2]".into(), "4".into()),
            ]
        );
        assert_eq!(json_diff(br#"{"a":1}"#, br#"{ "a" : 1 }"#).unwrap(), []);
    }

    #[test]
    fn text_binary_or_broken_json_have_no_diff() {
        assert_eq!(json_diff(b"ON", br#"{"a":1}"#), None);
        assert_eq!(json_diff(br#"{"a":1}"#, b"{broken"), None);
        assert_eq!(json_diff(&[0xff, 0], br#"{"a":1}"#), None);
    }

    #[test]
    fn a_huge_document_is_compared_by_its_first_leaves() {
        let big: Vec<u32> = (0..10_000).collect();
        let text = serde_json::to_string(&big).unwrap();
        let d = json_diff(text.as_bytes(), b"[-1]").unwrap();
        assert_eq!(d.len(), MAX_LEAVES);
    }
}
