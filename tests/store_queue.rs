//! The offline queue (issue 16, item 2) and the per-profile storage keys (item 1), natively:
//! order, one entry per lamp with its changes folded, cancel, moot detection, exactly-once
//! bookkeeping, the versioned stored form and hostile stored input, and that no two
//! profiles share a key (the old un-keyed snapshot is dropped, not migrated).

use lampboard::lamp::{DirectorySettings, LampChange, LampDirectory, LampId, LampState, Rgb};
use lampboard::store::profile_keys::{ProfileKeys, LEGACY_SNAPSHOT_KEY};
use lampboard::store::queue::{coalesce, fingerprint, Queue, MAX_ENTRIES, QUEUE_FORMAT};

const HALL: &str = "smarthome/hall/lamps/ceiling";
const DESK: &str = "smarthome/office/lamps/desk";

/// A directory holding plain lamps in the given states.
fn house(states: &[(&str, &str)]) -> LampDirectory {
    let mut d = LampDirectory::new(DirectorySettings::default());
    for (topic, payload) in states {
        d.handle_message(topic, payload.as_bytes(), true);
    }
    d
}

fn state_of(d: &LampDirectory, id: &str) -> LampState {
    d.lamp(&LampId(id.into())).expect("the lamp").state.clone()
}

/// Queues `changes` for lamp `id` as the store does: folded into what waits, computed by
/// the lamp's binding against its confirmed state.
fn queue_change(q: &mut Queue, d: &LampDirectory, id: &str, changes: &[LampChange]) -> u64 {
    let lamp = LampId(id.into());
    let all = coalesce(&q.waiting_changes(&lamp), changes);
    let messages = d.command_all(&lamp, &all).expect("a command");
    q.push(&lamp, &all, &messages, &state_of(d, id), 1.0)
        .expect("queued")
}

fn payloads(q: &Queue) -> Vec<(String, serde_json::Value)> {
    q.entries()
        .iter()
        .flat_map(|e| e.messages.iter())
        .map(|m| {
            (
                m.topic.clone(),
                serde_json::from_str(&m.payload).expect("JSON"),
            )
        })
        .collect()
}

