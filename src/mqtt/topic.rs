//! Topic names, topic filters and matching (MQTT 3.1.1 section 4.7).
//!
//! A *topic name* is where a message is published (`home/kitchen/lamp`); a *topic
//! filter* is what a subscription asks for and may contain the wildcards `+` (exactly
//! one level) and `#` (this level and everything below). The codec uses the validators
//! so that malformed topics are refused on the wire in both directions; the store uses
//! [`filter_matches`] to route incoming messages to subscriptions.
//!
//! Speed: every received PUBLISH has its topic checked, so the scans look at 8 bytes
//! (16 with SSE2 on x86_64) per step, and a plain-ASCII topic name skips the separate
//! UTF-8 pass. That takes the module's two `unsafe` blocks (SSE2 loads of exactly 16
//! in-bounds bytes; bytes already proven ASCII taken as a `&str`), and its tests compare
//! the fast scans with a byte loop at every length and position.

use std::fmt;

/// The longest topic name or filter the wire can carry: its length prefix is 16 bits
/// ([MQTT-4.7.3-3]).
pub const MAX_TOPIC_LEN: usize = 65_535;

/// Why a topic name or filter is invalid, with the byte offset where that is useful, so
/// a connect form or log can point at the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicError {
    /// Empty topic names and filters are forbidden ([MQTT-4.7.3-1]).
    Empty,
    /// Longer than 65535 bytes, so the length prefix cannot say it ([MQTT-4.7.3-3]).
    TooLong(usize),
    /// Contains U+0000 ([MQTT-4.7.3-2]).
    NullCharacter {
        /// Byte offset of the NUL.
        at: usize,
    },
    /// A topic name contains `+` or `#`; wildcards belong only in filters
    /// ([MQTT-4.7.1-1], and for PUBLISH [MQTT-3.3.2-2]).
    WildcardInName {
        /// The wildcard found.
        wildcard: char,
        /// Its byte offset.
        at: usize,
    },
    /// `#` shares its level with other characters (`a/b#`) ([MQTT-4.7.1-2]).
    MultiLevelNotAlone {
        /// Byte offset of the `#`.
        at: usize,
    },
    /// `#` is not the last character of the filter (`a/#/b`) ([MQTT-4.7.1-2]).
    MultiLevelNotLast {
        /// Byte offset of the `#`.
        at: usize,
    },
    /// `+` shares its level with other characters (`a/b+`) ([MQTT-4.7.1-3]).
    SingleLevelNotAlone {
        /// Byte offset of the `+`.
        at: usize,
    },
}

impl TopicError {
    /// The normative statement broken, so [`crate::mqtt::codec::Malformed`] can cite it.
    pub const fn rule(self) -> &'static str {
        match self {
            TopicError::Empty => "MQTT-4.7.3-1",
            TopicError::TooLong(_) => "MQTT-4.7.3-3",
            TopicError::NullCharacter { .. } => "MQTT-4.7.3-2",
            TopicError::WildcardInName { .. } => "MQTT-4.7.1-1",
            TopicError::MultiLevelNotAlone { .. } | TopicError::MultiLevelNotLast { .. } => {
                "MQTT-4.7.1-2"
            }
            TopicError::SingleLevelNotAlone { .. } => "MQTT-4.7.1-3",
        }
    }

    /// The explanation in words, without the rule id (the callers prefix it).
    pub(crate) fn describe(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicError::Empty => f.write_str("must be at least one character long"),
            TopicError::TooLong(len) => write!(f, "is {len} bytes, longer than 65535"),
            TopicError::NullCharacter { at } => {
                write!(f, "must not contain U+0000 (found at byte {at})")
            }
            TopicError::WildcardInName { wildcard, at } => write!(
                f,
                "must not contain the wildcard '{wildcard}' (found at byte {at}); wildcards are only for filters"
            ),
            TopicError::MultiLevelNotAlone { at } => write!(
                f,
                "'#' must be alone in its level (found at byte {at} next to other characters)"
            ),
            TopicError::MultiLevelNotLast { at } => write!(
                f,
                "'#' must be the last character of the filter (found at byte {at} with levels after it)"
            ),
            TopicError::SingleLevelNotAlone { at } => write!(
                f,
                "'+' must be alone in its level (found at byte {at} next to other characters)"
            ),
        }
    }
}

