//! The setup link (`src/share/`): a profile and its arrangement through `#setup=` and back,
//! its size for a 30-lamp house (it must stay a scannable QR code), the password rule,
//! hostile fragments, what accepting one does to the saved profiles, and the QR code.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::arrange::{Arrangement, ManualKind, SceneItem, Target};
use lampboard::lamp::palette::PRESETS;
use lampboard::lamp::LampId;
use lampboard::share::plan::{apply, free_name, match_for, Choice};
use lampboard::share::{base64url, decode, encode, fragment_data, link, qr};
use lampboard::store::settings::{Profile, SettingsFile};
use proptest::prelude::*;

const PAGE: &str = "https://lamps.example.net/lampboard/";
const T0: f64 = 1_796_000_000_000.0;

fn profile() -> Profile {
    Profile {
        id: "p0123456789abcdef".into(),
        name: "Home".into(),
        client_id: "lampboard-mine".into(),
        username: "alice".into(),
        password: Some("s3cret-pass".into()),
        remember_password: true,
        lamp_filters: vec!["smarthome/+/lamps/#".into(), "garden/lights/+".into()],
        zigbee2mqtt_base: "z2m".into(),
        wled: false,
        publish_qos: 2,
        ..Profile::with_url("wss://broker.example.net:8884/mqtt")
    }
}

/// Every lamp of lampsim's house (30 cards of every system), by its id as the app makes it.
fn house_ids() -> Vec<LampId> {
    let rooms = ["living", "kitchen", "bedroom", "office"];
    let mut ids: Vec<String> = (0..12)
        .map(|i| format!("smarthome/{}/lamps/lamp-{}", rooms[i % 4], i + 1))
        .collect();
    ids.extend((1..=6).map(|i| format!("homeassistant/light/lampsim/ha_lamp_{i}/config")));
    ids.extend(
        [
            "Kitchen Bulb",
            "Hall Bulb",
            "Dimmer#l1",
            "Dimmer#l2",
            "Downstairs",
        ]
        .map(|n| format!("zigbee2mqtt/{n}")),
    );
    ids.extend(
        [
            "cmnd/tasmota_49A3BC/POWER",
            "cmnd/tasmota_5C1D22/POWER1",
            "cmnd/tasmota_5C1D22/POWER2",
            "wled/strip-1",
            "shellies/shellyrgbw2-AB12CD/color/0",
            "shellies/shellybulb-33FF00/color/0",
            "shellyplusrgbwpm-a0b1c2/status/rgb:0",
        ]
        .map(str::to_owned),
    );
    assert_eq!(ids.len(), 30);
    ids.into_iter().map(LampId).collect()
}

/// A deterministic stand-in for randomness (colours, times).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// The 30-lamp house arranged in full, as a worst case: every lamp renamed and put in a
/// room, every room ordered by hand, the rooms ordered, a quarter favourites, some hidden,
/// two hand-set kinds, three scenes of ten lamps each with colours, over a month of edits,
/// every item at its own time.
fn house() -> Arrangement {
    house_with(false)
}

