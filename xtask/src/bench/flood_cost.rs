//! The decisive flood figure: main-thread milliseconds each page spends per 1,000 messages at
//! a few fixed rates (issue 17's goal: at most half the mqtt.js page's). browser-bench reads
//! CDP's `TaskDuration` over each step's window; the page's idle cost over the same time (its
//! rate-0 step of the same ladder, per second) is taken off, so what is left is what the
//! messages cost. Pure, so the arithmetic is tested.

use serde_json::Value;

use super::stats::median;

/// The rates the cost is reported at: low enough that both pages keep up on this machine.
pub const RATES: [f64; 4] = [250.0, 500.0, 1000.0, 2000.0];
/// The app's cost must be at most this fraction of the peer's.
pub const GOAL_RATIO: f64 = 0.5;

/// One ladder's cost per 1,000 messages at `rate`, idle time removed; `None` when the ladder
/// did not reach the rate, sent nothing or has no metrics.
pub fn ladder_cost(steps: &[Value], rate: f64) -> Option<f64> {
    let idle = steps.iter().find(|s| s["rate"].as_f64() == Some(0.0));
    let idle_per_sec =
        idle.and_then(|s| Some(s["main_thread_ms"].as_f64()? / s["window_secs"].as_f64()?));
    let step = steps.iter().find(|s| s["rate"].as_f64() == Some(rate))?;
    let sent = step["sent"].as_f64().filter(|n| *n > 0.0)?;
    let busy = step["main_thread_ms"].as_f64()?;
    let window = step["window_secs"].as_f64().unwrap_or(0.0);
    let own = (busy - idle_per_sec.unwrap_or(0.0) * window).max(0.0);
    Some(own / sent * 1000.0)
}

/// A page's median cost per 1,000 messages at `rate` over its ladders.
pub fn cost(flood: &Value, page: &str, rate: f64) -> Option<f64> {
    let costs: Vec<f64> = flood["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["page"] == page)
        .filter_map(|r| r["steps"].as_array())
        .filter_map(|steps| ladder_cost(steps, rate))
        .collect();
    median(&costs)
}

/// The median over the rates of app ÷ peer, the one figure the goal is judged on.
pub fn overall_ratio(flood: &Value) -> Option<f64> {
    let ratios: Vec<f64> = RATES
        .iter()
        .filter_map(|&r| match (cost(flood, "app", r), cost(flood, "peer", r)) {
            (Some(a), Some(p)) if p > 0.0 => Some(a / p),
            _ => None,
        })
        .collect();
    median(&ratios)
}

/// The table, Markdown.
pub fn render(flood: &Value) -> String {
    let mut o = String::from(
        "### Main-thread cost per 1,000 messages (the decisive flood figure)\n\n\
         CDP `Performance.getMetrics` `TaskDuration` over each step's window (first message to \
         the sentinel's arrival), less the same page's idle cost over as long (its rate-0 step), \
         divided by the messages; median over the ladders.\n\n\
         | rate | Lampboard | mqtt.js peer | Lampboard ÷ peer |\n|---:|---:|---:|---:|\n",
    );
    for rate in RATES {
        let (a, p) = (cost(flood, "app", rate), cost(flood, "peer", rate));
        let show = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.0} ms"));
        let ratio = match (a, p) {
            (Some(a), Some(p)) if p > 0.0 => format!("{:.2}×", a / p),
            _ => "–".into(),
        };
        o.push_str(&format!(
            "| {rate:.0}/s | {} | {} | {ratio} |\n",
            show(a),
            show(p)
        ));
    }
    let verdict = match overall_ratio(flood) {
        Some(r) if r <= GOAL_RATIO => format!("{r:.2}× the peer: goal (≤ {GOAL_RATIO}×) met"),
        Some(r) => format!("{r:.2}× the peer: goal (≤ {GOAL_RATIO}×) **not met**"),
        None => "not measured".into(),
    };
    o.push_str(&format!("\nMedian over the rates: {verdict}.\n\n"));
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(rate: f64, sent: f64, busy_ms: f64, window: f64) -> Value {
        json!({"rate": rate, "sent": sent, "main_thread_ms": busy_ms, "window_secs": window})
    }

    #[test]
    fn idle_time_is_taken_off_before_dividing_by_the_messages() {
        // Idle: 20 ms a second. At 500/s, 1,500 messages in a 3.5 s window took 370 ms:
        // 370 - 70 = 300 ms of message work, 200 ms per 1,000.
        let steps = [step(0.0, 0.0, 60.0, 3.0), step(500.0, 1500.0, 370.0, 3.5)];
        let c = ladder_cost(&steps, 500.0).expect("a cost");
        assert!((c - 200.0).abs() < 1e-9, "{c}");
        assert_eq!(ladder_cost(&steps, 1000.0), None, "rate not reached");
        assert_eq!(
            ladder_cost(&[step(0.0, 0.0, 60.0, 3.0)], 0.0),
            None,
            "nothing sent"
        );
    }

    #[test]
    fn the_ratio_is_the_median_over_rates_of_app_over_peer() {
        let ladder = |page: &str, per_msg: f64| {
            let steps: Vec<Value> = std::iter::once(step(0.0, 0.0, 0.0, 3.0))
                .chain(
                    RATES
                        .iter()
                        .map(|&r| step(r, r * 3.0, r * 3.0 * per_msg, 3.0)),
                )
                .collect();
            json!({"page": page, "steps": steps})
        };
        let flood = json!({"runs": [ladder("app", 0.1), ladder("peer", 0.4), ladder("app", 0.1)]});
        assert!((cost(&flood, "app", 1000.0).unwrap() - 100.0).abs() < 1e-9);
        assert!((overall_ratio(&flood).unwrap() - 0.25).abs() < 1e-9);
        let md = render(&flood);
        assert!(md.contains("| 1000/s | 100 ms | 400 ms | 0.25× |"), "{md}");
        assert!(md.contains("goal (≤ 0.5×) met"), "{md}");
    }
}
