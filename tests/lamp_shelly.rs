//! Shelly Gen1 and Gen2+ through the lamp directory, as the app runs them: the shared payload
//! set's Shelly samples (tests/fixtures/payloads/shelly.json, copied from
//! /work/shared/payloads, each with its source) are read and compared with their `expect`,
//! and the examples of Shelly's own API documentation (cited at each test) drive discovery and
//! commands.
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::systems::shelly::gen2::NO_STATUS_NOTE;
use lampboard::lamp::systems::shelly::rpc::{request_id, Purpose};
use lampboard::lamp::{
    ColorMode, DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, Outgoing, Rgb,
    SourceKind,
};
use serde_json::{json, Value};

struct Sample {
    id: String,
    topic: String,
    payload: String,
    expect: Value,
}

fn samples() -> Vec<Sample> {
    let path = format!(
        "{}/tests/fixtures/payloads/shelly.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("shelly.json");
    let items: Vec<Value> = serde_json::from_str(&text).expect("shelly.json parses");
    items
        .into_iter()
        .map(|v| {
            assert!(v["source"].is_string(), "every sample keeps its source");
            Sample {
                id: v["id"].as_str().unwrap().to_string(),
                topic: v["topic"].as_str().unwrap().to_string(),
                payload: v["payload"].as_str().unwrap().to_string(),
                expect: v["expect"].clone(),
            }
        })
        .collect()
}

fn sample(id: &str) -> Sample {
    samples()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no sample {id}"))
}

fn dir() -> LampDirectory {
    LampDirectory::new(DirectorySettings::default())
}

fn feed(dir: &mut LampDirectory, topic: &str, payload: &str) -> Vec<DirectoryEvent> {
    dir.handle_message(topic, payload.as_bytes(), false)
}

fn id(s: &str) -> LampId {
    LampId(s.to_string())
}

fn one(result: Result<Vec<Outgoing>, String>) -> Outgoing {
    let mut m = result.expect("command");
    assert_eq!(m.len(), 1, "{m:?}");
    m.remove(0)
}

fn text(out: &Outgoing) -> String {
    String::from_utf8(out.payload.clone()).unwrap()
}

fn json_of(out: &Outgoing) -> Value {
    serde_json::from_slice(&out.payload).expect("JSON")
}

fn published(events: &[DirectoryEvent]) -> Vec<Outgoing> {
    events
        .iter()
        .filter_map(|e| match e {
            DirectoryEvent::Publish(m) => Some(m.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Checks a lamp's state against a sample's `expect` (on, brightness_pct, rgb, color_mode);
/// returns how many fields were compared.
fn check(dir: &LampDirectory, lamp: &LampId, s: &Sample) -> usize {
    let l = dir
        .lamp(lamp)
        .unwrap_or_else(|| panic!("{}: no lamp {lamp}", s.id));
    let e = &s.expect;
    let mut n = 0;
    if let Some(on) = e.get("on") {
        if let Some(on) = on.as_bool() {
            assert_eq!(l.state.on, Some(on), "{}: on", s.id);
            n += 1;
        }
    }
    if let Some(b) = e.get("brightness_pct").and_then(Value::as_f64) {
        let got = l
            .state
            .brightness_pct
            .unwrap_or_else(|| panic!("{}: brightness", s.id));
        assert!((f64::from(got) - b).abs() < 0.5, "{}: {got} vs {b}", s.id);
        n += 1;
    }
    if let Some(rgb) = e.get("rgb").and_then(Value::as_array) {
        let want = Rgb::new(
            rgb[0].as_u64().unwrap() as u8,
            rgb[1].as_u64().unwrap() as u8,
            rgb[2].as_u64().unwrap() as u8,
        );
        assert_eq!(l.state.rgb, Some(want), "{}: rgb", s.id);
        n += 1;
    }
    match e.get("color_mode").and_then(Value::as_str) {
        Some("color") => {
            assert_eq!(l.state.color_mode, Some(ColorMode::Rgb), "{}", s.id);
            n += 1;
        }
        Some("brightness") => {
            assert_eq!(l.state.color_mode, Some(ColorMode::Brightness), "{}", s.id);
            n += 1;
        }
        Some(other) => panic!("{}: unexpected color_mode {other}", s.id),
        None => {}
    }
    n
}

const RGBW2: &str = "shellies/shellyrgbw2-11ABD9/color/0";
const PRO: &str = "shellyprorgbwwpm-ece334f91f6c";

#[test]
fn gen1_status_samples_found_by_their_own_topic_read_as_expected() {
    let mut fields = 0;
    for (sample_id, lamp) in [
        ("sh-01", RGBW2),
        ("sh-02", "shellies/shellybulb-<deviceid>/color/0"),
        ("sh-03", "shellies/ShellyVintage-1E121D/light/0"),
    ] {
        let s = sample(sample_id);
        let mut d = dir();
        let ev = feed(&mut d, &s.topic, &s.payload);
        assert!(
            ev.contains(&DirectoryEvent::Added(id(lamp))),
            "{sample_id}: {ev:?}"
        );
        assert_eq!(
            d.lamp(&id(lamp)).unwrap().source_kind(),
            SourceKind::ShellyGen1
        );
        fields += check(&d, &id(lamp), &s);
        if s.expect["rgb"].is_null() {
            // sh-03, a white-only bulb: no colour to paint.
            assert_eq!(d.lamp(&id(lamp)).unwrap().state.display_rgb(), None);
            assert!(!d.lamp(&id(lamp)).unwrap().capabilities.color);
            fields += 1;
        }
    }
    assert_eq!(fields, 11);
}

#[test]
fn gen1_plain_on_off_and_commands_match_the_documented_forms() {
    let mut d = dir();
    let s1 = sample("sh-01");
    feed(&mut d, &s1.topic, &s1.payload);
    // sh-04: "on" on the bare channel topic.
    let s4 = sample("sh-04");
    feed(&mut d, RGBW2, r#"{"ison":false}"#);
    feed(&mut d, &s4.topic, "off");
    assert_eq!(d.lamp(&id(RGBW2)).unwrap().state.on, Some(false));
    feed(&mut d, &s4.topic, &s4.payload);
    assert_eq!(check(&d, &id(RGBW2), &s4), 1);
    // sh-05: the documented plain command is exactly what a switch press sends.
    let s5 = sample("sh-05");
    let out = one(d.command(&id(RGBW2), &LampChange::On(false)));
    assert_eq!(
        (out.topic.as_str(), text(&out).as_str()),
        (s5.topic.as_str(), "off")
    );
    assert!(!out.retain);
    // sh-08 / sh-09: colour JSON on /set; ours carries the same turn and channels.
    for sid in ["sh-08", "sh-09"] {
        let s = sample(sid);
        let theirs: Value = serde_json::from_str(&s.payload).unwrap();
        let rgb = s.expect["rgb"].as_array().unwrap();
        let c = Rgb::new(
            rgb[0].as_u64().unwrap() as u8,
            rgb[1].as_u64().unwrap() as u8,
            rgb[2].as_u64().unwrap() as u8,
        );
        let out = one(d.command(&id(RGBW2), &LampChange::Color(c)));
        assert_eq!(out.topic, format!("{RGBW2}/set"));
        let ours = json_of(&out);
        for k in ["turn", "red", "green", "blue"] {
            assert_eq!(ours[k], theirs[k], "{sid}: {k}");
        }
        let out = one(d.command(&id(RGBW2), &LampChange::Brightness(100)));
        assert_eq!(json_of(&out), json!({"turn": "on", "gain": theirs["gain"]}));
    }
    // Brightness 0 is "off", never gain 0.
    let out = one(d.command(&id(RGBW2), &LampChange::Brightness(0)));
    assert_eq!(
        (out.topic.clone(), text(&out)),
        (format!("{RGBW2}/command"), "off".into())
    );
    // RGBW2's effects by number (HA's shelly const: 0 Off .. 3 Flash).
    let lamp = d.lamp(&id(RGBW2)).unwrap();
    assert_eq!(
        lamp.capabilities.effects,
        ["Off", "Meteor Shower", "Gradual Change", "Flash"]
    );
    assert!(
        !lamp.capabilities.color_temp,
        "RGBW2 has no colour temperature"
    );
    let out = one(d.command(&id(RGBW2), &LampChange::Effect("Flash".into())));
    assert_eq!(json_of(&out), json!({"turn": "on", "effect": 3}));
    assert!(d
        .command(&id(RGBW2), &LampChange::Effect("Disco".into()))
        .is_err());
    assert!(d.command(&id(RGBW2), &LampChange::ColorTemp(300)).is_err());
}

#[test]
fn gen1_white_channels_dim_with_brightness_as_the_docs_show() {
    // sh-06 / sh-07: RGBW2 white mode, `white/2/set` with `brightness` (and `turn`).
    let mut d = dir();
    let lamp = "shellies/shellyrgbw2-11ABD9/white/2";
    let ev = feed(
        &mut d,
        &format!("{lamp}/status"),
        r#"{"ison":true,"mode":"white","brightness":20,"power":0.00}"#,
    );
    assert!(ev.contains(&DirectoryEvent::Added(id(lamp))));
    let l = d.lamp(&id(lamp)).unwrap();
    assert_eq!(l.name, "RGBW2 11ABD9 white 3");
    assert!(!l.capabilities.color && l.capabilities.brightness);
    let s6 = sample("sh-06");
    let out = one(d.command(&id(lamp), &LampChange::Brightness(70)));
    assert_eq!(out.topic, s6.topic);
    let theirs: Value = serde_json::from_str(&s6.payload).unwrap();
    assert_eq!(json_of(&out)["brightness"], theirs["brightness"]);
    assert_eq!(json_of(&out)["turn"], "on");
    let s7 = sample("sh-07");
    let theirs: Value = serde_json::from_str(&s7.payload).unwrap();
    let out = one(d.command(&id(lamp), &LampChange::On(false)));
    assert_eq!(text(&out), theirs["turn"].as_str().unwrap());
}

#[test]
fn gen1_announce_makes_the_models_channels_and_connect_asks_for_it() {
    // Gen1 API, "MQTT": `shellies/command` takes `announce` and `update`; every device then
    // publishes `shellies/announce` ({"id","model","mac","ip","new_fw","fw_ver"}, RGBW2 and
    // bulbs with "mode").
    let d = dir();
    let hello = d.on_connect();
    assert_eq!(
        hello
            .iter()
            .map(|o| (o.topic.as_str(), text(o)))
            .collect::<Vec<_>>(),
        [
            ("shellies/command", "announce".to_string()),
            ("shellies/command", "update".to_string())
        ]
    );
    let mut d = dir();
    let ev = feed(
        &mut d,
        "shellies/announce",
        r#"{"id":"shellybulb-7A1B2C","model":"SHCB-1","mac":"A4CF127A1B2C","ip":"192.168.1.40","new_fw":false,"fw_ver":"20230913-114521/v1.14.0-gcb84623","mode":"color"}"#,
    );
    let bulb = "shellies/shellybulb-7A1B2C/color/0";
    assert!(ev.contains(&DirectoryEvent::Added(id(bulb))), "{ev:?}");
    assert!(d
        .subscriptions()
        .contains(&"shellies/shellybulb-7A1B2C/online".to_string()));
    let l = d.lamp(&id(bulb)).unwrap();
    assert!(l.capabilities.color && l.capabilities.color_temp);
    assert_eq!(
        l.capabilities.color_temp_range,
        Some((153, 333)),
        "6500 K .. 3000 K"
    );
    assert_eq!(l.capabilities.effects.len(), 7);
    assert!(l
        .binding
        .details()
        .iter()
        .any(|(k, v)| *k == "IP address" && v == "192.168.1.40"));
    assert_eq!(
        d.refresh(&id(bulb))[0].topic,
        "shellies/shellybulb-7A1B2C/command"
    );
    // The bulb in white mode: temp (K) and brightness.
    feed(
        &mut d,
        &format!("{bulb}/status"),
        r#"{"ison":true,"mode":"white","red":0,"green":0,"blue":0,"white":0,"gain":40,"temp":4000,"brightness":60,"effect":0}"#,
    );
    let s = &d.lamp(&id(bulb)).unwrap().state;
    assert_eq!(
        (s.color_mode, s.color_temp_mireds, s.brightness_pct),
        (Some(ColorMode::ColorTemp), Some(250), Some(60.0))
    );
    // In white mode the slider sends `brightness`; a temperature switches mode as a bulb needs.
    let out = one(d.command(&id(bulb), &LampChange::Brightness(30)));
    assert_eq!(json_of(&out), json!({"turn": "on", "brightness": 30}));
    let out = one(d.command(&id(bulb), &LampChange::ColorTemp(200)));
    assert_eq!(
        json_of(&out),
        json!({"turn": "on", "mode": "white", "temp": 5000})
    );
    let out = one(d.command(&id(bulb), &LampChange::Color(Rgb::new(255, 0, 0))));
    assert_eq!(
        json_of(&out),
        json!({"turn": "on", "mode": "color", "red": 255, "green": 0, "blue": 0})
    );
    // An RGBW2 announced in white mode has four white channels; back in colour mode those go.
    let rgbw2 = r#"{"id":"shellyrgbw2-11ABD9","model":"SHRGBW2","mac":"x","ip":"y","fw_ver":"z","mode":"white"}"#;
    let ev = feed(&mut d, "shellies/announce", rgbw2);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, DirectoryEvent::Added(_)))
            .count(),
        4
    );
    let ev = feed(
        &mut d,
        "shellies/announce",
        &rgbw2.replace("white", "color"),
    );
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, DirectoryEvent::Removed(_)))
            .count(),
        4
    );
    assert!(ev.contains(&DirectoryEvent::Added(id(RGBW2))));
    // A relay's announce, a broken one: no lamp, the latter in words.
    assert!(feed(
        &mut d,
        "shellies/announce",
        r#"{"id":"shelly1-ABC","model":"SHSW-1"}"#
    )
    .is_empty());
    assert!(matches!(
        feed(&mut d, "shellies/announce", "[1]").as_slice(),
        [DirectoryEvent::DiscoveryRejected { .. }]
    ));
}

