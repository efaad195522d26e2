//! Shelly end to end: lampsim's Gen1 RGBW2 (retained statuses), Gen1 Bulb RGBW (nothing
//! retained: found only because the app asks `announce` on `shellies/command`) and Gen2 Plus
//! RGBW PM (found from its retained `online` and a `Shelly.GetStatus` RPC) on a real
//! Mosquitto, through the release build in headless Chromium. An independent MQTT client
//! checks each control's message in the firmware's own format (plain `on`/`off` on
//! `/command`, `/set` JSON, JSON-RPC frames on `<prefix>/rpc`); the tile and the lamp sheet
//! show the answer.
//!
//! Run through `cargo xtask test` (Mosquitto), which builds dist/ and lampsim first.

use std::time::Duration;

use e2e::expect::{expect_payload, text_is};
use e2e::sheet::{
    card, click_switch, close_sheet, open_sheet, set_control, sheet, wait_confirmed, wait_control,
};
use e2e::{Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};
use serde_json::{json, Value};

const LONG: Duration = Duration::from_secs(30);

const RGBW2: &str = "shellies/shellyrgbw2-4A1B2C/color/0";
const BULB: &str = "shellies/shellycolorbulb-3C61A1/color/0";
const PLUS_PREFIX: &str = "shellyplusrgbwpm-a0b1c2d3e4f5";
const PLUS: &str = "shellyplusrgbwpm-a0b1c2d3e4f5/status/rgbw:0";

struct World {
    _broker: Broker,
    _lampsim: Lampsim,
    _server: StaticServer,
    observer: Observer,
    session: Session,
}

async fn world() -> World {
    world_sized(1280, 900).await
}

async fn world_sized(width: u32, height: u32) -> World {
    let dist = e2e::repo_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first (cargo xtask test does)"
    );
    let broker = Broker::start(BrokerKind::Mosquitto);
    let lampsim = Lampsim::start(&broker, &["--quiet", "--flap-every", "0"]);
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "#").await;
    let session =
        Session::start(&format!("http://127.0.0.1:{}/", server.port), width, height).await;
    session.open_app(&broker.ws_url()).await;
    World {
        _broker: broker,
        _lampsim: lampsim,
        _server: server,
        observer,
        session,
    }
}

/// The payload is JSON and each `(key, value)` pair is in it.
fn json_with(pairs: Value) -> impl Fn(&[u8]) -> bool {
    move |p| {
        let Ok(v) = serde_json::from_slice::<Value>(p) else {
            return false;
        };
        pairs
            .as_object()
            .is_some_and(|want| want.iter().all(|(k, x)| &v[k] == x))
    }
}

