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

use std::collections::hash_map::RandomState;
use std::fs::OpenOptions;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The config template: listeners with placeholders for ports and paths.
pub const TEMPLATE: &str = include_str!("../../testdata/mosquitto/browser-tests.conf.in");

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

/// How long the broker may take to accept connections after it was started.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a killed broker's ports may take to refuse connections.
const CLOSED_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one `mosquitto_pub` may run.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the control endpoint waits for a request's bytes.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request head the control endpoint reads.
const MAX_HEAD: usize = 16 * 1024;
/// The largest payload the control endpoint publishes.
const MAX_BODY: usize = 1024 * 1024;
/// How often the accept loop checks whether the harness is being dropped.
const ACCEPT_POLL: Duration = Duration::from_millis(50);

/// The broker's listener ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Plain MQTT over TCP, anonymous (for `mosquitto_pub`).
    pub tcp: u16,
    /// MQTT over WebSockets, anonymous.
    pub ws: u16,
    /// MQTT over WebSockets, password required.
    pub auth_ws: u16,
}

impl Ports {
    /// Ports the kernel says are free now: each is bound to port 0 and
    /// released. Another process could take one before Mosquitto binds it;
    /// [`Harness::start`] retries with new ports when that happens.
    fn free() -> Result<Self, String> {
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(
                TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                    .map_err(|e| format!("could not find a free port on 127.0.0.1: {e}"))?,
            );
        }
        let port = |i: usize| held[i].local_addr().map(|a| a.port()).unwrap_or(0);
        Ok(Self {
            tcp: port(0),
            ws: port(1),
            auth_ws: port(2),
        })
    }

    fn all(self) -> [u16; 3] {
        [self.tcp, self.ws, self.auth_ws]
    }
}

/// Fills the template's placeholders. Fails, naming it, when a placeholder is
/// left over (the template and this code disagree) or a path would break the
/// config's line format.
pub fn render_config(template: &str, ports: Ports, password_file: &Path) -> Result<String, String> {
    let password_file = password_file.to_string_lossy();
    if password_file.contains(['\n', '\r']) {
        return Err(format!(
            "the password file path {password_file:?} contains a line break"
        ));
    }
    let rendered = template
        .replace("{{TCP_PORT}}", &ports.tcp.to_string())
        .replace("{{WS_PORT}}", &ports.ws.to_string())
        .replace("{{AUTH_WS_PORT}}", &ports.auth_ws.to_string())
        .replace("{{PASSWORD_FILE}}", &password_file);
    if let Some(start) = rendered.find("{{") {
        let rest = &rendered[start..];
        let end = rest.find("}}").map_or(rest.len(), |e| e + 2);
        return Err(format!(
            "the mosquitto template has an unknown placeholder {}",
            &rest[..end]
        ));
    }
    check_loopback_only(&rendered)?;
    Ok(rendered)
}

/// Refuses a config with a listener that could be reached from other
/// machines: every `listener` line must name 127.0.0.1 (TCP) or the `lo`
/// interface (websockets; an IP there binds every interface on 2.0.11), and a
/// websockets listener must not be bound to an IP.
pub fn check_loopback_only(config: &str) -> Result<(), String> {
    let mut listeners = 0;
    let mut current: Option<(usize, &str)> = None;
    let check = |current: Option<(usize, &str)>, websockets: bool| match current {
        Some((line, "127.0.0.1")) if websockets => Err(format!(
            "line {line}: a websockets listener bound to an IP binds every interface \
             on mosquitto 2.0.11; bind `lo` instead"
        )),
        Some((_, "127.0.0.1" | "lo")) | None => Ok(()),
        Some((line, other)) => Err(format!(
            "line {line}: listener bound to {other:?}; only 127.0.0.1 or lo are allowed"
        )),
    };
    let mut websockets = false;
    for (i, line) in config.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["listener", _port, bind] => {
                check(current.take(), websockets)?;
                listeners += 1;
                current = Some((i + 1, bind));
                websockets = false;
            }
            ["listener", ..] => {
                return Err(format!(
                    "line {}: `{}` does not name 127.0.0.1 or lo, so it listens on every interface",
                    i + 1,
                    line.trim()
                ))
            }
            ["protocol", "websockets"] => websockets = true,
            _ => {}
        }
    }
    check(current, websockets)?;
    if listeners == 0 {
        return Err("the config has no listener".to_owned());
    }
    Ok(())
}

/// One Mosquitto process and what it needs to be started again on the same
/// ports.
struct Broker {
    config: PathBuf,
    log: PathBuf,
    ports: Ports,
    child: Option<Child>,
    /// Set when the harness is dropped: no request may start it again.
    closed: bool,
}

