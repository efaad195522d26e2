use leptos::prelude::*;

/// The result line under a form ("Saved", "Not saved: …"): one look and one
/// status region for every form, with `data-outcome` for styling and tests.
#[component]
pub fn OutcomeLine(outcome: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    view! {
        <p
            class="outcome"
            role="status"
            data-outcome=move || match outcome.get() {
                Some(Ok(_)) => "ok",
                Some(Err(_)) => "error",
                None => "",
            }
        >
            {move || match outcome.get() {
                Some(Ok(s)) | Some(Err(s)) => s,
                None => String::new(),
            }}
        </p>
    }
}
