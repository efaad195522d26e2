use leptos::prelude::*;

use super::nearby::when_near;
use super::throttled::Throttled;
use crate::lamp::{LampChange, LampId, Rgb};
use crate::store::view::{age_text, Delivery, LampView};
use crate::store::Store;

/// Colours one tap away, chosen to look good on real RGB bulbs. The swatches are literal
/// markup in the card's template (their names there, their colours in style/main.css under
/// `.preset[data-preset="N"]`, no inline style under the CSP): a thousand cards clone them
/// with the card instead of building 10,000 buttons one attribute at a time. The browser
/// test `every_preset_swatch_shows_the_colour_it_publishes` keeps the three in step.
const PRESETS: [Rgb; 10] = [
    rgb(255, 183, 107), // Warm white
    rgb(255, 244, 229), // Daylight
    rgb(255, 48, 48),   // Red
    rgb(255, 128, 0),   // Orange
    rgb(255, 214, 0),   // Yellow
    rgb(40, 220, 90),   // Green
    rgb(0, 255, 255),   // Turquoise
    rgb(40, 90, 255),   // Blue
    rgb(160, 60, 255),  // Purple
    rgb(255, 80, 180),  // Pink
];

const fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    Rgb { r, g, b }
}

/// The glow colour for a lamp that is on but names no colour: warm white.
const WARM: Rgb = Rgb {
    r: 255,
    g: 200,
    b: 130,
};

/// The preset whose swatch an event on the presets row came from, if any.
fn clicked_preset(ev: &leptos::ev::MouseEvent) -> Option<Rgb> {
    use leptos::wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let index: usize = target.get_attribute("data-preset")?.parse().ok()?;
    PRESETS.get(index).copied()
}

fn css_rgb(c: Rgb) -> String {
    format!("rgb({} {} {})", c.r, c.g, c.b)
}

/// The colour a card glows in: the lamp's own, dimmed by its brightness.
fn glow(view: &LampView) -> Option<(Rgb, f32)> {
    if view.shown.on != Some(true) {
        return None;
    }
    let rgb = view.shown.display_rgb().unwrap_or(WARM);
    let level = view.shown.brightness_pct.unwrap_or(100.0).clamp(0.0, 100.0) / 100.0;
    Some((rgb, level))
}

/// One lamp: its switch, colour, brightness and colour temperature, the age of
/// its state, and the delivery mark of the last change. Reads only its own
/// signal, so other lamps' messages never re-render it. The controls below the
/// header are built when the card first comes near the screen (ui/nearby.rs).
#[component]
pub fn LampCard(id: LampId, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let id = StoredValue::new(id);
    let change = move |c: LampChange| store.change(&id.get_value(), c);

    let name = move || lamp.with(|v| v.lamp.name.clone());
    let on = move || lamp.with(|v| v.shown.on == Some(true));
    let on_known = move || lamp.with(|v| v.shown.on.is_some());
    let near = RwSignal::new(false);
    let glow_color = move || lamp.with(|v| glow(v).map(|(c, _)| css_rgb(c)).unwrap_or_default());
    let glow_level = move || {
        lamp.with(|v| {
            glow(v)
                .map(|(_, l)| format!("{:.2}", 0.25 + 0.75 * l))
                .unwrap_or_default()
        })
    };
    let age = move || {
        lamp.with(|v| {
            if v.stale {
                "last known state".to_owned()
            } else {
                age_text(v.updated_at, store.now.get())
            }
        })
    };
    let stale = move || lamp.with(|v| v.stale);
    let source = move || lamp.with(|v| v.lamp.source_kind().label());
    let toggle_label = move || format!("{} {}", name(), if on() { "is on" } else { "is off" });

    view! {
        <article
            class="lamp-card"
            class:is-on=on
            class:is-unknown=move || !on_known()
            class:is-stale=stale
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
            use:when_near=near
        >
            <div class="lamp-head">
                <span class="lamp-bulb" aria-hidden="true"></span>
                <div class="lamp-title">
                    <h3>{name}</h3>
                    <p class="lamp-meta">
                        {source}" · "<span class="lamp-age">{age}</span>
                        <DeliveryMark lamp=lamp />
                    </p>
                </div>
                <button
                    class="switch"
                    role="switch"
                    aria-checked=move || if on() { "true" } else { "false" }
                    aria-label=toggle_label
                    on:click=move |_| change(LampChange::On(!on()))
                >
                    <span class="switch-knob"></span>
                </button>
            </div>
            <DeliveryReason lamp=lamp />

            // Built once the card comes within a screen of the viewport (see ui/nearby.rs).
            {move || near.get().then(|| view! { <LampControls id=id lamp=lamp /> })}

            // Only when there is something to say, so a quiet card has no empty strip.
            {move || lamp.with(|v| v.lamp.unreadable.clone()).map(|u| view! {
                <footer class="lamp-foot">
                    <details class="unreadable">
                        <summary>"Last message unreadable"</summary>
                        <p class="unreadable-why">{u.error.to_string()}</p>
                        <pre class="raw">{u.raw}</pre>
                    </details>
                </footer>
            })}
        </article>
    }
}

