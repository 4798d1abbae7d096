//! Writing files: output names and atomic replacement.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// Keeps a name to `[a-z0-9-]`, so a name built from ids can never leave the
/// output folder or clash with a temporary file.
pub fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "untitled".into()
    } else {
        out
    }
}

/// Creates the output folder, with a clear message when that is impossible.
/// `option` is the command-line option that chose the folder, for the hint.
pub fn prepare_dir(dir: &Path, option: &str) -> Result<(), Diagnostic> {
    if dir.exists() && !dir.is_dir() {
        return Err(
            Diagnostic::error(format!("output folder {} is a file", dir.display()))
                .with_hint(format!("pass a folder to {option}, or remove the file")),
        );
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::error(format!(
            "cannot create output folder {}: {}",
            dir.display(),
            reason(&e)
        ))
        .with_hint(format!("choose a folder you can write to with {option}"))
    })
}

/// Checks that a report can be written to `path`, creating its folder, so
/// that a bad `--report` fails before any rendering.
pub fn prepare_report(path: &Path) -> Result<(), Diagnostic> {
    if path.is_dir() {
        return Err(
            Diagnostic::error(format!("report path {} is a folder", path.display()))
                .with_hint("give --report a file name, such as out/report.json"),
        );
    }
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => prepare_dir(dir, "--report"),
        None => Ok(()),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so
/// readers see either the old file or the complete new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| {
        Diagnostic::error(format!("cannot write {}: {}", path.display(), reason(&e)))
            .with_hint("check that the output folder is writable and has free space")
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".handout-").suffix(".tmp");
    // Output is for sharing: readable by all, like any file a user creates,
    // rather than private like a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such folder".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// `dir/part--part`, the path of an output without its extension. Each part
/// is sanitised on its own, so the `--` separator stays unambiguous.
pub fn output_stem(dir: &Path, parts: &[&str]) -> PathBuf {
    let name: Vec<String> = parts.iter().map(|p| sanitize(p)).collect();
    dir.join(name.join("--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_the_folder() {
        assert_eq!(sanitize("../../x"), "x");
        assert_eq!(sanitize("a/b\\c"), "a-b-c");
        assert_eq!(sanitize("ml-engineer--goal"), "ml-engineer-goal");
        assert_eq!(sanitize(".."), "untitled");
        let p = output_stem(Path::new("out"), &["page", "../../etc/passwd"]);
        assert_eq!(p, Path::new("out/page--etc-passwd"));
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.pdf");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o044, 0o044, "readable by others: {mode:o}");
        }
    }
}

/// The machine-readable record of a build, written by `--report`. The schema
/// is documented in docs/report.md; bump `format` on incompatible changes.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    pub format: u32,
    pub handout_version: &'static str,
    pub documents: Vec<ReportEntry>,
    /// Content files set aside by `--keep-going` because they have errors.
    pub unusable_content: Vec<UnusableEntry>,
    pub totals: Totals,
}

#[derive(Debug, serde::Serialize)]
pub struct UnusableEntry {
    pub content: String,
    pub errors: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct ReportEntry {
    pub content: String,
    pub id: String,
    pub goal: Option<String>,
    pub paper: &'static str,
    pub edition: &'static str,
    pub layout: String,
    pub output: String,
    /// `ok`, `failed`, or `skipped` (not started after an earlier failure).
    pub status: &'static str,
    pub pages: Option<usize>,
    pub bytes: Option<usize>,
    pub sha256: Option<String>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
    pub ms: Option<u64>,
}

#[derive(Debug, serde::Serialize)]
pub struct Totals {
    pub documents: usize,
    pub ok: usize,
    pub failed: usize,
    pub skipped: usize,
    pub unusable_content: usize,
    pub pages: usize,
    pub bytes: usize,
    /// Wall-clock time of the rendering phase.
    pub ms: u64,
    pub jobs: usize,
    pub shard: Option<String>,
}

impl Report {
    pub fn write(&self, path: &Path) -> Result<(), Diagnostic> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| Diagnostic::error(format!("cannot encode the report: {e}")))?;
        json.push(b'\n');
        prepare_report(path)?;
        write_atomic(path, &json)
    }
}
