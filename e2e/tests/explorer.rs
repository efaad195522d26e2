//! The Messages tab end to end: the release build against a real broker (Mosquitto in
//! `cargo xtask test`) with lampsim's lamps. Opens Messages, finds a lamp's topic in the
//! tree with its retained payload, publishes to it from the tree and checks the broker got
//! it (an independent MQTT client), counts the compact log's rows on a phone, and saves
//! screenshots at 390 and 1280 px in both themes.

use std::time::Duration;

use e2e::{broker_kind, Broker, Lampsim, Observer, Session, StaticServer};

const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(30);

struct World {
    _broker: Broker,
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
    let lampsim = Lampsim::start(&broker, &["--quiet"]);
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "#").await;
    let session =
        Session::start(&format!("http://127.0.0.1:{}/", server.port), width, height).await;
    session.open_app(&broker.ws_url()).await;
    session
        .wait_until(
            &format!("{LAMPS} lamp cards"),
            &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}"),
            LONG,
        )
        .await;
    World {
        _broker: broker,
        _lampsim: lampsim,
        _server: server,
        observer,
        session,
    }
}

/// The first seed lamp's topic (its card's id).
async fn seed_lamp(w: &World) -> String {
    w.session
        .js("return [...document.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp).find(id => id.startsWith('smarthome/'))")
        .await
        .as_str()
        .expect("a seed lamp")
        .to_owned()
}

async fn click(w: &World, css: &str) {
    w.session
        .js(&format!(
            "document.querySelector({css:?}).click(); return true;"
        ))
        .await;
}

