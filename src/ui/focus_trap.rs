//! Keeping Tab inside a dialog (the lamp sheet, the settings drawer): from the last stop
//! Tab goes to the first, from the first Shift-Tab goes to the last, and focus that is
//! outside comes in. A modal `<dialog>` already makes the page behind inert, but Tab still
//! runs out to the browser's own controls and a `role="dialog"` panel holds nothing on its
//! own (Shift-Tab used to escape the settings drawer to the page, where Escape no longer
//! closed it).

use leptos::wasm_bindgen::JsCast;

/// What Tab stops at, as a selector (disabled and `tabindex=-1` ones are filtered after).
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
    textarea:not([disabled]), a[href], summary, [tabindex]:not([tabindex=\"-1\"])";

/// The elements Tab stops at inside `root`, in order: enabled, not in a disabled
/// fieldset, rendered (not in a closed `<details>`, not `display: none`).
pub fn tab_stops(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|e| {
            e.tab_index() >= 0 && e.closest("fieldset:disabled").ok().flatten().is_none() && {
                let r = e.get_bounding_client_rect();
                r.width() > 0.0 || r.height() > 0.0
            }
        })
        .collect()
}

/// Handles a Tab press inside `root`: wraps at the ends, pulls stray focus in. Returns
/// whether it moved focus (the caller then cancels the browser's own move).
pub fn wrap_tab(root: &web_sys::Element, backwards: bool) -> bool {
    let stops = tab_stops(root);
    let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
        return false;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let is = |e: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == e.unchecked_ref());
    let inside = active
        .as_ref()
        .is_some_and(|a| root.contains(Some(a.unchecked_ref())));
    let target = match (backwards, inside) {
        (true, true) if is(first) => last,
        (false, true) if is(last) => first,
        (true, false) => last,
        (false, false) => first,
        _ => return false,
    };
    let _ = target.focus();
    true
}
