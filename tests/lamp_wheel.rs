//! The lamp sheet's colour wheel and swatches as numbers (src/lamp/wheel.rs,
//! src/lamp/palette.rs): where a tap lands, what a key does, which swatch is marked, what
//! the favourites keep across a reload.

use lampboard::lamp::palette::{
    marked, marked_white, white_mireds, Favourites, MAX_FAVOURITES, PRESETS, WHITE_PRESETS,
};
use lampboard::lamp::wheel::{handle_at, hs_at, key_step, value_text, Hs};
use lampboard::lamp::Rgb;

fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    Rgb { r, g, b }
}

#[test]
fn a_tap_at_the_rim_picks_the_hue_of_its_direction_at_full_saturation() {
    // Radius 100: straight up is red, right is 90° (chartreuse), down 180° (cyan), left 270°.
    assert_eq!(hs_at(0.0, -100.0, 100.0), Hs::new(0.0, 100.0));
    assert_eq!(hs_at(100.0, 0.0, 100.0), Hs::new(90.0, 100.0));
    assert_eq!(hs_at(0.0, 100.0, 100.0), Hs::new(180.0, 100.0));
    assert_eq!(hs_at(-100.0, 0.0, 100.0), Hs::new(270.0, 100.0));
    assert_eq!(hs_at(0.0, 100.0, 100.0).color(), rgb(0, 255, 255));
    assert_eq!(hs_at(0.0, -100.0, 100.0).color(), rgb(255, 0, 0));
}

#[test]
fn distance_from_the_centre_is_saturation_and_beyond_the_rim_is_the_rim() {
    let half = hs_at(0.0, 50.0, 100.0);
    assert_eq!(half, Hs::new(180.0, 50.0));
    assert_eq!(half.color(), rgb(128, 255, 255));
    assert_eq!(hs_at(300.0, 0.0, 100.0), Hs::new(90.0, 100.0));
    assert_eq!(hs_at(0.0, 0.0, 100.0).color(), rgb(255, 255, 255));
    // Nothing a browser reports puts the value off the wheel.
    assert_eq!(hs_at(f64::NAN, 3.0, 100.0), Hs::new(0.0, 0.0));
    assert_eq!(hs_at(3.0, 3.0, 0.0), Hs::new(0.0, 0.0));
}

#[test]
fn the_handle_sits_where_a_tap_would_pick_the_same_colour() {
    for &(hue, sat) in &[(0.0, 100.0), (37.5, 80.0), (200.0, 30.0), (359.0, 10.0)] {
        let (x, y) = handle_at(Hs::new(hue, sat), 120.0);
        let back = hs_at(x, y, 120.0);
        assert!((back.hue - hue).abs() < 0.11, "{hue} -> {back:?}");
        assert!((back.sat - sat).abs() < 0.11, "{sat} -> {back:?}");
    }
    let (x, y) = handle_at(Hs::new(90.0, 50.0), 100.0);
    assert!((x - 50.0).abs() < 1e-9 && y.abs() < 1e-9, "({x}, {y})");
}

#[test]
fn arrow_keys_step_hue_and_saturation_and_wrap_round_the_wheel() {
    let at = Hs::new(355.0, 50.0);
    assert_eq!(key_step(at, "ArrowRight", false), Some(Hs::new(0.0, 50.0)));
    assert_eq!(key_step(at, "ArrowLeft", false), Some(Hs::new(350.0, 50.0)));
    assert_eq!(key_step(at, "ArrowUp", false), Some(Hs::new(355.0, 55.0)));
    assert_eq!(key_step(at, "ArrowDown", true), Some(Hs::new(355.0, 30.0)));
    assert_eq!(key_step(at, "PageUp", false), Some(Hs::new(25.0, 50.0)));
    assert_eq!(key_step(at, "Home", false), Some(Hs::new(355.0, 0.0)));
    assert_eq!(key_step(at, "End", false), Some(Hs::new(355.0, 100.0)));
    assert_eq!(
        key_step(Hs::new(10.0, 98.0), "ArrowUp", false),
        Some(Hs::new(10.0, 100.0)),
        "saturation stops at the rim"
    );
    assert_eq!(
        key_step(at, "Tab", false),
        None,
        "Tab still leaves the wheel"
    );
    assert_eq!(key_step(at, "a", false), None);
}

