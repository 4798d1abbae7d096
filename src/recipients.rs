//! Recipients files: one personal document per row, for a mail merge.
//!
//! A recipients file is CSV, or a YAML or JSON list of objects. Each row
//! has a `name`, and optionally an `email` and a `goal`; every other column
//! is a field that layouts receive as it is. Row problems are collected and
//! reported together, each at its line.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::content::{Seg, SourceFile, did_you_mean, is_id};
use crate::diag::{Diagnostic, Span};
use crate::error::Error;

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

/// The rows of a recipients file that can be rendered, and the ones that
/// cannot.
#[derive(Debug, Clone, Default)]
pub struct Recipients {
    pub file: String,
    pub rows: Vec<Recipient>,
    pub set_aside: Vec<SetAside>,
    /// Names the bundled fonts cannot show.
    pub warnings: Vec<Diagnostic>,
}

/// A row as read, before it is checked.
struct Row {
    line: usize,
    /// Where each cell starts, for messages.
    cells: Vec<(String, String, Span)>,
    span: Span,
}

/// How a recipients file is read and checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules<'a> {
    pub delimiter: Option<u8>,
    /// The goal ids of the content; a row's goal must be one of them.
    pub goals: &'a [&'a str],
    /// Set rows with problems aside instead of failing the whole file.
    pub keep_going: bool,
    /// Every row needs an address a mail server accepts (`--eml`).
    pub require_email: bool,
}

/// Reads a recipients file and checks every row by `rules`.
pub fn load(path: &Path, rules: Rules) -> Result<Recipients, Error> {
    let Rules {
        delimiter,
        goals,
        keep_going,
        require_email,
    } = rules;
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
            format!("cannot read recipients file: {}", e.kind()).to_lowercase(),
            "check the path given to --recipients",
        )
    })?;
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
        "yaml" | "yml" | "json" => structured_rows(&name, &text)?,
        _ => csv_rows(&name, &text, delimiter)?,
    };
    let mut out = Recipients {
        file: name.clone(),
        ..Recipients::default()
    };
    let mut emails: HashMap<String, usize> = HashMap::new();
    let mut slugs: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let mut problems = Vec::new();
        let mut recipient = Recipient {
            line: row.line,
            name: String::new(),
            email: None,
            goal: None,
            fields: BTreeMap::new(),
            slug: String::new(),
        };
        let mut has_name = false;
        for (column, value, span) in row.cells {
            match column.as_str() {
                "name" => {
                    has_name = true;
                    if value.trim().is_empty() {
                        problems.push(at(
                            &span,
                            "the name is empty",
                            "every row needs the person's name",
                        ));
                    } else if value.contains(['\r', '\n']) {
                        problems.push(at(
                            &span,
                            "the name holds a line break",
                            "write the name on one line",
                        ));
                    }
                    recipient.name = value.trim().to_string();
                    if let Some(missing) = crate::content::missing_glyphs(&value) {
                        out.warnings.push(
                            Diagnostic::warning(missing.message)
                                .with_span(span.clone())
                                .with_hint(missing.hint),
                        );
                    }
                }
                "email" if !value.trim().is_empty() => {
                    let email = value.trim();
                    if email.contains(['\r', '\n']) {
                        problems.push(at(
                            &span,
                            "the email address holds a line break",
                            "an address is one line; a line break could add mail headers",
                        ));
                    } else if !is_email(email)
                        || (require_email && email.parse::<lettre::Address>().is_err())
                    {
                        problems.push(at(
                            &span,
                            format!("`{email}` is not an email address"),
                            "write it as name@example.org",
                        ));
                    } else if let Some(first) = emails.insert(email.to_lowercase(), row.line) {
                        problems.push(at(
                            &span,
                            format!("`{email}` is also on line {first}"),
                            "each person once: remove the repeated row",
                        ));
                    }
                    recipient.email = Some(email.to_string());
                }
                "goal" if !value.trim().is_empty() => {
                    let goal = value.trim();
                    if !goals.contains(&goal) {
                        let hint = match did_you_mean(goal, goals) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None if goals.is_empty() => {
                                "the content declares no goals; leave `goal` empty".into()
                            }
                            None => format!(
                                "the goals are: {}; leave it empty for the generic handout",
                                goals.join(", ")
                            ),
                        };
                        problems.push(at(&span, format!("there is no goal `{goal}`"), &hint));
                    }
                    recipient.goal = Some(goal.to_string());
                }
                "email" | "goal" => {}
                _ => {
                    recipient.fields.insert(column, value);
                }
            }
        }
        if !has_name {
            problems.push(at(&row.span, "the row has no name", "add a `name` column"));
        }
        if require_email && recipient.email.is_none() {
            problems.push(at(
                &row.span,
                format!("{} has no email address", if recipient.name.is_empty() { "the row" } else { &recipient.name }),
                "--eml writes an email to every person: add the address, or remove the row (--keep-going sets it aside)",
            ));
        }
        if problems.is_empty() {
            let base = slug(&recipient.name);
            recipient.slug = match slugs.insert(base.clone(), row.line) {
                None => base,
                Some(_) => format!("{base}-{}", row.line),
            };
            out.rows.push(recipient);
        } else {
            out.set_aside.push(SetAside {
                line: row.line,
                name: recipient.name,
                errors: problems,
            });
        }
    }
    // Problems of the file itself (its header, its syntax) stop the build
    // even with --keep-going; a row's problems set that row aside.
    let file_errors = !errors.is_empty();
    errors.extend(out.set_aside.iter().flat_map(|s| s.errors.clone()));
    if file_errors || (!errors.is_empty() && (!keep_going || out.rows.is_empty())) {
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

fn at(span: &Span, message: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic::error(message)
        .with_span(span.clone())
        .with_hint(hint)
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

fn span_of(name: &str, text: &Arc<str>, start: usize, len: usize) -> Span {
    Span {
        file: name.to_string(),
        text: text.clone(),
        range: start..(start + len.max(1)).min(text.len().max(start + 1)),
    }
}

/// Rows of a CSV file; the delimiter is `,` or `;`, whichever the header
/// line holds more of, unless given.
fn csv_rows(
    name: &str,
    text: &Arc<str>,
    delimiter: Option<u8>,
) -> Result<(Vec<Row>, Vec<Diagnostic>), Error> {
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = delimiter.unwrap_or_else(|| {
        if header_line.matches(';').count() > header_line.matches(',').count() {
            b';'
        } else {
            b','
        }
    });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            Error::Content(vec![
                Diagnostic::error(format!("cannot read the header line: {e}")).in_file(name),
            ])
        })?
        .clone();
    let mut errors = Vec::new();
    let columns: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
    let mut offset = 0;
    for column in &columns {
        let start = header_line[offset..]
            .find(column.as_str())
            .map_or(offset, |i| offset + i);
        offset = start + column.len();
        if !is_id(column) {
            errors.push(
                Diagnostic::error(format!("column `{column}` is not an id"))
                    .with_span(span_of(name, text, start, column.len()))
                    .with_hint("name columns with lowercase letters, digits, `-` and `_`, such as `first_name`"),
            );
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                let start = e.position().map_or(0, |p| p.byte() as usize);
                errors.push(
                    Diagnostic::error(format!("cannot read line {line}: {e}"))
                        .with_span(span_of(name, text, start, 1))
                        .with_hint("check the quotes on this line: a field with a quote inside is written \"like \"\"this\"\"\""),
                );
                continue;
            }
        };
        let Some(pos) = record.position() else {
            continue;
        };
        let start = pos.byte() as usize;
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let raw = &text[start..line_end];
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut cells = Vec::new();
        let mut from = 0;
        for (i, value) in record.iter().enumerate() {
            let column = columns
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("column_{}", i + 1));
            let first = value.lines().next().unwrap_or_default();
            let at = raw[from..].find(first).map_or(from, |j| from + j);
            from = (at + first.len()).min(raw.len());
            cells.push((
                column,
                value.to_string(),
                span_of(name, text, start + at, first.len()),
            ));
        }
        rows.push(Row {
            line: pos.line() as usize,
            cells,
            span: span_of(name, text, start, raw.trim_end().len()),
        });
    }
    Ok((rows, errors))
}