/// A card's brightness, colour and colour-temperature controls, as far as the lamp has them.
#[component]
fn LampControls(id: StoredValue<LampId>, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let change = move |c: LampChange| store.change(&id.get_value(), c);
    let caps = move || lamp.with(|v| v.lamp.capabilities.clone());
    let brightness = move || lamp.with(|v| v.shown.brightness_pct.map(|b| b.round() as u8));
    let color_hex = move || lamp.with(|v| v.shown.display_rgb().unwrap_or(WARM).to_hex());
    let mireds = move || lamp.with(|v| v.shown.color_temp_mireds);

    let brightness_sender = Throttled::new(move |pct: u8| change(LampChange::Brightness(pct)));
    let color_sender = Throttled::new(move |c: Rgb| change(LampChange::Color(c)));
    let temp_sender = Throttled::new(move |m: u16| change(LampChange::ColorTemp(m)));

    // The slider's range through a memo, so its view is rebuilt only when the range changes.
    // Read straight from `lamp`, the closure re-ran at every state (60 times a second in a
    // flood) and built new effects for the slider each time; reactive_graph (0.2) never
    // removes a dropped effect from its signal's subscriber set, so every rebuild left
    // entries (and their allocations) on the lamp's signal: the lamps page grew without end.
    let temp_range = Memo::new(move |_| {
        lamp.with(|v| v.lamp.capabilities.color_temp_range.unwrap_or((153, 500)))
    });

    view! {
        <Show when=move || caps().brightness>
            <label class="control">
                <span class="control-label">
                    "Brightness"
                    <output>{move || brightness().map_or("–".to_owned(), |b| format!("{b} %"))}</output>
                </span>
                <input
                    type="range"
                    class="brightness"
                    min="1"
                    max="100"
                    prop:value=move || brightness().unwrap_or(100).max(1).to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                            brightness_sender.input(v);
                        }
                    }
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                            brightness_sender.commit(v);
                        }
                    }
                />
            </label>
        </Show>

        <Show when=move || caps().color>
            <div class="control colors">
                <label class="color-pick">
                    <span class="visually-hidden">"Colour"</span>
                    <input
                        type="color"
                        class="color-input"
                        prop:value=color_hex
                        on:input=move |ev| {
                            if let Some(c) = Rgb::from_hex(&event_target_value(&ev)) {
                                color_sender.input(c);
                            }
                        }
                        on:change=move |ev| {
                            if let Some(c) = Rgb::from_hex(&event_target_value(&ev)) {
                                color_sender.commit(c);
                            }
                        }
                    />
                </label>
                // One listener for the row (the swatch says which preset it is): a
                // thousand cards cost no closure per swatch.
                <div
                    class="presets"
                    role="group"
                    aria-label="Preset colours"
                    on:click=move |ev| {
                        if let Some(c) = clicked_preset(&ev) {
                            color_sender.commit(c);
                        }
                    }
                >
                    <button class="preset" data-preset="0" title="Warm white" aria-label="Warm white"></button>
                    <button class="preset" data-preset="1" title="Daylight" aria-label="Daylight"></button>
                    <button class="preset" data-preset="2" title="Red" aria-label="Red"></button>
                    <button class="preset" data-preset="3" title="Orange" aria-label="Orange"></button>
                    <button class="preset" data-preset="4" title="Yellow" aria-label="Yellow"></button>
                    <button class="preset" data-preset="5" title="Green" aria-label="Green"></button>
                    <button class="preset" data-preset="6" title="Turquoise" aria-label="Turquoise"></button>
                    <button class="preset" data-preset="7" title="Blue" aria-label="Blue"></button>
                    <button class="preset" data-preset="8" title="Purple" aria-label="Purple"></button>
                    <button class="preset" data-preset="9" title="Pink" aria-label="Pink"></button>
                </div>
            </div>
        </Show>

        <Show when=move || caps().color_temp>
            {move || {
                let (min, max) = temp_range.get();
                view! {
                    <label class="control">
                        <span class="control-label">
                            "White"
                            <output>{move || mireds().map_or("–".to_owned(), |m| format!("{} K", 1_000_000 / u32::from(m.max(1))))}</output>
                        </span>
                        <input
                            type="range"
                            class="color-temp"
                            min=min.to_string()
                            max=max.to_string()
                            prop:value=move || mireds().unwrap_or((min + max) / 2).to_string()
                            on:input=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<u16>() {
                                    temp_sender.input(v);
                                }
                            }
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<u16>() {
                                    temp_sender.commit(v);
                                }
                            }
                        />
                    </label>
                }
            }}
        </Show>
    }
}

/// "Sending…", "Delivered" or what failed, for the last change.
#[component]
fn DeliveryMark(lamp: RwSignal<LampView>) -> impl IntoView {
    let delivery = move || lamp.with(|v| v.delivery.clone());
    view! {
        <span
            class="delivery"
            data-delivery=move || match delivery() {
                Delivery::Idle => "idle",
                Delivery::Pending => "pending",
                Delivery::Delivered => "delivered",
                Delivery::Downgraded => "downgraded",
                Delivery::Failed(_) => "failed",
                Delivery::NoEcho => "no-echo",
            }
            aria-live="polite"
        >
            {move || lamp.with(|v| v.delivery.mark())}
        </span>
    }
}

/// Why the last change did not take, across the card under its header (empty, and
/// hidden by the stylesheet, otherwise).
#[component]
fn DeliveryReason(lamp: RwSignal<LampView>) -> impl IntoView {
    view! {
        <p class="delivery-reason" role="alert">
            {move || lamp.with(|v| v.delivery.reason().unwrap_or_default().to_owned())}
        </p>
    }
}
