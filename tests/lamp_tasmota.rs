//! Tasmota through the directory: native discovery, every state sample of the shared set
//! (`tests/fixtures/payloads/tasmota.json`, each asserted against its `expect`), availability
//! from the LWT words of the config, split and multi-channel lights, devices listed by topic,
//! and exactly what is published for each change.
//!
//! Sources: the samples name their own (`source` field: Tasmota docs `MQTT.md`, Home
//! Assistant's `tests/components/tasmota/test_light.py`, logs pasted in Tasmota and Domoticz
//! issues). The discovery configs built here follow the same shape as sample tas-20 (the
//! config HA's tests publish) with `rl`, `lt_st`, `lk` and `so` changed as Tasmota sets them
//! for each device kind (docs `Lights.md`: SetOption37 128 splits RGB and white into two
//! lights with `Dimmer1`/`Dimmer2`; SetOption68 makes each PWM channel a dimmer `Channel<n>`;
//! SetOption20 stops `Dimmer` from powering on; SetOption30 shows relays as lights).
#![cfg(not(target_arch = "wasm32"))]

use lampboard::lamp::systems::tasmota::state::scheme_name;
use lampboard::lamp::{
    ColorMode, DirectoryEvent, DirectorySettings, LampChange, LampDirectory, LampId, Outgoing, Rgb,
    SourceKind,
};
use serde_json::{json, Value};

const RGB_TOLERANCE: i32 = 2;

fn samples() -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/payloads/tasmota.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn sample(id: &str) -> Value {
    samples()
        .into_iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no sample {id}"))
}

fn only_tasmota(topics: Vec<String>) -> DirectorySettings {
    DirectorySettings {
        lamp_filters: Vec::new(),
        home_assistant: false,
        zigbee2mqtt: false,
        wled: false,
        tasmota: true,
        tasmota_topics: topics,
        shelly_gen1: false,
        shelly_gen2: false,
        ..DirectorySettings::default()
    }
}

/// A discovery config shaped like sample tas-20, for device topic `t` with the given relays,
/// light subtype and options.
fn config(t: &str, mac: &str, rl: Value, lt_st: u64, extra: Value) -> Value {
    let mut c = json!({
        "ip": "192.168.15.10", "dn": "Tasmota", "fn": ["Test", "Beer", "Milk", "Four", null],
        "hn": format!("{t}-0956"), "if": 0, "lk": 1, "mac": mac, "md": "Sonoff Basic",
        "ofln": "Offline", "onln": "Online", "state": ["OFF", "ON", "TOGGLE", "HOLD"],
        "sw": "12.1.1", "swn": [null, null, null, null, null], "t": t,
        "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"], "rl": rl,
        "swc": [-1, -1, -1, -1, -1, -1, -1, -1], "btn": [0, 0, 0, 0],
        "so": {"4": 0, "11": 0, "13": 0, "17": 1, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0},
        "ty": 0, "lt_st": lt_st, "ver": 1
    });
    if let (Some(c), Value::Object(extra)) = (c.as_object_mut(), extra) {
        for (k, v) in extra {
            if k == "so" {
                for (o, x) in v.as_object().unwrap() {
                    c["so"][o] = x.clone();
                }
            } else {
                c.insert(k, v);
            }
        }
    }
    c
}

fn discover(dir: &mut LampDirectory, mac: &str, cfg: &Value) -> Vec<DirectoryEvent> {
    dir.handle_message(
        &format!("tasmota/discovery/{mac}/config"),
        cfg.to_string().as_bytes(),
        true,
    )
}

fn id(s: &str) -> LampId {
    LampId(s.into())
}

fn out(topic: &str, payload: &str) -> Outgoing {
    Outgoing::command(topic, payload)
}

fn close(a: Rgb, b: &Value) -> bool {
    let b: Vec<i32> = b
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap() as i32)
        .collect();
    let d = |x: u8, y: i32| (i32::from(x) - y).abs() <= RGB_TOLERANCE;
    d(a.r, b[0]) && d(a.g, b[1]) && d(a.b, b[2])
}

