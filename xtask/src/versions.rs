//! Reading versions out of tool output and Cargo.lock, so setup can skip what
//! is already installed at the right version and reinstall what is not.

/// The first thing shaped like a dotted version number in a tool's `--version`
/// output (`trunk 0.21.14` -> `0.21.14`, `wasm-opt version 132 (version_132)` -> `132`).
pub fn first_version(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .map(|word| word.trim_start_matches('v'))
        .find(|word| {
            !word.is_empty()
                && word.chars().next().is_some_and(|c| c.is_ascii_digit())
                && word.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .map(str::to_owned)
}

/// The version Cargo.lock pins for `package`, the one the installed CLI must
/// equal (wasm-bindgen refuses to work with a mismatched CLI).
pub fn locked_version(cargo_lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = cargo_lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let next = lines.next()?.trim();
            return next
                .strip_prefix("version = \"")
                .and_then(|rest| rest.strip_suffix('"'))
                .map(str::to_owned);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_from_real_tool_output() {
        assert_eq!(first_version("trunk 0.21.14\n").as_deref(), Some("0.21.14"));
        assert_eq!(
            first_version("wasm-bindgen 0.2.130").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(first_version("wasm-pack 0.15.1").as_deref(), Some("0.15.1"));
        assert_eq!(
            first_version("wasm-opt version 132 (version_132)").as_deref(),
            Some("132")
        );
        assert_eq!(first_version("v20.20.2").as_deref(), Some("20.20.2"));
        assert_eq!(
            first_version("ChromeDriver 156.0.8078.73 (abc refs/branch-heads/8078@{#1})")
                .as_deref(),
            Some("156.0.8078.73")
        );
    }

    #[test]
    fn no_version_in_text_without_one() {
        assert_eq!(first_version(""), None);
        assert_eq!(first_version("command not found: trunk"), None);
        assert_eq!(first_version("version_132"), None);
    }

    #[test]
    fn finds_the_locked_version_of_a_package_and_not_a_prefix_of_it() {
        let lock = r#"
[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
"#;
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(lock, "wasm-bindgen-backend").as_deref(),
            Some("0.2.99")
        );
        assert_eq!(locked_version(lock, "leptos"), None);
    }
}
