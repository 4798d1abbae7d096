//! Brand themes from a brand.yml file: a school's name, logo, colours and
//! fonts on every handout, without editing layouts.
//!
//! A brand is read and checked once per build. Layouts receive it as data at
//! [`BRAND_DATA_PATH`] and its images under `/brand/`; `layouts/brand.typ`
//! lays its values over the theme's tokens. Its fonts join the bundled ones.

mod assets;
mod colors;
mod model;
mod pixels;
mod resolve;
mod typography;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use assets::{ImageKind, MAX_IMAGE_BYTES, image_kind, svg_reference};
pub use colors::{Rgb, contrast};
pub use model::BrandFile;

use crate::content::{Loaded, Organisation};
use crate::diag::SourceFile;
use crate::diag::{Diagnostic, Severity};
use crate::error::Error;

/// The name of a brand file found beside content, as Quarto finds it.
pub const BRAND_FILE: &str = "_brand.yml";
/// Where layouts read the brand: `json("/brand.json")`.
pub const BRAND_DATA_PATH: &str = "/brand.json";
/// What layouts read when there is no brand.
pub const NO_BRAND: &[u8] = b"{}";
/// Brand files larger than this are refused before parsing.
const MAX_BRAND_BYTES: u64 = 1024 * 1024;

/// A brand, read and checked. Serialisable, so that worker processes get
/// exactly the bytes the build read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Brand {
    /// The brand file, as named in messages.
    pub display: String,
    /// What layouts read at [`BRAND_DATA_PATH`].
    pub data: Vec<u8>,
    /// Images, by their path inside the brand's folder; layouts read them
    /// at `/brand/<path>`.
    pub files: Vec<(String, Vec<u8>)>,
    /// Font files, by file name.
    pub fonts: Vec<(String, Vec<u8>)>,
    /// Fills the organisation of content that has none.
    pub organisation: Option<Organisation>,
    /// Every file read, for `watch`.
    #[serde(skip)]
    pub sources: Vec<PathBuf>,
}

/// Gathers what a brand file names while it is checked.
struct Loader<'a> {
    file: &'a SourceFile<'a>,
    /// The brand file's folder, as given and as the file system has it.
    dir: PathBuf,
    real_dir: PathBuf,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Keys of the specification that are present but not used here.
    unused: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
    fonts: Vec<(String, Vec<u8>)>,
    /// Images already read: (as written, path inside the folder).
    images: Vec<(String, String)>,
    /// Pixels of every image read, nested ones included.
    pixels: u64,
    read_paths: Vec<PathBuf>,
}

/// Reads and checks one brand file. Returns the brand and its warnings, or
/// every error found.
pub fn load(path: &Path) -> Result<(Brand, Vec<Diagnostic>), Vec<Diagnostic>> {
    let name = path.display().to_string();
    let text = read_text(path, &name)?;
    let file = SourceFile::new(&name, &text);
    let (parsed, broken) = resolve::parse(&file)?;
    let dir = assets::folder_of(path);
    let real_dir = std::fs::canonicalize(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &dir
    })
    .unwrap_or_else(|_| dir.clone());
    let mut loader = Loader {
        file: &file,
        dir,
        real_dir,
        errors: broken,
        warnings: Vec::new(),
        unused: Vec::new(),
        files: Vec::new(),
        fonts: Vec::new(),
        images: Vec::new(),
        pixels: 0,
        read_paths: vec![path.to_path_buf()],
    };
    let (data, organisation) = loader.resolve(&parsed);
    if !loader.errors.is_empty() {
        // The warnings too, so that one run shows everything to fix.
        loader.errors.extend(loader.warnings);
        return Err(loader.errors);
    }
    let mut warnings = loader.warnings;
    if !loader.unused.is_empty() {
        warnings.push(Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(format!(
                "not used by handout, and kept for the other tools that read this file: {}",
                loader.unused.join(", ")
            ))
            .in_file(name.clone())
        });
    }
    let brand = Brand {
        display: name.clone(),
        data: serde_json::to_vec(&data).unwrap_or_else(|_| NO_BRAND.to_vec()),
        files: loader.files,
        fonts: loader.fonts,
        organisation,
        sources: loader.read_paths,
    };
    Ok((brand, warnings))
}

