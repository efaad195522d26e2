//! The lamp sheet's colour wheel: hue round the rim, saturation from the white centre,
//! drawn by the stylesheet (a conic and a radial gradient, no image, nothing the CSP
//! blocks) with a handle in the current colour. Mouse and touch through pointer events
//! (captured, so a drag may leave the wheel), keys on the focused wheel (arrows, Page
//! Up/Down, Home, End: `lamp::wheel::key_step`). Dragging and held keys go through the
//! sheet's [`Throttled`] sender; letting go sends the final colour. The geometry is
//! `lamp::wheel`, tested natively.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::throttled::Throttled;
use crate::lamp::palette::same_color;
use crate::lamp::wheel::{handle_at, hs_at, key_step, value_text, Hs};
use crate::lamp::Rgb;

/// Where a pointer event falls on the wheel element `el`.
fn hs_of_pointer(el: &web_sys::Element, x: f64, y: f64) -> Hs {
    let rect = el.get_bounding_client_rect();
    let radius = rect.width().min(rect.height()) / 2.0;
    let cx = rect.left() + rect.width() / 2.0;
    let cy = rect.top() + rect.height() / 2.0;
    hs_at(x - cx, y - cy, radius)
}

/// The wheel. `color` is the lamp's current colour (None: unknown, the handle rests in the
/// centre, dashed); `sender` publishes; `disabled` while the lamp is unavailable.
#[component]
pub fn ColorWheel(
    color: Signal<Option<Rgb>>,
    sender: Throttled<Rgb>,
    disabled: Signal<bool>,
) -> impl IntoView {
    // While a finger or key is down: the wheel shows this, not the lamp's echo, so the
    // handle follows the finger between throttled sends.
    let moving = RwSignal::new(None::<Hs>);
    // The last position the user chose: a colour's hue is lost at the white centre, so
    // the wheel keeps its own position while the lamp's colour is still that one.
    let chosen = RwSignal::new(None::<Hs>);
    let shown = move || {
        if let Some(hs) = moving.get() {
            return hs;
        }
        let current = color.get();
        match (chosen.get(), current) {
            (Some(hs), Some(c)) if same_color(hs.color(), c) => hs,
            (_, Some(c)) => Hs::of(c),
            (Some(hs), None) => hs,
            (None, None) => Hs::new(0.0, 0.0),
        }
    };
    let handle = move || handle_at(shown(), 50.0);
    let handle_color = move || {
        let c = shown().color();
        format!("rgb({} {} {})", c.r, c.g, c.b)
    };
    let press = move |hs: Hs| {
        moving.set(Some(hs));
        chosen.set(Some(hs));
        sender.input(hs.color());
    };
    let release = move || {
        if let Some(hs) = moving.get_untracked() {
            moving.set(None);
            sender.commit(hs.color());
        }
    };

    view! {
        <div
            class="color-wheel"
            role="slider"
            tabindex=move || if disabled.get() { "-1" } else { "0" }
            aria-label="Colour wheel"
            aria-disabled=move || disabled.get().then_some("true")
            aria-valuemin="0"
            aria-valuemax="360"
            aria-valuenow=move || format!("{:.0}", shown().hue)
            aria-valuetext=move || {
                if color.get().is_none() && moving.get().is_none() && chosen.get().is_none() {
                    "Colour unknown".to_owned()
                } else {
                    value_text(shown())
                }
            }
            data-unknown=move || (color.get().is_none() && chosen.get().is_none()).then_some("")
            on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                if disabled.get_untracked() || ev.button() != 0 {
                    return;
                }
                let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
                    return;
                };
                ev.prevent_default();
                // Where the finger is, before focusing (which may scroll the sheet).
                let hs = hs_of_pointer(&el, f64::from(ev.client_x()), f64::from(ev.client_y()));
                // Keyboard users and screen readers find the wheel where the pointer left it.
                if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
                    let _ = h.focus();
                }
                // A synthetic or already-ended pointer cannot be captured: the drag still
                // works inside the wheel.
                let _ = el.set_pointer_capture(ev.pointer_id());
                press(hs);
            }
            on:pointermove=move |ev: leptos::ev::PointerEvent| {
                if moving.get_untracked().is_none() {
                    return;
                }
                if let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    press(hs_of_pointer(&el, f64::from(ev.client_x()), f64::from(ev.client_y())));
                }
            }
            on:pointerup=move |_| release()
            on:pointercancel=move |_| release()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if disabled.get_untracked() {
                    return;
                }
                if let Some(next) = key_step(shown(), &ev.key(), ev.shift_key()) {
                    ev.prevent_default();
                    press(next);
                }
            }
            on:keyup=move |_| release()
            on:blur=move |_| release()
        >
            <span
                class="wheel-handle"
                aria-hidden="true"
                style:left=move || format!("{:.2}%", 50.0 + handle().0)
                style:top=move || format!("{:.2}%", 50.0 + handle().1)
                style:--handle=handle_color
            ></span>
        </div>
    }
}
