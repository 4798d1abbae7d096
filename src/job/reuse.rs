//! Reusing the documents of the earlier build into the same folder: a
//! document whose inputs, options and tool are those of the earlier build,
//! and whose files are still as that build wrote them, is not rendered
//! again. The earlier build is known from the report every build keeps in
//! its output folder (`.handout/report.json`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::batch::{Done, FileRecord, Planned, Shard, Work, Written};
use crate::diag::{Diagnostic, Severity};
use crate::fingerprint::{Hasher, Inputs};
use crate::render::{Edition, Paper};

/// What this build makes, for telling a document that is gone from one
/// that another kind of build into the same folder made (an email build
/// beside a print build, another paper, a single goal).
pub struct Scope<'a> {
    /// The output file name of every document of the whole build, every
    /// shard's included.
    pub planned: &'a HashSet<String>,
    /// The content files read, as named in reports.
    pub contents: HashSet<&'a str>,
    pub papers: &'a [Paper],
    pub editions: &'a [Edition],
    pub layouts: &'a [String],
    /// The main file's extension.
    pub ext: &'a str,
    /// `--imposition booklet`, whose files have names of their own.
    pub booklet: bool,
    pub goals: &'a crate::batch::Goals,
}

impl Scope<'_> {
    /// Whether this build would make `e` if its content, goal or recipient
    /// were still there: then it is gone, and its files go too.
    fn owns(&self, e: &EarlierDoc) -> bool {
        use crate::batch::Goals;
        let same_kind = e.paper.is_some_and(|p| self.papers.contains(&p))
            && e.edition.is_some_and(|x| self.editions.contains(&x))
            && self.layouts.contains(&e.layout)
            && e.output.ends_with(&format!(".{}", self.ext))
            && file_name(&e.output).contains("--booklet") == self.booklet;
        if !same_kind || self.planned.contains(&file_name(&e.output)) {
            return false;
        }
        // A content file deleted since, or one read now that no longer
        // makes this variant.
        if !Path::new(&e.content).exists() {
            return true;
        }
        if !self.contents.contains(e.content.as_str()) {
            return false;
        }
        match (&e.recipient, &e.goal, self.goals) {
            (Some(_), _, Goals::Recipients(_)) => true,
            (None, None, Goals::Generic | Goals::All) => true,
            (None, Some(_), Goals::All) => true,
            (None, Some(goal), Goals::Some(goals)) => goals.contains(goal),
            _ => false,
        }
    }
}

/// A report larger than this is not read.
const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

/// The part of an earlier report that reuse reads.
#[derive(Deserialize)]
struct EarlierReport {
    documents: Vec<EarlierDoc>,
}

#[derive(Deserialize)]
struct EarlierDoc {
    #[serde(default)]
    content: String,
    #[serde(default)]
    goal: Option<String>,
    #[serde(default)]
    recipient: Option<serde_json::Value>,
    paper: Option<Paper>,
    edition: Option<Edition>,
    #[serde(default)]
    layout: String,
    output: String,
    status: String,
    pages: Option<usize>,
    density: Option<u8>,
    compiles: Option<u8>,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    preflight: Vec<String>,
    bytes: Option<usize>,
    sha256: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    inputs: Option<Inputs>,
    #[serde(default)]
    files: Vec<FileRecord>,
    #[serde(default)]
    layout_files: Vec<String>,
}

/// The earlier build's documents, by output file name.
pub struct Earlier {
    docs: HashMap<String, EarlierDoc>,
}

