//! The whole path in a real browser: the release build served on loopback,
//! lampsim's lamps on a real broker (Mosquitto, rumqttd, RabbitMQ or aedes, chosen by
//! LAMPBOARD_E2E_BROKER), checked by an independent MQTT client.
//!
//! Run through `cargo xtask test`, which builds dist/ and lampsim first.

use std::time::Duration;

use e2e::{broker_kind, Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

/// Every card of lampsim's default house.
const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(30);

struct World {
    broker: Broker,
    _lampsim: Lampsim,
    _server: StaticServer,
    observer: Observer,
    session: Session,
}

async fn world(width: u32, height: u32) -> World {
    let dist = e2e::repo_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first (cargo xtask test does)"
    );
    let broker = Broker::start(broker_kind());
    // RabbitMQ never sends retained messages to wildcard subscriptions, and a fresh
    // page knows no exact topic yet: its lamps appear as they announce themselves, so
    // there the page subscribes first and lampsim starts after (README, "RabbitMQ").
    let page_first = broker.kind == BrokerKind::Rabbitmq;
    let early = (!page_first).then(|| Lampsim::start(&broker, &["--quiet"]));
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "#").await;
    let session =
        Session::start(&format!("http://127.0.0.1:{}/", server.port), width, height).await;
    session.open_app(&broker.ws_url()).await;
    let lampsim = match early {
        Some(lampsim) => lampsim,
        None => {
            session.wait_listening(LONG).await;
            Lampsim::start(&broker, &["--quiet"])
        }
    };
    World {
        broker,
        _lampsim: lampsim,
        _server: server,
        observer,
        session,
    }
}

async fn wait_connected_with_all_lamps(w: &World) {
    wait_status(w, "connected", "status line says connected").await;
    w.session
        .wait_until(
            &format!("{LAMPS} lamp cards"),
            &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}"),
            LONG,
        )
        .await;
}

/// The id (topic) of the first card whose id starts with `prefix`.
async fn first_card(w: &World, prefix: &str) -> String {
    let v = w
        .session
        .js(&format!(
            "const c = [...document.querySelectorAll('article.lamp-card')].find(c => (c.dataset.lamp || '').startsWith('{prefix}')); return c ? c.dataset.lamp : null;"
        ))
        .await;
    v.as_str()
        .unwrap_or_else(|| panic!("no card whose lamp id starts with {prefix}"))
        .to_owned()
}

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

async fn switch_state(w: &World, id: &str) -> Option<bool> {
    let v = w.session.js(&format!("const c = {}; return c ? c.querySelector('.switch').getAttribute('aria-checked') : null;", card(id))).await;
    v.as_str().map(|s| s == "true")
}

async fn click_switch(w: &World, id: &str) {
    w.session
        .js(&format!(
            "{}.querySelector('.switch').click(); return true;",
            card(id)
        ))
        .await;
}

/// Waits until the card's switch shows `on`, saying `what` if it never does.
async fn wait_switch(w: &World, id: &str, on: bool, what: &str) {
    let js = format!(
        "{}.querySelector('.switch').getAttribute('aria-checked') === '{on}'",
        card(id)
    );
    w.session.wait_until(what, &js, LONG).await;
}

