//! Writing files: output names and atomic replacement.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use parking_lot::Mutex;

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
            crate::diag::io_reason(&e, "folder")
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

/// The folder in the output folder where a build keeps its report, for
/// the next build to reuse from and for `diff`.
pub const KEPT_DIR: &str = ".handout";

/// Where a build into `out_dir` keeps its report; each shard (K of N) its own.
pub fn kept_report(out_dir: &Path, shard: Option<(usize, usize)>) -> PathBuf {
    let name = match shard {
        Some((k, n)) => format!("report.{k}-of-{n}.json"),
        None => "report.json".into(),
    };
    out_dir.join(KEPT_DIR).join(name)
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so
/// readers see either the old file or the complete new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    write_guarded(path, bytes, None)
}

/// Output files of a build that may be stopped while workers are writing.
/// Each temporary file is known until it is renamed into place, so that
/// [`Writes::close`] can remove the ones in progress and refuse new ones.
#[derive(Default)]
pub struct Writes {
    /// `None` once closed.
    pending: Mutex<Option<HashSet<PathBuf>>>,
    /// How temporary files start, `.handout-` unless a worker process
    /// names them so that its build can find them after ending it.
    prefix: Option<String>,
}

impl Writes {
    pub fn new() -> Self {
        Self {
            pending: Mutex::new(Some(HashSet::new())),
            prefix: None,
        }
    }

    /// Writes whose temporary files start with `prefix`.
    pub fn with_prefix(prefix: String) -> Self {
        Self {
            prefix: Some(prefix),
            ..Self::new()
        }
    }

    /// As [`write_atomic`], unless the build was closed.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
        write_guarded(path, bytes, Some(self))
    }

    /// Removes temporary files still being written and refuses new writes.
    /// Finished files stay.
    pub fn close(&self) {
        if let Some(pending) = self.pending.lock().take() {
            for tmp in pending {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

fn write_guarded(path: &Path, bytes: &[u8], writes: Option<&Writes>) -> Result<(), Diagnostic> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| {
        Diagnostic::error(format!(
            "cannot write {}: {}",
            path.display(),
            crate::diag::io_reason(&e, "folder")
        ))
        .with_hint("check that the output folder is writable and has free space")
    };
    let stopped = || {
        Diagnostic::error(format!(
            "{} was not written: the build stopped",
            path.display()
        ))
    };
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(
            writes
                .and_then(|w| w.prefix.as_deref())
                .unwrap_or(".handout-"),
        )
        .suffix(".tmp");
    // Output is for sharing: readable by all, like any file a user creates,
    // rather than private like a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = match writes {
        None => builder.tempfile_in(dir).map_err(fail)?,
        Some(w) => {
            let mut pending = w.pending.lock();
            let set = pending.as_mut().ok_or_else(stopped)?;
            let tmp = builder.tempfile_in(dir).map_err(fail)?;
            set.insert(tmp.path().to_path_buf());
            tmp
        }
    };
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    match writes {
        None => {
            tmp.persist(path).map_err(|e| fail(e.error))?;
        }
        Some(w) => {
            let mut pending = w.pending.lock();
            let set = pending.as_mut().ok_or_else(stopped)?;
            set.remove(tmp.path());
            tmp.persist(path).map_err(|e| fail(e.error))?;
        }
    }
    Ok(())
}

/// Removes the temporary files in `dirs` whose names start with `prefix`:
/// those of worker processes that were ended while writing.
pub fn remove_temporaries<'a>(dirs: impl IntoIterator<Item = &'a Path>, prefix: &str) {
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(prefix) && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
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

    #[test]
    fn closed_writes_leave_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let writes = Writes::new();
        writes.write(&dir.path().join("a.pdf"), b"one").unwrap();
        writes.close();
        assert!(writes.write(&dir.path().join("b.pdf"), b"two").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.pdf"]);
    }
}
