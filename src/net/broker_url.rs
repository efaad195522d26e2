//! Checking a broker URL before the browser sees it, so a typo becomes a
//! sentence the user can act on instead of a silent failed socket.

/// A broker address the browser can open a WebSocket to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// `ws` or `wss`.
    pub secure: bool,
    /// Host name or address, IPv6 in brackets.
    pub host: String,
    /// The port, always explicit so the status line can show it.
    pub port: u16,
    /// The path, `/` at least; many brokers want `/mqtt`.
    pub path: String,
}

/// Why a URL cannot be used, in words for the connection form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Nothing was typed.
    Empty,
    /// Not `ws://` or `wss://` (say `mqtt://` or `http://`).
    Scheme(String),
    /// No host after the scheme.
    NoHost,
    /// The port is not a number from 1 to 65535.
    BadPort(String),
    /// Spaces or other characters a URL cannot hold.
    BadCharacter(char),
    /// The page is https, and browsers block `ws://` from https pages.
    InsecureFromHttps,
}

impl std::fmt::Display for UrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => write!(
                f,
                "Enter the broker's WebSocket URL, like ws://localhost:9001/mqtt (RabbitMQ: ws://localhost:15675/ws)"
            ),
            Self::Scheme(s) if s == "mqtt" || s == "mqtts" || s == "tcp" => write!(
                f,
                "Browsers cannot speak {s}:// (raw TCP); use the broker's WebSocket listener: ws:// or wss://"
            ),
            Self::Scheme(s) => write!(f, "The URL must start with ws:// or wss://, not {s}://"),
            Self::NoHost => write!(f, "The URL has no host name"),
            Self::BadPort(p) => write!(f, "\"{p}\" is not a port number (1 to 65535)"),
            Self::BadCharacter(c) => write!(f, "The URL cannot contain '{}'", c.escape_debug()),
            Self::InsecureFromHttps => write!(
                f,
                "This page was opened over https, and browsers block unencrypted ws:// from https pages: use wss://"
            ),
        }
    }
}

impl BrokerUrl {
    /// Parses and checks `text`; `page_is_https` is whether the app itself was
    /// served over https (then only wss:// can work).
    pub fn parse(text: &str, page_is_https: bool) -> Result<Self, UrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UrlError::Empty);
        }
        if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(UrlError::BadCharacter(c));
        }
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| UrlError::Scheme(String::new()))?;
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "ws" => false,
            "wss" => true,
            other => return Err(UrlError::Scheme(other.to_owned())),
        };
        if !secure && page_is_https {
            return Err(UrlError::InsecureFromHttps);
        }
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let authority = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() || host == "[]" {
            return Err(UrlError::NoHost);
        }
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Ok(Self {
            secure,
            host: host.to_owned(),
            port: port.unwrap_or(if secure { 443 } else { 80 }),
            path,
        })
    }

    /// The URL handed to `new WebSocket(...)`.
    pub fn to_ws_url(&self) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        format!("{scheme}://{}:{}{}", self.host, self.port, self.path)
    }

    /// For `wss://`, the https address of the same listener: opening it in a tab is
    /// the only place a browser explains why it refused the broker's certificate
    /// (the page's socket only ever sees close code 1006). None for `ws://`.
    pub fn certificate_page(&self) -> Option<String> {
        self.secure
            .then(|| format!("https://{}:{}", self.host, self.port))
    }
}

/// Where common brokers listen for MQTT over WebSocket by default: (port, path,
/// broker). The path a broker wants is the usual cause of a socket that never opens.
const KNOWN_LISTENERS: &[(u16, &str, &str)] = &[
    (15675, "/ws", "RabbitMQ"),
    (15676, "/ws", "RabbitMQ"),
    (8083, "/mqtt", "EMQX and NanoMQ"),
    (8084, "/mqtt", "EMQX"),
    (8000, "/mqtt", "HiveMQ"),
    (8884, "/mqtt", "HiveMQ"),
    (8080, "/mqtt", "VerneMQ"),
];

/// The paths to suggest, in words, whatever the port: not only `/mqtt`.
pub const PATH_HINT: &str =
    "The path depends on the broker: /mqtt for EMQX, HiveMQ, VerneMQ, NanoMQ \
     and Mosquitto setups that use it, /ws for RabbitMQ (port 15675)";

