//! `cargo xtask bench`: every benchmark in one run, written to BENCHMARKS.md.
//!
//! The codec (criterion), the release dist's size, then the browser half
//! (`browser-bench` in the e2e crate: start-up, floods, latency, memory in
//! headless Chromium, Lampboard next to an mqtt.js page). Raw figures come
//! back as files; the statistics and the verdicts are computed here, in pure
//! functions (`report`), so they are tested like any other logic. No test
//! ever times anything: this command is the only place figures are judged.

mod codec;
mod flood_cost;
mod lighthouse;
mod machine;
mod report;
mod stats;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::setup::setup;
use crate::size::{brotli_len, gzip_len, measure_dir, FileSize};
use crate::steps::build_release;
use crate::steps::{run, StepFailed, Steps};
use crate::workspace::Workspace;

/// Where the raw results are kept next to the report.
const BROWSER_JSON: &str = "target/bench/browser.json";

/// Runs everything and writes BENCHMARKS.md. `quick`: fewer runs and a short
/// memory run, for development; the default is the run of record.
pub fn bench(ws: &Workspace, steps: &mut Steps, quick: bool) -> Result<(), StepFailed> {
    setup(ws, steps)?;
    // The commit and date of what is measured, before anything can change them.
    let mut machine = machine::gather();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = SystemTime::now();
    steps.run("codec benchmark (criterion)", |_| {
        let mut cmd = Command::new(&cargo);
        cmd.args(["bench", "-p", "lampboard", "--bench", "codec"]);
        if quick {
            cmd.args(["--", "--warm-up-time", "1", "--measurement-time", "1"]);
        }
        run(&mut cmd)
    })?;
    let codec = codec::read_rows(&criterion_dir(&ws.root), started);
    build_release(steps, &cargo)?;
    let app_sizes = steps.run("size of dist/", |_| measure_dir(&ws.root.join("dist")))?;
    let peer_sizes = steps.run("size of the mqtt.js peer", |_| {
        // The peer borrows the app's stylesheet: counted on both sides.
        let css = app_sizes
            .iter()
            .find(|f| f.path.ends_with(".css"))
            .map(|f| ws.root.join("dist").join(&f.path))
            .ok_or("no stylesheet in dist/")?;
        measure_files(&[
            ws.root.join("bench/peer/index.html"),
            ws.root.join("bench/peer/peer.js"),
            ws.root.join("node_modules/mqtt/dist/mqtt.min.js"),
            css,
        ])
    })?;
    let out = ws.root.join(BROWSER_JSON);
    steps.run("browser benchmarks (headless Chromium)", |_| {
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let _ = std::fs::remove_file(&out);
        let mut cmd = Command::new(&cargo);
        cmd.args(["run", "-p", "e2e", "--bin", "browser-bench", "--"]);
        if quick {
            cmd.arg("--quick");
        }
        cmd.arg("--out").arg(&out);
        run(&mut cmd)
    })?;
    steps.run("BENCHMARKS.md", |_| {
        let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        let browser: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", out.display()))?;
        machine.load = format!(
            "{} at the start, {} at the end",
            machine.load,
            machine::load_now()
        );
        let md = report::render(&report::Inputs {
            machine: &machine,
            quick,
            codec: &codec,
            app_sizes: &app_sizes,
            peer_sizes: &peer_sizes,
            browser: &browser,
        });
        let path = ws.root.join("BENCHMARKS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let md = crate::size::carry_notes(&old, &md);
        std::fs::write(&path, md).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("    wrote {}", path.display());
        Ok(())
    })
}

/// criterion's output folder, resolved as criterion does.
fn criterion_dir(root: &Path) -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("criterion")
}

/// Sizes of named files (the peer is not one folder).
fn measure_files(files: &[PathBuf]) -> Result<Vec<FileSize>, String> {
    files
        .iter()
        .map(|file| {
            let bytes = std::fs::read(file)
                .map_err(|e| format!("{}: {e} (npm ci installs mqtt.js)", file.display()))?;
            Ok(FileSize {
                path: file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                raw: bytes.len(),
                gzip: gzip_len(&bytes),
                brotli: brotli_len(&bytes),
            })
        })
        .collect()
}
