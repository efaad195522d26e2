//! Command-line flags.
//!
//! clap (derive) rather than a hand-rolled parser: rumqttd already depends on clap 4 with
//! `derive`, so it is compiled anyway and costs lampsim no build time, and it gives `--help`,
//! typo suggestions and range checks for free.

use clap::Parser;

/// An existing broker to use instead of the embedded one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerAddr {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl Args {
    /// The porch light's flapping as [`crate::runner::Options::flap`] takes it.
    pub fn flap(&self) -> Option<(std::time::Duration, std::time::Duration)> {
        use std::time::Duration;
        (self.flap_every > self.flap_for).then(|| {
            (
                Duration::from_secs(self.flap_every),
                Duration::from_secs(self.flap_for),
            )
        })
    }
}

impl std::fmt::Display for BrokerAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "mqtt://{}:{}", self.host, self.port)
    }
}

/// Parses `mqtt://host[:port]` (also `tcp://`, or a bare `host[:port]`); the port defaults
/// to 1883. WebSocket and TLS URLs are refused in words: lampsim's client speaks plain TCP.
pub fn parse_broker(text: &str) -> Result<BrokerAddr, String> {
    let rest = match text.split_once("://") {
        Some(("mqtt" | "tcp", rest)) => rest,
        Some((scheme, _)) => {
            return Err(format!(
                "lampsim connects over plain MQTT/TCP; use mqtt://host:port, not {scheme}://"
            ))
        }
        None => text,
    };
    let rest = rest.trim_end_matches('/');
    let port_of = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("'{p}' is not a port number"))
    };
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        let (host, after) = inner
            .split_once(']')
            .ok_or_else(|| format!("'{text}' has an unclosed '['"))?;
        match after.strip_prefix(':') {
            Some(p) => (host, port_of(p)?),
            None if after.is_empty() => (host, 1883),
            None => return Err(format!("'{text}' does not name a host")),
        }
    } else {
        match rest.rsplit_once(':') {
            Some((host, p)) => (host, port_of(p)?),
            None => (rest, 1883),
        }
    };
    if host.is_empty() || host.contains('/') {
        return Err(format!("'{text}' does not name a host"));
    }
    Ok(BrokerAddr {
        host: host.to_string(),
        port,
    })
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!(
            "'{text}' is not a positive rate (messages per second)"
        )),
    }
}

/// lampsim: an MQTT broker with simulated lamps for Lampboard development and tests.
///
/// Starts rumqttd on 127.0.0.1 (MQTT/TCP and MQTT over WebSocket; the app's default URL
/// ws://<host>:9001/mqtt works) unless --broker names an existing broker, then simulates
/// seed lamps (smarthome/<room>/lamps/<name>), Home Assistant lamps of every MQTT light schema
/// (JSON, default, template, device-based discovery, one with flapping availability) and
/// Zigbee2MQTT lights (bulbs, a two-channel dimmer, a group) that obey commands the way each
/// system does. Ctrl-C stops it.
#[derive(Parser, Clone, Debug, PartialEq)]
#[command(name = "lampsim", version)]
pub struct Args {
    /// Seed lamps under smarthome/<room>/lamps/<name> (retained JSON state).
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub lamps: usize,

    /// Rooms the seed lamps are spread over.
    #[arg(long, default_value_t = 4, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub rooms: u16,

    /// Random outside changes (wall switches) every few seconds.
    #[arg(long)]
    pub chaos: bool,

    /// Lamp updates at RATE messages per second spread over all lamps, for benchmarks
    /// (logged as a rate every 5 s instead of one line per message).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub flood: Option<f64>,

    /// Only the start banner and errors; no line per command or state change.
    #[arg(long, short)]
    pub quiet: bool,

    /// Port of the embedded broker's MQTT/TCP listener.
    #[arg(long, default_value_t = 1883, value_name = "PORT")]
    pub tcp_port: u16,

    /// Port of the embedded broker's MQTT-over-WebSocket listener (any path, e.g. /mqtt).
    #[arg(long, default_value_t = 9001, value_name = "PORT")]
    pub ws_port: u16,

    /// Use this broker (mqtt://host:port) instead of starting the embedded one.
    #[arg(long, value_name = "URL", value_parser = parse_broker)]
    pub broker: Option<BrokerAddr>,

