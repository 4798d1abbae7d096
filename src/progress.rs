//! What a build shows while it runs: a progress bar on a terminal, one line
//! per document otherwise.

use std::io::Write;

use indicatif::ProgressBar;

use crate::batch::{Done, Planned};
use crate::diag::{Diagnostic, Severity, count};
use crate::terminal::emit;

pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    count: usize,
    total: usize,
}

impl Progress {
    pub fn new(total: usize, quiet: bool) -> Self {
        Self {
            bar: crate::terminal::bar(total, quiet),
            quiet,
            count: 0,
            total,
        }
    }

    /// Shows one finished document with its warnings or errors.
    pub fn done(&mut self, doc: &Planned, done: &Done) {
        self.count += 1;
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

    fn print(&self, diags: &[Diagnostic]) {
        match &self.bar {
            Some(bar) => bar.suspend(|| emit(diags)),
            None => emit(diags),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
