//! Child processes of a test (chromedriver, brokers, lampsim), each killed on drop.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills and reaps its child when dropped.
pub struct ChildGuard {
    child: Option<Child>,
    name: String,
    /// The child leads its own process group, killed whole (chromedriver's browsers).
    group: bool,
}

impl ChildGuard {
    /// Starts `cmd`, naming it for error messages.
    pub fn spawn(name: &str, cmd: &mut Command) -> Self {
        let child = cmd
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name}: {e}"));
        Self {
            child: Some(child),
            name: name.to_owned(),
            group: false,
        }
    }

    /// Starts `cmd` as the leader of a new process group, and kills the whole group on
    /// drop: chromedriver's Chromium would otherwise outlive a failed test (a killed
    /// chromedriver orphans its browser and every renderer).
    pub fn spawn_group(name: &str, cmd: &mut Command) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut guard = Self::spawn(name, cmd);
        guard.group = cfg!(unix);
        guard
    }

    /// Stops the process now (the broker "crashes").
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            if self.group {
                // The group's id is the leader's pid; `kill -KILL -PGID` ends every member.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// The name given at spawn.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Waits until something accepts connections on the port.
pub fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Waits until nothing accepts connections on the port any more.
pub fn wait_for_port_closed(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

pub(crate) fn start_chromedriver() -> (ChildGuard, u16) {
    let port = free_port();
    let guard = ChildGuard::spawn_group(
        "chromedriver",
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    assert!(
        wait_for_port(port, Duration::from_secs(20)),
        "chromedriver did not start"
    );
    (guard, port)
}

/// The two brokers the suite runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokerKind {
    /// Debian's Mosquitto 2.0.
    Mosquitto,
    /// rumqttd, embedded in lampsim.
    Rumqttd,
}

impl BrokerKind {
    /// Lower-case name for logs and artifact files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mosquitto => "mosquitto",
            Self::Rumqttd => "rumqttd",
        }
    }
}

/// A broker on loopback with a TCP and a WebSocket listener, restartable on
/// the same ports.
pub struct Broker {
    /// Which broker.
    pub kind: BrokerKind,
    /// MQTT over TCP (lampsim and the observer use it).
    pub tcp_port: u16,
    /// MQTT over WebSocket (the page uses it).
    pub ws_port: u16,
    dir: PathBuf,
    process: Option<ChildGuard>,
    /// Lines appended to mosquitto.conf (`Broker::start_mosquitto_with`).
    extra_config: String,
}

impl Broker {
    /// Starts Mosquitto with extra lines in its configuration, e.g. a larger
    /// `max_queued_messages` for a test that needs more than its default 1000.
    pub fn start_mosquitto_with(extra_config: &str) -> Self {
        Self::start_inner(BrokerKind::Mosquitto, extra_config)
    }

    /// Starts a broker of the given kind on free ports.
    pub fn start(kind: BrokerKind) -> Self {
        Self::start_inner(kind, "")
    }

    fn start_inner(kind: BrokerKind, extra_config: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "lampboard-e2e-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut broker = Self {
            kind,
            tcp_port: free_port(),
            ws_port: free_port(),
            dir,
            process: None,
            extra_config: extra_config.to_owned(),
        };
        broker.restart();
        broker
    }

    /// The URL the page connects to.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/mqtt", self.ws_port)
    }

    /// The URL lampsim's `--broker` takes.
    pub fn tcp_url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.tcp_port)
    }

    /// Kills the broker (as a crash would) and waits until its ports are closed.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
        wait_for_port_closed(self.ws_port, Duration::from_secs(10));
        wait_for_port_closed(self.tcp_port, Duration::from_secs(10));
    }

    /// Starts the broker (again) on the same ports and waits until it listens.
    pub fn restart(&mut self) {
        self.kill();
        let process = match self.kind {
            BrokerKind::Mosquitto => {
                let conf = self.dir.join("mosquitto.conf");
                // Persistence keeps retained lamp states across the restart test, as a
                // real installation's broker does.
                let text = format!(
                    "listener {tcp} 127.0.0.1\nallow_anonymous true\nlistener {ws} lo\nprotocol websockets\n\
                     allow_anonymous true\npersistence true\npersistence_location {dir}/\nautosave_interval 1\n{extra}\n",
                    tcp = self.tcp_port,
                    ws = self.ws_port,
                    dir = self.dir.display(),
                    extra = self.extra_config
                );
                std::fs::write(&conf, text).expect("write mosquitto.conf");
                ChildGuard::spawn(
                    "mosquitto",
                    Command::new("mosquitto")
                        .arg("-c")
                        .arg(&conf)
                        .stdout(Stdio::null())
                        .stderr(Stdio::null()),
                )
            }
            BrokerKind::Rumqttd => ChildGuard::spawn(
                "lampsim (broker only)",
                Command::new(Lampsim::binary())
                    .args(["--broker-only", "--quiet"])
                    .arg("--tcp-port")
                    .arg(self.tcp_port.to_string())
                    .arg("--ws-port")
                    .arg(self.ws_port.to_string())
                    .stdout(Stdio::null()),
            ),
        };
        self.process = Some(process);
        assert!(
            wait_for_port(self.tcp_port, Duration::from_secs(20))
                && wait_for_port(self.ws_port, Duration::from_secs(20)),
            "{} did not start on ports {} / {}",
            self.kind.name(),
            self.tcp_port,
            self.ws_port
        );
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// lampsim's simulated lamps, connected to a broker over TCP.
pub struct Lampsim {
    _process: ChildGuard,
}

impl Lampsim {
    /// The release binary xtask builds before the suite (override with LAMPSIM_BIN).
    pub fn binary() -> PathBuf {
        std::env::var_os("LAMPSIM_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::repo_root().join("target/release/lampsim"))
    }

    /// Starts lampsim's default house (12 lamps in 4 rooms, 2 Home Assistant,
    /// 2 Zigbee2MQTT) against `broker`.
    pub fn start(broker: &Broker, extra: &[&str]) -> Self {
        let process = ChildGuard::spawn(
            "lampsim",
            Command::new(Self::binary())
                .arg("--broker")
                .arg(broker.tcp_url())
                .args(extra)
                .stdout(Stdio::null()),
        );
        Self { _process: process }
    }
}
