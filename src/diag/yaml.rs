//! Turning YAML and serde errors into diagnostics with a location and a fix.
//! Every YAML input (content, brand, event, recipients) reports through these.

use super::locate::{Pos, Seg, display_path};
use super::{Diagnostic, SourceFile};

/// A syntax error from the YAML parser.
pub fn yaml_error(file: &SourceFile, e: &serde_yaml::Error) -> Diagnostic {
    let message = strip_positions(&e.to_string());
    let hint = if message.contains("duplicate entry") {
        "each key may appear once in a mapping; remove or rename the repeated one"
    } else if message.contains("recursion limit") {
        "the document is nested too deeply; content needs only a few levels"
    } else if message.contains("repetition limit") {
        "the document expands too many aliases; write the values out instead"
    } else {
        "check the indentation and quoting near this line; text with `: ` or `#` needs quotes"
    };
    let diag = Diagnostic::error(format!("invalid YAML: {message}"))
        .in_file(file.name)
        .with_hint(hint);
    // libyaml places a duplicate key at the start of its mapping; point at
    // the repeated key itself.
    let duplicate = message
        .strip_prefix("duplicate entry with key \"")
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|key| file.locator().duplicate_key(key));
    let pos = duplicate.or(e.location().map(|loc| Pos {
        line: loc.line(),
        column: loc.column(),
    }));
    match pos {
        Some(pos) => diag.with_span(file.span_at(pos)),
        None => diag,
    }
}

fn path_segments(path: &serde_path_to_error::Path) -> Vec<Seg> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(Seg::Index(*index)),
            Segment::Map { key } => Some(Seg::Key(key.clone())),
            Segment::Enum { variant } => Some(Seg::Key(variant.clone())),
            Segment::Unknown => None,
        })
        .collect()
}

/// Turns a serde error into a located diagnostic with a hint.
pub fn serde_error(
    file: &SourceFile,
    e: &serde_path_to_error::Error<serde_yaml::Error>,
    doc: &str,
) -> Diagnostic {
    let path = path_segments(e.path());
    let message = strip_positions(&e.inner().to_string());
    let quoted = backticked(&message);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let unknown = quoted.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).map(String::as_str).collect();
        // The path may or may not already end in the unknown key.
        let parent: Vec<Seg> = match path.last() {
            Some(Seg::Key(k)) if *k == unknown => path[..path.len() - 1].to_vec(),
            _ => path.clone(),
        };
        let mut diag = file.error_at_key(&parent, &unknown, format!("unknown field `{unknown}`"));
        match did_you_mean(&unknown, &expected) {
            Some(best) => diag = diag.with_hint(format!("did you mean `{best}`?")),
            None if !expected.is_empty() => {
                diag = diag.with_hint(format!("the fields allowed here are {}", list(&expected)))
            }
            None => {}
        }
        let _ = rest;
        return diag;
    }
    if message.starts_with("missing field ") {
        let field = quoted.first().cloned().unwrap_or_default();
        let here = if path.is_empty() {
            "at the top level".to_string()
        } else {
            format!("under `{}`", display_path(&path))
        };
        return file
            .error_at(&path, format!("missing required field `{field}`"))
            .with_hint(format!("add `{field}:` {here}; see {doc}"));
    }
    let hint = if message.contains("expected a string") {
        "write plain text here; put it in quotes if it looks like a number or true/false"
    } else if message.contains("expected a sequence") {
        "write a list here, one `- item` per line"
    } else if message.contains("expected struct") || message.contains("expected a map") {
        "write a mapping here, with one `key: value` per line"
    } else if message.contains("did not match any variant") {
        return file
            .error_at(&path, "this value has the wrong shape")
            .with_hint(format!("see {doc} for the forms this field takes"));
    } else {
        return file
            .error_at(&path, message)
            .with_hint(format!("see {doc} for what this field takes"));
    };
    file.error_at(&path, message).with_hint(hint)
}

/// Removes the " at line L column C" that serde_yaml writes into messages;
/// the position is shown with the snippet instead.
pub fn strip_positions(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let skip = tail
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == ' ' || "column".contains(*c)))
            .map_or(tail.len(), |(j, _)| j);
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest candidate, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(given, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
