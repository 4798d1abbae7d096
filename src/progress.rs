//! What a build shows while it runs: a progress bar on a terminal, one line
//! per document otherwise; the preview page shows the same through its own
//! [`Observer`].

use std::io::Write;

use indicatif::ProgressBar;

use crate::batch::{Done, Planned};
use crate::diag::{Diagnostic, Severity, count};
use crate::terminal::emit;

/// Hears a build's progress: the documents planned, then each one as it is
/// done. The terminal and the preview page each have one; both read the same
/// build.
pub trait Observer {
    fn start(&mut self, total: usize);
    fn done(&mut self, doc: &Planned, done: &Done);
    fn finish(&mut self);
}

/// The terminal's observer.
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    count: usize,
    total: usize,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Self {
            bar: None,
            quiet,
            count: 0,
            total: 0,
        }
    }

    fn print(&self, diags: &[Diagnostic]) {
        match &self.bar {
            Some(bar) => bar.suspend(|| emit(diags)),
            None => emit(diags),
        }
    }
}

impl Observer for Progress {
    fn start(&mut self, total: usize) {
        self.total = total;
        self.bar = crate::terminal::bar(total, self.quiet);
    }

    /// Shows one finished document with its warnings or errors.
    fn done(&mut self, doc: &Planned, done: &Done) {
        self.count += 1;
        // A reused document gets no line of its own (the closing line
        // counts them), but its warnings are said again, as cargo replays
        // a cached crate's, so that a cached CI build does not hide them.
        if let Some(w) = done.result.as_ref().ok().filter(|w| w.reused) {
            self.print(&w.warnings);
            if let Some(bar) = &self.bar {
                bar.inc(1);
            }
            return;
        }
        let (warnings, errors) = match &done.result {
            Ok(w) => (w.warnings.clone(), Vec::new()),
            Err(diags) => diags
                .iter()
                .cloned()
                .partition(|d| d.severity == Severity::Warning),
        };
        let name = doc.output.display();
        match &done.result {
            Ok(w) => {
                self.print(&warnings);
                match &self.bar {
                    Some(bar) => {
                        bar.set_message(name.to_string());
                        bar.inc(1);
                    }
                    None if !self.quiet => {
                        let _ = writeln!(
                            std::io::stdout().lock(),
                            "[{}/{}] wrote {name} ({}, {} KB, {} ms)",
                            self.count,
                            self.total,
                            count(w.pages, "page", "pages"),
                            w.bytes.div_ceil(1024),
                            done.millis
                        );
                        if let Some(note) = &w.note {
                            let _ = writeln!(std::io::stdout().lock(), "      note: {note}");
                        }
                    }
                    None => {}
                }
            }
            Err(_) => {
                let line = format!("[{}/{}] failed {name}", self.count, self.total);
                match &self.bar {
                    Some(bar) => {
                        bar.suspend(|| eprintln!("{line}"));
                        bar.inc(1);
                    }
                    None => eprintln!("{line}"),
                }
                self.print(&errors);
                self.print(&warnings);
            }
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
