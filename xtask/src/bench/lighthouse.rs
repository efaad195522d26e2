//! The Lighthouse part of BENCHMARKS.md: medians of each page's runs (performance, LCP, TBT,
//! CLS, bytes), the ratio against the mqtt.js page and the goals of issue 17 (performance at
//! least 95 and at least the peer's, LCP at most the peer's, CLS under 0.05). Pure, so the
//! verdicts are tested like any other logic.

use serde_json::Value;

use super::stats::median;

/// Performance score the app must reach on Lighthouse's mobile preset.
pub const PERFORMANCE_GOAL: f64 = 95.0;
/// Cumulative layout shift the app must stay under.
pub const CLS_GOAL: f64 = 0.05;

/// One page's medians over its runs; `None` where no run gave the figure.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Medians {
    /// How many runs gave a report.
    pub runs: usize,
    /// Performance score, 0-100.
    pub performance: Option<f64>,
    /// Accessibility score, 0-100.
    pub accessibility: Option<f64>,
    /// Largest Contentful Paint, ms.
    pub lcp_ms: Option<f64>,
    /// Total Blocking Time, ms.
    pub tbt_ms: Option<f64>,
    /// Cumulative Layout Shift.
    pub cls: Option<f64>,
    /// Bytes transferred.
    pub bytes: Option<f64>,
}

/// The medians of `section[page]`, a list of browser-bench's per-run figures.
pub fn medians(section: &Value, page: &str) -> Medians {
    let runs = section[page].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let of = |key: &str| {
        let v: Vec<f64> = runs.iter().filter_map(|r| r[key].as_f64()).collect();
        median(&v)
    };
    Medians {
        runs: runs.len(),
        performance: of("performance"),
        accessibility: of("accessibility"),
        lcp_ms: of("lcp_ms"),
        tbt_ms: of("tbt_ms"),
        cls: of("cls"),
        bytes: of("bytes"),
    }
}

/// Whether the app meets the goals against the peer: `None` when a figure is missing.
pub fn goals_met(app: &Medians, peer: &Medians) -> Option<bool> {
    let (perf, peer_perf) = (app.performance?, peer.performance?);
    let (lcp, peer_lcp) = (app.lcp_ms?, peer.lcp_ms?);
    let cls = app.cls?;
    Some(perf >= PERFORMANCE_GOAL && perf >= peer_perf && lcp <= peer_lcp && cls < CLS_GOAL)
}

/// One table row: name, app, peer, unit, decimals, goal.
type Row = (
    &'static str,
    Option<f64>,
    Option<f64>,
    &'static str,
    usize,
    String,
);