#[test]
fn gen1_duo_tunes_white_and_availability_is_true_false() {
    let mut d = dir();
    let duo = "shellies/ShellyBulbDuo-1A2B3C/light/0";
    feed(
        &mut d,
        &format!("{duo}/status"),
        r#"{"ison":false,"has_timer":false,"brightness":80,"white":50,"temp":2700,"transition":0}"#,
    );
    let l = d.lamp(&id(duo)).unwrap();
    assert_eq!(l.capabilities.color_temp_range, Some((153, 370)));
    assert!(!l.capabilities.color);
    let out = one(d.command(&id(duo), &LampChange::ColorTemp(100)));
    assert_eq!(
        json_of(&out),
        json!({"turn": "on", "temp": 6500}),
        "clamped to 6500 K"
    );
    // sh-10's payloads (HA docs' Shelly bulb example): `true`/`false` on shellies/<id>/online.
    let s10 = sample("sh-10");
    let mut d = dir();
    feed(
        &mut d,
        "shellies/bulb/color/0/status",
        r#"{"ison":true,"red":1,"green":2,"blue":3,"gain":9}"#,
    );
    let lamp = id("shellies/bulb/color/0");
    feed(&mut d, &s10.topic, "false");
    assert!(!d.lamp(&lamp).unwrap().available);
    assert!(d.command(&lamp, &LampChange::On(true)).is_err());
    feed(&mut d, &s10.topic, &s10.payload);
    assert_eq!(
        d.lamp(&lamp).unwrap().available,
        s10.expect["available"].as_bool().unwrap()
    );
}

