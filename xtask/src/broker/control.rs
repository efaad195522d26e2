//! The small HTTP control endpoint the browser tests call with `fetch` to stop, start
//! and publish to the broker.

use super::process::{lock, Broker};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

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
pub(super) fn serve(listener: TcpListener, broker: Arc<Mutex<Broker>>, stop: Arc<AtomicBool>) {
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
}
