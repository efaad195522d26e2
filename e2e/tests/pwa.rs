//! The installable, offline-capable app in a real browser: the manifest and its icons, the
//! service worker (registration, control, offline shell, update offer, old caches removed),
//! the last lamp states shown offline, the theme switch, the install button, an axe-core
//! accessibility check, and screenshots at phone and desktop sizes in light and dark.
//!
//! Run through `cargo xtask test` (the Mosquitto step), which builds dist/ and lampsim first.

use std::path::{Path, PathBuf};
use std::time::Duration;

use e2e::{broker_kind, Broker, Lampsim, Session, StaticServer};
use serde_json::{json, Value};

/// Every card of lampsim's default house.
const LAMPS: usize = e2e::LAMPSIM_CARDS;
const LONG: Duration = Duration::from_secs(30);
const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

/// Everything one test needs; the server, lampsim and broker are optional so a test can take
/// them away (offline) and drop them in the right order.
struct World {
    session: Session,
    server: Option<StaticServer>,
    lampsim: Option<Lampsim>,
    broker: Option<Broker>,
}

async fn world_serving(root: PathBuf, (width, height): (u32, u32)) -> World {
    let broker = Broker::start(broker_kind());
    let lampsim = Lampsim::start(&broker, &["--quiet"]);
    let server = StaticServer::start(root);
    let session =
        Session::start(&format!("http://127.0.0.1:{}/", server.port), width, height).await;
    session.open_app(&broker.ws_url()).await;
    World {
        session,
        server: Some(server),
        lampsim: Some(lampsim),
        broker: Some(broker),
    }
}

async fn world(size: (u32, u32)) -> World {
    world_serving(e2e::dist(), size).await
}

async fn wait_connected_with_all_lamps(s: &Session) {
    s.wait_until(
        "status line says connected",
        "document.querySelector('.status-line[data-status=\"connected\"]')",
        LONG,
    )
    .await;
    s.wait_until(
        &format!("{LAMPS} lamp cards"),
        &format!("document.querySelectorAll('article.lamp-card').length === {LAMPS}"),
        LONG,
    )
    .await;
}

/// Waits for an active service worker, then reloads so it controls the page.
async fn wait_controlled(s: &Session) {
    s.js("navigator.serviceWorker.ready.then(r => { window.__swActive = !!r.active; }); return true;")
        .await;
    s.wait_until(
        "a service worker is active",
        "window.__swActive === true",
        LONG,
    )
    .await;
    if s.js("return !!navigator.serviceWorker.controller").await != json!(true) {
        s.js("location.reload(); return true;").await;
        s.wait_for_css(e2e::APP_MOUNTED, LONG).await;
    }
    s.wait_until(
        "the service worker controls the page",
        "navigator.serviceWorker.controller !== null",
        LONG,
    )
    .await;
}

