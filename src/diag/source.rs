//! A source file as diagnostics see it: its name and text, and a lazily
//! built map from YAML paths to positions.

use std::sync::Arc;

use super::locate::{Locator, Pos, Seg, display_path};
use super::{Diagnostic, Severity, Span, offset_of};

/// Where problems are reported against: the file's name and text.
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a Arc<str>,
    locator: std::cell::OnceCell<Locator>,
}

impl<'a> SourceFile<'a> {
    pub fn new(name: &'a str, text: &'a Arc<str>) -> Self {
        Self {
            name,
            text,
            locator: std::cell::OnceCell::new(),
        }
    }

    pub(crate) fn locator(&self) -> &Locator {
        self.locator.get_or_init(|| Locator::new(self.text))
    }

    /// A span that starts at `pos` and covers the token written there.
    pub fn span_at(&self, pos: Pos) -> Span {
        let start = offset_of(self.text, pos.line, pos.column);
        let rest = &self.text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let token = rest[..line_end].trim_end();
        // Point at a key (up to its colon) or at the whole scalar.
        let len = match token.find(": ") {
            Some(i) if !token.starts_with(['"', '\'', '-']) => i,
            _ => token.strip_suffix(':').map_or(token.len(), str::len),
        };
        Span {
            file: self.name.to_string(),
            text: self.text.clone(),
            range: start..start + len.max(1),
        }
    }

    /// An error at `path`: at the value itself when it is a scalar, so the
    /// caret is under what must change, else at its key.
    pub fn error_at(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        let diag = Diagnostic::error(message)
            .in_file(self.name)
            .with_path(display_path(path));
        let locator = self.locator();
        match locator.scalar(path).or_else(|| locator.entry(path)) {
            Some(pos) => diag.with_span(self.span_at(pos)),
            None => diag,
        }
    }

    /// A warning placed as [`SourceFile::error_at`] places an error.
    pub fn warning_at(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..self.error_at(path, message)
        }
    }

    /// An error at the key `key` of the mapping at `path`.
    pub fn error_at_key(&self, path: &[Seg], key: &str, message: impl Into<String>) -> Diagnostic {
        let mut full = path.to_vec();
        full.push(Seg::Key(key.to_string()));
        let diag = Diagnostic::error(message)
            .in_file(self.name)
            .with_path(display_path(&full));
        match self
            .locator()
            .key(path, key)
            .or_else(|| self.locator().value(path))
        {
            Some(pos) => diag.with_span(self.span_at(pos)),
            None => diag,
        }
    }
}