fn cell(v: Option<f64>, unit: &str, digits: usize) -> String {
    v.map_or("–".into(), |v| format!("{v:.digits$}{unit}"))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

/// The section, Markdown.
pub fn render(section: &Value) -> String {
    let mut o = String::from("## Lighthouse (mobile preset)\n\n");
    if let Some(e) = section["error"].as_str() {
        o.push_str(&format!("Not measured: {e}.\n\n"));
        return o;
    }
    let (app, peer) = (medians(section, "app"), medians(section, "peer"));
    o.push_str(&format!(
        "Lighthouse 12.2.3 (npm, pinned: newer needs Node 22), its default mobile preset \
         (simulated slow 4G, 4x CPU slowdown, a Moto G-class screen), performance and \
         accessibility, on each page served gzipped from loopback with lampsim's house on \
         Mosquitto; {} run(s) of the app and {} of the peer, alternating; medians. A fresh \
         profile every run (a first visit).\n\n",
        app.runs, peer.runs
    ));
    o.push_str(
        "| | Lampboard | mqtt.js peer | Lampboard ÷ peer | goal |\n|---|---:|---:|---:|---|\n",
    );
    let rows: [Row; 6] = [
        (
            "performance",
            app.performance,
            peer.performance,
            "",
            0,
            format!("≥ {PERFORMANCE_GOAL:.0} and ≥ peer"),
        ),
        (
            "Largest Contentful Paint",
            app.lcp_ms,
            peer.lcp_ms,
            " ms",
            0,
            "≤ peer".into(),
        ),
        (
            "Total Blocking Time",
            app.tbt_ms,
            peer.tbt_ms,
            " ms",
            0,
            String::new(),
        ),
        (
            "Cumulative Layout Shift",
            app.cls,
            peer.cls,
            "",
            3,
            format!("< {CLS_GOAL}"),
        ),
        (
            "bytes transferred",
            app.bytes.map(|b| b / 1000.0),
            peer.bytes.map(|b| b / 1000.0),
            " KB",
            1,
            String::new(),
        ),
        (
            "accessibility",
            app.accessibility,
            peer.accessibility,
            "",
            0,
            String::new(),
        ),
    ];
    for (name, a, p, unit, digits, goal) in rows {
        o.push_str(&format!(
            "| {name} | {} | {} | {} | {goal} |\n",
            cell(a, unit, digits),
            cell(p, unit, digits),
            ratio(a, p)
        ));
    }
    let verdict = match goals_met(&app, &peer) {
        Some(true) => "met",
        Some(false) => "**not met**",
        None => "not measured",
    };
    o.push_str(&format!("\nGoals: {verdict}.\n"));
    if let Some(errors) = section["errors"].as_array().filter(|e| !e.is_empty()) {
        o.push_str("\nRuns that gave no report:\n");
        for e in errors.iter().filter_map(Value::as_str) {
            o.push_str(&format!("- {e}\n"));
        }
    }
    o.push('\n');
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(perf: f64, lcp: f64, cls: f64) -> Value {
        json!({"performance": perf, "accessibility": 100.0, "lcp_ms": lcp, "tbt_ms": 10.0,
               "cls": cls, "bytes": 200000.0})
    }

    #[test]
    fn medians_are_per_page_and_goals_need_every_figure() {
        let section = json!({
            "app": [run(96.0, 900.0, 0.01), run(90.0, 1500.0, 0.2), run(97.0, 1000.0, 0.0)],
            "peer": [run(94.0, 1200.0, 0.0), run(95.0, 1100.0, 0.0)],
        });
        let (app, peer) = (medians(&section, "app"), medians(&section, "peer"));
        assert_eq!(app.runs, 3);
        assert_eq!(app.performance, Some(96.0));
        assert_eq!(app.lcp_ms, Some(1000.0));
        assert_eq!(app.cls, Some(0.01));
        assert_eq!(peer.performance, Some(94.5));
        assert_eq!(goals_met(&app, &peer), Some(true));
        let slow = Medians {
            lcp_ms: Some(1300.0),
            ..app
        };
        assert_eq!(goals_met(&slow, &peer), Some(false), "LCP above the peer's");
        let shifty = Medians {
            cls: Some(0.06),
            ..app
        };
        assert_eq!(
            goals_met(&shifty, &peer),
            Some(false),
            "CLS at the goal or above"
        );
        assert_eq!(goals_met(&app, &Medians::default()), None);
    }

    #[test]
    fn the_section_states_figures_ratios_and_why_not_measured() {
        let section = json!({"app": [run(80.0, 2000.0, 0.1)], "peer": [run(98.0, 1000.0, 0.0)],
                             "errors": ["peer run 1: lighthouse exited with 1"]});
        let md = render(&section);
        assert!(md.contains("| performance | 80 | 98 | 0.82× |"), "{md}");
        assert!(
            md.contains("| Largest Contentful Paint | 2000 ms | 1000 ms | 2.00× |"),
            "{md}"
        );
        assert!(md.contains("Goals: **not met**"), "{md}");
        assert!(md.contains("peer run 1: lighthouse exited with 1"), "{md}");
        let none = render(&json!({"error": "port 9001 is taken"}));
        assert!(none.contains("Not measured: port 9001 is taken."), "{none}");
    }
}
