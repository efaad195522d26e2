//! The lamp sheet's fine controls, only those the lamp has (its capabilities, announced or
//! learned from its messages): brightness, the colour wheel with the preset and favourite
//! colours, colour temperature with warm/neutral/cool whites, and effects. A value the lamp
//! never told is shown as unknown, not as a made-up position; a slider is filled up to its
//! value (in the lamp's colour while on, grey while off). All disabled while the lamp is
//! unavailable. Dragging is throttled (`ui/throttled.rs`), letting go sends the final value.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use super::color_wheel::ColorWheel;
use super::lamp_sheet::SheetHandle;
use super::throttled::Throttled;
use crate::lamp::palette::{
    kelvin_text, marked, marked_white, white_mireds, PRESETS, WHITE_PRESETS,
};
use crate::lamp::{LampChange, LampId, Rgb};
use crate::store::view::LampView;
use crate::store::Store;

/// The controls for one lamp.
#[component]
pub fn LampControls(id: StoredValue<LampId>, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let change = move |c: LampChange| store.change(&id.get_value(), c);
    let has_brightness = move || lamp.with(|v| v.lamp.capabilities.brightness);
    let has_color = move || lamp.with(|v| v.lamp.capabilities.color);
    let has_color_temp = move || lamp.with(|v| v.lamp.capabilities.color_temp);
    let has_effects = move || lamp.with(|v| !v.lamp.capabilities.effects.is_empty());
    let unavailable = move || lamp.with(|v| !v.lamp.available);

    let color_sender = Throttled::new(move |c: Rgb| change(LampChange::Color(c)));

    view! {
        // The fieldset disables every control inside it at once.
        <fieldset class="lamp-controls" prop:disabled=unavailable>
            <legend class="visually-hidden">"Controls"</legend>
            <Show when=has_brightness>
                <Brightness id=id lamp=lamp />
            </Show>
            <Show when=has_color>
                <Colours lamp=lamp sender=color_sender disabled=Signal::derive(unavailable) />
            </Show>
            <Show when=has_color_temp>
                <White id=id lamp=lamp />
            </Show>
            <Show when=has_effects>
                <EffectPicker id=id lamp=lamp />
            </Show>
            <Show when=move || !(has_brightness() || has_color() || has_color_temp() || has_effects())>
                <p class="control-none">"This lamp only switches on and off."</p>
            </Show>
        </fieldset>
    }
}

/// The brightness slider, filled up to the lamp's level.
#[component]
fn Brightness(id: StoredValue<LampId>, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let brightness = move || lamp.with(|v| v.shown.brightness_pct.map(|b| b.round() as u8));
    let sender =
        Throttled::new(move |pct: u8| store.change(&id.get_value(), LampChange::Brightness(pct)));
    view! {
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
                style:--fill=move || format!("{}%", fill_percent(brightness().unwrap_or(0).max(1).into(), 1.0, 100.0))
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                        sender.input(v);
                    }
                }
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                        sender.commit(v);
                    }
                }
            />
        </label>
    }
}

/// How far along its track a slider's thumb is, in percent: where its fill ends.
fn fill_percent(value: f64, min: f64, max: f64) -> f64 {
    if max <= min {
        return 0.0;
    }
    ((value - min) / (max - min) * 100.0).clamp(0.0, 100.0)
}

/// The swatch row's colours in order: the presets, then the favourites.
fn swatch_colors(favourites: &[Rgb]) -> Vec<Rgb> {
    PRESETS
        .iter()
        .map(|p| p.color)
        .chain(favourites.iter().copied())
        .collect()
}