#[test]
fn changes_wait_in_the_order_made_and_leave_the_queue_only_when_the_broker_took_them() {
    let d = house(&[(HALL, r#"{"state":"OFF"}"#), (DESK, r#"{"state":"OFF"}"#)]);
    let mut q = Queue::new();
    let hall = queue_change(&mut q, &d, HALL, &[LampChange::On(true)]);
    let desk = queue_change(&mut q, &d, DESK, &[LampChange::Brightness(40)]);
    let order: Vec<&str> = q.entries().iter().map(|e| e.lamp.as_str()).collect();
    assert_eq!(order, [HALL, DESK]);
    assert_eq!(
        payloads(&q),
        [
            (HALL.to_owned(), serde_json::json!({"state":"ON"})),
            (
                DESK.to_owned(),
                serde_json::json!({"state":"OFF","brightness":102})
            ),
        ],
        "the messages as the plain lamps' binding writes them"
    );
    let sending = q.start_sending();
    assert_eq!(sending.len(), 2);
    assert!(
        q.start_sending().is_empty(),
        "sent once per connection: nothing again while in flight"
    );
    assert_eq!(q.len(), 2, "still kept until the broker took them");
    assert!(q.taken(hall));
    assert!(!q.taken(hall), "once");
    assert_eq!(q.len(), 1);
    q.all_unsent();
    let again = q.start_sending();
    assert_eq!(
        again.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [desk],
        "the connection went before the broker took it: sent by the next one"
    );
}

#[test]
fn a_second_change_to_a_waiting_lamp_folds_into_its_entry_and_moves_it_last() {
    let d = house(&[(HALL, r#"{"state":"OFF"}"#), (DESK, r#"{"state":"OFF"}"#)]);
    let mut q = Queue::new();
    queue_change(&mut q, &d, HALL, &[LampChange::On(true)]);
    queue_change(&mut q, &d, DESK, &[LampChange::On(true)]);
    queue_change(&mut q, &d, HALL, &[LampChange::Brightness(50)]);
    queue_change(
        &mut q,
        &d,
        HALL,
        &[LampChange::Color(Rgb { r: 255, g: 0, b: 0 })],
    );
    queue_change(&mut q, &d, HALL, &[LampChange::ColorTemp(300)]);
    assert_eq!(q.len(), 2, "one entry per lamp");
    let hall = q.get(&LampId(HALL.into())).expect("hall waits");
    assert_eq!(
        hall.lamp_changes(),
        [
            LampChange::On(true),
            LampChange::Brightness(50),
            LampChange::ColorTemp(300)
        ],
        "a later colour replaces the earlier"
    );
    let order: Vec<&str> = q.entries().iter().map(|e| e.lamp.as_str()).collect();
    assert_eq!(order, [DESK, HALL], "the latest action last");
    assert_eq!(hall.messages.len(), 1, "a plain lamp gets one whole state");
    assert_eq!(
        coalesce(&[LampChange::On(true)], &[LampChange::On(false)]),
        [LampChange::On(false)]
    );
}

#[test]
fn cancel_removes_only_that_lamps_change() {
    let d = house(&[(HALL, r#"{"state":"OFF"}"#), (DESK, r#"{"state":"OFF"}"#)]);
    let mut q = Queue::new();
    queue_change(&mut q, &d, HALL, &[LampChange::On(true)]);
    queue_change(&mut q, &d, DESK, &[LampChange::On(true)]);
    let cancelled = q.cancel(&LampId(HALL.into())).expect("it waited");
    assert_eq!(cancelled.lamp, HALL);
    assert!(q.cancel(&LampId(HALL.into())).is_none(), "gone");
    assert_eq!(q.len(), 1);
    assert!(q.get(&LampId(DESK.into())).is_some());
    q.start_sending();
    assert!(
        q.cancel(&LampId(DESK.into())).is_none(),
        "on its way to the broker: too late to cancel"
    );
}

#[test]
fn a_newer_state_from_elsewhere_makes_a_waiting_change_moot_and_the_same_state_does_not() {
    let mut d = house(&[(HALL, r#"{"state":"OFF","brightness":100}"#)]);
    let mut q = Queue::new();
    queue_change(&mut q, &d, HALL, &[LampChange::On(true)]);
    let hall = LampId(HALL.into());
    // The broker replays the same retained state on reconnect: not newer.
    d.handle_message(HALL, br#"{"state":"OFF","brightness":100}"#, true);
    assert!(q.moot(&hall, &state_of(&d, HALL)).is_none());
    // Someone dimmed it from another app while we were offline.
    d.handle_message(HALL, br#"{"state":"OFF","brightness":30}"#, true);
    let dropped = q.moot(&hall, &state_of(&d, HALL)).expect("moot");
    assert_eq!(dropped.lamp, HALL);
    assert!(q.is_empty(), "dropped, not sent over the newer state");

    // A change on its way is never mooted by its own echo.
    queue_change(&mut q, &d, HALL, &[LampChange::On(true)]);
    q.start_sending();
    d.handle_message(HALL, br#"{"state":"ON","brightness":30}"#, true);
    assert!(q.moot(&hall, &state_of(&d, HALL)).is_none());
    assert_eq!(q.len(), 1);
}

#[test]
fn the_base_state_is_the_first_queued_one_even_after_folding() {
    let d = house(&[(HALL, r#"{"state":"OFF"}"#)]);
    let mut q = Queue::new();
    queue_change(&mut q, &d, HALL, &[LampChange::On(true)]);
    let base = q.entries()[0].base.clone();
    assert_eq!(base, fingerprint(&state_of(&d, HALL)));
    let lamp = LampId(HALL.into());
    let mut other = state_of(&d, HALL);
    other.on = Some(true);
    let messages = d.command_all(&lamp, &[LampChange::On(true)]).unwrap();
    q.push(&lamp, &[LampChange::On(true)], &messages, &other, 2.0)
        .unwrap();
    assert_eq!(q.entries()[0].base, base, "kept from the first");
}

#[test]
fn the_stored_form_round_trips_with_order_and_numbering_and_nothing_in_flight() {
    let d = house(&[
        (HALL, r#"{"state":"OFF"}"#),
        (DESK, r#"{"state":"OFF","color":{"r":255,"g":0,"b":0}}"#),
    ]);
    let mut q = Queue::new();
    queue_change(&mut q, &d, HALL, &[LampChange::On(true)]);
    queue_change(
        &mut q,
        &d,
        DESK,
        &[LampChange::Color(Rgb {
            r: 0,
            g: 255,
            b: 255,
        })],
    );
    q.start_sending();
    let json = q.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["lampboard_queue"], QUEUE_FORMAT);
    let back = Queue::from_json(&json);
    assert!(back.skipped.is_empty(), "{:?}", back.skipped);
    let mut back = back.queue;
    assert_eq!(back.len(), 2);
    assert_eq!(back.entries()[0].lamp, HALL);
    assert!(
        back.entries().iter().all(|e| !e.in_flight),
        "after a reload nothing is in flight: the entries are sent again"
    );
    assert_eq!(back.start_sending().len(), 2);
    // New entries continue the numbering, so order stays true across reloads.
    let next = queue_change(&mut back, &d, HALL, &[LampChange::On(false)]);
    assert!(next > q.entries().iter().map(|e| e.seq).max().unwrap());
}

#[test]
fn hostile_or_damaged_stored_queues_never_panic_and_say_what_was_left_out() {
    for text in [
        "",
        "not json",
        "[]",
        "null",
        r#"{"lampboard_queue":1}"#,
        r#"{"lampboard_queue":"1","next":0,"entries":[]}"#,
    ] {
        let loaded = Queue::from_json(text);
        assert!(loaded.queue.is_empty(), "{text}");
        assert!(!loaded.skipped.is_empty(), "said: {text}");
    }
    let other = Queue::from_json(r#"{"lampboard_queue":9,"next":0,"entries":[]}"#);
    assert!(other.queue.is_empty());
    assert!(
        other.skipped[0].contains("version 9"),
        "{:?}",
        other.skipped
    );

    let good = r#"{"seq":3,"lamp":"a","changes":[{"do":"on","on":true}],"messages":[{"topic":"a","payload":"{}","retain":true}],"base":"x","at":1.0}"#;
    let text = format!(
        r#"{{"lampboard_queue":1,"next":3,"entries":[
            {good},
            {{"seq":4,"lamp":"b","changes":[{{"do":"explode"}}],"messages":[],"base":"x","at":1.0}},
            {{"seq":5,"lamp":"c","changes":[],"messages":[],"base":"x","at":1.0}},
            {good},
            42
        ]}}"#
    );
    let loaded = Queue::from_json(&text);
    assert_eq!(loaded.queue.len(), 1, "{:?}", loaded.skipped);
    assert_eq!(loaded.skipped.len(), 4, "{:?}", loaded.skipped);
    assert!(loaded.skipped.iter().any(|s| s.contains("second entry")));
}

#[test]
fn a_full_queue_refuses_in_words_but_a_waiting_lamp_can_still_change() {
    let mut d = LampDirectory::new(DirectorySettings::default());
    let mut q = Queue::new();
    for i in 0..MAX_ENTRIES + 1 {
        d.handle_message(
            &format!("smarthome/r/lamps/l{i}"),
            br#"{"state":"OFF"}"#,
            true,
        );
    }
    for i in 0..MAX_ENTRIES {
        queue_change(
            &mut q,
            &d,
            &format!("smarthome/r/lamps/l{i}"),
            &[LampChange::On(true)],
        );
    }
    let last = format!("smarthome/r/lamps/l{MAX_ENTRIES}");
    let lamp = LampId(last.clone());
    let messages = d.command_all(&lamp, &[LampChange::On(true)]).unwrap();
    let refused = q
        .push(
            &lamp,
            &[LampChange::On(true)],
            &messages,
            &state_of(&d, &last),
            1.0,
        )
        .unwrap_err();
    assert!(
        refused.contains("already have a change waiting"),
        "{refused}"
    );
    queue_change(&mut q, &d, "smarthome/r/lamps/l0", &[LampChange::On(false)]);
    assert_eq!(q.len(), MAX_ENTRIES);
}

#[test]
fn every_profile_keeps_its_data_under_its_own_keys_and_the_old_snapshot_key_is_no_ones() {
    let home = ProfileKeys::for_id("p1234");
    let cabin = ProfileKeys::for_id("p9876");
    assert_eq!(home.snapshot, "lampboard.snapshot.p1234");
    assert_eq!(home.queue, "lampboard.queue.p1234");
    assert_eq!(home.explorer_filter, "lampboard.explorer-filter.p1234");
    let profile = lampboard::store::settings::Profile {
        id: "p1234".into(),
        ..Default::default()
    };
    assert_eq!(
        home.arrange,
        lampboard::store::settings::profile_storage_key(&profile, "arrange"),
        "the arrangement's key as issue 15 stored it"
    );
    let mut all: Vec<&str> = home.all().into_iter().chain(cabin.all()).collect();
    all.push(LEGACY_SNAPSHOT_KEY);
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        n,
        "no two profiles (nor the old key) share a key"
    );
}
