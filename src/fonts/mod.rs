//! The build's fonts: the bundled ones, embedded in the binary, and those of
//! `--font-dir`, for scripts too large to bundle, such as Chinese, Japanese
//! and Korean. The folder is read like any other input: the system's fonts
//! are still never used, and the same files give the same output.

mod coverage;

pub use coverage::{Coverage, Missing};

use std::path::{Path, PathBuf};

use typst::foundations::Bytes;
use typst::text::FontInfo;

use crate::diag::Diagnostic;
use crate::error::Error;

/// The bundled fonts, embedded so that output never depends on the machine.
/// The order is fixed, which keeps font selection and output reproducible.
pub const FONTS: &[(&str, &[u8])] = &[
    (
        "Inter-Regular.otf",
        include_bytes!("../../fonts/Inter-Regular.otf"),
    ),
    (
        "Inter-Italic.otf",
        include_bytes!("../../fonts/Inter-Italic.otf"),
    ),
    (
        "Inter-Medium.otf",
        include_bytes!("../../fonts/Inter-Medium.otf"),
    ),
    (
        "Inter-SemiBold.otf",
        include_bytes!("../../fonts/Inter-SemiBold.otf"),
    ),
    (
        "Inter-Bold.otf",
        include_bytes!("../../fonts/Inter-Bold.otf"),
    ),
    (
        "InterDisplay-Bold.otf",
        include_bytes!("../../fonts/InterDisplay-Bold.otf"),
    ),
    // After Inter, so Latin text keeps Inter; layouts list them in this
    // order (`script-fonts` in the theme).
    (
        "NotoSansDevanagari-Regular.ttf",
        include_bytes!("../../fonts/NotoSansDevanagari-Regular.ttf"),
    ),
    (
        "NotoSansDevanagari-Bold.ttf",
        include_bytes!("../../fonts/NotoSansDevanagari-Bold.ttf"),
    ),
    (
        "NotoSansArabic-Regular.ttf",
        include_bytes!("../../fonts/NotoSansArabic-Regular.ttf"),
    ),
    (
        "NotoSansArabic-Bold.ttf",
        include_bytes!("../../fonts/NotoSansArabic-Bold.ttf"),
    ),
];

/// The fonts' licences, shipped alongside them wherever they are copied.
pub const FONT_LICENSES: &[(&str, &[u8])] = &[
    ("OFL.txt", include_bytes!("../../fonts/OFL.txt")),
    ("Noto-OFL.txt", include_bytes!("../../fonts/Noto-OFL.txt")),
];

/// Font files larger than this are refused: the largest CJK collections
/// are about 30 MB.
const MAX_BYTES: u64 = 128 * 1024 * 1024;

/// A font file of a `--font-dir`, read.
#[derive(Clone)]
pub struct FontFile {
    pub path: PathBuf,
    pub data: Bytes,
}

/// The font files under `dirs`, in a fixed order (folders as given, files
/// sorted by path), so font selection never depends on the file system.
pub fn scan(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            return Err(Error::usage(
                format!("{} is not a folder", dir.display()),
                "give --font-dir a folder of .ttf, .otf or .ttc files",
            ));
        }
        let mut found = Vec::new();
        walk(dir, &mut found, 0)?;
        found.sort();
        if found.is_empty() {
            return Err(Error::usage(
                format!("{} holds no fonts", dir.display()),
                "give --font-dir a folder of .ttf, .otf or .ttc files, e.g. /usr/share/fonts/opentype/noto",
            ));
        }
        out.extend(found);
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::usage(
            format!("cannot read font folder {}: {e}", dir.display()),
            "check the path given to --font-dir",
        )
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        // Through symbolic links, as Debian's font folders are full of them.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() && depth < 8 {
            walk(&path, out, depth + 1)?;
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        }) {
            // A pipe or a device named like a font is listed, and refused
            // unread by `read`.
            out.push(path);
        }
    }
    Ok(())
}

/// Reads the files; one that is not a font is an error naming it.
pub fn read(paths: &[PathBuf]) -> Result<Vec<FontFile>, Error> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        // Checked before reading: a sparse 20 GB file must not be read.
        if let Some(problem) = crate::diag::unreadable_input(path, MAX_BYTES) {
            errors.push(
                Diagnostic::error(format!("cannot use this font: {problem}"))
                    .in_file(path.display().to_string())
                    .with_hint("keep only font files of a usual size in the folder; the largest CJK collections are about 30 MB"),
            );
            continue;
        }
        match std::fs::read(path) {
            Ok(bytes) => {
                let data = Bytes::new(bytes);
                if FontInfo::iter(&data).next().is_none() {
                    errors.push(
                        Diagnostic::error("this file is not a font Typst can read")
                            .in_file(path.display().to_string())
                            .with_hint("keep only .ttf, .otf and .ttc fonts in the folder; WOFF files must be converted"),
                    );
                } else {
                    out.push(FontFile {
                        path: path.clone(),
                        data,
                    });
                }
            }
            Err(e) => errors.push(
                Diagnostic::error(format!(
                    "cannot read font: {}",
                    crate::diag::io_reason(&e, "file")
                ))
                .in_file(path.display().to_string())
                .with_hint("check the file's permissions"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::Content(errors))
    }
}

/// Reads the fonts of `dirs`, in a fixed order.
pub fn load(dirs: &[PathBuf]) -> Result<Vec<FontFile>, Error> {
    if dirs.is_empty() {
        return Ok(Vec::new());
    }
    read(&scan(dirs)?)
}
