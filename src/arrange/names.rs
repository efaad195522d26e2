//! How names read and sort: "lamp-5" before "lamp-10", and room names from topics
//! ("guest-bedroom") shown with spaces, in the case they were written. Pure.

use std::cmp::Ordering;

/// Compares two names the way a person reads them: runs of digits by their value, the rest
/// without regard to case, so "Lamp 5" < "lamp-10" < "Lamp 100". Equal-looking names fall
/// back to plain byte order, so the order is total and the grid never flickers between two.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut x = a.chars().peekable();
    let mut y = b.chars().peekable();
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = digits(&mut x);
                let m = digits(&mut y);
                // Compare by value without parsing (runs may be longer than any integer):
                // strip leading zeros, then longer is larger, then digit by digit.
                let (n0, m0) = (n.trim_start_matches('0'), m.trim_start_matches('0'));
                let by_value = n0.len().cmp(&m0.len()).then_with(|| n0.cmp(m0));
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
            (Some(c), Some(d)) => {
                let order = fold(c).cmp(&fold(d));
                if order != Ordering::Equal {
                    return order;
                }
                x.next();
                y.next();
            }
        }
    }
}

fn digits(it: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut run = String::new();
    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
        run.push(c);
        it.next();
    }
    run
}

/// A character for comparing: lower case, and separators ("-", "_", " ") alike, so
/// "lamp-2" and "lamp 2" sort together.
fn fold(c: char) -> char {
    match c {
        '-' | '_' => ' ',
        c => c.to_ascii_lowercase(),
    }
}

/// A room name as the page shows it: hyphens and underscores from topics become spaces,
/// runs of spaces one, the case stays as written ("guest-Bedroom" -> "guest Bedroom").
pub fn room_display_name(raw: &str) -> String {
    let spaced: String = raw
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The identity of a room: its display name folded to lower case, so "living-room" from a
/// topic, "Living room" from Home Assistant and a room typed by the user are one room.
pub fn room_key(name: &str) -> String {
    room_display_name(name).to_lowercase()
}
