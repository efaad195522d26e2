//! The arranged dashboard end to end (issue 15): the room header's switch and brightness
//! slider, All off, and a scene saved in the page and recalled, against a real broker and
//! lampsim's lamps, checked by an independent MQTT client; screenshots of the arranged page
//! at phone and desktop sizes in both themes.

use std::time::Duration;

use e2e::{broker_kind, Broker, BrokerKind, Lampsim, Observer, Session, StaticServer};

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
    assert!(dist.join("index.html").exists(), "build dist/ first");
    let broker = Broker::start(broker_kind());
    let page_first = broker.kind == BrokerKind::Rabbitmq;
    let early = (!page_first).then(|| Lampsim::start(&broker, &["--quiet"]));
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "#").await;
    let session =
        Session::start(&format!("http://127.0.0.1:{}/", server.port), width, height).await;
    session.open_app(&broker.ws_url()).await;
    let lampsim = match early {
        Some(l) => l,
        None => {
            session.wait_listening(LONG).await;
            Lampsim::start(&broker, &["--quiet"])
        }
    };
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

/// Presses one of the toolbar's actions (`css`: `button.new-scene`, `button.move-mode`,
/// `button.all-off`) as a user would: on a phone through the "More actions" menu (the
/// toolbar's one menu button, ui/actions_menu.rs), on wider screens straight from the row.
async fn dash_action(w: &World, css: &str) {
    let phone = w
        .session
        .js("const t = document.querySelector('button.actions-toggle'); return !!t && t.getBoundingClientRect().width > 0")
        .await
        == serde_json::json!(true);
    if phone {
        w.session
            .js("document.querySelector('button.actions-toggle').click(); return true;")
            .await;
        w.session
            .wait_until(
                "the actions menu open",
                &format!("(() => {{ const b = document.querySelector('#dash-actions-list[data-open] {css}'); return !!b && b.getBoundingClientRect().height > 0; }})()"),
                LONG,
            )
            .await;
    }
    w.session
        .js(&format!(
            "document.querySelector('{css}').click(); return true;"
        ))
        .await;
}

fn room(key: &str) -> String {
    format!("document.querySelector('section.room[data-room=\"{key}\"]')")
}

/// The plain (seed) lamps of a room, whose topic is their retained state.
async fn seed_lamps(w: &World, key: &str) -> Vec<String> {
    let v = w
        .session
        .js(&format!(
            "return [...{}.querySelectorAll('article.lamp-card')].map(c => c.dataset.lamp).filter(id => id.startsWith('smarthome/'))",
            room(key)
        ))
        .await;
    let ids: Vec<String> = serde_json::from_value(v).expect("a list of ids");
    assert!(!ids.is_empty(), "the {key} room has plain lamps");
    ids
}

async fn wait_all(
    w: &World,
    ids: &[String],
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool + Copy,
) {
    for id in ids {
        let got = w.observer.wait_json(id, LONG, check).await;
        assert!(got.is_ok(), "{id}: {what}; last {got:?}");
    }
}

async fn room_switch_checked(w: &World, key: &str) -> bool {
    w.session
        .js(&format!(
            "return {}.querySelector('button.room-switch').getAttribute('aria-checked') === 'true'",
            room(key)
        ))
        .await
        .as_bool()
        .unwrap_or(false)
}