/// An RGBW.Set frame from Lampboard with exactly these params.
fn rpc_set(params: Value) -> impl Fn(&[u8]) -> bool {
    move |p| {
        serde_json::from_slice::<Value>(p).is_ok_and(|v| {
            v["method"] == "RGBW.Set"
                && v["src"] == "lampboard"
                && v["id"].is_u64()
                && v["params"] == params
        })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_shelly_appears_in_the_shelly_room_with_its_state() {
    let w = world().await;
    for id in [RGBW2, BULB, PLUS] {
        w.session
            .wait_until(&format!("a card for {id}"), &card(id), LONG)
            .await;
    }
    // The app asked every Gen1 device to announce itself and report.
    expect_payload(
        &w.observer,
        "shellies/command",
        "announce on connect",
        text_is("announce"),
    )
    .await;
    expect_payload(
        &w.observer,
        "shellies/announce",
        "the bulb announces",
        |p| serde_json::from_slice::<Value>(p).is_ok_and(|v| v["model"] == "SHCB-1"),
    )
    .await;
    expect_payload(
        &w.observer,
        &format!("{PLUS_PREFIX}/rpc"),
        "Shelly.GetStatus for the Gen2 device",
        json_with(json!({"method": "Shelly.GetStatus", "src": "lampboard"})),
    )
    .await;
    wait_confirmed(&w.session, RGBW2, "on", "the RGBW2 is on").await;
    wait_confirmed(&w.session, BULB, "off", "the bulb is off").await;
    wait_confirmed(&w.session, PLUS, "on", "the Plus RGBW is on").await;
    let rooms = w
        .session
        .js(&format!(
            "return [{:?}, {:?}, {:?}].map(id => document.querySelector(`article.lamp-card[data-lamp=\"${{id}}\"]`).closest('section.room').querySelector('h2').textContent.trim())",
            RGBW2, BULB, PLUS
        ))
        .await;
    assert_eq!(rooms, json!(["Shelly", "Shelly", "Shelly"]));
    // The RGBW2 offers its four effects, the Gen2 none; the bulb a white range (the fine
    // controls are in each lamp's sheet, opened from its tile).
    let mut offers = Vec::new();
    for (id, js) in [
        (
            RGBW2,
            "b.querySelectorAll('select.effect-select option').length",
        ),
        (PLUS, "!!b.querySelector('select.effect-select')"),
        (BULB, "!!b.querySelector('input.color-temp')"),
    ] {
        open_sheet(&w.session, id).await;
        w.session
            .wait_until(
                &format!("{id}'s sheet has its controls"),
                &format!("{}?.querySelector('input.brightness')", sheet(id)),
                LONG,
            )
            .await;
        offers.push(
            w.session
                .js(&format!("const b = {}; return b ? {js} : null", sheet(id)))
                .await,
        );
    }
    let offers = Value::Array(offers);
    assert_eq!(offers[1], json!(false), "{offers}");
    assert_eq!(offers[2], json!(true), "{offers}");
    assert!(offers[0].as_u64().unwrap_or(0) >= 4, "{offers}");
    let total = w
        .session
        .js("return document.querySelectorAll('article.lamp-card').length")
        .await;
    assert_eq!(total, json!(e2e::LAMPSIM_CARDS), "every lamp of the house");
    // Let the sheet finish its entrance before the picture.
    tokio::time::sleep(Duration::from_millis(400)).await;
    w.session.screenshot("firmware-shelly-sheet-desktop").await;
    close_sheet(&w.session).await;
    w.session
        .js(&format!("{}.scrollIntoView(); return true;", card(BULB)))
        .await;
    w.session.screenshot("firmware-shelly-desktop").await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn gen1_rgbw2_and_bulb_obey_in_gen1s_own_format() {
    let w = world().await;
    wait_confirmed(&w.session, RGBW2, "on", "the RGBW2 is on").await;
    click_switch(&w.session, RGBW2).await;
    expect_payload(
        &w.observer,
        &format!("{RGBW2}/command"),
        "plain off",
        text_is("off"),
    )
    .await;
    wait_confirmed(&w.session, RGBW2, "off", "the card follows the status").await;
    set_control(&w.session, RGBW2, "input.brightness", "50").await;
    expect_payload(
        &w.observer,
        &format!("{RGBW2}/set"),
        "gain in colour mode",
        json_with(json!({"turn": "on", "gain": 50})),
    )
    .await;
    wait_confirmed(&w.session, RGBW2, "on", "a brightness turns it on").await;
    set_control(&w.session, RGBW2, "input.color-input", "#0000ff").await;
    expect_payload(
        &w.observer,
        &format!("{RGBW2}/set"),
        "red/green/blue",
        json_with(json!({"turn": "on", "red": 0, "green": 0, "blue": 255})),
    )
    .await;
    set_control(&w.session, RGBW2, "select.effect-select", "Flash").await;
    expect_payload(
        &w.observer,
        &format!("{RGBW2}/set"),
        "effect by number",
        json_with(json!({"effect": 3})),
    )
    .await;
    wait_control(
        &w.session,
        RGBW2,
        "select.effect-select",
        "Flash",
        "the sheet shows the effect the status reports",
    )
    .await;
    // The bulb: a colour temperature switches it to white mode with `temp` in kelvin.
    wait_confirmed(&w.session, BULB, "off", "the bulb is off").await;
    set_control(&w.session, BULB, "input.color-temp", "250").await;
    expect_payload(
        &w.observer,
        &format!("{BULB}/set"),
        "white mode, 4000 K",
        json_with(json!({"turn": "on", "mode": "white", "temp": 4000})),
    )
    .await;
    wait_confirmed(&w.session, BULB, "on", "the bulb is on in white mode").await;
    expect_payload(
        &w.observer,
        &format!("{BULB}/status"),
        "the bulb reports white mode",
        |p| {
            serde_json::from_slice::<Value>(p)
                .is_ok_and(|v| v["mode"] == "white" && v["temp"] == 4000)
        },
    )
    .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn gen2_obeys_rpc_and_a_refused_command_is_said_in_its_sheet() {
    let w = world().await;
    wait_confirmed(&w.session, PLUS, "on", "the Plus RGBW is on").await;
    let rpc = format!("{PLUS_PREFIX}/rpc");
    // Whether the Plus RGBW's sheet (open) says a note; null while it is not shown.
    let has_note = format!(
        "const b = {}; return b ? !!b.querySelector('.lamp-note') : null",
        sheet(PLUS)
    );
    click_switch(&w.session, PLUS).await;
    expect_payload(
        &w.observer,
        &rpc,
        "off",
        rpc_set(json!({"id": 0, "on": false})),
    )
    .await;
    wait_confirmed(&w.session, PLUS, "off", "the card follows the status").await;
    set_control(&w.session, PLUS, "input.brightness", "30").await;
    expect_payload(
        &w.observer,
        &rpc,
        "brightness",
        rpc_set(json!({"id": 0, "on": true, "brightness": 30})),
    )
    .await;
    wait_confirmed(&w.session, PLUS, "on", "on again").await;
    set_control(&w.session, PLUS, "input.color-input", "#ff0000").await;
    expect_payload(
        &w.observer,
        &rpc,
        "colour",
        rpc_set(json!({"id": 0, "on": true, "rgb": [255, 0, 0]})),
    )
    .await;
    expect_payload(
        &w.observer,
        "lampboard/rpc",
        "the device answers Lampboard's src",
        json_with(json!({"src": PLUS_PREFIX, "dst": "lampboard", "result": null})),
    )
    .await;
    open_sheet(&w.session, PLUS).await;
    assert_eq!(
        w.session.js(&has_note).await,
        json!(false),
        "generic status is on: no note"
    );
    // Every change answered (the colour picker may send its final value twice), so nothing
    // later clears what comes next.
    let answered = |w: &World| {
        let sets = w
            .observer
            .payloads(&rpc)
            .iter()
            .filter(|p| rpc_set_any(p))
            .count();
        let replies = w
            .observer
            .payloads("lampboard/rpc")
            .iter()
            .filter(|p| serde_json::from_slice::<Value>(p).is_ok_and(|v| v["result"].is_null()))
            .count();
        sets == replies
    };
    for _ in 0..50 {
        if answered(&w) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(answered(&w), "every RGBW.Set has its reply");
    // A reply with an error (as the firmware sends for a bad argument) reaches the card.
    let id = w
        .observer
        .json(&rpc)
        .and_then(|v| v["id"].as_u64())
        .expect("the last frame's id");
    w.observer
        .publish(
            "lampboard/rpc",
            &json!({"id": id, "src": PLUS_PREFIX, "dst": "lampboard",
                "error": {"code": -103, "message": "Invalid argument 'rgb'!"}})
            .to_string(),
            false,
        )
        .await;
    w.session
        .wait_until(
            "the refusal in words in the lamp's sheet",
            &format!(
                "{}?.querySelector('.lamp-note')?.textContent.includes(\"Invalid argument 'rgb'!\")",
                sheet(PLUS)
            ),
            LONG,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        w.session.js(&has_note).await,
        json!(true),
        "the refusal stays until the next good reply"
    );
    w.session.screenshot("firmware-shelly-refused").await;
    w.session.close().await;
}

/// Any RGBW.Set frame.
fn rpc_set_any(p: &[u8]) -> bool {
    serde_json::from_slice::<Value>(p).is_ok_and(|v| v["method"] == "RGBW.Set")
}

async fn set_theme(w: &World, theme: &str) {
    w.session
        .js(&format!(
            "document.documentElement.setAttribute('data-theme', '{theme}'); return true;"
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_shelly_cards_read_and_each_generation_switches_off_in_settings() {
    let w = world_sized(390, 844).await;
    for id in [RGBW2, BULB, PLUS] {
        w.session
            .wait_until(&format!("a card for {id}"), &card(id), LONG)
            .await;
    }
    let names = w
        .session
        .js(&format!(
            "return [{c1}, {c2}, {c3}].map(c => c.querySelector('.tile-name').textContent.trim())",
            c1 = card(RGBW2),
            c2 = card(BULB),
            c3 = card(PLUS)
        ))
        .await;
    assert_eq!(
        names,
        json!(["RGBW2 4A1B2C", "Bulb RGBW 3C61A1", "Plus RGBW PM d3e4f5"])
    );
    w.session
        .js(&format!("{}.scrollIntoView(); return true;", card(BULB)))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.session.screenshot("firmware-shelly-phone").await;
    set_theme(&w, "dark").await;
    w.session.screenshot("firmware-shelly-phone-dark").await;
    set_theme(&w, "light").await;
    // Settings: Gen1 off takes its cards away, Gen2 stays.
    w.session.open_settings().await;
    let boxes = w
        .session
        .js("return ['shelly_gen1', 'shelly_gen2'].map(n => { const i = document.querySelector(`.drawer input[name=\"${n}\"]`); return i ? i.checked : null; })")
        .await;
    assert_eq!(boxes, json!([true, true]), "both switches, on");
    w.session
        .js("document.querySelector('.drawer input[name=\"shelly_gen2\"]').scrollIntoView({block: 'center'}); return true;")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.session.screenshot("firmware-shelly-settings-phone").await;
    w.session
        .js("const i = document.querySelector('.drawer input[name=\"shelly_gen1\"]'); i.click(); return true;")
        .await;
    w.session.save_and_connect().await;
    w.session
        .wait_until(
            "the Gen1 cards go, the Gen2 card stays",
            &format!("!{} && !{} && !!{}", card(RGBW2), card(BULB), card(PLUS)),
            LONG,
        )
        .await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}
