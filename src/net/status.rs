//! The connection's state in the words the status line shows. Pure, so the
//! transport sets it, the UI renders it and tests assert it without a browser.

use crate::mqtt::packet::ConnectRefusal;

/// Where the connection to the broker stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// Nothing has been tried yet, or the user disconnected.
    Disconnected,
    /// A socket is opening or the CONNECT handshake is under way.
    Connecting,
    /// The broker accepted the session.
    Connected,
    /// The connection dropped; the next attempt starts in this many seconds.
    Retrying {
        /// Seconds until the next attempt.
        in_secs: u32,
        /// Why the last connection ended, in words.
        why: String,
    },
    /// The broker or the browser refused; the reason is in words for the user.
    Refused(String),
    /// The broker refused the login and the client tries again after a backoff.
    /// One state for the whole wait-and-retry cycle, so the refusal stays on
    /// screen instead of flickering through "Connecting…" on every attempt.
    Denied {
        /// The refusal in words, with what to check.
        why: String,
        /// Seconds until the next attempt; None while that attempt is under way.
        retry_in_secs: Option<u32>,
    },
}

impl ConnectionStatus {
    /// The sentence the status line shows, so wording lives in one place.
    pub fn text(&self) -> String {
        match self {
            Self::Disconnected => "Not connected".to_owned(),
            Self::Connecting => "Connecting…".to_owned(),
            Self::Connected => "Connected".to_owned(),
            Self::Retrying { in_secs, why } if why.is_empty() => {
                format!("Connection lost, retrying in {in_secs} s")
            }
            Self::Retrying { in_secs, why } => {
                format!("{why}, retrying in {in_secs} s")
            }
            Self::Refused(reason) => format!("Refused: {reason}"),
            Self::Denied {
                why,
                retry_in_secs: Some(secs),
            } => format!("{why} (trying again in {secs} s)"),
            Self::Denied {
                why,
                retry_in_secs: None,
            } => format!("{why} (trying again…)"),
        }
    }

    /// One or two words for the phone's header (a status dot and these, beside the tabs):
    /// the whole sentence ([`Self::text`]) does not fit there; it stays in the status line
    /// for screen readers and in the button's label, and the connect form says the rest.
    pub fn short(&self) -> &'static str {
        match self {
            Self::Disconnected => "Offline",
            Self::Connecting => "Connecting",
            Self::Connected => "Connected",
            Self::Retrying { .. } => "Retrying",
            Self::Refused(_) => "Refused",
            Self::Denied { .. } => "Login refused",
        }
    }

    /// A short machine-friendly name used as a CSS class and test hook.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Disconnected => "disconnected",
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Retrying { .. } => "retrying",
            Self::Refused(_) | Self::Denied { .. } => "refused",
        }
    }
}

/// A CONNACK refusal as the status line says it: what happened and what to
/// check, because "return code 5" means nothing to the person at the wall.
/// Mosquitto answers a wrong password with 5 (not authorized) on MQTT 3.1.1,
/// so both login codes point at the user name and password.
pub fn refusal_text(refusal: ConnectRefusal) -> String {
    match refusal {
        ConnectRefusal::NotAuthorized => "Not authorized: check the user name and password",
        ConnectRefusal::BadUserNameOrPassword => "Wrong user name or password",
        ConnectRefusal::IdentifierRejected => "The broker rejected this client id",
        ConnectRefusal::ServerUnavailable => "The broker is unavailable",
        ConnectRefusal::UnacceptableProtocolVersion => "The broker does not speak MQTT 3.1.1",
    }
    .to_owned()
}

/// How the status line starts when a socket never opened. The browser gives no
/// detail (always close code 1006): a wrong host, port or path, a 404 from the
/// broker's web server and an untrusted certificate all look the same.
pub const UNREACHABLE: &str = "Can't reach the broker";

/// The status line for a socket that closed before MQTT started: names the URL, so
/// a wrong port or path shows where the user can read it; the connect form adds what
/// to check ([`crate::net::broker_url::BrokerUrl::unreachable_advice`]).
pub fn unreachable_text(url: &str) -> String {
    format!("{UNREACHABLE} at {url}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_reads_as_a_sentence() {
        assert_eq!(ConnectionStatus::Disconnected.text(), "Not connected");
        assert_eq!(ConnectionStatus::Connected.kind(), "connected");
        let r = ConnectionStatus::Retrying {
            in_secs: 4,
            why: String::new(),
        };
        assert_eq!(r.text(), "Connection lost, retrying in 4 s");
        let r = ConnectionStatus::Retrying {
            in_secs: 2,
            why: "Broker closed the connection (1006)".into(),
        };
        assert_eq!(
            r.text(),
            "Broker closed the connection (1006), retrying in 2 s"
        );
        assert_eq!(
            ConnectionStatus::Refused("not authorized".into()).text(),
            "Refused: not authorized"
        );
    }

    #[test]
    fn the_phone_header_gets_a_word_or_two_for_every_state() {
        let retrying = ConnectionStatus::Retrying {
            in_secs: 3,
            why: unreachable_text("ws://a-very-long-host.example:9001/mqtt"),
        };
        assert_eq!(retrying.short(), "Retrying");
        let denied = ConnectionStatus::Denied {
            why: refusal_text(ConnectRefusal::NotAuthorized),
            retry_in_secs: Some(5),
        };
        assert_eq!(denied.short(), "Login refused");
        assert_eq!(ConnectionStatus::Disconnected.short(), "Offline");
        assert_eq!(ConnectionStatus::Connected.short(), "Connected");
        assert_eq!(ConnectionStatus::Refused("x".into()).short(), "Refused");
        for s in [retrying, denied, ConnectionStatus::Connecting] {
            assert!(s.short().chars().count() <= 13, "{}", s.short());
        }
    }

    #[test]
    fn an_unreachable_broker_is_named_by_its_url() {
        let status = ConnectionStatus::Retrying {
            in_secs: 3,
            why: unreachable_text("ws://127.0.0.1:15675/mqtt"),
        };
        assert_eq!(
            status.text(),
            "Can't reach the broker at ws://127.0.0.1:15675/mqtt, retrying in 3 s"
        );
    }

    #[test]
    fn a_refused_login_reads_as_what_to_check_with_the_retry_time() {
        let why = refusal_text(ConnectRefusal::NotAuthorized);
        assert_eq!(why, "Not authorized: check the user name and password");
        let waiting = ConnectionStatus::Denied {
            why: why.clone(),
            retry_in_secs: Some(8),
        };
        assert_eq!(
            waiting.text(),
            "Not authorized: check the user name and password (trying again in 8 s)"
        );
        assert_eq!(waiting.kind(), "refused");
        let trying = ConnectionStatus::Denied {
            why,
            retry_in_secs: None,
        };
        assert_eq!(
            trying.text(),
            "Not authorized: check the user name and password (trying again…)"
        );
        assert_eq!(trying.kind(), "refused");
    }
}
