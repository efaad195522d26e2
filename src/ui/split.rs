//! Views that are not on the first screen, loaded when first opened (`crate::chunks`).
//!
//! The first load carries the dashboard and the connection, and a view's chunk is fetched the
//! first time it opens: a slow fetch says *Loading …*, a failed one says so with a retry.
//! Every other build (`trunk serve`, the tests) has no chunks: the same functions run at once.

use leptos::prelude::*;

pub use crate::chunks::ChunkError;

/// Declares `async fn $name(args) -> Result<AnyView, ChunkError>` whose body the release
/// build moves into the chunk `$chunk` (functions naming one chunk share it). Arguments are
/// passed by value across the chunk's boundary: keep them `Copy` handles (signals, the store).
macro_rules! split_view {
    ($chunk:ident, $(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        #[cfg(lampboard_split)]
        #[::leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) -> Result<::leptos::prelude::AnyView, $crate::chunks::ChunkError> {
            Ok(::leptos::prelude::IntoAny::into_any($body))
        }

        #[cfg(not(lampboard_split))]
        $(#[$meta])*
        $vis async fn $name($($arg: $ty),*) -> Result<::leptos::prelude::AnyView, $crate::chunks::ChunkError> {
            Ok(::leptos::prelude::IntoAny::into_any($body))
        }
    };
}
pub(crate) use split_view;

/// How long a chunk may take before its view says it is loading: a chunk from the service
/// worker's cache is there in a few milliseconds, and a bar flashing for those would be noise.
const SLOW_MS: u32 = 300;

/// Renders what `load` builds once its chunk is there. While it loads: nothing, and after
/// [`SLOW_MS`] a bar *Loading the settings…* (a slow first visit); if it cannot be fetched, a
/// line with a retry button. `what` names the view in both ("the settings").
pub fn loaded_view<F, Fut>(what: &'static str, load: F) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AnyView, ChunkError>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    let slow = RwSignal::new(false);
    let timer = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
    on_cleanup(move || {
        let _ = timer.try_set_value(None);
    });
    let body = move || {
        attempt.track();
        // Dropped (cancelled) when the chunk is there: at once, when it was loaded before.
        timer.set_value(Some(gloo_timers::callback::Timeout::new(
            SLOW_MS,
            move || {
                slow.try_set(true);
            },
        )));
        let fut = send_wrapper::SendWrapper::new(load());
        Suspend::new(async move {
            let loaded = fut.await;
            let _ = timer.try_set_value(None);
            slow.try_set(false);
            match loaded {
                Ok(view) => view,
                Err(ChunkError) => view! {
                    <p class="notice chunk-error" role="alert">
                        <span>{format!("Lampboard could not load {what}: the network is out of reach.")}</span>
                        <button class="chip" on:click=move |_| attempt.update(|n| *n += 1)>
                            "Try again"
                        </button>
                    </p>
                }
                .into_any(),
            }
        })
    };
    let loading = move || {
        slow.get().then(|| {
            view! { <p class="notice chunk-loading" role="status">{format!("Loading {what}…")}</p> }
        })
    };
    view! { {body} {loading} }
}
