//! Topic names, filters and matching: tables of cases from section 4.7 of MQTT 3.1.1
//! (its own examples first, then the edges).
#![cfg(not(target_arch = "wasm32"))]

use lampboard::mqtt::topic::{
    filter_covers, filter_matches, reduce_filters, validate_topic_filter, validate_topic_name,
    TopicError,
};

/// (filter, topic, matches)
const MATCHES: &[(&str, &str, bool)] = &[
    // 4.7.1.2: "sport/tennis/player1/#"
    ("sport/tennis/player1/#", "sport/tennis/player1", true),
    (
        "sport/tennis/player1/#",
        "sport/tennis/player1/ranking",
        true,
    ),
    (
        "sport/tennis/player1/#",
        "sport/tennis/player1/score/wimbledon",
        true,
    ),
    ("sport/tennis/player1/#", "sport/tennis/player2", false),
    ("sport/#", "sport", true),
    ("#", "sport/tennis", true),
    ("#", "/", true),
    // 4.7.1.3: "sport/tennis/+"
    ("sport/tennis/+", "sport/tennis/player1", true),
    ("sport/tennis/+", "sport/tennis/player2", true),
    ("sport/tennis/+", "sport/tennis/player1/ranking", false),
    ("sport/+", "sport", false),
    ("sport/+", "sport/", true),
    ("+/+", "/finance", true),
    ("/+", "/finance", true),
    ("+", "/finance", false),
    ("+/tennis/#", "sport/tennis/player1", true),
    ("+/tennis/#", "sport/tennis", true),
    // Exact and near-misses.
    ("a/b", "a/b", true),
    ("a/b", "a/b/", false),
    ("a/b", "a", false),
    ("a/b", "A/b", false),
    ("a//b", "a//b", true),
    ("a/+/b", "a//b", true),
    ("a/#", "ab", false),
    ("home/+/lamp", "home/kitchen/lamp", true),
    ("home/+/lamp", "home/kitchen/lamp/set", false),
    ("home/+/lamp/#", "home/kitchen/lamp/set", true),
    // 4.7.2: topics starting with $ are not matched by a leading wildcard.
    ("#", "$SYS/broker/uptime", false),
    ("+/monitor/Clients", "$SYS/monitor/Clients", false),
    ("$SYS/#", "$SYS/monitor/Clients", true),
    ("$SYS/monitor/+", "$SYS/monitor/Clients", true),
    ("+", "$", false),
    ("$SYS", "$SYS", true),
    // $ later in the topic is an ordinary character.
    ("a/+", "a/$b", true),
    ("#", "a/$b", true),
    // Non-ASCII levels compare by bytes.
    ("caf\u{e9}/+", "caf\u{e9}/lampe", true),
    ("cafe/+", "caf\u{e9}/lampe", false),
];

