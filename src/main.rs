//! The browser entry point: mount the app, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    // Prints a panic's message in the console (dev builds, stable). The release build panics
    // with `-Cpanic=immediate-abort` (a trap, no message: see xtask/src/nightly.rs), where a
    // hook would never run, so it is not linked there.
    #[cfg(not(panic = "immediate-abort"))]
    console_error_panic_hook::set_once();
    // index.html's app shell (header and "Starting Lampboard…") goes in the task that mounts
    // the app, so no frame shows both or neither.
    if let Some(shell) = leptos::prelude::document().get_element_by_id("app-shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(|| leptos::view! { <lampboard::ui::App /> });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Lampboard is a web app: run `cargo xtask dev` and open the page it prints.");
    std::process::exit(2);
}
