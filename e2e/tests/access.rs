//! Logins and access control against a locked-down Mosquitto (always
//! Mosquitto: lampsim's rumqttd has neither logins nor ACLs): a wrong password
//! is said in words and retried with backoff, not in a storm; a subscription
//! the broker refuses is marked on that filter; a publish the broker drops
//! silently is noticed because no state comes back.

use std::time::Duration;

use e2e::secure_broker::{Login, SecureBroker, SEEDER};
use e2e::{Session, StaticServer};

/// The card's words for a change nothing answered (the app's `NO_ECHO_TEXT`).
const NO_ECHO_TEXT: &str = "The lamp did not confirm this change: the broker may not allow it";

const LONG: Duration = Duration::from_secs(30);
const USER: &str = "household";
const PASSWORD: &str = "correct horse";
/// A lamp this login may see but not switch.
const LOCKED: &str = "smarthome/vault/lamps/safe";
/// A lamp this login may switch.
const OPEN: &str = "smarthome/hall/lamps/ceiling";
/// What the login may not read.
const PRIVATE: &str = "private/#";
/// The lamp filter the user adds under it.
const PRIVATE_FILTER: &str = "private/lamps/+";
/// What Mosquitto 2.0.11 logs for each CONNECT it refuses on a websockets
/// listener: "Sending CONNACK to ::ffff:127.0.0.1 (0, 5)" (session present 0,
/// return code 5).
const REFUSED_LINE: &str = "(0, 5)";

fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

/// The app on `broker`, logged in as `user` / `password` through the settings drawer.
async fn app_logged_in(
    broker: &SecureBroker,
    server: &StaticServer,
    user: &str,
    password: &str,
) -> Session {
    let session = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    session.open_app(&broker.ws_url()).await;
    session.open_settings().await;
    session.type_setting("username", user).await;
    session.type_setting("password", password).await;
    session.save_and_connect().await;
    session
}

