//! Household sync (issue 16, item 4), the pure part (`src/arrange/sync.rs`): the document's
//! envelope and checks, the merge of concurrent edits from two devices, and the protocol on
//! simulated time against a tiny retained-message broker.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::arrange::scenes::{SceneItem, Target};
use lampboard::arrange::sync::{
    decode, encode, status_text, Received, Refusal, SyncSession, SyncStatus, DEBOUNCE_MS,
    DEFAULT_SYNC_TOPIC, ECHO_WAIT_MS, LOOK_MS, MAX_SYNC_BYTES,
};
use lampboard::arrange::Arrangement;
use lampboard::lamp::LampId;
use lampboard::mqtt::session::PublishTicket;
use lampboard::store::settings::{check_sync_topic, Profile, SettingsFile};
use serde_json::{json, Map, Value};

const TOPIC: &str = "lampboard/arrangement";

fn id(s: &str) -> LampId {
    LampId(s.to_owned())
}

fn item(lamp: &str) -> SceneItem {
    SceneItem {
        lamp: id(lamp),
        target: Target {
            on: true,
            brightness: Some(40),
            ..Target::default()
        },
    }
}

/// One browser: its sync session and its arrangement.
struct Device {
    sync: SyncSession,
    local: Arrangement,
}

impl Device {
    fn new() -> Self {
        let mut sync = SyncSession::new();
        sync.enable(TOPIC);
        Self {
            sync,
            local: Arrangement::default(),
        }
    }

    fn take(&mut self, payload: &[u8], now: f64) -> Received {
        let r = self.sync.received(payload, &self.local, now);
        if let Received::Merged(a) = &r {
            self.local = a.clone();
        }
        r
    }
}

/// A broker holding one retained message on the topic, delivering every kept publish to
/// every subscribed device (the writer included, as MQTT 3.1.1 does). `keeps_writes: false`
/// is Mosquitto with an ACL that refuses the write: it acknowledges and drops it.
struct Broker {
    retained: Option<Vec<u8>>,
    keeps_writes: bool,
    published: usize,
    next_ticket: u64,
}

impl Broker {
    fn new() -> Self {
        Self {
            retained: None,
            keeps_writes: true,
            published: 0,
            next_ticket: 0,
        }
    }

    /// A device subscribes: SUBACK, then the retained copy if any.
    fn subscribe(&self, d: &mut Device, now: f64) {
        d.sync.subscribing();
        d.sync.subscribed(true, now);
        if let Some(p) = self.retained.clone() {
            d.take(&p, now);
        }
    }

    /// Moves every device to `now`: what they publish is acknowledged and, when kept,
    /// retained and delivered to all.
    fn run(&mut self, devices: &mut [&mut Device], now: f64) {
        loop {
            let mut any = false;
            for i in 0..devices.len() {
                let local = devices[i].local.clone();
                if let Some(payload) = devices[i].sync.poll(now, &local) {
                    any = true;
                    self.published += 1;
                    self.next_ticket += 1;
                    let ticket = PublishTicket(self.next_ticket);
                    devices[i].sync.published(ticket);
                    assert!(devices[i].sync.delivered(ticket, now), "our own ticket");
                    if self.keeps_writes {
                        self.retained = Some(payload.clone());
                        for d in devices.iter_mut() {
                            d.take(&payload, now);
                        }
                    }
                }
            }
            if !any {
                return;
            }
        }
    }
}

/// Runs the devices for `ms` of simulated time in 100 ms steps.
fn run_for(broker: &mut Broker, devices: &mut [&mut Device], from: f64, ms: f64) -> f64 {
    let mut now = from;
    while now < from + ms {
        now += 100.0;
        broker.run(devices, now);
    }
    now
}