    /// Run only the embedded broker, no lamps: end-to-end tests kill and restart the broker
    /// while a second lampsim (with --broker) keeps its lamps and reconnects, as a real house
    /// would when its broker restarts.
    #[arg(long, conflicts_with = "broker")]
    pub broker_only: bool,

    /// Seconds between the porch light's Wi-Fi drops (its availability topic says offline,
    /// then online again); 0 keeps it online.
    #[arg(long, default_value_t = 40, value_name = "SECS")]
    pub flap_every: u64,

    /// Seconds the porch light stays unavailable each time (less than --flap-every).
    #[arg(long, default_value_t = 10, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub flap_for: u64,

    /// Stop when standard input closes: `cargo xtask dev` passes a pipe, so lampsim can never
    /// outlive it, even if xtask is killed without a chance to clean up.
    #[arg(long)]
    pub exit_on_eof: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("lampsim").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_match_the_app() {
        let a = parse(&[]).unwrap();
        assert_eq!(
            (a.lamps, a.rooms, a.tcp_port, a.ws_port),
            (12, 4, 1883, 9001)
        );
        assert!(!a.chaos && !a.quiet && !a.exit_on_eof);
        assert_eq!((a.flood, a.broker), (None, None));
    }

    #[test]
    fn every_flag_parses() {
        let a = parse(&[
            "--lamps",
            "1000",
            "--rooms",
            "20",
            "--chaos",
            "--flood",
            "2500",
            "-q",
            "--tcp-port",
            "11883",
            "--ws-port",
            "19001",
            "--broker",
            "mqtt://10.0.0.2:1884",
            "--exit-on-eof",
        ])
        .unwrap();
        assert_eq!((a.lamps, a.rooms), (1000, 20));
        assert!(a.chaos && a.quiet && a.exit_on_eof);
        assert_eq!(a.flood, Some(2500.0));
        assert_eq!((a.tcp_port, a.ws_port), (11883, 19001));
        assert_eq!(a.broker.unwrap().to_string(), "mqtt://10.0.0.2:1884");
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in [
            &["--rooms", "0"][..],
            &["--flood", "0"],
            &["--flood", "fast"],
            &["--lamps", "-1"],
            &["--tcp-port", "70000"],
            &["--broker", "ws://localhost:9001/mqtt"],
            &["--lampz", "3"],
            &["--broker-only", "--broker", "mqtt://localhost:1884"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn flapping_is_on_by_default_and_can_be_turned_off() {
        use std::time::Duration;
        let d = parse(&[]).unwrap();
        assert_eq!(
            d.flap(),
            Some((Duration::from_secs(40), Duration::from_secs(10)))
        );
        assert_eq!(parse(&["--flap-every", "0"]).unwrap().flap(), None);
        assert_eq!(
            parse(&["--flap-every", "6", "--flap-for", "2"])
                .unwrap()
                .flap(),
            Some((Duration::from_secs(6), Duration::from_secs(2)))
        );
        assert_eq!(
            parse(&["--flap-every", "5", "--flap-for", "5"])
                .unwrap()
                .flap(),
            None
        );
        assert!(parse(&["--flap-for", "0"]).is_err());
    }

    #[test]
    fn broker_only_runs_the_embedded_broker_without_lamps() {
        assert!(
            parse(&["--broker-only", "--ws-port", "19001"])
                .unwrap()
                .broker_only
        );
        assert!(!parse(&[]).unwrap().broker_only);
    }

    #[test]
    fn broker_urls() {
        let b = |s| parse_broker(s).map(|b| (b.host, b.port));
        assert_eq!(b("mqtt://localhost:1884"), Ok(("localhost".into(), 1884)));
        assert_eq!(b("tcp://127.0.0.1"), Ok(("127.0.0.1".into(), 1883)));
        assert_eq!(b("broker.lan:2000/"), Ok(("broker.lan".into(), 2000)));
        assert_eq!(b("mqtt://[::1]:1883"), Ok(("::1".into(), 1883)));
        assert_eq!(b("[::1]"), Ok(("::1".into(), 1883)));
        assert!(b("mqtts://host:8883").unwrap_err().contains("plain MQTT"));
        assert!(b("mqtt://host:port").is_err());
        assert!(b("mqtt://").is_err());
        assert!(b("mqtt://host/path").is_err());
    }
}
