//! Household sync end to end (issue 16, item 4): two browser sessions on one broker with
//! lampsim's lamps and sync on; a rename on A shows on B; edits of different lamps made on
//! A and B at the same time both survive on both (and in the retained copy an independent
//! client reads); and, against a locked-down Mosquitto, a write the ACL drops and a read it
//! refuses are both said in words, naming the topic.

use std::time::Duration;

use e2e::secure_broker::{Login, SecureBroker, SEEDER};
use e2e::{broker_kind, Broker, Lampsim, Observer, Session, StaticServer};

const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(30);
const TOPIC: &str = "lampboard/arrangement";

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

fn tile_name_is(id: &str, name: &str) -> String {
    format!(
        "{}?.querySelector('.tile-name')?.textContent === {name:?}",
        card(id)
    )
}

/// Ticks "Household sync" in the settings drawer (opened first) and saves and connects.
async fn sync_on(session: &Session) {
    session.open_settings().await;
    session
        .js("const c = document.querySelector('.drawer input[name=\"sync_enabled\"]'); c.checked = true; c.dispatchEvent(new Event('change', {bubbles: true})); return true;")
        .await;
    session
        .wait_for_css(".drawer input[name=\"sync_topic\"]", LONG)
        .await;
    session.save_and_connect().await;
    session
        .wait_until(
            "connected",
            "document.querySelector('.status-line[data-status=\"connected\"]')",
            LONG,
        )
        .await;
}

/// Renames a lamp in its sheet, as a person does, and closes the sheet.
async fn rename(session: &Session, id: &str, name: &str) {
    e2e::sheet::open_sheet(session, id).await;
    let sheet = format!("dialog.lamp-sheet .sheet-body[data-lamp=\"{id}\"]");
    session
        .wait_for_css(&format!("{sheet} input.arrange-name"), LONG)
        .await;
    session
        .js(&format!(
            "const s = document.querySelector('{sheet}'); const i = s.querySelector('input.arrange-name'); i.value = {name:?}; i.dispatchEvent(new Event('input', {{bubbles: true}})); s.querySelector('form.arrange-row').requestSubmit(); return true;"
        ))
        .await;
    session
        .wait_until(&format!("{id} renamed here"), &tile_name_is(id, name), LONG)
        .await;
    session
        .js("document.querySelector('dialog.lamp-sheet .sheet-close')?.click(); return true;")
        .await;
}

/// The settings drawer's sync status line, opened if needed.
async fn sync_status(session: &Session) -> String {
    let open = session
        .js("return Boolean(document.querySelector('.drawer .sync-status'))")
        .await;
    if open != serde_json::json!(true) {
        session.open_settings().await;
    }
    session.text(".drawer .sync-status").await
}