#[test]
fn native_discovery_sample_makes_one_light_with_the_topics_its_full_topic_gives() {
    let s = sample("tas-20");
    let e = &s["expect"];
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    assert_eq!(dir.subscriptions(), vec!["tasmota/discovery/+/config"]);
    let ev = dir.handle_message(
        s["topic"].as_str().unwrap(),
        s["payload"].as_str().unwrap().as_bytes(),
        true,
    );
    // FullTopic %topic%/%prefix%/: the prefix comes after the device topic.
    let lamp_id = id("tasmota_49A3BC/stat/POWER");
    assert_eq!(ev[0], DirectoryEvent::Added(lamp_id.clone()), "{ev:?}");
    let lamp = dir.lamp(&lamp_id).unwrap();
    assert_eq!(lamp.name, e["name"]);
    assert_eq!(lamp.source_kind(), SourceKind::Tasmota);
    assert_eq!(lamp.room, None, "filed under the system's label");
    let subs = dir.subscriptions();
    for t in [&e["state_topic"], &e["result_topic"], &e["lwt_topic"]] {
        assert!(
            subs.contains(&t.as_str().unwrap().to_string()),
            "{t} in {subs:?}"
        );
    }
    // supported_color_modes [color_temp, hs] and the CT range.
    let caps = &lamp.capabilities;
    assert!(caps.brightness && caps.color && caps.color_temp);
    let range = (
        e["min_mireds"].as_u64().unwrap() as u16,
        e["max_mireds"].as_u64().unwrap() as u16,
    );
    assert_eq!(caps.color_temp_range, Some(range));
    assert_eq!(caps.effects[3], "Cycle down");
    // The query that fills the card: an empty `State` to the command prefix.
    let prefix = e["command_prefix"].as_str().unwrap();
    assert_eq!(
        dir.refresh(&lamp_id),
        vec![out(&format!("{prefix}State"), "")]
    );
    // LWT words from onln/ofln.
    let lwt = e["lwt_topic"].as_str().unwrap();
    dir.handle_message(
        lwt,
        e["payload_not_available"].as_str().unwrap().as_bytes(),
        true,
    );
    assert!(!dir.lamp(&lamp_id).unwrap().available);
    assert!(dir.command(&lamp_id, &LampChange::On(true)).is_err());
    dir.handle_message(
        lwt,
        e["payload_available"].as_str().unwrap().as_bytes(),
        true,
    );
    assert!(dir.lamp(&lamp_id).unwrap().available);
    // Relay 1 is the only output: `Power`, as Tasmota names it in its answers.
    assert_eq!(
        dir.command(&lamp_id, &LampChange::On(true)).unwrap(),
        vec![out(&format!("{prefix}Power"), "ON")]
    );
}

