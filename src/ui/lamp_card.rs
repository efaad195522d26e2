use leptos::prelude::*;

use super::nearby::when_near;
use super::throttled::Throttled;
use crate::lamp::{LampChange, LampId, Rgb};
use crate::net::status::ConnectionStatus;
use crate::store::view::{age_text, condition, switch_label, toggle_change, Delivery, LampView};
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

/// One lamp: its switch, colour, brightness, colour temperature and effect (only those the
/// lamp has), the age of its state, whether it is unavailable or its state unknown, and the
/// delivery mark of the last change. Reads only its own signal, so other lamps' messages
/// never re-render it. The controls below the header are built when the card first comes
/// near the screen (ui/nearby.rs).
#[component]
pub fn LampCard(id: LampId, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let id = StoredValue::new(id);
    let change = move |c: LampChange| store.change(&id.get_value(), c);

    let name = move || lamp.with(|v| v.lamp.name.clone());
    let on = move || lamp.with(|v| v.shown.on == Some(true));
    let on_known = move || lamp.with(|v| v.shown.on.is_some());
    let available = move || lamp.with(|v| v.lamp.available);
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
    // What the lamp's configuration asks that Lampboard cannot do; changes only with it.
    let note = Memo::new(move |_| lamp.with(|v| v.lamp.binding.note()));
    let source = move || lamp.with(|v| v.lamp.source_kind().label());
    let toggle_label = move || lamp.with(|v| switch_label(&v.lamp.name, v.shown.on));
    // Only a lamp kept from the last visit that nothing live has spoken for since we
    // connected may be removed; while offline every card is from the last visit.
    let removable = move || {
        stale()
            && store
                .status
                .with(|s| matches!(s, ConnectionStatus::Connected))
    };

    view! {
        <article
            class="lamp-card"
            class:is-on=on
            class:is-unknown=move || !on_known()
            class:is-stale=stale
            class:is-unavailable=move || !available()
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
                // A switch while on/off is known; a plain button ("Turn … on") while it is
                // not, since ARIA's switch has no "mixed" state.
                <button
                    class="switch"
                    role=move || on_known().then_some("switch")
                    aria-checked=move || on_known().then(|| if on() { "true" } else { "false" })
                    aria-label=toggle_label
                    prop:disabled=move || !available()
                    on:click=move |_| change(toggle_change(lamp.with_untracked(|v| v.shown.on)))
                >
                    <span class="switch-knob"></span>
                </button>
            </div>
            <p class="lamp-condition">{move || lamp.with(|v| condition(v).unwrap_or_default())}</p>
            <DeliveryReason lamp=lamp />

            // Built once the card comes within a screen of the viewport (see ui/nearby.rs).
            {move || near.get().then(|| view! { <LampControls id=id lamp=lamp /> })}

            {move || note.get().map(|note| view! {
                <p class="lamp-note">{note}</p>
            })}

            <Show when=removable>
                <ForgetLamp id=id />
            </Show>

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

/// A card's brightness, colour, colour-temperature and effect controls, only those the lamp
/// has (its capabilities, announced or learned from its messages: a control appears when the
/// lamp first shows the field). A value the lamp never told is shown as unknown, not as a
/// made-up position. All disabled while the lamp is unavailable.
#[component]
fn LampControls(id: StoredValue<LampId>, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let change = move |c: LampChange| store.change(&id.get_value(), c);
    // Each `Show` below flips once, when the lamp gains the capability: read through these
    // (not a clone of the capabilities per state) so a state message costs no allocation.
    let has_brightness = move || lamp.with(|v| v.lamp.capabilities.brightness);
    let has_color = move || lamp.with(|v| v.lamp.capabilities.color);
    let has_color_temp = move || lamp.with(|v| v.lamp.capabilities.color_temp);
    let unavailable = move || lamp.with(|v| !v.lamp.available);
    let brightness = move || lamp.with(|v| v.shown.brightness_pct.map(|b| b.round() as u8));
    let color_known = move || lamp.with(|v| v.shown.display_rgb().is_some());
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
        // `display: contents`: the controls stay items of the card's column; the fieldset is
        // there to disable every control inside it at once.
        <fieldset class="lamp-controls" prop:disabled=unavailable>
        <Show when=has_brightness>
            <label class="control">
                <span class="control-label">
                    "Brightness"
                    <output>{move || brightness().map_or("unknown".to_owned(), |b| format!("{b} %"))}</output>
                </span>
                // Unknown: no thumb (the stylesheet hides it) rather than a made-up level.
                <input
                    type="range"
                    class="brightness"
                    min="1"
                    max="100"
                    data-unknown=move || brightness().is_none().then_some("")
                    prop:value=move || brightness().unwrap_or(50).max(1).to_string()
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

        <Show when=has_color>
            <div class="control colors">
                <label class="color-pick">
                    <span class="visually-hidden">
                        {move || if color_known() { "Colour" } else { "Colour (unknown)" }}
                    </span>
                    <input
                        type="color"
                        class="color-input"
                        data-unknown=move || (!color_known()).then_some("")
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

        <Show when=has_color_temp>
            {move || {
                let (min, max) = temp_range.get();
                view! {
                    <label class="control">
                        <span class="control-label">
                            "White"
                            <output>{move || mireds().map_or("unknown".to_owned(), |m| format!("{} K", 1_000_000 / u32::from(m.max(1))))}</output>
                        </span>
                        <input
                            type="range"
                            class="color-temp"
                            min=min.to_string()
                            max=max.to_string()
                            data-unknown=move || mireds().is_none().then_some("")
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

        <Show when=move || lamp.with(|v| !v.lamp.capabilities.effects.is_empty())>
            <EffectPicker id=id lamp=lamp />
        </Show>
        </fieldset>
    }
}

/// The lamp's effects as a native select (keyboard and screen readers know it), the running
/// one selected when the lamp said which; a pick publishes `LampChange::Effect`. The list
/// goes through a memo, so the options are rebuilt only when the lamp's effects change.
#[component]
fn EffectPicker(id: StoredValue<LampId>, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let effects = Memo::new(move |_| lamp.with(|v| v.lamp.capabilities.effects.clone()));
    // The running effect when it is one of the list; "" selects the placeholder.
    let current = Memo::new(move |_| {
        lamp.with(|v| {
            v.shown
                .effect
                .clone()
                .filter(|e| effects.with(|list| list.contains(e)))
                .unwrap_or_default()
        })
    });
    // What the placeholder says: unknown, or a running effect the list does not name.
    let placeholder = Memo::new(move |_| {
        lamp.with(|v| match &v.shown.effect {
            Some(e) if !effects.with(|list| list.contains(e)) => e.clone(),
            _ => "Unknown".to_owned(),
        })
    });
    let select = NodeRef::<leptos::html::Select>::new();
    // Set after the options exist (an effect runs once the view is mounted), and again
    // whenever the effect or the list changes.
    Effect::new(move |_| {
        effects.track();
        let value = current.get();
        if let Some(el) = select.get() {
            el.set_value(&value);
        }
    });
    view! {
        <label class="control effect">
            <span class="control-label">"Effect"</span>
            <select
                class="effect-select"
                node_ref=select
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    if !name.is_empty() {
                        store.change(&id.get_value(), LampChange::Effect(name));
                    }
                }
            >
                <option value="" disabled=true>{move || placeholder.get()}</option>
                {move || {
                    effects
                        .get()
                        .into_iter()
                        .map(|name| {
                            let label = name.clone();
                            view! { <option value=name>{label}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// "Remove" for a lamp kept only from the last visit, with a confirmation in the card (no
/// browser dialog): removing drops it from the dashboard and from the offline snapshot.
#[component]
fn ForgetLamp(id: StoredValue<LampId>) -> impl IntoView {
    let store = expect_context::<Store>();
    let asking = RwSignal::new(false);
    view! {
        <footer class="lamp-foot lamp-forget">
            <Show
                when=move || asking.get()
                fallback=move || view! {
                    <span>"Not heard from since your last visit"</span>
                    <button type="button" class="secondary forget" on:click=move |_| asking.set(true)>
                        "Remove"
                    </button>
                }
            >
                <span role="alert">"Remove this lamp? It comes back if it speaks again."</span>
                <span class="forget-buttons">
                    <button
                        type="button"
                        class="danger forget-yes"
                        on:click=move |_| store.forget_lamp(&id.get_value())
                    >
                        "Remove"
                    </button>
                    <button type="button" class="secondary forget-no" on:click=move |_| asking.set(false)>
                        "Keep"
                    </button>
                </span>
            </Show>
        </footer>
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
