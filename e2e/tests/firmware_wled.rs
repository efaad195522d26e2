//! WLED end to end: lampsim's strip, found by its retained `wled/<id>/status` on a real
//! Mosquitto, named by its XML state's `<ds>`, and commanded in WLED's own format (`ON`/`OFF`
//! and a 0-255 brightness on the device topic, `#RRGGBB` on `/col`, the JSON API on `/api`),
//! checked by an independent MQTT client; the tile and its lamp sheet follow `/g`, `/c` and
//! `/v`.
//!
//! Run through `cargo xtask test` (Mosquitto), which builds dist/ and lampsim first.

use std::time::Duration;

use e2e::expect::expect_text;
use e2e::sheet::{card, click_switch, set_control, sheet, wait_confirmed, wait_control};
use e2e::{Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

const LONG: Duration = Duration::from_secs(30);
const STRIP: &str = "wled/5c3f1a";

#[tokio::test(flavor = "multi_thread")]
async fn the_strip_appears_named_in_its_room_and_obeys_every_control() {
    let dist = e2e::repo_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first (cargo xtask test does)"
    );
    let broker = Broker::start(BrokerKind::Mosquitto);
    let _lampsim = Lampsim::start(&broker, &["--quiet", "--flap-every", "0"]);
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "#").await;
    let s = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    s.open_app(&broker.ws_url()).await;
    wait_confirmed(&s, STRIP, "on", "the strip reads on").await;
    // Its name on the tile; its brightness (128 of 255 is 50 %) in its sheet.
    wait_control(
        &s,
        STRIP,
        "input.brightness",
        "50",
        "the strip's sheet shows brightness 128 as 50 %",
    )
    .await;
    s.wait_until(
        "the tile shows its name from <ds>",
        &format!(
            "{}.querySelector('.tile-name').textContent.trim() === 'Shelf Strip'",
            card(STRIP)
        ),
        LONG,
    )
    .await;
    let facts = s
        .js(&format!(
            "const c = {}; return [c.querySelector('.tile-name').textContent.trim(), c.closest('section.room').querySelector('h2').textContent.trim(), {}.querySelector('input.brightness').value]",
            card(STRIP),
            sheet(STRIP)
        ))
        .await;
    assert_eq!(facts, serde_json::json!(["Shelf Strip", "WLED", "50"]));
    click_switch(&s, STRIP).await;
    expect_text(&observer, STRIP, "OFF", "off on the device topic").await;
    wait_confirmed(&s, STRIP, "off", "the tile follows /g 0").await;
    set_control(&s, STRIP, "input.brightness", "80").await;
    expect_text(
        &observer,
        STRIP,
        "204",
        "brightness 0-255 on the device topic",
    )
    .await;
    wait_confirmed(&s, STRIP, "on", "a brightness turns it on").await;
    set_control(&s, STRIP, "input.color-input", "#00ff00").await;
    expect_text(&observer, "wled/5c3f1a/col", "#00FF00", "a colour on /col").await;
    set_control(&s, STRIP, "select.effect-select", "Rainbow").await;
    expect_text(
        &observer,
        "wled/5c3f1a/api",
        r#"{"on":true,"seg":[{"fx":9}]}"#,
        "an effect through the JSON API",
    )
    .await;
    wait_control(
        &s,
        STRIP,
        "select.effect-select",
        "Rainbow",
        "the sheet shows the effect /v reports",
    )
    .await;
    s.screenshot("firmware-wled-desktop").await;
    let errors = s.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    s.close().await;
}
