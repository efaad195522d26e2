//! Hostile payloads from another client on the broker, through the whole lamp
//! model (directory, reader, command writer): absurd nesting, bytes that are
//! not UTF-8, numbers far out of range, NaN-ish strings, markup. None may
//! panic; each is either clamped (with a warning) or marks the card
//! unreadable while the last good state stays, and the lamp still obeys.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::{
    DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, ReadError, Rgb,
};
use serde_json::Value;

const SEED: &str = "smarthome/hall/lamps/ceiling";

fn id(s: &str) -> LampId {
    LampId(s.to_string())
}

/// A directory holding one seed lamp, on at 50 %, red.
fn with_good_lamp() -> LampDirectory {
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(
        SEED,
        br#"{"state":"ON","brightness":128,"color":{"r":255,"g":0,"b":0}}"#,
        true,
    );
    dir
}

/// Feeds `payload` to the good lamp and says whether the card is marked
/// unreadable with the last good state kept.
fn marked_unreadable_keeping_state(payload: &[u8]) -> (bool, Vec<DirectoryEvent>) {
    let mut dir = with_good_lamp();
    let before = dir.lamp(&id(SEED)).expect("lamp").state.clone();
    let events = dir.handle_message(SEED, payload, false);
    let lamp = dir.lamp(&id(SEED)).expect("lamp kept");
    (lamp.unreadable.is_some() && lamp.state == before, events)
}