impl Broker {
    /// Starts Mosquitto and waits until every port accepts connections.
    fn start(&mut self) -> Result<(), String> {
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
    fn wait_ready(&mut self) -> Result<(), String> {
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
    fn stop(&mut self) -> Result<(), String> {
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

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The last `n` lines of the broker's log, for error messages.
    fn log_tail(&self, n: usize) -> String {
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
fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(250)).is_ok()
}

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

/// The broker, even if a control thread panicked while holding it.
fn lock(broker: &Mutex<Broker>) -> MutexGuard<'_, Broker> {
    broker
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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

// ----- the control endpoint --------------------------------------------------

/// A request's first line, split and percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    /// `GET`, `POST`, `OPTIONS`...
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The query's `name=value` pairs in order, decoded.
    pub query: Vec<(String, String)>,
}

impl RequestLine {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `METHOD /path?query HTTP/1.x`. Query values are percent-decoded; a
/// `+` stays a `+` (the tests encode with encodeURIComponent, and MQTT topic
/// names cannot hold `+` anyway).
pub fn parse_request_line(line: &str) -> Result<RequestLine, String> {
    let mut words = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(format!("not an HTTP request line: {line:?}"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("not an HTTP method: {method:?}"));
    }
    if !version.starts_with("HTTP/1.") {
        return Err(format!("unsupported HTTP version {version:?}"));
    }
    if !target.starts_with('/') {
        return Err(format!("the request target must start with /: {target:?}"));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(name)?, percent_decode(value)?))
        })
        .collect::<Result<_, String>>()?;
    Ok(RequestLine {
        method: method.to_owned(),
        path: percent_decode(path)?,
        query,
    })
}

/// Decodes `%XX` escapes; the result must be UTF-8.
pub fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape in {text:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} does not decode to UTF-8"))
}

/// The value of `Content-Length` among the head's header lines (0 if absent).
pub fn content_length(head: &str) -> Result<usize, String> {
    for line in head.split("\r\n").skip(1) {
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                return value
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad Content-Length {:?}", value.trim()));
            }
        }
    }
    Ok(0)
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A CORS preflight: answered with the allowed methods.
    Preflight,
    /// Kill the broker and wait until its ports are closed.
    Stop,
    /// Start the broker again on the same ports and wait until it is ready.
    Start,
    /// Publish the body with `mosquitto_pub`.
    Publish {
        /// The topic name.
        topic: String,
        /// 0, 1 or 2.
        qos: u8,
        /// Publish as the retained value.
        retain: bool,
    },
    /// An error response: status code and the reason in words.
    Error(u16, String),
}

/// Decides what a request line asks for.
pub fn route(req: &RequestLine) -> Route {
    if req.method == "OPTIONS" {
        return Route::Preflight;
    }
    let known = matches!(
        req.path.as_str(),
        "/broker/stop" | "/broker/start" | "/publish"
    );
    if !known {
        return Route::Error(404, format!("no such endpoint {}", req.path));
    }
    if req.method != "POST" {
        return Route::Error(405, format!("{} needs POST", req.path));
    }
    match req.path.as_str() {
        "/broker/stop" => Route::Stop,
        "/broker/start" => Route::Start,
        _ => {
            let topic = match req.param("topic") {
                Some(t) if !t.is_empty() => t.to_owned(),
                _ => return Route::Error(400, "publish needs a non-empty topic=".to_owned()),
            };
            let qos = match req.param("qos").unwrap_or("0") {
                "0" => 0,
                "1" => 1,
                "2" => 2,
                other => return Route::Error(400, format!("qos must be 0, 1 or 2, not {other:?}")),
            };
            let retain = match req.param("retain").unwrap_or("0") {
                "1" | "true" => true,
                "0" | "false" => false,
                other => return Route::Error(400, format!("retain must be 0 or 1, not {other:?}")),
            };
            Route::Publish { topic, qos, retain }
        }
    }
}

/// The accept loop: one short-lived thread per connection, all joined before
/// the loop returns, which it does soon after `stop` is set.
fn serve(listener: TcpListener, broker: Arc<Mutex<Broker>>, stop: Arc<AtomicBool>) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let broker = broker.clone();
                if let Ok(worker) = thread::Builder::new()
                    .name("broker-control-request".into())
                    .spawn(move || handle_connection(stream, &broker))
                {
                    workers.push(worker);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => thread::sleep(ACCEPT_POLL),
            Err(_) => thread::sleep(ACCEPT_POLL),
        }
        workers.retain(|w| !w.is_finished());
    }
    for worker in workers {
        let _ = worker.join();
    }
}

