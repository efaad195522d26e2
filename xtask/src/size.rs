//! `cargo xtask size`: what a phone downloads, per file, raw, gzip -9 and brotli, and the
//! page (html, css, js, the service worker, wasm) against its gzip -9 budget.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::steps::run;

/// Budget of the page a phone loads first (html, css, js with the service worker, wasm), in
/// gzip -9 bytes: issue 17's 250 KB, what keeps a first load on slow 4G near two seconds.
pub const PAGE_BUDGET_GZIP: usize = 250_000;

/// Whether a dist file is part of the page the budget counts: html, css, js (the service
/// worker too) and wasm. Icons and the manifest load later or only on install, and modules
/// the app fetches on first need (Home Assistant's template engine) are not the first load.
pub fn is_page_file(path: &str) -> bool {
    !is_on_demand(path)
        && [".html", ".css", ".js", ".wasm"]
            .iter()
            .any(|ext| path.ends_with(ext))
}

/// Whether a dist file is fetched only when needed: Home Assistant's template engine
/// (`templates-<hash>/`, scripts/template-module.mjs), loaded when a light with templates is
/// discovered, and the chunks of the views not on the first screen (`split-<hash>/*.wasm`,
/// scripts/split-wasm.mjs), loaded when one first opens. The chunks' loader
/// (`split-<hash>/__wasm_split.js`) is imported by the app's glue at start: the page.
pub fn is_on_demand(path: &str) -> bool {
    path.starts_with("templates-") || (path.starts_with("split-") && path.ends_with(".wasm"))
}

/// gzip -9 bytes of the files the budget counts.
pub fn page_gzip(sizes: &[FileSize]) -> usize {
    sizes
        .iter()
        .filter(|f| is_page_file(&f.path))
        .map(|f| f.gzip)
        .sum()
}

/// One file of the release dist and its sizes in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSize {
    pub path: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// Builds the release dist as CI does (trunk on the pinned nightly), then reports its sizes.
pub fn build_and_report(root: &Path) -> Result<Vec<FileSize>, String> {
    run(&mut crate::nightly::trunk_release(
        &crate::nightly::toolchain()?,
    ))?;
    let sizes = measure_dir(&root.join("dist"))?;
    print!("{}", render(&sizes));
    Ok(sizes)
}

/// Sizes of every file under `dir`, sorted by path.
pub fn measure_dir(dir: &Path) -> Result<Vec<FileSize>, String> {
    let mut files = Vec::new();
    collect(dir, &mut files).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let path = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .display()
                .to_string();
            Ok(FileSize {
                path,
                raw: bytes.len(),
                gzip: gzip_len(&bytes),
                brotli: brotli_len(&bytes),
            })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// gzip -9, as a static server would precompress.
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len()).unwrap_or(0)
}

/// brotli at quality 11, window 22, as CDNs serve static assets.
pub fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        let _ = w.write_all(bytes);
    }
    out.len()
}

/// The table, with totals and the page's verdict, as text. The last column says whether the
/// budget counts the file.
pub fn render(sizes: &[FileSize]) -> String {
    let row = |name: &str, raw: usize, gz: usize, br: usize, page: &str| {
        format!("{name:<44} {raw:>10} {gz:>10} {br:>10}  {page}\n")
    };
    let mut s = format!(
        "{:<44} {:>10} {:>10} {:>10}  {}\n",
        "file", "raw", "gzip -9", "brotli", "page"
    );
    for f in sizes {
        let page = if is_page_file(&f.path) {
            "yes"
        } else if is_on_demand(&f.path) {
            "on first need"
        } else {
            "-"
        };
        s.push_str(&row(&f.path, f.raw, f.gzip, f.brotli, page));
    }
    let (raw, gz, br) = totals(sizes);
    s.push_str(&row("TOTAL", raw, gz, br, ""));
    s.push_str(&format!("total gzip -9: {:.1} KB\n", gz as f64 / 1000.0));
    let on_demand: usize = sizes
        .iter()
        .filter(|f| is_on_demand(&f.path))
        .map(|f| f.gzip)
        .sum();
    if on_demand > 0 {
        s.push_str(&format!(
            "fetched on first need (the views' chunks, Home Assistant's template engine) gzip -9: {:.1} KB\n",
            on_demand as f64 / 1000.0
        ));
    }
    s.push_str(&verdict_line(page_gzip(sizes)));
    s
}

/// `page (html, css, js, sw, wasm) gzip -9: 245.3 KB of 250.0 KB: met`.
pub fn verdict_line(page_gz: usize) -> String {
    let met = if page_gz <= PAGE_BUDGET_GZIP {
        "met"
    } else {
        "NOT MET"
    };
    format!(
        "page (html, css, js, sw, wasm) gzip -9: {:.1} KB of {:.1} KB budget: {met}\n",
        page_gz as f64 / 1000.0,
        PAGE_BUDGET_GZIP as f64 / 1000.0
    )
}