#[test]
fn gen2_samples_read_as_expected_and_a_delta_keeps_the_rest() {
    let mut d = dir();
    let lamp = id(&format!("{PRO}/status/rgb:0"));
    // sh-11: the retained online of a default prefix asks Shelly.GetStatus.
    let s11 = sample("sh-11");
    let ev = feed(&mut d, &s11.topic, &s11.payload);
    let asked = published(&ev);
    assert_eq!(asked.len(), 1, "{ev:?}");
    assert_eq!(asked[0].topic, format!("{PRO}/rpc"));
    assert_eq!(
        json_of(&asked[0]),
        json!({"id": request_id(PRO, Purpose::GetStatus), "src": "lampboard", "method": "Shelly.GetStatus"})
    );
    // Asked once, not at every retained replay.
    assert!(published(&feed(&mut d, &s11.topic, &s11.payload)).is_empty());
    // sh-12: a NotifyStatus with rgb:0 founds the lamp and is its state.
    let s12 = sample("sh-12");
    let ev = feed(&mut d, &s12.topic, &s12.payload);
    assert!(ev.contains(&DirectoryEvent::Added(lamp.clone())), "{ev:?}");
    assert_eq!(d.lamp(&lamp).unwrap().source_kind(), SourceKind::ShellyGen2);
    let mut fields = check(&d, &lamp, &s12);
    // sh-14: only `current` changed: nothing else moves.
    let before = d.lamp(&lamp).unwrap().state.clone();
    let s14 = sample("sh-14");
    feed(&mut d, &s14.topic, &s14.payload);
    assert_eq!(
        d.lamp(&lamp).unwrap().state,
        before,
        "sh-14 keeps the previous state"
    );
    for sid in ["sh-13", "sh-15"] {
        let s = sample(sid);
        feed(
            &mut d,
            &s.topic,
            r#"{"id":0,"output":false,"brightness":1,"rgb":[0,0,0]}"#,
        );
        feed(&mut d, &s.topic, &s.payload);
        fields += check(&d, &lamp, &s);
    }
    assert_eq!(fields, 9);
    assert!(d.lamp(&lamp).unwrap().available, "sh-11: online");
    feed(&mut d, &s11.topic, "false");
    assert!(!d.lamp(&lamp).unwrap().available);
}