#[test]
fn lwt_samples_read_with_the_default_words() {
    let mut checked = 0;
    for s in samples().iter().filter(|s| s["kind"] == "lwt") {
        let topic = s["topic"].as_str().unwrap();
        // tele/<t>/LWT (default FullTopic) or <t>/tele/LWT (%topic%/%prefix%/).
        let (t, ft) = match topic.split('/').collect::<Vec<_>>()[..] {
            ["tele", t, "LWT"] => (t, "%prefix%/%topic%/"),
            [t, "tele", "LWT"] => (t, "%topic%/%prefix%/"),
            _ => panic!("{topic}"),
        };
        let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
        let cfg = config(t, "AABBCC112233", json!([2]), 1, json!({"ft": ft}));
        discover(&mut dir, "AABBCC112233", &cfg);
        let lamp = id(&format!(
            "{}POWER",
            topic.replace("tele", "stat").trim_end_matches("LWT")
        ));
        dir.handle_message(topic, s["payload"].as_str().unwrap().as_bytes(), true);
        assert_eq!(
            dir.lamp(&lamp)
                .unwrap_or_else(|| panic!("{lamp}"))
                .available,
            s["expect"]["available"].as_bool().unwrap(),
            "{}",
            s["id"]
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

/// The light each state sample's device has, from the sample's note (lt_st, relays).
fn device_of(sample_id: &str) -> (u64, Value) {
    match sample_id {
        // RGBCCT bulb (Color has five channels).
        "tas-04" | "tas-05" | "tas-06" | "tas-07" | "tas-08" | "tas-09" => (5, json!([2])),
        // WS2812 light on relay 5, relays 1-4 plain.
        "tas-10" => (3, json!([1, 1, 1, 1, 2])),
        // 3-channel RGB (Color is RRGGBB).
        "tas-11" => (3, json!([2])),
        // HA test_light.py: RGBCW for colour and CT, CW/WW for the 2-channel Color,
        // RGBW for the white mode.
        "tas-12" | "tas-13" | "tas-16" | "tas-17" => (5, json!([2])),
        "tas-14" => (2, json!([2])),
        "tas-15" => (4, json!([2])),
        other => panic!("no device for {other}"),
    }
}

#[test]
fn every_state_sample_reads_as_its_expect_says() {
    let mut checked = 0;
    for s in samples()
        .iter()
        .filter(|s| s["kind"] == "result" || s["kind"] == "tele-state")
    {
        let sid = s["id"].as_str().unwrap();
        let topic = s["topic"].as_str().unwrap();
        let e = &s["expect"];
        let levels: Vec<&str> = topic.split('/').collect();
        let (t, ft, stat) = match levels[..] {
            [p, t, _] if p == "tele" || p == "stat" => {
                (t, "%prefix%/%topic%/", format!("stat/{t}/"))
            }
            [t, _, _] => (t, "%topic%/%prefix%/", format!("{t}/stat/")),
            _ => panic!("{topic}"),
        };
        let (lt_st, rl) = device_of(sid);
        let relays = rl.as_array().unwrap().len();
        let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
        discover(
            &mut dir,
            "AABBCC112233",
            &config(t, "AABBCC112233", rl, lt_st, json!({"ft": ft})),
        );
        // tas-10's topic is `tele/NodeMCU1/state` (lower case, Tasmota 5.x): read it as STATE.
        let topic = topic.replace("/state", "/STATE");
        let power = if relays == 1 {
            "POWER".to_string()
        } else {
            format!("POWER{relays}")
        };
        if let Some(key) = e.get("power_key") {
            assert_eq!(key, &json!(power), "{sid}");
        }
        let lamp_id = id(&format!("{stat}{power}"));
        let ev = dir.handle_message(&topic, s["payload"].as_str().unwrap().as_bytes(), false);
        assert!(
            ev.iter()
                .any(|x| matches!(x, DirectoryEvent::Updated { id, .. } if *id == lamp_id)),
            "{sid}: {ev:?}"
        );
        let st = &dir.lamp(&lamp_id).unwrap().state;
        assert_eq!(json!(st.on), e["on"], "{sid} on");
        match e.get("brightness_pct") {
            Some(Value::Null) => assert_eq!(st.brightness_pct, None, "{sid}"),
            Some(b) => assert!(
                (st.brightness_pct.unwrap() - b.as_f64().unwrap() as f32).abs() < 0.5,
                "{sid} brightness {st:?}"
            ),
            None => {}
        }
        match e.get("rgb") {
            Some(Value::Null) => assert_eq!(st.rgb, None, "{sid} rgb"),
            Some(rgb) => assert!(close(st.rgb.unwrap(), rgb), "{sid}: {:?} vs {rgb}", st.rgb),
            None => {}
        }
        if let Some(mode) = e.get("color_mode").and_then(Value::as_str) {
            assert_eq!(st.color_mode, ColorMode::from_name(mode), "{sid} mode");
        }
        if let Some(m) = e.get("color_temp_mireds") {
            assert_eq!(json!(st.color_temp_mireds), *m, "{sid} ct");
        }
        if let Some(n) = e.get("effect_scheme").and_then(Value::as_u64) {
            assert_eq!(st.effect, Some(scheme_name(n)), "{sid} scheme");
        }
        if let Some(name) = e.get("effect") {
            assert_eq!(json!(st.effect), *name, "{sid} effect");
        }
        checked += 1;
    }
    assert_eq!(checked, 14);
}

#[test]
fn plain_power_topic_samples_switch_the_lamp() {
    for sid in ["tas-18", "tas-19"] {
        let s = sample(sid);
        let topic = s["topic"].as_str().unwrap();
        let t = topic.split('/').nth(1).unwrap();
        let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
        discover(
            &mut dir,
            "AABBCC112233",
            &config(t, "AABBCC112233", json!([2]), 1, json!({})),
        );
        dir.handle_message(topic, s["payload"].as_str().unwrap().as_bytes(), false);
        assert_eq!(
            json!(dir.lamp(&id(topic)).unwrap().state.on),
            s["expect"]["on"],
            "{sid}"
        );
    }
}

#[test]
fn a_two_channel_rgbcw_split_is_two_lamps_each_with_its_own_dimmer() {
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    let cfg = config(
        "strip",
        "AABBCC000001",
        json!([2, 2, 0, 0]),
        5,
        json!({"lk": 0}),
    );
    let ev = discover(&mut dir, "AABBCC000001", &cfg);
    let (rgb, white) = (id("stat/strip/POWER1"), id("stat/strip/POWER2"));
    assert!(ev.contains(&DirectoryEvent::Added(rgb.clone())), "{ev:?}");
    assert!(ev.contains(&DirectoryEvent::Added(white.clone())));
    assert_eq!(dir.lamp(&rgb).unwrap().name, "Test");
    assert_eq!(dir.lamp(&white).unwrap().name, "Beer");
    let (c1, c2) = (
        &dir.lamp(&rgb).unwrap().capabilities,
        &dir.lamp(&white).unwrap().capabilities,
    );
    assert!(c1.color && !c1.color_temp);
    assert!(!c2.color && c2.color_temp);
    // One RESULT carries both halves.
    dir.handle_message(
        "stat/strip/RESULT",
        br#"{"POWER1":"ON","POWER2":"OFF","Dimmer1":40,"Dimmer2":80,"HSBColor":"240,100,40","White":80,"CT":400}"#,
        false,
    );
    let (s1, s2) = (
        &dir.lamp(&rgb).unwrap().state,
        &dir.lamp(&white).unwrap().state,
    );
    assert_eq!(
        (s1.on, s1.brightness_pct, s1.color_mode),
        (Some(true), Some(40.0), Some(ColorMode::Hs))
    );
    assert_eq!(s1.rgb, Some(Rgb::new(0, 0, 255)));
    assert_eq!(
        (s2.on, s2.brightness_pct, s2.color_temp_mireds),
        (Some(false), Some(80.0), Some(400))
    );
    assert_eq!(s2.color_mode, Some(ColorMode::ColorTemp));
    // Each half has its own power and dimmer; the colour keeps the white channels (`=`).
    let cmd = |l: &LampId, c: LampChange| dir.command(l, &c).unwrap();
    assert_eq!(
        cmd(&rgb, LampChange::On(false)),
        vec![out("cmnd/strip/Power1", "OFF")]
    );
    assert_eq!(
        cmd(&white, LampChange::On(true)),
        vec![out("cmnd/strip/Power2", "ON")]
    );
    assert_eq!(
        cmd(&rgb, LampChange::Brightness(55)),
        vec![out("cmnd/strip/Dimmer1", "55")]
    );
    assert_eq!(
        cmd(&white, LampChange::Brightness(20)),
        vec![out("cmnd/strip/Dimmer2", "20")]
    );
    assert_eq!(
        cmd(&rgb, LampChange::Color(Rgb::new(255, 0, 0))),
        vec![out("cmnd/strip/Color2", "255,0,0=")]
    );
    assert_eq!(
        cmd(&white, LampChange::ColorTemp(600)),
        vec![out("cmnd/strip/CT", "500")],
        "clamped"
    );
    assert!(dir
        .command(&white, &LampChange::Color(Rgb::new(1, 2, 3)))
        .is_err());
    assert!(dir.command(&rgb, &LampChange::ColorTemp(300)).is_err());
}

#[test]
fn setoption68_channels_are_dimmers_read_and_set_by_channel() {
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    let cfg = config(
        "pwm",
        "AABBCC000002",
        json!([2, 2]),
        2,
        json!({"so": {"68": 1}}),
    );
    discover(&mut dir, "AABBCC000002", &cfg);
    let (a, b) = (id("stat/pwm/POWER1"), id("stat/pwm/POWER2"));
    dir.handle_message(
        "tele/pwm/STATE",
        br#"{"POWER1":"ON","POWER2":"ON","Channel":[30,70],"Channel1":30,"Channel2":70,"Dimmer":70}"#,
        false,
    );
    assert_eq!(dir.lamp(&a).unwrap().state.brightness_pct, Some(30.0));
    assert_eq!(dir.lamp(&b).unwrap().state.brightness_pct, Some(70.0));
    assert_eq!(
        dir.lamp(&b).unwrap().state.color_mode,
        Some(ColorMode::Brightness)
    );
    let caps = &dir.lamp(&a).unwrap().capabilities;
    assert!(caps.brightness && !caps.color && !caps.color_temp && caps.effects.is_empty());
    assert_eq!(
        dir.command(&b, &LampChange::Brightness(45)).unwrap(),
        vec![out("cmnd/pwm/Channel2", "45")]
    );
    // The POWER topics are each lamp's own.
    dir.handle_message("stat/pwm/POWER2", b"OFF", false);
    assert_eq!(dir.lamp(&b).unwrap().state.on, Some(false));
    assert_eq!(dir.lamp(&a).unwrap().state.on, Some(true));
}

#[test]
fn commands_are_tasmotas_own_with_backlog_when_a_dimmer_does_not_power_on() {
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    let cfg = config(
        "bulb",
        "AABBCC000003",
        json!([2]),
        5,
        json!({"so": {"20": 1}}),
    );
    discover(&mut dir, "AABBCC000003", &cfg);
    let l = id("stat/bulb/POWER");
    let cmd = |c: LampChange| dir.command(&l, &c).unwrap();
    assert_eq!(
        cmd(LampChange::Brightness(40)),
        vec![out("cmnd/bulb/Backlog", "Dimmer 40;Power ON")]
    );
    assert_eq!(
        cmd(LampChange::Brightness(0)),
        vec![out("cmnd/bulb/Power", "OFF")]
    );
    assert_eq!(
        cmd(LampChange::Color(Rgb::new(0, 128, 255))),
        vec![out("cmnd/bulb/Color2", "0,128,255")]
    );
    assert_eq!(
        cmd(LampChange::ColorTemp(300)),
        vec![out("cmnd/bulb/CT", "300")]
    );
    assert_eq!(
        cmd(LampChange::Effect("Cycle up".into())),
        vec![out("cmnd/bulb/Scheme", "2")]
    );
    let err = dir
        .command(&l, &LampChange::Effect("Disco".into()))
        .unwrap_err();
    assert!(err.contains("Disco"), "{err}");
}

#[test]
fn reduced_ct_range_tuya_and_relay_lights_follow_their_options() {
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    let cfg = config(
        "ct",
        "AABBCC000004",
        json!([2]),
        2,
        json!({"so": {"82": 1}, "ty": 1}),
    );
    discover(&mut dir, "AABBCC000004", &cfg);
    let l = id("stat/ct/POWER");
    assert_eq!(
        dir.lamp(&l).unwrap().capabilities.color_temp_range,
        Some((200, 380))
    );
    assert_eq!(
        dir.command(&l, &LampChange::Brightness(50)).unwrap(),
        vec![out("cmnd/ct/Dimmer3", "50")],
        "Tuya dimmers take Dimmer3"
    );
    // Relays are lights only with SetOption30.
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    let relays = config("plug", "AABBCC000005", json!([1, 1]), 0, json!({}));
    assert!(discover(&mut dir, "AABBCC000005", &relays).is_empty());
    let relays = config(
        "plug",
        "AABBCC000005",
        json!([1, 1]),
        0,
        json!({"so": {"30": 1}}),
    );
    discover(&mut dir, "AABBCC000005", &relays);
    let l = id("stat/plug/POWER2");
    assert_eq!(dir.lamp(&l).unwrap().name, "Beer");
    assert!(!dir.lamp(&l).unwrap().capabilities.brightness);
    assert!(dir.command(&l, &LampChange::Brightness(30)).is_err());
    assert_eq!(
        dir.command(&l, &LampChange::On(true)).unwrap(),
        vec![out("cmnd/plug/Power2", "ON")]
    );
}

#[test]
fn full_topic_placeholders_hostname_and_id_are_filled() {
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    let cfg = config(
        "lamp",
        "AABBCC49A3BC",
        json!([2]),
        3,
        json!({"ft": "home/%id%/%prefix%/%hostname%", "tp": ["c", "s", "t"], "hn": "lamp-1"}),
    );
    discover(&mut dir, "AABBCC49A3BC", &cfg);
    let l = id("home/49A3BC/s/lamp-1/POWER");
    assert!(
        dir.lamp(&l).is_some(),
        "{:?}",
        dir.lamps().map(|l| l.id.clone()).collect::<Vec<_>>()
    );
    assert_eq!(dir.refresh(&l), vec![out("home/49A3BC/c/lamp-1/State", "")]);
    assert!(dir
        .subscriptions()
        .contains(&"home/49A3BC/t/lamp-1/LWT".to_string()));
}

#[test]
fn bad_configs_are_refused_in_words_and_an_empty_one_removes_the_device() {
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    let rejected = |ev: &[DirectoryEvent]| {
        ev.iter()
            .find_map(|e| match e {
                DirectoryEvent::DiscoveryRejected { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("not rejected: {ev:?}"))
    };
    let cfg = config("bulb", "AABBCC000006", json!([2]), 5, json!({}));
    let why = rejected(&discover(&mut dir, "112233445566", &cfg));
    assert!(why.contains("AABBCC000006"), "{why}");
    let why =
        rejected(&dir.handle_message("tasmota/discovery/AABBCC000006/config", b"{nope", true));
    assert!(why.contains("JSON"), "{why}");
    let mut no_topic = cfg.clone();
    no_topic.as_object_mut().unwrap().remove("t");
    assert!(rejected(&discover(&mut dir, "AABBCC000006", &no_topic)).contains("“t”"));
    assert_eq!(dir.lamps().count(), 0);
    // Sensor descriptions are not lamps and not errors.
    let ev = dir.handle_message(
        "tasmota/discovery/AABBCC000006/sensors",
        br#"{"sn":{"Time":"x"},"ver":1}"#,
        true,
    );
    assert!(ev.is_empty(), "{ev:?}");
    discover(&mut dir, "AABBCC000006", &cfg);
    assert_eq!(dir.lamps().count(), 1);
    // The same config again changes nothing; a bad one keeps the lamp.
    assert!(discover(&mut dir, "AABBCC000006", &cfg).is_empty());
    dir.handle_message("tasmota/discovery/AABBCC000006/config", b"[]", true);
    assert_eq!(dir.lamps().count(), 1);
    let ev = dir.handle_message("tasmota/discovery/AABBCC000006/config", b"", true);
    assert_eq!(
        ev[0],
        DirectoryEvent::Removed(id("stat/bulb/POWER")),
        "{ev:?}"
    );
    assert_eq!(dir.lamps().count(), 0);
}

#[test]
fn a_device_listed_by_topic_appears_when_it_speaks_and_learns_its_controls() {
    let mut dir = LampDirectory::new(only_tasmota(vec!["porch".into()]));
    let subs = dir.subscriptions();
    for t in [
        "stat/porch/POWER",
        "stat/porch/RESULT",
        "tele/porch/STATE",
        "tele/porch/LWT",
    ] {
        assert!(subs.contains(&t.to_string()), "{t} in {subs:?}");
    }
    let l = id("stat/porch/POWER");
    let ev = dir.handle_message("tele/porch/LWT", b"Online", true);
    assert_eq!(ev, vec![DirectoryEvent::Added(l.clone())]);
    assert_eq!(dir.lamp(&l).unwrap().name, "porch");
    assert_eq!(dir.refresh(&l), vec![out("cmnd/porch/State", "")]);
    assert_eq!(
        dir.lamp(&l).unwrap().capabilities,
        Default::default(),
        "nothing known yet"
    );
    assert!(dir.command(&l, &LampChange::Brightness(20)).is_err());
    dir.handle_message(
        "stat/porch/RESULT",
        br#"{"POWER":"ON","Dimmer":20,"HSBColor":"120,100,20","White":0,"CT":250,"Scheme":0}"#,
        false,
    );
    let lamp = dir.lamp(&l).unwrap();
    assert!(lamp.capabilities.brightness && lamp.capabilities.color);
    assert_eq!(lamp.capabilities.effects.len(), 5);
    assert_eq!(lamp.state.rgb, Some(Rgb::new(0, 255, 0)));
    assert_eq!(
        dir.command(&l, &LampChange::Brightness(60)).unwrap(),
        vec![out("cmnd/porch/Dimmer", "60")]
    );
    // Its discovery, when it comes, replaces the guess in place, keeping the state.
    let cfg = config("porch", "AABBCC000007", json!([2]), 5, json!({}));
    let ev = discover(&mut dir, "AABBCC000007", &cfg);
    assert!(
        ev.contains(&DirectoryEvent::Updated {
            id: l.clone(),
            warnings: vec![]
        }),
        "{ev:?}"
    );
    let lamp = dir.lamp(&l).unwrap();
    assert_eq!(lamp.name, "Test");
    assert!(lamp.capabilities.color_temp);
    assert_eq!(lamp.state.brightness_pct, Some(20.0));
    assert_eq!(dir.lamps().count(), 1);
}

#[test]
fn unreadable_messages_keep_the_last_state_and_never_switch_off() {
    let mut dir = LampDirectory::new(only_tasmota(Vec::new()));
    discover(
        &mut dir,
        "AABBCC000008",
        &config("b", "AABBCC000008", json!([2]), 5, json!({})),
    );
    let l = id("stat/b/POWER");
    dir.handle_message("stat/b/RESULT", br#"{"POWER":"ON","Dimmer":50}"#, false);
    for junk in [&b"{oops"[..], b"TOGGLE", b"[1,2]"] {
        dir.handle_message("stat/b/RESULT", junk, false);
        dir.handle_message("stat/b/POWER", junk, false);
    }
    // Answers to other commands (Wifi, Status) carry no light keys.
    dir.handle_message(
        "stat/b/RESULT",
        br#"{"Wifi":{"RSSI":80},"Dimmer":"x","HSBColor":"a,b"}"#,
        false,
    );
    let lamp = dir.lamp(&l).unwrap();
    assert_eq!(
        (lamp.state.on, lamp.state.brightness_pct),
        (Some(true), Some(50.0))
    );
}
