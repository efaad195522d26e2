//! One lamp as a compact tile: its name (whole, up to two lines), its state at a glance (an
//! on lamp glows in its own colour), brightness and availability, one big hit area that
//! toggles it and one that opens the lamp sheet (`ui/lamp_sheet.rs`), the only place with
//! the fine controls. A tile has a fixed height and builds everything at once, so nothing
//! below it moves when a lamp changes, a status gets longer or the page scrolls.

use leptos::prelude::*;

use super::lamp_sheet::SheetHandle;
use crate::lamp::{LampChange, LampId, Rgb};
use crate::store::view::{age_text, switch_label, tile_state, toggle_change, Delivery, LampView};
use crate::store::Store;

/// The glow colour for a lamp that is on but names no colour: warm white.
pub const WARM: Rgb = Rgb {
    r: 255,
    g: 200,
    b: 130,
};

/// A colour as CSS (`rgb(r g b)`), for the `--lamp` custom property the stylesheet paints
/// the glow from.
pub fn css_rgb(c: Rgb) -> String {
    format!("rgb({} {} {})", c.r, c.g, c.b)
}

/// The colour a tile glows in and how strongly: the lamp's own, dimmed by its brightness;
/// None while it is off or its state unknown.
pub fn glow(view: &LampView) -> Option<(Rgb, f32)> {
    if view.shown.on != Some(true) {
        return None;
    }
    let rgb = view.shown.display_rgb().unwrap_or(WARM);
    let level = view.shown.brightness_pct.unwrap_or(100.0).clamp(0.0, 100.0) / 100.0;
    Some((rgb, level))
}

/// The colour a lamp is remembered by even while off or unreachable (its last known one),
/// so a greyed tile keeps its colour recognisable.
pub fn known_color(view: &LampView) -> Option<Rgb> {
    view.shown.display_rgb()
}

/// One lamp as a tile. Reads only its own signal, so other lamps' messages never re-render
/// it; keeps the class names and data attributes the end-to-end tests and the benchmark
/// read (`article.lamp-card[data-lamp]`, `.switch`, `.delivery`, `data-confirmed`).
#[component]
pub fn LampTile(id: LampId, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let sheet = expect_context::<SheetHandle>();
    let id = StoredValue::new(id);
    let change = move |c: LampChange| store.change(&id.get_value(), c);

    let name = move || lamp.with(|v| v.lamp.name.clone());
    let on = move || lamp.with(|v| v.shown.on == Some(true));
    let on_known = move || lamp.with(|v| v.shown.on.is_some());
    let available = move || lamp.with(|v| v.lamp.available);
    let glow_color = move || {
        lamp.with(|v| {
            glow(v)
                .map(|(c, _)| c)
                .or_else(|| known_color(v))
                .map(css_rgb)
                .unwrap_or_default()
        })
    };
    let glow_level = move || {
        lamp.with(|v| {
            glow(v)
                .map(|(_, l)| format!("{:.2}", 0.25 + 0.75 * l))
                .unwrap_or_default()
        })
    };
    let stale = move || lamp.with(|v| v.stale);
    let toggle_label = move || lamp.with(|v| switch_label(&v.lamp.name, v.shown.on));
    let open_label =
        move || lamp.with(|v| format!("{}: colour, brightness and details", v.lamp.name));

    view! {
        <article
            class="lamp-card lamp-tile"
            class:is-on=on
            class:is-unknown=move || !on_known()
            class:is-stale=stale
            class:is-unavailable=move || !available()
            class:is-unreadable=move || lamp.with(|v| v.lamp.unreadable.is_some())
            class:has-color=move || lamp.with(|v| known_color(v).is_some())
            data-lamp=id.get_value().0
            // What the broker last said (not the optimistic state): `cargo xtask bench`
            // times a click until this changes.
            data-confirmed=move || lamp.with(|v| match v.lamp.state.on {
                Some(true) => "on",
                Some(false) => "off",
                None => "unknown",
            })
            style:--lamp=glow_color
            style:--glow=glow_level
        >
            // The toggle's hit area is the whole tile but the open button's corner. A switch
            // while on/off is known; a plain button ("Turn … on") while it is not, since
            // ARIA's switch has no "mixed" state.
            <button
                type="button"
                class="switch tile-toggle"
                role=move || on_known().then_some("switch")
                aria-checked=move || on_known().then(|| if on() { "true" } else { "false" })
                aria-label=toggle_label
                prop:disabled=move || !available()
                on:click=move |_| change(toggle_change(lamp.with_untracked(|v| v.shown.on)))
            >
                <span class="lamp-bulb" aria-hidden="true"></span>
                <span class="tile-name">{name}</span>
                <span class="tile-state">{move || lamp.with(tile_state)}</span>
                // Shown in the card view only (the stylesheet hides it on tiles).
                <span class="tile-meta">
                    {move || lamp.with(|v| v.lamp.source_kind().label())}" · "
                    {move || lamp.with(|v| {
                        if v.stale {
                            "last known state".to_owned()
                        } else {
                            age_text(v.updated_at, store.now.get())
                        }
                    })}
                </span>
            </button>
            <button
                type="button"
                class="tile-open"
                aria-haspopup="dialog"
                aria-label=open_label
                title="Colour, brightness and details"
                on:click=move |_| sheet.open(id.get_value())
            >
                <span class="tile-open-icon" aria-hidden="true"></span>
            </button>
            <DeliveryMark lamp=lamp short=true />
            // Why the last change did not take: said to screen readers at once (an
            // alert), shown in the sheet; the tile's mark says "Not sent" / "No answer".
            <p class="delivery-reason visually-hidden" role="alert">
                {move || lamp.with(|v| v.delivery.reason().unwrap_or_default().to_owned())}
            </p>
        </article>
    }
}

/// "Sending…", "Delivered" or what failed, for the last change: on the tile (`short`) a short
/// mark in its corner (fixed place, no reflow; a queued change says *Queued* there and *Will
/// send when connected* in its title and to screen readers), in the sheet beside the lamp's
/// age.
#[component]
pub fn DeliveryMark(lamp: RwSignal<LampView>, #[prop(optional)] short: bool) -> impl IntoView {
    let delivery = move || lamp.with(|v| v.delivery.clone());
    let text = move || {
        lamp.with(|v| {
            if short {
                v.delivery.short_mark()
            } else {
                v.delivery.mark()
            }
        })
    };
    let spoken = move || {
        lamp.with(|v| {
            (short && v.delivery.short_mark() != v.delivery.mark()).then(|| v.delivery.mark())
        })
    };
    view! {
        <span
            class="delivery"
            data-delivery=move || match delivery() {
                Delivery::Idle => "idle",
                Delivery::Pending => "pending",
                Delivery::Queued => "queued",
                Delivery::Delivered => "delivered",
                Delivery::Downgraded => "downgraded",
                Delivery::Failed(_) => "failed",
                Delivery::NoEcho => "no-echo",
            }
            aria-live="polite"
            title=spoken
        >
            <span aria-hidden=move || spoken().map(|_| "true")>{text}</span>
            <span class="visually-hidden">{spoken}</span>
        </span>
    }
}
