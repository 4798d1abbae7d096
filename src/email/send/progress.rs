//! What a send shows while it runs. The terminal draws a bar with a line per
//! refusal; the preview page keeps counts and lines of its own. Both hear
//! the one send loop through [`Observer`].

use indicatif::ProgressBar;

use super::Outcome;
use crate::email::OutboxEntry;

/// Hears a send: how many messages it will try, each one's outcome, and
/// lines worth saying (a retry, a message from an earlier run).
pub trait Observer {
    fn start(&mut self, total: usize);
    fn outcome(&mut self, entry: &OutboxEntry, outcome: Outcome, reply: &str);
    fn note(&mut self, line: &str);
    fn finish(&mut self);
}

/// The terminal's observer: a progress bar, or a line per message sent.
pub struct Terminal {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Terminal {
    pub fn new(quiet: bool) -> Self {
        Self { bar: None, quiet }
    }
}

impl Observer for Terminal {
    fn start(&mut self, total: usize) {
        self.bar = crate::terminal::bar(total, self.quiet);
    }

    fn outcome(&mut self, entry: &OutboxEntry, outcome: Outcome, reply: &str) {
        match outcome {
            Outcome::Deferred => self.note(&format!(
                "deferred: {} ({}): {reply}; the next run tries again",
                entry.recipient, entry.file
            )),
            Outcome::Refused => {
                self.note(&format!(
                    "refused: {} ({}): {reply}",
                    entry.recipient, entry.file
                ));
            }
            _ => {}
        }
        if let Some(bar) = &self.bar {
            bar.set_message(entry.recipient.clone());
            bar.inc(1);
        } else if !self.quiet && outcome == Outcome::Sent {
            println!("sent {} to {}", entry.file, entry.recipient);
        }
    }

    /// A line above the progress bar, or on stderr without one.
    fn note(&mut self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
