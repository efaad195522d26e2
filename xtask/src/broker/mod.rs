//! A real Mosquitto for the browser tests, and a small HTTP control endpoint
//! the tests call with `fetch` to stop, restart and publish to it.
//!
//! The client's own codec cannot be trusted to test itself: the broker is
//! Mosquitto (apt's 2.0.11), and messages the tests expect to receive are
//! published with `mosquitto_pub` over plain TCP, independent of our code.
//! Everything listens on loopback only, on ports that were free at start, so
//! parallel runs and other engineers' brokers never collide.
//!
//! The browser cannot read environment variables at run time, so the harness
//! hands its URLs to the test build as environment variables (see
//! [`Harness::env`]) that the tests read with `option_env!`.
//!
//! One job per module: `config` (ports, template, loopback check), `process` (the
//! Mosquitto process), `control` (the HTTP endpoint); this file ties them into the
//! [`Harness`].

mod config;
mod control;
mod process;

pub use config::{render_config, Ports, TEMPLATE};
use control::serve;
#[cfg(test)]
use process::accepts;
use process::{lock, Broker};

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// The user the password listener accepts (its password is made per run).
pub const TEST_USER: &str = "lampboard-test";

/// Environment variables the browser tests read at compile time.
pub const WS_URL_VAR: &str = "LAMPBOARD_TEST_WS_URL";
/// The websockets listener that demands a password.
pub const AUTH_WS_URL_VAR: &str = "LAMPBOARD_TEST_AUTH_WS_URL";
/// The user name for the password listener.
pub const AUTH_USER_VAR: &str = "LAMPBOARD_TEST_AUTH_USER";
/// The right password for the password listener.
pub const AUTH_PASSWORD_VAR: &str = "LAMPBOARD_TEST_AUTH_PASSWORD";
/// The control endpoint (stop, start, publish).
pub const CONTROL_URL_VAR: &str = "LAMPBOARD_TEST_CONTROL_URL";

/// The running broker, its control endpoint and its temporary directory;
/// dropping it stops all three.
pub struct Harness {
    broker: Arc<Mutex<Broker>>,
    ports: Ports,
    control_port: u16,
    password: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    dir: PathBuf,
}

impl Harness {
    /// Writes the config and password file into a new temporary directory,
    /// starts Mosquitto on free loopback ports, waits until it is ready and
    /// starts the control endpoint.
    pub fn start() -> Result<Self, String> {
        let dir = make_temp_dir()?;
        let result = Self::start_in(&dir);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }

    fn start_in(dir: &Path) -> Result<Self, String> {
        let password = format!("{:016x}", RandomState::new().hash_one(Instant::now()));
        let password_file = dir.join("passwords");
        let out = Command::new(crate::tools::find_tool("mosquitto_passwd")?)
            .args(["-b", "-c"])
            .arg(&password_file)
            .args([TEST_USER, &password])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run mosquitto_passwd: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mosquitto_passwd failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        readable_by_all(&password_file)?;
        let config = dir.join("mosquitto.conf");
        let log = dir.join("mosquitto.log");

        // A free port can be taken between finding it and mosquitto binding
        // it: try again with new ports, but only for that reason.
        let mut attempt = 0;
        let broker = loop {
            attempt += 1;
            let ports = Ports::free()?;
            std::fs::write(&config, render_config(TEMPLATE, ports, &password_file)?)
                .map_err(|e| format!("could not write {}: {e}", config.display()))?;
            readable_by_all(&config)?;
            let _ = std::fs::remove_file(&log);
            let mut broker = Broker {
                config: config.clone(),
                log: log.clone(),
                ports,
                child: None,
                closed: false,
            };
            match broker.start() {
                Ok(()) => break broker,
                Err(why) if attempt < 3 && why.contains("Address already in use") => continue,
                Err(why) => return Err(why),
            }
        };
        let ports = broker.ports;
        let broker = Arc::new(Mutex::new(broker));

        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("could not bind the control endpoint: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("could not configure the control endpoint: {e}"))?;
        let control_port = listener
            .local_addr()
            .map_err(|e| format!("the control endpoint has no address: {e}"))?
            .port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (broker, stop) = (broker.clone(), stop.clone());
            thread::Builder::new()
                .name("broker-control".into())
                .spawn(move || serve(listener, broker, stop))
                .map_err(|e| format!("could not start the control thread: {e}"))?
        };
        println!(
            "    mosquitto on 127.0.0.1: tcp {}, ws {}, ws+password {}; control http://127.0.0.1:{control_port}",
            ports.tcp, ports.ws, ports.auth_ws
        );
        Ok(Self {
            broker,
            ports,
            control_port,
            password,
            stop,
            thread: Some(thread),
            dir: dir.to_owned(),
        })
    }

