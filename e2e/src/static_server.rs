//! A static file server for the release dist, on loopback, for the browser. Text and wasm
//! go out gzipped (level 9) to a browser that accepts it, as any real host serves them, so
//! Lighthouse's byte counts and load times are those of a deployment.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The harness's own blank page (see `serve_one`).
pub const BLANK_PATH: &str = "/__e2e_blank";

/// Serves a folder until dropped.
pub struct StaticServer {
    /// The port it listens on.
    pub port: u16,
    stop: Arc<AtomicBool>,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

impl StaticServer {
    /// Serves `root` on a free loopback port; `/` is `index.html`.
    pub fn start(root: PathBuf) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let root = root.clone();
                        std::thread::spawn(move || {
                            let _ = stream.set_nonblocking(false);
                            serve_one(stream, &root);
                        });
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
                }
            }
        });
        Self { port, stop }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve_one(mut stream: std::net::TcpStream, root: &Path) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Read the headers: only Accept-Encoding matters.
    let mut header = String::new();
    let mut gzip_ok = false;
    while reader
        .read_line(&mut header)
        .map(|n| n > 2)
        .unwrap_or(false)
    {
        let lower = header.to_ascii_lowercase();
        if lower.starts_with("accept-encoding:") && lower.contains("gzip") {
            gzip_ok = true;
        }
        header.clear();
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let relative = if path == "/" {
        "index.html"
    } else {
        path.trim_start_matches('/')
    };
    let file = root.join(relative);
    let safe = !relative.split('/').any(|p| p == "..");
    // A blank same-origin page for the harness (setting localStorage before the app runs),
    // with an empty icon so the browser asks for no favicon.
    if path == BLANK_PATH {
        let body = b"<!doctype html><title>blank</title><link rel=\"icon\" href=\"data:,\">";
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
        return;
    }
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(bytes) if safe => ("200 OK", bytes, content_type(&file)),
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let compressible = kind != "image/png" && kind != "text/plain";
    let gzipped = (gzip_ok && compressible)
        .then(|| gzip(&file, &body))
        .flatten();
    let (body, encoding) = match gzipped {
        Some(gz) => (gz, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"),
        None => (body, ""),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n{encoding}Content-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// Gzip at level 9, what `cargo xtask size` reports; kept per file and content, since the
/// suites load the same 2 MB wasm hundreds of times.
fn gzip(file: &Path, bytes: &[u8]) -> Option<Vec<u8>> {
    use flate2::{write::GzEncoder, Compression};
    use std::collections::HashMap;
    use std::sync::Mutex;
    type Cache = Mutex<HashMap<(PathBuf, usize), Vec<u8>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // dist/ does not change while a suite runs; the length catches a rebuild in between.
    let key = (file.to_path_buf(), bytes.len());
    if let Some(hit) = cache.lock().ok()?.get(&key) {
        return Some(hit.clone());
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).ok()?;
    let gz = encoder.finish().ok()?;
    cache.lock().ok()?.insert(key, gz.clone());
    Some(gz)
}
