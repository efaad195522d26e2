//! The search field's rule: a lamp matches when every word typed is found in its name, its
//! room or its system's name, ignoring case and the separators topics use. Pure.

/// Lower case with "-" and "_" as spaces, so "guest-room" is found by "guest room".
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '-' | '_' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a lamp shows for `query`: every word of the query appears in the name, the
/// room or the system (each word may match a different one, so "kitchen ceiling" finds the
/// ceiling lamp in the kitchen). An empty query matches every lamp.
pub fn matches(query: &str, name: &str, room: &str, system: &str) -> bool {
    let haystack = format!("{}\n{}\n{}", fold(name), fold(room), fold(system));
    fold(query)
        .split_whitespace()
        .all(|word| haystack.contains(word))
}