impl BrokerUrl {
    /// What to check when the socket closed before MQTT started, for the connect form:
    /// the URL, a path fitting a well-known port, the port, and for `wss://` the
    /// certificate. The browser only says 1006, so this names every usual cause.
    pub fn unreachable_advice(&self) -> String {
        let url = self.to_ws_url();
        let mut out = format!("No WebSocket opened at {url}. ");
        let known = KNOWN_LISTENERS
            .iter()
            .find(|(port, _, _)| *port == self.port);
        match known {
            Some((port, path, broker)) if self.path != *path => {
                let mut fixed = self.clone();
                fixed.path = (*path).to_owned();
                out.push_str(&format!(
                    "Port {port} is {broker}'s, whose path is {path}: try {}. ",
                    fixed.to_ws_url()
                ));
            }
            _ => {
                out.push_str(PATH_HINT);
                out.push_str(". ");
            }
        }
        out.push_str(&format!(
            "Check that port {} is the broker's WebSocket listener (not its MQTT port 1883) and that the broker runs",
            self.port
        ));
        if self.secure {
            out.push_str("; for wss://, that this browser trusts the broker's certificate");
        }
        out.push('.');
        out
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), UrlError> {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let after = &authority[end + 1..];
                (&authority[..=end], after.strip_prefix(':'))
            }
            None => return Err(UrlError::NoHost),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(UrlError::BadPort(p.to_owned())),
        },
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        BrokerUrl::parse(text, false)
            .map(|u| u.to_ws_url())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn accepts_the_usual_broker_urls() {
        assert_eq!(ok("ws://localhost:9001"), "ws://localhost:9001/");
        assert_eq!(ok("ws://127.0.0.1:8083/mqtt"), "ws://127.0.0.1:8083/mqtt");
        assert_eq!(
            ok("  wss://broker.example.org/mqtt "),
            "wss://broker.example.org:443/mqtt"
        );
        assert_eq!(ok("WS://[::1]:9001/ws?x=1"), "ws://[::1]:9001/ws?x=1");
        assert_eq!(ok("ws://user@host:1"), "ws://host:1/");
    }

    #[test]
    fn says_what_is_wrong_in_words() {
        let err = |t: &str, https: bool| BrokerUrl::parse(t, https).unwrap_err();
        assert_eq!(err("", false), UrlError::Empty);
        assert_eq!(
            err("mqtt://host:1883", false),
            UrlError::Scheme("mqtt".into())
        );
        assert!(err("mqtt://host:1883", false)
            .to_string()
            .contains("raw TCP"));
        assert_eq!(
            err("localhost:9001", false),
            UrlError::Scheme(String::new())
        );
        assert_eq!(err("ws://:9001", false), UrlError::NoHost);
        assert_eq!(
            err("ws://host:99999", false),
            UrlError::BadPort("99999".into())
        );
        assert_eq!(err("ws://host:0", false), UrlError::BadPort("0".into()));
        assert_eq!(err("ws://ho st", false), UrlError::BadCharacter(' '));
        assert_eq!(err("ws://host:9001", true), UrlError::InsecureFromHttps);
        assert!(err("ws://host", true).to_string().contains("use wss://"));
        assert!(BrokerUrl::parse("wss://host", true).is_ok());
    }

    #[test]
    fn advice_for_an_unreachable_broker_names_the_url_the_path_and_the_port() {
        let advice = |u: &str| BrokerUrl::parse(u, false).unwrap().unreachable_advice();
        let rabbit = advice("ws://127.0.0.1:15675/mqtt");
        assert!(rabbit.starts_with("No WebSocket opened at ws://127.0.0.1:15675/mqtt."));
        assert!(
            rabbit.contains("RabbitMQ's, whose path is /ws: try ws://127.0.0.1:15675/ws"),
            "{rabbit}"
        );
        let emqx = advice("ws://broker:8083/ws");
        assert!(emqx.contains("try ws://broker:8083/mqtt"), "{emqx}");
        let other = advice("ws://broker:9001/");
        assert!(other.contains("/mqtt for EMQX") && other.contains("/ws for RabbitMQ"));
        assert!(other.contains("port 9001 is the broker's WebSocket listener"));
        assert!(!other.contains("certificate"));
        let secure = advice("wss://broker:8884/mqtt");
        assert!(
            secure.contains("trusts the broker's certificate"),
            "{secure}"
        );
        assert!(
            !secure.contains("try "),
            "the path fits HiveMQ's port: {secure}"
        );
    }

    #[test]
    fn a_wss_url_has_a_certificate_page_and_a_ws_url_none() {
        let page = |u: &str| BrokerUrl::parse(u, false).unwrap().certificate_page();
        assert_eq!(
            page("wss://broker.example:8884/mqtt").as_deref(),
            Some("https://broker.example:8884")
        );
        assert_eq!(
            page("wss://broker.example/mqtt").as_deref(),
            Some("https://broker.example:443")
        );
        assert_eq!(
            page("wss://[::1]:8884").as_deref(),
            Some("https://[::1]:8884")
        );
        assert_eq!(page("ws://127.0.0.1:9001/mqtt"), None);
    }
}
