//! A two-node RabbitMQ 3.x cluster on loopback, the stand-in for the clustered brokers
//! (EMQX, HiveMQ, VerneMQ) a large installation runs: node A and node B, each with its
//! own node name, AMQP, distribution, MQTT and Web MQTT ports, home, database and logs
//! in a temporary directory, sharing one epmd and one Erlang cookie; B joins A with
//! `rabbitmqctl -n B stop_app; join_cluster A; start_app`.
//!
//! What crosses the nodes and what does not is `e2e/tests/rabbitmq_cluster.rs`'s
//! subject (README, *Brokers*).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::procs::{free_port, wait_for_port, wait_for_port_closed, ChildGuard};
use crate::rabbitmq::{self, RabbitPorts, RABBITMQ_BIN};

/// How long one node may take to boot: an Erlang VM and its database, two at once on a
/// loaded 2-core machine.
const BOOT: Duration = Duration::from_secs(120);

/// The cookie both nodes (and rabbitmqctl) present to each other.
const COOKIE: &str = "LAMPBOARDE2ECLUSTERCOOKIE";

/// One node of the cluster.
pub struct RabbitNode {
    /// Its ports; `ports.epmd` is the cluster's shared epmd.
    pub ports: RabbitPorts,
    dir: PathBuf,
    process: Option<ChildGuard>,
}

impl RabbitNode {
    /// The URL the page connects to (path `/ws`).
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.ports.ws)
    }

    /// The URL lampsim's `--broker` takes.
    pub fn tcp_url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.ports.mqtt)
    }

    /// Its Erlang node name.
    pub fn name(&self) -> String {
        rabbitmq::node_name(self.ports)
    }

    /// Runs `rabbitmqctl -n <this node> args…`; its output, or why it failed in words.
    pub fn ctl(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(PathBuf::from(RABBITMQ_BIN).join("rabbitmqctl"))
            .envs(rabbitmq::env(&self.dir, self.ports))
            .arg("-n")
            .arg(self.name())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run rabbitmqctl: {e}"))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            Ok(text)
        } else {
            Err(format!(
                "rabbitmqctl {} on {} failed ({}): {text}\nits log:\n{}",
                args.join(" "),
                self.name(),
                out.status,
                rabbitmq::log_tail(&self.dir)
            ))
        }
    }

    /// Waits until some client's subscription to the MQTT filter `filter` is bound in the
    /// cluster (RabbitMQ binds it to `amq.topic` with `/` as `.` and `+` as `*`), so a
    /// message published on either node from now on reaches it. Fails the test, with
    /// the bindings seen, after `timeout`.
    pub fn wait_bound(&self, filter: &str, timeout: Duration) {
        let key = filter.replace('/', ".").replace('+', "*");
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let out = self.ctl(&["list_bindings", "source_name", "routing_key"]);
            if out
                .as_deref()
                .is_ok_and(|o| o.lines().any(|l| l.trim_end().ends_with(&key)))
            {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no subscription to {filter} (routing key {key}) bound on {} within {timeout:?}: {out:?}",
                self.name()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn start(tag: &str, epmd: u16) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "lampboard-e2e-cluster-{tag}-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("node dir");
        write_cookie(&dir);
        let ports = RabbitPorts {
            mqtt: free_port(),
            ws: free_port(),
            amqp: free_port(),
            dist: free_port(),
            epmd,
        };
        rabbitmq::write_files(&dir, ports);
        // Its own process group: the script starts the Erlang VM as a child.
        let process = ChildGuard::spawn_group(
            &format!("rabbitmq-server (cluster node {tag})"),
            &mut rabbitmq::server_command(&dir, ports),
        );
        Self {
            ports,
            dir,
            process: Some(process),
        }
    }

    /// Waits until its MQTT and Web MQTT listeners accept connections.
    fn wait_listening(&self) {
        assert!(
            wait_for_port(self.ports.mqtt, BOOT) && wait_for_port(self.ports.ws, BOOT),
            "RabbitMQ node {} did not listen on {} / {}; its log:\n{}",
            self.name(),
            self.ports.mqtt,
            self.ports.ws,
            rabbitmq::log_tail(&self.dir)
        );
    }
}

impl Drop for RabbitNode {
    fn drop(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
        wait_for_port_closed(self.ports.ws, Duration::from_secs(10));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The same cookie in each node's home, readable by its owner only (Erlang refuses a
/// cookie file others can read).
fn write_cookie(home: &Path) {
    let path = home.join(".erlang.cookie");
    std::fs::write(&path, COOKIE).expect("write .erlang.cookie");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400))
            .expect("cookie mode 0400");
    }
}

/// Two RabbitMQ nodes clustered on loopback; everything stops when it drops.
pub struct RabbitCluster {
    /// The first node (B joined it).
    pub a: RabbitNode,
    /// The second node.
    pub b: RabbitNode,
    /// Declared last: dropped after both nodes.
    _epmd: ChildGuard,
}

impl RabbitCluster {
    /// Boots both nodes at once, joins B to A and checks that A lists both as running.
    pub fn start() -> Self {
        let epmd_port = free_port();
        let epmd = ChildGuard::spawn(
            "epmd (the cluster's)",
            &mut rabbitmq::epmd_command(RabbitPorts {
                mqtt: 0,
                ws: 0,
                amqp: 0,
                dist: 0,
                epmd: epmd_port,
            }),
        );
        assert!(
            wait_for_port(epmd_port, Duration::from_secs(10)),
            "epmd did not start on port {epmd_port}"
        );
        let a = RabbitNode::start("a", epmd_port);
        let b = RabbitNode::start("b", epmd_port);
        a.wait_listening();
        b.wait_listening();
        let join = |args: &[&str]| b.ctl(args).unwrap_or_else(|e| panic!("{e}"));
        join(&["stop_app"]);
        join(&["join_cluster", &a.name()]);
        join(&["start_app"]);
        b.wait_listening();
        let status = a
            .ctl(&["cluster_status", "--formatter", "json"])
            .unwrap_or_else(|e| panic!("{e}"));
        let running = running_nodes(&status);
        assert!(
            running.contains(&a.name()) && running.contains(&b.name()),
            "both nodes run in one cluster; A's cluster_status says running {running:?}: {status}"
        );
        Self { a, b, _epmd: epmd }
    }
}

/// The `running_nodes` of `rabbitmqctl cluster_status --formatter json` (empty when the
/// output is not that JSON).
pub fn running_nodes(status_json: &str) -> Vec<String> {
    // rabbitmqctl may print a line before the JSON object.
    let json = status_json
        .find('{')
        .map_or("", |start| &status_json[start..]);
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| {
            v["running_nodes"].as_array().map(|nodes| {
                nodes
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_running_nodes_of_cluster_status() {
        let out = "Cluster status of node a@localhost ...\n{\"disk_nodes\":[\"a@localhost\",\"b@localhost\"],\"running_nodes\":[\"b@localhost\",\"a@localhost\"]}\n";
        assert_eq!(running_nodes(out), ["b@localhost", "a@localhost"]);
        assert!(running_nodes("Error: unable to perform an operation").is_empty());
    }
}