#[test]
fn gen2_getstatus_reply_finds_components_and_commands_are_rpc_frames() {
    // Gen2 API, "RPC Protocol": replies carry the request id, `src` and `result`/`error`.
    let prefix = "shellyplusrgbwpm-a8032ab12345";
    let mut d = dir();
    feed(&mut d, &format!("{prefix}/online"), "true");
    let reply = json!({
        "id": request_id(prefix, Purpose::GetStatus),
        "src": prefix,
        "dst": "lampboard",
        "result": {
            "sys": {"mac": "A8032AB12345"},
            "rgbw:0": {"id": 0, "source": "init", "output": true, "brightness": 55, "rgb": [255, 128, 0], "white": 40}
        }
    });
    let ev = feed(&mut d, "lampboard/rpc", &reply.to_string());
    let lamp = id(&format!("{prefix}/status/rgbw:0"));
    assert!(ev.contains(&DirectoryEvent::Added(lamp.clone())), "{ev:?}");
    let l = d.lamp(&lamp).unwrap();
    assert_eq!(l.name, "Plus RGBW PM b12345");
    assert_eq!(
        (l.state.on, l.state.brightness_pct, l.state.rgb),
        (Some(true), Some(55.0), Some(Rgb::new(255, 128, 0)))
    );
    assert!(
        l.capabilities.color && !l.capabilities.color_temp && l.capabilities.effects.is_empty()
    );
    let set = request_id(prefix, Purpose::Set);
    let out = one(d.command(&lamp, &LampChange::Color(Rgb::new(255, 0, 0))));
    assert_eq!(out.topic, format!("{prefix}/rpc"));
    assert_eq!(
        json_of(&out),
        json!({"id": set, "src": "lampboard", "method": "RGBW.Set", "params": {"id": 0, "on": true, "rgb": [255, 0, 0]}})
    );
    let out = one(d.command(&lamp, &LampChange::Brightness(50)));
    assert_eq!(
        json_of(&out)["params"],
        json!({"id": 0, "on": true, "brightness": 50})
    );
    let out = one(d.command(&lamp, &LampChange::Brightness(0)));
    assert_eq!(json_of(&out)["params"], json!({"id": 0, "on": false}));
    assert!(d.command(&lamp, &LampChange::Effect("x".into())).is_err());
    // Light and RGB components use their own namespaces.
    feed(
        &mut d,
        "shellyprorgbwwpm-1/status/light:2",
        r#"{"id":2,"output":true,"brightness":10}"#,
    );
    let light = id("shellyprorgbwwpm-1/status/light:2");
    assert_eq!(d.lamp(&light).unwrap().name, "Pro RGBWW PM 1 light 3");
    let out = one(d.command(&light, &LampChange::On(true)));
    assert_eq!(json_of(&out)["method"], "Light.Set");
    assert_eq!(json_of(&out)["params"], json!({"id": 2, "on": true}));
    assert!(d
        .command(&light, &LampChange::Color(Rgb::new(1, 2, 3)))
        .is_err());
    // Status topics of other components, and non-Shelly `status` topics, found nothing.
    assert!(feed(
        &mut d,
        "shellyplus1-x/status/switch:0",
        r#"{"output":true}"#
    )
    .is_empty());
    assert!(feed(&mut d, "printer/status/rgb:0", "busy").is_empty());
}