impl fmt::Display for TopicError {
    /// "[MQTT-x.x.x-y] topic ..." so the message names the rule in words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] topic ", self.rule())?;
        self.describe(f)
    }
}

impl std::error::Error for TopicError {}

/// Checks a topic name (what a PUBLISH or a will is sent to): non-empty, at most 65535
/// bytes, no `+`, `#` or U+0000.
///
/// The codec calls this on every PUBLISH in both directions; it is one pass over the
/// bytes, because a `&str` is already valid UTF-8 and `+`, `#` and NUL are ASCII.
#[inline]
pub fn validate_topic_name(topic: &str) -> Result<(), TopicError> {
    let bytes = topic.as_bytes();
    if bytes.is_empty() {
        return Err(TopicError::Empty);
    }
    if bytes.len() > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong(bytes.len()));
    }
    #[cfg(target_arch = "x86_64")]
    if bytes.len() >= 16 && sse2::plain::<false>(bytes) {
        return Ok(());
    }
    match find_special::<false>(bytes) {
        None => Ok(()),
        Some(at) => Err(match bytes[at] {
            0 => TopicError::NullCharacter { at },
            b => TopicError::WildcardInName {
                wildcard: char::from(b),
                at,
            },
        }),
    }
}

/// A topic name received as bytes, when it is plain ASCII and valid: the decoder's
/// fast path, which makes strict checking cost no more than a lax decoder's UTF-8 check.
///
/// Returns `None` for anything else (non-ASCII, empty, or invalid), and the caller
/// takes the slow path, `from_utf8` then [`validate_topic_name`], which also finds out
/// exactly what is wrong.
#[inline(always)]
pub(crate) fn ascii_topic_name(bytes: &[u8]) -> Option<&str> {
    if bytes.is_empty() || bytes.len() > MAX_TOPIC_LEN {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    let plain = if bytes.len() >= 16 {
        sse2::plain::<true>(bytes)
    } else {
        find_special::<true>(bytes).is_none()
    };
    #[cfg(not(target_arch = "x86_64"))]
    let plain = find_special::<true>(bytes).is_none();
    if !plain {
        return None;
    }
    // SAFETY: the scan found no byte at or above 0x80, so every byte is ASCII and the
    // slice is valid UTF-8.
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// The same scans as `find_special` 16 bytes at a time with SSE2, which every
/// x86_64 CPU has: native builds (tools, benches, tests) only; wasm uses the word scan.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };

    /// Whether `bytes` (at least 16 of them) have no NUL, `+` or `#` (and, if
    /// `ASCII`, no byte at or above 0x80).
    #[inline(always)]
    pub(super) fn plain<const ASCII: bool>(bytes: &[u8]) -> bool {
        // A lane is bad if it is NUL, `+` or `#` (OR-ing 0x08 maps `#` to `+`), or, if
        // `ASCII`, has its high bit set; movemask collects the lanes' high bits.
        #[inline(always)]
        fn bad<const ASCII: bool>(chunk: &[u8; 16]) -> bool {
            // SAFETY: SSE2 is part of the x86_64 baseline, and the load reads exactly
            // the 16 bytes of `chunk` (unaligned loads are allowed).
            unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
                let nul = _mm_cmpeq_epi8(v, _mm_setzero_si128());
                let wildcard =
                    _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(0x08)), _mm_set1_epi8(0x2b));
                let special = _mm_or_si128(nul, wildcard);
                let mask = if ASCII {
                    _mm_or_si128(special, v)
                } else {
                    special
                };
                _mm_movemask_epi8(mask) != 0
            }
        }
        let good = |chunk: &[u8]| <&[u8; 16]>::try_from(chunk).is_ok_and(|c| !bad::<ASCII>(c));
        let mut chunks = bytes.chunks_exact(16);
        for chunk in &mut chunks {
            if !good(chunk) {
                return false;
            }
        }
        if chunks.remainder().is_empty() {
            return true;
        }
        // The last 16 bytes, overlapping what was already checked.
        match bytes
            .len()
            .checked_sub(16)
            .and_then(|start| bytes.get(start..))
        {
            Some(last) => good(last),
            None => false,
        }
    }
}