#[test]
fn concurrent_edits_of_different_lamps_on_two_devices_both_survive() {
    let mut broker = Broker::new();
    let (mut a, mut b) = (Device::new(), Device::new());
    // A arranged first and shares it.
    a.local
        .rename(&id("l/kitchen"), "Kitchen ceiling", "kitchen", 1_000.0);
    broker.subscribe(&mut a, 1_000.0);
    let now = run_for(&mut broker, &mut [&mut a], 1_000.0, LOOK_MS + 500.0);
    assert_eq!(
        broker.published, 1,
        "a device that saw no copy publishes its own"
    );
    assert!(
        matches!(a.sync.status(), SyncStatus::Synced(_)),
        "{:?}",
        a.sync.status()
    );
    // B joins and gets A's name.
    broker.subscribe(&mut b, now);
    assert_eq!(
        b.local
            .lamp(&id("l/kitchen"))
            .and_then(|l| l.name.clone())
            .as_deref(),
        Some("Kitchen ceiling")
    );
    let now = run_for(&mut broker, &mut [&mut a, &mut b], now, LOOK_MS + 500.0);
    assert_eq!(
        broker.published, 1,
        "B had nothing more: it publishes nothing"
    );
    // Both edit a different lamp within the same debounce window.
    a.local.rename(&id("l/desk"), "Desk", "desk", now + 10.0);
    a.sync.edited(now + 10.0);
    b.local
        .move_to_room(&id("l/porch"), "Garden", "outside", now + 20.0);
    b.local.set_favourite(&id("l/kitchen"), true, now + 20.0);
    b.sync.edited(now + 20.0);
    run_for(&mut broker, &mut [&mut a, &mut b], now, 5_000.0);
    assert_eq!(a.local, b.local, "both devices converge");
    let kept = decode(broker.retained.as_ref().unwrap()).unwrap().unwrap();
    assert_eq!(
        kept.doc.arrangement, a.local,
        "and the broker holds the same"
    );
    let lamps = &a.local.lamps;
    assert_eq!(lamps[&id("l/desk")].name.as_deref(), Some("Desk"));
    assert_eq!(lamps[&id("l/porch")].room.as_deref(), Some("Garden"));
    assert!(
        lamps[&id("l/kitchen")].favourite,
        "B's edit of A's lamp survives"
    );
    assert_eq!(
        lamps[&id("l/kitchen")].name.as_deref(),
        Some("Kitchen ceiling"),
        "B's item for the lamp carried A's name, which it had taken"
    );
}

#[test]
fn the_same_lamp_edited_on_both_goes_to_the_later_edit_on_both() {
    let mut a = Arrangement::default();
    let mut b = Arrangement::default();
    a.rename(&id("l/1"), "From A", "one", 5_000.0);
    b.rename(&id("l/1"), "From B", "one", 6_000.0);
    let (mut ab, mut ba) = (a.clone(), b.clone());
    ab.merge(&b);
    ba.merge(&a);
    assert_eq!(ab, ba);
    assert_eq!(ab.lamps[&id("l/1")].name.as_deref(), Some("From B"));
}

#[test]
fn scenes_merge_per_scene_and_a_deletion_is_not_brought_back() {
    let mut base = Arrangement::default();
    let evening = base
        .add_scene("Evening", vec![item("l/1"), item("l/2")], 1_000.0)
        .unwrap();
    let reading = base
        .add_scene("Reading", vec![item("l/3")], 1_001.0)
        .unwrap();
    let (mut a, mut b) = (base.clone(), base.clone());
    // A renames Evening while B deletes Reading and saves a new one.
    assert!(a.edit_scene(&evening, 2_000.0, |s| s.name = "Late evening".into()));
    assert!(b.delete_scene(&reading, 2_100.0));
    let party = b.add_scene("Party", vec![item("l/2")], 2_200.0).unwrap();
    let (mut ab, mut ba) = (a.clone(), b.clone());
    ab.merge(&b);
    ba.merge(&a);
    assert_eq!(ab, ba, "merging is commutative");
    let names: Vec<&str> = ab.live_scenes().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Late evening", "Party"]);
    assert!(ab.scenes[&reading].deleted, "the tombstone travels");
    // An old copy that still has Reading does not bring it back.
    ab.merge(&base);
    assert!(ab.scenes[&reading].deleted);
    assert!(ab.scenes.contains_key(&party));
    // Through the wire format too.
    let wire = decode(&encode(&ab, &Map::new()).unwrap()).unwrap().unwrap();
    assert_eq!(wire.doc.arrangement, ab);
    assert!(wire.skipped.is_empty(), "{:?}", wire.skipped);
}