async fn set_theme(w: &World, theme: &str) {
    w.session
        .js(&format!(
            "document.documentElement.setAttribute('data-theme', '{theme}'); return true;"
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
}

fn row(topic: &str) -> String {
    format!(".tree-row[data-topic=\"{topic}\"]")
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_tree_shows_a_lamp_with_its_retained_payload_and_publishes_to_it() {
    let w = world(390, 844).await;
    let lamp = seed_lamp(&w).await;
    click(&w, "button.tab[data-page=\"messages\"]").await;
    let lamp_row = row(&lamp);
    w.session
        .wait_for_css(&format!("{lamp_row} .tree-payload"), LONG)
        .await;
    // Its row shows the start of its last payload, marked retained.
    let preview = w.session.text(&format!("{lamp_row} .tree-payload")).await;
    assert!(
        preview.starts_with('{') && preview.contains("state"),
        "{preview:?}"
    );
    let marked = w
        .session
        .js(&format!(
            "return !!document.querySelector('{lamp_row} .mark.retained')"
        ))
        .await;
    assert_eq!(marked, serde_json::json!(true), "the retained mark");
    // lampsim's house shows whole, every branch open.
    let rows = w
        .session
        .js("return document.querySelectorAll('.tree-row').length")
        .await;
    assert!(rows.as_u64().unwrap_or(0) >= 30, "{rows} tree rows");
    let sideways = w
        .session
        .js("return document.documentElement.scrollWidth > window.innerWidth")
        .await;
    assert_eq!(sideways, serde_json::json!(false), "no sideways scroll");
    w.session.screenshot("explorer-tree-phone-light").await;
    set_theme(&w, "dark").await;
    w.session.screenshot("explorer-tree-phone-dark").await;
    set_theme(&w, "light").await;

    // Tap 1: the topic; tap 2: "Publish to this topic"; then the form is in view, filled.
    click(&w, &format!("{lamp_row} .tree-name")).await;
    w.session
        .wait_for_css(&format!("{lamp_row} .topic-detail .publish-here"), LONG)
        .await;
    // The whole payload is the broker's retained JSON.
    let shown = w
        .session
        .text(&format!("{lamp_row} .topic-detail .detail-payload"))
        .await;
    let shown: serde_json::Value =
        serde_json::from_str(&shown).unwrap_or_else(|e| panic!("{shown:?} is not JSON: {e}"));
    assert_eq!(Some(&shown), w.observer.json(&lamp).as_ref());
    w.session
        .js(&format!(
            "document.querySelector('{lamp_row}').scrollIntoView({{block: 'center'}}); return true;"
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.session.screenshot("explorer-detail-phone-light").await;
    click(&w, &format!("{lamp_row} .publish-here")).await;
    w.session
        .wait_until(
            "the publish form is open, filled and focused",
            &format!(
                "document.querySelector('details.publish-box').open && document.querySelector('input[name=\"publish-topic\"]').value === {lamp:?} && document.activeElement && document.activeElement.name === 'publish-payload'"
            ),
            LONG,
        )
        .await;
    let in_view = w
        .session
        .js("const r = document.querySelector('details.publish-box').getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight")
        .await;
    assert_eq!(
        in_view,
        serde_json::json!(true),
        "the form scrolled into view"
    );
    let retain = w
        .session
        .js("return document.querySelector('input[name=\"publish-retain\"]').checked")
        .await;
    assert_eq!(
        retain,
        serde_json::json!(true),
        "retain as the topic's message was"
    );
    w.session.screenshot("explorer-publish-phone-light").await;
    // Edit the starting point: the opposite state.
    let before = w.observer.json(&lamp).expect("the lamp's retained state");
    let want = if before["state"] == "ON" { "OFF" } else { "ON" };
    let mut next = before.clone();
    next["state"] = serde_json::json!(want);
    let text = next.to_string();
    w.session
        .js(&format!(
            "const t = document.querySelector('textarea[name=\"publish-payload\"]'); t.value = {text:?}; t.dispatchEvent(new Event('input', {{bubbles: true}})); document.querySelector('button.publish').click(); return true;"
        ))
        .await;
    let got = w
        .observer
        .wait_json(&lamp, LONG, |v| v["state"] == want)
        .await;
    assert!(got.is_ok(), "{lamp} did not get state {want}: {got:?}");
    w.session
        .wait_until(
            "the outcome says published",
            "document.querySelector('.publish-form .outcome[data-outcome=\"ok\"]')",
            LONG,
        )
        .await;

    // The compact log: at least 15 rows on the phone's screen.
    click(&w, "button.pane-button[data-pane=\"log\"]").await;
    click(&w, "details.publish-box summary").await;
    w.session.js("window.scrollTo(0, 0); return true;").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let visible = w
        .session
        .js("return [...document.querySelectorAll('.log-row')].filter(r => { const b = r.getBoundingClientRect(); return b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight; }).length")
        .await;
    assert!(
        visible.as_u64().unwrap_or(0) >= 15,
        "{visible} log rows on a 390x844 screen"
    );
    w.session.screenshot("explorer-log-phone-light").await;
    set_theme(&w, "dark").await;
    w.session.screenshot("explorer-log-phone-dark").await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_desktop_the_tree_and_the_log_sit_side_by_side() {
    let w = world(1280, 900).await;
    let lamp = seed_lamp(&w).await;
    click(&w, "button.tab[data-page=\"messages\"]").await;
    w.session
        .wait_for_css(&format!("{} .tree-payload", row(&lamp)), LONG)
        .await;
    click(&w, &format!("{} .tree-name", row(&lamp))).await;
    w.session
        .wait_for_css(&format!("{} .topic-detail", row(&lamp)), LONG)
        .await;
    let side_by_side = w
        .session
        .js("const t = document.querySelector('.tree-pane').getBoundingClientRect(); const l = document.querySelector('.log-pane').getBoundingClientRect(); return t.width > 0 && l.width > 0 && t.right <= l.left")
        .await;
    assert_eq!(side_by_side, serde_json::json!(true));
    w.session
        .js(&format!(
            "document.querySelector('{}').scrollIntoView({{block: 'center'}}); return true;",
            row(&lamp)
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.session.screenshot("explorer-desktop-light").await;
    set_theme(&w, "dark").await;
    w.session.screenshot("explorer-desktop-dark").await;
    w.session.close().await;
}
