//! The one raw HTTP call the harness needs (chromedriver's log endpoint,
//! which WebDriver clients do not wrap).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// POSTs JSON to 127.0.0.1:`port` and returns the response body. Reads the
/// head, then exactly Content-Length bytes: chromedriver may keep the
/// connection open, so reading to the end would wait for the timeout.
pub fn post_json(port: u16, path: &str, body: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(body) = complete_body(&raw) {
            return Ok(body);
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    complete_body(&raw).ok_or_else(|| "the response ended early".to_owned())
}

/// The body once the whole response has arrived.
fn complete_body(raw: &[u8]) -> Option<String> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let body = &raw[end + 4..];
    if let Some(len) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        return (body.len() >= len).then(|| String::from_utf8_lossy(&body[..len]).into_owned());
    }
    if head.contains("transfer-encoding: chunked") {
        let text = String::from_utf8_lossy(body);
        return text.contains("0\r\n\r\n").then(|| dechunk(&text));
    }
    None
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}
