//! BENCHMARKS.md from one run's raw figures: pure, so what it claims (medians,
//! ratios, budgets met or not) is tested natively on made-up inputs.

use serde_json::Value;

use super::codec::CodecRow;
use super::machine::Machine;
use super::stats::{median, percentile};
use crate::size::FileSize;

/// Budget: the whole app (html, css, js, wasm, service worker) in gzip bytes; the one
/// `cargo xtask size` checks.
use crate::size::PAGE_BUDGET_GZIP as SIZE_BUDGET_GZIP;
/// Budget: navigation to 1,000 lamp cards, ms.
pub const STARTUP_BUDGET_MS: f64 = 250.0;
/// Goal: the app's clean flood rate at least this many times mqtt.js's.
pub const FLOOD_GOAL_RATIO: f64 = 2.0;
/// A main-thread task longer than this fails a flood rate.
pub const LONG_TASK_MS: f64 = 50.0;
/// What 500 lamp messages may take in the explorer's ring (topic, payload and
/// bookkeeping at a generous 256 bytes each): memory may wobble by this much
/// once the ring is full, and must not grow past it.
pub const RING_ALLOWANCE_BYTES: f64 = 500.0 * 256.0;

/// Everything one run measured.
pub struct Inputs<'a> {
    pub machine: &'a Machine,
    pub quick: bool,
    pub codec: &'a [CodecRow],
    pub app_sizes: &'a [FileSize],
    pub peer_sizes: &'a [FileSize],
    pub browser: &'a Value,
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1} ms"))
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

fn duration_text(secs: f64) -> String {
    if secs >= 60.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{secs:.0} s")
    }
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**not met**",
        None => "not measured",
    }
}

use crate::size::page_gzip as app_gzip;

/// Start-up medians (ms): app and peer, DOM time.
pub fn startup_medians(b: &Value) -> (Option<f64>, Option<f64>) {
    (
        median(&nums(&b["startup"]["app"])),
        median(&nums(&b["startup"]["peer"])),
    )
}

/// One flood ladder's results: the highest rate with every message and no long
/// task, and the highest with every message; and whether the ladder's top passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    pub clean: f64,
    pub lossless: f64,
}

fn step_complete(s: &Value) -> bool {
    s["sentinel_arrived"].as_bool() == Some(true)
        && s["sent"].as_u64().is_some()
        && s["received"].as_u64() == s["sent"].as_u64()
}

fn step_clean(s: &Value) -> bool {
    step_complete(s)
        && s["longest_task_ms"]
            .as_f64()
            .is_some_and(|t| t <= LONG_TASK_MS)
}

/// Reads one ladder's steps.
pub fn ladder(steps: &Value) -> Ladder {
    let best = |ok: fn(&Value) -> bool| {
        steps
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| ok(s))
            .filter_map(|s| s["rate"].as_f64())
            .fold(0.0, f64::max)
    };
    Ladder {
        clean: best(step_clean),
        lossless: best(step_complete),
    }
}

/// Messages handled per second in one step: all it received over the time from the
/// first message sent to the last one handled (publishing plus draining).
pub fn throughput(step: &Value) -> Option<f64> {
    let received = step["received"].as_f64()?;
    let secs = step["publish_secs"].as_f64()? + step["drain_secs"].as_f64()?;
    (secs > 0.0).then(|| received / secs)
}

/// The flood goal's verdict, saying why when it cannot be decided (used by the summary
/// and the floods section alike).
fn flood_verdict(fl_app: Option<f64>, flood_met: Option<bool>) -> &'static str {
    match flood_met {
        None if fl_app.is_some_and(|a| a > 0.0) => "both at the top of the ladder: not decided",
        None if fl_app.is_some() => "neither page ran clean: not decided",
        other => verdict(other),
    }
}

/// The flood steps of each of a page's ladders ("app" or "peer").
fn page_ladders<'a>(b: &'a Value, page: &str) -> Vec<&'a [Value]> {
    b["flood"]["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["page"] == page)
        .filter_map(|r| r["steps"].as_array().map(Vec::as_slice))
        .collect()
}

/// Each ladder's step at `rate`, for the ladders that reached it.
fn steps_at<'a>(b: &'a Value, page: &str, rate: f64) -> Vec<&'a Value> {
    page_ladders(b, page)
        .into_iter()
        .filter_map(|steps| steps.iter().find(|s| s["rate"].as_f64() == Some(rate)))
        .collect()
}

/// Median over a page's ladders of each ladder's best throughput.
pub fn throughput_median(b: &Value, page: &str) -> Option<f64> {
    let best: Vec<f64> = page_ladders(b, page)
        .into_iter()
        .filter_map(|steps| steps.iter().filter_map(throughput).reduce(f64::max))
        .collect();
    median(&best)
}

