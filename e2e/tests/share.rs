//! Share setup end to end (issue 16, item 3): session A, on a real broker with lampsim's
//! house, arranges its dashboard (a lamp renamed, a lamp moved into a new room, a lamp
//! moved up, a scene saved) and takes the link from the settings drawer's "Share setup";
//! session B, a second browser with a fresh profile and nothing saved, opens the link, is
//! asked, accepts, connects to the broker named in the link and shows the same names,
//! rooms, order and scene. Screenshots of the panel (desktop) and the prompt (phone), light
//! and dark, land in target/e2e-artifacts/.

use std::time::Duration;

use e2e::{broker_kind, Broker, BrokerKind, Lampsim, Session, StaticServer};

const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(30);

/// The arranged page as a person reads it: each room (key, heading) with its cards (id,
/// name) in page order, then the scene buttons.
const LAYOUT: &str = "return {
    rooms: [...document.querySelectorAll('section.room:not(.favourites)')].map(s => [
        s.dataset.room,
        s.querySelector('.room-name').textContent,
        [...s.querySelectorAll('article.lamp-card')].map(c => [c.dataset.lamp, c.querySelector('.tile-name').textContent]),
    ]),
    scenes: [...document.querySelectorAll('button.scene-button:not(.native-scene)')].map(b => b.textContent),
}";

async fn js_ok(s: &Session, script: &str) {
    let v = s.js(script).await;
    assert_eq!(v, serde_json::json!(true), "script failed: {script}");
}

/// Opens a lamp's sheet and waits for its Arrange controls.
async fn open_sheet(s: &Session, id: &str) {
    js_ok(
        s,
        &format!(
            "const b = document.querySelector('section.room:not(.favourites) article.lamp-card[data-lamp=\"{id}\"] button.tile-open'); if (!b) return false; b.click(); return true;"
        ),
    )
    .await;
    s.wait_for_css(
        &format!("dialog.lamp-sheet .sheet-body[data-lamp=\"{id}\"] .lamp-arrange"),
        LONG,
    )
    .await;
}

/// Types into the sheet's `input.<class>` and submits that row's form.
async fn arrange_field(s: &Session, class: &str, value: &str) {
    js_ok(
        s,
        &format!(
            "const i = document.querySelector('dialog.lamp-sheet input.{class}'); if (!i) return false; i.value = {value:?}; i.dispatchEvent(new Event('input', {{bubbles: true}})); i.closest('form').requestSubmit(); return true;"
        ),
    )
    .await;
}

async fn close_sheet(s: &Session) {
    js_ok(
        s,
        "document.querySelector('dialog.lamp-sheet .sheet-close').click(); return true;",
    )
    .await;
    s.wait_until(
        "the sheet closes",
        "!document.querySelector('dialog.lamp-sheet[open]')",
        LONG,
    )
    .await;
}

/// axe-core's serious and critical violations inside `selector` (this feature's parts
/// only), in both themes.
async fn axe_clean(s: &Session, selector: &str) {
    let axe = std::fs::read_to_string(e2e::repo_root().join("node_modules/axe-core/axe.min.js"))
        .expect("axe-core installed (npm ci; cargo xtask setup does it)");
    s.client
        .execute(&axe, vec![])
        .await
        .expect("inject axe-core");
    for theme in ["light", "dark"] {
        let found = s
            .js(&format!(
                r#"document.documentElement.setAttribute('data-theme', '{theme}');
                return (async () => {{
                const result = await axe.run({{ include: [{selector:?}] }}, {{ resultTypes: ['violations'] }});
                return result.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({{ id: v.id, help: v.help,
                                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary) }}));
                }})();"#
            ))
            .await;
        assert_eq!(
            found,
            serde_json::json!([]),
            "axe in {selector}, {theme}: {found:#}"
        );
    }
    s.js("document.documentElement.setAttribute('data-theme', 'light'); return true;")
        .await;
}

