//! Tasmota end to end: lampsim's RGBCCT bulb and SetOption68 two-channel controller, found
//! by Tasmota's own discovery on a real Mosquitto, filled by the app's `State` query (Tasmota
//! retains none of its answers), and commanded in Tasmota's own format (`cmnd/<t>/Power`,
//! `Dimmer`, `Color2`, `CT`, `Scheme`, `Power2`, `Channel2`), checked by an independent MQTT
//! client; each tile and lamp sheet follows the RESULT the device answers with.
//!
//! Run through `cargo xtask test` (Mosquitto), which builds dist/ and lampsim first.

use std::time::Duration;

use e2e::expect::expect_text;
use e2e::sheet::{card, click_switch, control_value, set_control, wait_confirmed, wait_control};
use e2e::{Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

const LONG: Duration = Duration::from_secs(30);
const BULB: &str = "stat/tasmota_A1B2C3/POWER";
const LEFT: &str = "stat/tasmota_D4E5F6/POWER1";
const RIGHT: &str = "stat/tasmota_D4E5F6/POWER2";

struct World {
    _broker: Broker,
    _lampsim: Lampsim,
    _server: StaticServer,
    observer: Observer,
    session: Session,
}

async fn world() -> World {
    let dist = e2e::repo_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first (cargo xtask test does)"
    );
    let broker = Broker::start(BrokerKind::Mosquitto);
    let lampsim = Lampsim::start(&broker, &["--quiet", "--flap-every", "0"]);
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "#").await;
    let session = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    session.open_app(&broker.ws_url()).await;
    World {
        _broker: broker,
        _lampsim: lampsim,
        _server: server,
        observer,
        session,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tasmota_lights_appear_in_their_room_filled_by_the_state_query() {
    let w = world().await;
    for (id, name, state) in [
        (BULB, "Hallway Bulb", "on"),
        (LEFT, "Cabinet Left", "on"),
        (RIGHT, "Cabinet Right", "off"),
    ] {
        wait_confirmed(&w.session, id, state, &format!("{name} reads {state}")).await;
        let facts = w
            .session
            .js(&format!(
                "const c = {}; return [c.querySelector('.tile-name').textContent.trim(), c.closest('section.room').querySelector('h2').textContent.trim()]",
                card(id)
            ))
            .await;
        assert_eq!(facts, serde_json::json!([name, "Tasmota"]), "{id}");
    }
    // The cards filled from the answers to `State`, not from retained messages.
    expect_text(
        &w.observer,
        "cmnd/tasmota_A1B2C3/State",
        "",
        "the bulb is asked for its state",
    )
    .await;
    expect_text(
        &w.observer,
        "cmnd/tasmota_D4E5F6/State",
        "",
        "the controller is asked",
    )
    .await;
    w.session.screenshot("firmware-tasmota-desktop").await;
    // The fine controls are in the lamp's sheet, opened from its tile.
    wait_control(
        &w.session,
        BULB,
        "input.brightness",
        "60",
        "the bulb's sheet shows Tasmota's dimmer 60",
    )
    .await;
    let total = w
        .session
        .js("return document.querySelectorAll('article.lamp-card').length")
        .await;
    assert_eq!(total, serde_json::json!(e2e::LAMPSIM_CARDS));
    // Let the sheet finish its entrance before the picture.
    tokio::time::sleep(Duration::from_millis(400)).await;
    w.session.screenshot("firmware-tasmota-sheet-desktop").await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bulb_takes_power_dimmer_colour_ct_and_scheme_commands() {
    let w = world().await;
    let cmnd = |c: &str| format!("cmnd/tasmota_A1B2C3/{c}");
    wait_confirmed(&w.session, BULB, "on", "the bulb starts on").await;
    click_switch(&w.session, BULB).await;
    expect_text(&w.observer, &cmnd("Power"), "OFF", "off").await;
    wait_confirmed(&w.session, BULB, "off", "the card follows the RESULT").await;
    set_control(&w.session, BULB, "input.brightness", "50").await;
    expect_text(&w.observer, &cmnd("Dimmer"), "50", "brightness").await;
    wait_confirmed(&w.session, BULB, "on", "a dimmer powers the bulb on").await;
    set_control(&w.session, BULB, "input.color-input", "#0000ff").await;
    expect_text(
        &w.observer,
        &cmnd("Color2"),
        "0,0,255",
        "colour at the current dimmer",
    )
    .await;
    set_control(&w.session, BULB, "input.color-temp", "300").await;
    expect_text(
        &w.observer,
        &cmnd("CT"),
        "300",
        "colour temperature in mireds",
    )
    .await;
    set_control(&w.session, BULB, "select.effect-select", "Cycle up").await;
    expect_text(
        &w.observer,
        &cmnd("Scheme"),
        "2",
        "an effect is a scheme number",
    )
    .await;
    wait_control(
        &w.session,
        BULB,
        "select.effect-select",
        "Cycle up",
        "the sheet shows the scheme the bulb reports",
    )
    .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_channel_of_the_controller_is_its_own_lamp() {
    let w = world().await;
    wait_confirmed(&w.session, RIGHT, "off", "the right channel starts off").await;
    click_switch(&w.session, RIGHT).await;
    expect_text(
        &w.observer,
        "cmnd/tasmota_D4E5F6/Power2",
        "ON",
        "the second output",
    )
    .await;
    wait_confirmed(&w.session, RIGHT, "on", "the right card follows POWER2").await;
    set_control(&w.session, LEFT, "input.brightness", "25").await;
    expect_text(
        &w.observer,
        "cmnd/tasmota_D4E5F6/Channel1",
        "25",
        "SetOption68: Channel1",
    )
    .await;
    wait_control(
        &w.session,
        LEFT,
        "input.brightness",
        "25",
        "the left sheet shows its channel",
    )
    .await;
    let right = control_value(&w.session, RIGHT, "input.brightness").await;
    assert_eq!(
        right,
        serde_json::json!("70"),
        "the other channel keeps its level"
    );
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_without_discovery_is_added_by_its_topic_in_settings() {
    let w = world().await;
    wait_confirmed(&w.session, BULB, "on", "the house is there").await;
    w.session.open_settings().await;
    w.session
        .wait_for_css(".drawer input[name=\"tasmota_topics\"]", LONG)
        .await;
    w.session.type_setting("tasmota_topics", "porch").await;
    w.session
        .js("document.querySelector('.drawer input[name=\"tasmota_topics\"]').scrollIntoView({block: 'center'}); return true;")
        .await;
    w.session.screenshot("firmware-settings-drawer").await;
    w.session.save_and_connect().await;
    // The device's retained last will makes it known; the app then asks for its state.
    w.observer.publish("tele/porch/LWT", "Online", true).await;
    let porch = "stat/porch/POWER";
    w.session
        .wait_until(&format!("a card for {porch}"), &card(porch), LONG)
        .await;
    expect_text(
        &w.observer,
        "cmnd/porch/State",
        "",
        "the listed device is asked",
    )
    .await;
    w.observer
        .publish("stat/porch/RESULT", r#"{"POWER":"ON","Dimmer":40}"#, false)
        .await;
    wait_confirmed(&w.session, porch, "on", "the answer fills the card").await;
    let facts = w
        .session
        .js(&format!(
            "const c = {}; c.scrollIntoView(); return [c.querySelector('.tile-name').textContent.trim(), c.closest('section.room').querySelector('h2').textContent.trim()]",
            card(porch)
        ))
        .await;
    assert_eq!(facts, serde_json::json!(["porch", "Tasmota"]));
    // The dimmer it reported is now a control, and it speaks Tasmota.
    set_control(&w.session, porch, "input.brightness", "70").await;
    expect_text(&w.observer, "cmnd/porch/Dimmer", "70", "a learned control").await;
    w.session.close().await;
}
