//! The arrangement: edits with stamps, layout of favourites/rooms/hidden, reordering, storage
//! that tolerates damage and unknown fields, and per-item last-writer-wins merges
//! (`src/arrange/{mod,order}.rs`).
#![cfg(not(target_arch = "wasm32"))]

use lampboard::arrange::order::{dropped_before, moved};
use lampboard::arrange::{layout, Arrangement, LampInfo, ManualKind, ARRANGEMENT_FORMAT};
use lampboard::lamp::{Capabilities, LampId};

fn id(s: &str) -> LampId {
    LampId(s.to_owned())
}

fn info(i: &str, name: &str, room: &str) -> LampInfo {
    LampInfo {
        id: id(i),
        name: name.to_owned(),
        room: room.to_owned(),
    }
}

fn house() -> Vec<LampInfo> {
    vec![
        info("k10", "lamp-10", "kitchen"),
        info("k5", "lamp-5", "kitchen"),
        info("k2", "Island", "Kitchen"),
        info("g1", "Bedside", "guest-bedroom"),
        info("h1", "Entry", "hall"),
    ]
}

fn ids(list: &[LampId]) -> Vec<&str> {
    list.iter().map(LampId::as_str).collect()
}

#[test]
fn by_default_rooms_and_lamps_are_in_natural_order_with_spaced_room_names() {
    let l = layout(&house(), &Arrangement::default());
    let rooms: Vec<(&str, Vec<&str>)> = l
        .rooms
        .iter()
        .map(|r| (r.name.as_str(), ids(&r.lamps)))
        .collect();
    assert_eq!(
        rooms,
        [
            ("guest bedroom", vec!["g1"]),
            ("hall", vec!["h1"]),
            // "kitchen" and "Kitchen" are one room, headed by the capitalised spelling.
            ("Kitchen", vec!["k2", "k5", "k10"]),
        ]
    );
    assert!(l.favourites.is_empty() && l.hidden.is_empty());
    // The order does not depend on the order lamps arrived in.
    let mut reversed = house();
    reversed.reverse();
    assert_eq!(layout(&reversed, &Arrangement::default()), l);
}

#[test]
fn rename_move_hide_and_favourite_change_the_layout_and_stamp_the_lamp() {
    let mut a = Arrangement::default();
    assert!(a.rename(&id("k5"), "  Over   the sink ", "lamp-5", 100.0));
    assert_eq!(
        a.lamp(&id("k5")).unwrap().name.as_deref(),
        Some("Over the sink")
    );
    assert_eq!(a.lamp(&id("k5")).unwrap().updated_at, 100.0);
    // The same again changes nothing and keeps the stamp.
    assert!(!a.rename(&id("k5"), "Over the sink", "lamp-5", 200.0));
    assert_eq!(a.lamp(&id("k5")).unwrap().updated_at, 100.0);
    assert!(a.move_to_room(&id("h1"), "Guest Bedroom", "hall", 300.0));
    assert!(a.set_hidden(&id("k10"), true, 400.0));
    assert!(a.set_favourite(&id("k2"), true, 500.0));
    assert!(a.set_favourite(&id("g1"), true, 500.0));
    let l = layout(&house(), &a);
    let rooms: Vec<(&str, Vec<&str>)> = l
        .rooms
        .iter()
        .map(|r| (r.name.as_str(), ids(&r.lamps)))
        .collect();
    assert_eq!(
        rooms,
        [
            ("Guest Bedroom", vec!["g1", "h1"]),
            ("Kitchen", vec!["k2", "k5"]),
        ]
    );
    assert_eq!(ids(&l.hidden), ["k10"]);
    assert_eq!(ids(&l.favourites), ["g1", "k2"], "Bedside before Island");
    // A hidden favourite is only in the hidden list.
    a.set_hidden(&id("k2"), true, 600.0);
    assert_eq!(ids(&layout(&house(), &a).favourites), ["g1"]);
    // Back to the system's name and room: an empty name, or the original.
    assert!(a.rename(&id("k5"), "   ", "lamp-5", 700.0));
    assert_eq!(a.lamp(&id("k5")).unwrap().name, None);
    a.rename(&id("k5"), "lamp-5", "lamp-5", 800.0);
    assert_eq!(a.lamp(&id("k5")).unwrap().name, None);
    assert!(a.move_to_room(&id("h1"), "Hall", "hall", 900.0));
    assert_eq!(a.lamp(&id("h1")).unwrap().room, None);
}

