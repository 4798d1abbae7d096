//! A build, resolved once from the command line: what to render, how, and
//! where to. `watch` rebuilds from the same value.

use std::path::PathBuf;
use std::time::Duration;

use crate::batch::{Goals, Shard};
use crate::render::{Edition, Paper, Settings};

#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// Content files, folders and globs, as given.
    pub inputs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub goals: Goals,
    pub papers: Vec<Paper>,
    pub editions: Vec<Edition>,
    /// Layout names to render with.
    pub layouts: Vec<String>,
    /// A folder whose files replace built-in layout files.
    pub layouts_dir: Option<PathBuf>,
    /// A brand file for every content file; otherwise each finds its own
    /// `_brand.yml`.
    pub brand: Option<PathBuf>,
    /// Folders of fonts besides the bundled ones (`--font-dir`).
    pub font_dirs: Vec<PathBuf>,
    /// One personal document per row of this file, instead of goals.
    pub recipients: Option<PathBuf>,
    pub delimiter: Option<u8>,
    /// The event file, read at the start of each build.
    pub event: Option<PathBuf>,
    /// With `--eml`: how each recipient's draft is written.
    pub email: Option<crate::email::DraftArgs>,
    pub settings: Settings,
    /// Documents rendered at once.
    pub jobs: usize,
    pub keep_going: bool,
    pub report: Option<PathBuf>,
    pub shard: Option<Shard>,
    pub deny_warnings: bool,
    pub timeout: Duration,
    pub quiet: bool,
}
