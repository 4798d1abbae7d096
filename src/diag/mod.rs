//! Diagnostics shared by every stage: content, layouts and output.
//!
//! A diagnostic carries its own copy of the source text so it can be printed
//! with a snippet after the world that produced it is gone. Source files,
//! YAML positions and the conversion of parser errors live here too, so
//! that every input (content, brand, event, recipients) reports alike.

pub mod locate;
mod source;
mod yaml;

pub use locate::{Locator, Pos, Seg, display_path};
pub use source::SourceFile;
pub use yaml::{did_you_mean, serde_error, strip_positions, yaml_error};

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::{Deserialize, Serialize};

/// `1 page`, `2 pages`: a count for messages.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Why a file or folder could not be read or written, in words for a
/// message: `no such file`, `permission denied`, or the system's own.
/// `what` is `file` or `folder`.
pub fn io_reason(e: &std::io::Error, what: &str) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("no such {what}"),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// Why an input file must not be read, if it must not: it is not a
/// regular file (a pipe would block, a device might never end), or it is
/// larger than `max` bytes. Checked before reading; an error in reading is
/// the caller's to report.
pub fn unreadable_input(path: &std::path::Path, max: u64) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return Some("this is a folder, not a file".into());
    }
    if !meta.is_file() {
        return Some("this is not a regular file (a pipe or a device)".into());
    }
    (meta.len() > max).then(|| {
        format!(
            "this file is {:.1} MB, more than the {} MB limit",
            meta.len() as f64 / 1_048_576.0,
            (max / 1_048_576).max(1)
        )
    })
}

/// `--deny-warnings`: every warning becomes an error that says why.
/// Returns whether there was one.
pub fn deny_warnings(diags: &mut [Diagnostic]) -> bool {
    let mut any = false;
    for d in diags.iter_mut().filter(|d| d.severity == Severity::Warning) {
        d.severity = Severity::Error;
        d.hints
            .push("--deny-warnings turns warnings into errors".into());
        any = true;
    }
    any
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information that needs no action.
    Note,
}

/// A place in a file: the display name, the text and the byte range.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Span {
    pub file: String,
    pub text: Arc<str>,
    pub range: Range<usize>,
}

impl Span {
    /// One-based line and column (in characters) of the start.
    pub fn line_column(&self) -> (usize, usize) {
        line_column_in(&self.text, self.range.start)
    }
}

/// One-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// As [`line_column`], with the text's line starts kept between calls, so
/// that thousands of diagnostics in one file take linear time.
pub fn line_column_in(text: &Arc<str>, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let starts = line_starts(text);
    let line = starts.partition_point(|&s| s <= offset);
    let line_start = starts[line - 1];
    (line, text[line_start..offset].chars().count() + 1)
}

/// Where each line of `text` starts. The last text asked about is kept,
/// with a reference to it, so that its memory cannot be reused by another
/// text while the cache holds its line starts.
fn line_starts(text: &Arc<str>) -> Arc<Vec<usize>> {
    type Cache = Option<(Arc<str>, Arc<Vec<usize>>)>;
    thread_local! {
        static LAST: std::cell::RefCell<Cache> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        if let Some((cached, starts)) = &*last.borrow()
            && Arc::ptr_eq(cached, text)
        {
            return starts.clone();
        }
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let starts = Arc::new(starts);
        *last.borrow_mut() = Some((text.clone(), starts.clone()));
        starts
    })
}

/// The lines of one text around a span, for printing a snippet without
/// indexing the whole text for every diagnostic.
struct Snippet<'a> {
    name: &'a str,
    text: &'a str,
    starts: Arc<Vec<usize>>,
}

impl<'a> codespan_reporting::files::Files<'a> for Snippet<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.text)
    }

    fn line_index(
        &'a self,
        (): (),
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        Ok(self.starts.partition_point(|&s| s <= byte) - 1)
    }

    fn line_range(
        &'a self,
        (): (),
        line: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let start =
            *self
                .starts
                .get(line)
                .ok_or(codespan_reporting::files::Error::LineTooLarge {
                    given: line,
                    max: self.starts.len() - 1,
                })?;
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }
}

/// Byte offset of a one-based line and column (in characters).
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    rest[..line_len]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(start + line_len, |(i, _)| start + i)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Serialisable, so worker processes can send their diagnostics back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file the problem is in, when it is in one.
    pub file: Option<String>,
    pub span: Option<Box<Span>>,
    /// Where in the YAML document, e.g. `comparison.factors[2].values`.
    pub path: Option<String>,
    pub message: String,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: None,
            span: None,
            path: None,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.file = Some(span.file.clone());
        self.span = Some(Box::new(span));
        self
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        if !path.is_empty() {
            self.path = Some(path);
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// `file:line:column`, as far as it is known.
    pub fn location(&self) -> Option<String> {
        match (&self.span, &self.file) {
            (Some(span), _) => {
                let (line, column) = span.line_column();
                Some(format!("{}:{line}:{column}", span.file))
            }
            (None, Some(file)) => Some(file.clone()),
            _ => None,
        }
    }

    /// Prints the diagnostic with a source snippet, as compilers do.
    pub fn emit(&self, out: &mut dyn WriteColor) -> std::io::Result<()> {
        let mut cs = match self.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
            Severity::Note => CsDiagnostic::note(),
        };
        let mut message = self.message.clone();
        if let Some(path) = &self.path {
            message = format!("{message} (at `{path}`)");
        }
        cs = cs.with_message(message);
        let mut notes: Vec<String> = self.hints.iter().map(|h| format!("hint: {h}")).collect();
        let config = term::Config::default();
        match &self.span {
            Some(span) => {
                let file = Snippet {
                    name: &span.file,
                    text: &span.text,
                    starts: line_starts(&span.text),
                };
                let mut range = span.range.clone();
                range.start = range.start.min(span.text.len());
                range.end = range.end.clamp(range.start, span.text.len());
                cs = cs
                    .with_labels(vec![Label::primary((), range)])
                    .with_notes(notes);
                term::emit(out, &config, &file, &cs).map_err(std::io::Error::other)
            }
            None => {
                if let Some(file) = &self.file {
                    notes.insert(0, format!("in {file}"));
                }
                cs = cs.with_notes(notes);
                let file = SimpleFile::new("", "");
                term::emit(out, &config, &file, &cs).map_err(std::io::Error::other)
            }
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location() {
            write!(f, "{location}: ")?;
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{kind}: {}", self.message)?;
        if let Some(path) = &self.path {
            write!(f, " (at `{path}`)")?;
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing: a new text in the memory of a dropped one must not
    /// get the dropped one's line starts.
    #[test]
    fn line_starts_never_outlive_their_text() {
        for round in 0..200 {
            let a: Arc<str> = format!("{}\n{}", "a".repeat(round % 7), "b".repeat(40)).into();
            let _ = line_column_in(&a, a.len() - 1);
            let len = a.len();
            drop(a);
            let b: Arc<str> = "Р".repeat(len / 2).into();
            let at = b.len() - 2;
            assert_eq!(line_column_in(&b, at), line_column(&b, at));
        }
    }

    #[test]
    fn offsets_and_positions_round_trip() {
        let text = "a: 1\nbé: xyz\n";
        let off = offset_of(text, 2, 5);
        assert_eq!(&text[off..off + 3], "xyz");
        assert_eq!(line_column(text, off), (2, 5));
        assert_eq!(offset_of(text, 9, 1), text.len());
    }
}
