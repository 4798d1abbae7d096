//! Printing diagnostics and errors to stderr, with colour on a terminal.

use std::io::IsTerminal;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use indicatif::{ProgressBar, ProgressStyle};

use crate::diag::{Diagnostic, count};
use crate::error::Error;

/// Writes to stdout or stderr, ignoring a closed pipe: the reader has
/// seen enough, and the command goes on as if it had read everything.
pub fn write_out(to_stderr: bool, args: std::fmt::Arguments) {
    use std::io::Write;
    let _ = if to_stderr {
        std::io::stderr().lock().write_fmt(args)
    } else {
        std::io::stdout().lock().write_fmt(args)
    };
}

/// Prints diagnostics with source snippets.
pub fn emit(diags: &[Diagnostic]) {
    let choice = if std::io::stderr().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut out = StandardStream::stderr(choice);
    for d in diags {
        if d.emit(&mut out).is_err() {
            eprintln!("{d}");
        }
    }
}

/// A progress bar for `total` steps on a terminal; none when quiet or when
/// stderr is not a terminal. `send` uses it too.
pub fn bar(total: usize, quiet: bool) -> Option<ProgressBar> {
    (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(total as u64);
        let style = ProgressStyle::with_template(
            "{bar:32.cyan/blue} {pos}/{len} {msg} [{elapsed}, {eta} left]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    })
}

/// What a command does, for the closing line of its error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads and prints only.
    Reads,
    /// Writes files: an error says that none were.
    Writes,
    /// Sends email from the send log.
    Sends,
}

/// Prints an error the way the command line reports it.
pub fn print_error(err: &Error, effect: Effect) {
    let writes = effect == Effect::Writes;
    match err {
        Error::Content(diags) | Error::Usage(diags) => {
            emit(diags);
            let errors = err.error_count();
            if errors > 1 {
                let nothing = if writes { "; nothing was written" } else { "" };
                eprintln!("{errors} errors{nothing}");
            }
        }
        Error::Failed {
            failed,
            total,
            unreadable,
            set_aside,
        } => {
            if *unreadable > 0 {
                eprintln!(
                    "{} not rendered because of errors",
                    count(*unreadable, "content file was", "content files were")
                );
            }
            if *set_aside > 0 {
                eprintln!(
                    "{} not rendered because of errors",
                    count(*set_aside, "recipient was", "recipients were")
                );
            }
            if *failed > 0 || (*unreadable == 0 && *set_aside == 0) {
                eprintln!(
                    "{failed} of {} failed",
                    count(*total, "document", "documents")
                );
            }
        }
        // The late document's error was shown as it failed.
        Error::TimedOut(_) => {
            eprintln!(
                "the build stopped at the timeout; documents not yet finished were not written"
            )
        }
        Error::System(d) => emit(std::slice::from_ref(d)),
        Error::Interrupted(signal) if effect == Effect::Sends => {
            eprintln!("stopped by {signal} between two messages; the send log is complete")
        }
        Error::Interrupted(signal) if effect == Effect::Reads => {
            eprintln!("stopped by {signal}")
        }
        Error::Interrupted(signal) => {
            eprintln!("stopped by {signal}; finished files were kept, unfinished ones removed")
        }
        Error::Undelivered { refused, total } => eprintln!(
            "{refused} of {} {} not delivered; the send log says which: a rerun tries the deferred ones again, and the refused ones with --retry-refused",
            count(*total, "message", "messages"),
            if *refused == 1 { "was" } else { "were" }
        ),
        Error::Internal(message) => {
            emit(&[Diagnostic::error(format!("internal error: {message}"))
                .with_hint("this is a bug in handout; please report it with the command you ran")])
        }
    }
}