#[test]
fn unknown_fields_survive_at_every_level_and_the_version_is_written() {
    let text = json!({
        "lampboard_sync": 1,
        "written_by": "Lampboard 9",
        "arrangement": {
            "lampboard_arrangement": 1,
            "layout_hint": "grid",
            "lamps": {"l/1": {"name": "One", "updated_at": 10.0, "icon": "bulb"}},
            "rooms": {"kitchen": {"order": ["l/1"], "updated_at": 11.0, "colour": "#fff"}},
            "scenes": {"s1": {"name": "S", "items": [], "updated_at": 12.0, "fade": 3}}
        }
    });
    let d = decode(text.to_string().as_bytes()).unwrap().unwrap();
    assert!(d.skipped.is_empty(), "{:?}", d.skipped);
    let again: Value =
        serde_json::from_slice(&encode(&d.doc.arrangement, &d.doc.extra).unwrap()).unwrap();
    assert_eq!(again["lampboard_sync"], 1);
    assert_eq!(again["written_by"], "Lampboard 9");
    assert_eq!(again["arrangement"]["layout_hint"], "grid");
    assert_eq!(again["arrangement"]["lamps"]["l/1"]["icon"], "bulb");
    assert_eq!(again["arrangement"]["rooms"]["kitchen"]["colour"], "#fff");
    assert_eq!(again["arrangement"]["scenes"]["s1"]["fade"], 3);
    // The session writes the envelope's unknown fields back when it publishes.
    let mut dev = Device::new();
    dev.sync.subscribing();
    dev.sync.subscribed(true, 0.0);
    dev.take(text.to_string().as_bytes(), 0.0);
    dev.local.rename(&id("l/2"), "Two", "two", 100.0);
    dev.sync.edited(100.0);
    // The look ends with this device's copy lacking on the broker: published at once.
    let out = dev.sync.poll(LOOK_MS, &dev.local.clone());
    let out: Value = serde_json::from_slice(&out.expect("published")).unwrap();
    assert_eq!(out["written_by"], "Lampboard 9");
    assert_eq!(out["arrangement"]["lamps"]["l/1"]["icon"], "bulb");
    assert_eq!(out["arrangement"]["lamps"]["l/2"]["name"], "Two");
}