/// A page's idle steps (rate 0), one per ladder.
fn idle_steps<'a>(b: &'a Value, page: &str) -> Vec<&'a Value> {
    steps_at(b, page, 0.0)
}

/// Per page ("app", "peer"): every run's ladder.
pub fn ladders(b: &Value, page: &str) -> Vec<Ladder> {
    b["flood"]["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["page"] == page)
        .map(|r| ladder(&r["steps"]))
        .collect()
}

/// Median clean and lossless rates of a page's ladders.
pub fn flood_medians(b: &Value, page: &str) -> (Option<f64>, Option<f64>) {
    let l = ladders(b, page);
    let clean: Vec<f64> = l.iter().map(|x| x.clean).collect();
    let lossless: Vec<f64> = l.iter().map(|x| x.lossless).collect();
    (median(&clean), median(&lossless))
}

fn rate_text(rate: Option<f64>, top: Option<f64>) -> String {
    match rate {
        None => "–".into(),
        Some(r) if r <= 0.0 => "none (fails at the lowest rate)".into(),
        Some(r) if Some(r) == top => format!("≥ {r:.0}/s (top of the ladder)"),
        Some(r) => format!("{r:.0}/s"),
    }
}

/// What the memory run shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MemorySummary {
    /// JS heap + wasm memory (bytes) at the first sample, the first with a full ring, the last.
    pub start: f64,
    pub ring_full: f64,
    pub end: f64,
    pub peak: f64,
    /// end − ring_full.
    pub growth: f64,
    /// The last half's peak is within the allowance of the first half's (after the ring filled).
    pub plateaued: bool,
    pub samples: usize,
}

fn total(s: &Value) -> Option<f64> {
    Some(s["js"].as_f64()? + s["wasm"].as_f64()?)
}

/// Summarises the samples; None when there are fewer than two with a full ring.
pub fn memory_summary(m: &Value) -> Option<MemorySummary> {
    let ring = m["ring"].as_u64().unwrap_or(500);
    let samples: Vec<&Value> = m["samples"].as_array()?.iter().collect();
    let totals: Vec<f64> = samples.iter().filter_map(|s| total(s)).collect();
    let full: Vec<f64> = samples
        .iter()
        .filter(|s| s["kept"].as_u64() == Some(ring))
        .filter_map(|s| total(s))
        .collect();
    if full.len() < 2 {
        return None;
    }
    let half = full.len() / 2;
    let peak_of = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max);
    let (first, last) = (peak_of(&full[..half.max(1)]), peak_of(&full[half.max(1)..]));
    Some(MemorySummary {
        start: totals[0],
        ring_full: full[0],
        end: *full.last()?,
        peak: peak_of(&totals),
        growth: full.last()? - full[0],
        plateaued: last <= first + RING_ALLOWANCE_BYTES,
        samples: samples.len(),
    })
}

/// p50 and p99 of a page's click latencies.
pub fn latency(b: &Value, page: &str) -> (Option<f64>, Option<f64>, usize, u64) {
    let t = nums(&b["latency"][page]["times"]);
    (
        percentile(&t, 50.0),
        percentile(&t, 99.0),
        t.len(),
        b["latency"][page]["lost"].as_u64().unwrap_or(0),
    )
}

fn size_table(out: &mut String, sizes: &[FileSize]) {
    out.push_str("| file | raw | gzip -9 | brotli |\n|---|---:|---:|---:|\n");
    for f in sizes {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            f.path, f.raw, f.gzip, f.brotli
        ));
    }
    let (raw, gz, br) = crate::size::totals(sizes);
    out.push_str(&format!("| **total** | {raw} | {gz} | {br} |\n\n"));
}

