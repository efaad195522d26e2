//! Lampboard's task runner, `cargo xtask <command>`: one place for setup, the
//! dev server, the whole test suite, the size report and the benchmarks, so the README needs
//! two commands and CI runs exactly what a developer runs.

mod bench;
mod broker;
mod dev;
mod nightly;
mod setup;
mod size;
mod steps;
mod test;
mod tools;
mod versions;
mod wasm_opt;
mod workspace;

use std::process::ExitCode;

use steps::Steps;
use workspace::Workspace;

const USAGE: &str = "\
usage: cargo xtask <command>
  setup   install every tool the other commands need (idempotent)
  dev     setup, then serve the app at http://127.0.0.1:8080/
  test    setup, then fmt, clippy (native + wasm32), native tests, browser tests, release build
  size    release build, then every dist file's raw, gzip -9 and brotli size and the
          page's total against its 250 KB gzip -9 budget; --wasm-opt-flags: wasm-opt
          flag sets on that build's wasm-bindgen output, ranked by gzip -9;
          --measure [dir]: the table for an already built dist (default dist/)
  bench   every benchmark (codec, size, start-up, floods, memory, latency) against
          mqtt.js, written to BENCHMARKS.md; --quick for fewer runs";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let ws = Workspace::locate();
    ws.prepare_path();
    let mut steps = Steps::default();
    let result = match command.as_str() {
        "setup" => setup::setup(&ws, &mut steps),
        "dev" => dev::dev(&ws, &mut steps),
        "test" => test::test(&ws, &mut steps),
        "bench" => {
            let quick = std::env::args().skip(2).any(|a| a == "--quick");
            bench::bench(&ws, &mut steps, quick)
        }
        "size" if std::env::args().skip(2).any(|a| a == "--wasm-opt-flags") => {
            steps.run("wasm-opt flags by gzip -9", |_| {
                let rows = wasm_opt::measure(&ws.root.join(wasm_opt::BINDGEN_OUTPUT))?;
                print!("{}", wasm_opt::render(&rows));
                Ok(())
            })
        }
        "size" if std::env::args().nth(2).as_deref() == Some("--measure") => {
            let dir = std::env::args().nth(3).unwrap_or_else(|| "dist".into());
            steps.run("size of a built dist", |_| {
                print!(
                    "{}",
                    size::render(&size::measure_dir(std::path::Path::new(&dir))?)
                );
                Ok(())
            })
        }
        "size" => steps.run("size report", |_| {
            size::build_and_report(&ws.root).map(|_| ())
        }),
        "" | "help" | "-h" | "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => {
            eprintln!("unknown command `{other}`\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    println!();
    for r in &steps.records {
        println!(
            "  {:<44} {:>6} {}",
            r.name,
            if r.ok { "ok" } else { "FAILED" },
            steps::human(r.took)
        );
    }
    let code = match &result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failed) => {
            println!("xtask {command}: {failed}");
            ExitCode::FAILURE
        }
    };
    if command == "test" {
        println!("{}", steps.summary_line());
    }
    code
}
