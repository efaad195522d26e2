//! Tasmota's topic layout: a device's three topic roots rebuilt from its FullTopic, the way
//! Tasmota itself builds them (docs `MQTT.md`, "FullTopic"): `%prefix%` is `cmnd`, `stat` or
//! `tele` (the discovery's `tp`, renamable with `Prefix1..3`), `%topic%` the device topic
//! (`t`), `%hostname%` the host name (`hn`) and `%id%` the last six hex digits of the MAC.
//! The default FullTopic is `%prefix%/%topic%/`, but `%topic%/%prefix%/` is common, so
//! nothing here hard-codes `tele/<t>/...`.

/// The default FullTopic, used for devices added by topic alone (no discovery to say).
pub const DEFAULT_FULL_TOPIC: &str = "%prefix%/%topic%/";

/// A device's topic roots, each ending in `/`, so a command is `cmnd` + `Power1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceTopics {
    /// Where commands go (`cmnd/<t>/`).
    pub cmnd: String,
    /// Where answers come (`stat/<t>/`: `RESULT`, `POWER`).
    pub stat: String,
    /// Where telemetry comes (`tele/<t>/`: `STATE`, `LWT`).
    pub tele: String,
}

/// What FullTopic needs filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicParts<'a> {
    /// The FullTopic pattern (`ft`).
    pub full_topic: &'a str,
    /// The device topic (`t`).
    pub topic: &'a str,
    /// The host name (`hn`), for `%hostname%`.
    pub hostname: &'a str,
    /// The MAC (`mac`), for `%id%`.
    pub mac: &'a str,
    /// The three prefixes (`tp`: cmnd, stat, tele).
    pub prefixes: [&'a str; 3],
}

/// Fills one prefix into the FullTopic. Tasmota adds a missing trailing `/` and collapses
/// `//` (an empty level), so both are done here as well.
pub fn full_topic(parts: &TopicParts<'_>, prefix: &str) -> String {
    let id = parts
        .mac
        .get(parts.mac.len().saturating_sub(6)..)
        .unwrap_or(parts.mac);
    let mut t = parts
        .full_topic
        .replace("%prefix%", prefix)
        .replace("%topic%", parts.topic)
        .replace("%hostname%", parts.hostname)
        .replace("%id%", id);
    if !t.ends_with('/') {
        t.push('/');
    }
    while t.contains("//") {
        t = t.replace("//", "/");
    }
    t.trim_start_matches('/').to_string()
}

/// The three topic roots of a device.
pub fn device_topics(parts: &TopicParts<'_>) -> DeviceTopics {
    DeviceTopics {
        cmnd: full_topic(parts, parts.prefixes[0]),
        stat: full_topic(parts, parts.prefixes[1]),
        tele: full_topic(parts, parts.prefixes[2]),
    }
}

/// The roots of a device known only by its topic: default FullTopic and prefixes.
pub fn default_topics(topic: &str) -> DeviceTopics {
    device_topics(&TopicParts {
        full_topic: DEFAULT_FULL_TOPIC,
        topic,
        hostname: "",
        mac: "",
        prefixes: ["cmnd", "stat", "tele"],
    })
}
