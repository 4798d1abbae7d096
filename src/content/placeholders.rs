//! Warnings for text that is not ready to print: the placeholders of
//! `handout new` and example.com addresses, which would end up on paper and
//! in QR codes.

use serde_yaml::Value;

use super::Content;
use super::scaffold::{OPTION_NAMES, placeholders};
use crate::diag::Diagnostic;
use crate::diag::{Seg, SourceFile};

/// Shown one by one; the rest are counted in a last warning.
const SHOWN: usize = 6;

pub(super) fn warnings(file: &SourceFile, content: &Content, value: &Value) -> Vec<Diagnostic> {
    let mut names: Vec<&str> = content.options.iter().map(|o| o.name.as_str()).collect();
    // Longer names first, so that one containing another is replaced whole.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let finder = Finder {
        templates: placeholders(),
        names,
    };
    let mut found = Vec::new();
    finder.walk(value, &mut Vec::new(), &mut found);
    let total = found.len();
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .take(SHOWN)
        .map(|(path, problem)| {
            file.warning_at(&path, problem.message())
                .with_hint(problem.hint())
        })
        .collect();
    if total > SHOWN {
        let more = crate::diag::count(total - SHOWN, "more placeholder", "more placeholders");
        out.push(
            Diagnostic::warning(format!("{more} like these"))
                .in_file(file.name)
                .with_hint("search the file for the texts that `handout new` wrote"),
        );
    }
    out
}

enum Problem {
    Text(String),
    Address(String),
}

impl Problem {
    fn message(&self) -> String {
        match self {
            Problem::Text(s) => format!("`{}` is placeholder text", shorten(s)),
            Problem::Address(url) => format!("`{url}` is a placeholder address"),
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Problem::Text(_) => {
                "replace it with your own text before printing or sending; --deny-warnings makes placeholders errors"
            }
            Problem::Address(_) => {
                "set it to your own site: links and QR codes in the handouts point here"
            }
        }
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(48) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

struct Finder<'a> {
    templates: Vec<String>,
    names: Vec<&'a str>,
}

impl Finder<'_> {
    fn walk(&self, value: &Value, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, Problem)>) {
        match value {
            Value::String(s) => {
                if let Some(problem) = self.check(path, s) {
                    out.push((path.clone(), problem));
                }
            }
            Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.walk(item, path, out);
                    path.pop();
                }
            }
            Value::Mapping(map) => {
                for (k, v) in map {
                    path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                    self.walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    fn check(&self, path: &[Seg], text: &str) -> Option<Problem> {
        let key = match path.last() {
            Some(Seg::Key(k)) => k.as_str(),
            _ => "",
        };
        if matches!(key, "url" | "base_url") {
            return is_example_address(text).then(|| Problem::Address(text.to_string()));
        }
        if matches!(key, "id" | "option" | "course" | "updated" | "lang") {
            return None;
        }
        let text = text.trim();
        let placeholder = OPTION_NAMES
            .iter()
            .any(|n| text == *n || (path == [Seg::Key("title".into())] && text.contains(n)))
            || {
                let mut general = text.to_string();
                for name in &self.names {
                    general = general.replace(name, "{name}");
                }
                self.templates.contains(&general)
            };
        placeholder.then(|| Problem::Text(text.to_string()))
    }
}

/// Addresses at example.com, .org or .net, which are reserved for examples.
fn is_example_address(address: &str) -> bool {
    let Some(host) = url::Url::parse(address)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_end_matches('.').to_string()))
    else {
        return false;
    };
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_addresses() {
        assert!(is_example_address("https://example.com/"));
        assert!(is_example_address("http://www.Example.org/courses"));
        assert!(is_example_address("https://user@shop.example.net:8080/x"));
        assert!(!is_example_address("https://example.co.uk/"));
        assert!(!is_example_address("https://myexample.com/"));
    }
}