#[test]
fn filter_matching_table() {
    let wrong: Vec<String> = MATCHES
        .iter()
        .filter(|(f, t, want)| filter_matches(f, t) != *want)
        .map(|(f, t, want)| format!("filter {f:?} topic {t:?}: expected {want}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_table_row_uses_valid_topics_and_filters() {
    for (f, t, _) in MATCHES {
        assert_eq!(validate_topic_filter(f), Ok(()), "filter {f:?}");
        assert_eq!(validate_topic_name(t), Ok(()), "topic {t:?}");
    }
}

#[test]
fn topic_name_validation_table() {
    let cases: &[(&str, Result<(), TopicError>)] = &[
        ("a", Ok(())),
        ("/", Ok(())),
        ("a/b/c", Ok(())),
        ("$SYS/x", Ok(())),
        (" ", Ok(())),
        ("a b/\u{1F4A1}", Ok(())),
        ("", Err(TopicError::Empty)),
        (
            "a/+",
            Err(TopicError::WildcardInName {
                wildcard: '+',
                at: 2,
            }),
        ),
        (
            "#",
            Err(TopicError::WildcardInName {
                wildcard: '#',
                at: 0,
            }),
        ),
        (
            "a+b",
            Err(TopicError::WildcardInName {
                wildcard: '+',
                at: 1,
            }),
        ),
        ("a\0", Err(TopicError::NullCharacter { at: 1 })),
    ];
    for (topic, want) in cases {
        assert_eq!(validate_topic_name(topic), *want, "{topic:?}");
    }
    assert_eq!(validate_topic_name(&"x".repeat(65_535)), Ok(()));
    assert_eq!(
        validate_topic_name(&"x".repeat(65_536)),
        Err(TopicError::TooLong(65_536))
    );
}

#[test]
fn topic_filter_validation_table() {
    use TopicError::*;
    let cases: &[(&str, Result<(), TopicError>)] = &[
        ("#", Ok(())),
        ("+", Ok(())),
        ("/", Ok(())),
        ("/#", Ok(())),
        ("+/+", Ok(())),
        ("a/+/b/#", Ok(())),
        ("sport/tennis/#", Ok(())),
        ("$SYS/#", Ok(())),
        ("a//+", Ok(())),
        ("", Err(Empty)),
        ("sport/tennis#", Err(MultiLevelNotAlone { at: 12 })),
        ("#a", Err(MultiLevelNotAlone { at: 0 })),
        ("a/#b", Err(MultiLevelNotAlone { at: 2 })),
        ("sport/tennis/#/ranking", Err(MultiLevelNotLast { at: 13 })),
        ("#/", Err(MultiLevelNotLast { at: 0 })),
        ("##", Err(MultiLevelNotAlone { at: 0 })),
        ("sport+", Err(SingleLevelNotAlone { at: 5 })),
        ("+a", Err(SingleLevelNotAlone { at: 0 })),
        ("a/b+/c", Err(SingleLevelNotAlone { at: 3 })),
        ("++", Err(SingleLevelNotAlone { at: 0 })),
        ("a\0/#", Err(NullCharacter { at: 1 })),
    ];
    for (filter, want) in cases {
        assert_eq!(validate_topic_filter(filter), *want, "{filter:?}");
    }
    assert_eq!(
        validate_topic_filter(&"+/".repeat(40_000)),
        Err(TooLong(80_000))
    );
}

#[test]
fn topic_errors_cite_their_rule() {
    assert_eq!(
        TopicError::Empty.to_string(),
        "[MQTT-4.7.3-1] topic must be at least one character long"
    );
    assert!(TopicError::MultiLevelNotLast { at: 3 }
        .to_string()
        .starts_with("[MQTT-4.7.1-2] "));
    assert!(TopicError::SingleLevelNotAlone { at: 3 }
        .to_string()
        .starts_with("[MQTT-4.7.1-3] "));
}

/// (wide, narrow, wide covers narrow)
const COVERS: &[(&str, &str, bool)] = &[
    ("#", "a", true),
    ("#", "a/b/#", true),
    ("#", "+/x", true),
    ("#", "$SYS/#", false),
    ("+/#", "$SYS/x", false),
    ("$SYS/#", "$SYS/broker/uptime", true),
    ("a/#", "a", true),
    ("a/#", "a/+", true),
    ("a/#", "a/b/#", true),
    ("a/#", "ab", false),
    ("a/+", "a/#", false),
    ("a/+", "a/b", true),
    ("a/+", "a/+", true),
    ("a/+", "a/b/c", false),
    ("+", "#", false),
    ("+/+", "+/x", true),
    ("+/x", "+/+", false),
    (
        "smarthome/+/lamps/#",
        "smarthome/living/lamps/ceiling",
        true,
    ),
    ("smarthome/+/lamps/#", "homeassistant/light/#", false),
    ("a/b", "a/b", true),
    ("a/b", "a/b/c", false),
    ("a/b/c", "a/b", false),
];

#[test]
fn covering_follows_the_matching_rules() {
    for &(wide, narrow, expected) in COVERS {
        assert_eq!(
            filter_covers(wide, narrow),
            expected,
            "{wide:?} covers {narrow:?}"
        );
    }
}

#[test]
fn covering_agrees_with_matching_on_sample_topics() {
    // If `wide` covers `narrow`, every topic `narrow` matches, `wide` matches too.
    let topics = [
        "a",
        "a/b",
        "a/b/c",
        "ab",
        "$SYS/x",
        "$SYS/broker/uptime",
        "x",
        "/x",
        "a/x",
        "smarthome/living/lamps/ceiling",
    ];
    for &(wide, narrow, expected) in COVERS {
        if expected {
            for t in topics {
                if filter_matches(narrow, t) {
                    assert!(
                        filter_matches(wide, t),
                        "{wide} covers {narrow} but not {t}"
                    );
                }
            }
        }
    }
}

#[test]
fn reducing_drops_covered_filters_and_repeats_and_keeps_order() {
    assert_eq!(
        reduce_filters(&[
            "smarthome/+/lamps/#",
            "#",
            "homeassistant/light/#",
            "zigbee2mqtt/bridge/devices",
            "$SYS/broker/uptime",
        ]),
        ["#", "$SYS/broker/uptime"]
    );
    assert_eq!(
        reduce_filters(&["a/b", "c/+", "a/b", "c/d", "e"]),
        ["a/b", "c/+", "e"]
    );
    assert_eq!(reduce_filters::<&str>(&[]), Vec::<String>::new());
}