/// The colour wheel, the preset and favourite colours (one tab stop, arrow keys inside;
/// the lamp's colour marked) and "add the current colour to favourites".
#[component]
fn Colours(
    lamp: RwSignal<LampView>,
    sender: Throttled<Rgb>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let sheet = expect_context::<SheetHandle>();
    let current = Signal::derive(move || lamp.with(|v| v.shown.display_rgb()));
    let favourites = move || sheet.favourites.with(|f| f.colors().to_vec());
    let marked_index = Memo::new(move |_| {
        sheet
            .favourites
            .with(|f| marked(current.get(), &swatch_colors(f.colors())))
    });
    // The swatch that holds the row's one tab stop: the marked one, else the first, until
    // the arrows move it.
    let roving = RwSignal::new(None::<usize>);
    let stop = move || roving.get().or(marked_index.get()).unwrap_or(0);
    let count = move || PRESETS.len() + sheet.favourites.with(|f| f.colors().len());
    let is_favourite = move || {
        current
            .get()
            .is_some_and(|c| sheet.favourites.with(|f| f.contains(c)))
    };
    let color_hex = move || current.get().unwrap_or(super::lamp_tile::WARM).to_hex();

    let pick = move |index: usize| {
        let colors = sheet
            .favourites
            .with_untracked(|f| swatch_colors(f.colors()));
        if let Some(c) = colors.get(index) {
            roving.set(Some(index));
            sender.commit(*c);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = count();
        if n == 0 {
            return;
        }
        let at = stop().min(n - 1);
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowDown" => (at + 1) % n,
            "ArrowLeft" | "ArrowUp" => (at + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        roving.set(Some(next));
        let row = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        if let Some(button) = row
            .and_then(|r| {
                r.query_selector(&format!("[data-swatch=\"{next}\"]"))
                    .ok()
                    .flatten()
            })
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = button.focus();
        }
    };
    let tabindex = move |i: usize| if stop() == i { "0" } else { "-1" };
    let pressed = move |i: usize| {
        if marked_index.get() == Some(i) {
            "true"
        } else {
            "false"
        }
    };

    view! {
        <div class="control colors">
            <span class="control-label">
                "Colour"
                <output>{move || if current.get().is_some() { "" } else { "unknown" }}</output>
            </span>
            <div class="color-main">
                <ColorWheel color=current sender=sender disabled=disabled />
            </div>
            <div class="swatches" role="toolbar" aria-label="Colours" on:keydown=on_key>
                {PRESETS.iter().enumerate().map(|(i, p)| view! {
                    <button
                        type="button"
                        class="preset"
                        data-preset=i.to_string()
                        data-swatch=i.to_string()
                        title=p.name
                        aria-label=p.name
                        aria-pressed=move || pressed(i)
                        tabindex=move || tabindex(i)
                        on:click=move |_| pick(i)
                    ></button>
                }).collect_view()}
                {move || favourites().into_iter().enumerate().map(|(n, c)| {
                    let i = PRESETS.len() + n;
                    let name = format!("Favourite {}", c.to_hex());
                    view! {
                        <button
                            type="button"
                            class="preset favourite"
                            data-swatch=i.to_string()
                            title=name.clone()
                            aria-label=name
                            aria-pressed=move || pressed(i)
                            tabindex=move || tabindex(i)
                            style:--swatch=super::lamp_tile::css_rgb(c)
                            on:click=move |_| pick(i)
                        ></button>
                    }
                }).collect_view()}
            </div>
            <div class="color-tools">
                <button
                    type="button"
                    class="chip add-favourite"
                    prop:disabled=move || current.get().is_none()
                    on:click=move |_| {
                        if let Some(c) = current.get_untracked() {
                            let remove = sheet.favourites.with_untracked(|f| f.contains(c));
                            sheet.update_favourites(|f| if remove { f.remove(c) } else { f.add(c) });
                            roving.set(None);
                        }
                    }
                >
                    {move || if is_favourite() { "★ Remove from favourites" } else { "☆ Add to favourites" }}
                </button>
                // An exact colour by number, through the browser's own picker.
                <label class="color-pick button-like chip">
                    <span>"Exact colour"</span>
                    <input
                        type="color"
                        class="color-input"
                        data-unknown=move || current.get().is_none().then_some("")
                        prop:value=color_hex
                        on:input=move |ev| {
                            if let Some(c) = Rgb::from_hex(&event_target_value(&ev)) {
                                sender.input(c);
                            }
                        }
                        on:change=move |ev| {
                            if let Some(c) = Rgb::from_hex(&event_target_value(&ev)) {
                                sender.commit(c);
                            }
                        }
                    />
                </label>
            </div>
        </div>
    }
}

/// Colour temperature: a slider over the lamp's range and the warm/neutral/cool whites.
#[component]
fn White(id: StoredValue<LampId>, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let mireds = move || lamp.with(|v| v.shown.color_temp_mireds);
    let sender =
        Throttled::new(move |m: u16| store.change(&id.get_value(), LampChange::ColorTemp(m)));
    // The range through a memo, so the slider is rebuilt only when the range changes.
    let range = Memo::new(move |_| {
        lamp.with(|v| v.lamp.capabilities.color_temp_range.unwrap_or((153, 500)))
    });
    let marked_preset = move || marked_white(mireds(), range.get());
    view! {
        <div class="control white">
            {move || {
                let (min, max) = range.get();
                view! {
                    <label class="white-slider">
                        <span class="control-label">
                            "White"
                            <output>{move || mireds().map_or("unknown".to_owned(), kelvin_text)}</output>
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
                                    sender.input(v);
                                }
                            }
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<u16>() {
                                    sender.commit(v);
                                }
                            }
                        />
                    </label>
                }
            }}
            <div class="white-presets" role="group" aria-label="Whites">
                {WHITE_PRESETS.iter().enumerate().map(|(i, p)| {
                    let p = *p;
                    view! {
                        <button
                            type="button"
                            class="chip white-preset"
                            data-white=p.name.to_lowercase()
                            aria-pressed=move || if marked_preset() == Some(i) { "true" } else { "false" }
                            on:click=move |_| sender.commit(white_mireds(p, range.get_untracked()))
                        >
                            {p.name}
                            <span class="white-kelvin">{format!(" {} K", p.kelvin)}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
        </div>
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
