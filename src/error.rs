//! Errors, split by who can fix them; each kind has its exit code.

use std::fmt;

use crate::diag::{Diagnostic, Severity};
use crate::signal::Signal;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The content or a layout is wrong; the user fixes the files. Exit 1.
    #[error("{}", Plain(.0))]
    Content(Vec<Diagnostic>),
    /// The arguments don't fit the content, e.g. an unknown goal. Exit 2.
    #[error("{}", Plain(.0))]
    Usage(Vec<Diagnostic>),
    /// Documents failed to render or be written, or (with `--keep-going`)
    /// content files could not be used. Exit 1.
    #[error("{failed} of {} failed", crate::diag::count(*.total, "document", "documents"))]
    Failed {
        failed: usize,
        total: usize,
        unreadable: usize,
        /// Rows of `--recipients` with errors.
        set_aside: usize,
    },
    /// The mail server refused or deferred some messages; the rest were
    /// sent. Exit 1.
    #[error("{refused} of {} not delivered", crate::diag::count(*.total, "message", "messages"))]
    Undelivered { refused: usize, total: usize },
    /// A document took longer than `--timeout`; the build stopped. Exit 1.
    #[error("{0}")]
    TimedOut(Box<Diagnostic>),
    /// Ctrl-C or SIGTERM stopped the build. Exit 130 or 143.
    #[error("interrupted by {0}")]
    Interrupted(Signal),
    /// The machine refused something that is not the user's files, such as
    /// starting a file watcher or a thread. Exit 3.
    #[error("{0}")]
    System(Box<Diagnostic>),
    /// A bug in handout. Exit 3.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Content(_)
            | Error::Failed { .. }
            | Error::Undelivered { .. }
            | Error::TimedOut(_) => 1,
            Error::Usage(_) => 2,
            Error::System(_) | Error::Internal(_) => 3,
            Error::Interrupted(signal) => signal.exit_code(),
        }
    }

    /// A usage error with one message and a hint.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage(vec![Diagnostic::error(message).with_hint(hint)])
    }

    /// A system error with one message and a hint.
    pub fn system(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::System(Box::new(Diagnostic::error(message).with_hint(hint)))
    }

    /// How many errors the diagnostics hold, for the closing line.
    pub fn error_count(&self) -> usize {
        match self {
            Error::Content(diags) | Error::Usage(diags) => diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
            _ => 1,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::Content(vec![d])
    }
}

/// Diagnostics as plain text, one after another.
struct Plain<'a>(&'a [Diagnostic]);

impl fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_readme() {
        assert_eq!(Error::Content(vec![]).exit_code(), 1);
        assert_eq!(Error::usage("x", "y").exit_code(), 2);
        assert_eq!(Error::system("x", "y").exit_code(), 3);
        assert_eq!(Error::Interrupted(Signal::Interrupt).exit_code(), 130);
        assert_eq!(Error::Interrupted(Signal::Terminate).exit_code(), 143);
    }

    #[test]
    fn errors_display_as_plain_text() {
        let e = Error::Usage(vec![Diagnostic::error("no goal `x`").with_hint("try `y`")]);
        assert_eq!(e.to_string(), "error: no goal `x`\n  hint: try `y`");
    }
}