/// The whole BENCHMARKS.md.
pub fn render(i: &Inputs) -> String {
    let b = i.browser;
    let m = i.machine;
    let mut o = String::new();
    o.push_str("# Benchmarks\n\n");
    o.push_str(
        "Written by `cargo xtask bench` from one run: Lampboard's release build and a minimal \
         mqtt.js page (`bench/peer/`, mqtt.js from npm) in the same headless Chromium, against the \
         same broker, in the same run. Figures are medians; every ratio is against the peer \
         measured in this run. The machine is shared with other builds: read small differences \
         as noise. Nothing here is a test; no test asserts a time.\n\n",
    );
    if i.quick {
        o.push_str(
            "> **Quick run** (`--quick`: fewer runs, a short memory run). Not the figures of record.\n\n",
        );
    }
    o.push_str("Rerun: `cargo xtask bench` (about 35 minutes on this machine; `cargo xtask bench --quick` for a rough look in about 8).\n\n");
    o.push_str("## Machine\n\n| | |\n|---|---|\n");
    for (k, v) in [
        ("date", &m.date),
        ("commit", &m.commit),
        ("CPU", &m.cpu),
        ("cores", &m.cores),
        ("RAM", &m.ram),
        ("OS", &m.os),
        ("browser", &m.chromium),
        ("rustc", &m.rustc),
        ("broker", &m.mosquitto),
        ("load average (1 min)", &m.load),
    ] {
        o.push_str(&format!("| {k} | {v} |\n"));
    }

    // Summary.
    let app_gz = app_gzip(i.app_sizes);
    let peer_gz = app_gzip(i.peer_sizes);
    let (st_app, st_peer) = startup_medians(b);
    let (fl_app, fl_app_lossless) = flood_medians(b, "app");
    let (fl_peer, fl_peer_lossless) = flood_medians(b, "peer");
    let top = b["flood"]["rates"]
        .as_array()
        .and_then(|r| r.last())
        .and_then(Value::as_f64);
    let mem = memory_summary(&b["memory"]);
    let (lat_app50, lat_app99, _, _) = latency(b, "app");
    let (lat_peer50, lat_peer99, _, _) = latency(b, "peer");
    let flood_met = match (fl_app, fl_peer) {
        (Some(a), Some(p)) if a > 0.0 && Some(a) == top && Some(p) == top => None,
        (Some(a), Some(p)) if a <= 0.0 && p <= 0.0 => None,
        (Some(a), Some(p)) => Some(a >= FLOOD_GOAL_RATIO * p && a > 0.0),
        _ => None,
    };
    o.push_str("\n## Summary\n\n");
    o.push_str("| benchmark | Lampboard | mqtt.js peer | Lampboard ÷ peer | budget or goal | |\n|---|---:|---:|---:|---|---|\n");
    o.push_str(&format!(
        "| size, gzip -9 (html, css, js, wasm) | {} | {} | {} | ≤ {} | {} |\n",
        kb(app_gz),
        kb(peer_gz),
        ratio(Some(app_gz as f64), Some(peer_gz as f64)),
        kb(SIZE_BUDGET_GZIP),
        verdict((!i.app_sizes.is_empty()).then_some(app_gz <= SIZE_BUDGET_GZIP))
    ));
    o.push_str(&format!(
        "| start-up to {} lamp cards | {} | {} | {} | < {STARTUP_BUDGET_MS:.0} ms | {} |\n",
        b["startup"]["lamps"].as_u64().unwrap_or(1000),
        ms(st_app),
        ms(st_peer),
        ratio(st_app, st_peer),
        verdict(st_app.map(|t| t < STARTUP_BUDGET_MS))
    ));
    let (th_app, th_peer) = (
        median(&nums(&b["startup"]["app_throttled"])),
        median(&nums(&b["startup"]["peer_throttled"])),
    );
    o.push_str(&format!(
        "| start-up, CPU {}× slower (a slow phone) | {} | {} | {} | ≤ 1.0× mqtt.js | {} |\n",
        b["startup"]["throttle"].as_u64().unwrap_or(4),
        ms(th_app),
        ms(th_peer),
        ratio(th_app, th_peer),
        verdict(th_app.zip(th_peer).map(|(a, p)| a <= p)),
    ));
    let (pa_app, pa_peer) = (
        median(&nums(&b["startup"]["app_frame"])),
        median(&nums(&b["startup"]["peer_frame"])),
    );
    o.push_str(&format!(
        "| start-up, painted (after the next frame's layout and paint) | {} | {} | {} | | |\n",
        ms(pa_app),
        ms(pa_peer),
        ratio(pa_app, pa_peer),
    ));
    o.push_str(&format!(
        "| flood: highest rate, every message, no task > {LONG_TASK_MS:.0} ms | {} | {} | {} | ≥ {FLOOD_GOAL_RATIO:.0}× mqtt.js | {} |\n",
        rate_text(fl_app, top),
        rate_text(fl_peer, top),
        ratio(fl_app, fl_peer),
        flood_verdict(fl_app, flood_met)
    ));
    let cost_ratio = super::flood_cost::overall_ratio(&b["flood"]);
    o.push_str(&format!(
        "| flood: main-thread time per 1,000 messages (median over {}) | | | {} | ≤ {}× mqtt.js | {} |\n",
        super::flood_cost::RATES.map(|r| format!("{r:.0}/s")).join(", "),
        cost_ratio.map_or("–".into(), |r| format!("{r:.2}×")),
        super::flood_cost::GOAL_RATIO,
        verdict(cost_ratio.map(|r| r <= super::flood_cost::GOAL_RATIO)),
    ));
    let idle = |page: &str| {
        let v: Vec<f64> = idle_steps(b, page)
            .iter()
            .filter_map(|s| s["longest_task_ms"].as_f64())
            .collect();
        median(&v)
    };
    o.push_str(&format!(
        "| flood: idle page's longest task over a rate's window (the machine's noise) | {} | {} | | | |\n",
        ms(idle("app")),
        ms(idle("peer")),
    ));
    o.push_str(&format!(
        "| flood: highest rate, every message in the end (long tasks allowed) | {} | {} | {} | | |\n",
        rate_text(fl_app_lossless, top),
        rate_text(fl_peer_lossless, top),
        ratio(fl_app_lossless, fl_peer_lossless),
    ));
    let (tp_app, tp_peer) = (throughput_median(b, "app"), throughput_median(b, "peer"));
    let per_s = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.0}/s"));
    o.push_str(&format!(
        "| flood: messages handled per second, best rate (sent ÷ time to the last one handled) | {} | {} | {} | | |\n",
        per_s(tp_app),
        per_s(tp_peer),
        ratio(tp_app, tp_peer),
    ));
    match &mem {
        Some(s) => o.push_str(&format!(
            "| memory growth after the ring filled ({} at {}/s, explorer open) | {:+.1} KB | | | ≤ {:.0} KB (the ring) | {} |\n",
            duration_text(b["memory"]["secs"].as_f64().unwrap_or(0.0)),
            b["memory"]["rate"],
            s.growth / 1000.0,
            RING_ALLOWANCE_BYTES / 1000.0,
            verdict(Some(s.growth <= RING_ALLOWANCE_BYTES && s.plateaued))
        )),
        None => o.push_str("| memory | not measured | | | | |\n"),
    }
    if !b["lighthouse"].is_null() {
        let lh = &b["lighthouse"];
        let (la, lp) = (
            super::lighthouse::medians(lh, "app"),
            super::lighthouse::medians(lh, "peer"),
        );
        o.push_str(&format!(
            "| Lighthouse mobile performance (LCP ≤ peer, CLS < {}) | {} | {} | {} | ≥ {:.0} and ≥ peer | {} |\n",
            super::lighthouse::CLS_GOAL,
            la.performance.map_or("–".into(), |v| format!("{v:.0}")),
            lp.performance.map_or("–".into(), |v| format!("{v:.0}")),
            ratio(la.performance, lp.performance),
            super::lighthouse::PERFORMANCE_GOAL,
            verdict(super::lighthouse::goals_met(&la, &lp)),
        ));
    }
    o.push_str(&format!(
        "| latency p50, click to echo on the card | {} | {} | {} | | |\n",
        ms(lat_app50),
        ms(lat_peer50),
        ratio(lat_app50, lat_peer50)
    ));
    o.push_str(&format!(
        "| latency p99 | {} | {} | {} | | |\n",
        ms(lat_app99),
        ms(lat_peer99),
        ratio(lat_app99, lat_peer99)
    ));

    // Codec.
    o.push_str("\n## Codec (criterion, `cargo bench --bench codec`)\n\n");
    o.push_str(
        "Median time per operation over criterion's samples; ratios are theirs ÷ Lampboard's \
         (above 1: Lampboard is faster). Built with the shipped size profile (`opt-level = \"z\"`).\n\n",
    );
    o.push_str("| benchmark | Lampboard | Lampboard, owned | mqttrs 0.4 | mqttbytes 0.6 | mqttrs ÷ Lampboard | mqttbytes ÷ Lampboard |\n|---|---:|---:|---:|---:|---:|---:|\n");
    let ns = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.1} ns"));
    for r in i.codec {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.group,
            ns(r.lampboard),
            ns(r.lampboard_owned),
            ns(r.mqttrs),
            ns(r.mqttbytes),
            ratio(r.mqttrs, r.lampboard),
            ratio(r.mqttbytes, r.lampboard)
        ));
    }

    // Size.
    o.push_str("\n## Size\n\n");
    o.push_str(&format!(
        "The release dist (`trunk build --release` on the pinned nightly with std rebuilt for \
         size: xtask/src/nightly.rs), every file. The budget counts html, css, js \
         (the service worker too) and wasm: **{}** gzip -9 (budget {}: {}); the icons and the \
         manifest are in the total below but not in the budget. mqtt.js's own bundle is \
         `node_modules/mqtt/dist/mqtt.min.js`.\n\n",
        kb(app_gz),
        kb(SIZE_BUDGET_GZIP),
        verdict((!i.app_sizes.is_empty()).then_some(app_gz <= SIZE_BUDGET_GZIP))
    ));
    o.push_str("### Lampboard (dist/)\n\n");
    size_table(&mut o, i.app_sizes);
    o.push_str("### mqtt.js peer (bench/peer/ + mqtt.min.js + the app's stylesheet)\n\n");
    size_table(&mut o, i.peer_sizes);
    // Measured by hand (toolchain, wasm-opt flags, twiggy): `cargo xtask bench` carries this
    // block over from the BENCHMARKS.md it replaces.
    o.push_str(crate::size::NOTES_START);
    o.push('\n');
    o.push_str(crate::size::NOTES_END);
    o.push_str("\n\n");

    // Start-up.
    let runs = |k: &str| {
        nums(&b["startup"][k])
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    o.push_str("## Start-up\n\n");
    o.push_str(&format!(
        "From navigation start (`performance.timeOrigin`) to {} `article.lamp-card` elements in the \
         page; lampsim holds the lamps retained on rumqttd. Each run is a first visit (no service \
         worker, caches or saved lamps). \"Painted\" is a task queued from the next animation \
         frame, which runs after that frame's style, layout and paint.\n\n",
        b["startup"]["lamps"].as_u64().unwrap_or(1000)
    ));
    o.push_str("| page | runs (ms) | median | median, painted |\n|---|---|---:|---:|\n");
    o.push_str(&format!(
        "| Lampboard | {} | {} | {} |\n",
        runs("app"),
        ms(st_app),
        ms(median(&nums(&b["startup"]["app_frame"])))
    ));
    o.push_str(&format!(
        "| mqtt.js peer | {} | {} | {} |\n\n",
        runs("peer"),
        ms(st_peer),
        ms(median(&nums(&b["startup"]["peer_frame"])))
    ));
    o.push_str(&format!(
        "Lampboard ÷ peer: {}. Budget under {STARTUP_BUDGET_MS:.0} ms: {}.\n\n",
        ratio(st_app, st_peer),
        verdict(st_app.map(|t| t < STARTUP_BUDGET_MS))
    ));

    // Floods.
    o.push_str("## Floods\n\n");
    o.push_str(&format!(
        "Lamp states (QoS 0) to {} lamps at each rate for {} s, published by the bench over TCP to \
         Mosquitto; each page shows its lamp cards. A rate passes when the page counts every message \
         (Lampboard: the explorer's \"received\" count; the peer: its counter) and no main-thread \
         task (PerformanceObserver `longtask`) lasts over {LONG_TASK_MS:.0} ms. A ladder goes up \
         until a rate loses messages or leaves the page over 10 s behind. {} ladders per page.\n\n",
        b["flood"]["lamps"].as_u64().unwrap_or(0),
        b["flood"]["secs"].as_f64().unwrap_or(0.0),
        ladders(b, "app").len()
    ));
    o.push_str("Each cell is the median over the ladders that reached the rate. \"Drain\" is how long the page \
         still worked after the last message was sent (a page that cannot keep up buffers and catches up \
         late); a ladder stops once a page is over 10 s behind.\n\n");
    o.push_str("| rate | Lampboard: runs passed | longest task | lost | drain | peer: runs passed | longest task | lost | drain |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for rate in nums(&b["flood"]["rates"]) {
        let mut row = if rate == 0.0 {
            "| idle (0/s) |".to_owned()
        } else {
            format!("| {rate:.0}/s |")
        };
        for page in ["app", "peer"] {
            let steps = steps_at(b, page, rate);
            let passed = steps.iter().filter(|s| step_clean(s)).count();
            let longest: Vec<f64> = steps
                .iter()
                .filter_map(|s| s["longest_task_ms"].as_f64())
                .collect();
            let lost: Vec<f64> = steps
                .iter()
                .filter_map(|s| Some(s["sent"].as_f64()? - s["received"].as_f64()?))
                .collect();
            let drain: Vec<f64> = steps
                .iter()
                .filter_map(|s| s["drain_secs"].as_f64())
                .collect();
            if steps.is_empty() {
                row.push_str(" not reached | | | |");
            } else {
                row.push_str(&format!(
                    " {passed} of {} | {} | {} | {} |",
                    steps.len(),
                    ms(median(&longest)),
                    median(&lost).map_or("–".into(), |v| format!("{v:.0}")),
                    median(&drain).map_or("–".into(), |v| format!("{v:.1} s"))
                ));
            }
        }
        o.push_str(&row);
        o.push('\n');
    }
    o.push_str(&format!(
        "\nHighest clean rate (median of ladders): Lampboard {}, mqtt.js {}; ratio {}. Goal at least \
         {FLOOD_GOAL_RATIO:.0}× mqtt.js: {}.\n\n",
        rate_text(fl_app, top),
        rate_text(fl_peer, top),
        ratio(fl_app, fl_peer),
        flood_verdict(fl_app, flood_met)
    ));

    // Memory.
    o.push_str(&super::flood_cost::render(&b["flood"]));
    o.push_str("## Memory\n\n");
    o.push_str(&format!(
        "lampsim `--flood {}` on Mosquitto for {} s, Lampboard's explorer open. Every {} s the \
         page's `gc()` runs, then `performance.memory.usedJSHeapSize` (JS) and the wasm module's \
         memory size are read. The explorer's ring holds {} messages.\n\n",
        b["memory"]["rate"], b["memory"]["secs"], b["memory"]["every_secs"], b["memory"]["ring"]
    ));
    o.push_str("| time | JS heap | wasm memory | total | messages received | rows shown |\n|---:|---:|---:|---:|---:|---:|\n");
    for s in b["memory"]["samples"].as_array().into_iter().flatten() {
        let k = |v: &Value| {
            v.as_f64()
                .map_or("–".into(), |v| format!("{:.1} KB", v / 1000.0))
        };
        o.push_str(&format!(
            "| {:.0} s | {} | {} | {} | {} | {} |\n",
            s["t_s"].as_f64().unwrap_or(0.0),
            k(&s["js"]),
            k(&s["wasm"]),
            total(s).map_or("–".into(), |v| format!("{:.1} KB", v / 1000.0)),
            s["received"],
            s["rows"]
        ));
    }
    match &mem {
        Some(s) => o.push_str(&format!(
            "\nStart {:.1} KB, once the ring was full {:.1} KB, end {:.1} KB, peak {:.1} KB over {} \
             samples. Growth after the ring filled: {:+.1} KB (allowed: {:.0} KB, what the ring's \
             messages may take). Plateaued: {}. Verdict: {}.\n\n",
            s.start / 1000.0,
            s.ring_full / 1000.0,
            s.end / 1000.0,
            s.peak / 1000.0,
            s.samples,
            s.growth / 1000.0,
            RING_ALLOWANCE_BYTES / 1000.0,
            if s.plateaued { "yes" } else { "no" },
            verdict(Some(s.growth <= RING_ALLOWANCE_BYTES && s.plateaued))
        )),
        None => o.push_str("\nToo few samples with a full ring to judge.\n\n"),
    }

    // Latency.
    o.push_str("## Latency\n\n");
    o.push_str(&format!(
        "{} clicks per page on the switch of `{}` (a seed lamp: its command topic is its state \
         topic), one at a time with 30 ms between them, each timed in the page from \
         `element.click()` until the card's `data-confirmed` changes, which happens only when the \
         broker's echo of the retained write is applied (never on the optimistic update). \
         Mosquitto; lampsim runs the house. QoS 1 publish, as the app does by default.\n\n",
        b["latency"]["clicks"],
        b["latency"]["lamp"].as_str().unwrap_or("?")
    ));
    o.push_str("| page | echoes | lost | p50 | p99 |\n|---|---:|---:|---:|---:|\n");
    for (name, page) in [("Lampboard", "app"), ("mqtt.js peer", "peer")] {
        let (p50, p99, n, lost) = latency(b, page);
        o.push_str(&format!(
            "| {name} | {n} | {lost} | {} | {} |\n",
            ms(p50),
            ms(p99)
        ));
    }
    o.push_str(&format!(
        "\nLampboard ÷ peer: p50 {}, p99 {}.\n\n",
        ratio(lat_app50, lat_peer50),
        ratio(lat_app99, lat_peer99)
    ));

    if !b["lighthouse"].is_null() {
        o.push_str(&super::lighthouse::render(&b["lighthouse"]));
    }

    o.push_str(NOTES);
    o
}

