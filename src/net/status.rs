//! The connection's state in the words the status line shows. Pure, so the
//! transport sets it, the UI renders it and tests assert it without a browser.

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
        }
    }

    /// A short machine-friendly name used as a CSS class and test hook.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Disconnected => "disconnected",
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Retrying { .. } => "retrying",
            Self::Refused(_) => "refused",
        }
    }
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
}
