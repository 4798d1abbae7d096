//! The machine-readable record of a build, written by `--report`. The schema
//! is documented in docs/report.md; bump `format` on incompatible changes.

use std::path::Path;

use serde::Serialize;

use crate::batch::{Done, Planned, Shard};
use crate::content::Loaded;
use crate::diag::{Diagnostic, Severity};
use crate::output::{prepare_report, write_atomic};
use crate::project::Unusable;
use crate::render::{Edition, Paper};

#[derive(Debug, Serialize)]
pub struct Report {
    pub format: u32,
    pub handout_version: &'static str,
    pub documents: Vec<ReportEntry>,
    /// Content files set aside by `--keep-going` because they have errors.
    pub unusable_content: Vec<UnusableEntry>,
    /// Rows of `--recipients` set aside by `--keep-going`.
    pub recipients_set_aside: Vec<SetAsideEntry>,
    /// Rows of `--recipients` on the `--suppress` list: not errors.
    pub recipients_suppressed: Vec<SuppressedEntry>,
    /// Files of the earlier build into the folder that this one removed,
    /// because it no longer makes them.
    pub removed: Vec<String>,
    /// The content files' text, for `diff`.
    pub content_files: Vec<crate::fingerprint::ContentText>,
    pub totals: Totals,
}

#[derive(Debug, Serialize)]
pub struct SuppressedEntry {
    pub line: usize,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize)]
pub struct SetAsideEntry {
    pub line: usize,
    pub name: String,
    pub errors: Vec<String>,
}

/// Who a personal document is for.
#[derive(Debug, Serialize)]
pub struct RecipientEntry {
    pub line: usize,
    pub name: String,
    pub email: Option<String>,
    pub goal: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UnusableEntry {
    pub content: String,
    pub errors: Vec<String>,
}

/// What became of one planned document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
    /// Not rendered: the build stopped at an earlier failure or a timeout.
    Skipped,
    /// Not rendered: Ctrl-C or SIGTERM stopped the build first.
    Interrupted,
}

#[derive(Debug, Serialize)]
pub struct ReportEntry {
    pub content: String,
    pub id: String,
    pub goal: Option<String>,
    /// Set for documents made from `--recipients`.
    pub recipient: Option<RecipientEntry>,
    pub paper: Paper,
    pub edition: Edition,
    pub layout: String,
    pub output: String,
    pub status: Status,
    pub pages: Option<usize>,
    /// Sheets of paper for the print edition printed on both sides; null
    /// for the email edition.
    pub sheets: Option<usize>,
    /// The layout density the document fits its page budget at: 0 is the
    /// normal one; null unless `ok`.
    pub density: Option<u8>,
    /// How many compiles it took to find that density.
    pub compiles: Option<u8>,
    /// Not problems: such as content longer than the layout's page target,
    /// kept at the fewest pages found.
    pub notes: Vec<String>,
    /// What a printer would flag: low-resolution images, QR codes too fine
    /// or crowded, text near the trim edge, hairlines. Also warnings.
    pub preflight: Vec<String>,
    pub bytes: Option<usize>,
    pub sha256: Option<String>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
    pub ms: Option<u64>,
    /// Hashes of what the document is made from, for reuse and `handout diff`.
    pub inputs: Option<crate::fingerprint::Inputs>,
    /// Taken unchanged from the earlier build into the folder.
    pub reused: bool,
    /// Every file written (the main one first), as written.
    pub files: Vec<crate::batch::FileRecord>,
    /// The layout files and catalogs it was made from.
    pub layout_files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub documents: usize,
    pub ok: usize,
    /// Of the `ok` ones, those taken from the earlier build.
    pub reused: usize,
    pub failed: usize,
    pub skipped: usize,
    pub interrupted: usize,
    pub unusable_content: usize,
    pub recipients_set_aside: usize,
    pub recipients_suppressed: usize,
    pub pages: usize,
    /// Sheets of paper the print editions take, printed on both sides.
    pub sheets: usize,
    /// Documents that needed a denser setting to fit their page budget.
    pub denser: usize,
    pub bytes: usize,
    /// Wall-clock time of the rendering phase.
    pub ms: u64,
    pub jobs: usize,
    pub shard: Option<String>,
}

/// Everything a report is made from.
pub struct Inputs<'a> {
    pub contents: &'a [Loaded],
    pub content_files: Vec<crate::fingerprint::ContentText>,
    pub unusable: &'a [Unusable],
    /// Rows of `--recipients` set aside by `--keep-going`.
    pub set_aside: &'a [crate::recipients::SetAside],
    /// Rows of `--recipients` left out by `--suppress`.
    pub suppressed: &'a [crate::recipients::Suppressed],
    pub docs: &'a [Planned],
    /// Hashes of each planned document's inputs, in the same order.
    pub inputs: Vec<crate::fingerprint::Inputs>,
    /// Finished documents, in any order.
    pub done: &'a [Done],
    /// What became of the documents that did not finish: `Skipped` after a
    /// failure or a timeout, `Interrupted` after a signal.
    pub unfinished: Status,
    /// Files of the earlier build removed.
    pub removed: &'a [String],
    pub ms: u64,
    pub jobs: usize,
    pub shard: Option<Shard>,
}

