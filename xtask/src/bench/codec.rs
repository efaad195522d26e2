//! The codec benchmark: `cargo bench --bench codec` (criterion), then the
//! medians criterion saved for this run, read from its estimates files.

use std::path::Path;
use std::time::SystemTime;

/// The benchmark groups of benches/codec.rs.
pub const GROUPS: &[&str] = &[
    "decode_lamp_state",
    "decode_publish_1k",
    "encode_lamp_state",
    "encode_publish_1k",
];

/// One group's medians in nanoseconds; None where the function was not run.
#[derive(Debug, Clone, PartialEq)]
pub struct CodecRow {
    pub group: String,
    pub lampboard: Option<f64>,
    pub lampboard_owned: Option<f64>,
    pub mqttrs: Option<f64>,
    pub mqttbytes: Option<f64>,
}

/// Criterion's median for one function of one group, only if written at or
/// after `since` (an older file is a previous run's).
pub fn median_ns(dir: &Path, group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(function).join("new/estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// Every group's row from criterion's folder.
pub fn read_rows(dir: &Path, since: SystemTime) -> Vec<CodecRow> {
    GROUPS
        .iter()
        .map(|g| CodecRow {
            group: (*g).to_owned(),
            lampboard: median_ns(dir, g, "lampboard", since),
            lampboard_owned: median_ns(dir, g, "lampboard_owned", since),
            mqttrs: median_ns(dir, g, "mqttrs", since),
            mqttbytes: median_ns(dir, g, "mqttbytes", since),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fresh_medians_and_ignores_missing_or_stale_ones() {
        let dir = std::env::temp_dir().join(format!("xtask-criterion-{}", std::process::id()));
        let write = |group: &str, function: &str, median: f64| {
            let d = dir.join(group).join(function).join("new");
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(
                d.join("estimates.json"),
                format!(
                    r#"{{"mean":{{"point_estimate":1.0}},"median":{{"point_estimate":{median}}}}}"#
                ),
            )
            .unwrap();
        };
        let before = SystemTime::now() - std::time::Duration::from_secs(5);
        write("decode_lamp_state", "lampboard", 41.5);
        write("decode_lamp_state", "mqttrs", 83.0);
        let rows = read_rows(&dir, before);
        let future = SystemTime::now() + std::time::Duration::from_secs(3600);
        let stale = median_ns(&dir, "decode_lamp_state", "lampboard", future);
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(rows.len(), GROUPS.len());
        assert_eq!(rows[0].lampboard, Some(41.5));
        assert_eq!(rows[0].mqttrs, Some(83.0));
        assert_eq!(rows[0].mqttbytes, None);
        assert_eq!(rows[1].lampboard, None);
        assert_eq!(stale, None, "a file older than the run is not this run's");
    }
}