#[test]
fn the_wheel_reads_a_lamps_colour_back_and_says_it_in_words() {
    let orange = Hs::of(rgb(255, 128, 0));
    assert!((orange.hue - 30.1).abs() < 0.1, "{orange:?}");
    assert_eq!(orange.sat, 100.0);
    assert_eq!(orange.color(), rgb(255, 128, 0));
    assert_eq!(value_text(orange), "Orange, hue 30°, saturation 100 %");
    assert!(value_text(Hs::new(200.0, 3.0)).starts_with("White"));
}

#[test]
fn the_current_colour_marks_the_nearest_swatch_within_tolerance_only() {
    let colors: Vec<Rgb> = PRESETS.iter().map(|p| p.color).collect();
    // Red sent as xy comes back a little off: still Red.
    assert_eq!(marked(Some(rgb(253, 50, 45)), &colors), Some(2));
    assert_eq!(PRESETS[2].name, "Red");
    assert_eq!(marked(Some(rgb(0, 255, 255)), &colors), Some(6));
    // Between swatches: none marked rather than a wrong one; unknown: none.
    assert_eq!(marked(Some(rgb(128, 128, 128)), &colors), None);
    assert_eq!(marked(None, &colors), None);
}

#[test]
fn favourites_keep_no_duplicates_drop_the_oldest_when_full_and_survive_storage() {
    let mut f = Favourites::default();
    assert!(f.add(rgb(255, 0, 0)));
    assert!(
        !f.add(rgb(250, 3, 2)),
        "the same colour twice is one favourite"
    );
    assert!(f.add(rgb(0, 0, 255)));
    let stored = f.to_storage();
    assert_eq!(stored, "ff0000,0000ff");
    assert_eq!(Favourites::from_storage(&stored), f);
    // A damaged stored value loses only the damaged entries.
    let read = Favourites::from_storage("ff0000, nonsense,,00FF00,#0000ff");
    assert_eq!(
        read.colors(),
        &[rgb(255, 0, 0), rgb(0, 255, 0), rgb(0, 0, 255)]
    );
    assert!(f.remove(rgb(254, 1, 1)));
    assert_eq!(f.colors(), &[rgb(0, 0, 255)]);
    assert!(!f.remove(rgb(0, 255, 0)));

    let mut full = Favourites::default();
    for i in 0..=MAX_FAVOURITES as u8 {
        full.add(rgb(i * 20, 0, 0));
    }
    assert_eq!(full.colors().len(), MAX_FAVOURITES);
    assert_eq!(full.colors()[0], rgb(20, 0, 0), "the oldest went");
}

#[test]
fn white_presets_fit_the_lamps_range_and_mark_the_current_white() {
    let wide = (153, 500);
    let sent: Vec<u16> = WHITE_PRESETS
        .iter()
        .map(|p| white_mireds(*p, wide))
        .collect();
    assert_eq!(sent, [370, 250, 153]);
    // A lamp that stops at 2500 K (400 mireds) and 5000 K (200): clamped, not refused.
    let narrow = (200, 400);
    let sent: Vec<u16> = WHITE_PRESETS
        .iter()
        .map(|p| white_mireds(*p, narrow))
        .collect();
    assert_eq!(sent, [370, 250, 200]);
    assert_eq!(marked_white(Some(370), wide), Some(0));
    assert_eq!(marked_white(Some(255), wide), Some(1));
    assert_eq!(marked_white(Some(300), wide), None);
    assert_eq!(marked_white(None, wide), None);
}