#[test]
fn a_stamp_never_goes_back_even_when_the_clock_does() {
    let mut a = Arrangement::default();
    a.set_favourite(&id("k5"), true, 1000.0);
    a.set_favourite(&id("k5"), false, 10.0);
    assert_eq!(a.lamp(&id("k5")).unwrap().updated_at, 1001.0);
}

#[test]
fn long_names_are_cut_and_blank_scene_names_refused() {
    let mut a = Arrangement::default();
    a.rename(&id("k5"), &"x".repeat(500), "lamp-5", 1.0);
    assert_eq!(
        a.lamp(&id("k5"))
            .unwrap()
            .name
            .as_ref()
            .unwrap()
            .chars()
            .count(),
        80
    );
    assert_eq!(
        a.add_scene(" ", vec![], 1.0).unwrap_err(),
        "Give the scene a name"
    );
}

#[test]
fn reordering_lamps_and_rooms_moves_one_place_or_drops_before() {
    let order = vec!["a", "b", "c"];
    assert_eq!(moved(&order, &"b", -1).unwrap(), ["b", "a", "c"]);
    assert_eq!(moved(&order, &"b", 1).unwrap(), ["a", "c", "b"]);
    assert_eq!(moved(&order, &"a", -1), None);
    assert_eq!(moved(&order, &"c", 1), None);
    assert_eq!(moved(&order, &"z", 1), None);
    assert_eq!(
        dropped_before(&order, &"c", Some(&"a")).unwrap(),
        ["c", "a", "b"]
    );
    assert_eq!(dropped_before(&order, &"a", None).unwrap(), ["b", "c", "a"]);
    assert_eq!(
        dropped_before(&order, &"a", Some(&"b")),
        None,
        "already there"
    );

    let mut a = Arrangement::default();
    let l = layout(&house(), &a);
    let kitchen = &l.rooms[2];
    let new = moved(&kitchen.lamps, &id("k10"), -2).unwrap();
    assert!(a.set_lamp_order(&kitchen.key, new, 10.0));
    let keys: Vec<String> = l.rooms.iter().map(|r| r.key.clone()).collect();
    assert!(a.set_room_order(moved(&keys, &"kitchen".to_owned(), -2).unwrap(), 11.0));
    let l = layout(&house(), &a);
    assert_eq!(l.rooms[0].name, "Kitchen");
    assert_eq!(ids(&l.rooms[0].lamps), ["k10", "k2", "k5"]);
    assert_eq!(l.rooms[1].name, "guest bedroom");
    // A lamp that arrives later goes after the ones the user ordered.
    let mut more = house();
    more.push(info("k1", "lamp-1", "kitchen"));
    assert_eq!(
        ids(&layout(&more, &a).rooms[0].lamps),
        ["k10", "k2", "k5", "k1"]
    );
}

#[test]
fn a_hand_set_kind_replaces_the_learned_controls() {
    let mut caps = Capabilities {
        brightness: true,
        color: true,
        effects: vec!["blink".into()],
        ..Capabilities::default()
    };
    ManualKind::White.apply(&mut caps);
    assert!(caps.brightness && !caps.color && caps.color_temp);
    assert_eq!(caps.effects, ["blink"]);
    ManualKind::OnOff.apply(&mut caps);
    assert!(!caps.brightness && !caps.color && !caps.color_temp);
    for k in ManualKind::ALL {
        assert_eq!(ManualKind::from_key(k.key()), Some(k));
    }
    assert_eq!(ManualKind::from_key("auto"), None);
}