/// Rows of a YAML or JSON list of objects.
fn structured_rows(name: &str, text: &Arc<str>) -> Result<(Vec<Row>, Vec<Diagnostic>), Error> {
    let file = SourceFile::new(name, text);
    let value: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| Error::Content(vec![crate::content::yaml_error(&file, &e)]))?;
    let Some(items) = value.as_sequence() else {
        return Err(Error::Content(vec![
            file.error_at(&[], "a recipients file is a list of people")
                .with_hint("write one `- name: …` entry per person, or use CSV"),
        ]));
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = [Seg::Index(i)];
        let Some(map) = item.as_mapping() else {
            errors.push(file.error_at(
                &here,
                "each person is an object such as `{name: Ana, email: ana@example.org}`",
            ));
            continue;
        };
        let entry = file.error_at(&here, "");
        let span = entry
            .span
            .map(|s| *s)
            .unwrap_or_else(|| span_of(name, text, 0, 1));
        let line = span.line_column().0;
        let mut cells = Vec::new();
        for (k, v) in map {
            let key = k.as_str().unwrap_or_default().to_string();
            let path = [Seg::Index(i), Seg::Key(key.clone())];
            if !is_id(&key) {
                errors.push(
                    file.error_at_key(&here, &key, format!("field `{key}` is not an id"))
                        .with_hint("name fields with lowercase letters, digits, `-` and `_`"),
                );
                continue;
            }
            let value = match v {
                serde_yaml::Value::String(s) => s.clone(),
                serde_yaml::Value::Number(n) => n.to_string(),
                serde_yaml::Value::Bool(b) => b.to_string(),
                serde_yaml::Value::Null => String::new(),
                _ => {
                    errors.push(
                        file.error_at(&path, format!("`{key}` must be text"))
                            .with_hint("recipients' fields are plain values"),
                    );
                    continue;
                }
            };
            let cell = file.error_at(&path, "");
            let cell_span = cell.span.map(|s| *s).unwrap_or_else(|| span.clone());
            cells.push((key, value, cell_span));
        }
        rows.push(Row { line, cells, span });
    }
    Ok((rows, errors))
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
