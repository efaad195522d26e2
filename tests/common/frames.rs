//! Waiting in the browser tests (tests/web_dashboard.rs, tests/web_memory.rs): for effects,
//! for timers and for the animation frame the store defers its redraws to. Every wait ends,
//! so a broken test fails instead of hanging.
#![allow(dead_code)] // each test binary uses a different part of this module

use wasm_bindgen_futures::JsFuture;

/// Waits `ms` milliseconds (never hangs: a timer always fires).
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Lets effects run and the DOM catch up, including what the store defers to the next
/// animation frame (the room list, the cards, the explorer).
/// One frame and no more: for the tests of timings shorter than the cards' pace (the
/// first visit's arrival wait, tests/web_arrival.rs).
pub async fn settle_frame() {
    flush().await;
    next_frame().await;
    flush().await;
}

/// Cards drawn less than `CARD_PACE_MS` ago wait out that pace (store/reactive.rs), so this
/// waits for the frame after it too.
pub async fn settle() {
    settle_frame().await;
    sleep(lampboard::store::CARD_PACE_MS as u32 + 5).await;
    settle_frame().await;
}

/// Runs pending effects and timers of zero delay.
pub async fn flush() {
    leptos::task::tick().await;
    sleep(0).await;
}

/// Waits for the next animation frame, or 250 ms if frames are throttled.
pub async fn next_frame() {
    let raf = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().request_animation_frame(&resolve);
    });
    let timeout = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 250);
    });
    let _ = JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&raf, &timeout))).await;
}
