//! A job as the page sees it: how far it is, the files it wrote, and what
//! its report says, kept as the job's observer hears it.

use std::path::PathBuf;

use parking_lot::Mutex;
use serde_json::{Value, json};

use super::paths::Root;
use crate::batch::{Done, Planned};
use crate::error::Error;
use crate::progress::Observer;
use crate::signal::Cancel;

/// One job from the page.
pub struct Job {
    pub id: u64,
    pub kind: &'static str,
    /// The command line that does the same.
    pub command: String,
    pub cancel: Cancel,
    /// Where its files go, as the page shows it.
    pub out: String,
    view: Mutex<View>,
}

/// A file a job wrote.
#[derive(Clone)]
pub struct Written {
    pub path: PathBuf,
    /// As the page shows it: relative to the project folder.
    pub shown: String,
    pub pages: usize,
    pub bytes: usize,
}

#[derive(Default)]
struct View {
    planned: usize,
    done: usize,
    failed: usize,
    /// `running`, `done`, `failed` or `cancelled`.
    state: &'static str,
    files: Vec<Written>,
    errors: Vec<String>,
    warnings: Vec<String>,
    notes: Vec<String>,
    preflight: Vec<String>,
}

impl Job {
    pub fn new(id: u64, kind: &'static str, command: String, out: String) -> Self {
        Self {
            id,
            kind,
            command,
            cancel: Cancel::new(),
            out,
            view: Mutex::new(View {
                state: "running",
                ..View::default()
            }),
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            "print" => "print run",
            "drafts" => "build of the drafts",
            _ => "send",
        }
    }

    pub fn running(&self) -> bool {
        self.view.lock().state == "running"
    }

    /// The files written so far, in the order they were done.
    pub fn files(&self) -> Vec<Written> {
        self.view.lock().files.clone()
    }

    /// Marks the job ended with its command's result.
    pub fn end(&self, result: Result<(), Error>) {
        let mut view = self.view.lock();
        view.state = match &result {
            Ok(()) => "done",
            Err(Error::Interrupted(_)) => "cancelled",
            Err(_) => "failed",
        };
        if let Err(e) = result {
            view.errors.extend(error_texts(&e));
        }
    }

    pub fn json(&self) -> Value {
        let view = self.view.lock();
        let files: Vec<Value> = view
            .files
            .iter()
            .map(|f| json!({"name": f.shown, "pages": f.pages, "bytes": f.bytes}))
            .collect();
        json!({
            "id": self.id,
            "kind": self.kind,
            "command": self.command,
            "out": self.out,
            "state": view.state,
            "planned": view.planned,
            "done": view.done,
            "failed": view.failed,
            "files": files,
            "errors": view.errors,
            "warnings": view.warnings,
            "notes": view.notes,
            "preflight": view.preflight,
        })
    }
}

/// An error as the command line prints it, without colour.
pub fn error_texts(e: &Error) -> Vec<String> {
    match e {
        Error::Content(diags) | Error::Usage(diags) => crate::serve::answer::texts(diags),
        Error::System(d) | Error::TimedOut(d) => {
            crate::serve::answer::texts(std::slice::from_ref(d))
        }
        Error::Interrupted(_) => {
            vec!["cancelled: the documents under way were not written; the ones listed were".into()]
        }
        other => vec![other.to_string()],
    }
}

/// A print run's observer: the page's progress bar and file list.
pub struct PageBuild<'a> {
    job: &'a Job,
    root: &'a Root,
}

impl<'a> PageBuild<'a> {
    pub fn new(job: &'a Job, root: &'a Root) -> Self {
        Self { job, root }
    }
}

impl Observer for PageBuild<'_> {
    fn start(&mut self, total: usize) {
        self.job.view.lock().planned = total;
    }

    fn done(&mut self, doc: &Planned, done: &Done) {
        let mut view = self.job.view.lock();
        view.done += 1;
        let shown = self.root.show(&doc.output);
        match &done.result {
            Ok(w) => {
                view.files.push(Written {
                    path: doc.output.clone(),
                    shown: shown.clone(),
                    pages: w.pages,
                    bytes: w.bytes,
                });
                // Preflight findings are among the warnings too; the page
                // lists them once, under their own heading.
                let preflight = crate::serve::answer::texts(&w.preflight);
                let warnings = crate::serve::answer::texts(&w.warnings);
                view.warnings
                    .extend(warnings.into_iter().filter(|w| !preflight.contains(w)));
                view.preflight.extend(preflight);
                if let Some(note) = &w.note {
                    view.notes.push(format!("{shown}: {note}"));
                }
            }
            Err(diags) => {
                view.failed += 1;
                let errors = crate::serve::answer::texts(diags);
                view.errors.extend(errors);
            }
        }
    }

    fn finish(&mut self) {}
}

/// A send's observer: the page's progress and the lines the terminal would
/// print.
pub struct PageSend<'a> {
    job: &'a Job,
}

impl<'a> PageSend<'a> {
    pub fn new(job: &'a Job) -> Self {
        Self { job }
    }
}

impl crate::email::send::Observer for PageSend<'_> {
    fn start(&mut self, total: usize) {
        self.job.view.lock().planned = total;
    }

    fn outcome(
        &mut self,
        entry: &crate::email::OutboxEntry,
        outcome: crate::email::send::Outcome,
        reply: &str,
    ) {
        use crate::email::send::Outcome;
        let mut view = self.job.view.lock();
        view.done += 1;
        match outcome {
            Outcome::Refused => {
                view.failed += 1;
                view.warnings
                    .push(format!("refused: {} ({reply})", entry.recipient));
            }
            Outcome::Deferred => {
                view.failed += 1;
                view.warnings.push(format!(
                    "deferred: {} ({reply}); the next send tries again",
                    entry.recipient
                ));
            }
            _ => {}
        }
    }

    fn note(&mut self, line: &str) {
        self.job.view.lock().notes.push(line.to_string());
    }

    fn finish(&mut self) {}
}
