//! Natural sort, room display names and the search rule (`src/arrange/{names,search}.rs`).
#![cfg(not(target_arch = "wasm32"))]

use std::cmp::Ordering;

use lampboard::arrange::{matches, natural_cmp, room_display_name, room_key};

fn sorted(mut names: Vec<&str>) -> Vec<&str> {
    names.sort_by(|a, b| natural_cmp(a, b));
    names
}

#[test]
fn numbers_sort_by_value_and_letters_without_case() {
    assert_eq!(
        sorted(vec!["lamp-10", "lamp-5", "Lamp-100", "lamp-1", "lamp-05b"]),
        ["lamp-1", "lamp-5", "lamp-05b", "lamp-10", "Lamp-100"]
    );
    assert_eq!(
        sorted(vec!["Zebra", "apple", "Mango"]),
        ["apple", "Mango", "Zebra"]
    );
    assert!(natural_cmp("lamp 2", "lamp-2").is_ne(), "total order");
    assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
    assert_eq!(natural_cmp("a", "a1"), Ordering::Less);
    assert_eq!(natural_cmp("x9", "x10"), Ordering::Less);
    // Runs longer than any integer compare by value too.
    assert_eq!(
        natural_cmp("n123456789012345678901234567890", "n99"),
        Ordering::Greater
    );
    assert!(natural_cmp("n007", "n7").is_ne());
    assert_eq!(sorted(vec!["n7", "n8", "n007"])[2], "n8");
}

#[test]
fn room_names_from_topics_get_spaces_and_keep_their_case() {
    assert_eq!(room_display_name("guest-bedroom"), "guest bedroom");
    assert_eq!(
        room_display_name("Upstairs-Guest-Bedroom-With-Ensuite"),
        "Upstairs Guest Bedroom With Ensuite"
    );
    assert_eq!(room_display_name("living_room"), "living room");
    assert_eq!(room_display_name("  Hall -- 2 "), "Hall 2");
    assert_eq!(room_display_name("Living room"), "Living room");
    // One room whatever the spelling.
    assert_eq!(room_key("living-room"), room_key("Living Room"));
    assert_ne!(room_key("living"), room_key("living room"));
}

#[test]
fn search_finds_every_word_in_name_room_or_system() {
    let hit = |q: &str| matches(q, "Ceiling", "Kitchen", "Zigbee2MQTT");
    assert!(hit(""));
    assert!(hit("ceil"));
    assert!(hit("KITCHEN"));
    assert!(hit("kitchen ceiling"));
    assert!(hit("zigbee kit"));
    assert!(!hit("kitchen lamp"));
    assert!(!hit("bedroom"));
    assert!(matches("guest room", "Bedside", "guest-room", "MQTT"));
    assert!(matches(
        "home assistant",
        "Porch",
        "Outside",
        "Home Assistant"
    ));
}
