//! Cards build their controls (sliders, colour picker, swatches) only once they come within
//! a screen of the viewport. A house of 1,000 lamps then starts with 1,000 headers (name,
//! age, switch: everything a glance needs) and the few full cards on screen, instead of
//! 1,000 full cards nobody is looking at yet; scrolling builds the rest a screen ahead.
//!
//! Two observers share the work. A `ResizeObserver` sees each new card once, in the frame
//! it is first laid out, after layout and before paint: a card already near gets its
//! controls in that same frame, so the first screen never shows bare headers that then
//! grow (an `IntersectionObserver` alone reports a frame late, after a paint). The
//! `IntersectionObserver` (margin: one screen above and below) catches the cards that come
//! near later, by scrolling. A card is forgotten by both once near (it never goes back) or
//! when removed. Where the browser has neither, every card is near at once: the page is
//! slower to start, never missing controls.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use web_sys::{
    Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit,
    ResizeObserver, ResizeObserverEntry,
};

/// How far beyond the viewport (above and below) a card counts as near: one screen, so a
/// flick of the thumb finds built cards, and the browser's own `content-visibility`
/// margin (half a screen) is inside it.
const MARGIN: &str = "100% 0px";

/// The attribute that ties an observed card to its flag.
const KEY: &str = "data-near";

type EntriesCallback = Closure<dyn FnMut(js_sys::Array)>;

struct Watcher {
    /// Cards coming near by scrolling.
    scroll: IntersectionObserver,
    /// Each card's first layout.
    first_layout: ResizeObserver,
    waiting: HashMap<u32, (Element, RwSignal<bool>)>,
    next_key: u32,
    /// Kept alive as long as the observers may call them.
    _callbacks: (EntriesCallback, EntriesCallback),
}

thread_local! {
    static WATCHER: RefCell<Option<Watcher>> = const { RefCell::new(None) };
}

/// `use:when_near=flag` on a card: sets `flag` once the card is within a screen of the viewport
/// (at once where the browser cannot tell), and stops watching the card when it is removed.
pub fn when_near(el: Element, flag: RwSignal<bool>) {
    let Some(key) = watch(&el, flag) else {
        flag.set(true);
        return;
    };
    on_cleanup(move || forget(key, false));
}

/// Cards still waiting to come near; the browser test checks removed cards are forgotten.
pub fn waiting() -> usize {
    WATCHER.with_borrow(|w| w.as_ref().map_or(0, |w| w.waiting.len()))
}

fn watch(el: &Element, flag: RwSignal<bool>) -> Option<u32> {
    WATCHER.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = new_watcher();
        }
        let w = slot.as_mut()?;
        let key = w.next_key;
        w.next_key = w.next_key.wrapping_add(1);
        el.set_attribute(KEY, &key.to_string()).ok()?;
        w.waiting.insert(key, (el.clone(), flag));
        w.scroll.observe(el);
        w.first_layout.observe(el);
        Some(key)
    })
}

fn key_of(el: &Element) -> Option<u32> {
    el.get_attribute(KEY)?.parse().ok()
}

fn new_watcher() -> Option<Watcher> {
    let on_scroll = Closure::<dyn FnMut(js_sys::Array)>::new(|entries: js_sys::Array| {
        for entry in entries.iter() {
            let entry: IntersectionObserverEntry = entry.unchecked_into();
            if entry.is_intersecting() {
                if let Some(key) = key_of(&entry.target()) {
                    forget(key, true);
                }
            }
        }
    });
    let on_first_layout = Closure::<dyn FnMut(js_sys::Array)>::new(|entries: js_sys::Array| {
        let screen = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .unwrap_or(0.0);
        for entry in entries.iter() {
            let target = entry.unchecked_into::<ResizeObserverEntry>().target();
            // Once only: later size changes (its own controls, a taller neighbour) are
            // not news, and unobserving first keeps the observer from looping.
            WATCHER.with_borrow(|w| {
                if let Some(w) = w {
                    w.first_layout.unobserve(&target);
                }
            });
            // Layout is fresh here, so the rectangle costs no extra layout.
            let rect = target.get_bounding_client_rect();
            let near = rect.bottom() >= -screen && rect.top() <= 2.0 * screen;
            if let (true, Some(key)) = (near, key_of(&target)) {
                forget(key, true);
            }
        }
    });
    let options = IntersectionObserverInit::new();
    options.set_root_margin(MARGIN);
    let scroll =
        IntersectionObserver::new_with_options(on_scroll.as_ref().unchecked_ref(), &options)
            .ok()?;
    let first_layout = ResizeObserver::new(on_first_layout.as_ref().unchecked_ref()).ok()?;
    Some(Watcher {
        scroll,
        first_layout,
        waiting: HashMap::new(),
        next_key: 0,
        _callbacks: (on_scroll, on_first_layout),
    })
}

/// Stops watching card `key`; sets its flag when it `came_near` (not when it was removed).
fn forget(key: u32, came_near: bool) {
    let flag = WATCHER.with_borrow_mut(|slot| {
        let w = slot.as_mut()?;
        let (el, flag) = w.waiting.remove(&key)?;
        w.scroll.unobserve(&el);
        w.first_layout.unobserve(&el);
        Some(flag)
    });
    // Set outside the borrow: building the controls may add or remove cards.
    if let (Some(flag), true) = (flag, came_near) {
        flag.try_set(true);
    }
}
