//! Finding the programs xtask and the suites it runs start. Debian installs daemons
//! (mosquitto, rabbitmq-server, rabbitmqctl) in /usr/sbin, which is not on a
//! non-root user's PATH: `cargo xtask test` failed with "could not start mosquitto"
//! although it was installed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where daemons live besides PATH, searched after it.
pub const SBIN_DIRS: &[&str] = &["/usr/local/sbin", "/usr/sbin", "/sbin"];

/// PATH's directories followed by [`SBIN_DIRS`] not already in it: what xtask puts on
/// its own PATH, so every child (the suites, their brokers) finds sbin tools too.
pub fn search_dirs(path: Option<&OsString>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = path
        .map(std::env::split_paths)
        .into_iter()
        .flatten()
        .collect();
    for sbin in SBIN_DIRS {
        let sbin = PathBuf::from(sbin);
        if !dirs.contains(&sbin) {
            dirs.push(sbin);
        }
    }
    dirs
}

/// The first executable file called `name` in `dirs`, if any.
pub fn find_in(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(name)).find(|p| is_executable(p))
}

/// `name` on PATH or in /usr/local/sbin, /usr/sbin, /sbin: the one helper every
/// start of an installed tool goes through, so its error can say where it looked.
pub fn find_tool(name: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH");
    find_in(name, &search_dirs(path.as_ref())).ok_or_else(|| {
        format!(
            "{name} is not on PATH nor in {}: `cargo xtask setup` installs it",
            SBIN_DIRS.join(", ")
        )
    })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbin_dirs_follow_path_once_each() {
        let path = std::env::join_paths(["/usr/bin", "/usr/sbin"]).unwrap();
        let dirs = search_dirs(Some(&path));
        let shown: Vec<&str> = dirs.iter().filter_map(|d| d.to_str()).collect();
        assert_eq!(shown, ["/usr/bin", "/usr/sbin", "/usr/local/sbin", "/sbin"]);
        assert_eq!(search_dirs(None).len(), SBIN_DIRS.len());
    }

    #[test]
    fn a_tool_is_found_only_where_it_is_executable() {
        let root = std::env::temp_dir().join(format!("xtask-tools-{}", std::process::id()));
        let (bin, sbin) = (root.join("bin"), root.join("sbin"));
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&sbin).unwrap();
        let tool = sbin.join("mosquitto");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        // Not executable: not found.
        std::fs::write(bin.join("mosquitto"), "").unwrap();
        assert_eq!(find_in("mosquitto", std::slice::from_ref(&bin)), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        assert_eq!(find_in("mosquitto", &[bin, sbin]), Some(tool));
        assert_eq!(find_in("rabbitmqctl", std::slice::from_ref(&root)), None);
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn a_missing_tool_says_where_it_looked() {
        let why = find_tool("lampboard-no-such-tool").unwrap_err();
        assert!(
            why.contains("/usr/sbin") && why.contains("cargo xtask setup"),
            "{why}"
        );
    }
}