#[test]
fn hostile_or_broken_documents_are_refused_in_words_and_never_panic() {
    let big = vec![b' '; MAX_SYNC_BYTES + 1];
    let many: Map<String, Value> = (0..2_001)
        .map(|i| (format!("l/{i}"), json!({"updated_at": 1.0})))
        .collect();
    let many = json!({"lampboard_sync": 1, "arrangement": {"lamps": many}}).to_string();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not JSON", b"hello".to_vec(), "not JSON"),
        ("not UTF-8", vec![0xff, 0xfe, 0x00], "not JSON"),
        ("an array", b"[1,2]".to_vec(), "not a JSON object"),
        ("deep nesting", deep.into_bytes(), "not JSON"),
        (
            "no marker",
            br#"{"arrangement":{}}"#.to_vec(),
            "no lampboard_sync marker",
        ),
        (
            "version 0",
            br#"{"lampboard_sync":0,"arrangement":{}}"#.to_vec(),
            "not a version",
        ),
        (
            "version text",
            br#"{"lampboard_sync":"1","arrangement":{}}"#.to_vec(),
            "not a version",
        ),
        (
            "version -1",
            br#"{"lampboard_sync":-1,"arrangement":{}}"#.to_vec(),
            "not a version",
        ),
        (
            "no arrangement",
            br#"{"lampboard_sync":1}"#.to_vec(),
            "holds no arrangement",
        ),
        (
            "arrangement array",
            br#"{"lampboard_sync":1,"arrangement":[]}"#.to_vec(),
            "not a JSON object",
        ),
        ("too big", big, "over the 256 KB limit"),
        (
            "too many lamps",
            many.into_bytes(),
            "2001 lamps, more than the 2000",
        ),
    ];
    for (what, payload, words) in cases {
        match decode(&payload) {
            Err(Refusal::Broken(why)) => assert!(why.contains(words), "{what}: {why}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    assert_eq!(
        decode(br#"{"lampboard_sync":2,"arrangement":{}}"#),
        Err(Refusal::Newer(2))
    );
    assert_eq!(
        decode(b""),
        Ok(None),
        "an empty retained message is no copy"
    );
}

#[test]
fn damaged_items_are_left_out_and_named_and_good_ones_kept() {
    let long = "x".repeat(500);
    let text = json!({
        "lampboard_sync": 1,
        "arrangement": {
            "lamps": {
                "l/good": {"name": "Good", "updated_at": 5.0},
                "l/long": {"name": long, "updated_at": 5.0},
                "l/ctl": {"name": "bad\u{7}name", "updated_at": 5.0},
                "l/future": {"name": "F", "updated_at": 1e300},
                "l/past": {"name": "P", "updated_at": -4.0},
                "l/type": {"name": 42},
                "": {"name": "no id", "updated_at": 1.0}
            },
            "rooms": {"big": {"order": (0..2_001).map(|i| format!("l/{i}")).collect::<Vec<_>>(), "updated_at": 1.0}},
            "room_order": {"keys": ["a\u{0}b"], "updated_at": 1.0},
            "scenes": {
                "s-ok": {"name": "Fine", "items": [{"lamp": "l/good", "target": {"on": true}}], "updated_at": 3.0},
                "s-bright": {"name": "Too bright", "items": [{"lamp": "l/good", "target": {"on": true, "brightness": 250}}], "updated_at": 3.0},
                "s-gone": {"name": "", "items": [], "deleted": true, "updated_at": 3.0}
            }
        }
    });
    let d = decode(text.to_string().as_bytes()).unwrap().unwrap();
    let a = &d.doc.arrangement;
    assert_eq!(
        a.lamps.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
        ["l/good"]
    );
    assert!(a.rooms.is_empty());
    assert!(a.room_order.keys.is_empty());
    assert_eq!(
        a.scenes.keys().map(String::as_str).collect::<Vec<_>>(),
        ["s-gone", "s-ok"],
        "a tombstone needs no name"
    );
    assert_eq!(d.skipped.len(), 9, "{:#?}", d.skipped);
    for words in [
        "Lamp “l/long”: its name",
        "Lamp “l/ctl”: its name",
        "Lamp “l/future”: its time stamp",
        "Lamp “l/past”: its time stamp",
        "Lamp “l/type”",
        "Room “big”: its lamp order",
        "The room order",
        "Scene “s-bright”",
    ] {
        assert!(
            d.skipped.iter().any(|s| s.contains(words)),
            "{words}: {:#?}",
            d.skipped
        );
    }
    // The session says so in the status, and keeps the good part.
    let mut dev = Device::new();
    dev.sync.subscribing();
    dev.sync.subscribed(true, 0.0);
    assert!(matches!(
        dev.take(text.to_string().as_bytes(), 0.0),
        Received::Merged(_)
    ));
    assert_eq!(dev.local.lamps[&id("l/good")].name.as_deref(), Some("Good"));
    match dev.sync.status() {
        SyncStatus::Problem(p) => assert!(
            p.starts_with("Part of the household copy on lampboard/arrangement was left out: "),
            "{p}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_document_changes_nothing_here_and_is_replaced_by_this_devices_copy() {
    let mut dev = Device::new();
    dev.local.rename(&id("l/1"), "Mine", "one", 10.0);
    let before = dev.local.clone();
    dev.sync.subscribing();
    dev.sync.subscribed(true, 0.0);
    match dev.take(b"{\"lampboard_sync\":1,\"arrangement\":\"oops\"}", 0.0) {
        Received::Refused(w) => assert_eq!(
            w,
            "Refused the household copy on lampboard/arrangement: its arrangement is not a JSON object"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(dev.local, before);
    assert!(matches!(dev.sync.status(), SyncStatus::Problem(p) if p.contains("not a JSON object")));
    let out = dev
        .sync
        .poll(LOOK_MS, &before)
        .expect("our copy repairs the topic");
    assert_eq!(decode(&out).unwrap().unwrap().doc.arrangement, before);
    // Our copy came back: synced, the problem is over.
    dev.sync.published(PublishTicket(1));
    dev.sync.delivered(PublishTicket(1), LOOK_MS);
    dev.take(&out, LOOK_MS + 50.0);
    assert_eq!(dev.sync.status(), SyncStatus::Synced(LOOK_MS + 50.0));
}

#[test]
fn a_copy_from_a_newer_lampboard_is_never_written_over() {
    let mut dev = Device::new();
    dev.local.rename(&id("l/1"), "Mine", "one", 10.0);
    dev.sync.subscribing();
    dev.sync.subscribed(true, 0.0);
    let r = dev.take(br#"{"lampboard_sync":3,"arrangement":{}}"#, 0.0);
    assert!(
        matches!(&r, Received::Refused(w) if w.contains("newer Lampboard (sync format 3)")),
        "{r:?}"
    );
    dev.sync.edited(100.0);
    for t in 1..100 {
        assert_eq!(
            dev.sync.poll(f64::from(t) * 100.0, &dev.local.clone()),
            None
        );
    }
    assert!(matches!(dev.sync.status(), SyncStatus::Problem(p) if p.contains("update this one")));
    // Once a readable copy is there again (the topic cleared), sharing resumes.
    dev.take(b"", 10_000.0);
    assert!(dev
        .sync
        .poll(10_000.0 + DEBOUNCE_MS, &dev.local.clone())
        .is_some());
}

#[test]
fn edits_are_debounced_into_one_publish_and_nothing_empty_is_published() {
    let mut broker = Broker::new();
    let mut dev = Device::new();
    broker.subscribe(&mut dev, 0.0);
    let now = run_for(&mut broker, &mut [&mut dev], 0.0, LOOK_MS + 1_000.0);
    assert_eq!(broker.published, 0, "an empty arrangement is not published");
    assert_eq!(dev.sync.status(), SyncStatus::Empty);
    for i in 0..10 {
        let t = now + f64::from(i) * 50.0;
        dev.local.rename(&id("l/1"), &format!("Name {i}"), "one", t);
        dev.sync.edited(t);
        broker.run(&mut [&mut dev], t);
    }
    assert_eq!(broker.published, 0, "nothing before the debounce");
    run_for(
        &mut broker,
        &mut [&mut dev],
        now + 500.0,
        DEBOUNCE_MS + 500.0,
    );
    assert_eq!(broker.published, 1, "ten edits, one message");
    let kept = decode(broker.retained.as_ref().unwrap()).unwrap().unwrap();
    assert_eq!(
        kept.doc.arrangement.lamps[&id("l/1")].name.as_deref(),
        Some("Name 9")
    );
    assert!(matches!(dev.sync.status(), SyncStatus::Synced(_)));
}

#[test]
fn a_write_the_broker_does_not_keep_is_reported_naming_the_topic() {
    let mut broker = Broker::new();
    broker.keeps_writes = false;
    let mut dev = Device::new();
    dev.local.rename(&id("l/1"), "Mine", "one", 10.0);
    broker.subscribe(&mut dev, 0.0);
    let now = run_for(&mut broker, &mut [&mut dev], 0.0, LOOK_MS + 200.0);
    assert_eq!(broker.published, 1);
    assert_eq!(dev.sync.status(), SyncStatus::Sharing);
    run_for(&mut broker, &mut [&mut dev], now, ECHO_WAIT_MS - 500.0);
    assert_eq!(
        dev.sync.status(),
        SyncStatus::Sharing,
        "not before the wait is over"
    );
    run_for(&mut broker, &mut [&mut dev], now, ECHO_WAIT_MS + 300.0);
    match dev.sync.status() {
        SyncStatus::Problem(p) => assert_eq!(
            p,
            "Refused by the broker: it did not keep the household copy on lampboard/arrangement (it took the message but never sent it back within 5 s); an ACL probably forbids this login to write there"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(broker.published, 1, "no resend loop");
}

#[test]
fn a_refused_subscription_is_said_in_words_and_nothing_is_published() {
    let mut dev = Device::new();
    dev.local.rename(&id("l/1"), "Mine", "one", 10.0);
    dev.sync.subscribing();
    dev.sync.subscribed(false, 0.0);
    assert_eq!(
        dev.sync.status(),
        SyncStatus::Problem("Refused by the broker: it refused reading lampboard/arrangement, so this device cannot see the household copy (an ACL may forbid this login to read it)".into())
    );
    dev.sync.edited(10.0);
    assert_eq!(dev.sync.poll(10_000.0, &dev.local.clone()), None);
    assert_eq!(dev.sync.next_deadline(), None);
}

#[test]
fn a_failed_publish_is_said_and_a_reconnect_shares_what_was_missed() {
    let mut broker = Broker::new();
    let mut dev = Device::new();
    dev.local.rename(&id("l/1"), "Mine", "one", 10.0);
    broker.subscribe(&mut dev, 0.0);
    let local = dev.local.clone();
    let payload = dev.sync.poll(LOOK_MS, &local).expect("publishes");
    dev.sync.published(PublishTicket(7));
    assert!(!dev.sync.failed(PublishTicket(8), "x"), "not ours");
    assert!(dev.sync.failed(PublishTicket(7), "the connection ended"));
    assert!(
        matches!(dev.sync.status(), SyncStatus::Problem(p) if p == "The household copy was not sent: the connection ended")
    );
    // Offline edits, then the connection is back: the retained copy (none) is read again
    // and this device's copy goes out.
    dev.sync.connection_lost();
    assert_eq!(
        dev.sync.status(),
        SyncStatus::Problem("The household copy was not sent: the connection ended".into())
    );
    dev.local.rename(&id("l/2"), "Also mine", "two", 20.0);
    broker.subscribe(&mut dev, 5_000.0);
    run_for(&mut broker, &mut [&mut dev], 5_000.0, LOOK_MS + 200.0);
    assert_eq!(broker.published, 1);
    let kept = decode(broker.retained.as_ref().unwrap()).unwrap().unwrap();
    assert_eq!(kept.doc.arrangement, dev.local);
    assert_ne!(broker.retained.as_deref(), Some(&payload[..]));
    assert!(matches!(dev.sync.status(), SyncStatus::Synced(_)));
}

#[test]
fn a_received_copy_missing_local_items_is_answered_with_the_merged_one() {
    let mut broker = Broker::new();
    let (mut a, mut b) = (Device::new(), Device::new());
    b.local.rename(&id("l/b"), "B's", "b", 50.0);
    a.local.rename(&id("l/a"), "A's", "a", 60.0);
    // A's copy is on the broker; B, offline meanwhile, connects with its own edit.
    broker.subscribe(&mut a, 0.0);
    let now = run_for(&mut broker, &mut [&mut a], 0.0, LOOK_MS + 200.0);
    broker.subscribe(&mut b, now);
    assert_eq!(b.local.lamps.len(), 2, "B took A's lamp");
    run_for(&mut broker, &mut [&mut a, &mut b], now, LOOK_MS + 2_000.0);
    assert_eq!(broker.published, 2, "B answered with the merged copy, once");
    assert_eq!(a.local, b.local);
    assert_eq!(a.local.lamps.len(), 2, "A took B's lamp");
}

#[test]
fn turning_sync_off_and_on_again_and_a_new_topic_start_clean() {
    let mut s = SyncSession::new();
    assert_eq!(s.status(), SyncStatus::Off);
    assert_eq!(s.topic(), None);
    s.enable(TOPIC);
    assert_eq!(s.status(), SyncStatus::Offline);
    s.subscribing();
    assert_eq!(s.status(), SyncStatus::Reading);
    s.connection_lost();
    assert_eq!(
        s.status(),
        SyncStatus::Offline,
        "a dropped connection is offline until the SUBACK"
    );
    s.subscribing();
    s.subscribed(false, 0.0);
    s.enable(TOPIC);
    assert!(
        matches!(s.status(), SyncStatus::Problem(_)),
        "same topic: nothing reset"
    );
    s.enable("house/two");
    assert_eq!(s.topic(), Some("house/two"));
    assert_eq!(
        s.status(),
        SyncStatus::Offline,
        "a new topic starts from nothing known"
    );
    s.disable();
    assert_eq!(s.status(), SyncStatus::Off);
    assert_eq!(
        s.received(b"garbage", &Arrangement::default(), 0.0),
        Received::Unchanged
    );
}

#[test]
fn a_copy_too_big_to_publish_is_said_not_sent() {
    let mut dev = Device::new();
    for i in 0..1_500 {
        let name = format!("{i} {}", "n".repeat(70));
        dev.local.rename(
            &id(&format!("some/rather/long/topic/{i}/{}", "t".repeat(100))),
            &name,
            "x",
            1.0,
        );
    }
    dev.sync.subscribing();
    dev.sync.subscribed(true, 0.0);
    assert_eq!(dev.sync.poll(LOOK_MS, &dev.local.clone()), None);
    match dev.sync.status() {
        SyncStatus::Problem(p) => assert!(
            p.starts_with("Not shared: the arrangement is ")
                && p.ends_with("over the 256 KB a household copy may be"),
            "{p}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_words() {
    assert_eq!(
        status_text(&SyncStatus::Synced(1_000.0), 1_400.0),
        "Synced just now"
    );
    assert_eq!(
        status_text(&SyncStatus::Synced(1_000.0), 3_000.0),
        "Synced 2 s ago"
    );
    assert_eq!(
        status_text(&SyncStatus::Synced(0.0), 185_000.0),
        "Synced 3 min ago"
    );
    assert_eq!(
        status_text(&SyncStatus::Synced(0.0), 7_300_000.0),
        "Synced 2 h ago"
    );
    assert_eq!(
        status_text(&SyncStatus::Problem("Refused by the broker: x".into()), 0.0),
        "Refused by the broker: x"
    );
}

#[test]
fn the_sync_settings_are_opt_in_checked_and_load_from_old_files() {
    let p = Profile::default();
    assert!(!p.sync_enabled, "off unless the user opts in");
    assert_eq!(p.sync_topic, DEFAULT_SYNC_TOPIC);
    assert_eq!(p.sync_topic_in_use(), None);
    let old = r#"{"lampboard_settings":1,"selected":"Home","profiles":[{"name":"Home","broker_url":"ws://h:9001/mqtt"}]}"#;
    let loaded = &SettingsFile::from_json(old).unwrap().profiles[0];
    assert!(!loaded.sync_enabled);
    assert_eq!(loaded.sync_topic, "lampboard/arrangement");
    let mut on = Profile {
        sync_enabled: true,
        ..Profile::with_url("ws://127.0.0.1:9001/mqtt")
    };
    assert_eq!(
        on.sync_topic_in_use().as_deref(),
        Some("lampboard/arrangement")
    );
    assert!(on.problems(false).is_empty());
    for (topic, words) in [
        ("", "Empty"),
        ("lampboard/+", "wildcard"),
        ("lampboard/#", "wildcard"),
        ("$SYS/x", "belong to the broker"),
        (" lampboard/a", "spaces"),
    ] {
        assert!(
            check_sync_topic(topic).unwrap_err().contains(words),
            "{topic}"
        );
        on.sync_topic = topic.to_owned();
        let problems = on.problems(false);
        assert_eq!(problems.len(), 1, "{topic}");
        assert_eq!(problems[0].field, "sync_topic");
        assert_eq!(on.sync_topic_in_use(), None);
    }
    on.sync_enabled = false;
    assert!(
        on.problems(false).is_empty(),
        "an unused topic is not checked"
    );
}