impl Report {
    pub fn new(i: &Inputs) -> Self {
        let mut by_doc: Vec<Option<&Done>> = vec![None; i.docs.len()];
        for done in i.done {
            by_doc[done.planned] = Some(done);
        }
        let documents: Vec<ReportEntry> = i
            .docs
            .iter()
            .zip(by_doc)
            .zip(&i.inputs)
            .map(|((doc, done), inputs)| {
                let mut e = entry(i, doc, done);
                e.inputs = Some(inputs.clone());
                e
            })
            .collect();
        let totals = totals(i, &documents);
        let unusable_content = i
            .unusable
            .iter()
            .map(|u| UnusableEntry {
                content: u.name.clone(),
                errors: u.errors.iter().map(plain).collect(),
            })
            .collect();
        let recipients_set_aside = i
            .set_aside
            .iter()
            .map(|s| SetAsideEntry {
                line: s.line,
                name: s.name.clone(),
                errors: s.errors.iter().map(plain).collect(),
            })
            .collect();
        let recipients_suppressed = i
            .suppressed
            .iter()
            .map(|s| SuppressedEntry {
                line: s.line,
                name: s.name.clone(),
                email: s.email.clone(),
            })
            .collect();
        Report {
            format: 1,
            handout_version: env!("CARGO_PKG_VERSION"),
            documents,
            unusable_content,
            recipients_set_aside,
            recipients_suppressed,
            removed: i.removed.to_vec(),
            content_files: i.content_files.clone(),
            totals,
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), Diagnostic> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| Diagnostic::error(format!("cannot encode the report: {e}")))?;
        json.push(b'\n');
        prepare_report(path)?;
        write_atomic(path, &json)
    }
}

fn plain(d: &Diagnostic) -> String {
    d.to_string()
}

/// One planned document, and what became of it if it finished.
fn entry(i: &Inputs, doc: &Planned, done: Option<&Done>) -> ReportEntry {
    let loaded = &i.contents[doc.content];
    let mut entry = ReportEntry {
        content: loaded.name.clone(),
        id: loaded.content.id.clone(),
        goal: doc.goal.clone(),
        recipient: doc.recipient.as_ref().map(|r| RecipientEntry {
            line: r.line,
            name: r.name.clone(),
            email: r.email.clone(),
            goal: r.goal.clone(),
        }),
        paper: doc.paper,
        edition: doc.edition,
        layout: doc.layout.clone(),
        output: doc.output.display().to_string(),
        status: i.unfinished,
        pages: None,
        sheets: None,
        density: None,
        compiles: None,
        notes: Vec::new(),
        preflight: Vec::new(),
        bytes: None,
        sha256: None,
        warnings: Vec::new(),
        errors: Vec::new(),
        ms: None,
        inputs: None,
        reused: false,
        files: Vec::new(),
        layout_files: Vec::new(),
    };
    let Some(done) = done else {
        return entry;
    };
    entry.ms = Some(done.millis);
    match &done.result {
        Ok(w) => {
            entry.status = Status::Ok;
            entry.pages = Some(w.pages);
            entry.density = Some(w.density);
            entry.compiles = Some(w.compiles);
            entry.notes = w.note.iter().cloned().collect();
            entry.preflight = w.preflight.iter().map(plain).collect();
            entry.sheets = (doc.edition == Edition::Print).then(|| w.pages.div_ceil(2));
            entry.bytes = Some(w.bytes);
            entry.sha256 = Some(w.sha256.clone());
            entry.warnings = w.warnings.iter().map(plain).collect();
            entry.reused = w.reused;
            entry.files = w.files.clone();
            entry.layout_files = w.layout_files.clone();
        }
        Err(diags) => {
            entry.status = Status::Failed;
            for d in diags {
                match d.severity {
                    Severity::Error => entry.errors.push(plain(d)),
                    Severity::Warning => entry.warnings.push(plain(d)),
                    Severity::Note => {}
                }
            }
        }
    }
    entry
}

fn totals(i: &Inputs, documents: &[ReportEntry]) -> Totals {
    let count = |s: Status| documents.iter().filter(|d| d.status == s).count();
    Totals {
        documents: documents.len(),
        ok: count(Status::Ok),
        reused: documents.iter().filter(|d| d.reused).count(),
        failed: count(Status::Failed),
        skipped: count(Status::Skipped),
        interrupted: count(Status::Interrupted),
        unusable_content: i.unusable.len(),
        recipients_set_aside: i.set_aside.len(),
        recipients_suppressed: i.suppressed.len(),
        pages: documents.iter().filter_map(|d| d.pages).sum(),
        sheets: documents.iter().filter_map(|d| d.sheets).sum(),
        denser: documents
            .iter()
            .filter(|d| d.density.is_some_and(|n| n > 0))
            .count(),
        bytes: documents.iter().filter_map(|d| d.bytes).sum(),
        ms: i.ms,
        jobs: i.jobs,
        shard: i.shard.map(|s| s.to_string()),
    }
}
