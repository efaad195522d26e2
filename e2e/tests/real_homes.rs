//! Real homes' lamps end to end: lampsim's Home Assistant lamps of every schema (default with
//! templates, JSON, template, device discovery), a lamp whose availability flaps, and
//! Zigbee2MQTT's two-channel dimmer and group, on a real Mosquitto, driven through the
//! release build in headless Chromium. An independent MQTT client checks that every control
//! reaches the lamp in its own system's format, and the card shows what the lamp answers.
//!
//! Run through `cargo xtask test` (Mosquitto), which builds dist/ and lampsim first.

use std::time::Duration;

use e2e::expect::{expect_payload, text_is};
use e2e::sheet::{card, click_switch, set_control, sheet, wait_confirmed};
use e2e::{Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

const LONG: Duration = Duration::from_secs(30);

const TASMOTA: &str = "homeassistant/light/lampsim_tasmota_bulb/config";
const TEMPLATE: &str = "homeassistant/light/lampsim_template_lamp/config";
const PORCH: &str = "homeassistant/light/lampsim_porch_light/config";
const PENDANT_PREFIX: &str = "homeassistant/device/lampsim_pendant/";
const DIMMER_PREFIX: &str = "zigbee2mqtt/living/dimmer";
const GROUP: &str = "zigbee2mqtt/house/all";
const DESK_STRIP: &str = "homeassistant/light/lampsim_desk_strip/config";

struct World {
    _broker: Broker,
    _lampsim: Lampsim,
    _server: StaticServer,
    observer: Observer,
    session: Session,
}

async fn world(lampsim_args: &[&str]) -> World {
    let dist = e2e::repo_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first (cargo xtask test does)"
    );
    let broker = Broker::start(BrokerKind::Mosquitto);
    let mut args = vec!["--quiet"];
    args.extend_from_slice(lampsim_args);
    let lampsim = Lampsim::start(&broker, &args);
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

/// Ids of the cards whose id starts with `prefix`, in page order.
async fn cards_starting(w: &World, prefix: &str) -> Vec<String> {
    let v = w
        .session
        .js(&format!(
            "return [...document.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp).filter(id => id.startsWith('{prefix}'))"
        ))
        .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn wait_card(w: &World, id: &str) {
    w.session
        .wait_until(&format!("a card for {id}"), &card(id), LONG)
        .await;
}

fn json_has(key: &'static str, want: serde_json::Value) -> impl Fn(&[u8]) -> bool {
    move |p| {
        serde_json::from_slice::<serde_json::Value>(p)
            .ok()
            .is_some_and(|v| v[key] == want)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_real_home_lamp_appears_with_its_state() {
    let w = world(&["--flap-every", "0"]).await;
    for id in [TASMOTA, TEMPLATE, PORCH, GROUP] {
        wait_card(&w, id).await;
    }
    w.session
        .wait_until(
            "one card per endpoint of the two-channel dimmer",
            &format!("[...document.querySelectorAll('article.lamp-card')].filter(c => c.dataset.lamp.startsWith('{DIMMER_PREFIX}')).length === 2"),
            LONG,
        )
        .await;
    w.session
        .wait_until(
            "the device-discovery pendant",
            &format!("[...document.querySelectorAll('article.lamp-card')].some(c => c.dataset.lamp.startsWith('{PENDANT_PREFIX}'))"),
            LONG,
        )
        .await;
    // What the lamps first say: the Tasmota bulb `"POWER":"1"` (payload_on 1), the template
    // lamp `"state":"on"`, the dimmer's l1 on and l2 off.
    wait_confirmed(
        &w.session,
        TASMOTA,
        "on",
        "the default-schema bulb reads as on",
    )
    .await;
    wait_confirmed(&w.session, TEMPLATE, "on", "the template lamp reads as on").await;
    let dimmer = cards_starting(&w, DIMMER_PREFIX).await;
    let states = w
        .session
        .js(&format!(
            "return [...document.querySelectorAll('article.lamp-card')].filter(c => c.dataset.lamp.startsWith('{DIMMER_PREFIX}')).map(c => c.dataset.confirmed)"
        ))
        .await;
    assert_eq!(states, serde_json::json!(["on", "off"]), "{dimmer:?}");
    let total = w
        .session
        .js("return document.querySelectorAll('article.lamp-card').length")
        .await;
    assert_eq!(
        total,
        serde_json::json!(e2e::LAMPSIM_CARDS),
        "every lamp of the house"
    );
    w.session.screenshot("real-homes-desktop").await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn home_assistant_default_schema_lamp_gets_its_own_payloads_on_its_own_topics() {
    let w = world(&["--flap-every", "0"]).await;
    wait_confirmed(&w.session, TASMOTA, "on", "the bulb is on").await;
    click_switch(&w.session, TASMOTA).await;
    expect_payload(
        &w.observer,
        "cmnd/lampsim_tasmota_bulb/POWER",
        "off is payload_off",
        text_is("0"),
    )
    .await;
    wait_confirmed(
        &w.session,
        TASMOTA,
        "off",
        "the card follows the bulb's telemetry",
    )
    .await;
    // With on_command_type: brightness, a brightness is the Dimmer topic alone (scale 100).
    set_control(&w.session, TASMOTA, "input.brightness", "50").await;
    expect_payload(
        &w.observer,
        "cmnd/lampsim_tasmota_bulb/Dimmer",
        "brightness",
        text_is("50"),
    )
    .await;
    wait_confirmed(&w.session, TASMOTA, "on", "a brightness turns the bulb on").await;
    set_control(&w.session, TASMOTA, "input.color-input", "#0000ff").await;
    expect_payload(
        &w.observer,
        "cmnd/lampsim_tasmota_bulb/Color",
        "colour as r,g,b",
        text_is("0,0,255"),
    )
    .await;
    set_control(&w.session, TASMOTA, "select.effect-select", "wakeup").await;
    expect_payload(
        &w.observer,
        "cmnd/lampsim_tasmota_bulb/Scheme",
        "effect",
        text_is("wakeup"),
    )
    .await;
    w.session
        .wait_until(
            "the card shows the effect the bulb reports",
            &format!(
                "{}?.querySelector('select.effect-select').value === 'wakeup'",
                sheet(TASMOTA)
            ),
            LONG,
        )
        .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn home_assistant_template_lamp_gets_what_its_templates_render() {
    let w = world(&["--flap-every", "0"]).await;
    let set = "lampsim/lampsim_template_lamp/set";
    wait_confirmed(&w.session, TEMPLATE, "on", "the lamp is on").await;
    // Its templates are rendered by the engine module the page fetched on first need.
    let fetched = w
        .session
        .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/templates-'))")
        .await;
    let fetched: Vec<String> = serde_json::from_value(fetched).unwrap_or_default();
    assert!(
        fetched
            .iter()
            .any(|n| n.ends_with("/lampboard_templates.js"))
            && fetched
                .iter()
                .any(|n| n.ends_with("/lampboard_templates_bg.wasm")),
        "the template engine module was fetched: {fetched:?}"
    );
    click_switch(&w.session, TEMPLATE).await;
    expect_payload(
        &w.observer,
        set,
        "command_off_template",
        json_has("state", "off".into()),
    )
    .await;
    wait_confirmed(&w.session, TEMPLATE, "off", "the card reads state_template").await;
    set_control(&w.session, TEMPLATE, "input.brightness", "50").await;
    expect_payload(
        &w.observer,
        set,
        "brightness",
        json_has("brightness", 128.into()),
    )
    .await;
    wait_confirmed(&w.session, TEMPLATE, "on", "on again").await;
    set_control(&w.session, TEMPLATE, "input.color-input", "#00ff00").await;
    expect_payload(
        &w.observer,
        set,
        "colour",
        json_has("color", serde_json::json!([0, 255, 0])),
    )
    .await;
    set_control(&w.session, TEMPLATE, "select.effect-select", "rainbow").await;
    expect_payload(
        &w.observer,
        set,
        "effect",
        json_has("effect", "rainbow".into()),
    )
    .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn device_discovery_and_json_lamps_take_kelvin_and_effects_in_json() {
    let w = world(&["--flap-every", "0"]).await;
    w.session
        .wait_until(
            "the device-discovery pendant",
            &format!("[...document.querySelectorAll('article.lamp-card')].some(c => c.dataset.lamp.startsWith('{PENDANT_PREFIX}'))"),
            LONG,
        )
        .await;
    let pendant = cards_starting(&w, PENDANT_PREFIX).await.remove(0);
    let set = "lampsim/lampsim_pendant/set";
    wait_confirmed(&w.session, &pendant, "on", "the pendant starts on").await;
    click_switch(&w.session, &pendant).await;
    expect_payload(&w.observer, set, "off", json_has("state", "OFF".into())).await;
    wait_confirmed(&w.session, &pendant, "off", "the pendant's card follows").await;
    // 250 mireds is 4000 K: the pendant announced color_temp_kelvin.
    set_control(&w.session, &pendant, "input.color-temp", "250").await;
    expect_payload(
        &w.observer,
        set,
        "colour temperature in kelvin",
        json_has("color_temp", 4000.into()),
    )
    .await;
    wait_confirmed(
        &w.session,
        &pendant,
        "on",
        "a colour temperature turns it on",
    )
    .await;
    set_control(&w.session, DESK_STRIP, "select.effect-select", "Rainbow").await;
    expect_payload(
        &w.observer,
        "lampsim/lampsim_desk_strip/set",
        "an effect in the JSON schema",
        json_has("effect", "Rainbow".into()),
    )
    .await;
    w.session
        .wait_until(
            "the desk strip's card shows the running effect",
            &format!(
                "{}?.querySelector('select.effect-select').value === 'Rainbow'",
                sheet(DESK_STRIP)
            ),
            LONG,
        )
        .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn zigbee2mqtt_endpoints_and_groups_take_their_own_commands() {
    let w = world(&["--flap-every", "0"]).await;
    w.session
        .wait_until(
            "the dimmer's two endpoints",
            &format!("[...document.querySelectorAll('article.lamp-card')].filter(c => c.dataset.lamp.startsWith('{DIMMER_PREFIX}')).length === 2"),
            LONG,
        )
        .await;
    let dimmer = cards_starting(&w, DIMMER_PREFIX).await;
    let l2 = dimmer.last().expect("the second endpoint").clone();
    wait_confirmed(&w.session, &l2, "off", "l2 starts off").await;
    click_switch(&w.session, &l2).await;
    expect_payload(
        &w.observer,
        "zigbee2mqtt/living/dimmer/set",
        "an endpoint's suffixed key",
        json_has("state_l2", "ON".into()),
    )
    .await;
    wait_confirmed(
        &w.session,
        &l2,
        "on",
        "the endpoint's card follows state_l2",
    )
    .await;
    wait_confirmed(&w.session, GROUP, "on", "the group starts on").await;
    click_switch(&w.session, GROUP).await;
    expect_payload(
        &w.observer,
        "zigbee2mqtt/house/all/set",
        "the group's own set topic",
        json_has("state", "OFF".into()),
    )
    .await;
    wait_confirmed(
        &w.session,
        GROUP,
        "off",
        "the group's card follows its state",
    )
    .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lamp_whose_availability_says_offline_is_unavailable_and_comes_back() {
    let w = world(&["--flap-every", "6", "--flap-for", "3"]).await;
    wait_card(&w, PORCH).await;
    let unavailable = format!("{}.classList.contains('is-unavailable')", card(PORCH));
    // One condition, checked at once: the card can also be unavailable for a moment before
    // its first availability message, and the flap may end between two separate checks.
    w.session
        .wait_until(
            "the porch light goes unavailable, its switch disabled",
            &format!(
                "{unavailable} && {}.querySelector('.switch').disabled",
                card(PORCH)
            ),
            LONG,
        )
        .await;
    w.session.screenshot("real-homes-unavailable").await;
    w.session
        .wait_until(
            "the porch light comes back",
            &format!("!({unavailable})"),
            LONG,
        )
        .await;
    w.session.close().await;
}
