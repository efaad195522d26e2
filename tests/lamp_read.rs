//! Named edge cases of reading lamp payloads, and a property test that no bytes panic.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::{read_state, ColorMode, LampState, ReadError, ReadOptions, Rgb};
use proptest::prelude::*;

fn read(payload: &str) -> lampboard::lamp::StateUpdate {
    read_state(payload.as_bytes(), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{payload}: {e}"))
}

fn state_after(steps: &[&str]) -> LampState {
    let mut s = LampState::default();
    for p in steps {
        s.apply(&read(p));
    }
    s
}

#[test]
fn seed_payload_reads_as_on_turquoise() {
    let u = read(r#"{"state":"ON","color":{"r":0,"g":255,"b":255}}"#);
    assert_eq!(u.on, Some(true));
    assert_eq!(u.rgb, Some(Rgb::new(0, 255, 255)));
    assert_eq!(u.color_mode, Some(ColorMode::Rgb));
    assert!(u.warnings.is_empty(), "{:?}", u.warnings);
}

#[test]
fn partial_delta_keeps_previous_values() {
    let s = state_after(&[
        r#"{"state":"ON","brightness":128,"color":{"r":255,"g":0,"b":0}}"#,
        r#"{"brightness":255}"#,
    ]);
    assert_eq!(s.on, Some(true));
    assert_eq!(s.rgb, Some(Rgb::new(255, 0, 0)));
    assert_eq!(s.brightness_pct, Some(100.0));
}

#[test]
fn missing_state_key_is_never_off() {
    let s = state_after(&[
        r#"{"state":"ON"}"#,
        r#"{"color_mode":"brightness","brightness":255,"color":{}}"#,
    ]);
    assert_eq!(s.on, Some(true));
    assert_eq!(read(r#"{"brightness":3}"#).on, None);
    assert_eq!(read(r#"{"state":null}"#).on, None);
}

#[test]
fn invalid_values_keep_previous_and_warn() {
    let before = r#"{"state":"ON","brightness":51,"color_mode":"hs","color":{"h":120,"s":100}}"#;
    for bad in [
        r#"{"brightness":"badValue"}"#,
        r#"{"color_mode":"rgb","color":{"r":64,"g":128,"b":"cow"}}"#,
        r#"{"color_mode":"xy","color":{"x":"bad","y":"val"}}"#,
        r#"{"color_temp":"badValue","color_mode":"color_temp"}"#,
        r#"{"color_mode":"col_temp"}"#,
        r#"{"state":"TOGGLE"}"#,
        r#"{"state":1}"#,
        r#"{"color":true}"#,
    ] {
        let u = read(bad);
        assert!(!u.warnings.is_empty(), "{bad}: expected a warning");
        let s = state_after(&[before, bad]);
        assert_eq!(s.on, Some(true), "{bad}");
        assert_eq!(s.brightness_pct, Some(20.0), "{bad}");
        assert_eq!(s.rgb, Some(Rgb::new(0, 255, 0)), "{bad}");
    }
}

#[test]
fn lenient_spellings_are_understood() {
    assert_eq!(read(r#"{"state":"on","brightness":20}"#).on, Some(true));
    assert_eq!(read(r#"{"state":" Off "}"#).on, Some(false));
    assert_eq!(read(r#"{"state":true}"#).on, Some(true));
    assert_eq!(
        read(r##"{"color":"#0400FF"}"##).rgb,
        Some(Rgb::new(4, 0, 255))
    );
    assert_eq!(
        read(r#"{"color":[255,255,255]}"#).rgb,
        Some(Rgb::new(255, 255, 255))
    );
    assert_eq!(
        read(r#"{"color":{"rgb":"46,102,150"}}"#).rgb,
        Some(Rgb::new(46, 102, 150))
    );
    assert_eq!(
        read(r#"{"color":{"hsb":"360,100,100"}}"#).rgb,
        Some(Rgb::new(255, 0, 0))
    );
    assert_eq!(
        read(r#"{"brightness":"200"}"#)
            .brightness_pct
            .map(f32::round),
        Some(78.0)
    );
    assert_eq!(read(r#"{"color_temp":"222"}"#).color_temp_mireds, Some(222));
    // Old Zigbee2MQTT numeric colour mode.
    assert_eq!(
        read(r#"{"color_mode":2,"color_temp":366}"#).color_mode,
        Some(ColorMode::ColorTemp)
    );
}

#[test]
fn plain_on_off_reads_but_other_text_is_not_a_state() {
    assert_eq!(read("ON").on, Some(true));
    assert_eq!(read(" off\n").on, Some(false));
    for text in [
        "TOGGLE",
        "online",
        "Offline",
        "true",
        "#64C80A",
        "127,84,100",
    ] {
        assert!(
            matches!(
                read_state(text.as_bytes(), &ReadOptions::default()),
                Err(ReadError::NotAState { .. })
            ),
            "{text}"
        );
    }
}

#[test]
fn broken_json_is_an_error_value() {
    for bad in [
        "{\"state\":\"ON\",\"transition\": 2,\n}",
        "{\"state\": \"ON\", // comment\n}",
        "{\"brightness_step\":-05}",
        "{\"state\":\"ON\"",
        "{",
    ] {
        let r = read_state(bad.as_bytes(), &ReadOptions::default());
        assert!(
            matches!(r, Err(ReadError::InvalidJson { .. })),
            "{bad}: {r:?}"
        );
    }
    assert_eq!(
        read_state(b"", &ReadOptions::default()),
        Err(ReadError::Empty)
    );
    assert_eq!(
        read_state(b"  \n", &ReadOptions::default()),
        Err(ReadError::Empty)
    );
    assert!(matches!(
        read_state(b"[1,2]", &ReadOptions::default()),
        Err(ReadError::NotAState { .. })
    ));
}

#[test]
fn out_of_range_values_are_clamped_with_a_warning() {
    let u = read(r#"{"brightness":1000000000}"#);
    assert_eq!(u.brightness_pct, Some(100.0));
    assert!(!u.warnings.is_empty());
    let u = read(r#"{"brightness":-5}"#);
    assert_eq!(u.brightness_pct, Some(0.0));
    let u = read(r#"{"color":{"r":-20,"g":300,"b":1e300}}"#);
    assert_eq!(u.rgb, Some(Rgb::new(0, 255, 255)));
    assert!(!u.warnings.is_empty());
    // A colour temperature of 24 (McLighting) is no temperature at all: flagged and ignored,
    // and the explicit colour wins.
    let u = read(r#"{"state":"ON","color":{"r":255,"g":0,"b":0},"color_temp":24}"#);
    assert_eq!(u.rgb, Some(Rgb::new(255, 0, 0)));
    assert_eq!(u.color_temp_mireds, None);
    assert!(
        u.warnings.iter().any(|w| w.contains("24")),
        "{:?}",
        u.warnings
    );
}

#[test]
fn brightness_zero_while_on_keeps_the_level_but_off_at_zero_is_shown() {
    let s = state_after(&[
        r#"{"state":"ON","brightness":128}"#,
        r#"{"state":"ON","brightness":0}"#,
    ]);
    assert_eq!(s.brightness_pct.map(f32::round), Some(50.0));
    let s = state_after(&[r#"{"state":"OFF","brightness":0}"#]);
    assert_eq!(s.brightness_pct, Some(0.0));
}

#[test]
fn brightness_scale_and_kelvin_come_from_options() {
    let z2m = ReadOptions {
        brightness_scale: 254,
        ..ReadOptions::default()
    };
    let u = read_state(br#"{"brightness":127}"#, &z2m).expect("reads");
    assert_eq!(u.brightness_pct, Some(50.0));
    let kelvin = ReadOptions {
        color_temp_kelvin: true,
        ..ReadOptions::default()
    };
    let u =
        read_state(br#"{"color_mode":"color_temp","color_temp":6451}"#, &kelvin).expect("reads");
    assert_eq!(u.color_temp_mireds, Some(155));
    // Without discovery saying kelvin, 6451 is still recognisably kelvin (with a warning).
    let u = read(r#"{"color_mode":"color_temp","color_temp":6451}"#);
    assert_eq!(u.color_temp_mireds, Some(155));
    assert!(!u.warnings.is_empty());
}

#[test]
fn stale_colour_next_to_the_announced_mode_is_ignored() {
    // Zigbee2MQTT in colour-temperature mode keeps a stale hs/xy colour object.
    let u = read(
        r#"{"color":{"h":27,"s":92,"x":0.5056,"y":0.4152},"color_mode":"color_temp","color_temp":454}"#,
    );
    assert_eq!(u.color_mode, Some(ColorMode::ColorTemp));
    assert_eq!(u.color_temp_mireds, Some(454));
    assert_eq!(u.rgb, Some(Rgb::new(255, 146, 39)));
    // HA rgbww payload with x/y and color_temp next to it: the rgbww mix wins.
    let u = read(
        r#"{"color_mode":"rgbww","color":{"r":255,"g":128,"b":64,"c":32,"w":16,"x":1,"y":1},"color_temp":155}"#,
    );
    assert_eq!(u.rgb, Some(Rgb::new(255, 136, 74)));
}

#[test]
fn display_rgb_hides_colour_in_white_only_modes() {
    let s = state_after(&[
        r#"{"color":{"r":1,"g":2,"b":3}}"#,
        r#"{"color_mode":"brightness"}"#,
    ]);
    assert_eq!(s.rgb, Some(Rgb::new(1, 2, 3)));
    assert_eq!(s.display_rgb(), None);
}

#[test]
fn unknown_keys_and_odd_whitespace_are_fine() {
    let u = read("{\n\t\"brightness\": 196,  \n\t\"speed\": 194,\n\t\"state\": \"ON\"\n}");
    assert_eq!(u.on, Some(true));
    assert!(u.recognized);
    let u = read(r#"{"battery":100,"humidity":65.59}"#);
    assert!(!u.recognized, "a sensor document is not a lamp");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = read_state(&bytes, &ReadOptions::default());
        let _ = read_state(&bytes, &ReadOptions { brightness_scale: 0, color_temp_kelvin: true, mireds_range: (0, 0) });
    }

    #[test]
    fn arbitrary_lamp_like_json_never_panics(
        key in prop::sample::select(vec!["state", "brightness", "color", "color_mode", "color_temp", "effect", "transition", "brightness_percent", "color_temp_kelvin"]),
        value in prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
            any::<i64>().prop_map(|i| i.to_string()),
            "[a-zA-Z0-9#, ]{0,12}".prop_map(|s| format!("{s:?}")),
            (any::<i32>(), any::<i32>(), any::<i32>()).prop_map(|(r, g, b)| format!(r#"{{"r":{r},"g":{g},"b":{b},"x":{r},"y":{g},"h":{b},"s":{r}}}"#)),
            (any::<i16>(), any::<i16>()).prop_map(|(a, b)| format!("[{a},{b}]")),
        ],
        mode in prop_oneof![Just("\"hs\""), Just("\"xy\""), Just("\"rgbww\""), Just("\"color_temp\""), Just("7"), Just("null")],
    ) {
        let payload = format!(r#"{{"{key}":{value},"color_mode":{mode}}}"#);
        let mut s = LampState::default();
        if let Ok(u) = read_state(payload.as_bytes(), &ReadOptions::default()) {
            s.apply(&u);
            if let Some(b) = s.brightness_pct {
                prop_assert!((0.0..=100.0).contains(&b));
            }
        }
    }
}