fn handle_connection(mut stream: TcpStream, broker: &Mutex<Broker>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
    let _ = stream.set_write_timeout(Some(REQUEST_TIMEOUT));
    let (status, text, shown) = match read_request(&mut stream) {
        Ok((req, body)) => {
            let shown = format!("{} {}", req.method, req.path);
            let (status, text) = respond(&route(&req), body, broker);
            (status, text, shown)
        }
        Err((status, why)) => (status, why, "unreadable request".to_owned()),
    };
    if status != 204 {
        println!("    [broker control] {shown} -> {status} {}", text.trim());
    }
    let _ = write_response(&mut stream, status, &text);
}

/// Reads the head and the body (bounded), or an error status and reason.
fn read_request(stream: &mut TcpStream) -> Result<(RequestLine, Vec<u8>), (u16, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err((431, "the request head is too large".to_owned()));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err((400, "the connection closed mid-request".to_owned())),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err((408, format!("reading the request failed: {e}"))),
        }
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| (400, "the request head is not UTF-8".to_owned()))?;
    let req =
        parse_request_line(head.split("\r\n").next().unwrap_or("")).map_err(|why| (400, why))?;
    let length = content_length(head).map_err(|why| (400, why))?;
    if length > MAX_BODY {
        return Err((413, format!("the body is larger than {MAX_BODY} bytes")));
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk) {
            Ok(0) => return Err((400, "the connection closed mid-body".to_owned())),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) => return Err((408, format!("reading the body failed: {e}"))),
        }
    }
    body.truncate(length);
    Ok((req, body))
}

/// Carries out a route; the status code and the outcome in words.
fn respond(route: &Route, body: Vec<u8>, broker: &Mutex<Broker>) -> (u16, String) {
    let outcome = match route {
        Route::Preflight => return (204, String::new()),
        Route::Error(status, why) => return (*status, why.clone()),
        Route::Stop => lock(broker).stop().map(|()| "stopped".to_owned()),
        Route::Start => lock(broker).start().map(|()| "started".to_owned()),
        Route::Publish { topic, qos, retain } => {
            let tcp = lock(broker).ports.tcp;
            publish(tcp, topic, *qos, *retain, body).map(|()| "published".to_owned())
        }
    };
    match outcome {
        Ok(text) => (200, text),
        Err(why) => (500, why),
    }
}

/// Publishes with `mosquitto_pub` over the TCP listener, bounded by
/// [`PUBLISH_TIMEOUT`]. An empty body is sent as a zero-length message (`-n`),
/// which with retain clears the topic's retained value.
fn publish(tcp_port: u16, topic: &str, qos: u8, retain: bool, body: Vec<u8>) -> Result<(), String> {
    let mut cmd = Command::new("mosquitto_pub");
    cmd.args(["-h", "127.0.0.1", "-p", &tcp_port.to_string(), "-t", topic])
        .args(["-q", &qos.to_string()]);
    if retain {
        cmd.arg("-r");
    }
    cmd.arg(if body.is_empty() { "-n" } else { "-s" });
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run mosquitto_pub: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(&body)
            .map_err(|e| format!("could not pass the payload to mosquitto_pub: {e}"))?;
    }
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > PUBLISH_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "mosquitto_pub did not finish within {} s",
                    PUBLISH_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for mosquitto_pub failed: {e}")),
        }
    };
    if status.success() {
        return Ok(());
    }
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    Err(format!(
        "mosquitto_pub failed ({status}): {}",
        stderr.trim()
    ))
}

