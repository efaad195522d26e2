//! A Mosquitto that behaves like a locked-down home installation: TLS on its
//! WebSocket listener (`wss://`) with a CA and server certificate made at test
//! time, logins from a password file, and per-topic access control.
//!
//! Access control uses Mosquitto's dynamic-security plugin, not `acl_file`:
//! Mosquitto 2.0.11's `acl_file` never refuses a SUBSCRIBE (it grants the
//! filter and silently withholds the messages; checked with `mosquitto_sub -d`,
//! SUBACK 0), so only the plugin produces the SUBACK 0x80 a real locked-down
//! broker answers with. Both silently drop a forbidden publish after a PUBACK.
//!
//! Mosquitto's log goes to a file, so tests count what the broker saw (login
//! attempts) instead of trusting what the page says about itself.

use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::procs::{free_port, wait_for_port, ChildGuard};

/// A test CA and a server certificate it signed for 127.0.0.1 and localhost.
pub struct Certs {
    dir: PathBuf,
    /// The CA certificate (PEM), what a client would be told to trust.
    pub ca: PathBuf,
    /// The server certificate (PEM).
    pub cert: PathBuf,
    /// The server's private key (PEM).
    pub key: PathBuf,
    /// Base64 SHA-256 of the server key's SubjectPublicKeyInfo, the form
    /// Chromium's `--ignore-certificate-errors-spki-list` takes.
    pub spki_sha256: String,
}

/// Runs a shell pipeline of openssl commands in `dir`, failing the test with its output.
fn openssl(dir: &Path, script: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "openssl failed: {script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Makes a fresh CA and a server certificate (SAN 127.0.0.1 and localhost,
/// valid two days) in a temporary directory with the openssl CLI, as an
/// installer would; the directory goes when the `Certs` do.
pub fn generate_certs() -> Certs {
    let dir = std::env::temp_dir().join(format!("lampboard-e2e-certs-{}", free_port()));
    let dir = dir.as_path();
    std::fs::create_dir_all(dir).expect("cert dir");
    openssl(
        dir,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
           -keyout ca.key -out ca.crt -days 2 -subj '/CN=Lampboard test CA' 2>/dev/null && \
         openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
           -keyout server.key -out server.csr -subj '/CN=localhost' 2>/dev/null && \
         printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf && \
         openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
           -out server.crt -days 2 -extfile ext.cnf 2>/dev/null",
    );
    let spki_sha256 = openssl(
        dir,
        "openssl x509 -in server.crt -pubkey -noout | openssl pkey -pubin -outform der \
         | openssl dgst -sha256 -binary | base64",
    );
    readable_by_all(dir);
    Certs {
        dir: dir.to_path_buf(),
        ca: dir.join("ca.crt"),
        cert: dir.join("server.crt"),
        key: dir.join("server.key"),
        spki_sha256,
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The unrestricted user a [`Login::Restricted`] broker also has, with the same
/// password, for seeding lamp states the restricted user may not publish.
pub const SEEDER: &str = "seeder";

/// Who may log in, and what they may do.
pub enum Login {
    /// Anyone, anonymously.
    Anonymous,
    /// One user from a Mosquitto password file; anonymous clients are refused.
    PasswordFile {
        /// The user name.
        user: String,
        /// Its password.
        password: String,
    },
    /// One user of the dynamic-security plugin, allowed everything except
    /// subscribing to `deny_subscribe` filters and publishing to `deny_publish` topics.
    Restricted {
        /// The user name.
        user: String,
        /// Its password.
        password: String,
        /// Subscription patterns the broker refuses (SUBACK 0x80).
        deny_subscribe: Vec<String>,
        /// Topics whose publishes the broker acknowledges and drops.
        deny_publish: Vec<String>,
    },
}

/// A Mosquitto with a TCP listener and a WebSocket listener, both under the
/// same login rules, the WebSocket one with TLS when certificates are given.
pub struct SecureBroker {
    /// MQTT over TCP (mosquitto_pub seeds lamps through it).
    pub tcp_port: u16,
    /// MQTT over WebSocket (the page uses it).
    pub ws_port: u16,
    tls: bool,
    dir: PathBuf,
    log: PathBuf,
    process: ChildGuard,
}

/// Everything Mosquitto reads must be readable by the `mosquitto` user it drops to.
fn readable_by_all(dir: &Path) {
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o644));
        }
    }
}

fn run_quietly(cmd: &mut Command, what: &str) {
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{what} could not start: {e}"));
    assert!(status.success(), "{what} failed");
}