    /// The variables the browser-test build needs: URLs of the two
    /// websockets listeners, the credentials, and the control endpoint.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            (WS_URL_VAR, format!("ws://127.0.0.1:{}/", self.ports.ws)),
            (
                AUTH_WS_URL_VAR,
                format!("ws://127.0.0.1:{}/", self.ports.auth_ws),
            ),
            (AUTH_USER_VAR, TEST_USER.to_owned()),
            (AUTH_PASSWORD_VAR, self.password.clone()),
            (
                CONTROL_URL_VAR,
                format!("http://127.0.0.1:{}", self.control_port),
            ),
        ]
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let mut broker = lock(&self.broker);
        broker.closed = true;
        broker.kill();
        drop(broker);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new, empty directory for the config, password file and log.
fn make_temp_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for n in 0..100 {
        let dir = base.join(format!("lampboard-broker-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                readable_by_all(&dir)?;
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("could not create {}: {e}", dir.display())),
        }
    }
    Err(format!(
        "could not create a directory in {}",
        base.display()
    ))
}

/// Started as root, Mosquitto drops to the `mosquitto` user before it reads
/// the password file, so the directory and files must be readable by others.
/// They hold only a throwaway test password.
fn readable_by_all(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("could not set permissions on {}: {e}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    /// Sends one request to the control endpoint; the status and the whole response.
    fn http(port: u16, request: &str) -> (u16, String) {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let status = text[9..12].parse().unwrap();
        (status, text)
    }

    /// The real thing, end to end: Mosquitto (installed by `cargo xtask
    /// setup`) started, published to, stopped and started again over HTTP.
    #[test]
    fn the_harness_runs_mosquitto_and_obeys_its_control_endpoint() {
        let harness = Harness::start().unwrap();
        let (ports, control, dir) = (harness.ports, harness.control_port, harness.dir.clone());
        let env = harness.env();
        assert!(env.contains(&(WS_URL_VAR, format!("ws://127.0.0.1:{}/", ports.ws))));
        assert!(ports.all().into_iter().all(accepts));

        let (status, text) = http(
            control,
            "OPTIONS /publish HTTP/1.1\r\nOrigin: http://x\r\n\r\n",
        );
        assert_eq!(status, 204, "{text}");
        assert!(text.contains("Access-Control-Allow-Origin: *"), "{text}");
        assert!(
            text.contains("Access-Control-Allow-Methods: POST, OPTIONS"),
            "{text}"
        );

        let topic = format!("xtask-test/{}", std::process::id());
        let request = |body: &str| {
            format!(
                "POST /publish?topic={}&retain=1&qos=1 HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}",
                topic.replace('/', "%2F"),
                body.len()
            )
        };
        let (status, text) = http(control, &request("on"));
        assert_eq!(status, 200, "{text}");
        let read_retained = |wait_secs: &str| {
            Command::new("mosquitto_sub")
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &ports.tcp.to_string(),
                    "-t",
                    &topic,
                ])
                .args(["-C", "1", "-W", wait_secs])
                .output()
                .unwrap()
        };
        let out = read_retained("5");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "on");

        let (status, text) = http(control, "POST /broker/stop HTTP/1.1\r\n\r\n");
        assert_eq!(status, 200, "{text}");
        assert!(!ports.all().into_iter().any(accepts));
        let (status, text) = http(control, &request("off"));
        assert_eq!(status, 500, "{text}");
        assert!(text.contains("mosquitto_pub failed"), "{text}");

        let (status, text) = http(control, "POST /broker/start HTTP/1.1\r\n\r\n");
        assert_eq!(status, 200, "{text}");
        assert!(ports.all().into_iter().all(accepts));
        // persistence is off: the restarted broker has forgotten the value.
        let out = read_retained("1");
        assert!(out.stdout.is_empty() && !out.status.success());

        let (status, _) = http(control, "GET /broker/stop HTTP/1.1\r\n\r\n");
        assert_eq!(status, 405);
        drop(harness);
        assert!(!ports.all().into_iter().any(accepts));
        assert!(!accepts(control));
        assert!(!dir.exists());
    }
}
