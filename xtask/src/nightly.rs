//! The release build's toolchain: a pinned nightly that rebuilds the standard library for
//! size. Stable cannot shrink std (it ships prebuilt with panic messages, location strings
//! and speed-tuned formatting); `-Zbuild-std` with `optimize_for_size` can. Only the release
//! build (`trunk build --release`, through [`trunk_release`]) uses it: `trunk serve`, the
//! tests, clippy and the browser tests stay on stable.

use std::process::Command;

/// The nightly the release build is pinned to, as rustup names it (its channel date).
pub const NIGHTLY: &str = "nightly-2026-05-20";

/// The commit date `rustc -V` prints for [`NIGHTLY`]: how an undated `nightly` toolchain
/// is recognised as the same build, so a machine that has it as `nightly` needs no download.
pub const NIGHTLY_RUSTC_DATE: &str = "2026-05-19";

/// What cargo rebuilds of the standard library: `std`, and `panic_abort`, the runtime
/// `-Cpanic=immediate-abort` links.
pub const BUILD_STD: &str = "std,panic_abort";

/// std's own size switch: smaller formatting and collection code paths.
pub const BUILD_STD_FEATURES: &str = "optimize_for_size";

/// rustflags of the wasm32 release build, added by cargo after `.cargo/config.toml`'s own
/// wasm32 list (`--cfg erase_components`: cargo joins a `CARGO_TARGET_*_RUSTFLAGS` variable
/// to that list, `cargo -Zunstable-options config get` shows both):
/// - `-Cpanic=immediate-abort`: a panic is a trap; no panic machinery, messages or hook are
///   linked. The app never panics on input by design (every network and user input is a
///   `Result` shown in words), so a panic is a bug: the browser still reports it, as
///   `RuntimeError: unreachable` with the wasm stack, and the dev build (stable, with
///   `console_error_panic_hook`) prints the message when it is reproduced there.
/// - `-Zlocation-detail=none`: no file/line/column strings for panics that cannot print.
///
/// - `-Zfmt-debug=shallow`: a derived `Debug` prints only the type or variant name; types with
///   their own `Debug` (`str`, numbers, serde's error texts) print as always. 5.3 KB gzip off
///   the wasm (605.9 -> 600.6 KB). Not `none` (which blanks every `{:?}`, serde's quoted
///   values in its error messages among them) for only 0.3 KB more; the app's own messages
///   spell values out without `Debug` anyway.
/// - `--cfg lampboard_split -Clink-args=--emit-relocs`: the views that are not on the first
///   screen become split points (`src/ui/split.rs`), and the linker keeps the relocations
///   that `scripts/split-wasm.mjs` (wasm-split) reads to cut them into chunks of their own.
pub const RELEASE_RUSTFLAGS: &str = "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=shallow --cfg lampboard_split -Clink-args=--emit-relocs";

/// Picks the toolchain to run from `rustup toolchain list` and what `rustc +nightly -V`
/// printed (None when there is no `nightly`): the dated name when installed, else
/// `nightly` when it is the same build, else None (setup installs [`NIGHTLY`]).
pub fn pick_toolchain(toolchain_list: &str, nightly_version: Option<&str>) -> Option<String> {
    let dated = format!("{NIGHTLY}-");
    let names: Vec<&str> = toolchain_list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    if names.iter().any(|n| *n == NIGHTLY || n.starts_with(&dated)) {
        return Some(NIGHTLY.to_owned());
    }
    let undated = names.iter().any(|n| {
        n.strip_prefix("nightly-")
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit()))
            || *n == "nightly"
    });
    let same_build = nightly_version.is_some_and(is_pinned_build);
    (undated && same_build).then(|| "nightly".to_owned())
}

/// Whether `rustc -V` output names the pinned nightly's build:
/// `rustc 1.97.0-nightly (e50aa6fba 2026-05-19)`.
pub fn is_pinned_build(rustc_version: &str) -> bool {
    rustc_version.contains("-nightly") && rustc_version.contains(&format!(" {NIGHTLY_RUSTC_DATE})"))
}