/// How each figure is taken, and why, for whoever reruns or doubts them.
const NOTES: &str = "## How it is measured, and why\n\n\
- One `cargo xtask bench`: criterion first, then `trunk build --release` (on the pinned nightly, \
  as CI builds it), the size tables, then \
  `browser-bench` (e2e/src/bin/browser-bench/) drives chromedriver and headless Chromium \
  (`--enable-precise-memory-info --js-flags=--expose-gc`) and prints raw samples as JSON \
  (kept in `target/bench/browser.json`); xtask computes medians, percentiles and ratios.\n\
- The peer is plain static files: `bench/peer/index.html` and `peer.js` with \
  `node_modules/mqtt/dist/mqtt.min.js` (npm `mqtt`, a dev dependency). It subscribes to the app's \
  lamp filter `smarthome/+/lamps/#`, builds the app's card markup (the same elements and classes: \
  switch, brightness slider and value, colour input, ten presets, glow) in a `section.room` per \
  room with the app's own stylesheet, so both pages pay the same style and layout cost; it parses \
  each JSON state, updates the card, counts messages, and publishes a whole seed state (retained, \
  QoS 1) on a click. What differs is what is measured: the MQTT client and the code around it, \
  and one choice of Lampboard's own: it builds a card's controls (sliders, colour input, presets) \
  only when the card comes within a screen of the viewport (`src/ui/nearby.rs`), so at start-up \
  most of its 1,000 cards are headers, while the peer builds every card in full. Before that \
  change, start-up on this machine measured 404 ms (peer 178 ms in the same run).\n\
- Start-up uses rumqttd (lampsim `--lamps 1000`): Mosquitto 2.0's default \
  `max_queued_messages 1000` drops retained messages past about a thousand when a WebSocket \
  client subscribes, so neither page ever showed all 1,000 lamps there. The timer is a \
  MutationObserver installed through CDP (`Page.addScriptToEvaluateOnNewDocument`) before any \
  page script, so nothing polls the page from outside while it starts.\n\
- Floods are published by the bench itself (rumqttc), a known number per rate, so the count to \
  reach is exact; lampsim's `--flood` runs without end and is used for the memory run. After each \
  rate one more message switches a sentinel lamp; one connection's messages stay in order, so when \
  the sentinel card shows it, every flood message before it was handled or lost. Only then are the \
  long tasks and the count read. Lampboard's count is in the explorer, so the bench opens the \
  Messages tab after each rate (and the Lamps tab again before the next); that work falls outside \
  the rate's window.\n\
- Memory is sampled after a forced garbage collection, so the JS figure is live data. The wasm \
  memory never shrinks, so a leak there shows as steps up.\n\
- Latency needs a DOM change made only by the echo: the card's `data-confirmed` attribute (the \
  broker's last `state`, not the optimistic one) exists for this benchmark; the peer's cards have \
  the same attribute.\n";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(rate: u32, sent: u64, received: u64, longest: f64) -> Value {
        json!({"rate": rate, "sent": sent, "received": received, "longest_task_ms": longest, "sentinel_arrived": true})
    }

    #[test]
    fn a_ladder_reports_its_highest_clean_and_lossless_rates() {
        let steps = json!([
            step(250, 750, 750, 10.0),
            step(500, 1500, 1500, 80.0),
            step(1000, 3000, 3000, 20.0),
            step(2000, 6000, 5990, 20.0),
        ]);
        assert_eq!(
            ladder(&steps),
            Ladder {
                clean: 1000.0,
                lossless: 1000.0
            }
        );
        let none = json!([step(250, 750, 749, 10.0)]);
        assert_eq!(ladder(&none).clean, 0.0);
        let mut lost_sentinel = step(250, 750, 750, 10.0);
        lost_sentinel["sentinel_arrived"] = json!(false);
        assert_eq!(ladder(&json!([lost_sentinel])).lossless, 0.0);
    }

    #[test]
    fn throughput_counts_the_time_to_drain_the_backlog() {
        let mut fast = step(1000, 3000, 3000, 1.0);
        fast["publish_secs"] = json!(3.0);
        fast["drain_secs"] = json!(0.0);
        let mut slow = step(8000, 24_000, 24_000, 400.0);
        slow["publish_secs"] = json!(3.0);
        slow["drain_secs"] = json!(9.0);
        assert_eq!(throughput(&fast), Some(1000.0));
        assert_eq!(throughput(&slow), Some(2000.0));
        assert_eq!(throughput(&step(250, 1, 1, 1.0)), None);
        let b = json!({"flood": {"runs": [{"page": "app", "steps": [fast, slow]}]}});
        assert_eq!(throughput_median(&b, "app"), Some(2000.0));
        assert_eq!(throughput_median(&b, "peer"), None);
    }

    #[test]
    fn no_clean_rate_on_either_page_decides_nothing_and_the_idle_noise_is_shown() {
        let b = json!({
            "flood": {"rates": [0, 250], "secs": 3, "lamps": 100, "runs": [
                {"page": "app", "steps": [step(0, 0, 0, 70.0), step(250, 1, 1, 90.0)]},
                {"page": "peer", "steps": [step(0, 0, 0, 60.0), step(250, 1, 1, 80.0)]}]},
        });
        let text = render(&Inputs {
            machine: &Machine::default(),
            quick: true,
            codec: &[],
            app_sizes: &[],
            peer_sizes: &[],
            browser: &b,
        });
        assert!(
            text.contains("neither page ran clean: not decided"),
            "{text}"
        );
        assert!(!text.contains("| ≥ 2× mqtt.js | **not met**"), "{text}");
        assert!(
            text.contains("(the machine's noise) | 70.0 ms | 60.0 ms |"),
            "{text}"
        );
        assert!(text.contains("| idle (0/s) | 0 of 1 | 70.0 ms |"), "{text}");
        assert!(text.contains("Quick run"));
    }

    #[test]
    fn flood_medians_are_per_page() {
        let b = json!({"flood": {"rates": [250, 500], "runs": [
            {"page": "app", "steps": [step(250, 1, 1, 1.0), step(500, 1, 1, 1.0)]},
            {"page": "app", "steps": [step(250, 1, 1, 1.0), step(500, 1, 1, 99.0)]},
            {"page": "app", "steps": [step(250, 1, 1, 1.0), step(500, 1, 1, 1.0)]},
            {"page": "peer", "steps": [step(250, 1, 1, 1.0), step(500, 1, 0, 1.0)]},
        ]}});
        assert_eq!(flood_medians(&b, "app"), (Some(500.0), Some(500.0)));
        assert_eq!(flood_medians(&b, "peer"), (Some(250.0), Some(250.0)));
    }

    fn sample(t: f64, js: f64, wasm: f64, kept: u64) -> Value {
        json!({"t_s": t, "js": js, "wasm": wasm, "kept": kept, "received": 1, "rows": kept})
    }

    #[test]
    fn memory_that_levels_off_plateaus_and_memory_that_climbs_does_not() {
        let flat = json!({"ring": 500, "samples": [
            sample(0.0, 1.0e6, 1.0e6, 100),
            sample(30.0, 1.5e6, 2.0e6, 500),
            sample(60.0, 1.52e6, 2.0e6, 500),
            sample(90.0, 1.49e6, 2.0e6, 500),
            sample(120.0, 1.51e6, 2.0e6, 500),
        ]});
        let s = memory_summary(&flat).unwrap();
        assert!(s.plateaued);
        assert_eq!(s.start, 2.0e6);
        assert_eq!(s.ring_full, 3.5e6);
        assert!((s.growth - 10_000.0).abs() < 1e-6);
        assert_eq!(s.peak, 3.52e6);
        let climbing = json!({"ring": 500, "samples": [
            sample(30.0, 1.5e6, 2.0e6, 500),
            sample(60.0, 1.5e6, 2.5e6, 500),
            sample(90.0, 1.5e6, 3.0e6, 500),
            sample(120.0, 1.5e6, 3.5e6, 500),
        ]});
        let s = memory_summary(&climbing).unwrap();
        assert!(!s.plateaued);
        assert!(s.growth > RING_ALLOWANCE_BYTES);
        assert_eq!(
            memory_summary(&json!({"samples": [sample(0.0, 1.0, 1.0, 500)]})),
            None
        );
    }

    #[test]
    fn app_files_are_what_the_budget_names() {
        let f = |p: &str, gzip| FileSize {
            path: p.into(),
            raw: 0,
            gzip,
            brotli: 0,
        };
        let sizes = [
            f("index.html", 1),
            f("app-1.js", 10),
            f("app-1_bg.wasm", 100),
            f("sw.js", 1000),
            f("style-1.css", 10_000),
            f("icon-512.png", 99_999),
            f("manifest.webmanifest", 99_999),
        ];
        assert_eq!(app_gzip(&sizes), 11_111);
    }

    #[test]
    fn the_report_states_medians_ratios_and_budgets() {
        let browser = json!({
            "startup": {"lamps": 1000, "app": [300.0, 100.0, 200.0], "peer": [50.0, 60.0, 40.0], "app_frame": [], "peer_frame": []},
            "flood": {"rates": [250, 500], "secs": 3, "lamps": 100, "runs": [
                {"page": "app", "steps": [step(250, 1, 1, 1.0), step(500, 1, 1, 1.0)]},
                {"page": "peer", "steps": [step(250, 1, 1, 1.0), step(500, 1, 0, 1.0)]}]},
            "latency": {"clicks": 3, "lamp": "smarthome/kitchen/lamps/ceiling",
                "app": {"times": [1.0, 2.0, 3.0], "lost": 0}, "peer": {"times": [2.0, 4.0, 6.0], "lost": 1}},
            "memory": {"rate": 200, "secs": 600, "every_secs": 30, "ring": 500, "samples": []}
        });
        let machine = Machine {
            cpu: "Test CPU".into(),
            ..Machine::default()
        };
        let sizes = [FileSize {
            path: "app.wasm".into(),
            raw: 200_000,
            gzip: 90_000,
            brotli: 80_000,
        }];
        let peer = [FileSize {
            path: "mqtt.min.js".into(),
            raw: 342_341,
            gzip: 105_039,
            brotli: 90_000,
        }];
        let text = render(&Inputs {
            machine: &machine,
            quick: false,
            codec: &[],
            app_sizes: &sizes,
            peer_sizes: &peer,
            browser: &browser,
        });
        assert!(text.contains("| CPU | Test CPU |"));
        assert!(text.contains("| size, gzip -9 (html, css, js, wasm) | 90.0 KB | 105.0 KB | 0.86× | ≤ 250.0 KB | met |"), "{text}");
        // The hand-measured size notes have their (empty) block for the next run to keep.
        assert!(
            text.contains(&format!(
                "{}\n{}\n",
                crate::size::NOTES_START,
                crate::size::NOTES_END
            )),
            "{text}"
        );
        assert!(
            text.contains(
                "| start-up to 1000 lamp cards | 200.0 ms | 50.0 ms | 4.00× | < 250 ms | met |"
            ),
            "{text}"
        );
        assert!(
            text.contains("≥ 500/s (top of the ladder) | 250/s | 2.00× | ≥ 2× mqtt.js | met |"),
            "{text}"
        );
        assert!(
            text.contains("| Lampboard | 3 | 0 | 2.0 ms | 3.0 ms |"),
            "{text}"
        );
        assert!(
            text.contains("| mqtt.js peer | 3 | 1 | 4.0 ms | 6.0 ms |"),
            "{text}"
        );
        assert!(text.contains("Too few samples with a full ring"));
        assert!(!text.contains("Quick run"));
    }
}
