//! The embedded broker: rumqttd 0.20 with one MQTT 3.1.1 TCP listener and one MQTT-over-
//! WebSocket listener, both on loopback.
//!
//! What rumqttd 0.20 does that matters here (read in its source, pinned by tests):
//! * The WebSocket listener accepts any request path (`/mqtt`, `/`, ...) and always answers
//!   `Sec-WebSocket-Protocol: mqtt`, which browsers require when they asked for `mqtt`.
//!   It speaks MQTT 3.1.1 only (v4).
//! * It performs each WebSocket handshake inline in its accept loop: one client that opens a
//!   TCP connection and never sends the HTTP upgrade holds up every later WebSocket client
//!   (no timeout). Fine on loopback for development; do not expose it.
//! * A publish to a topic no subscription matches disconnects the publisher unless
//!   `dynamic_filters` is on; lamps publish retained states before anyone subscribes, so it is.
//! * Retained messages sent on SUBSCRIBE are cut to what fits in one read: at most
//!   `max_outgoing_packet_count` for a QoS 0 subscription, but at most 100 (a constant,
//!   `MAX_INFLIGHT`) for QoS 1/2 subscriptions; the rest are silently dropped. A client that
//!   subscribes with QoS 1 to a filter matching more than 100 retained lamps sees only 100.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};

/// Retained messages a QoS 0 subscription receives at once (rumqttd reads up to this many per
/// scheduling round and drops the excess of retained ones); generous for 1000+ lamps.
pub const MAX_OUTGOING_PACKETS: u64 = 20_000;

/// Largest MQTT packet accepted from a client: a Zigbee2MQTT `bridge/devices` for a big
/// network is hundreds of kilobytes.
pub const MAX_PAYLOAD: usize = 1024 * 1024;

/// Where the two listeners go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listeners {
    /// MQTT over TCP.
    pub tcp: SocketAddr,
    /// MQTT over WebSocket.
    pub ws: SocketAddr,
}

impl Listeners {
    /// Both on 127.0.0.1: the dev hub is for this machine only.
    pub fn loopback(tcp_port: u16, ws_port: u16) -> Listeners {
        Listeners {
            tcp: SocketAddr::from(([127, 0, 0, 1], tcp_port)),
            ws: SocketAddr::from(([127, 0, 0, 1], ws_port)),
        }
    }

    /// `mqtt://127.0.0.1:1883`, for the start banner and MQTT tools.
    pub fn tcp_url(&self) -> String {
        format!("mqtt://{}", self.tcp)
    }

    /// `ws://127.0.0.1:9001/mqtt`: the app's default broker URL on this host.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/mqtt", self.ws)
    }
}

fn connections() -> ConnectionSettings {
    ConnectionSettings {
        // Time a client has to send CONNECT after opening the socket (u16 in rumqttd).
        connection_timeout_ms: 10_000,
        max_payload_size: MAX_PAYLOAD,
        // Incoming packets read per batch from one connection: floods arrive in bursts.
        max_inflight_count: 1_000,
        auth: None,
        external_auth: None,
        dynamic_filters: true,
    }
}

fn server(name: &str, listen: SocketAddr) -> ServerSettings {
    ServerSettings {
        name: name.to_string(),
        listen,
        tls: None,
        next_connection_delay_ms: 0,
        connections: connections(),
    }
}

/// The rumqttd configuration: limits sized for 1000+ retained lamps and `--flood` benchmarks
/// rather than for a production broker's memory budget.
pub fn config(listeners: &Listeners) -> Config {
    Config {
        id: 0,
        router: RouterConfig {
            max_connections: 4_096,
            max_outgoing_packet_count: MAX_OUTGOING_PACKETS,
            // Per topic (with dynamic filters): 4 x 256 KiB of recent messages for slow
            // subscribers, then the oldest segment is dropped.
            max_segment_size: 256 * 1024,
            max_segment_count: 4,
            custom_segment: None,
            initialized_filters: None,
            shared_subscriptions_strategy: Default::default(),
        },
        v4: Some([("tcp".to_string(), server("lampsim-tcp", listeners.tcp))].into()),
        ws: Some([("ws".to_string(), server("lampsim-ws", listeners.ws))].into()),
        ..Config::default()
    }
}

/// Checks that nothing listens on the address yet; rumqttd itself would only log a bind
/// failure (through `tracing`, which lampsim does not print) and carry on without the
/// listener.
fn ensure_free(addr: SocketAddr, what: &str) -> Result<(), String> {
    TcpListener::bind(addr).map(drop).map_err(|e| {
        format!(
            "cannot listen for {what} on {addr}: {e}. Is another broker running? \
             Stop it, pick other ports (--tcp-port/--ws-port) or use it with --broker mqtt://host:port"
        )
    })
}

/// Starts the broker on its own threads and returns once both listeners accept connections
/// (or an error in words after 10 s). The broker lives until the process exits: rumqttd has
/// no shutdown, which is fine for a dev tool and for tests.
pub fn start(listeners: &Listeners) -> Result<(), String> {
    ensure_free(listeners.tcp, "MQTT/TCP")?;
    ensure_free(listeners.ws, "MQTT/WebSocket")?;
    let failure: Arc<Mutex<Option<String>>> = Arc::default();
    let failed = Arc::clone(&failure);
    let cfg = config(listeners);
    std::thread::Builder::new()
        .name("rumqttd".into())
        .spawn(move || {
            let mut broker = Broker::new(cfg);
            let why = match broker.start() {
                Ok(()) => "the broker's listeners stopped".to_string(),
                Err(e) => format!("the broker failed: {e}"),
            };
            if let Ok(mut slot) = failed.lock() {
                *slot = Some(why);
            }
        })
        .map_err(|e| format!("cannot start the broker thread: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut pending = vec![listeners.tcp, listeners.ws];
    while !pending.is_empty() {
        if let Some(why) = failure.lock().ok().and_then(|f| f.clone()) {
            return Err(why);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the broker did not start listening on {pending:?} within 10 s"
            ));
        }
        // A probe that connects and closes at once: rumqttd's inline WebSocket handshake
        // fails on EOF immediately and moves on.
        pending
            .retain(|addr| TcpStream::connect_timeout(addr, Duration::from_millis(200)).is_err());
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(())
}

/// A port that was free a moment ago on 127.0.0.1, for tests and parallel runs. There is a
/// small race (someone may take it before us); rumqttd binds by address, so a listener cannot
/// be handed over.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_listens_on_loopback_with_dynamic_filters() {
        let l = Listeners::loopback(1883, 9001);
        assert_eq!(l.ws_url(), "ws://127.0.0.1:9001/mqtt");
        assert_eq!(l.tcp_url(), "mqtt://127.0.0.1:1883");
        let c = config(&l);
        let v4 = c.v4.as_ref().unwrap().values().next().unwrap();
        let ws = c.ws.as_ref().unwrap().values().next().unwrap();
        assert_eq!(v4.listen, l.tcp);
        assert_eq!(ws.listen, l.ws);
        assert!(v4.connections.dynamic_filters && ws.connections.dynamic_filters);
        assert!(c.router.max_outgoing_packet_count >= 1_000);
    }

    #[test]
    fn a_taken_port_is_reported_in_words() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let err = start(&Listeners::loopback(port, free_port().unwrap())).unwrap_err();
        assert!(err.contains("Is another broker running?"), "{err}");
    }
}
