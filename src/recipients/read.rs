//! Reading a recipients file into rows: CSV, or a YAML or JSON list.

use std::sync::Arc;

use super::Row;
use crate::content::is_id;
use crate::diag::{Diagnostic, Seg, SourceFile, Span};
use crate::error::Error;

fn span_of(name: &str, text: &Arc<str>, start: usize, len: usize) -> Span {
    Span {
        file: name.to_string(),
        text: text.clone(),
        range: start..(start + len.max(1)).min(text.len().max(start + 1)),
    }
}

/// Every column must be an id, and named once; each problem is placed at
/// its header cell, found in the text up to `header_end`.
fn check_columns(
    name: &str,
    text: &Arc<str>,
    columns: &[String],
    header_end: usize,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut offset = 0;
    let mut seen: Vec<&str> = Vec::new();
    for column in columns {
        // A cell written with quotes, or with a line break inside, is not
        // found as it reads; it is then placed at the previous one.
        let start = text[offset..header_end]
            .find(column.as_str())
            .map_or(offset, |i| offset + i);
        if start > offset || text[offset..].starts_with(column.as_str()) {
            offset = start + column.len();
        }
        let span = span_of(name, text, start, column.len());
        if !is_id(column) {
            errors.push(
                Diagnostic::error(format!("column `{}` is not an id", column.escape_debug()))
                    .with_span(span)
                    .with_hint("name columns with lowercase letters, digits, `-` and `_`, such as `first_name`"),
            );
        } else if seen.contains(&column.as_str()) {
            errors.push(
                Diagnostic::error(format!("column `{column}` appears twice"))
                    .with_span(span)
                    .with_hint("name each column once; rename or remove the second"),
            );
        }
        seen.push(column);
    }
    errors
}

/// Rows of a CSV file; the delimiter is `,` or `;`, whichever the header
/// line holds more of, unless given.
pub(super) fn csv_rows(
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
    // Where the header ends, as the reader counts it: a quoted header cell
    // may hold a line break.
    let header_end = (reader.position().byte() as usize).min(text.len());
    errors.extend(check_columns(name, text, &columns, header_end));
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
        // With CRLF line ends, the reader's position can fall on the end
        // of the line before; the row starts after it.
        let mut start = (pos.byte() as usize).min(text.len());
        while text[start..].starts_with(['\r', '\n']) {
            start += 1;
        }
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let raw = &text[start..line_end];
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // Lines counted from the byte offset, so that CRLF files and quoted
        // line breaks number them as an editor does.
        let line = crate::diag::line_column_in(text, start).0;
        if record.len() > columns.len() {
            errors.push(
                Diagnostic::error(format!(
                    "line {line} has {} fields, but the header names {} columns",
                    record.len(),
                    columns.len()
                ))
                .with_span(span_of(name, text, start, raw.trim_end().len()))
                .with_hint(
                    "put a field that holds the delimiter in quotes, such as \"Smith, John\"",
                ),
            );
            continue;
        }
        let cells = cells_of(name, text, &columns, &record, start, raw);
        rows.push(Row {
            line,
            cells,
            span: span_of(name, text, start, raw.trim_end().len()),
        });
    }
    Ok((rows, errors))
}

/// The cells of a record with their columns, each placed where its text
/// starts in `raw`, the record's line at byte `start`.
fn cells_of(
    name: &str,
    text: &Arc<str>,
    columns: &[String],
    record: &csv::StringRecord,
    start: usize,
    raw: &str,
) -> Vec<(String, String, Span)> {
    let mut cells = Vec::new();
    let mut from = 0;
    for (i, value) in record.iter().enumerate() {
        let column = columns
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column_{}", i + 1));
        let first = value.lines().next().unwrap_or_default();
        let at = match raw[from..].find(first) {
            Some(j) => {
                let at = from + j;
                from = at + first.len();
                at
            }
            None => from,
        };
        cells.push((
            column,
            value.to_string(),
            span_of(name, text, start + at, first.len()),
        ));
    }
    cells
}

/// Rows of a YAML or JSON list of objects.
pub(super) fn structured_rows(
    name: &str,
    text: &Arc<str>,
) -> Result<(Vec<Row>, Vec<Diagnostic>), Error> {
    let file = SourceFile::new(name, text);
    let value: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| Error::Content(vec![crate::diag::yaml_error(&file, &e)]))?;
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
