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

/// The brokers the suite runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokerKind {
    /// Debian's Mosquitto 2.0.
    Mosquitto,
    /// rumqttd, embedded in lampsim.
    Rumqttd,
    /// Debian's RabbitMQ 3.10 with the MQTT and Web MQTT plugins (see `rabbitmq`).
    Rabbitmq,
    /// aedes 1.2 from npm, with a `ws` WebSocket listener (scripts/aedes-broker.mjs).
    Aedes,
}

impl BrokerKind {
    /// Lower-case name for logs and artifact files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mosquitto => "mosquitto",
            Self::Rumqttd => "rumqttd",
            Self::Rabbitmq => "rabbitmq",
            Self::Aedes => "aedes",
        }
    }

    /// The WebSocket path the broker serves MQTT on.
    pub fn ws_path(self) -> &'static str {
        match self {
            Self::Rabbitmq => "/ws",
            _ => "/mqtt",
        }
    }

    /// How long a start may take: RabbitMQ boots an Erlang node and its database.
    fn start_timeout(self) -> Duration {
        match self {
            Self::Rabbitmq => Duration::from_secs(90),
            _ => Duration::from_secs(20),
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
    /// RabbitMQ's own epmd, kept across restarts.
    epmd: Option<ChildGuard>,
    /// RabbitMQ's other ports (AMQP, distribution, epmd).
    rabbit: Option<crate::rabbitmq::RabbitPorts>,
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
        let tcp_port = free_port();
        let ws_port = free_port();
        let rabbit = (kind == BrokerKind::Rabbitmq).then(|| crate::rabbitmq::RabbitPorts {
            mqtt: tcp_port,
            ws: ws_port,
            amqp: free_port(),
            dist: free_port(),
            epmd: free_port(),
        });
        let mut broker = Self {
            kind,
            tcp_port,
            ws_port,
            dir,
            process: None,
            epmd: None,
            rabbit,
            extra_config: extra_config.to_owned(),
        };
        broker.restart();
        broker
    }

    /// The URL the page connects to.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}{}", self.ws_port, self.kind.ws_path())
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
            BrokerKind::Rabbitmq => {
                let ports = self.rabbit.expect("RabbitMQ ports are chosen at start");
                if self.epmd.is_none() {
                    self.epmd = Some(ChildGuard::spawn(
                        "epmd (RabbitMQ's)",
                        &mut crate::rabbitmq::epmd_command(ports),
                    ));
                    assert!(
                        wait_for_port(ports.epmd, Duration::from_secs(10)),
                        "epmd did not start on port {}",
                        ports.epmd
                    );
                }
                crate::rabbitmq::write_files(&self.dir, ports);
                // Its own process group: the script starts the Erlang VM as a child.
                ChildGuard::spawn_group(
                    "rabbitmq-server",
                    &mut crate::rabbitmq::server_command(&self.dir, ports),
                )
            }
            BrokerKind::Aedes => ChildGuard::spawn(
                "aedes",
                Command::new("node")
                    .arg(crate::repo_root().join("scripts/aedes-broker.mjs"))
                    .arg("--tcp-port")
                    .arg(self.tcp_port.to_string())
                    .arg("--ws-port")
                    .arg(self.ws_port.to_string())
                    .current_dir(crate::repo_root())
                    .stdout(Stdio::null()),
            ),
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
        let timeout = self.kind.start_timeout();
        assert!(
            wait_for_port(self.tcp_port, timeout) && wait_for_port(self.ws_port, timeout),
            "{} did not start on ports {} / {}{}",
            self.kind.name(),
            self.tcp_port,
            self.ws_port,
            if self.kind == BrokerKind::Rabbitmq {
                format!("; its log:\n{}", crate::rabbitmq::log_tail(&self.dir))
            } else {
                String::new()
            }
        );
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
        self.epmd = None;
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
        Self::start_at(&broker.tcp_url(), extra)
    }

    /// Starts lampsim's default house against the broker at `tcp_url` (`mqtt://…`): one
    /// node of the RabbitMQ cluster, which is no [`Broker`].
    pub fn start_at(tcp_url: &str, extra: &[&str]) -> Self {
        let process = ChildGuard::spawn(
            "lampsim",
            Command::new(Self::binary())
                .arg("--broker")
                .arg(tcp_url)
                .args(extra)
                .stdout(Stdio::null()),
        );
        Self { _process: process }
    }
}