/// Runs an async JavaScript body (WebDriver awaits the returned promise).
async fn js_async(s: &Session, body: &str) -> Value {
    s.js(&format!("return (async () => {{ {body} }})();")).await
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read dist") {
        let entry = entry.expect("dist entry");
        let kind = entry.file_type().expect("dist entry type");
        if kind.is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a file");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn manifest_is_linked_valid_and_its_icons_exist_at_their_stated_sizes() {
    let w = world(DESKTOP).await;
    let s = &w.session;
    let got = js_async(
        s,
        r#"
        const link = document.querySelector('link[rel="manifest"]');
        if (!link) return { error: 'no <link rel="manifest">' };
        const res = await fetch(link.href, { cache: 'no-store' });
        const manifest = await res.json();
        const size = async (src) => {
            const img = new Image();
            img.src = new URL(src, link.href).href;
            try { await img.decode(); } catch (e) { return [0, 0]; }
            return [img.naturalWidth, img.naturalHeight];
        };
        const icons = [];
        for (const icon of manifest.icons || []) icons.push({ ...icon, got: await size(icon.src) });
        const apple = document.querySelector('link[rel="apple-touch-icon"]');
        return {
            status: res.status,
            type: res.headers.get('content-type'),
            manifest,
            icons,
            apple: apple ? await size(apple.href) : null,
        };
        "#,
    )
    .await;
    assert_eq!(got["error"], Value::Null, "{got}");
    assert_eq!(got["status"], json!(200), "manifest fetched: {got}");
    let m = &got["manifest"];
    for field in ["name", "short_name", "description", "start_url", "scope"] {
        assert!(
            m[field].as_str().is_some_and(|v| !v.is_empty()),
            "manifest.{field} missing: {m}"
        );
    }
    assert_eq!(m["display"], json!("standalone"));
    assert_eq!(m["name"], json!("Lampboard"));
    for field in ["theme_color", "background_color"] {
        let colour = m[field].as_str().unwrap_or_default();
        assert!(
            colour.len() == 7
                && colour.starts_with('#')
                && colour[1..].chars().all(|c| c.is_ascii_hexdigit()),
            "manifest.{field} is not a #rrggbb colour: {colour:?}"
        );
    }
    let icons = got["icons"].as_array().expect("icons listed");
    for icon in icons {
        let (w, h) = (icon["got"][0].as_u64(), icon["got"][1].as_u64());
        assert!(
            w.unwrap_or(0) > 0,
            "icon {} does not load: {icon}",
            icon["src"]
        );
        if let Some((sw, sh)) = icon["sizes"].as_str().and_then(|s| s.split_once('x')) {
            assert_eq!(
                (w, h),
                (sw.parse().ok(), sh.parse().ok()),
                "icon {} is not the size it states",
                icon["src"]
            );
        }
    }
    let has = |size: &str, purpose: &str| {
        icons.iter().any(|i| {
            i["sizes"] == json!(size)
                && i["type"] == json!("image/png")
                && i["purpose"]
                    .as_str()
                    .unwrap_or("any")
                    .split(' ')
                    .any(|p| p == purpose)
        })
    };
    assert!(has("192x192", "any"), "a 192 px PNG icon");
    assert!(has("512x512", "any"), "a 512 px PNG icon");
    assert!(has("512x512", "maskable"), "a maskable 512 px PNG icon");
    assert_eq!(
        got["apple"],
        json!([180, 180]),
        "the apple-touch-icon loads at 180 px"
    );
    let errors = s.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn service_worker_registers_controls_the_page_after_a_reload_and_precaches_the_shell() {
    let w = world(DESKTOP).await;
    let s = &w.session;
    wait_controlled(s).await;
    wait_connected_with_all_lamps(s).await;
    // Every file this page loaded from its own origin is in the shell cache, whatever its hash.
    let missing = js_async(
        s,
        r#"
        const keys = (await caches.keys()).filter(k => k.startsWith('lampboard-shell-'));
        if (keys.length !== 1) return { keys };
        const cache = await caches.open(keys[0]);
        const tag = document.querySelector('script[data-lampboard-js]');
        const wanted = [
            tag.src, tag.dataset.lampboardJs, tag.dataset.lampboardWasm, '/index.html',
            ...[...document.querySelectorAll('link[rel=stylesheet], link[rel=manifest], link[rel=icon], link[rel=apple-touch-icon]')].map(l => l.href),
            '/icon-192.png', '/icon-512.png', '/icon-maskable-512.png',
        ].map(u => new URL(u, location.href).href);
        const missing = [];
        for (const url of wanted) if (!(await cache.match(url))) missing.push(url);
        return { keys, missing };
        "#,
    )
    .await;
    assert_eq!(
        missing["keys"].as_array().map(Vec::len),
        Some(1),
        "one versioned shell cache: {missing}"
    );
    assert_eq!(
        missing["missing"],
        json!([]),
        "shell files not precached: {missing}"
    );
    let errors = s.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_server_and_broker_gone_a_reload_shows_the_shell_and_the_last_lamp_states_greyed() {
    let mut w = world(PHONE).await;
    wait_controlled(&w.session).await;
    wait_connected_with_all_lamps(&w.session).await;
    // The store writes its snapshot at most once a second after messages arrive.
    w.session
        .wait_until(
            &format!("a snapshot of {LAMPS}+ lamp topics in localStorage"),
            "(JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('lampboard.snapshot.'))) || '[]').length - 1) / 2 >= 16",
            LONG,
        )
        .await;
    let switches_js = "return Object.fromEntries([...document.querySelectorAll('article.lamp-card')].map(c => [c.dataset.lamp, c.querySelector('.switch').getAttribute('aria-checked')]))";
    // Let the last states settle into the snapshot, then remember what the page shows.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let live = w.session.js(switches_js).await;
    assert_eq!(live.as_object().map(|m| m.len()), Some(LAMPS));

    // Offline: nothing serves the page, no broker answers.
    drop(w.server.take());
    drop(w.lampsim.take());
    drop(w.broker.take());
    w.session.js("location.reload(); return true;").await;
    w.session.wait_for_css(e2e::APP_MOUNTED, LONG).await;
    w.session
        .wait_until(
            &format!("{LAMPS} cards restored from the snapshot"),
            &format!("document.querySelectorAll('article.lamp-card.is-stale').length === {LAMPS}"),
            LONG,
        )
        .await;
    let restored = w.session.js(switches_js).await;
    assert_eq!(
        restored, live,
        "the cards show the last known on/off states"
    );
    let banner = w.session.text(".offline-banner").await;
    assert!(
        banner.contains("Offline — showing the last known states"),
        "offline banner: {banner:?}"
    );
    assert!(
        banner.contains("sent when the connection is back"),
        "the banner says what happens to a change: {banner:?}"
    );
    let greyed = w
        .session
        .js("return getComputedStyle(document.querySelector('article.lamp-card')).filter")
        .await;
    assert!(
        greyed.as_str().unwrap_or_default().contains("grayscale"),
        "stale cards are greyed: {greyed}"
    );
    w.session.screenshot("pwa-offline-phone").await;
    // A change made offline is queued (the banner's promise), not refused, and the banner
    // then counts it.
    w.session
        .js("document.querySelector('article.lamp-card .switch').click(); return true;")
        .await;
    w.session
        .wait_until(
            "the change is marked Will send when connected",
            "document.querySelector('article.lamp-card .delivery[data-delivery=\"queued\"]')",
            LONG,
        )
        .await;
    let banner = w.session.text(".offline-banner").await;
    assert!(
        banner.contains("1 change is kept for"),
        "the banner counts the waiting change: {banner:?}"
    );
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_deploy_offers_reload_and_the_reload_runs_the_new_version_with_old_caches_gone() {
    let root = std::env::temp_dir().join(format!("lampboard-pwa-update-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(&e2e::dist(), &root);
    let w = world_serving(root.clone(), DESKTOP).await;
    let s = &w.session;
    wait_controlled(s).await;
    let old_keys = js_async(s, "return await caches.keys();").await;
    assert!(
        s.text(".pwa-update").await.is_empty(),
        "no update offered before a deploy"
    );

    // "Deploy": a changed file makes a new service worker (the hook's hash does this for a
    // real build; here the version line is changed by hand).
    let sw_path = root.join("sw.js");
    let sw = std::fs::read_to_string(&sw_path).expect("read sw.js");
    let sw = sw.replacen("const VERSION = \"", "const VERSION = \"next-", 1);
    std::fs::write(&sw_path, sw).expect("write sw.js");
    s.js("navigator.serviceWorker.getRegistration().then(r => r.update()); window.__before = 1; return true;")
        .await;
    s.wait_until(
        "the page offers the new version",
        "document.querySelector('.pwa-update button')",
        LONG,
    )
    .await;
    let offer = s.text(".pwa-update").await;
    assert!(
        offer.contains("New version available") && offer.contains("Reload"),
        "{offer:?}"
    );
    s.js("document.querySelector('.pwa-update button').click(); return true;")
        .await;
    s.wait_until(
        "the page reloaded under the new worker",
        &format!(
            "window.__before === undefined && document.querySelector('{}') && navigator.serviceWorker.controller",
            e2e::APP_MOUNTED
        ),
        LONG,
    )
    .await;
    let new_keys = js_async(s, "return await caches.keys();").await;
    assert_eq!(new_keys.as_array().map(Vec::len), Some(1), "{new_keys}");
    assert_ne!(new_keys, old_keys, "the old cache was removed on activate");
    assert!(new_keys[0].as_str().unwrap_or_default().contains("next-"));
    w.session.close().await;
    let _ = std::fs::remove_dir_all(&root);
}

#[tokio::test(flavor = "multi_thread")]
async fn install_button_appears_when_the_browser_offers_installation_and_prompts() {
    let w = world(DESKTOP).await;
    let s = &w.session;
    wait_connected_with_all_lamps(s).await;
    // Headless Chromium does not offer installation itself: play the browser's part.
    s.js("const e = new Event('beforeinstallprompt', { cancelable: true }); e.prompt = () => { window.__prompted = true; return Promise.resolve({ outcome: 'accepted' }); }; window.dispatchEvent(e); return true;")
        .await;
    s.wait_until(
        "an Install button",
        "document.querySelector('.pwa-install button')",
        LONG,
    )
    .await;
    s.js("document.querySelector('.pwa-install button').click(); return true;")
        .await;
    s.wait_until(
        "the browser's install prompt was asked for",
        "window.__prompted === true && !document.querySelector('.pwa-install')",
        LONG,
    )
    .await;
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dismissed_install_bar_stays_dismissed_after_a_reload() {
    let w = world(PHONE).await;
    let s = &w.session;
    wait_connected_with_all_lamps(s).await;
    // Headless Chromium may offer installation itself; play the browser's part as well.
    let offer = "const e = new Event('beforeinstallprompt', { cancelable: true }); e.prompt = () => Promise.resolve({ outcome: 'dismissed' }); window.dispatchEvent(e); return true;";
    s.js(offer).await;
    s.wait_until(
        "an Install bar",
        "document.querySelector('.pwa-install .pwa-dismiss')",
        LONG,
    )
    .await;
    s.client
        .find(fantoccini::Locator::Css(".pwa-install .pwa-dismiss"))
        .await
        .expect("the Install bar's dismiss button")
        .click()
        .await
        .expect("click dismiss");
    s.wait_until(
        "the Install bar gone",
        "!document.querySelector('.pwa-install')",
        LONG,
    )
    .await;
    s.client.refresh().await.expect("reload the page");
    wait_connected_with_all_lamps(s).await;
    s.js(offer).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        s.js("return !!document.querySelector('.pwa-install')")
            .await,
        serde_json::json!(false),
        "the dismissed Install bar came back after a reload"
    );
    // What keeps it away is the stored dismissal: without it the same offer shows the bar.
    s.js("localStorage.removeItem('lampboard.install-dismissed'); return true;")
        .await;
    s.js(offer).await;
    s.wait_until(
        "the Install bar offered again once the dismissal is forgotten",
        "document.querySelector('.pwa-install')",
        LONG,
    )
    .await;
    w.session.close().await;
}

/// axe-core's serious and critical violations on the current page.
async fn axe_violations(s: &Session) -> Value {
    let axe = std::fs::read_to_string(e2e::repo_root().join("node_modules/axe-core/axe.min.js"))
        .expect("axe-core installed (npm ci; cargo xtask setup does it)");
    s.client
        .execute(&axe, vec![])
        .await
        .expect("inject axe-core");
    js_async(
        s,
        r#"
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary) }));
        "#,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_core_finds_no_serious_or_critical_violation_in_light_or_dark() {
    let w = world(DESKTOP).await;
    let s = &w.session;
    wait_connected_with_all_lamps(s).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for theme in ["light", "dark"] {
        s.pick_theme(theme).await;
        // Cards fade their background over 200 ms: measure contrast after it settles.
        tokio::time::sleep(Duration::from_millis(800)).await;
        let violations = axe_violations(s).await;
        assert_eq!(
            violations,
            json!([]),
            "axe-core, {theme} theme:\n{violations:#}"
        );
    }
    w.session.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn theme_button_switches_light_and_dark_remembered_across_reloads_at_phone_and_desktop_size()
{
    for (size, label) in [(PHONE, "phone"), (DESKTOP, "desktop")] {
        let w = world(size).await;
        let s = &w.session;
        wait_connected_with_all_lamps(s).await;
        let mut backgrounds = Vec::new();
        for theme in ["light", "dark"] {
            s.pick_theme(theme).await;
            let stored = s
                .js("return [document.documentElement.dataset.theme, localStorage.getItem('lampboard.theme')]")
                .await;
            assert_eq!(stored, json!([theme, theme]));
            // boot.js applies the stored theme before the app starts.
            s.js("location.reload(); return true;").await;
            s.wait_for_css(e2e::APP_MOUNTED, LONG).await;
            wait_connected_with_all_lamps(s).await;
            assert_eq!(
                s.js("return document.documentElement.dataset.theme").await,
                json!(theme),
                "the {theme} theme survives a reload"
            );
            tokio::time::sleep(Duration::from_millis(600)).await;
            backgrounds.push(
                s.js("return getComputedStyle(document.body).backgroundColor")
                    .await,
            );
            s.screenshot(&format!("pwa-{label}-{theme}")).await;
        }
        assert_ne!(
            backgrounds[0], backgrounds[1],
            "light and dark paint different backgrounds"
        );
        s.pick_theme("system").await;
        assert_eq!(
            s.js("return [document.documentElement.hasAttribute('data-theme'), localStorage.getItem('lampboard.theme')]")
                .await,
            json!([false, null]),
            "system: no attribute, nothing stored"
        );
        let errors = s.console_errors().await;
        assert!(errors.is_empty(), "console errors: {errors:#?}");
        w.session.close().await;
    }
}

/// Presses a WebDriver key (Tab U+E004, Enter U+E007, Space U+E00D) on the focused element.
async fn press(s: &Session, key: char) {
    let focused = s.client.active_element().await.expect("a focused element");
    focused
        .send_keys(&key.to_string())
        .await
        .expect("send a key");
}

/// Tabs forward until `css` matches the focused element; fails after `max` presses.
async fn tab_to(s: &Session, css: &str, max: usize) {
    let test = format!("return document.activeElement && document.activeElement.matches('{css}')");
    for _ in 0..max {
        if s.js(&test).await == json!(true) {
            return;
        }
        press(s, '\u{E004}').await;
    }
    panic!("{css} is not reachable with Tab within {max} presses");
}

#[tokio::test(flavor = "multi_thread")]
async fn keyboard_alone_reaches_and_works_the_theme_button_and_a_lamp_switch() {
    let w = world(DESKTOP).await;
    let s = &w.session;
    wait_connected_with_all_lamps(s).await;
    s.js("document.activeElement && document.activeElement.blur(); return true;")
        .await;
    tab_to(s, ".theme-button", 20).await;
    press(s, '\u{E007}').await;
    s.wait_until(
        "Enter on the theme button picks light",
        "document.documentElement.dataset.theme === 'light'",
        LONG,
    )
    .await;
    tab_to(s, "article.lamp-card .switch", 40).await;
    let before = s
        .js("return document.activeElement.getAttribute('aria-checked')")
        .await;
    press(s, '\u{E00D}').await;
    let flipped = if before == json!("true") {
        "false"
    } else {
        "true"
    };
    s.wait_until(
        "Space on a lamp switch toggles it",
        &format!("document.activeElement.getAttribute('aria-checked') === '{flipped}'"),
        LONG,
    )
    .await;
    w.session.close().await;
}
