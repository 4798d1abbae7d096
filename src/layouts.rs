//! Layout files: the built-in set embedded in the binary, optionally
//! overridden file by file from a folder.
//!
//! All layout files are read into memory up front, so a layout can only ever
//! see its own folder: there is no path through which it could read anything
//! else on the machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use typst::foundations::Bytes;

use crate::diag::Diagnostic;

/// The built-in layouts, as `(path inside the layout folder, bytes)`.
const BUILTIN: &[(&str, &[u8])] = &[
    ("handout.typ", include_bytes!("../layouts/handout.typ")),
    ("flyer.typ", include_bytes!("../layouts/flyer.typ")),
    (
        "flyer-duplex.typ",
        include_bytes!("../layouts/flyer-duplex.typ"),
    ),
    ("_flyer.typ", include_bytes!("../layouts/_flyer.typ")),
    (
        "components.typ",
        include_bytes!("../layouts/components.typ"),
    ),
    ("theme.typ", include_bytes!("../layouts/theme.typ")),
    ("brand.typ", include_bytes!("../layouts/brand.typ")),
    ("lang.typ", include_bytes!("../layouts/lang.typ")),
    ("lang/en.yaml", include_bytes!("../layouts/lang/en.yaml")),
    ("lang/de.yaml", include_bytes!("../layouts/lang/de.yaml")),
    ("lang/es.yaml", include_bytes!("../layouts/lang/es.yaml")),
    ("lang/fr.yaml", include_bytes!("../layouts/lang/fr.yaml")),
    ("lang/it.yaml", include_bytes!("../layouts/lang/it.yaml")),
    ("lang/pt.yaml", include_bytes!("../layouts/lang/pt.yaml")),
    ("lang/hi.yaml", include_bytes!("../layouts/lang/hi.yaml")),
    ("lang/ar.yaml", include_bytes!("../layouts/lang/ar.yaml")),
    ("lang/zh.yaml", include_bytes!("../layouts/lang/zh.yaml")),
];

/// Built-in files that layouts import but that are not layouts themselves.
const SHARED: [&str; 4] = ["theme", "brand", "components", "lang"];

/// Files larger than this are not loaded from a layout folder.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most files a layout folder may hold.
const MAX_FILES: usize = 256;

/// One file of a layout folder.
#[derive(Clone)]
pub struct LayoutFile {
    pub bytes: Bytes,
    /// How the file is named in messages, e.g. `layouts/handout.typ`.
    pub display: String,
    /// Read from a `--layouts` folder rather than built in.
    pub overridden: bool,
}

/// A file of a `--layouts` folder as sent to a worker process: its path in
/// the folder, its display name and its bytes. Workers get the bytes the
/// build read, so a file saved during a build cannot differ between them.
pub type OverrideFile = (String, String, Vec<u8>);

/// The files layouts may use, keyed by their path inside the folder.
#[derive(Clone)]
pub struct LayoutFiles {
    files: BTreeMap<String, LayoutFile>,
}

impl LayoutFiles {
    /// The built-in layouts.
    pub fn builtin() -> Self {
        let files = BUILTIN
            .iter()
            .map(|(path, bytes)| {
                let file = LayoutFile {
                    bytes: Bytes::new(*bytes),
                    display: format!("layouts/{path}"),
                    overridden: false,
                };
                (path.to_string(), file)
            })
            .collect();
        Self { files }
    }

    /// The built-in layouts with the files of `dir` taking their place.
    pub fn with_overrides(dir: &Path) -> Result<Self, Diagnostic> {
        let mut layouts = Self::builtin();
        let root = dir.canonicalize().map_err(|e| {
            Diagnostic::error(format!(
                "cannot open layout folder {}: {}",
                dir.display(),
                e.kind()
            ))
            .with_hint("pass an existing folder to --layouts")
        })?;
        if !root.is_dir() {
            return Err(
                Diagnostic::error(format!("{} is not a folder", dir.display()))
                    .with_hint("--layouts takes a folder of .typ files"),
            );
        }
        let mut found = Vec::new();
        collect(&root, &root, &mut found, 0)?;
        for (rel, real) in found {
            let meta = std::fs::metadata(&real).map_err(|e| read_error(&real, e))?;
            if meta.len() > MAX_FILE_BYTES {
                return Err(Diagnostic::error(format!(
                    "layout file {} is too large",
                    real.display()
                ))
                .with_hint(
                    "layout folders hold templates and small assets; keep files under 16 MB",
                ));
            }
            let bytes = std::fs::read(&real).map_err(|e| read_error(&real, e))?;
            let display = dir.join(&rel).display().to_string();
            layouts.files.insert(
                rel,
                LayoutFile {
                    bytes: Bytes::new(bytes),
                    display,
                    overridden: true,
                },
            );
        }
        Ok(layouts)
    }

    /// The files that replace or add to the built-in ones.
    pub fn overrides(&self) -> Vec<OverrideFile> {
        self.files
            .iter()
            .filter(|(_, f)| f.overridden)
            .map(|(path, f)| (path.clone(), f.display.clone(), f.bytes.to_vec()))
            .collect()
    }

    /// Whether a file under `prefix` (such as `lang/`) is not the
    /// built-in one.
    pub fn overrides_under(&self, prefix: &str) -> bool {
        self.files
            .iter()
            .any(|(path, f)| f.overridden && path.starts_with(prefix))
    }

    /// The built-in layouts with `overrides` in their place.
    pub fn with_files(overrides: Vec<OverrideFile>) -> Self {
        let mut layouts = Self::builtin();
        for (path, display, bytes) in overrides {
            let file = LayoutFile {
                bytes: Bytes::new(bytes),
                display,
                overridden: true,
            };
            layouts.files.insert(path, file);
        }
        layouts
    }

    pub fn get(&self, path: &str) -> Option<&LayoutFile> {
        self.files.get(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Layouts that can be rendered: top-level `.typ` files other than the
    /// shared ones (`theme.typ`, `components.typ` and names starting with `_`).
    /// The main layout comes first, then the rest by name.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .files
            .keys()
            .filter_map(|p| p.strip_suffix(".typ"))
            .filter(|n| !n.contains('/') && !n.starts_with('_') && !SHARED.contains(n))
            .collect();
        names.sort_by_key(|n| (*n != "handout", *n));
        names
    }
}

fn read_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(format!(
        "cannot read layout file {}: {}",
        path.display(),
        e.kind()
    ))
}

/// Walks the folder, keeping files whose real location is inside it.
fn collect(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf)>,
    depth: usize,
) -> Result<(), Diagnostic> {
    if depth > 8 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| read_error(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        // Symlinks are followed only when they stay inside the folder.
        let Ok(real) = path.canonicalize() else {
            continue;
        };
        if !real.starts_with(root) {
            continue;
        }
        if real.is_dir() {
            collect(root, &path, out, depth + 1)?;
        } else if let Ok(rel) = path.strip_prefix(root).or_else(|_| real.strip_prefix(root)) {
            let rel: Vec<_> = rel
                .components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect();
            out.push((rel.join("/"), real.clone()));
            if out.len() > MAX_FILES {
                return Err(Diagnostic::error(format!(
                    "layout folder {} holds too many files",
                    root.display()
                ))
                .with_hint("a layout folder holds at most 256 files"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_renderable_layouts_are_named() {
        assert_eq!(
            LayoutFiles::builtin().names(),
            ["handout", "flyer", "flyer-duplex"]
        );
    }
}
