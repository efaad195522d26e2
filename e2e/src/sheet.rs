//! Driving one lamp the way a user does since the dashboard became compact tiles: the tile
//! (`article.lamp-card[data-lamp]`) shows the state and toggles with its `.switch`; the fine
//! controls (brightness, colour, white, effect) and the lamp's notes live only in the one
//! lamp sheet (`dialog.lamp-sheet`, its `.sheet-body[data-lamp]`), opened by the tile's
//! `.tile-open`. Shared by every test that works a lamp's controls, so a change to the
//! markup is followed in one place.

use std::time::Duration;

use crate::Session;

/// How long a tile, a sheet or a lamp's answer may take on a busy machine.
const LONG: Duration = Duration::from_secs(30);

/// JavaScript for lamp `id`'s tile (null while there is none).
pub fn card(id: &str) -> String {
    format!("document.querySelector('article.lamp-card[data-lamp=\"{id}\"]')")
}

/// JavaScript for the lamp sheet's body while it shows lamp `id` (null otherwise).
pub fn sheet(id: &str) -> String {
    format!("document.querySelector('dialog.lamp-sheet .sheet-body[data-lamp=\"{id}\"]')")
}

/// Waits until the tile's confirmed state (what the lamp last said, not the optimistic one)
/// is `state` (`on`, `off` or `unknown`).
pub async fn wait_confirmed(s: &Session, id: &str, state: &str, what: &str) {
    let js = format!("{c} && {c}.dataset.confirmed === '{state}'", c = card(id));
    s.wait_until(what, &js, LONG).await;
}

/// Closes the lamp sheet if one is open, and waits until the page behind it is live again.
pub async fn close_sheet(s: &Session) {
    s.js("const c = document.querySelector('dialog.lamp-sheet[open] .sheet-close'); if (c) c.click(); return true;")
        .await;
    s.wait_until(
        "the lamp sheet closes",
        "!document.querySelector('dialog.lamp-sheet[open]')",
        LONG,
    )
    .await;
}

/// Toggles the lamp from its tile, as a tap on it would (closing an open sheet first: the
/// page behind a modal sheet takes no taps).
pub async fn click_switch(s: &Session, id: &str) {
    close_sheet(s).await;
    s.js(&format!(
        "{}.querySelector('.switch').click(); return true;",
        card(id)
    ))
    .await;
}

/// Opens lamp `id`'s sheet from its tile (closing another lamp's first) and waits until it
/// shows that lamp; does nothing when it already does.
pub async fn open_sheet(s: &Session, id: &str) {
    s.js(&format!(
        "if (!{}) {{ const c = document.querySelector('dialog.lamp-sheet .sheet-close'); if (c) c.click(); {}.querySelector('.tile-open').click(); }} return true;",
        sheet(id),
        card(id)
    ))
    .await;
    s.wait_until(
        &format!("{id}'s sheet is open"),
        &format!(
            "document.querySelector('dialog.lamp-sheet[open]') && {}",
            sheet(id)
        ),
        LONG,
    )
    .await;
}

/// Sets an input or select of the lamp as a user's final choice would (input, then change),
/// in its lamp sheet, opened from its tile (the fine controls live there).
pub async fn set_control(s: &Session, id: &str, selector: &str, value: &str) {
    open_sheet(s, id).await;
    s.wait_until(
        &format!("{id}'s sheet has its {selector}"),
        &format!("{}?.querySelector('{selector}')", sheet(id)),
        LONG,
    )
    .await;
    let found = s
        .js(&format!(
            "const i = {}?.querySelector('{selector}'); if (!i) return false; i.value = '{value}'; i.dispatchEvent(new Event('input', {{bubbles: true}})); i.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
            sheet(id)
        ))
        .await;
    assert_eq!(
        found,
        serde_json::json!(true),
        "{id} has no control {selector}"
    );
}

/// The value of a control in lamp `id`'s sheet (opening it), once it is there: what the
/// sheet shows the lamp reported.
pub async fn control_value(s: &Session, id: &str, selector: &str) -> serde_json::Value {
    open_sheet(s, id).await;
    s.wait_until(
        &format!("{id}'s sheet has its {selector}"),
        &format!("{}?.querySelector('{selector}')", sheet(id)),
        LONG,
    )
    .await;
    s.js(&format!(
        "return {}?.querySelector('{selector}')?.value ?? null",
        sheet(id)
    ))
    .await
}

/// Waits until the control `selector` in lamp `id`'s sheet (opening it) shows `value`.
pub async fn wait_control(s: &Session, id: &str, selector: &str, value: &str, what: &str) {
    open_sheet(s, id).await;
    s.wait_until(
        what,
        &format!(
            "{}?.querySelector('{selector}')?.value === '{value}'",
            sheet(id)
        ),
        LONG,
    )
    .await;
}
