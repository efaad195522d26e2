//! The `lampsim` binary as `cargo xtask dev` runs it: banner, readiness, and a clean stop on
//! Ctrl-C (SIGINT), SIGTERM and a closed stdin, so no broker is ever left behind. Each test
//! kills its child if an assertion fails and is bounded in time.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lampsim::broker::free_port;

/// The child, killed on drop so a failing test leaves no process behind.
struct Sim {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pump(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn spawn(extra: &[&str], stdin: Stdio) -> Sim {
    spawn_on(free_port().unwrap(), free_port().unwrap(), extra, stdin)
}

fn spawn_on(tcp: u16, ws: u16, extra: &[&str], stdin: Stdio) -> Sim {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lampsim"))
        .args(["--tcp-port", &tcp.to_string(), "--ws-port", &ws.to_string()])
        .args(extra)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lampsim starts");
    let lines = pump(child.stdout.take().unwrap());
    Sim { child, lines }
}

impl Sim {
    /// Output lines up to and including the first one containing `needle`.
    fn wait_for(&self, needle: &str, within: Duration) -> Vec<String> {
        let end = Instant::now() + within;
        let mut seen = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no '{needle}' within {within:?}; output so far: {seen:#?}");
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    fn exit_within(&mut self, within: Duration) -> ExitStatus {
        let end = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < end,
                "lampsim still running after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn prints_the_broker_urls_and_stops_cleanly_on_ctrl_c() {
    let mut sim = spawn(&["--quiet"], Stdio::null());
    let banner = sim.wait_for("ready:", Duration::from_secs(20)).join("\n");
    assert!(banner.contains("mqtt://127.0.0.1:"), "{banner}");
    assert!(banner.contains("/mqtt"), "{banner}");
    assert!(banner.contains("12 seed lamps in 4 rooms"), "{banner}");
    for topic in [
        "homeassistant/light/lampsim_tasmota_bulb/config",
        "homeassistant/light/lampsim_template_lamp/config",
        "homeassistant/device/lampsim_pendant/config",
        "cmnd/lampsim_tasmota_bulb/Dimmer",
        "zigbee2mqtt/living/dimmer/l2/set",
        "zigbee2mqtt/house/all",
        "lampsim/lampsim_porch_light/availability",
    ] {
        assert!(banner.contains(topic), "{topic} in the banner: {banner}");
    }
    sim.signal("INT");
    let status = sim.exit_within(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    sim.wait_for("stopped", Duration::from_secs(1));
}

#[test]
fn stops_on_sigterm_and_when_stdin_closes() {
    let mut sim = spawn(&["--quiet"], Stdio::null());
    sim.wait_for("ready:", Duration::from_secs(20));
    sim.signal("TERM");
    assert!(sim.exit_within(Duration::from_secs(5)).success());

    let mut sim = spawn(&["--quiet", "--exit-on-eof"], Stdio::piped());
    sim.wait_for("ready:", Duration::from_secs(20));
    drop(sim.child.stdin.take());
    assert!(sim.exit_within(Duration::from_secs(5)).success());
    sim.wait_for("standard input closed", Duration::from_secs(1));
}

#[test]
fn a_busy_port_fails_fast_in_words() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut sim = spawn_on(free_port().unwrap(), port, &[], Stdio::null());
    let status = sim.exit_within(Duration::from_secs(10));
    assert!(!status.success());
    let mut err = String::new();
    use std::io::Read;
    sim.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("Is another broker running?"), "{err}");
}