/// [`house`]; its scenes' colours are the app's preset colours (what a tap on a swatch
/// sets, the usual way a lamp gets its colour), or with `random_colours` any colour at all
/// (every scene lamp dragged on the wheel: the pessimistic case).
fn house_with(random_colours: bool) -> Arrangement {
    let names = [
        "Sofa lamp",
        "Reading light",
        "Ceiling",
        "Window strip",
        "Desk lamp",
        "Hall light",
        "Porch",
        "Bedside left",
        "Bedside right",
        "Cooker hood",
        "Dining pendant",
        "Shelf",
        "TV backlight",
        "Floor lamp",
        "Nightlight",
    ];
    let rooms = ["Living room", "Kitchen", "Bedroom", "Office", "Hall"];
    let ids = house_ids();
    let mut rng = Lcg(7);
    let mut at = || T0 + rng.next(30 * 86_400) as f64 * 1000.0 + 123.0;
    let mut a = Arrangement::default();
    for (k, id) in ids.iter().enumerate() {
        let name = format!(
            "{}{}",
            names[k % names.len()],
            if k < 15 { "" } else { " 2" }
        );
        assert!(a.rename(id, &name, "", at()));
        assert!(a.move_to_room(id, rooms[k % 5], "", at()));
        if k % 4 == 0 {
            a.set_favourite(id, true, at());
        }
        if k % 11 == 0 {
            a.set_hidden(id, true, at());
        }
    }
    a.set_kind(&ids[0], Some(ManualKind::Dimmable), at());
    a.set_kind(&ids[3], Some(ManualKind::White), at());
    for (r, room) in rooms.iter().enumerate() {
        let mut order: Vec<LampId> = ids
            .iter()
            .enumerate()
            .filter(|(k, _)| k % 5 == r)
            .map(|(_, id)| id.clone())
            .collect();
        order.reverse();
        a.set_lamp_order(&room.to_lowercase(), order, at());
    }
    a.set_room_order(
        ["hall", "kitchen", "living room", "bedroom", "office"]
            .map(str::to_owned)
            .to_vec(),
        at(),
    );
    a.set_collapsed("office", true, at());
    let mut pick = Lcg(11);
    for scene in ["Evening", "Movie night", "All bright"] {
        let items: Vec<SceneItem> = (0..10)
            .map(|i| SceneItem {
                lamp: ids[(i * 3 + pick.next(3) as usize) % 30].clone(),
                target: Target {
                    on: true,
                    brightness: Some(1 + pick.next(100) as u8),
                    color: Some(if random_colours {
                        [
                            pick.next(256) as u8,
                            pick.next(256) as u8,
                            pick.next(256) as u8,
                        ]
                    } else {
                        let c = PRESETS[pick.next(PRESETS.len() as u64) as usize].color;
                        [c.r, c.g, c.b]
                    }),
                    color_temp: None,
                },
            })
            .collect();
        a.add_scene(scene, items, at()).expect("a scene");
    }
    a
}

/// `a` with every stamp rounded down to whole seconds, as the link carries them.
fn in_seconds(mut a: Arrangement) -> Arrangement {
    let s = |ms: f64| (ms / 1000.0).floor() * 1000.0;
    for l in a.lamps.values_mut() {
        l.updated_at = s(l.updated_at);
    }
    for r in a.rooms.values_mut() {
        r.updated_at = s(r.updated_at);
    }
    for sc in a.scenes.values_mut() {
        sc.updated_at = s(sc.updated_at);
    }
    a.room_order.updated_at = s(a.room_order.updated_at);
    a
}

#[test]
fn a_profile_and_its_arrangement_come_back_whole_from_the_link() {
    let mut a = house();
    let first = a.live_scenes()[0].id.clone();
    assert!(a.delete_scene(&first, T0 + 40.0 * 86_400_000.0));
    let made = link(&format!("{PAGE}#old"), &profile(), &a, false);
    assert!(
        made.url.starts_with(&format!("{PAGE}#setup=")),
        "{}",
        made.url
    );
    assert!(!made.contains_password);
    let data = fragment_data(&made.url[PAGE.len()..]).expect("a setup fragment");
    let share = decode(data).expect("the link reads");

    let mut want = profile();
    want.client_id.clear();
    want.password = None;
    want.remember_password = false;
    assert_eq!(
        share.profile, want,
        "every field but the client id and password"
    );
    assert!(!share.has_password);
    assert_eq!(share.arrangement, in_seconds(a.clone()));
    // The tombstone travels, so a merge with an older copy does not bring the scene back.
    assert!(share.arrangement.scenes[&first].deleted);
    // Merging the shared copy into the sharer's own changes nothing: every item of the
    // sharer's is as new as the link's (stamps round down).
    let mut merged = a.clone();
    merged.merge(&share.arrangement);
    assert_eq!(merged, a);

    // A profile with nothing arranged and default fields makes a short link.
    let bare = Profile {
        id: "pabc".into(),
        ..Profile::with_url("ws://192.168.1.10:9001/mqtt")
    };
    let data = encode(&bare, &Arrangement::default(), false);
    assert!(data.len() < 120, "{} chars: {data}", data.len());
    let back = decode(&data).unwrap();
    assert_eq!(back.profile, bare);
    assert!(back.arrangement.is_empty());
}

#[test]
fn fields_added_to_a_profile_later_travel_under_their_own_names() {
    // A field this module does not list (the household sync's topic, say) still goes.
    let mut value = serde_json::to_value(profile()).unwrap();
    value["keep_alive_secs"] = 45.into();
    let p: Profile = serde_json::from_value(value).unwrap();
    let json = lampboard::share::link::compact_json(&p, &Arrangement::default(), false);
    assert!(json.contains("\"k\":45"), "{json}");
    assert!(
        !json.contains("client_id") && !json.contains("lampboard-mine"),
        "{json}"
    );
    assert_eq!(
        decode(&encode(&p, &Arrangement::default(), false))
            .unwrap()
            .profile
            .keep_alive_secs,
        45
    );
}

