//! Loading, checking and locating comparison content.

mod errors;
mod model;
mod placeholders;
pub mod rewrite;
mod scaffold;
mod validate;
mod values;

use std::path::Path;
use std::sync::Arc;

pub use model::*;
pub use scaffold::{OPTION_NAMES, option_id, scaffold};
pub use values::{is_id, is_url, language, language_of, parse_date};

use errors::{section_errors, without_sections};

use crate::diag::{Diagnostic, Seg, SourceFile, Span, yaml_error};
use crate::fonts::Coverage;

/// Content files larger than this are refused before parsing.
pub const MAX_CONTENT_BYTES: u64 = 4 * 1024 * 1024;

/// A content file that parsed and passed validation.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The name used in messages.
    pub name: String,
    /// The file as given, for finding its `_brand.yml`.
    pub path: std::path::PathBuf,
    pub content: Content,
    /// Problems that do not stop rendering, such as characters the bundled
    /// fonts cannot show.
    pub warnings: Vec<Diagnostic>,
    /// The brand it is rendered with, an index into the build's brands.
    pub brand: Option<usize>,
}

/// Reads, parses and validates one content file, collecting every problem.
/// Characters are checked against `coverage`, the build's fonts.
pub fn load(path: &Path, coverage: &Coverage) -> Result<Loaded, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let fail = |d: Diagnostic| vec![d.in_file(name.clone())];
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(
            Diagnostic::error(format!(
                "cannot read content file: {}",
                crate::diag::io_reason(&e, "file")
            ))
            .with_hint("check the path; content files are YAML files such as content/<id>.yaml"),
        )
    })?;
    if meta.is_dir() {
        return Err(fail(
            Diagnostic::error("expected a content file but found a folder")
                .with_hint("pass the YAML files inside it, or use `handout build <folder>`"),
        ));
    }
    if !meta.is_file() {
        return Err(fail(
            Diagnostic::error("this content file is not a regular file (a pipe or a device)")
                .with_hint("give the path of a YAML file"),
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
            crate::diag::io_reason(&e, "file")
        )))
    })?;
    let text = decode(&name, bytes)?;
    let (content, warnings) = parse(&name, &text, coverage)?;
    Ok(Loaded {
        name,
        path: path.to_path_buf(),
        content,
        warnings,
        brand: None,
    })
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
pub fn parse(
    name: &str,
    text: &Arc<str>,
    coverage: &Coverage,
) -> Result<(Content, Vec<Diagnostic>), Vec<Diagnostic>> {
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
        Err(_) => {
            // Every problem in one pass: the sections' own errors, then the
            // checks of ids, references and dates on the sections that read.
            let (mut errors, broken) = section_errors(&file, &value);
            if let Some(rest) = without_sections(&value, &broken) {
                errors.extend(validate::validate(&file, &rest));
            }
            return Err(errors);
        }
    };
    let errors = validate::validate(&file, &content);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut warnings = Vec::new();
    glyph_warnings(&file, coverage, &value, &mut Vec::new(), &mut warnings);
    warnings.extend(validate::goal_warnings(&file, &content));
    warnings.extend(placeholders::warnings(&file, &content, &value));
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
    coverage: &Coverage,
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
            if let Some(missing) = coverage.missing(s) {
                let d = file.warning_at(path, missing.message);
                out.push(d.with_hint(missing.hint));
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                glyph_warnings(file, coverage, item, path, out);
                path.pop();
            }
        }
        Value::Mapping(map) => {
            for (k, v) in map {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                glyph_warnings(file, coverage, v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
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
    use crate::diag::strip_positions;

    fn errors(text: &str) -> Vec<String> {
        let text: Arc<str> = text.into();
        parse("t.yaml", &text, &Coverage::bundled())
            .unwrap_err()
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    const OK: &str = "id: x\ntitle: T\noptions:\n  - {id: a, name: A}\n  - {id: b, name: B}\ncomparison:\n  factors:\n    - name: F\n      values: {a: '1', b: '2'}\n";

    #[test]
    fn minimal_content_loads() {
        let text: Arc<str> = OK.into();
        let (c, warnings) = parse("t.yaml", &text, &Coverage::bundled()).unwrap();
        assert_eq!(c.options.len(), 2);
        assert!(warnings.is_empty());
    }

    /// YAML 1.2, as docs/content.md says: `yes` and `no` are text.
    #[test]
    fn yes_and_no_are_text() {
        let text: Arc<str> = OK.replace("title: T", "title: yes").into();
        let (c, _) = parse("t.yaml", &text, &Coverage::bundled()).unwrap();
        assert_eq!(c.title, "yes");
        let text: Arc<str> = OK.replace("title: T", "title: true").into();
        assert!(parse("t.yaml", &text, &Coverage::bundled()).is_err());
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
        let (_, warnings) = parse("t.yaml", &text, &Coverage::bundled()).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = warnings[0].to_string();
        assert!(w.starts_with("t.yaml:2:8: warning:"), "{w}");
        assert!(w.contains("中 (U+4E2D), 文 (U+6587)"), "{w}");
        assert!(!w.contains('Ε'), "Greek is covered: {w}");
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let text = format!("\u{feff}{}", OK.replace('\n', "\r\n"));
        let t = decode("t.yaml", text.into_bytes()).unwrap();
        parse("t.yaml", &t, &Coverage::bundled()).unwrap();
    }
}