/// The toolchain this machine runs the release build with, or why there is none.
pub fn toolchain() -> Result<String, String> {
    let list = crate::steps::capture(Command::new("rustup").args(["toolchain", "list"]))
        .ok_or("rustup is missing: install Rust through https://rustup.rs")?;
    let version = crate::steps::capture(Command::new("rustc").args(["+nightly", "-V"]));
    pick_toolchain(&list, version.as_deref()).ok_or_else(|| {
        format!("the release build needs {NIGHTLY} (rustc {NIGHTLY_RUSTC_DATE}): run `cargo xtask setup`")
    })
}

/// The environment of the release build on `toolchain`: the nightly, std rebuilt for size,
/// and [`RELEASE_RUSTFLAGS`] for wasm32 only (build scripts and proc macros stay as they are).
pub fn release_env(toolchain: &str) -> Vec<(&'static str, String)> {
    vec![
        ("RUSTUP_TOOLCHAIN", toolchain.to_owned()),
        ("CARGO_UNSTABLE_BUILD_STD", BUILD_STD.to_owned()),
        (
            "CARGO_UNSTABLE_BUILD_STD_FEATURES",
            BUILD_STD_FEATURES.to_owned(),
        ),
        (
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            RELEASE_RUSTFLAGS.to_owned(),
        ),
    ]
}

/// `trunk build --release` on the pinned nightly: the one way dist/ is built for CI, the
/// size report and the benchmarks.
pub fn trunk_release(toolchain: &str) -> Command {
    let mut cmd = Command::new("trunk");
    cmd.args(["build", "--release"]);
    // A RUSTFLAGS set by the caller would replace the per-target flags above.
    cmd.env_remove("RUSTFLAGS");
    for (key, value) in release_env(toolchain) {
        cmd.env(key, value);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED: &str = "rustc 1.97.0-nightly (e50aa6fba 2026-05-19)";

    #[test]
    fn the_dated_toolchain_wins_when_installed() {
        let list = "stable-x86_64-unknown-linux-gnu (active, default)\n\
                    nightly-2026-05-20-x86_64-unknown-linux-gnu\n";
        assert_eq!(pick_toolchain(list, None).as_deref(), Some(NIGHTLY));
    }

    #[test]
    fn an_undated_nightly_is_used_only_when_it_is_the_pinned_build() {
        let list = "stable-x86_64-unknown-linux-gnu (active, default)\n\
                    nightly-x86_64-unknown-linux-gnu\n";
        assert_eq!(
            pick_toolchain(list, Some(PINNED)).as_deref(),
            Some("nightly")
        );
        let newer = "rustc 1.98.0-nightly (0123456ab 2026-06-30)";
        assert_eq!(pick_toolchain(list, Some(newer)), None);
        assert_eq!(pick_toolchain(list, None), None);
        // A stable rustc that happens to share the date is not a nightly.
        assert!(!is_pinned_build("rustc 1.97.0 (e50aa6fba 2026-05-19)"));
    }

    #[test]
    fn no_nightly_at_all_means_none() {
        let list = "stable-x86_64-unknown-linux-gnu (active, default)\n\
                    1.95.0-x86_64-unknown-linux-gnu\n";
        // Even if `rustc +nightly` somehow answered (an override), there is no nightly.
        assert_eq!(pick_toolchain(list, Some(PINNED)), None);
        // Another dated nightly is not the pinned one.
        let other = "nightly-2026-01-02-x86_64-unknown-linux-gnu\n";
        assert_eq!(pick_toolchain(other, Some(PINNED)), None);
    }

    #[test]
    fn the_release_env_pins_the_toolchain_and_flags_only_wasm32() {
        let env = release_env("nightly");
        let get = |k: &str| {
            env.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("RUSTUP_TOOLCHAIN"), Some("nightly"));
        assert_eq!(get("CARGO_UNSTABLE_BUILD_STD"), Some("std,panic_abort"));
        assert_eq!(
            get("CARGO_UNSTABLE_BUILD_STD_FEATURES"),
            Some("optimize_for_size")
        );
        let flags = get("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS").unwrap();
        assert!(flags.contains("-Cpanic=immediate-abort"), "{flags}");
        assert!(flags.contains("-Zlocation-detail=none"), "{flags}");
        assert!(flags.contains("-Zfmt-debug=shallow"), "{flags}");
        assert!(get("RUSTFLAGS").is_none());
    }
}