/// Raw, gzip and brotli sums.
pub fn totals(sizes: &[FileSize]) -> (usize, usize, usize) {
    sizes.iter().fold((0, 0, 0), |(r, g, b), f| {
        (r + f.raw, g + f.gzip, b + f.brotli)
    })
}

/// Start of BENCHMARKS.md's hand-measured size notes (the toolchain, wasm-opt flags and
/// twiggy tables): measured once per decision, not on every bench run.
pub const NOTES_START: &str = "<!-- size-notes:start -->";
/// End of the size notes.
pub const NOTES_END: &str = "<!-- size-notes:end -->";

/// `new` with its (empty) notes block replaced by `old`'s, so a regenerated BENCHMARKS.md
/// keeps the notes; `new` unchanged when either has no complete block.
pub fn carry_notes(old: &str, new: &str) -> String {
    let block = |text: &str| {
        let start = text.find(NOTES_START)?;
        let end = text[start..].find(NOTES_END)? + start + NOTES_END.len();
        Some((start, end))
    };
    match (block(old), block(new)) {
        (Some((os, oe)), Some((ns, ne))) => {
            format!("{}{}{}", &new[..ns], &old[os..oe], &new[ne..])
        }
        _ => new.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_shrinks_repetitive_text_and_totals_add_up() {
        let text = "lamp ".repeat(1000);
        let gz = gzip_len(text.as_bytes());
        let br = brotli_len(text.as_bytes());
        assert!(gz > 0 && gz < 200, "gzip {gz}");
        assert!(br > 0 && br < 200, "brotli {br}");
        let sizes = vec![
            FileSize {
                path: "a".into(),
                raw: 10,
                gzip: 5,
                brotli: 4,
            },
            FileSize {
                path: "b".into(),
                raw: 20,
                gzip: 7,
                brotli: 6,
            },
        ];
        assert_eq!(totals(&sizes), (30, 12, 10));
        let table = render(&sizes);
        assert!(table.contains("TOTAL"));
        assert!(table.contains("total gzip -9: 0.0 KB\n"), "{table}");
        assert!(table.ends_with("of 250.0 KB budget: met\n"), "{table}");
    }

    #[test]
    fn the_page_is_html_css_js_and_wasm_and_the_budget_is_250_kb() {
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
            f("templates-0123/lampboard_templates_bg.wasm", 50_000),
            f("templates-0123/lampboard_templates.js", 2_000),
            f("split-0123/split_settings.wasm", 40_000),
            f("split-0123/__wasm_split.js", 1_000),
        ];
        assert_eq!(
            page_gzip(&sizes),
            12_111,
            "the on-demand modules (the engine, the views' chunks) are not the page"
        );
        let table = render(&sizes);
        assert!(
            table.contains("icon-512.png") && table.contains("  -\n"),
            "{table}"
        );
        assert!(
            table.contains("_bg.wasm") && table.contains("  on first need\n"),
            "{table}"
        );
        assert!(
            table.contains("Home Assistant's template engine) gzip -9: 92.0 KB\n"),
            "{table}"
        );
        assert!(
            table.ends_with("12.1 KB of 250.0 KB budget: met\n"),
            "{table}"
        );
        assert!(verdict_line(250_000).ends_with("budget: met\n"));
        assert!(verdict_line(250_001).ends_with("budget: NOT MET\n"));
    }

    #[test]
    fn a_regenerated_report_keeps_the_size_notes() {
        let old = format!("# old\n{NOTES_START}\n| flags | 309 KB |\n{NOTES_END}\nold tail\n");
        let new = format!("# new\n{NOTES_START}\n{NOTES_END}\nnew tail\n");
        assert_eq!(
            carry_notes(&old, &new),
            format!("# new\n{NOTES_START}\n| flags | 309 KB |\n{NOTES_END}\nnew tail\n")
        );
        // No notes yet, or a broken block: the new text as it is.
        assert_eq!(carry_notes("# old\n", &new), new);
        assert_eq!(carry_notes(&format!("{NOTES_START} no end"), &new), new);
        assert_eq!(carry_notes(&old, "# new, no block\n"), "# new, no block\n");
    }

    #[test]
    fn measures_every_file_in_nested_folders() {
        let dir = std::env::temp_dir().join(format!("xtask-size-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        std::fs::write(dir.join("icons/a.svg"), "<svg/>").unwrap();
        let sizes = measure_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let paths: Vec<_> = sizes.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["icons/a.svg", "index.html"]);
        assert_eq!(sizes[1].raw, 13);
    }
}