/// The brand file's text: a regular file of at most 1 MB, in UTF-8.
fn read_text(path: &Path, name: &str) -> Result<Arc<str>, Vec<Diagnostic>> {
    let fail = |message: String, hint: &str| {
        vec![
            Diagnostic::error(message)
                .in_file(name.to_string())
                .with_hint(hint),
        ]
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(
            format!(
                "cannot read brand file: {}",
                crate::diag::io_reason(&e, "file")
            ),
            "check the path given to --brand",
        )
    })?;
    if meta.is_dir() {
        return Err(fail(
            "expected a brand file but found a folder".into(),
            "pass the folder's _brand.yml",
        ));
    }
    if !meta.is_file() {
        return Err(fail(
            "the brand file is not a regular file (a pipe or a device)".into(),
            "give the path of a brand.yml file",
        ));
    }
    if meta.len() > MAX_BRAND_BYTES {
        return Err(fail(
            "brand file is larger than 1 MB".into(),
            "a brand file names its logos and fonts; it does not contain them",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(
            format!(
                "cannot read brand file: {}",
                crate::diag::io_reason(&e, "file")
            ),
            "check the file's permissions",
        )
    })?;
    match String::from_utf8(bytes) {
        Ok(t) => Ok(t.trim_start_matches('\u{feff}').into()),
        Err(_) => Err(fail(
            "brand file is not valid UTF-8".into(),
            "save the file as UTF-8 in your editor",
        )),
    }
}

/// The nearest `_brand.yml` for a content file: in its folder or a folder
/// above it, up to the current directory.
pub fn find_for(content: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
    let folder = content.parent().filter(|p| !p.as_os_str().is_empty());
    let mut dir = folder.unwrap_or(Path::new(".")).canonicalize().ok()?;
    loop {
        let candidate = dir.join(BRAND_FILE);
        if candidate.is_file() {
            // Relative to the current directory where it can be, for messages.
            return Some(match candidate.strip_prefix(&cwd) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => candidate,
            });
        }
        if dir == cwd || !dir.starts_with(&cwd) {
            return None;
        }
        dir = dir.parent()?.to_path_buf();
    }
}

/// The brands of a build: `explicit` for every content file, else each file's
/// nearest `_brand.yml`. Sets each content file's brand and fills in its
/// organisation from the brand. Prints warnings, and notes unless `quiet`;
/// under `deny_warnings` warnings fail the build, as content warnings do.
pub fn for_contents(
    explicit: Option<&Path>,
    contents: &mut [Loaded],
    deny_warnings: bool,
    quiet: bool,
) -> Result<Vec<Brand>, Error> {
    let mut brands: Vec<Brand> = Vec::new();
    let mut seen: HashMap<PathBuf, usize> = HashMap::new();
    let mut messages = Vec::new();
    let mut failed = false;
    for loaded in contents.iter_mut() {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => find_for(&loaded.path),
        };
        let Some(path) = path else { continue };
        let index = match seen.get(&path) {
            Some(&i) => i,
            None => match load(&path) {
                Ok((brand, warnings)) => {
                    messages.extend(warnings);
                    brands.push(brand);
                    seen.insert(path.clone(), brands.len() - 1);
                    brands.len() - 1
                }
                Err(errors) => {
                    messages.extend(errors);
                    failed = true;
                    seen.insert(path.clone(), usize::MAX);
                    continue;
                }
            },
        };
        if index == usize::MAX {
            continue;
        }
        loaded.brand = Some(index);
        if loaded.content.organisation.is_none() {
            loaded.content.organisation = brands[index].organisation.clone();
        }
    }
    if deny_warnings && crate::diag::deny_warnings(&mut messages) {
        failed = true;
    }
    if failed {
        return Err(Error::Content(messages));
    }
    if quiet {
        messages.retain(|d| d.severity != Severity::Note);
    }
    crate::terminal::emit(&messages);
    Ok(brands)
}

/// The JSON Schema of brand files, for editors.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(BrandFile);
    schema.insert("title".into(), "brand.yml, as handout reads it".into());
    let mut json = serde_json::to_string_pretty(&schema).unwrap_or_default();
    json.push('\n');
    json
}
