//! Subject and body templates: text with `{placeholder}`s, checked once
//! before anything is rendered so that a typo is found at its line and
//! column, not in the 300th draft.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::did_you_mean;
use crate::diag::{Diagnostic, Span};

/// Placeholders every template may use, beside the recipients' columns.
pub const FIXED: &[&str] = &[
    "name",
    "email",
    "goal",
    "title",
    "course",
    "organisation",
    "event.name",
    "event.date",
];

/// Only HTML templates may place the picture of page 1.
pub const THUMBNAIL: &str = "thumbnail";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Part {
    Text(String),
    Field(String),
}

/// A parsed template. `{{` and `}}` stand for literal braces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    parts: Vec<Part>,
}

/// Where a template comes from, for messages: a file, or an option.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a Arc<str>,
}

impl Template {
    /// Parses `source` and checks each placeholder against `known`; every
    /// problem is reported, each at its place.
    pub fn parse(source: &Source, known: &[&str]) -> Result<Self, Vec<Diagnostic>> {
        let text = &**source.text;
        let span = |range: std::ops::Range<usize>| Span {
            file: source.name.to_string(),
            text: source.text.clone(),
            range,
        };
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((i, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|&(_, c)| c) == Some('{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().map(|&(_, c)| c) == Some('}') => {
                    rest.next();
                    literal.push('}');
                }
                '{' => {
                    let Some(len) = text[i + 1..].find(['}', '\n', '{']) else {
                        errors.push(unclosed(span(i..i + 1)));
                        break;
                    };
                    if text.as_bytes()[i + 1 + len] != b'}' {
                        errors.push(unclosed(span(i..i + 1)));
                        continue;
                    }
                    let key = text[i + 1..i + 1 + len].trim();
                    if !known.contains(&key) {
                        errors.push(unknown(key, known, span(i..i + len + 2)));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field(key.to_string()));
                    while rest.peek().is_some_and(|&(j, _)| j <= i + 1 + len) {
                        rest.next();
                    }
                }
                '}' => errors.push(
                    Diagnostic::error("a `}` without its `{`")
                        .with_span(span(i..i + 1))
                        .with_hint("write `}}` for a literal brace"),
                ),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        if errors.is_empty() {
            Ok(Self { parts })
        } else {
            Err(errors)
        }
    }

    /// A template that is only text.
    pub fn literal(text: &str) -> Self {
        Self {
            parts: vec![Part::Text(text.to_string())],
        }
    }

    /// Whether the template uses `key`.
    pub fn uses(&self, key: &str) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Field(k) if k == key))
    }

    /// The placeholders used, in order of first use.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Field(k) => Some(k.as_str()),
            Part::Text(_) => None,
        })
    }

    /// Fills the template; `escape` is applied to the values, never to the
    /// template's own text.
    pub fn fill(&self, values: &BTreeMap<&str, String>, escape: fn(&str) -> String) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field(k) => {
                    if let Some(v) = values.get(k.as_str()) {
                        out.push_str(&escape(v));
                    }
                }
            }
        }
        out
    }
}

fn unclosed(span: Span) -> Diagnostic {
    Diagnostic::error("a `{` without its `}`")
        .with_span(span)
        .with_hint("close the placeholder on the same line, or write `{{` for a literal brace")
}

fn unknown(key: &str, known: &[&str], span: Span) -> Diagnostic {
    let d = Diagnostic::error(format!("there is no placeholder `{{{key}}}`")).with_span(span);
    if key == THUMBNAIL {
        return d.with_hint("`{thumbnail}` places the picture of page 1, in HTML bodies only");
    }
    match did_you_mean(key, known) {
        Some(best) => d.with_hint(format!("did you mean `{{{best}}}`?")),
        None => d.with_hint(format!(
            "the placeholders are {}; and the recipients file's columns",
            FIXED
                .iter()
                .map(|k| format!("{{{k}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Template, Vec<Diagnostic>> {
        let text: Arc<str> = text.into();
        Template::parse(
            &Source {
                name: "body.txt",
                text: &text,
            },
            &["name", "title", "company"],
        )
    }

    #[test]
    fn fills_values_and_keeps_escaped_braces() {
        let t = parse("Hi {name}, {{not a field}} of { title }.").unwrap();
        let values = BTreeMap::from([("name", "<Ana>".to_string()), ("title", "X".into())]);
        assert_eq!(
            t.fill(&values, |s| s.to_string()),
            "Hi <Ana>, {not a field} of X."
        );
        assert_eq!(
            t.fill(&values, |s| html_escape::encode_text(s).into_owned()),
            "Hi &lt;Ana&gt;, {not a field} of X."
        );
    }

    #[test]
    fn unknown_placeholders_are_located() {
        let errors = parse("Hello,\n  {nmae} and {x\n}").unwrap_err();
        assert_eq!(errors.len(), 3);
        assert_eq!(errors[0].location().unwrap(), "body.txt:2:3");
        assert!(errors[0].hints[0].contains("{name}"));
        assert_eq!(errors[1].location().unwrap(), "body.txt:2:14");
        assert!(errors[1].message.contains("without its `}`"));
        assert_eq!(errors[2].location().unwrap(), "body.txt:3:1");
    }

    #[test]
    fn values_never_become_placeholders() {
        let t = parse("{name}").unwrap();
        let values = BTreeMap::from([("name", "{title}".to_string()), ("title", "X".into())]);
        assert_eq!(t.fill(&values, |s| s.to_string()), "{title}");
    }
}
