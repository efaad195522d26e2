//! Mosquitto's configuration for the browser tests: the listeners' ports, the
//! template rendered with them, and the check that nothing listens beyond loopback.

use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;

/// The config template: listeners with placeholders for ports and paths.
pub const TEMPLATE: &str = include_str!("../../../testdata/mosquitto/browser-tests.conf.in");

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
    pub(super) fn free() -> Result<Self, String> {
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

    pub(super) fn all(self) -> [u16; 3] {
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
}
