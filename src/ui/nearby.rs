//! Cards build their controls (sliders, colour picker, swatches) only once they come within
//! a screen of the viewport. A house of 1,000 lamps then starts with 1,000 headers (name,
//! age, switch: everything a glance needs) and the few full cards on screen, instead of
//! 1,000 full cards nobody is looking at yet; scrolling builds the rest a screen ahead.
//!
//! One `IntersectionObserver` watches every card that is still waiting; a card is
//! forgotten as soon as it is near (it never goes back) or removed. Where the browser has
//! no `IntersectionObserver`, every card is near at once: the page is slower to start,
//! never missing controls.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// How far beyond the viewport (above and below) a card counts as near: one screen, so a
/// flick of the thumb finds built cards, and the browser's own `content-visibility`
/// margin (half a screen) is inside it.
const MARGIN: &str = "100% 0px";

/// The attribute that ties an observed card to its flag.
const KEY: &str = "data-near";

struct Watcher {
    observer: IntersectionObserver,
    waiting: HashMap<u32, (Element, RwSignal<bool>)>,
    next_key: u32,
    /// Kept alive as long as the observer may call it.
    _callback: Closure<dyn FnMut(js_sys::Array)>,
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
        w.observer.observe(el);
        Some(key)
    })
}

fn new_watcher() -> Option<Watcher> {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(|entries: js_sys::Array| {
        for entry in entries.iter() {
            let entry: IntersectionObserverEntry = entry.unchecked_into();
            if !entry.is_intersecting() {
                continue;
            }
            if let Some(key) = entry
                .target()
                .get_attribute(KEY)
                .and_then(|k| k.parse().ok())
            {
                forget(key, true);
            }
        }
    });
    let options = IntersectionObserverInit::new();
    options.set_root_margin(MARGIN);
    let observer =
        IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options).ok()?;
    Some(Watcher {
        observer,
        waiting: HashMap::new(),
        next_key: 0,
        _callback: callback,
    })
}

/// Stops watching card `key`; sets its flag when it `came_near` (not when it was removed).
fn forget(key: u32, came_near: bool) {
    let flag = WATCHER.with_borrow_mut(|slot| {
        let w = slot.as_mut()?;
        let (el, flag) = w.waiting.remove(&key)?;
        w.observer.unobserve(&el);
        Some(flag)
    });
    // Set outside the borrow: building the controls may add or remove cards.
    if let (Some(flag), true) = (flag, came_near) {
        flag.try_set(true);
    }
}
