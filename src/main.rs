//! The browser entry point: mount the app, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| leptos::view! { <lampboard::ui::App /> });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Lampboard is a web app: run `cargo xtask dev` and open the page it prints.");
    std::process::exit(2);
}