#[test]
fn gen2_reply_errors_and_missing_status_reach_the_card_in_words() {
    let prefix = "shellyplusrgbwpm-a8032ab12345";
    let lamp = id(&format!("{prefix}/status/rgb:0"));
    let mut d = dir();
    // Found through a notification: generic status updates are off.
    feed(
        &mut d,
        &format!("{prefix}/events/rpc"),
        &json!({"src": prefix, "dst": format!("{prefix}/events"), "method": "NotifyStatus",
            "params": {"ts": 1.0, "rgb:0": {"id": 0, "output": true}}})
        .to_string(),
    );
    assert_eq!(d.lamp(&lamp).unwrap().binding.note(), None);
    let ok = json!({"id": request_id(prefix, Purpose::Set), "src": prefix, "dst": "lampboard", "result": null}).to_string();
    feed(&mut d, "lampboard/rpc", &ok);
    assert_eq!(
        d.lamp(&lamp).unwrap().binding.note(),
        None,
        "one answer is not yet a pattern"
    );
    let ev = feed(&mut d, "lampboard/rpc", &ok);
    assert!(ev.contains(&DirectoryEvent::Updated {
        id: lamp.clone(),
        warnings: vec![]
    }));
    assert_eq!(
        d.lamp(&lamp).unwrap().binding.note().as_deref(),
        Some(NO_STATUS_NOTE)
    );
    assert_eq!(
        d.lamp(&lamp).unwrap().state.on,
        Some(true),
        "state kept across the new note"
    );
    // An error reply, in words, until the next good reply.
    let err = json!({"id": request_id(prefix, Purpose::Set), "src": prefix, "dst": "lampboard",
        "error": {"code": -103, "message": "Invalid argument 'rgb': expected array of 3 numbers"}});
    feed(&mut d, "lampboard/rpc", &err.to_string());
    assert_eq!(
        d.lamp(&lamp).unwrap().binding.note().as_deref(),
        Some("The lamp refused the last change: Invalid argument 'rgb': expected array of 3 numbers (error -103)")
    );
    // Status at last: the note goes.
    feed(&mut d, "lampboard/rpc", &ok);
    feed(
        &mut d,
        &format!("{prefix}/status/rgb:0"),
        r#"{"id":0,"output":false,"brightness":5,"rgb":[1,2,3]}"#,
    );
    assert_eq!(d.lamp(&lamp).unwrap().binding.note(), None);
    assert_eq!(d.lamp(&lamp).unwrap().state.on, Some(false));
    // A reply for a device nobody asked is ignored; a broken reply never panics.
    assert!(feed(&mut d, "lampboard/rpc", r#"{"id":12,"result":{}}"#).is_empty());
    assert!(feed(&mut d, "lampboard/rpc", "{not json").is_empty());
}

#[test]
fn a_getstatus_reply_replayed_from_the_snapshot_restores_its_lamp() {
    // Offline start: the page replays the last payload per lamp topic before connecting;
    // nothing was asked yet, so the reply's own `src` (the default prefix) names the device.
    let prefix = "shellyplusrgbwpm-a0b1c2d3e4f5";
    let reply = json!({"id": request_id(prefix, Purpose::GetStatus), "src": prefix, "dst": "lampboard",
        "result": {"rgbw:0": {"id": 0, "output": true, "brightness": 45, "rgb": [120, 0, 255]}}});
    let mut d = dir();
    let ev = feed(&mut d, "lampboard/rpc", &reply.to_string());
    let lamp = id(&format!("{prefix}/status/rgbw:0"));
    assert!(ev.contains(&DirectoryEvent::Added(lamp.clone())), "{ev:?}");
    assert_eq!(d.lamp(&lamp).unwrap().state.brightness_pct, Some(45.0));
    // On the next connect the device is asked for its status (Gen2 retains none).
    let hello = d.on_connect();
    assert!(
        hello
            .iter()
            .any(|o| o.topic == format!("{prefix}/rpc")
                && json_of(o)["method"] == "Shelly.GetStatus"),
        "{hello:?}"
    );
    // An id that does not hash to its src is no device's.
    let forged = json!({"id": 4, "src": prefix, "result": {"rgbw:0": {"output": true}}});
    let mut d = dir();
    assert!(feed(&mut d, "lampboard/rpc", &forged.to_string()).is_empty());
}

#[test]
fn shelly_sources_switch_off_and_back_on_with_their_hello() {
    let mut d = dir();
    let s1 = sample("sh-01");
    feed(&mut d, &s1.topic, &s1.payload);
    let off = DirectorySettings {
        shelly_gen1: false,
        shelly_gen2: false,
        ..DirectorySettings::default()
    };
    let ev = d.set_settings(off.clone());
    assert!(ev.contains(&DirectoryEvent::Removed(id(RGBW2))));
    assert!(!d
        .subscriptions()
        .iter()
        .any(|f| f.starts_with("shellies") || f.starts_with('+')));
    assert!(d.on_connect().is_empty());
    assert!(feed(&mut d, &s1.topic, &s1.payload).is_empty());
    let ev = d.set_settings(DirectorySettings::default());
    assert_eq!(
        published(&ev).len(),
        2,
        "switched on: announce + update, {ev:?}"
    );
}

#[test]
fn saved_profiles_from_before_shelly_load_with_it_on() {
    use lampboard::store::settings::Profile;
    let mut v = serde_json::to_value(Profile::default()).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("shelly_gen1");
    o.remove("shelly_gen2");
    let p: Profile = serde_json::from_value(v).unwrap();
    assert!(p.shelly_gen1 && p.shelly_gen2);
    let mut p = Profile::default();
    p.lamp_filters.clear();
    p.home_assistant = false;
    p.zigbee2mqtt = false;
    assert!(
        !p.problems(false).iter().any(|x| x.field == "filters"),
        "Shelly is still a source"
    );
    p.shelly_gen1 = false;
    p.shelly_gen2 = false;
    // Tasmota and WLED are sources too: with every source off, no lamp can be found.
    assert!(!p.problems(false).iter().any(|x| x.field == "filters"));
    p.tasmota = false;
    p.wled = false;
    assert!(p.problems(false).iter().any(|x| x.field == "filters"));
    assert!(!p.directory_settings().shelly_gen2);
}