#[test]
fn json_nested_a_hundred_thousand_deep_is_unreadable_not_a_stack_overflow() {
    // serde_json stops at depth 128 with an error; nothing here may recurse further.
    let arrays = format!(r#"{{"state":{}"#, "[".repeat(100_000));
    let (marked, events) = marked_unreadable_keeping_state(arrays.as_bytes());
    assert!(marked, "{events:?}");
    assert!(
        matches!(
            &events[..],
            [DirectoryEvent::Unreadable {
                error: ReadError::InvalidJson { .. },
                ..
            }]
        ),
        "{events:?}"
    );
    let objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    let (marked, _) = marked_unreadable_keeping_state(objects.as_bytes());
    assert!(marked);
    // On a topic with no lamp yet: no lamp appears, nothing panics.
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(
        "smarthome/attic/lamps/deep",
        "[".repeat(100_000).as_bytes(),
        true,
    );
    assert_eq!(dir.lamps().count(), 0);
}

#[test]
fn bytes_that_are_not_utf8_are_unreadable_and_shown_lossily() {
    for payload in [
        &b"{\"state\":\"ON\",\"name\":\"\xff\xfe\"}"[..],
        &b"\xc3\x28"[..],
        &b"\xf0\x28\x8c\xbc ON"[..],
    ] {
        let mut dir = with_good_lamp();
        dir.handle_message(SEED, payload, false);
        let lamp = dir.lamp(&id(SEED)).expect("lamp kept");
        let unreadable = lamp.unreadable.as_ref().expect("marked unreadable");
        assert!(
            unreadable.raw.contains('\u{FFFD}'),
            "raw text shows the bad bytes as replacement characters: {:?}",
            unreadable.raw
        );
        assert_eq!(lamp.state.on, Some(true), "the last good state stays");
    }
}

#[test]
fn a_brightness_of_a_billion_is_clamped_to_full_and_never_sent_back() {
    let mut dir = with_good_lamp();
    let events = dir.handle_message(SEED, br#"{"state":"ON","brightness":1000000000}"#, false);
    assert!(
        matches!(&events[..], [DirectoryEvent::Updated { warnings, .. }] if warnings.iter().any(|w| w.contains("clamped"))),
        "{events:?}"
    );
    let lamp = dir.lamp(&id(SEED)).expect("lamp");
    assert_eq!(lamp.state.brightness_pct, Some(100.0));
    // The next command carries an in-range brightness, not the hostile number.
    let out = dir
        .command(&id(SEED), &LampChange::On(false))
        .expect("a command");
    let sent: Value = serde_json::from_slice(&out[0].payload).expect("our payload is JSON");
    let brightness = sent["brightness"].as_f64().unwrap_or(0.0);
    assert!(
        (0.0..=255.0).contains(&brightness),
        "sent back brightness {brightness}: {sent}"
    );
}

#[test]
fn hostile_values_left_in_a_seed_document_are_not_written_back() {
    let mut dir = with_good_lamp();
    dir.handle_message(
        SEED,
        br#"{"state":"<script>","brightness":-3e9,"color":{"r":-255,"g":1e9,"b":"x"},"note":"kept"}"#,
        false,
    );
    let out = dir
        .command(&id(SEED), &LampChange::Color(Rgb::new(0, 0, 255)))
        .expect("a command");
    let sent: Value = serde_json::from_slice(&out[0].payload).expect("our payload is JSON");
    assert_eq!(sent["state"], "ON", "the last good state, not the markup");
    assert_eq!(sent["brightness"], 0, "clamped like the card shows it");
    assert_eq!(sent["color"], serde_json::json!({"r": 0, "g": 0, "b": 255}));
    assert_eq!(sent["note"], "kept", "keys we do not know stay");
    let out = dir
        .command(&id(SEED), &LampChange::On(false))
        .expect("a command");
    let sent: Value = serde_json::from_slice(&out[0].payload).expect("our payload is JSON");
    // One component was not a number, so the whole colour was unreadable: the
    // last good one (red) is what the card shows and what goes back out.
    assert_eq!(sent["color"], serde_json::json!({"r": 255, "g": 0, "b": 0}));
}

#[test]
fn negative_and_huge_colour_components_are_clamped_to_the_rgb_range() {
    let mut dir = with_good_lamp();
    dir.handle_message(
        SEED,
        br#"{"state":"ON","color":{"r":-255,"g":1e9,"b":-0.5}}"#,
        false,
    );
    let lamp = dir.lamp(&id(SEED)).expect("lamp");
    assert_eq!(lamp.state.rgb, Some(Rgb::new(0, 255, 0)));
    assert!(lamp.unreadable.is_none());
    // A number beyond f64 is not JSON serde_json accepts: unreadable, state kept.
    let (marked, _) =
        marked_unreadable_keeping_state(br#"{"state":"ON","color":{"r":1e400,"g":0,"b":0}}"#);
    assert!(marked);
}

#[test]
fn nan_and_infinity_spelled_as_strings_are_ignored_with_the_previous_value_kept() {
    for bad in ["NaN", "nan", "Infinity", "-inf", "1e999", "", "½"] {
        let mut dir = with_good_lamp();
        let payload = format!(
            r#"{{"state":"ON","brightness":"{bad}","color":{{"r":"{bad}","g":0,"b":0}},"color_temp":"{bad}"}}"#
        );
        dir.handle_message(SEED, payload.as_bytes(), false);
        let lamp = dir.lamp(&id(SEED)).expect("lamp");
        let pct = lamp.state.brightness_pct.expect("brightness kept");
        assert!(
            pct.is_finite() && (50.0..51.0).contains(&pct),
            "{bad}: {pct}"
        );
        assert_eq!(lamp.state.rgb, Some(Rgb::new(255, 0, 0)), "{bad}");
        assert_eq!(lamp.state.color_temp_mireds, None, "{bad}");
    }
}

#[test]
fn markup_in_topics_and_payloads_is_kept_as_plain_text() {
    // No `/` inside the markup: it would split the topic into more levels.
    let topic = "smarthome/<img src=x onerror=alert(1)>/lamps/<svg onload=alert(2)>";
    let mut dir = LampDirectory::new(DirectorySettings::default());
    dir.handle_message(
        topic,
        br#"{"state":"ON","effect":"<script>alert(3)</script>"}"#,
        true,
    );
    let lamp = dir.lamp(&id(topic)).expect("a lamp on a markup topic");
    // Names and rooms are text taken from the topic as-is; the UI renders them as text nodes.
    assert!(
        lamp.name.to_lowercase().contains("<svg onload=alert(2)>"),
        "{}",
        lamp.name
    );
    assert_eq!(
        lamp.room.as_deref().map(str::to_lowercase).as_deref(),
        Some("<img src=x onerror=alert(1)>")
    );
    assert_eq!(
        lamp.state.effect.as_deref(),
        Some("<script>alert(3)</script>")
    );
}
