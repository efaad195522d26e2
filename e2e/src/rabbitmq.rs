//! RabbitMQ 3.x (Debian's `rabbitmq-server` with the MQTT and Web MQTT plugins) as a
//! test broker on loopback: its own node name, ports, epmd, Erlang cookie, database,
//! logs, config and plugin list in a temporary directory, so it never clashes with a
//! system RabbitMQ or another test's. Its WebSocket path is `/ws`.
//!
//! Quirks the suite meets (verified with 3.10): a QoS 2 PUBLISH is answered with
//! PUBACK (downgraded to QoS 1); retained messages are never delivered to wildcard
//! subscriptions, only to exact topics; retained messages are node-local.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The ports one RabbitMQ node listens on, all on 127.0.0.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RabbitPorts {
    /// MQTT over TCP.
    pub mqtt: u16,
    /// MQTT over WebSocket (`/ws`).
    pub ws: u16,
    /// AMQP (unused by the tests, but RabbitMQ always listens).
    pub amqp: u16,
    /// Erlang distribution (node to node, and rabbitmqctl).
    pub dist: u16,
    /// This node's own epmd.
    pub epmd: u16,
}

/// Where Debian keeps the real scripts (`/usr/sbin/rabbitmq-server` is a wrapper that
/// switches to the `rabbitmq` user and the system's directories).
pub const RABBITMQ_BIN: &str = "/usr/lib/rabbitmq/bin";

/// The node's name, unique per WebSocket port.
pub fn node_name(ports: RabbitPorts) -> String {
    format!("lampboard-e2e-{}@localhost", ports.ws)
}

/// The node's `rabbitmq.conf`: every listener on loopback, anonymous MQTT logins (as
/// guest, allowed from loopback), and the Web MQTT listener on its own port.
pub fn render_config(ports: RabbitPorts) -> String {
    format!(
        "listeners.tcp.default = 127.0.0.1:{amqp}\n\
         mqtt.listeners.tcp.default = 127.0.0.1:{mqtt}\n\
         mqtt.allow_anonymous = true\n\
         web_mqtt.tcp.ip = 127.0.0.1\n\
         web_mqtt.tcp.port = {ws}\n\
         log.console = true\n\
         log.file = false\n",
        amqp = ports.amqp,
        mqtt = ports.mqtt,
        ws = ports.ws,
    )
}

/// Writes the config and plugin list into `dir`.
pub fn write_files(dir: &Path, ports: RabbitPorts) {
    std::fs::write(dir.join("rabbitmq.conf"), render_config(ports)).expect("write rabbitmq.conf");
    std::fs::write(
        dir.join("enabled_plugins"),
        "[rabbitmq_mqtt,rabbitmq_web_mqtt].\n",
    )
    .expect("write enabled_plugins");
}

/// The environment every RabbitMQ command of this node needs (server, rabbitmqctl).
pub fn env(dir: &Path, ports: RabbitPorts) -> Vec<(String, String)> {
    let d = |p: &str| dir.join(p).display().to_string();
    [
        ("HOME", dir.display().to_string()),
        ("RABBITMQ_NODENAME", node_name(ports)),
        ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1".into()),
        ("RABBITMQ_NODE_PORT", ports.amqp.to_string()),
        ("RABBITMQ_DIST_PORT", ports.dist.to_string()),
        ("ERL_EPMD_ADDRESS", "127.0.0.1".into()),
        ("ERL_EPMD_PORT", ports.epmd.to_string()),
        ("RABBITMQ_MNESIA_BASE", d("mnesia")),
        ("RABBITMQ_LOG_BASE", d("log")),
        ("RABBITMQ_CONFIG_FILE", d("rabbitmq.conf")),
        ("RABBITMQ_ENABLED_PLUGINS_FILE", d("enabled_plugins")),
        ("RABBITMQ_PID_FILE", d("rabbitmq.pid")),
        (
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
            "-kernel inet_dist_use_interface {127,0,0,1}".into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `epmd` for this node only, in the foreground (so the test owns and ends it).
pub fn epmd_command(ports: RabbitPorts) -> Command {
    let mut cmd = Command::new("epmd");
    cmd.args(["-address", "127.0.0.1", "-port"])
        .arg(ports.epmd.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// The server, logging to `dir/server.log`.
pub fn server_command(dir: &Path, ports: RabbitPorts) -> Command {
    let log = std::fs::File::create(dir.join("server.log")).expect("create server.log");
    let err = log.try_clone().expect("clone log handle");
    let mut cmd = Command::new(PathBuf::from(RABBITMQ_BIN).join("rabbitmq-server"));
    cmd.envs(env(dir, ports))
        .current_dir(dir)
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(err));
    cmd
}

/// The last lines of the server's log, for a failure message.
pub fn log_tail(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