async fn click_room_switch(w: &World, key: &str) {
    w.session
        .js(&format!(
            "{}.querySelector('button.room-switch').click(); return true;",
            room(key)
        ))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_room_switch_slider_and_all_off_reach_every_lamp_of_the_room() {
    let w = world(1280, 800).await;
    let kitchen = seed_lamps(&w, "kitchen").await;
    if !room_switch_checked(&w, "kitchen").await {
        click_room_switch(&w, "kitchen").await;
        wait_all(&w, &kitchen, "turned on by the room switch", |v| {
            v["state"] == "ON"
        })
        .await;
    }
    click_room_switch(&w, "kitchen").await;
    wait_all(&w, &kitchen, "turned off by the room switch", |v| {
        v["state"] == "OFF"
    })
    .await;
    w.session
        .wait_until(
            "the header counts none on",
            &format!("{}.querySelector('.room-count').textContent.endsWith(' off') || {}.querySelector('.room-count').textContent === 'off'", room("kitchen"), room("kitchen")),
            LONG,
        )
        .await;
    // A dark room's slider turns every dimmable lamp on at its value (40 % of 255 = 102).
    w.session
        .js(&format!(
            "const s = {}.querySelector('input.room-brightness'); s.value = '40'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
            room("kitchen")
        ))
        .await;
    wait_all(&w, &kitchen, "on at 40 %", |v| {
        v["state"] == "ON" && v["brightness"] == 102
    })
    .await;
    // Then halving it halves each (all at 40 %: all at 20 % = 51). The slider scales what the
    // page shows by its brightest lamp, so every dimmed tile of the room, of any system, must
    // show 40 % first: the broker had the plain lamps' states before the page had every
    // lamp's answer (a lamp of another system still at 73 % once made 40 -> 20 % scale the
    // ceiling to 11 %).
    w.session
        .wait_until(
            "every dimmed kitchen tile shown at 40 %",
            &format!(
                "[...{}.querySelectorAll('article.lamp-card .tile-state')].every(t => !/ · \\d+ %/.test(t.textContent) || t.textContent.startsWith('On · 40 %'))",
                room("kitchen")
            ),
            LONG,
        )
        .await;
    w.session
        .wait_until(
            "the slider shows the room at 40 %",
            &format!(
                "{}.querySelector('input.room-brightness').value === '40'",
                room("kitchen")
            ),
            LONG,
        )
        .await;
    w.session
        .js(&format!(
            "const s = {}.querySelector('input.room-brightness'); s.value = '20'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
            room("kitchen")
        ))
        .await;
    wait_all(&w, &kitchen, "scaled to 20 %", |v| v["brightness"] == 51).await;
    w.session.screenshot("arrange-rooms-desktop").await;
    // All off: the whole house.
    dash_action(&w, "button.all-off").await;
    let everything: Vec<String> = serde_json::from_value(
        w.session
            .js("return [...document.querySelectorAll('section.room:not(.favourites) article.lamp-card')].map(c => c.dataset.lamp).filter(id => id.startsWith('smarthome/'))")
            .await,
    )
    .unwrap();
    wait_all(&w, &everything, "off after All off", |v| {
        v["state"] == "OFF"
    })
    .await;
    let errors = w.session.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scene_saved_in_the_page_brings_every_lamp_back_and_counts_confirmations() {
    let w = world(1280, 800).await;
    let living = seed_lamps(&w, "living").await;
    // A known starting point: every lamp of the room on (the switch, then the slider at
    // 60 %, which scales the lamps that are on).
    if !room_switch_checked(&w, "living").await {
        click_room_switch(&w, "living").await;
        w.session
            .wait_until(
                "the page shows the room on",
                &format!("{}.querySelector('button.room-switch').getAttribute('aria-checked') === 'true'", room("living")),
                LONG,
            )
            .await;
    }
    // Lamps still off while others are on: the switch reads "on", so press it twice.
    if !living
        .iter()
        .all(|id| w.observer.json(id).is_some_and(|v| v["state"] == "ON"))
    {
        click_room_switch(&w, "living").await;
        wait_all(&w, &living, "off", |v| v["state"] == "OFF").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        click_room_switch(&w, "living").await;
    }
    wait_all(&w, &living, "on", |v| v["state"] == "ON").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.session
        .js(&format!(
            "const s = {}.querySelector('input.room-brightness'); s.value = '60'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
            room("living")
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let before: Vec<serde_json::Value> = living
        .iter()
        .map(|id| w.observer.json(id).expect("a state"))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Save the living room as a scene.
    dash_action(&w, "button.new-scene").await;
    w.session.wait_for_css("input.scene-name", LONG).await;
    w.session
        .js("const i = document.querySelector('input.scene-name'); i.value = 'Film night'; i.dispatchEvent(new Event('input', {bubbles: true})); const r = document.querySelector('select.scene-room'); r.value = 'living'; r.dispatchEvent(new Event('change', {bubbles: true})); return true;")
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    w.session
        .js("document.querySelector('button.save-scene').click(); return true;")
        .await;
    w.session.wait_for_css("button.scene-button", LONG).await;
    // Everything off, then the scene.
    click_room_switch(&w, "living").await;
    wait_all(&w, &living, "off", |v| v["state"] == "OFF").await;
    w.session
        .js("document.querySelector('button.scene-button').click(); return true;")
        .await;
    for (id, was) in living.iter().zip(&before) {
        let got = w
            .observer
            .wait_json(id, LONG, |v| {
                v["state"] == "ON"
                    && (v["brightness"].as_i64().unwrap_or(0)
                        - was["brightness"].as_i64().unwrap_or(0))
                    .abs()
                        <= 3
            })
            .await;
        assert!(got.is_ok(), "{id} back to {was}: last {got:?}");
    }
    let n = living.len();
    w.session
        .wait_until(
            "the page says every lamp confirmed",
            &format!(
                "(document.querySelector('.scene-report') || {{textContent: ''}}).textContent.includes('of') && (() => {{ const t = document.querySelector('.scene-report').textContent; const m = t.match(/(\\d+) of (\\d+)/); return m && m[1] === m[2] && Number(m[2]) >= {n}; }})()"
            ),
            LONG,
        )
        .await;
    w.session.screenshot("arrange-scene-desktop").await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_the_arranged_page_on_a_phone_and_a_desktop_in_both_themes() {
    for (width, height, size) in [(390, 844, "phone"), (1280, 800, "desktop")] {
        let w = world(width, height).await;
        let overflow = w
            .session
            .js("return document.documentElement.scrollWidth > window.innerWidth")
            .await;
        assert_eq!(
            overflow,
            serde_json::json!(false),
            "{size}: the page scrolls sideways"
        );
        for theme in ["light", "dark"] {
            w.session
                .js(&format!("document.documentElement.setAttribute('data-theme', '{theme}'); window.scrollTo(0, 0); return true;"))
                .await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            w.session
                .screenshot(&format!("arrange-{size}-{theme}"))
                .await;
        }
        // Move mode, and a card's Arrange controls opened.
        dash_action(&w, "button.move-mode").await;
        w.session.wait_for_css("ol.move-list", LONG).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        w.session
            .screenshot(&format!("arrange-{size}-move-mode"))
            .await;
        // Out of move mode: on a phone the Done button in sight, else Reorder (now "Done").
        if size == "phone" {
            w.session
                .js("document.querySelector('button.move-done').click(); return true;")
                .await;
        } else {
            dash_action(&w, "button.move-mode").await;
        }
        w.session
            .wait_until(
                "move mode ended",
                "!document.querySelector('ol.move-list')",
                LONG,
            )
            .await;
        w.session
            .js("document.querySelector('section.room button.tile-open').click(); return true;")
            .await;
        w.session
            .wait_for_css("dialog.lamp-sheet .lamp-arrange", LONG)
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        w.session
            .screenshot(&format!("arrange-{size}-lamp-controls"))
            .await;
        w.session.close().await;
    }
}
