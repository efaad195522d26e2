//! MQTT filter matching (`+`, `#`, `$`-topics), private to the lamp model so it does not
//! depend on `crate::mqtt` (a lamp is a topic plus a payload; MQTT knows nothing of lamps and
//! the lamp model nothing of MQTT's packets).

/// Whether `topic` matches `filter`; `+` and `#` at the first level do not match `$` topics.
pub fn filter_matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Whether any of `filters` matches `topic`: a system's or the directory's filter list asked
/// about one message.
pub fn matches_any(filters: &[String], topic: &str) -> bool {
    filters.iter().any(|f| filter_matches(f, topic))
}
