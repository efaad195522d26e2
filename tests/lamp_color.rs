//! Colour conversions against Home Assistant's own test values (`tests/util/test_color.py`).
//! Tolerance: exact unless stated; HA's integer results are reproduced bit for bit.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::color::{
    hs_to_rgb, kelvin_to_mireds, kelvin_to_rgb, mireds_to_kelvin, mireds_to_rgb, rgb_to_hs,
    rgb_to_xy, rgbww_to_rgb, xy_to_rgb, Rgb,
};

fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    Rgb::new(r, g, b)
}

#[test]
fn xy_matches_home_assistant_gamutless() {
    let cases = [
        ((0.35, 0.35), rgb(255, 243, 222)),
        ((1.0, 0.0), rgb(255, 0, 60)),
        ((0.0, 1.0), rgb(0, 255, 0)),
        ((0.0, 0.0), rgb(0, 63, 255)),
    ];
    for ((x, y), want) in cases {
        assert_eq!(xy_to_rgb(x, y), want, "xy ({x}, {y})");
    }
}

#[test]
fn hs_matches_home_assistant_hsv_at_full_value() {
    assert_eq!(hs_to_rgb(0.0, 0.0), rgb(255, 255, 255));
    assert_eq!(hs_to_rgb(240.0, 100.0), rgb(0, 0, 255));
    assert_eq!(hs_to_rgb(120.0, 100.0), rgb(0, 255, 0));
    assert_eq!(hs_to_rgb(0.0, 100.0), rgb(255, 0, 0));
    // 360 wraps to red, as Zigbee2MQTT's {"hue":360} means.
    assert_eq!(hs_to_rgb(360.0, 100.0), rgb(255, 0, 0));
    // Out-of-range input is clamped, never a panic.
    assert_eq!(hs_to_rgb(-120.0, 250.0), rgb(0, 0, 255));
    // Non-finite input is treated as 0 (white), never a panic.
    assert_eq!(hs_to_rgb(f64::NAN, f64::INFINITY), rgb(255, 255, 255));
}

#[test]
fn colour_temperature_matches_tanner_helland_as_in_home_assistant() {
    assert_eq!(kelvin_to_rgb(6600.0), rgb(255, 255, 255));
    let warm = kelvin_to_rgb(6500.0);
    assert!(warm.r > warm.g && warm.r > warm.b);
    let cold = kelvin_to_rgb(6700.0);
    assert!(cold.b > cold.g && cold.b > cold.r);
    assert_eq!(kelvin_to_rgb(999.0), kelvin_to_rgb(0.0));
    assert_eq!(kelvin_to_rgb(40001.0), kelvin_to_rgb(999_999.0));
    // HA MQTT light test asserts 250 mired -> (255, 206, 166).
    assert_eq!(mireds_to_rgb(250.0), rgb(255, 206, 166));
    assert_eq!(mireds_to_rgb(155.0), rgb(255, 253, 249));
    assert_eq!(mireds_to_rgb(90.0), rgb(195, 214, 255));
    assert_eq!(mireds_to_rgb(0.0), kelvin_to_rgb(40000.0));
}

#[test]
fn mired_kelvin_conversions_floor_like_home_assistant() {
    assert_eq!(mireds_to_kelvin(40), 25000);
    assert_eq!(mireds_to_kelvin(200), 5000);
    assert_eq!(kelvin_to_mireds(25000), 40);
    assert_eq!(kelvin_to_mireds(5000), 200);
    assert_eq!(kelvin_to_mireds(6451), 155);
    // Zero would divide by zero in HA; here it is clamped.
    assert!(mireds_to_kelvin(0) > 0);
    assert!(kelvin_to_mireds(0) > 0);
}

#[test]
fn rgbww_matches_home_assistant() {
    // HA: color_rgbww_to_rgb(r, g, b, cw, ww, 2702 K, 6493 K) = 154..=370 mireds.
    let range = (154, 370);
    let cases = [
        ([0.0, 54.0, 98.0], 255.0, 255.0, rgb(255, 255, 255)),
        ([255.0, 255.0, 255.0], 0.0, 0.0, rgb(255, 255, 255)),
        ([0.0, 118.0, 241.0], 255.0, 255.0, rgb(163, 204, 255)),
        ([0.0, 27.0, 49.0], 128.0, 128.0, rgb(128, 128, 128)),
        ([0.0, 14.0, 25.0], 64.0, 64.0, rgb(64, 64, 64)),
        ([9.0, 64.0, 0.0], 38.0, 38.0, rgb(32, 64, 16)),
        ([0.0, 0.0, 0.0], 0.0, 0.0, rgb(0, 0, 0)),
    ];
    for (c, cw, ww, want) in cases {
        assert_eq!(
            rgbww_to_rgb(c, cw, ww, range.0, range.1),
            want,
            "{c:?} {cw} {ww}"
        );
    }
    // The HA MQTT light test value: (255,128,64,32,16) at the default 153..=500 -> (255,136,74).
    assert_eq!(
        rgbww_to_rgb([255.0, 128.0, 64.0], 32.0, 16.0, 153, 500),
        rgb(255, 136, 74)
    );
}

#[test]
fn rgb_to_xy_and_hs_match_home_assistant() {
    assert_eq!(rgb_to_xy(rgb(0, 0, 0)), (0.0, 0.0));
    assert_eq!(rgb_to_xy(rgb(255, 255, 255)), (0.323, 0.329));
    assert_eq!(rgb_to_xy(rgb(0, 0, 255)), (0.136, 0.04));
    assert_eq!(rgb_to_xy(rgb(0, 255, 0)), (0.172, 0.747));
    assert_eq!(rgb_to_xy(rgb(255, 0, 0)), (0.701, 0.299));
    assert_eq!(rgb_to_xy(rgb(128, 0, 0)), (0.701, 0.299));
    assert_eq!(rgb_to_hs(rgb(0, 0, 255)), (240.0, 100.0));
    assert_eq!(rgb_to_hs(rgb(255, 255, 255)), (0.0, 0.0));
    assert_eq!(rgb_to_hs(rgb(0, 255, 0)), (120.0, 100.0));
}

#[test]
fn hex_round_trips_and_rejects_garbage() {
    assert_eq!(Rgb::from_hex("#0400FF"), Some(rgb(4, 0, 255)));
    assert_eq!(Rgb::from_hex("547cff"), Some(rgb(84, 124, 255)));
    assert_eq!(rgb(100, 200, 10).to_hex(), "#64C80A");
    for bad in ["", "#12345", "#1234567", "zzzzzz", "#ééé", "12,34,56"] {
        assert_eq!(Rgb::from_hex(bad), None, "{bad:?}");
    }
}
