//! One Mosquitto process: started, waited for, killed, and started again on the same
//! ports.

use super::config::Ports;
use std::fs::OpenOptions;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How long the broker may take to accept connections after it was started.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a killed broker's ports may take to refuse connections.
const CLOSED_TIMEOUT: Duration = Duration::from_secs(5);

/// One Mosquitto process and what it needs to be started again on the same
/// ports.
pub(super) struct Broker {
    pub(super) config: PathBuf,
    pub(super) log: PathBuf,
    pub(super) ports: Ports,
    pub(super) child: Option<Child>,
    /// Set when the harness is dropped: no request may start it again.
    pub(super) closed: bool,
}

impl Broker {
    /// Starts Mosquitto and waits until every port accepts connections.
    pub(super) fn start(&mut self) -> Result<(), String> {
        if self.closed {
            return Err("the harness is shutting down".to_owned());
        }
        if self.child.is_some() {
            return Ok(());
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("could not open {}: {e}", self.log.display()))?;
        let log_out = log
            .try_clone()
            .map_err(|e| format!("could not share the log file: {e}"))?;
        let child = Command::new(crate::tools::find_tool("mosquitto")?)
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(log_out)
            .stderr(log)
            .spawn()
            .map_err(|e| {
                format!("could not start mosquitto (`cargo xtask setup` installs it): {e}")
            })?;
        self.child = Some(child);
        self.wait_ready()
    }

    /// Polls until all ports accept a connection, the broker exits, or
    /// [`READY_TIMEOUT`] passes; on failure the broker is killed and the error
    /// shows the log's tail.
    pub(super) fn wait_ready(&mut self) -> Result<(), String> {
        let start = Instant::now();
        loop {
            if let Some(child) = &mut self.child {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(format!(
                        "mosquitto exited ({status}) before accepting connections; its log ends:\n{}",
                        self.log_tail(20)
                    ));
                }
            }
            if self.ports.all().into_iter().all(accepts) {
                return Ok(());
            }
            if start.elapsed() > READY_TIMEOUT {
                self.kill();
                return Err(format!(
                    "mosquitto did not accept connections on 127.0.0.1 ports {:?} within {} s; its log ends:\n{}",
                    self.ports.all(),
                    READY_TIMEOUT.as_secs(),
                    self.log_tail(20)
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the broker and waits until its ports refuse connections.
    pub(super) fn stop(&mut self) -> Result<(), String> {
        self.kill();
        let start = Instant::now();
        while self.ports.all().into_iter().any(accepts) {
            if start.elapsed() > CLOSED_TIMEOUT {
                return Err(format!(
                    "the broker was killed but a port among {:?} still accepts connections after {} s",
                    self.ports.all(),
                    CLOSED_TIMEOUT.as_secs()
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    pub(super) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The last `n` lines of the broker's log, for error messages.
    pub(super) fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(n)..].join("\n");
        if tail.is_empty() {
            "(the log is empty)".to_owned()
        } else {
            tail
        }
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
pub(super) fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(250)).is_ok()
}

/// The broker, even if a control thread panicked while holding it.
pub(super) fn lock(broker: &Mutex<Broker>) -> MutexGuard<'_, Broker> {
    broker
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
