//! Recipients files: one personal document per row, for a mail merge.
//!
//! A recipients file is CSV, or a YAML or JSON list of objects. Each row
//! has a `name`, and optionally an `email` and a `goal`; every other column
//! is a field that layouts receive as it is. Row problems are collected and
//! reported together, each at its line.

mod check;
mod read;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Span};
use crate::error::Error;
use crate::fonts::Coverage;

/// Recipients files larger than this are refused before parsing.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One row: a person to make a document for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    /// The row's line in its file, counted from 1.
    pub line: usize,
    pub name: String,
    pub email: Option<String>,
    /// A goal id of the content; none for the generic handout.
    pub goal: Option<String>,
    /// The other columns, by name.
    pub fields: BTreeMap<String, String>,
    /// For file names: ASCII, unique within the file.
    pub slug: String,
}

/// A row set aside by `--keep-going`, with its problems.
#[derive(Debug, Clone)]
pub struct SetAside {
    pub line: usize,
    pub name: String,
    pub errors: Vec<Diagnostic>,
}

/// A row left out because its address is on the suppression list.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub line: usize,
    pub name: String,
    pub email: String,
}

/// The rows of a recipients file that can be rendered, and the ones that
/// cannot.
#[derive(Debug, Clone, Default)]
pub struct Recipients {
    pub file: String,
    pub rows: Vec<Recipient>,
    pub set_aside: Vec<SetAside>,
    /// Rows on the suppression list (`--suppress`): no draft, no document.
    pub suppressed: Vec<Suppressed>,
    /// Names the bundled fonts cannot show.
    pub warnings: Vec<Diagnostic>,
}

impl Recipients {
    /// Every column of the rows, sorted: the placeholders templates may use.
    pub fn columns(&self) -> Vec<&str> {
        let mut columns: Vec<&str> = self
            .rows
            .iter()
            .flat_map(|r| r.fields.keys().map(String::as_str))
            .collect();
        columns.sort_unstable();
        columns.dedup();
        columns
    }
}

/// A row as read, before it is checked.
struct Row {
    line: usize,
    /// Where each cell starts, for messages.
    cells: Vec<(String, String, Span)>,
    span: Span,
}

/// How a recipients file is read and checked.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub delimiter: Option<u8>,
    /// The goal ids of the content; a row's goal must be one of them.
    pub goals: &'a [&'a str],
    /// Set rows with problems aside instead of failing the whole file.
    pub keep_going: bool,
    /// Every row needs an address a mail server accepts (`--eml`).
    pub require_email: bool,
    /// With `--smtputf8`: an address's local part may be non-ASCII.
    pub smtputf8: bool,
    /// The build's fonts: a name they cannot show is a warning.
    pub coverage: &'a Coverage,
}

/// Reads a recipients file and checks every row by `rules`.
pub fn load(path: &Path, rules: Rules) -> Result<Recipients, Error> {
    let name = path.display().to_string();
    let fail = |message: String, hint: &str| {
        Error::Content(vec![
            Diagnostic::error(message)
                .in_file(name.clone())
                .with_hint(hint),
        ])
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(
            format!(
                "cannot read recipients file: {}",
                crate::diag::io_reason(&e, "file")
            ),
            "check the path given to --recipients",
        )
    })?;
    if !meta.is_file() {
        return Err(fail(
            "the recipients file is not a regular file (a pipe, a device or a folder)".into(),
            "give --recipients a CSV, YAML or JSON file",
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(fail(
            "recipients file is larger than 64 MB".into(),
            "split the list and run one build per part",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(
            format!("cannot read recipients file: {e}"),
            "check its permissions",
        )
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text: Arc<str> = match std::str::from_utf8(bytes) {
        Ok(t) => t.into(),
        Err(e) => {
            return Err(fail(
                format!(
                    "recipients file is not valid UTF-8 (byte {})",
                    e.valid_up_to()
                ),
                "save it as UTF-8 (in a spreadsheet: CSV UTF-8)",
            ));
        }
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (rows, mut errors) = match ext.as_str() {
        "yaml" | "yml" | "json" => read::structured_rows(&name, &text)?,
        _ => read::csv_rows(&name, &text, rules.delimiter)?,
    };
    let mut out = Recipients {
        file: name.clone(),
        ..Recipients::default()
    };
    let mut checker = check::Checker::new(rules);
    for row in rows {
        checker.row(row, &mut out);
    }
    // Problems of the file itself (its header, its syntax) stop the build
    // even with --keep-going; a row's problems set that row aside.
    let file_errors = !errors.is_empty();
    errors.extend(out.set_aside.iter().flat_map(|s| s.errors.clone()));
    if file_errors || (!errors.is_empty() && (!rules.keep_going || out.rows.is_empty())) {
        return Err(Error::Content(errors));
    }
    if out.rows.is_empty() {
        return Err(fail(
            "the recipients file has no rows".into(),
            "add one row per person, under a header line such as `name,email,goal`",
        ));
    }
    Ok(out)
}

/// A plain check: one `@`, something on each side, a dot in the domain,
/// no spaces. Mail servers decide the rest.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.contains('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
}

/// ASCII for file names: `Zoë Ñúñez` → `zoe-nunez`.
pub fn slug(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_ascii_lowercase();
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "recipient".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Zoë Ñúñez"), "zoe-nunez");
        assert_eq!(slug("  O'Brien, Seán "), "o-brien-sean");
        assert_eq!(slug("#set page(width: 1pt)"), "set-page-width-1pt");
        assert_eq!(slug("李小龙"), "li-xiao-long");
        assert_eq!(slug("!!!"), "recipient");
    }

    #[test]
    fn email_addresses() {
        assert!(is_email("ana@example.org"));
        for bad in [
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "ana@example.org\r\nBcc: x@y.z",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