async fn screenshots(s: &Session, name: &str) {
    for theme in ["light", "dark"] {
        s.js(&format!(
            "document.documentElement.setAttribute('data-theme', '{theme}'); return true;"
        ))
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.screenshot(&format!("{name}-{theme}")).await;
    }
    s.js("document.documentElement.setAttribute('data-theme', 'light'); return true;")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_browser_opening_the_share_link_shows_the_same_arranged_dashboard() {
    let dist = e2e::repo_root().join("dist");
    assert!(dist.join("index.html").exists(), "build dist/ first");
    let broker = Broker::start(broker_kind());
    // RabbitMQ sends no retained messages to wildcards for a page that knows no topic yet:
    // both pages then connect before lampsim starts (see tests/arrange.rs).
    let page_first = broker.kind == BrokerKind::Rabbitmq;
    let mut lampsim = (!page_first).then(|| Lampsim::start(&broker, &["--quiet"]));
    let server = StaticServer::start(dist);
    let page = format!("http://127.0.0.1:{}/", server.port);

    // --- A: arrange ---
    let a = Session::start(&page, 1280, 800).await;
    a.open_app(&broker.ws_url()).await;
    if lampsim.is_none() {
        a.wait_listening(LONG).await;
        lampsim = Some(Lampsim::start(&broker, &["--quiet"]));
    }
    a.wait_until(
        &format!("{LAMPS} cards on A"),
        &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}"),
        LONG,
    )
    .await;
    let kitchen: Vec<String> = serde_json::from_value(
        a.js("return [...document.querySelectorAll('section.room[data-room=\"kitchen\"] article.lamp-card')].map(c => c.dataset.lamp).filter(id => id.startsWith('smarthome/'))")
            .await,
    )
    .unwrap();
    assert!(
        kitchen.len() >= 3,
        "lampsim's kitchen has plain lamps: {kitchen:?}"
    );
    let (renamed, moved) = (&kitchen[0], &kitchen[1]);

    open_sheet(&a, renamed).await;
    arrange_field(&a, "arrange-name", "Stove light").await;
    a.wait_until(
        "the rename shows",
        &format!("document.querySelector('article.lamp-card[data-lamp=\"{renamed}\"] .tile-name').textContent === 'Stove light'"),
        LONG,
    )
    .await;
    close_sheet(&a).await;

    open_sheet(&a, moved).await;
    arrange_field(&a, "arrange-room", "Pantry").await;
    a.wait_until(
        "the Pantry room",
        "document.querySelector('section.room[data-room=\"pantry\"]')",
        LONG,
    )
    .await;
    close_sheet(&a).await;

    // Move the third kitchen lamp up one place.
    const KITCHEN_ORDER: &str = "return [...document.querySelectorAll('section.room[data-room=\"kitchen\"] article.lamp-card')].map(c => c.dataset.lamp)";
    let before = a.js(KITCHEN_ORDER).await;
    js_ok(
        &a,
        "document.querySelector('button.move-mode').click(); return true;",
    )
    .await;
    a.wait_for_css(
        "section.room[data-room=\"kitchen\"] li.move-row button.lamp-up",
        LONG,
    )
    .await;
    // The kitchen's last lamp one place up (whatever the names made the order).
    js_ok(
        &a,
        "const rows = document.querySelectorAll('section.room[data-room=\"kitchen\"] li.move-row'); const b = rows[rows.length - 1].querySelector('button.lamp-up'); if (b.disabled) return false; b.click(); return true;",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    js_ok(
        &a,
        "document.querySelector('button.move-mode').click(); return true;",
    )
    .await;
    a.wait_for_css(
        "section.room[data-room=\"kitchen\"] article.lamp-card",
        LONG,
    )
    .await;
    let after = a.js(KITCHEN_ORDER).await;
    let (b4, af) = (before.as_array().unwrap(), after.as_array().unwrap());
    assert_eq!(b4.len(), af.len());
    let n = b4.len();
    assert!(n >= 2, "{before}");
    assert_eq!(
        af[n - 2],
        b4[n - 1],
        "the last kitchen lamp moved up: {before} -> {after}"
    );
    assert_eq!(af[n - 1], b4[n - 2]);

    // A scene of the living room.
    js_ok(
        &a,
        "document.querySelector('button.new-scene').click(); return true;",
    )
    .await;
    a.wait_for_css("input.scene-name", LONG).await;
    js_ok(
        &a,
        "const i = document.querySelector('input.scene-name'); i.value = 'Film night'; i.dispatchEvent(new Event('input', {bubbles: true})); const r = document.querySelector('select.scene-room'); r.value = 'living'; r.dispatchEvent(new Event('change', {bubbles: true})); return true;",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    js_ok(
        &a,
        "document.querySelector('button.save-scene').click(); return true;",
    )
    .await;
    a.wait_for_css("button.scene-button", LONG).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let want = a.js(LAYOUT).await;
    let kitchen_order = want["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == "kitchen")
        .map(|r| r[2].clone())
        .unwrap();
    assert!(
        kitchen_order.to_string().contains("Stove light"),
        "{kitchen_order}"
    );

    // The link, from Share setup.
    a.open_settings().await;
    a.wait_for_css(".share-setup .share-qr svg", LONG).await;
    let link = a
        .js("return document.querySelector('input.share-link').value")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    assert!(link.starts_with(&format!("{page}#setup=")), "{link}");
    let modules = a
        .js("return Number(document.querySelector('.share-qr').dataset.modules)")
        .await;
    eprintln!("share link: {} bytes, QR {} modules", link.len(), modules);
    a.js("document.querySelector('.drawer-body').scrollTop = document.querySelector('.share-setup').offsetTop - 20; return true;")
        .await;
    screenshots(&a, "share-panel-desktop").await;
    axe_clean(&a, ".share-setup").await;
    let errors = a.console_errors().await;
    assert!(errors.is_empty(), "A's console errors: {errors:#?}");

    // --- B: a fresh browser opens the link ---
    let b = Session::start(&page, 390, 844).await;
    b.client.goto(&link).await.expect("the link loads");
    b.wait_for_css("dialog.share-prompt[open]", LONG).await;
    assert_eq!(
        b.js("return location.hash").await,
        serde_json::json!(""),
        "the fragment leaves the address bar"
    );
    assert_eq!(b.text(".share-broker").await, broker.ws_url());
    assert_eq!(
        b.text(".share-what").await,
        "Dashboard: 2 lamps arranged, 1 room ordered, 1 scene"
    );
    assert!(
        !b.js("return !!document.querySelector('.status-line[data-status=\"connected\"]')")
            .await
            .as_bool()
            .unwrap_or(true),
        "nothing connects before the answer"
    );
    screenshots(&b, "share-prompt-phone").await;
    axe_clean(&b, "dialog.share-prompt").await;
    js_ok(
        &b,
        "document.querySelector('button.share-add').click(); return true;",
    )
    .await;
    b.wait_until(
        "B connects",
        "document.querySelector('.status-line[data-status=\"connected\"]')",
        LONG,
    )
    .await;
    b.wait_until(
        &format!("{LAMPS} cards on B"),
        &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}"),
        LONG,
    )
    .await;
    // Names come as lamps speak; wait for the renamed one, then compare the whole page.
    b.wait_until(
        "the renamed lamp on B",
        &format!("(document.querySelector('article.lamp-card[data-lamp=\"{renamed}\"] .tile-name') || {{}}).textContent === 'Stove light'"),
        LONG,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = b.js(LAYOUT).await;
    assert_eq!(got, want, "B shows A's rooms, names, order and scenes");
    b.screenshot("share-accepted-phone").await;
    // A reload asks nothing again.
    b.client.refresh().await.expect("reload");
    b.wait_for_css(e2e::APP_MOUNTED, LONG).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        b.js("return !!document.querySelector('dialog.share-prompt')")
            .await,
        serde_json::json!(false)
    );
    // The panel on a phone.
    b.open_settings().await;
    b.wait_for_css(".share-setup .share-qr svg", LONG).await;
    b.js("document.querySelector('.share-setup').scrollIntoView(); return true;")
        .await;
    screenshots(&b, "share-panel-phone").await;
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "B's console errors: {errors:#?}");

    // A gets its own link in the address bar of its open page (a same-page navigation, only
    // a `hashchange`): asked too, with the profile of the same id offered for replacing.
    a.client.goto(&link).await.expect("the link loads on A");
    a.wait_for_css("dialog.share-prompt[open]", LONG).await;
    assert_eq!(a.text("button.share-replace").await, "Replace “Default”");
    screenshots(&a, "share-prompt-desktop").await;
    js_ok(
        &a,
        "document.querySelector('button.share-cancel').click(); return true;",
    )
    .await;
    a.wait_until(
        "the prompt closes on Cancel, A still connected",
        "!document.querySelector('dialog.share-prompt[open]') && document.querySelector('.status-line[data-status=\"connected\"]')",
        LONG,
    )
    .await;
    let profiles = a
        .js("return JSON.parse(localStorage.getItem('lampboard.settings')).profiles.length")
        .await;
    assert_eq!(profiles, serde_json::json!(1), "Cancel changed nothing");
    a.close().await;
    b.close().await;
    drop(lampsim);
}