#[test]
fn the_password_is_in_the_link_only_when_ticked_and_then_the_link_says_so() {
    let p = profile();
    let a = house();
    let without = link(PAGE, &p, &a, false);
    assert!(!without.contains_password);
    let json = lampboard::share::link::compact_json(&p, &a, false);
    assert!(!json.contains("s3cret-pass"), "{json}");
    let read = decode(fragment_data(&without.url[PAGE.len()..]).unwrap()).unwrap();
    assert_eq!(read.profile.password, None);
    assert!(!read.has_password && !read.profile.remember_password);

    let with = link(PAGE, &p, &a, true);
    assert!(
        with.contains_password,
        "the panel says the link holds the password"
    );
    let read = decode(fragment_data(&with.url[PAGE.len()..]).unwrap()).unwrap();
    assert_eq!(read.profile.password.as_deref(), Some("s3cret-pass"));
    assert!(read.has_password);

    // Ticked, but the profile has no password: the link holds none and says none.
    let mut none = p.clone();
    none.password = None;
    assert!(!link(PAGE, &none, &a, true).contains_password);
}

#[test]
fn a_thirty_lamp_house_arranged_in_full_stays_a_scannable_qr_code() {
    let p = profile();
    let a = house();
    let stored = a.to_json().len();
    let compact = lampboard::share::link::compact_json(&p, &a, false).len();
    let made = link(PAGE, &p, &a, false);
    let code = qr::encode(&made.url).expect("fits a QR code");
    let worst = link(PAGE, &p, &house_with(true), false);
    let worst_code = qr::encode(&worst.url).expect("the pessimistic house fits too");
    eprintln!(
        "30-lamp house: stored arrangement {stored} B, compact link JSON {compact} B, \
         link {} B, QR version {} ({} modules, correction {}); with random scene colours: \
         link {} B, QR version {} ({} modules)",
        made.url.len(),
        code.version,
        code.width,
        if code.low_correction { "L" } else { "M" },
        worst.url.len(),
        worst_code.version,
        worst_code.width,
    );
    assert!(
        compact * 2 < stored,
        "short keys and the id table halve it at least"
    );
    assert!(
        made.url.len() <= 1_732,
        "the link is {} bytes: over version 30-L's 1,732",
        made.url.len()
    );
    assert!(
        code.version <= qr::SCANNABLE_VERSION,
        "version {}",
        code.version
    );
    assert!(worst_code.version <= 34, "version {}", worst_code.version);
    // A code past the comfortable size is drawn with words on what to do; one within it is not.
    assert_eq!(code.dense_hint(), None);
    assert_eq!(
        worst_code.dense_hint().is_some(),
        worst_code.version > qr::SCANNABLE_VERSION
    );
    // The bare profile (a new phone, nothing arranged yet) is a small code at M.
    let small = qr::encode(&link(PAGE, &p, &Arrangement::default(), false).url).unwrap();
    assert!(small.version <= 12 && !small.low_correction, "{small:?}");
}

fn err(data: &str) -> String {
    decode(data).expect_err("refused")
}

