//! Profile ids and where a profile's arrangement lives, in storage and in the export
//! (`src/store/settings.rs`).
#![cfg(not(target_arch = "wasm32"))]

use lampboard::arrange::Arrangement;
use lampboard::lamp::LampId;
use lampboard::store::settings::{profile_storage_key, Profile, SettingsFile};

fn profile(name: &str) -> Profile {
    Profile {
        name: name.to_owned(),
        ..Profile::with_url("ws://127.0.0.1:9001/mqtt")
    }
}

fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("id{n}")
    }
}

#[test]
fn profiles_get_stable_unique_ids_and_a_copy_under_a_new_name_gets_its_own() {
    // A file from before ids: every profile gets one, once.
    let mut file = SettingsFile::single(profile("Home"));
    assert!(file.fill_ids(counter()));
    assert_eq!(file.profiles[0].id, "id1");
    assert!(!file.fill_ids(counter()), "nothing to fill the second time");
    assert_eq!(
        profile_storage_key(&file.profiles[0], "arrange"),
        "lampboard.arrange.id1"
    );
    // Saved again under its name: same id. Saved under a new name: a new profile.
    let mut edited = file.profiles[0].clone();
    edited.publish_qos = 2;
    file.upsert(edited.clone());
    assert_eq!(file.profiles.len(), 1);
    assert_eq!(file.profiles[0].id, "id1");
    edited.name = "Cabin".into();
    file.upsert(edited);
    file.fill_ids(|| "fresh".to_owned());
    assert_eq!(file.profiles[1].id, "fresh");
    // Duplicates (a hand-edited file) are made unique.
    file.profiles[1].id = "id1".into();
    let mut n = 0;
    file.fill_ids(|| {
        n += 1;
        format!("again{n}")
    });
    assert_eq!(file.profiles[0].id, "id1");
    assert_eq!(file.profiles[1].id, "again1");
    // The old file format without ids still loads.
    let old = r#"{"lampboard_settings":1,"selected":"Home","profiles":[{"name":"Home","broker_url":"ws://h:9001/mqtt"}]}"#;
    assert_eq!(SettingsFile::from_json(old).unwrap().profiles[0].id, "");
}

#[test]
fn the_export_carries_arrangements_by_profile_id_and_storage_never_does() {
    let mut file = SettingsFile::single(profile("Home"));
    file.fill_ids(counter());
    let mut a = Arrangement::default();
    a.rename(&LampId("smarthome/k/lamps/a".into()), "Sink", "a", 1.0);
    file.arrangements.insert("id1".into(), a.to_value());
    let text = file.to_export_json();
    let back = SettingsFile::from_json(&text).unwrap();
    assert_eq!(back.profiles[0].id, "id1");
    let again = Arrangement::from_value(back.arrangements["id1"].clone()).unwrap();
    assert_eq!(again.arrangement, a);
    assert!(file.for_storage().arrangements.is_empty());
    assert!(!serde_json::to_string(&file.for_storage())
        .unwrap()
        .contains("Sink"));
    // A damaged arrangement refuses the import whole, naming the profile.
    let bad = text.replace(r#""lamps": {"#, r#""x": 1, "lamps_": {"#);
    assert!(
        SettingsFile::from_json(&bad).is_ok(),
        "unknown fields are fine"
    );
    let mut broken = file.clone();
    broken
        .arrangements
        .insert("id1".into(), serde_json::json!([1, 2]));
    assert_eq!(
        SettingsFile::from_json(&broken.to_export_json()).unwrap_err(),
        "The arrangement of “Home”: The arrangement is not a JSON object"
    );
}
