//! `cargo xtask size --wasm-opt-flags`: the wasm-opt flag sets index.html could pass, each run
//! on the same wasm-bindgen output, judged by gzip -9 (what a phone downloads), not raw size:
//! plain `-Oz` makes the smallest raw file but not the smallest download. One release build
//! gives the input (trunk keeps wasm-bindgen's output in target/wasm-bindgen/release/), so
//! comparing flags costs wasm-opt runs, not rebuilds.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::size::gzip_len;

/// Where trunk leaves wasm-bindgen's output of the release build: wasm-opt's input.
pub const BINDGEN_OUTPUT: &str = "target/wasm-bindgen/release/lampboard_bg.wasm";

/// The flags trunk passes after `-O<level>` (`data-wasm-opt-params` in index.html) in the
/// combined variants.
pub const TUNED: &[&str] = &[
    "--skip-pass=local-cse",
    "-ocimfs",
    "0",
    "--reorder-functions-by-name",
    "--strip-producers",
    "--strip-debug",
];

/// One flag set: a name for the table and wasm-opt's arguments (empty: wasm-opt not run).
pub struct Variant {
    pub name: String,
    pub args: Vec<String>,
}

/// Every variant measured, in the table's order. The second is the fair baseline: no
/// optimisation, only wasm-bindgen's function names (half the raw file) stripped, as every
/// optimised variant strips them too.
pub fn variants() -> Vec<Variant> {
    let v = |name: &str, args: &[&str]| Variant {
        name: name.to_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
    };
    let tuned = |level: &str| {
        let mut args = vec![level];
        args.extend_from_slice(TUNED);
        v(&format!("{level} {}", TUNED.join(" ")), &args)
    };
    vec![
        v("no wasm-opt", &[]),
        v(
            "--strip-debug --strip-producers",
            &["--strip-debug", "--strip-producers"],
        ),
        v("-Oz", &["-Oz"]),
        v("-Os", &["-Os"]),
        v("-O2", &["-O2"]),
        v(
            "-Oz --skip-pass=local-cse",
            &["-Oz", "--skip-pass=local-cse"],
        ),
        v("-Oz -ocimfs 0", &["-Oz", "-ocimfs", "0"]),
        v(
            "-Oz --reorder-functions-by-name",
            &["-Oz", "--reorder-functions-by-name"],
        ),
        v(
            "-Oz --strip-producers --strip-debug",
            &["-Oz", "--strip-producers", "--strip-debug"],
        ),
        tuned("-Oz"),
        tuned("-Os"),
        tuned("-O2"),
    ]
}

/// A variant's result in bytes.
pub struct Measured {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
}

/// Runs every variant on `input` (wasm-opt from PATH: node_modules' binaryen 132 first).
pub fn measure(input: &Path) -> Result<Vec<Measured>, String> {
    let original = std::fs::read(input).map_err(|e| {
        format!(
            "{}: {e} (run `cargo xtask size` first: the release build leaves it there)",
            input.display()
        )
    })?;
    let out: PathBuf =
        std::env::temp_dir().join(format!("xtask-wasm-opt-{}.wasm", std::process::id()));
    let mut rows = Vec::new();
    for variant in variants() {
        let bytes = if variant.args.is_empty() {
            original.clone()
        } else {
            let shown = format!("wasm-opt {}", variant.args.join(" "));
            println!("    $ {shown}");
            let status = Command::new("wasm-opt")
                .args(&variant.args)
                .arg(input)
                .arg("-o")
                .arg(&out)
                .status()
                .map_err(|e| format!("could not start wasm-opt: {e}"))?;
            if !status.success() {
                return Err(format!("`{shown}` exited with {status}"));
            }
            std::fs::read(&out).map_err(|e| format!("{}: {e}", out.display()))?
        };
        let row = Measured {
            name: variant.name,
            raw: bytes.len(),
            gzip: gzip_len(&bytes),
        };
        println!("      raw {} gzip -9 {}", row.raw, row.gzip);
        rows.push(row);
    }
    let _ = std::fs::remove_file(&out);
    Ok(rows)
}

/// The comparison as a Markdown table, smallest gzip first, with each row's difference from
/// the smallest.
pub fn render(rows: &[Measured]) -> String {
    let mut sorted: Vec<&Measured> = rows.iter().collect();
    sorted.sort_by_key(|r| r.gzip);
    let best = sorted.first().map_or(0, |r| r.gzip);
    let mut s = String::from(
        "| wasm-opt flags | raw | gzip -9 | vs smallest gzip |\n|---|---:|---:|---:|\n",
    );
    for r in sorted {
        s.push_str(&format!(
            "| `{}` | {} | {} | +{:.1} KB |\n",
            r.name,
            r.raw,
            r.gzip,
            (r.gzip - best) as f64 / 1000.0
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_starts_with_an_optimisation_level_except_the_baselines() {
        let all = variants();
        assert_eq!(all[0].name, "no wasm-opt");
        assert!(all[0].args.is_empty());
        assert!(all[1].args.iter().all(|a| a.starts_with("--strip")));
        for v in &all[2..] {
            assert!(v.args[0].starts_with("-O"), "{}", v.name);
            assert_eq!(
                v.name.split_whitespace().count(),
                v.args.len(),
                "{}",
                v.name
            );
        }
        let names: Vec<&str> = all.iter().map(|v| v.name.as_str()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }

    #[test]
    fn the_table_ranks_by_gzip_not_raw() {
        let rows = [
            Measured {
                name: "-Oz".into(),
                raw: 100_000,
                gzip: 60_000,
            },
            Measured {
                name: "-Oz tuned".into(),
                raw: 110_000,
                gzip: 50_000,
            },
        ];
        let table = render(&rows);
        let tuned = table.find("`-Oz tuned`").unwrap();
        let plain = table.find("`-Oz`").unwrap();
        assert!(tuned < plain, "{table}");
        assert!(
            table.contains("| `-Oz` | 100000 | 60000 | +10.0 KB |"),
            "{table}"
        );
        assert!(
            table.contains("| `-Oz tuned` | 110000 | 50000 | +0.0 KB |"),
            "{table}"
        );
    }
}
