//! What the numbers were measured on: CPU, cores, RAM, OS, browser, compiler,
//! broker, date and commit, read from the system at the time of the run.

use std::process::Command;

use crate::steps::capture;

/// The machine and software of one run, each in words.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Machine {
    pub cpu: String,
    pub cores: String,
    pub ram: String,
    pub os: String,
    pub chromium: String,
    pub rustc: String,
    pub mosquitto: String,
    pub date: String,
    pub commit: String,
    /// 1-minute load average when the run started and when it ended: how shared the
    /// machine was (2 cores at a load of 6 stretch every wall-clock figure).
    pub load: String,
}

/// The first line of a command's output, or "unknown".
fn first_line(cmd: &mut Command) -> String {
    capture(cmd)
        .and_then(|t| t.lines().next().map(|l| l.trim().to_owned()))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The value of `key` in a `key : value` text (cpuinfo, meminfo, os-release).
pub fn field(text: &str, key: &str, sep: char) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(sep)?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The 1-minute load average now, from /proc/loadavg.
pub fn load_now() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// Reads everything now, at the start of a run (the commit and date measured);
/// the caller adds the load at the end.
pub fn gather() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let ram = field(&meminfo, "MemTotal", ':')
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "unknown".into());
    let dirty =
        capture(Command::new("git").args(["status", "--porcelain", "--untracked-files=no"]))
            .is_some_and(|t| !t.trim().is_empty());
    let commit = first_line(Command::new("git").args(["rev-parse", "--short=12", "HEAD"]));
    // mosquitto -h exits non-zero but prints its version first.
    let mosquitto = capture(Command::new("mosquitto").arg("-h"))
        .and_then(|t| t.lines().find(|l| l.contains("version")).map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cpu: field(&cpuinfo, "model name", ':').unwrap_or_else(|| "unknown".into()),
        cores,
        ram,
        os: field(&os, "PRETTY_NAME", '=').unwrap_or_else(|| "unknown".into()),
        chromium: first_line(Command::new("chromium").arg("--version")),
        rustc: first_line(Command::new("rustc").arg("--version")),
        mosquitto,
        date: first_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])),
        load: load_now(),
        commit: if dirty {
            format!("{commit} (with uncommitted changes)")
        } else {
            commit
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_from_system_files() {
        let cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n";
        assert_eq!(
            field(cpuinfo, "model name", ':'),
            Some("AMD EPYC 7B13".into())
        );
        let os = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            field(os, "PRETTY_NAME", '='),
            Some("Debian GNU/Linux 12 (bookworm)".into())
        );
        assert_eq!(field(os, "VERSION", '='), None);
    }
}
