//! `cargo xtask size`: what a phone downloads, per file, raw, gzip -9 and brotli.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::run;

/// One file of the release dist and its sizes in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSize {
    pub path: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// Builds the release dist with trunk, then reports its sizes.
pub fn build_and_report(root: &Path) -> Result<Vec<FileSize>, String> {
    run(Command::new("trunk").args(["build", "--release"]))?;
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

/// The table, with totals, as text.
pub fn render(sizes: &[FileSize]) -> String {
    let mut s = format!(
        "{:<44} {:>10} {:>10} {:>10}\n",
        "file", "raw", "gzip -9", "brotli"
    );
    for f in sizes {
        s.push_str(&format!(
            "{:<44} {:>10} {:>10} {:>10}\n",
            f.path, f.raw, f.gzip, f.brotli
        ));
    }
    let (raw, gz, br) = totals(sizes);
    s.push_str(&format!(
        "{:<44} {:>10} {:>10} {:>10}\n",
        "TOTAL", raw, gz, br
    ));
    s.push_str(&format!("total gzip -9: {:.1} KB\n", gz as f64 / 1000.0));
    s
}

/// Raw, gzip and brotli sums.
pub fn totals(sizes: &[FileSize]) -> (usize, usize, usize) {
    sizes.iter().fold((0, 0, 0), |(r, g, b), f| {
        (r + f.raw, g + f.gzip, b + f.brotli)
    })
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
        assert!(table.ends_with("total gzip -9: 0.0 KB\n"));
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