/// The dynamic-security file: `mosquitto_ctrl dynsec init` hashes the password,
/// then the admin role it writes is replaced by one with the denials.
fn dynsec_config(
    dir: &Path,
    user: &str,
    password: &str,
    deny_subscribe: &[String],
    deny_publish: &[String],
) -> PathBuf {
    let path = dir.join("dynsec.json");
    run_quietly(
        Command::new("mosquitto_ctrl")
            .args(["dynsec", "init"])
            .arg(&path)
            .args([user, password]),
        "mosquitto_ctrl dynsec init",
    );
    let text = std::fs::read_to_string(&path).expect("dynsec file");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("dynsec json");
    let mut acls = Vec::new();
    for topic in deny_subscribe {
        acls.push(serde_json::json!({"acltype": "subscribePattern", "topic": topic, "allow": false, "priority": 10}));
    }
    for topic in deny_publish {
        acls.push(serde_json::json!({"acltype": "publishClientSend", "topic": topic, "allow": false, "priority": 10}));
    }
    json["clients"][0]["roles"] = serde_json::json!([{ "rolename": "household" }]);
    // A second client with the same password and no restrictions seeds what the
    // restricted one may not write (the house's own lamps do that in real life).
    let mut seeder = json["clients"][0].clone();
    seeder["username"] = serde_json::json!(SEEDER);
    seeder["roles"] = serde_json::json!([]);
    if let Some(clients) = json["clients"].as_array_mut() {
        clients.push(seeder);
    }
    json["roles"] = serde_json::json!([{ "rolename": "household", "acls": acls }]);
    json["defaultACLAccess"] = serde_json::json!({
        "publishClientSend": true, "publishClientReceive": true, "subscribe": true, "unsubscribe": true
    });
    std::fs::write(&path, json.to_string()).expect("write dynsec file");
    path
}

/// Where the mosquitto package keeps its dynamic-security plugin (Debian per
/// architecture, other Linux, Homebrew).
fn dynsec_plugin() -> PathBuf {
    const NAME: &str = "mosquitto_dynamic_security.so";
    let candidates = [
        format!("/usr/lib/{}-linux-gnu/{NAME}", std::env::consts::ARCH),
        format!("/usr/lib/{NAME}"),
        format!("/usr/lib64/{NAME}"),
        format!("/usr/local/lib/{NAME}"),
        format!("/opt/homebrew/lib/{NAME}"),
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no {NAME}; looked in {candidates:?}"))
}

impl SecureBroker {
    /// Starts Mosquitto on free loopback ports with `login` rules, and TLS on
    /// the WebSocket listener when `certs` is given; waits until it listens.
    pub fn start(certs: Option<&Certs>, login: Login) -> Self {
        let dir = std::env::temp_dir().join(format!("lampboard-e2e-secure-{}", free_port()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (tcp_port, ws_port) = (free_port(), free_port());
        let mut conf = String::from("per_listener_settings false\nlog_dest stderr\nlog_type all\n");
        match &login {
            Login::Anonymous => conf.push_str("allow_anonymous true\n"),
            Login::PasswordFile { user, password } => {
                let passwd = dir.join("passwd");
                run_quietly(
                    Command::new("mosquitto_passwd")
                        .args(["-b", "-c"])
                        .arg(&passwd)
                        .args([user, password]),
                    "mosquitto_passwd",
                );
                conf.push_str(&format!(
                    "allow_anonymous false\npassword_file {}\n",
                    passwd.display()
                ));
            }
            Login::Restricted {
                user,
                password,
                deny_subscribe,
                deny_publish,
            } => {
                let file = dynsec_config(&dir, user, password, deny_subscribe, deny_publish);
                conf.push_str(&format!(
                    "allow_anonymous false\nplugin {}\nplugin_opt_config_file {}\n",
                    dynsec_plugin().display(),
                    file.display()
                ));
            }
        }
        // A websockets listener bound to an address binds every interface in 2.0.11:
        // bind it to the loopback interface by name instead.
        conf.push_str(&format!(
            "listener {tcp_port} 127.0.0.1\nlistener {ws_port} lo\nprotocol websockets\n"
        ));
        if let Some(c) = certs {
            conf.push_str(&format!(
                "cafile {}\ncertfile {}\nkeyfile {}\n",
                c.ca.display(),
                c.cert.display(),
                c.key.display()
            ));
        }
        let conf_path = dir.join("mosquitto.conf");
        std::fs::write(&conf_path, conf).expect("write mosquitto.conf");
        readable_by_all(&dir);
        let log = dir.join("mosquitto.log");
        let log_file = File::create(&log).expect("log file");
        let process = ChildGuard::spawn(
            "mosquitto (secure)",
            Command::new("mosquitto")
                .arg("-c")
                .arg(&conf_path)
                .stdout(Stdio::null())
                .stderr(log_file),
        );
        assert!(
            wait_for_port(tcp_port, Duration::from_secs(20))
                && wait_for_port(ws_port, Duration::from_secs(20)),
            "mosquitto did not start; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Self {
            tcp_port,
            ws_port,
            tls: certs.is_some(),
            dir,
            log,
            process,
        }
    }

    /// The URL the page connects to: `wss://` with TLS, else `ws://`.
    pub fn ws_url(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        format!("{scheme}://127.0.0.1:{}/mqtt", self.ws_port)
    }

    /// Mosquitto's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many log lines contain `needle` (e.g. one per refused login).
    pub fn log_count(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// Publishes with `mosquitto_pub` over TCP as `login` (user, password), QoS 1.
    pub fn publish(&self, login: Option<(&str, &str)>, topic: &str, payload: &str, retain: bool) {
        let mut cmd = Command::new("mosquitto_pub");
        cmd.args(["-V", "mqttv311", "-h", "127.0.0.1", "-q", "1"])
            .arg("-p")
            .arg(self.tcp_port.to_string())
            .args(["-t", topic, "-m", payload]);
        if let Some((user, password)) = login {
            cmd.args(["-u", user, "-P", password]);
        }
        if retain {
            cmd.arg("-r");
        }
        run_quietly(&mut cmd, "mosquitto_pub");
    }
}

impl Drop for SecureBroker {
    fn drop(&mut self) {
        self.process.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