fn restricted_broker() -> SecureBroker {
    let broker = SecureBroker::start(
        None,
        Login::Restricted {
            user: USER.into(),
            password: PASSWORD.into(),
            deny_subscribe: vec![PRIVATE.into()],
            deny_publish: vec![LOCKED.into()],
        },
    );
    for lamp in [LOCKED, OPEN] {
        broker.publish(Some((SEEDER, PASSWORD)), lamp, r#"{"state":"OFF"}"#, true);
    }
    broker
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_says_not_authorized_and_retries_with_backoff_not_a_storm() {
    let broker = SecureBroker::start(
        None,
        Login::PasswordFile {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    );
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let session = Session::start(&format!("http://127.0.0.1:{}/", server.port), 1280, 900).await;
    session.open_app(&broker.ws_url()).await;
    session.open_settings().await;
    session.type_setting("username", USER).await;
    session.type_setting("password", "not the password").await;
    // The anonymous client of the first load stops retrying when this one replaces it, so
    // from here every refusal in the log is the wrong password's.
    let before = broker.log_count(REFUSED_LINE);
    session.save_and_connect().await;
    session
        .wait_until(
            "the wrong password refused",
            "document.querySelector('.status-line[data-status=\"refused\"]')",
            LONG,
        )
        .await;

    // Watch for 20 s: the refusal stays on screen, in words, with the retry time,
    // through every attempt (never a "Connecting…" flash).
    let window = Duration::from_secs(20);
    let end = tokio::time::Instant::now() + window;
    let mut seen = std::collections::BTreeSet::new();
    let mut counted_down = false;
    while tokio::time::Instant::now() < end {
        let line = session
            .js("const s = document.querySelector('.status-line'); return [s.dataset.status, s.textContent];")
            .await;
        let (status, text) = (
            line[0].as_str().unwrap_or_default().to_owned(),
            line[1].as_str().unwrap_or_default().to_owned(),
        );
        assert_eq!(status, "refused", "status line left the refusal: {text}");
        assert!(
            text.starts_with("Not authorized: check the user name and password (trying again"),
            "status line: {text}"
        );
        counted_down |= text.contains(" s)");
        seen.insert(text);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert!(counted_down, "never showed the retry time: {seen:?}");
    session.screenshot("login-refused-backoff").await;

    // What the broker saw: about one attempt per 1, 2, 4, 8, 16 s (jittered down to
    // half), so 4 to 6 in 20 s; a retry storm would be hundreds.
    let attempts = broker.log_count(REFUSED_LINE) - before;
    assert!(
        (3..=7).contains(&attempts),
        "{attempts} refused logins in {window:?}; the status line said {seen:?}"
    );
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_the_broker_refuses_is_marked_on_that_filter() {
    let broker = restricted_broker();
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let session = app_logged_in(&broker, &server, USER, PASSWORD).await;
    session
        .wait_until("the open lamp's card", &card(OPEN), LONG)
        .await;

    // Add a filter under the topics this login may not read.
    session.open_settings().await;
    let count = session
        .js("return document.querySelectorAll('.drawer input.filter-input').length")
        .await
        .as_u64()
        .expect("a filter count");
    session
        .js("document.querySelector('.drawer button.add-filter').click(); return true;")
        .await;
    let index = count;
    session
        .wait_for_css(&format!(".drawer input[name=\"filter-{index}\"]"), LONG)
        .await;
    session
        .type_setting(&format!("filter-{index}"), PRIVATE_FILTER)
        .await;
    session.save_and_connect().await;

    session
        .wait_until(
            "the refusal notice",
            &format!(
                "(document.querySelector('.notice') || {{}}).textContent?.includes('The broker refused the subscription to {PRIVATE_FILTER}')"
            ),
            LONG,
        )
        .await;
    session.open_settings().await;
    let row = format!(
        "document.querySelector('.drawer input[name=\"filter-{index}\"]').closest('.filter-row')"
    );
    session
        .wait_until(
            "the refused filter marked in its row",
            &format!("({row}.querySelector('.filter-refused') || {{}}).textContent?.includes('The broker refused this subscription')"),
            LONG,
        )
        .await;
    // Only that filter: the others the broker granted carry no mark.
    let marks = session
        .js("return document.querySelectorAll('.drawer .filter-refused').length")
        .await;
    assert_eq!(marks, serde_json::json!(1), "one refused filter");
    // Still connected and still showing the lamps it may read.
    assert_eq!(
        session
            .js("return document.querySelector('.status-line').dataset.status")
            .await,
        serde_json::json!("connected")
    );
    session
        .js(&format!(
            "{row}.scrollIntoView({{block: 'center'}}); return true;"
        ))
        .await;
    session.screenshot("acl-subscription-refused").await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_publish_the_broker_drops_silently_is_noticed_and_the_card_goes_back() {
    let broker = restricted_broker();
    let server = StaticServer::start(e2e::repo_root().join("dist"));
    let session = app_logged_in(&broker, &server, USER, PASSWORD).await;
    for lamp in [LOCKED, OPEN] {
        session.wait_until("both cards", &card(lamp), LONG).await;
    }
    let switch_on = |id: &str| {
        format!(
            "{}.querySelector('.switch').getAttribute('aria-checked') === 'true'",
            card(id)
        )
    };
    let delivery = |id: &str| format!("{}.querySelector('.delivery').dataset.delivery", card(id));

    // A lamp this login may switch: the echo confirms it.
    session
        .js(&format!(
            "{}.querySelector('.switch').click(); return true;",
            card(OPEN)
        ))
        .await;
    session
        .wait_until(
            "the open lamp confirmed on",
            &format!("{} && {} === 'delivered'", switch_on(OPEN), delivery(OPEN)),
            LONG,
        )
        .await;

    // The locked lamp: Mosquitto acknowledges the publish and drops it.
    session
        .js(&format!(
            "{}.querySelector('.switch').click(); return true;",
            card(LOCKED)
        ))
        .await;
    session
        .wait_until(
            "the locked lamp shown on while the change is out",
            &switch_on(LOCKED),
            LONG,
        )
        .await;
    session
        .wait_until(
            "the missing echo noticed",
            &format!("{} === 'no-echo'", delivery(LOCKED)),
            LONG,
        )
        .await;
    let text = session
        .js(&format!(
            "return {}.querySelector('.delivery-reason').textContent",
            card(LOCKED)
        ))
        .await;
    assert_eq!(text, serde_json::json!(NO_ECHO_TEXT));
    let shown_on = session.js(&format!("return {}", switch_on(LOCKED))).await;
    assert_eq!(
        shown_on,
        serde_json::json!(false),
        "back to the confirmed off"
    );
    // The open lamp, past the same wait, stays confirmed.
    let open_delivery = session.js(&format!("return {}", delivery(OPEN))).await;
    assert_eq!(open_delivery, serde_json::json!("delivered"));
    let open_on = session.js(&format!("return {}", switch_on(OPEN))).await;
    assert_eq!(open_on, serde_json::json!(true));
    session.screenshot("acl-publish-dropped").await;
    session.close().await;
}