/// The offset of the first `+`, `#` or NUL (and, if `NON_ASCII`, of the first byte at
/// or above 0x80), 16 bytes per step.
///
/// Every received PUBLISH goes through this, so it is word-at-a-time ("does this u64
/// contain a zero byte" on the word XOR-ed with the sought bytes), with a byte loop
/// only for the tail and to locate a hit.
#[inline(always)]
fn find_special<const NON_ASCII: bool>(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // '#' (0x23) and '+' (0x2b) differ only in bit 3: setting it maps both, and only
    // them, to 0x2b, so one comparison finds either.
    const BIT3: u64 = ONES * 0x08;
    const PLUS: u64 = ONES * b'+' as u64;
    // High bit set in the bytes of `v` that are zero (exact as to whether any is).
    const fn zero_bytes(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGHS
    }
    let word = |chunk: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        u64::from_le_bytes(word)
    };
    let hits = |v: u64| {
        let wildcard = zero_bytes((v | BIT3) ^ PLUS);
        if NON_ASCII {
            // A zero byte or a high bit: `(v - ONES) | v` has a high bit set exactly
            // then (a borrow only starts at a zero byte), one operation fewer.
            (v.wrapping_sub(ONES) | v) & HIGHS | wildcard
        } else {
            zero_bytes(v) | wildcard
        }
    };
    let mut start = 0;
    // Two independent words per step so the CPU overlaps them.
    for pair in bytes.chunks_exact(16) {
        let (a, b) = pair.split_at(8);
        if hits(word(a)) | hits(word(b)) != 0 {
            break;
        }
        start += 16;
    }
    for chunk in bytes.get(start..).unwrap_or_default().chunks_exact(8) {
        if hits(word(chunk)) != 0 {
            break;
        }
        start += 8;
    }
    bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .position(|&b| b == b'+' || b == b'#' || b == 0 || (NON_ASCII && b >= 0x80))
        .map(|i| start + i)
}