/// Writes a complete response with the CORS headers every answer carries,
/// so the test page (another origin) may read it.
fn write_response(stream: &mut TcpStream, status: u16, text: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Access-Control-Allow-Origin: *\r\n\
         Access-Control-Allow-Methods: POST, OPTIONS\r\n\
         Access-Control-Allow-Headers: Content-Type\r\n\
         Access-Control-Max-Age: 600\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\r\n{text}",
        text.len()
    );
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTS: Ports = Ports {
        tcp: 41001,
        ws: 41002,
        auth_ws: 41003,
    };

    #[test]
    fn the_template_renders_to_loopback_listeners_on_the_given_ports() {
        let config = render_config(TEMPLATE, PORTS, Path::new("/tmp/x/passwords")).unwrap();
        assert!(config.contains("listener 41001 127.0.0.1\n"), "{config}");
        assert!(config.contains("listener 41002 lo\nprotocol websockets\nallow_anonymous true"));
        assert!(config.contains(
            "listener 41003 lo\nprotocol websockets\nallow_anonymous false\npassword_file /tmp/x/passwords"
        ));
        assert!(config.contains("per_listener_settings true"));
        assert!(!config.contains("{{"));
    }

    #[test]
    fn rendering_names_an_unknown_placeholder() {
        let err = render_config(
            "listener {{TCP_PORT}} 127.0.0.1\n{{OOPS}}",
            PORTS,
            Path::new("/p"),
        )
        .unwrap_err();
        assert!(err.contains("{{OOPS}}"), "{err}");
        let err = render_config(TEMPLATE, PORTS, Path::new("/a\nb")).unwrap_err();
        assert!(err.contains("line break"), "{err}");
    }

    #[test]
    fn a_listener_reachable_from_other_machines_is_refused() {
        assert!(
            check_loopback_only("listener 1 127.0.0.1\nlistener 2 lo\nprotocol websockets").is_ok()
        );
        let err = check_loopback_only("listener 1883").unwrap_err();
        assert!(err.contains("every interface"), "{err}");
        let err = check_loopback_only("listener 1 0.0.0.0").unwrap_err();
        assert!(err.contains("0.0.0.0"), "{err}");
        let err =
            check_loopback_only("listener 1 127.0.0.1\nlistener 2 127.0.0.1\nprotocol websockets")
                .unwrap_err();
        assert!(
            err.starts_with("line 2:") && err.contains("bind `lo`"),
            "{err}"
        );
        assert!(check_loopback_only("# nothing").is_err());
    }

    #[test]
    fn request_lines_split_and_decode() {
        let req = parse_request_line("POST /publish?topic=a%2Fb%20c&retain=1&qos=2&flag HTTP/1.1")
            .unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/publish");
        assert_eq!(
            req.query,
            vec![
                ("topic".to_owned(), "a/b c".to_owned()),
                ("retain".to_owned(), "1".to_owned()),
                ("qos".to_owned(), "2".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        let req = parse_request_line("OPTIONS /broker/stop HTTP/1.1").unwrap();
        assert_eq!((req.method.as_str(), req.query.len()), ("OPTIONS", 0));
        assert_eq!(
            parse_request_line("GET /x?t=%E2%9C%93 HTTP/1.0")
                .unwrap()
                .query[0]
                .1,
            "✓"
        );
    }

    #[test]
    fn bad_request_lines_are_refused_in_words() {
        for (line, words) in [
            ("", "not an HTTP request line"),
            ("GET /", "not an HTTP request line"),
            ("GET / HTTP/1.1 extra", "not an HTTP request line"),
            ("get / HTTP/1.1", "not an HTTP method"),
            ("GET / HTTP/2", "unsupported HTTP version"),
            ("GET x HTTP/1.1", "must start with /"),
            ("GET /?t=%4 HTTP/1.1", "bad percent escape"),
            ("GET /?t=%zz HTTP/1.1", "bad percent escape"),
            ("GET /?t=%ff HTTP/1.1", "UTF-8"),
        ] {
            let err = parse_request_line(line).unwrap_err();
            assert!(err.contains(words), "{line:?}: {err}");
        }
    }

    #[test]
    fn content_length_is_read_case_insensitively() {
        assert_eq!(
            content_length("POST / HTTP/1.1\r\nHost: x\r\ncontent-LENGTH: 12"),
            Ok(12)
        );
        assert_eq!(content_length("POST / HTTP/1.1\r\nHost: x"), Ok(0));
        assert!(content_length("POST / HTTP/1.1\r\nContent-Length: -1").is_err());
    }

    #[test]
    fn routes_follow_method_path_and_parameters() {
        let r = |line: &str| route(&parse_request_line(line).unwrap());
        assert_eq!(r("OPTIONS /publish HTTP/1.1"), Route::Preflight);
        assert_eq!(r("POST /broker/stop HTTP/1.1"), Route::Stop);
        assert_eq!(r("POST /broker/start HTTP/1.1"), Route::Start);
        assert_eq!(
            r("POST /publish?topic=a%2Fb&retain=1&qos=1 HTTP/1.1"),
            Route::Publish {
                topic: "a/b".into(),
                qos: 1,
                retain: true
            }
        );
        assert_eq!(
            r("POST /publish?topic=t HTTP/1.1"),
            Route::Publish {
                topic: "t".into(),
                qos: 0,
                retain: false
            }
        );
        assert!(matches!(
            r("GET /broker/stop HTTP/1.1"),
            Route::Error(405, _)
        ));
        assert!(matches!(r("POST /nope HTTP/1.1"), Route::Error(404, _)));
        assert!(matches!(r("POST /publish HTTP/1.1"), Route::Error(400, _)));
        assert!(matches!(
            r("POST /publish?topic=t&qos=3 HTTP/1.1"),
            Route::Error(400, _)
        ));
        assert!(matches!(
            r("POST /publish?topic=t&retain=yes HTTP/1.1"),
            Route::Error(400, _)
        ));
    }

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
