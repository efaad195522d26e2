//! Another client on the broker publishes garbage: markup meant to run as
//! script in topics and payloads, JSON nested 100 000 deep, bytes that are not
//! UTF-8, numbers far out of range. The page must show it all as text, run
//! none of it, mark what it cannot read, clamp what it can, and keep working.

use std::time::Duration;

use e2e::{broker_kind, Broker, Observer, Session, StaticServer};

const LONG: Duration = Duration::from_secs(30);

/// A room and a lamp name that are HTML with handlers which would set a flag if run.
const EVIL_ROOM: &str = "<img src=x onerror=window.__pwned=1>";
const EVIL_NAME: &str = "<svg onload=window.__pwned=3>";
/// The room's heading as the dashboard writes a topic's room: its underscores and hyphens
/// read as one space (src/arrange/names.rs), its markup as the characters it is made of.
const EVIL_ROOM_SHOWN: &str = "<img src=x onerror=window. pwned=1>";
const EVIL_EFFECT: &str = "<script>window.__pwned=2</script>";
const DEEP: &str = "smarthome/attic/lamps/deep";
const BINARY: &str = "smarthome/attic/lamps/binary";
const HUGE: &str = "smarthome/attic/lamps/huge";
const NORMAL: &str = "smarthome/hall/lamps/ceiling";

fn card(id: &str) -> String {
    format!(
        "[...document.querySelectorAll('article.lamp-card')].find(c => c.dataset.lamp === {id:?})"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_topics_and_payloads_render_as_text_run_no_script_and_the_app_still_works() {
    let broker = Broker::start(broker_kind());
    let observer = Observer::start(broker.tcp_port, "smarthome/#").await;
    let evil_topic = format!("smarthome/{EVIL_ROOM}/lamps/{EVIL_NAME}");
    let evil_payload = format!(r#"{{"state":"ON","effect":"{EVIL_EFFECT}"}}"#);
    observer.publish(&evil_topic, &evil_payload, true).await;
    for lamp in [DEEP, BINARY, NORMAL] {
        observer.publish(lamp, r#"{"state":"OFF"}"#, true).await;
    }
    observer
        .publish(
            HUGE,
            r#"{"state":"ON","brightness":1000000000,"color":{"r":-255,"g":1e9,"b":0}}"#,
            true,
        )
        .await;

    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let session = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    session.open_app(&broker.ws_url()).await;
    for lamp in [evil_topic.as_str(), DEEP, BINARY, HUGE, NORMAL] {
        session
            .wait_until(&format!("the card of {lamp}"), &card(lamp), LONG)
            .await;
    }

    // Now the garbage on lamps the page already shows.
    let deep = format!(r#"{{"state":{}"#, "[".repeat(100_000));
    observer.publish(DEEP, &deep, true).await;
    observer
        .publish_bytes(BINARY, b"{\"state\":\"ON\xff\xfe\"}".to_vec(), true)
        .await;
    for lamp in [DEEP, BINARY] {
        session
            .wait_until(
                &format!("{lamp} marked unreadable"),
                &format!(
                    "({}?.querySelector('.tile-state')?.textContent || '') === 'Unreadable message'",
                    card(lamp)
                ),
                LONG,
            )
            .await;
        let on = session
            .js(&format!(
                "return {}.querySelector('.switch').getAttribute('aria-checked')",
                card(lamp)
            ))
            .await;
        assert_eq!(
            on,
            serde_json::json!("false"),
            "{lamp} keeps its last good state"
        );
    }

    // Markup shows as the characters it is made of, in the card and its room heading.
    let evil_card_text = session
        .js(&format!("return {}.textContent", card(&evil_topic)))
        .await;
    let evil_card_text = evil_card_text.as_str().unwrap_or_default().to_lowercase();
    assert!(
        evil_card_text.contains(EVIL_NAME),
        "card text: {evil_card_text}"
    );
    let headings = session
        .js("return [...document.querySelectorAll('section.room h2')].map(h => h.textContent.toLowerCase())")
        .await;
    assert!(
        headings
            .as_array()
            .is_some_and(|h| h.iter().any(|t| t.as_str() == Some(EVIL_ROOM_SHOWN))),
        "room headings: {headings}"
    );

    // Out-of-range numbers are clamped: full brightness, pure green (read in the lamp's
    // sheet, opened from its tile).
    e2e::sheet::open_sheet(&session, HUGE).await;
    session
        .wait_until(
            "the sheet of the huge lamp",
            "!!document.querySelector('dialog.lamp-sheet[open] .sheet-body .color-input')",
            LONG,
        )
        .await;
    let huge = session
        .js("const c = document.querySelector('dialog.lamp-sheet .sheet-body'); return [c.querySelector('.control-label output').textContent, c.querySelector('.color-input').value]")
        .await;
    assert_eq!(huge, serde_json::json!(["100 %", "#00ff00"]));
    session
        .js("document.querySelector('dialog.lamp-sheet .sheet-close').click(); return true;")
        .await;

    // The explorer shows the script payload as text too.
    session
        .js("document.querySelector('button.tab[data-page=\"messages\"]').click(); return true;")
        .await;
    session
        .wait_until(
            "the script payload as text in the explorer",
            &format!(
                "[...document.querySelectorAll('.log-payload')].some(p => p.textContent.includes({EVIL_EFFECT:?}))"
            ),
            LONG,
        )
        .await;
    session.screenshot("hostile-explorer").await;

    // No script ran, and none was even attempted: no flag, no element the markup would
    // have made, and no Content-Security-Policy refusal in the console (an injected
    // handler that reached the DOM would have been refused there, loudly).
    let evidence = session
        .js("return { flag: window.__pwned === undefined ? null : window.__pwned, made: document.querySelectorAll('img[src=\"x\"], [onerror], [onload], svg[onload], body script:not([src])').length }")
        .await;
    assert_eq!(evidence, serde_json::json!({ "flag": null, "made": 0 }));
    let errors = session.console_errors().await;
    assert!(
        !errors
            .iter()
            .any(|e| e.contains("Content Security Policy") || e.contains("pwned")),
        "console: {errors:#?}"
    );

    // The app still works: a toggle on a normal lamp round-trips through the broker.
    session
        .js("document.querySelector('button.tab[data-page=\"lamps\"]').click(); return true;")
        .await;
    session
        .wait_until("the lamps page", &card(NORMAL), LONG)
        .await;
    session
        .js(&format!(
            "{}.querySelector('.switch').click(); return true;",
            card(NORMAL)
        ))
        .await;
    let reached = observer
        .wait_json(NORMAL, LONG, |v| v["state"] == "ON")
        .await;
    assert!(reached.is_ok(), "the broker never got ON: {reached:?}");
    session
        .wait_until(
            "the normal lamp confirmed on",
            &format!(
                "{c}.querySelector('.switch').getAttribute('aria-checked') === 'true' && {c}.querySelector('.delivery').dataset.delivery === 'delivered'",
                c = card(NORMAL)
            ),
            LONG,
        )
        .await;
    assert_eq!(
        session
            .js("return document.querySelector('.status-line').dataset.status")
            .await,
        serde_json::json!("connected")
    );
    session.screenshot("hostile-lamps").await;
    session.close().await;
}