impl Earlier {
    /// Reads the report a build into `out_dir` kept. None when there is
    /// none; a report that cannot be read is said and ignored.
    pub fn read(out_dir: &Path, shard: Option<Shard>, quiet: bool) -> Option<Self> {
        let path = crate::output::kept_report(out_dir, shard.map(|s| (s.k, s.n)));
        if !path.exists() {
            return None;
        }
        let read = match crate::diag::unreadable_input(&path, MAX_REPORT_BYTES) {
            Some(why) => Err(why),
            None => std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str::<EarlierReport>(&t).map_err(|e| e.to_string())),
        };
        match read {
            Ok(report) => Some(Self {
                docs: report
                    .documents
                    .into_iter()
                    .map(|d| (file_name(&d.output), d))
                    .collect(),
            }),
            Err(why) => {
                if !quiet {
                    crate::terminal::emit(&[Diagnostic::warning(format!(
                        "ignoring the earlier build's report {}: {why}",
                        path.display()
                    ))
                    .with_hint("every document is rendered again; the next build reuses them")]);
                }
                None
            }
        }
    }

    /// The planned documents that need not be rendered again, as done.
    pub fn reusable(&self, work: &Work, hasher: &mut Hasher) -> Vec<Done> {
        let out_dir = |doc: &Planned| doc.output.parent().map(Path::to_path_buf);
        work.docs
            .iter()
            .enumerate()
            .filter_map(|(i, doc)| {
                let e = self.docs.get(&file_name(&doc.output.to_string_lossy()))?;
                if e.status != "ok" || e.files.is_empty() {
                    return None;
                }
                let inputs = hasher.inputs(doc, Some(&e.layout_files));
                if e.inputs.as_ref() != Some(&inputs) {
                    return None;
                }
                let dir = out_dir(doc).unwrap_or_default();
                if !e.files.iter().all(|f| f.unchanged(&dir.join(&f.name))) {
                    return None;
                }
                Some(Done {
                    planned: i,
                    result: Ok(e.written()),
                    millis: 0,
                })
            })
            .collect()
    }

    /// Files of the earlier build that this one no longer makes: outputs
    /// of documents that `scope` owns but no longer plans, and files a
    /// re-rendered document wrote before but not now. Only files still as
    /// the earlier build wrote them; the rest are someone else's now.
    pub fn stale(&self, out_dir: &Path, scope: &Scope, done: &[Done]) -> Vec<PathBuf> {
        let now: HashMap<&str, HashSet<&str>> = done
            .iter()
            .filter_map(|d| d.result.as_ref().ok())
            .filter_map(|w| {
                let main = w.files.first()?;
                Some((
                    main.name.as_str(),
                    w.files.iter().map(|f| f.name.as_str()).collect(),
                ))
            })
            .collect();
        let mut out = Vec::new();
        for (name, e) in &self.docs {
            let gone: Vec<&FileRecord> = if scope.owns(e) {
                e.files.iter().collect()
            } else if let Some(written) = now.get(name.as_str()) {
                e.files
                    .iter()
                    .filter(|f| !written.contains(f.name.as_str()))
                    .collect()
            } else {
                Vec::new()
            };
            for f in gone {
                let path = out_dir.join(&f.name);
                if f.unchanged(&path) {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }
}

impl EarlierDoc {
    /// The document as the earlier build wrote it, its messages as its
    /// report gave them.
    fn written(&self) -> Written {
        Written {
            pages: self.pages.unwrap_or_default(),
            density: self.density.unwrap_or_default(),
            compiles: self.compiles.unwrap_or_default(),
            note: self.notes.first().cloned(),
            preflight: self.preflight.iter().map(|t| from_text(t)).collect(),
            bytes: self.bytes.unwrap_or_default(),
            sha256: self.sha256.clone().unwrap_or_default(),
            draft_sha256: self
                .files
                .iter()
                .find(|f| f.name.ends_with(".eml"))
                .map(|f| f.sha256.clone()),
            warnings: self.warnings.iter().map(|t| from_text(t)).collect(),
            files: self.files.clone(),
            layout_files: self.layout_files.clone(),
            reused: true,
        }
    }
}

/// A warning as a report printed it, read back so that it prints the same:
/// `file:line:column: warning: message` and its hints.
fn from_text(text: &str) -> Diagnostic {
    let mut lines = text.split("\n  hint: ");
    let first = lines.next().unwrap_or_default();
    let (file, message) = match first.split_once(": warning: ") {
        Some((file, message)) => (Some(file.to_string()), message),
        None => (None, first.strip_prefix("warning: ").unwrap_or(first)),
    };
    let mut d = Diagnostic::warning(message);
    d.severity = Severity::Warning;
    d.file = file;
    d.hints = lines.map(str::to_string).collect();
    d
}

/// Removes the files, saying which; a file that cannot be removed is said
/// and kept.
pub fn remove(stale: &[PathBuf]) -> Vec<String> {
    let mut removed = Vec::new();
    for path in stale {
        match std::fs::remove_file(path) {
            Ok(()) => removed.push(path.display().to_string()),
            Err(e) => crate::terminal::emit(&[Diagnostic::warning(format!(
                "cannot remove {}, which this build no longer makes: {e}",
                path.display()
            ))
            .with_hint("remove it by hand, so that it is not handed out")]),
        }
    }
    removed
}

fn file_name(output: &str) -> String {
    Path::new(output)
        .file_name()
        .map_or(output.to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_read_back_print_the_same() {
        for text in [
            "content/a.yaml:3:5: warning: too long (at `faq.entries[0]`)\n  hint: shorten it",
            "warning: the bundled fonts cannot show ✓",
            "warning: two\n  hint: one\n  hint: two",
        ] {
            assert_eq!(from_text(text).to_string(), text);
        }
    }
}
