//! `cargo xtask dev`: setup, then lampsim (embedded MQTT broker + simulated lamps) in the
//! background and the app served on loopback with trunk in the foreground.
//!
//! No lampsim is ever left behind: it is started with `--exit-on-eof` and its stdin is a pipe
//! only xtask holds, so it stops when trunk exits (xtask closes the pipe), on Ctrl-C (the
//! terminal sends SIGINT to the whole foreground group, lampsim included) and even when xtask
//! itself is killed (the kernel closes the pipe).

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::setup::setup;
use crate::steps::{run, StepFailed, Steps};
use crate::workspace::Workspace;

/// Where the dev server listens; also written in Trunk.toml.
pub const DEV_URL: &str = "http://127.0.0.1:8080/";

/// The broker URL the app uses by default when served from 127.0.0.1 (lampsim's WebSocket
/// listener; any path works, `/mqtt` is the app's).
pub const BROKER_URL: &str = "ws://127.0.0.1:9001/mqtt";

/// lampsim's MQTT/WebSocket port, polled to know the broker is up.
const BROKER_WS: ([u8; 4], u16) = ([127, 0, 0, 1], 9001);

/// How long lampsim may take to open its broker.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long lampsim may take to stop after its stdin closed before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs until the user presses Ctrl-C; trunk rebuilds on every saved file.
pub fn dev(ws: &Workspace, steps: &mut Steps) -> Result<(), StepFailed> {
    setup(ws, steps)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    steps.run("build lampsim (dev broker + simulated lamps)", |_| {
        run(Command::new(&cargo).args(["build", "-p", "lampsim"]))
    })?;
    let exe = lampsim_exe(&ws.root);
    let mut lampsim = steps.run("start lampsim", |_| Lampsim::start(&exe))?;
    println!();
    println!("    Lampboard will be served at {DEV_URL} (Ctrl-C stops everything).");
    println!("    Broker (lampsim, embedded rumqttd): {BROKER_URL}, also mqtt://127.0.0.1:1883.");
    println!("    Reload the page after a rebuild: live reload is off because the CSP forbids its inline script.");
    println!();
    let served = steps.run("trunk serve", |_| run(Command::new("trunk").arg("serve")));
    lampsim.stop();
    served
}

/// The lampsim binary cargo just built (dev profile): `$CARGO_TARGET_DIR` or `target/`.
///
/// The dev profile on purpose: `cargo test --workspace` already builds lampsim's
/// dependencies that way, and the workspace's release profile (size-optimised, LTO, one
/// codegen unit: right for the wasm app) would make this native tool slow to build for no
/// gain at dev-loop message rates.
fn lampsim_exe(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_relative() { root.join(p) } else { p })
        .unwrap_or_else(|| root.join("target"));
    target
        .join("debug")
        .join(format!("lampsim{}", std::env::consts::EXE_SUFFIX))
}

/// The background lampsim; stopped (and if need be killed) on drop.
struct Lampsim {
    child: Option<Child>,
}

impl Lampsim {
    /// Spawns lampsim with its default ports and waits until its broker accepts connections,
    /// or reports why not (lampsim prints the reason itself, e.g. a port in use).
    fn start(exe: &Path) -> Result<Lampsim, String> {
        let addr = SocketAddr::from(BROKER_WS);
        // Otherwise the readiness poll below would find the other broker and call it ours.
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Err(format!(
                "something already listens on {addr} (another lampsim or Mosquitto?); stop it and run `cargo xtask dev` again"
            ));
        }
        println!("    $ {} --exit-on-eof", exe.display());
        let child = Command::new(exe)
            .arg("--exit-on-eof")
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
        let mut sim = Lampsim { child: Some(child) };
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(child) = sim.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    sim.child = None;
                    return Err(format!(
                        "lampsim exited ({status}) before its broker was up; see its message above"
                    ));
                }
            }
            // lampsim's own banner says "ready" when its lamps are published; the port being
            // open is enough for the app, which reconnects until lamps appear.
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(sim);
            }
            if Instant::now() > deadline {
                sim.stop();
                return Err(format!(
                    "lampsim's broker did not open {addr} within {READY_TIMEOUT:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Closes lampsim's stdin (it stops cleanly, marking its lamps offline), waits a moment,
    /// then kills it if it is still there.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        drop(child.stdin.take());
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        println!("    lampsim did not stop within {STOP_TIMEOUT:?}; killing it");
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Lampsim {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lampsim_is_looked_up_in_the_dev_profile_of_the_target_dir() {
        let exe = lampsim_exe(Path::new("/repo"));
        let expected_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
            Some(d) => Path::new("/repo").join(d),
            None => PathBuf::from("/repo/target"),
        };
        assert_eq!(exe.parent(), Some(expected_dir.join("debug").as_path()));
        assert!(exe
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("lampsim")));
    }

    #[test]
    fn the_urls_agree() {
        assert!(BROKER_URL.contains(&format!(":{}/", BROKER_WS.1)));
        assert!(DEV_URL.starts_with("http://127.0.0.1:"));
    }

    #[test]
    fn a_lampsim_that_cannot_start_is_reported() {
        let err = match Lampsim::start(Path::new("/nonexistent/lampsim")) {
            Err(e) => e,
            Ok(_) => panic!("started a missing binary"),
        };
        // Either reason is in words; which one depends on whether port 9001 is in use here.
        assert!(
            err.contains("could not start") || err.contains("already listens"),
            "{err}"
        );
    }
}
