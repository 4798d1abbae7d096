//! Errors, split by who can fix them.

use crate::diag::Diagnostic;

#[derive(Debug)]
pub enum Error {
    /// The content or a layout is wrong; the user fixes the files. Exit 1.
    Content(Vec<Diagnostic>),
    /// The arguments don't fit the content, e.g. an unknown goal. Exit 2.
    Usage(Vec<Diagnostic>),
    /// Documents failed to render or be written, or (with `--keep-going`)
    /// content files could not be used. Exit 1.
    Failed {
        failed: usize,
        total: usize,
        unreadable: usize,
    },
    /// A bug or an environment problem that is not the user's doing. Exit 3.
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Content(_) | Error::Failed { .. } => 1,
            Error::Usage(_) => 2,
            Error::Internal(_) => 3,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::Content(vec![d])
    }
}
