use leptos::prelude::*;

use super::throttled::Throttled;
use crate::lamp::{LampChange, LampId, Rgb};
use crate::store::view::{age_text, Delivery, LampView};
use crate::store::Store;

/// Colours one tap away, chosen to look good on real RGB bulbs.
const PRESETS: &[(&str, Rgb)] = &[
    (
        "Warm white",
        Rgb {
            r: 255,
            g: 183,
            b: 107,
        },
    ),
    (
        "Daylight",
        Rgb {
            r: 255,
            g: 244,
            b: 229,
        },
    ),
    (
        "Red",
        Rgb {
            r: 255,
            g: 48,
            b: 48,
        },
    ),
    (
        "Orange",
        Rgb {
            r: 255,
            g: 128,
            b: 0,
        },
    ),
    (
        "Yellow",
        Rgb {
            r: 255,
            g: 214,
            b: 0,
        },
    ),
    (
        "Green",
        Rgb {
            r: 40,
            g: 220,
            b: 90,
        },
    ),
    (
        "Turquoise",
        Rgb {
            r: 0,
            g: 255,
            b: 255,
        },
    ),
    (
        "Blue",
        Rgb {
            r: 40,
            g: 90,
            b: 255,
        },
    ),
    (
        "Purple",
        Rgb {
            r: 160,
            g: 60,
            b: 255,
        },
    ),
    (
        "Pink",
        Rgb {
            r: 255,
            g: 80,
            b: 180,
        },
    ),
];

/// The glow colour for a lamp that is on but names no colour: warm white.
const WARM: Rgb = Rgb {
    r: 255,
    g: 200,
    b: 130,
};

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
/// signal, so other lamps' messages never re-render it.
#[component]
pub fn LampCard(id: LampId, lamp: RwSignal<LampView>) -> impl IntoView {
    let store = expect_context::<Store>();
    let id = StoredValue::new(id);
    let change = move |c: LampChange| store.change(&id.get_value(), c);

    let name = move || lamp.with(|v| v.lamp.name.clone());
    let on = move || lamp.with(|v| v.shown.on == Some(true));
    let on_known = move || lamp.with(|v| v.shown.on.is_some());
    let caps = move || lamp.with(|v| v.lamp.capabilities.clone());
    let brightness = move || lamp.with(|v| v.shown.brightness_pct.map(|b| b.round() as u8));
    let color_hex = move || lamp.with(|v| v.shown.display_rgb().unwrap_or(WARM).to_hex());
    let mireds = move || lamp.with(|v| v.shown.color_temp_mireds);

    let brightness_sender = Throttled::new(move |pct: u8| change(LampChange::Brightness(pct)));
    let color_sender = Throttled::new(move |c: Rgb| change(LampChange::Color(c)));
    let temp_sender = Throttled::new(move |m: u16| change(LampChange::ColorTemp(m)));

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
            data-lamp=move || id.get_value().0
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
                    <div class="presets" role="group" aria-label="Preset colours">
                        {PRESETS
                            .iter()
                            .map(|(label, c)| {
                                let c = *c;
                                view! {
                                    <button
                                        class="preset"
                                        title=*label
                                        aria-label=*label
                                        style:--swatch=css_rgb(c)
                                        on:click=move |_| color_sender.commit(c)
                                    ></button>
                                }
                            })
                            .collect_view()}
                    </div>
                </div>
            </Show>

            <Show when=move || caps().color_temp>
                {move || {
                    let (min, max) = caps().color_temp_range.unwrap_or((153, 500));
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
                Delivery::Failed(_) => "failed",
            }
            aria-live="polite"
        >
            {move || match delivery() {
                Delivery::Idle => String::new(),
                Delivery::Pending => "Sending…".to_owned(),
                Delivery::Delivered => "✓ Delivered".to_owned(),
                Delivery::Failed(why) => format!("Not sent: {why}"),
            }}
        </span>
    }
}
