//! Planning a batch of documents and rendering it in parallel.

mod doc;
mod plan;
mod process;
mod run;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use doc::evict_caches;
pub use plan::{Axes, plan};
pub use process::{WORKER_COMMAND, serve as serve_worker};
pub use run::{RunOptions, Stop, Stopped, Work, run};

use crate::diag::Diagnostic;
use crate::render::{Edition, Paper};

/// Which variants of each content file to render.
#[derive(Debug, Clone)]
pub enum Goals {
    /// Only the handout for any reader.
    Generic,
    /// Only the variants for these goals, in this order.
    Some(Vec<String>),
    /// The generic handout and one variant per goal.
    All,
    /// One document per recipient, for the recipient's goal.
    Recipients(std::sync::Arc<Vec<crate::recipients::Recipient>>),
}

/// One document to render.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Planned {
    /// Index into the loaded content files.
    pub content: usize,
    pub goal: Option<String>,
    pub paper: Paper,
    pub edition: Edition,
    pub layout: String,
    /// The output path without extension; files are `<stem><suffix>.<ext>`.
    pub stem: PathBuf,
    /// The main output file.
    pub output: PathBuf,
    /// Index into the build's brands.
    pub brand: Option<usize>,
    /// The person this document is for.
    pub recipient: Option<crate::recipients::Recipient>,
}

/// The outcome of one document.
#[derive(Debug)]
pub struct Done {
    pub planned: usize,
    pub result: Result<Written, Vec<Diagnostic>>,
    pub millis: u64,
}

/// A document that was written. `bytes` and `sha256` are of the main file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Written {
    pub pages: usize,
    /// The layout density it fits at; 0 is the normal one.
    pub density: u8,
    /// How many compiles it took to find that density.
    #[serde(default)]
    pub compiles: u8,
    /// Why it is longer than its layout's target, when it is.
    #[serde(default)]
    pub note: Option<String>,
    /// What a printer would flag (also among `warnings`).
    #[serde(default)]
    pub preflight: Vec<Diagnostic>,
    pub bytes: usize,
    pub sha256: String,
    /// Of the email draft, when one was written: the outbox seals it.
    #[serde(default)]
    pub draft_sha256: Option<String>,
    pub warnings: Vec<Diagnostic>,
    /// Every file written, the main one first.
    #[serde(default)]
    pub files: Vec<FileRecord>,
    /// The layout files and catalogs it was made from.
    #[serde(default)]
    pub layout_files: Vec<String>,
    /// Taken from the earlier build, not rendered.
    #[serde(default)]
    pub reused: bool,
}

/// One file a document wrote, as written: enough to tell later, as git's
/// index does, whether it is still the same without reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Its name in the output folder.
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    /// When it was last modified, in nanoseconds since 1970.
    pub modified_ns: Option<u64>,
}

impl FileRecord {
    /// The file at `path`, just written with `bytes`.
    pub fn of(path: &Path, bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        Self {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes: bytes.len() as u64,
            sha256: format!("{:x}", Sha256::digest(bytes)),
            modified_ns: std::fs::metadata(path).ok().and_then(|m| modified_ns(&m)),
        }
    }

    /// Whether `path` still holds this file: the same size and time, or,
    /// when the time differs, the same bytes.
    pub fn unchanged(&self, path: &Path) -> bool {
        use sha2::{Digest, Sha256};
        let Ok(meta) = std::fs::metadata(path) else {
            return false;
        };
        if !meta.is_file() || meta.len() != self.bytes {
            return false;
        }
        if self.modified_ns.is_some() && modified_ns(&meta) == self.modified_ns {
            return true;
        }
        std::fs::read(path).is_ok_and(|b| format!("{:x}", Sha256::digest(&b)) == self.sha256)
    }
}

fn modified_ns(meta: &std::fs::Metadata) -> Option<u64> {
    let t = meta.modified().ok()?;
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    u64::try_from(d.as_nanos()).ok()
}

/// `<stem><suffix>.<ext>`.
pub fn file_path(stem: &Path, suffix: &str, ext: &str) -> PathBuf {
    let mut name = stem.file_name().unwrap_or_default().to_os_string();
    name.push(format!("{suffix}.{ext}"));
    stem.with_file_name(name)
}

/// One part of a build split across machines: documents whose position in the
/// plan is K-1 modulo N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// Keeps the planned documents that belong to this shard.
    pub fn select<T>(self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.n == self.k - 1)
            .map(|(_, d)| d)
            .collect()
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 1/4")?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| "K must be a number".to_string())?;
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| "N must be a number".to_string())?;
        if n == 0 || k == 0 || k > n {
            return Err(format!(
                "shard {k}/{n} does not exist; K counts from 1 to N"
            ));
        }
        Ok(Shard { k, n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_split_the_plan() {
        let all: Vec<usize> = (0..7).collect();
        let parts: Vec<Vec<usize>> = (1..=3)
            .map(|k| Shard { k, n: 3 }.select(all.clone()))
            .collect();
        assert_eq!(parts, [vec![0, 3, 6], vec![1, 4], vec![2, 5]]);
    }
}