/// Checks a topic filter (what a SUBSCRIBE or UNSUBSCRIBE names): non-empty, at most
/// 65535 bytes, no U+0000, `#` only alone in the last level, `+` only alone in a level.
///
/// The codec rejects bad filters in SUBSCRIBE/UNSUBSCRIBE; the UI can call it to explain
/// a bad filter before sending it.
pub fn validate_topic_filter(filter: &str) -> Result<(), TopicError> {
    let bytes = filter.as_bytes();
    if bytes.is_empty() {
        return Err(TopicError::Empty);
    }
    if bytes.len() > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong(bytes.len()));
    }
    let mut level_start = 0;
    for (at, &b) in bytes.iter().enumerate() {
        match b {
            0 => return Err(TopicError::NullCharacter { at }),
            b'/' => level_start = at + 1,
            b'#' => {
                // Alone in its level: preceded by '/' or the start, and nothing after
                // it at all (which also makes it the last level).
                if at != level_start {
                    return Err(TopicError::MultiLevelNotAlone { at });
                }
                match bytes.get(at + 1) {
                    None => {}
                    Some(b'/') => return Err(TopicError::MultiLevelNotLast { at }),
                    Some(_) => return Err(TopicError::MultiLevelNotAlone { at }),
                }
            }
            b'+' => {
                let ends_level = matches!(bytes.get(at + 1), None | Some(b'/'));
                if at != level_start || !ends_level {
                    return Err(TopicError::SingleLevelNotAlone { at });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether a message published to `topic` is delivered to a subscription on `filter`.
///
/// `+` matches exactly one level (possibly empty), `#` matches its parent level and
/// everything below (`a/#` matches `a`), and a filter starting with a wildcard does not
/// match topics starting with `$` ([MQTT-4.7.2-1]), so `#` does not see `$SYS/...`.
/// Both arguments are expected to be valid (see the validators); an invalid filter
/// gives a meaningless answer but never a panic.
pub fn filter_matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut filter_levels = filter.split('/');
    let mut topic_levels = topic.split('/');
    loop {
        match (filter_levels.next(), topic_levels.next()) {
            (Some("#"), _) => return true,
            (None, None) => return true,
            (Some("+"), Some(_)) => {}
            (Some(f), Some(t)) if f == t => {}
            _ => return false,
        }
    }
}

/// Whether every topic `narrow` can match is also matched by `wide`, by the rules of
/// [`filter_matches`]: a subscription on `narrow` then adds nothing to one on `wide`
/// but a second copy of each message (brokers may deliver once per matching
/// subscription). `a/#` covers `a`, `a/+` and `a/b/#`; `+/x` covers `a/x` but not
/// `$SYS/x`, which a leading wildcard never matches; `+` never covers `#`. A filter
/// covers itself. Both are expected to be valid filters.
pub fn filter_covers(wide: &str, narrow: &str) -> bool {
    let wide_wild_first = wide.starts_with('+') || wide.starts_with('#');
    if wide_wild_first && narrow.starts_with('$') {
        return false;
    }
    let mut w = wide.split('/');
    let mut n = narrow.split('/');
    loop {
        match (w.next(), n.next()) {
            (Some("#"), _) => return true,
            (None, None) => return true,
            // `+` stands for any one level, and so does any level of `narrow` but `#`.
            (Some("+"), Some(level)) if level != "#" => {}
            (Some(a), Some(b)) if a == b && a != "+" => {}
            _ => return false,
        }
    }
}

/// `filters` without the ones another covers ([`filter_covers`]) and without repeats,
/// in their first order: subscribing to `#` and `homeassistant/light/#` at once would
/// have each message on a light topic delivered twice by a broker that delivers once
/// per matching subscription (Mosquitto does), and listed twice in the explorer.
pub fn reduce_filters<S: AsRef<str>>(filters: &[S]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for (i, f) in filters.iter().enumerate() {
        let f = f.as_ref();
        let covered = filters.iter().enumerate().any(|(j, other)| {
            let other = other.as_ref();
            // Equal filters: only the first one stays.
            j != i && filter_covers(other, f) && (other != f || j < i)
        });
        if !covered {
            kept.push(f.to_owned());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition the word and SSE2 scans must agree with.
    fn reference(bytes: &[u8], non_ascii: bool) -> Option<usize> {
        bytes
            .iter()
            .position(|&b| b == 0 || b == b'+' || b == b'#' || (non_ascii && b >= 0x80))
    }

    #[test]
    fn fast_scans_agree_with_the_byte_loop_at_every_length_and_position() {
        for len in 0..=70 {
            let clean = vec![b'a'; len];
            assert_eq!(find_special::<true>(&clean), None);
            assert_eq!(ascii_topic_name(&clean).is_some(), len > 0, "len {len}");
            for at in 0..len {
                for bad in [0u8, b'+', b'#', 0x80, 0xc3, 0xff, 0x2a, 0x2c, 0x22, 0x24] {
                    let mut bytes = clean.clone();
                    bytes[at] = bad;
                    let context = format!("len {len} byte {bad:#04x} at {at}");
                    assert_eq!(
                        find_special::<true>(&bytes),
                        reference(&bytes, true),
                        "{context}"
                    );
                    assert_eq!(
                        find_special::<false>(&bytes),
                        reference(&bytes, false),
                        "{context}"
                    );
                    assert_eq!(
                        ascii_topic_name(&bytes).is_some(),
                        reference(&bytes, true).is_none(),
                        "{context}"
                    );
                    if let Ok(text) = std::str::from_utf8(&bytes) {
                        let valid = validate_topic_name(text).is_ok();
                        assert_eq!(valid, reference(&bytes, false).is_none(), "{context}");
                    }
                }
            }
        }
    }
}