#[test]
fn storage_round_trips_keeps_unknown_fields_and_skips_only_damaged_entries() {
    let mut a = Arrangement::default();
    a.rename(&id("smarthome/kitchen/lamps/a"), "Sink", "a", 5.0);
    a.set_kind(
        &id("smarthome/kitchen/lamps/a"),
        Some(ManualKind::Dimmable),
        6.0,
    );
    a.set_collapsed("kitchen", true, 7.0);
    a.set_room_order(vec!["kitchen".into(), "hall".into()], 8.0);
    let back = Arrangement::from_json(&a.to_json()).unwrap();
    assert!(back.skipped.is_empty(), "{:?}", back.skipped);
    assert_eq!(back.arrangement, a);
    assert!(back.arrangement.is_collapsed("kitchen"));

    let text = r#"{
        "lampboard_arrangement": 7,
        "synced_with": "broker",
        "lamps": {
            "x": {"name": "Good", "updated_at": 3, "glow": "soft"},
            "y": {"name": 42},
            "z": {"hidden": true}
        },
        "rooms": "nonsense",
        "scenes": {"s1": {"name": "Evening", "items": [{"lamp": "x", "target": {"on": true, "brightness": 40}}], "updated_at": 9}}
    }"#;
    let loaded = Arrangement::from_json(text).unwrap();
    let b = &loaded.arrangement;
    assert_eq!(b.lamp(&id("x")).unwrap().name.as_deref(), Some("Good"));
    assert!(b.lamp(&id("z")).unwrap().hidden);
    assert!(b.lamp(&id("y")).is_none());
    assert_eq!(loaded.skipped.len(), 2, "{:?}", loaded.skipped);
    assert!(
        loaded.skipped[0].starts_with("Lamp “y”"),
        "{:?}",
        loaded.skipped
    );
    assert!(
        loaded.skipped[1].starts_with("Rooms: not a list"),
        "{:?}",
        loaded.skipped
    );
    assert_eq!(b.live_scenes()[0].name, "Evening");
    assert_eq!(b.live_scenes()[0].id, "s1");
    // Unknown fields survive a save, at the top and inside an entry.
    let saved = b.to_json();
    assert!(saved.contains(r#""synced_with":"broker""#), "{saved}");
    assert!(saved.contains(r#""glow":"soft""#), "{saved}");
    assert!(saved.contains(&format!(r#""lampboard_arrangement":{ARRANGEMENT_FORMAT}"#)));

    assert!(Arrangement::from_json("{oops")
        .unwrap_err()
        .starts_with("The arrangement is not JSON"));
    assert_eq!(
        Arrangement::from_json("[1]").unwrap_err(),
        "The arrangement is not a JSON object"
    );
}

#[test]
fn merging_keeps_the_newer_of_each_item_and_converges() {
    let mut phone = Arrangement::default();
    let mut desk = Arrangement::default();
    phone.rename(&id("a"), "Phone name", "a", 10.0);
    desk.rename(&id("a"), "Desk name", "a", 20.0);
    desk.set_hidden(&id("b"), true, 5.0);
    assert!(
        !phone.set_hidden(&id("b"), false, 4.0),
        "already shown: no change"
    );
    assert!(phone.lamp(&id("b")).is_none(), "and no empty entry left");
    phone.set_hidden(&id("b"), true, 5.5);
    phone.set_hidden(&id("b"), false, 6.0);
    phone.set_favourite(&id("c"), true, 1.0);
    let sid = phone
        .add_scene(
            "Evening",
            vec![lampboard::arrange::SceneItem::default()],
            30.0,
        )
        .unwrap();
    desk.merge(&phone);
    assert!(desk.delete_scene(&sid, 40.0));
    phone.set_room_order(vec!["hall".into()], 50.0);

    let mut one = phone.clone();
    one.merge(&desk);
    let mut two = desk.clone();
    two.merge(&phone);
    assert_eq!(one, two, "both sides converge");
    assert_eq!(
        one.lamp(&id("a")).unwrap().name.as_deref(),
        Some("Desk name")
    );
    assert!(!one.lamp(&id("b")).unwrap().hidden, "the later show wins");
    assert!(one.lamp(&id("c")).unwrap().favourite);
    assert!(
        one.live_scenes().is_empty(),
        "the deletion is newer than the scene"
    );
    assert_eq!(one.room_order.keys, ["hall"]);
    let again = one.clone();
    one.merge(&again);
    assert_eq!(one, again, "idempotent");
}

mod rooms {
    use lampboard::arrange::rooms::{
        brightness_plan, on_count, on_text, room_level, switch_plan, Member,
    };
    use lampboard::lamp::{LampChange, LampId};

    fn m(id: &str, on: Option<bool>, brightness: Option<f32>, dimmable: bool) -> Member {
        Member {
            id: LampId(id.to_owned()),
            on,
            brightness,
            dimmable,
            available: true,
        }
    }

    #[test]
    fn the_header_counts_lamps_on_and_the_switch_skips_lamps_already_there() {
        let mut room = vec![
            m("a", Some(true), Some(80.0), true),
            m("b", Some(false), Some(50.0), true),
            m("c", None, None, false),
            m("d", Some(true), Some(40.0), true),
        ];
        assert_eq!(on_count(&room), (2, 4));
        assert_eq!(on_text(&room), "2 of 4 on");
        assert_eq!(on_text(&room[..1]), "on");
        assert_eq!(on_text(&room[1..2]), "off");
        assert_eq!(on_text(&[]), "no lamps");
        let off: Vec<String> = switch_plan(&room, false)
            .into_iter()
            .map(|(id, _)| id.0)
            .collect();
        assert_eq!(off, ["a", "c", "d"], "b is off already; c is unknown");
        room[3].available = false;
        let on: Vec<(String, Vec<LampChange>)> = switch_plan(&room, true)
            .into_iter()
            .map(|(id, c)| (id.0, c))
            .collect();
        assert_eq!(
            on,
            [
                ("b".to_owned(), vec![LampChange::On(true)]),
                ("c".to_owned(), vec![LampChange::On(true)])
            ]
        );
    }

    #[test]
    fn the_room_slider_scales_lamps_that_are_on_or_turns_all_on_at_its_value() {
        let room = vec![
            m("ceiling", Some(true), Some(80.0), true),
            m("reading", Some(true), Some(40.0), true),
            m("off", Some(false), Some(90.0), true),
            m("switch", Some(true), None, false),
        ];
        assert_eq!(room_level(&room), Some(80));
        let plan = brightness_plan(&room, 40);
        assert_eq!(
            plan,
            [
                (LampId("ceiling".into()), vec![LampChange::Brightness(40)]),
                (LampId("reading".into()), vec![LampChange::Brightness(20)]),
            ]
        );
        // Scaling up never passes 100 % nor drops below 1 %.
        let plan = brightness_plan(&room, 100);
        assert_eq!(plan[0].1, [LampChange::Brightness(100)]);
        assert_eq!(plan[1].1, [LampChange::Brightness(50)]);
        let tiny = brightness_plan(&room, 1);
        assert_eq!(tiny[1].1, [LampChange::Brightness(1)]);
        // A dark room: every dimmable lamp turns on at the slider's value.
        let dark = vec![
            m("a", Some(false), Some(10.0), true),
            m("b", None, None, false),
        ];
        assert_eq!(room_level(&dark), None);
        assert_eq!(
            brightness_plan(&dark, 30),
            [(
                LampId("a".into()),
                vec![LampChange::On(true), LampChange::Brightness(30)]
            )]
        );
    }
}
