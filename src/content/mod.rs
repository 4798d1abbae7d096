//! Loading, checking and locating comparison content.

mod locate;
mod model;
mod scaffold;
mod validate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use locate::{Locator, Pos, Seg, display_path};
pub use model::*;
pub use scaffold::scaffold;
pub use validate::{is_id, parse_date};

use crate::diag::{Diagnostic, Span, offset_of};

/// Content files larger than this are refused before parsing.
pub const MAX_CONTENT_BYTES: u64 = 4 * 1024 * 1024;

/// A content file that parsed and passed validation.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    /// The name used in messages.
    pub name: String,
    pub text: Arc<str>,
    pub content: Content,
    /// Problems that do not stop rendering, such as characters the bundled
    /// fonts cannot show.
    pub warnings: Vec<Diagnostic>,
}

/// Where problems are reported against: the file's name and text.
pub(crate) struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a Arc<str>,
    locator: std::cell::OnceCell<Locator>,
}

impl<'a> SourceFile<'a> {
    fn new(name: &'a str, text: &'a Arc<str>) -> Self {
        Self {
            name,
            text,
            locator: std::cell::OnceCell::new(),
        }
    }

    fn locator(&self) -> &Locator {
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

    /// An error at the value of `path`.
    pub fn error_at(&self, path: &[Seg], message: impl Into<String>) -> Diagnostic {
        let diag = Diagnostic::error(message)
            .in_file(self.name)
            .with_path(display_path(path));
        match self.locator().entry(path) {
            Some(pos) => diag.with_span(self.span_at(pos)),
            None => diag,
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

/// Reads, parses and validates one content file, collecting every problem.
pub fn load(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let fail = |d: Diagnostic| vec![d.in_file(name.clone())];
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(
            Diagnostic::error(format!("cannot read content file: {}", io_reason(&e))).with_hint(
                "check the path; content files are YAML files such as content/<id>.yaml",
            ),
        )
    })?;
    if meta.is_dir() {
        return Err(fail(
            Diagnostic::error("expected a content file but found a folder")
                .with_hint("pass the YAML files inside it, or use `handout build <folder>`"),
        ));
    }
    if meta.len() > MAX_CONTENT_BYTES {
        return Err(fail(
            Diagnostic::error(format!(
                "content file is {} MB, more than the {} MB limit",
                meta.len() / (1024 * 1024),
                MAX_CONTENT_BYTES / (1024 * 1024)
            ))
            .with_hint("one content file describes one comparison page; split it up"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(Diagnostic::error(format!(
            "cannot read content file: {}",
            io_reason(&e)
        )))
    })?;
    let text = decode(&name, bytes)?;
    let (content, warnings) = parse(&name, &text)?;
    Ok(Loaded {
        path: path.to_path_buf(),
        name,
        text,
        content,
        warnings,
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// UTF-8 with an optional byte-order mark; CRLF is fine for YAML.
fn decode(name: &str, bytes: Vec<u8>) -> Result<Arc<str>, Vec<Diagnostic>> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text.into()),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let good: Arc<str> = String::from_utf8_lossy(&bytes[..valid]).into_owned().into();
            let span = Span {
                file: name.to_string(),
                text: good.clone(),
                range: valid..valid,
            };
            Err(vec![
                Diagnostic::error(format!("content is not valid UTF-8 (byte {valid})"))
                    .with_span(span)
                    .with_hint("save the file as UTF-8 in your editor"),
            ])
        }
    }
}

/// Parses YAML text into content and validates it. Returns the content and
/// its warnings.
pub fn parse(name: &str, text: &Arc<str>) -> Result<(Content, Vec<Diagnostic>), Vec<Diagnostic>> {
    let file = SourceFile::new(name, text);
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| vec![yaml_error(&file, &e)])?;
    if value.is_null() {
        return Err(vec![
            Diagnostic::error("content file is empty")
                .in_file(name)
                .with_hint("run `handout new <id>` for a starting point, or see docs/content.md"),
        ]);
    }
    if !value.is_mapping() {
        return Err(vec![
            file.error_at(
                &[],
                "content must be a mapping of keys such as `id:` and `title:`",
            )
            .with_hint("see docs/content.md for the layout of a content file"),
        ]);
    }
    let content = match deserialize(&value) {
        Ok(content) => content,
        Err(_) => return Err(section_errors(&file, &value)),
    };
    let errors = validate::validate(&file, &content);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut warnings = Vec::new();
    glyph_warnings(&file, &value, &mut Vec::new(), &mut warnings);
    Ok((content, warnings))
}

fn deserialize(
    value: &serde_yaml::Value,
) -> Result<Content, serde_path_to_error::Error<serde_yaml::Error>> {
    serde_path_to_error::deserialize(value)
}

/// Fields that are never printed as text.
const NOT_PRINTED: [&str; 7] = [
    "id", "option", "course", "url", "base_url", "updated", "lang",
];

/// Warns about text the bundled fonts cannot show, naming the characters.
fn glyph_warnings(
    file: &SourceFile,
    value: &serde_yaml::Value,
    path: &mut Vec<Seg>,
    out: &mut Vec<Diagnostic>,
) {
    use serde_yaml::Value;
    const MAX: usize = 20;
    match value {
        Value::String(s) if out.len() < MAX => {
            if matches!(path.last(), Some(Seg::Key(k)) if NOT_PRINTED.contains(&k.as_str())) {
                return;
            }
            let mut missing: Vec<char> = s
                .chars()
                .filter(|&c| !invisible(c) && !crate::world::font_covers(c))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            if !missing.is_empty() {
                let shown: Vec<String> = missing
                    .iter()
                    .take(8)
                    .map(|c| format!("{c} (U+{:04X})", *c as u32))
                    .collect();
                let more = if missing.len() > 8 {
                    format!(" and {} more", missing.len() - 8)
                } else {
                    String::new()
                };
                let mut d = file.error_at(
                    path,
                    format!("the bundled fonts cannot show {}{more}", shown.join(", ")),
                );
                d.severity = crate::diag::Severity::Warning;
                out.push(d.with_hint(
                    "these characters would print as blank boxes; use text in Latin, Greek or Cyrillic script, or add a font that covers them to fonts/",
                ));
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                glyph_warnings(file, item, path, out);
                path.pop();
            }
        }
        Value::Mapping(map) => {
            for (k, v) in map {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                glyph_warnings(file, v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Characters that take no glyph: whitespace, controls and joiners.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}' | '\u{200B}'
                ..='\u{200F}' | '\u{2060}' | '\u{FE0E}' | '\u{FE0F}' | '\u{FEFF}'
        )
}

/// A syntax error from the YAML parser.
fn yaml_error(file: &SourceFile, e: &serde_yaml::Error) -> Diagnostic {
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

/// Collects one structural error per top-level section.
///
/// serde stops at the first error. To report every broken section in one
/// run, each top-level key is checked on its own, grafted onto a document
/// whose other sections are known to be valid.
fn section_errors(file: &SourceFile, value: &serde_yaml::Value) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let user = value.as_mapping().expect("checked to be a mapping");
    let skeleton: serde_yaml::Value =
        serde_yaml::from_str(SKELETON).expect("the skeleton is valid");
    let required: Vec<&str> = REQUIRED.to_vec();
    for (key, section) in user {
        let mut doc = skeleton.as_mapping().expect("mapping").clone();
        doc.insert(key.clone(), section.clone());
        if let Err(e) = deserialize(&serde_yaml::Value::Mapping(doc)) {
            errors.push(serde_error(file, &e));
        }
    }
    for key in required {
        // A misspelt required key is reported once, as an unknown field.
        let misspelt = user
            .keys()
            .filter_map(|k| k.as_str())
            .any(|k| did_you_mean(k, &REQUIRED) == Some(key));
        if !user.contains_key(key) && !misspelt {
            errors.push(
                file.error_at(&[], format!("missing required field `{key}`"))
                    .with_hint(format!(
                        "add `{key}:` at the top level; see docs/content.md"
                    )),
            );
        }
    }
    if errors.is_empty() {
        // Every section is fine alone; report the whole-document error.
        if let Err(e) = deserialize(value) {
            errors.push(serde_error(file, &e));
        }
    }
    errors
}

/// The required top-level fields, and a minimal valid document built from them.
const REQUIRED: [&str; 4] = ["id", "title", "options", "comparison"];
const SKELETON: &str =
    "id: x\ntitle: x\noptions: [{id: a, name: a}, {id: b, name: b}]\ncomparison: {factors: []}\n";

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
fn serde_error(file: &SourceFile, e: &serde_path_to_error::Error<serde_yaml::Error>) -> Diagnostic {
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
            .with_hint(format!("add `{field}:` {here}; see docs/content.md"));
    }
    let hint = if message.contains("expected a string") {
        "write plain text here; put it in quotes if it looks like a number, date or yes/no"
    } else if message.contains("expected a sequence") {
        "write a list here, one `- item` per line"
    } else if message.contains("expected struct") || message.contains("expected a map") {
        "write a mapping here, with one `key: value` per line"
    } else {
        "see docs/content.md for what this field takes"
    };
    file.error_at(&path, message).with_hint(hint)
}

/// Removes the " at line L column C" that serde_yaml writes into messages;
/// the position is shown with the snippet instead.
fn strip_positions(message: &str) -> String {
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
pub(crate) fn did_you_mean<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(given, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The JSON Schema of content files, for editors (yaml-language-server).
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Content);
    schema.insert("title".into(), "handout comparison content".into());
    let mut json = serde_json::to_string_pretty(&schema).unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        let text: Arc<str> = text.into();
        parse("t.yaml", &text)
            .unwrap_err()
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    const OK: &str = "id: x\ntitle: T\noptions:\n  - {id: a, name: A}\n  - {id: b, name: B}\ncomparison:\n  factors:\n    - name: F\n      values: {a: '1', b: '2'}\n";

    #[test]
    fn minimal_content_loads() {
        let text: Arc<str> = OK.into();
        let (c, warnings) = parse("t.yaml", &text).unwrap();
        assert_eq!(c.options.len(), 2);
        assert!(warnings.is_empty());
    }

    #[test]
    fn unknown_key_has_location_and_suggestion() {
        let e = errors(&OK.replace("title: T", "titel: T"));
        assert!(
            e.iter().any(
                |m| m.starts_with("t.yaml:2:1: error: unknown field `titel`")
                    && m.contains("did you mean `title`?")
            ),
            "{e:?}"
        );
    }

    #[test]
    fn errors_in_several_sections_are_all_reported() {
        let text = format!("{OK}faq: {{entries: 3}}\nquick_take: {{headng: x}}\n");
        let e = errors(&text);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("faq.entries"), "{e:?}");
        assert!(e[1].contains("did you mean `heading`"), "{e:?}");
    }

    #[test]
    fn syntax_error_is_located() {
        let e = errors("id: x\ntitle: [unclosed\n");
        assert!(e[0].starts_with("t.yaml:"), "{e:?}");
        assert!(e[0].contains("invalid YAML"), "{e:?}");
    }

    #[test]
    fn missing_required_field() {
        let e = errors(&OK.replace("title: T\n", ""));
        assert!(
            e.iter()
                .any(|m| m.contains("missing required field `title`")),
            "{e:?}"
        );
    }

    #[test]
    fn positions_are_stripped_from_messages() {
        assert_eq!(
            strip_positions(
                "did not find ',' at line 4 column 1, while parsing at line 3 column 10"
            ),
            "did not find ',', while parsing"
        );
    }

    #[test]
    fn characters_without_glyphs_are_named() {
        let text: Arc<str> = OK
            .replace("title: T", "title: Ελληνικά, кириллица, 中文")
            .into();
        let (_, warnings) = parse("t.yaml", &text).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = warnings[0].to_string();
        assert!(w.starts_with("t.yaml:2:1: warning:"), "{w}");
        assert!(w.contains("中 (U+4E2D), 文 (U+6587)"), "{w}");
        assert!(!w.contains('Ε'), "Greek is covered: {w}");
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let text = format!("\u{feff}{}", OK.replace('\n', "\r\n"));
        let t = decode("t.yaml", text.into_bytes()).unwrap();
        parse("t.yaml", &t).unwrap();
    }
}