async fn wait_status(session: &Session, what: &str, starts: &str) {
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        let text = sync_status(session).await;
        if text.starts_with(starts) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: the sync status says {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn app(server: &StaticServer, ws_url: &str, width: u32, height: u32) -> Session {
    let session =
        Session::start(&format!("http://127.0.0.1:{}/", server.port), width, height).await;
    session.open_app(ws_url).await;
    session
}

/// The first `n` plain lamps on the page.
async fn seed_lamps(session: &Session, n: usize) -> Vec<String> {
    let v = session
        .js("return [...document.querySelectorAll('section.room:not(.favourites) article.lamp-card')].map(c => c.dataset.lamp).filter(id => id.startsWith('smarthome/'))")
        .await;
    let ids: Vec<String> = serde_json::from_value(v).expect("a list of ids");
    assert!(ids.len() >= n, "at least {n} plain lamps: {ids:?}");
    ids[..n].to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rename_on_one_device_shows_on_the_other_and_concurrent_edits_both_survive() {
    let dist = e2e::repo_root().join("dist");
    assert!(dist.join("index.html").exists(), "build dist/ first");
    let broker = Broker::start(broker_kind());
    let _lampsim = Lampsim::start(&broker, &["--quiet"]);
    let server = StaticServer::start(dist);
    let observer = Observer::start(broker.tcp_port, "lampboard/#").await;
    let all_cards = format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}");

    let a = app(&server, &broker.ws_url(), 1280, 800).await;
    a.wait_until("A's lamp cards", &all_cards, LONG).await;
    sync_on(&a).await;
    let b = app(&server, &broker.ws_url(), 1280, 800).await;
    b.wait_until("B's lamp cards", &all_cards, LONG).await;
    sync_on(&b).await;
    let lamps = seed_lamps(&a, 3).await;

    // A rename on A shows on B.
    rename(&a, &lamps[0], "Synced from A").await;
    b.wait_until(
        "A's rename on B",
        &tile_name_is(&lamps[0], "Synced from A"),
        LONG,
    )
    .await;

    // Two devices edit two lamps at the same moment: both edits reach both devices.
    tokio::join!(
        rename(&a, &lamps[1], "Edited on A"),
        rename(&b, &lamps[2], "Edited on B")
    );
    for (who, s) in [("A", &a), ("B", &b)] {
        for (id, name) in [(&lamps[1], "Edited on A"), (&lamps[2], "Edited on B")] {
            s.wait_until(&format!("{name:?} on {who}"), &tile_name_is(id, name), LONG)
                .await;
        }
        s.wait_until(
            &format!("the first rename still on {who}"),
            &tile_name_is(&lamps[0], "Synced from A"),
            LONG,
        )
        .await;
    }
    // The broker holds one retained copy with all three.
    let names = |v: &serde_json::Value| {
        let lamps_of = &v["arrangement"]["lamps"];
        lamps_of[&lamps[0]]["name"] == "Synced from A"
            && lamps_of[&lamps[1]]["name"] == "Edited on A"
            && lamps_of[&lamps[2]]["name"] == "Edited on B"
    };
    let kept = observer.wait_json(TOPIC, LONG, names).await;
    assert!(kept.is_ok(), "the retained household copy: {kept:?}");
    assert_eq!(kept.unwrap()["lampboard_sync"], 1);

    wait_status(&b, "B synced", "Synced").await;
    b.js("document.querySelector('.drawer .household-sync').scrollIntoView({block: 'center'}); return true;")
        .await;
    for theme in ["light", "dark"] {
        b.pick_theme(theme).await;
        b.screenshot(&format!("sync-status-synced-{theme}")).await;
    }
    b.js("document.querySelector('.drawer button.close').click(); return true;")
        .await;
    // A fresh look (a reload of B) reads the names back from the broker and storage.
    b.client.refresh().await.expect("reload");
    b.wait_until(
        "B after a reload",
        &tile_name_is(&lamps[2], "Edited on B"),
        LONG,
    )
    .await;
    for s in [&a, &b] {
        let errors = s.console_errors().await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
    }
    a.close().await;
    b.close().await;
}

const USER: &str = "household";
const PASSWORD: &str = "correct horse";
const LAMP: &str = "smarthome/hall/lamps/ceiling";
/// A topic this login may read but not write (Mosquitto drops the write silently).
const READ_ONLY: &str = TOPIC;
/// A topic this login may not read.
const UNREADABLE: &str = "lampboard/private";

#[tokio::test(flavor = "multi_thread")]
async fn a_broker_acl_refusing_the_write_or_the_read_is_said_naming_the_topic() {
    let broker = SecureBroker::start(
        None,
        Login::Restricted {
            user: USER.into(),
            password: PASSWORD.into(),
            deny_subscribe: vec![UNREADABLE.into()],
            deny_publish: vec!["lampboard/#".into()],
        },
    );
    broker.publish(Some((SEEDER, PASSWORD)), LAMP, r#"{"state":"OFF"}"#, true);
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    // A phone, so the drawer's sync field is seen at phone size too.
    let session = app(&server, &broker.ws_url(), 390, 844).await;
    session.open_settings().await;
    session.type_setting("username", USER).await;
    session.type_setting("password", PASSWORD).await;
    sync_on(&session).await;
    session
        .wait_until("the lamp's card", &card(LAMP), LONG)
        .await;

    // The write is acknowledged and dropped: no echo, said in words.
    rename(&session, LAMP, "Hall").await;
    wait_status(
        &session,
        "the unkept write reported",
        &format!("Refused by the broker: it did not keep the household copy on {READ_ONLY}"),
    )
    .await;
    assert!(sync_status(&session)
        .await
        .contains("an ACL probably forbids this login to write there"));
    session
        .js("document.querySelector('.drawer .household-sync').scrollIntoView({block: 'center'}); return true;")
        .await;
    session.screenshot("sync-acl-write-refused").await;
    assert!(
        !session
            .text(".drawer .sync-status.is-problem")
            .await
            .is_empty(),
        "the problem is marked as one"
    );

    // A topic it may not read: the SUBACK refusal is said.
    session.type_setting("sync_topic", UNREADABLE).await;
    session.save_and_connect().await;
    wait_status(
        &session,
        "the refused read reported",
        &format!("Refused by the broker: it refused reading {UNREADABLE}"),
    )
    .await;
    // Still connected, the lamp still there, the local name kept.
    session
        .wait_until("the local name kept", &tile_name_is(LAMP, "Hall"), LONG)
        .await;
    session.close().await;
}
