//! The dashboard's Tiles/Cards choice in the settings export (`SettingsFile::lamp_view`,
//! `src/store/settings.rs`): carried by an export, read back by an import, never in the
//! stored settings value, and an unknown view refuses the file with the reason.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::store::settings::{Profile, SettingsFile, LAMP_VIEWS};

fn file() -> SettingsFile {
    SettingsFile::single(Profile::with_url("ws://127.0.0.1:9001/mqtt"))
}

#[test]
fn the_view_choice_travels_in_an_export_and_comes_back_on_import() {
    for view in LAMP_VIEWS {
        let mut f = file();
        f.lamp_view = Some(view.to_owned());
        let text = f.to_export_json();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["lamp_view"], view, "{text}");
        let back = SettingsFile::from_json(&text).expect("an export imports");
        assert_eq!(back.lamp_view.as_deref(), Some(view));
    }
}

#[test]
fn a_file_without_a_view_imports_without_one_and_storage_never_keeps_it() {
    let text = file().to_export_json();
    assert!(!text.contains("lamp_view"), "{text}");
    assert_eq!(SettingsFile::from_json(&text).unwrap().lamp_view, None);
    let mut f = file();
    f.lamp_view = Some("cards".into());
    // localStorage keeps the view under its own key, for every profile.
    assert_eq!(f.for_storage().lamp_view, None);
}

#[test]
fn an_unknown_view_refuses_the_file_and_says_why() {
    let mut value = serde_json::to_value(file()).unwrap();
    value["lamp_view"] = "list".into();
    let err = SettingsFile::from_json(&value.to_string()).unwrap_err();
    assert!(
        err.contains("“list”") && err.contains("tiles or cards"),
        "{err}"
    );
    value["lamp_view"] = 3.into();
    let err = SettingsFile::from_json(&value.to_string()).unwrap_err();
    assert!(err.starts_with("The settings file is damaged"), "{err}");
}