#[test]
fn hostile_or_broken_fragments_are_refused_in_words() {
    assert_eq!(fragment_data("#setup=abc"), Some("abc"));
    assert_eq!(fragment_data("setup=abc"), Some("abc"));
    assert_eq!(fragment_data("#lamps"), None);
    assert_eq!(fragment_data("#setupx=1"), None);
    assert!(err("").contains("empty"));
    assert!(
        err("abc$def").contains("character 4 is not base64url"),
        "{}",
        err("abc$def")
    );
    assert!(err("abcde").contains("length"));
    assert!(err(&"A".repeat(70_000)).contains("too long"));
    // A format from the future.
    assert!(err(&base64url::encode(&[2, 1, 2, 3])).contains("format 2"));
    // Not deflate at all.
    assert!(err(&base64url::encode(&[1, 0xff, 0xfe, 0x00])).contains("does not unpack"));
    // A deflate bomb: 2 MB of spaces packs into a few KB.
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 2 << 20], 9);
    let mut data = vec![1];
    data.extend(bomb);
    assert!(err(&base64url::encode(&data)).contains("more than 512 KB"));
    let pack = |json: &str| {
        let mut b = vec![1];
        b.extend(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6));
        base64url::encode(&b)
    };
    assert!(err(&pack("not json")).starts_with("The setup link is damaged"));
    assert!(err(&pack("[1,2]")).starts_with("The setup link is damaged"));
    let ok = r#"{"p":{"n":"X","u":"ws://h:1/mqtt"},"i":["a/b"],"t":5}"#;
    assert!(decode(&pack(ok)).is_ok());
    // An index past the id list.
    let e = err(&pack(
        r#"{"p":{"n":"X","u":"ws://h:1/mqtt"},"i":["a/b"],"r":[["k",[3],false,0]]}"#,
    ));
    assert!(e.contains("lamp number 3, but lists 1"), "{e}");
    let e = err(&pack(
        r#"{"p":{"n":"X","u":"ws://h:1/mqtt"},"i":["a/b"],"l":[["A",null,0,null,0],["B",null,0,null,0]]}"#,
    ));
    assert!(e.contains("arranges 2 lamps, but lists 1 ids"), "{e}");
    let e = err(&pack(
        r#"{"p":{"n":"X","u":"ws://h:1/mqtt"},"i":[],"s":[["s1","S",[[0,true,null,null,null]],false,0]]}"#,
    ));
    assert!(e.contains("lamp number 0"), "{e}");
    // A profile that would not save is refused with the drawer's own words.
    let e = err(&pack(r#"{"p":{"n":"X","u":"http://h/"}}"#));
    assert!(
        e.starts_with("The profile in the setup link cannot be used"),
        "{e}"
    );
    let e = err(&pack(
        r#"{"p":{"n":"X","u":"ws://h:1/mqtt","f":["a/#/b"]}}"#,
    ));
    assert!(e.contains("“#” must be the last level"), "{e}");
    let e = err(&pack(r#"{"p":{"n":"X","u":"ws://h:1/mqtt","q":"two"}}"#));
    assert!(
        e.starts_with("The profile in the setup link is damaged"),
        "{e}"
    );
    let e = err(&pack(r#"{"p":{"n":"X","u":"ws://h:1/mqtt","pw":5}}"#));
    assert!(e.contains("password is not text"), "{e}");
    // Names are cleaned as typed ones are; a strange profile id is replaced, not stored.
    let long = "n".repeat(500);
    let share = decode(&pack(&format!(
        r#"{{"p":{{"i":"../../x","n":"  {long} ","u":"ws://h:1/mqtt","client_id":"stolen"}},"i":["a"],"l":[["  Lamp   one ",null,2,null,1]]}}"#
    )))
    .unwrap();
    assert_eq!(share.profile.id, "", "a fresh id is made on accept");
    assert_eq!(share.profile.name.chars().count(), 80);
    assert_eq!(
        share.profile.client_id, "",
        "a link never sets the client id"
    );
    let lamp = &share.arrangement.lamps[&LampId("a".into())];
    assert_eq!(lamp.name.as_deref(), Some("Lamp one"));
    assert!(lamp.favourite && !lamp.hidden);
}

proptest! {
    #[test]
    fn no_text_makes_decode_panic(text in "\\PC{0,200}") {
        let _ = decode(&text);
    }

    #[test]
    fn no_packed_bytes_make_decode_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut data = vec![1];
        data.extend(&bytes);
        let _ = decode(&base64url::encode(&data));
        let mut packed = vec![1];
        packed.extend(miniz_oxide::deflate::compress_to_vec(&bytes, 6));
        let _ = decode(&base64url::encode(&packed));
    }

    #[test]
    fn base64url_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = base64url::encode(&bytes);
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        prop_assert_eq!(base64url::decode(&text).unwrap(), bytes);
    }
}

#[test]
fn base64url_matches_the_rfc_vectors() {
    for (plain, coded) in [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64url::encode(plain.as_bytes()), coded);
        assert_eq!(base64url::decode(coded).unwrap(), plain.as_bytes());
    }
    assert_eq!(base64url::encode(&[0xfb, 0xff]), "-_8");
    assert_eq!(base64url::decode("Zm8=").unwrap(), b"fo");
}

fn saved() -> SettingsFile {
    let mut home = Profile::with_url("ws://10.0.0.2:9001/mqtt");
    home.name = "Home".into();
    home.id = "p1".into();
    home.username = "alice".into();
    home.password = Some("kept".into());
    home.remember_password = true;
    let mut cabin = Profile::with_url("ws://cabin.lan:9001/mqtt");
    cabin.name = "Cabin".into();
    cabin.id = "p2".into();
    let mut file = SettingsFile::single(home);
    file.profiles.push(cabin);
    file
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("fresh{n}")
    }
}

#[test]
fn accepting_adds_a_profile_without_taking_a_name_or_id_in_use() {
    let mut file = saved();
    let mut incoming = Profile::with_url("ws://new.lan:9001/mqtt");
    incoming.name = "Home".into();
    incoming.id = "p9".into();
    assert!(match_for(&file, &incoming).is_none());
    let now = apply(&mut file, &incoming, &Choice::AddNew, ids()).unwrap();
    assert_eq!(now.name, "Home (2)");
    assert_eq!(
        now.id, "p9",
        "the sharer's id is kept when free (household sync uses it)"
    );
    assert_eq!(file.current().unwrap().name, "Home (2)");
    assert_eq!(file.profiles.len(), 3);
    assert_eq!(free_name(&file, "Home"), "Home (3)");

    // The same id again, added as new: a fresh id, the old profile untouched.
    let again = apply(&mut file, &incoming, &Choice::AddNew, ids()).unwrap();
    assert_eq!(again.id, "fresh1");
    assert_eq!(again.name, "Home (3)");
    assert_eq!(file.profiles.iter().filter(|p| p.id == "p9").count(), 1);
}

#[test]
fn accepting_replaces_the_profile_of_the_same_id_or_broker_keeping_its_name_id_and_password() {
    let mut file = saved();
    // Same broker (case and spaces aside), another id: that profile is the match.
    let mut incoming = Profile::with_url(" WS://10.0.0.2:9001/mqtt ");
    incoming.name = "Shared home".into();
    incoming.id = "pX".into();
    incoming.publish_qos = 0;
    incoming.username = "alice".into();
    assert_eq!(match_for(&file, &incoming).unwrap().name, "Home");
    let now = apply(&mut file, &incoming, &Choice::Replace("Home".into()), ids()).unwrap();
    assert_eq!((now.name.as_str(), now.id.as_str()), ("Home", "p1"));
    assert_eq!(now.publish_qos, 0, "the shared settings");
    assert_eq!(
        now.password.as_deref(),
        Some("kept"),
        "no password in the link: ours stays"
    );
    assert_eq!(file.profiles.len(), 2);
    // Same id wins over same broker.
    let mut by_id = Profile::with_url("ws://10.0.0.2:9001/mqtt");
    by_id.id = "p2".into();
    assert_eq!(match_for(&file, &by_id).unwrap().name, "Cabin");
    // A password in the link replaces ours.
    let mut with_pw = incoming.clone();
    with_pw.password = Some("new".into());
    let now = apply(&mut file, &with_pw, &Choice::Replace("Home".into()), ids()).unwrap();
    assert_eq!(now.password.as_deref(), Some("new"));
    // A profile deleted meanwhile is said in words.
    let e = apply(&mut file, &incoming, &Choice::Replace("Gone".into()), ids()).unwrap_err();
    assert!(e.contains("“Gone”"), "{e}");
}

#[test]
fn the_qr_code_holds_the_link_and_its_svg_draws_every_dark_module() {
    let text = link(PAGE, &profile(), &house(), false).url;
    let code = qr::encode(&text).unwrap();
    assert_eq!(code.width, 17 + 4 * code.version as usize);
    assert_eq!(code.dark.len(), code.width * code.width);
    // The three finder patterns: dark corners, a light ring, a dark centre.
    for (x, y) in [(0, 0), (code.width - 7, 0), (0, code.width - 7)] {
        assert!(code.is_dark(x, y) && code.is_dark(x + 6, y + 6));
        assert!(!code.is_dark(x + 1, y + 1) && code.is_dark(x + 3, y + 3));
    }
    // The path's runs cover exactly the dark modules.
    let path = code.path();
    let mut drawn = 0usize;
    for run in path.split('M').filter(|s| !s.is_empty()) {
        let h = run.split('h').nth(1).unwrap();
        drawn += h.split('v').next().unwrap().parse::<usize>().unwrap();
    }
    assert_eq!(drawn, code.dark.iter().filter(|d| **d).count());
    let svg = code.svg("Setup <code> & \"link\"");
    assert!(svg.contains(&format!("data-modules=\"{}\"", code.width)));
    assert!(svg.contains("aria-label=\"Setup &lt;code> &amp; &quot;link&quot;\""));
    let side = code.width + 2 * qr::QUIET_ZONE;
    assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
    // Past any QR code's capacity: a sentence, not a panic.
    let e = qr::encode(&"x".repeat(4_000)).unwrap_err();
    assert!(e.contains("too long for a QR code"), "{e}");
}
