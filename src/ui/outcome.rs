use leptos::prelude::*;

use crate::store::settings::sentence_case;

/// The result line under a form ("Saved", "Not saved: …"): one look and one
/// status region for every form, with `data-outcome` for styling and tests. Shown as a
/// sentence (`sentence_case`: session errors come lower-case).
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
                Some(Ok(s)) | Some(Err(s)) => sentence_case(&s),
                None => String::new(),
            }}
        </p>
    }
}