/// Waits until the status line is in `state` (its data-status).
async fn wait_status(w: &World, state: &str, what: &str) {
    let js = format!("document.querySelector('.status-line[data-status=\"{state}\"]')");
    w.session.wait_until(what, &js, LONG).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn page_loads_without_console_errors_connects_and_shows_every_lamp_by_room() {
    let w = world(1280, 900).await;
    wait_connected_with_all_lamps(&w).await;
    let rooms = w
        .session
        .js("return document.querySelectorAll('section.room').length")
        .await;
    assert!(
        rooms.as_u64().unwrap_or(0) >= 4,
        "lamps grouped in at least 4 rooms, got {rooms}"
    );
    // Every seed lamp sits under its room's heading.
    let misplaced = w
        .session
        .js("return [...document.querySelectorAll('section.room')].flatMap(s => { const room = s.querySelector('h2').textContent.trim().toLowerCase(); return [...s.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp).filter(id => id.startsWith('smarthome/') && id.split('/')[1].toLowerCase() !== room); })")
        .await;
    assert_eq!(
        misplaced,
        serde_json::json!([]),
        "seed lamps under the wrong room"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    w.session.screenshot("dashboard-desktop").await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn phone_layout_shows_the_lamps() {
    let w = world(390, 844).await;
    wait_connected_with_all_lamps(&w).await;
    let overflow = w
        .session
        .js("return document.documentElement.scrollWidth > window.innerWidth")
        .await;
    assert_eq!(
        overflow,
        serde_json::json!(false),
        "the page scrolls sideways on a phone"
    );
    w.session.screenshot("dashboard-phone").await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_toggle_reaches_the_lamp_as_retained_json() {
    let w = world(1280, 900).await;
    wait_connected_with_all_lamps(&w).await;
    let id = first_card(&w, "smarthome/").await;
    let before = switch_state(&w, &id).await.expect("the card has a switch");
    click_switch(&w, &id).await;
    let want = if before { "OFF" } else { "ON" };
    let got = w
        .observer
        .wait_json(&id, LONG, |v| v["state"] == want)
        .await;
    assert!(
        got.is_ok(),
        "lamp {id} did not receive state {want}: last {got:?}"
    );
    wait_switch(&w, &id, !before, "the card shows the new state").await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_colour_choice_publishes_the_right_retained_json() {
    let w = world(1280, 900).await;
    wait_connected_with_all_lamps(&w).await;
    let id = first_card(&w, "smarthome/").await;
    // The fine controls are in the lamp's sheet, opened from its tile.
    e2e::sheet::open_sheet(&w.session, &id).await;
    w.session
        .wait_until(
            "the lamp's sheet",
            "!!document.querySelector('dialog.lamp-sheet[open] .sheet-body input[type=color]')",
            LONG,
        )
        .await;
    w.session
        .js("const i = document.querySelector('dialog.lamp-sheet .sheet-body input[type=color]'); i.value = '#00ffff'; i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new Event('change', {bubbles: true})); return true;")
        .await;
    let got = w
        .observer
        .wait_json(&id, LONG, |v| {
            v["color"]["r"] == 0 && v["color"]["g"] == 255 && v["color"]["b"] == 255
        })
        .await;
    assert!(
        got.is_ok(),
        "lamp {id} did not turn turquoise: last {got:?}"
    );
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_by_another_client_updates_the_card() {
    let w = world(1280, 900).await;
    wait_connected_with_all_lamps(&w).await;
    let id = first_card(&w, "smarthome/").await;
    let before = switch_state(&w, &id).await.expect("a switch");
    let state = if before { "OFF" } else { "ON" };
    w.observer
        .publish(
            &id,
            &format!(r#"{{"state":"{state}","color":{{"r":255,"g":0,"b":0}}}}"#),
            true,
        )
        .await;
    wait_switch(&w, &id, !before, "the card follows the other client").await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn home_assistant_and_zigbee2mqtt_lamps_obey_through_their_command_topics() {
    let w = world(1280, 900).await;
    wait_connected_with_all_lamps(&w).await;
    for prefix in ["homeassistant/", "zigbee2mqtt/"] {
        let id = first_card(&w, prefix).await;
        let before = switch_state(&w, &id).await.unwrap_or(false);
        click_switch(&w, &id).await;
        w.session
            .wait_until(
                &format!("{prefix} lamp {id} echoes its new state"),
                &format!(
                    "{c}.querySelector('.switch').getAttribute('aria-checked') === '{want}' && {c}.querySelector('.delivery').dataset.delivery !== 'pending'",
                    c = card(&id),
                    want = !before
                ),
                LONG,
            )
            .await;
    }
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_broker_restarts_the_page_retries_reconnects_and_queued_commands_arrive() {
    let mut w = world(1280, 900).await;
    wait_connected_with_all_lamps(&w).await;
    let id = first_card(&w, "smarthome/").await;
    let before = switch_state(&w, &id).await.expect("a switch");
    w.broker.kill();
    wait_status(&w, "retrying", "the status line shows it is retrying").await;
    w.session.screenshot("broker-down").await;
    click_switch(&w, &id).await;
    w.broker.restart();
    wait_status(&w, "connected", "reconnected").await;
    let want = if before { "OFF" } else { "ON" };
    let got = w
        .observer
        .wait_json(&id, LONG, |v| v["state"] == want)
        .await;
    assert!(
        got.is_ok(),
        "the command made while the broker was down did not arrive: last {got:?}"
    );
    w.session
        .wait_until(
            &format!("{LAMPS} current cards after the restart"),
            &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}"),
            LONG,
        )
        .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_reload_every_lamp_comes_back_live_with_its_retained_state() {
    // On RabbitMQ, which withholds retained messages from wildcards, the lamps known
    // from the last visit come back through exact subscriptions; elsewhere through
    // the wildcards (each shown once although both match).
    let w = world(1280, 900).await;
    wait_connected_with_all_lamps(&w).await;
    // The snapshot is written at most once a second.
    w.session
        .wait_until(
            "the offline snapshot holds the lamps",
            "(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('lampboard.snapshot.'))) || '').split('smarthome/').length > 12",
            LONG,
        )
        .await;
    w.session.client.refresh().await.expect("reload");
    wait_connected_with_all_lamps(&w).await;
    w.session
        .wait_until(
            "every card is live again (none greyed as last known state)",
            &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS} && !document.querySelector('article.lamp-card.is-stale')"),
            LONG,
        )
        .await;
    if w.broker.kind == BrokerKind::Rabbitmq {
        w.session
            .wait_until(
                "the notice says the broker withholds retained messages from wildcards",
                "(document.querySelector('.notice') || {textContent: ''}).textContent.includes('does not send retained messages to wildcard subscriptions')",
                LONG,
            )
            .await;
        w.session.screenshot("rabbitmq-withheld-notice").await;
    }
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_broker_url_says_so_in_words() {
    let w = world(1280, 900).await;
    // Nothing listens there: the status line must say it is retrying, in words.
    let closed = e2e::free_port();
    w.session
        .open_app(&format!("ws://127.0.0.1:{closed}/mqtt"))
        .await;
    wait_status(&w, "retrying", "retrying after a refused connection").await;
    let text = w.session.text(".status-line").await;
    assert!(text.contains("retrying in"), "status line: {text}");
    assert!(
        text.contains(&format!("ws://127.0.0.1:{closed}/mqtt")),
        "the status names the URL: {text}"
    );
    let hint = w.session.text(".unreachable-hint").await;
    assert!(
        hint.contains("/ws for RabbitMQ") && hint.contains(&format!("port {closed}")),
        "the form says what to check: {hint}"
    );
    w.session.screenshot("wrong-url").await;
    w.session.close().await;
}
