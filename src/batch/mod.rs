//! Planning a batch of documents and rendering it in parallel.

mod doc;
mod plan;
mod process;
mod run;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use plan::{Axes, plan};
pub use process::{WORKER_COMMAND, serve as serve_worker};
pub use run::{RunOptions, Stop, Stopped, Work, run};

use crate::content::{self, Loaded};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::render::{Edition, Paper};

/// Which variants of each content file to render.
#[derive(Debug, Clone)]
pub enum Goals {
    /// Only the handout for any reader.
    Generic,
    /// Only the variant for this goal.
    One(String),
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
    /// Index into the job's brands.
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
    pub bytes: usize,
    pub sha256: String,
    pub warnings: Vec<Diagnostic>,
}

/// Expands folders into the `.yaml` and `.yml` files they hold, and globs
/// (for shells that pass them through quoted) into the files they match.
/// Each group is sorted, so the plan does not depend on directory order.
/// Files named `_…`, such as `_brand.yml`, are not content and are skipped.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_yaml(p) && !is_hidden(p))
                .collect();
            found.sort();
            out.extend(found);
        } else if !input.exists() && text.contains(['*', '?', '[']) {
            let bad = |m: String| Error::usage(m, "quote globs like 'content/*.yaml'");
            let mut found: Vec<PathBuf> = glob::glob(&text)
                .map_err(|e| bad(format!("invalid pattern `{text}`: {}", e.msg)))?
                .filter_map(Result::ok)
                .filter(|p| p.is_file() && !is_hidden(p))
                .collect();
            if found.is_empty() {
                return Err(bad(format!("no content files match `{text}`")));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('_') || n.starts_with('.'))
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// A content file that cannot be rendered, with its problems.
#[derive(Debug)]
pub struct Unusable {
    /// The name used in messages, as for a loaded file.
    pub name: String,
    pub errors: Vec<Diagnostic>,
}

/// Loads every content file: the usable ones, and the problems of the rest.
pub fn load_each(paths: &[PathBuf]) -> (Vec<Loaded>, Vec<Unusable>) {
    let mut loaded = Vec::new();
    let mut unusable = Vec::new();
    for path in paths {
        match content::load(path) {
            Ok(l) => loaded.push(l),
            Err(errors) => unusable.push(Unusable {
                name: path.display().to_string(),
                errors,
            }),
        }
    }
    (loaded, unusable)
}

/// Loads every content file, collecting all problems of all files.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Loaded>, Error> {
    let (loaded, unusable) = load_each(paths);
    if unusable.is_empty() {
        Ok(loaded)
    } else {
        Err(Error::Content(
            unusable.into_iter().flat_map(|u| u.errors).collect(),
        ))
    }
}

/// `<stem><suffix>.<ext>`.
pub fn file_path(stem: &Path, suffix: &str, ext: &str) -> PathBuf {
    let mut name = stem.file_name().unwrap_or_default().to_os_string();
    name.push(format!("{suffix}.{ext}"));
    stem.with_file_name(name)
}

/// One part of a job split across machines: documents whose position in the
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
