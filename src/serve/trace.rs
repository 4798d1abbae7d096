//! From text on a page back to where it came from: the content string's
//! file, line, column and YAML path, or the layout label's catalog key.
//!
//! The layouts receive the content as values and place it as they like, so
//! each run of text on a page is looked up among the content's strings, the
//! neighbouring runs settling which of several holds it. The PDF is left as
//! it is: nothing is recorded in the document to make this work.

use serde::Serialize;

use crate::diag::locate::{Locator, Seg, display_path};

/// Where a run of text came from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Origin {
    /// `content` or `label`.
    pub kind: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The YAML path, such as `faq.entries[2].answer`, or the label's key.
    pub path: String,
}

struct Entry {
    text: String,
    origin: Origin,
}

/// Every string of one content file and of its language's labels.
pub struct Index {
    entries: Vec<Entry>,
}

impl Index {
    /// `labels` are the catalog's (key, text) pairs, found in `catalog`.
    /// `order` lists the content's top-level keys in the order layouts
    /// place them (the content model's), whatever order the file has.
    pub fn new<'a>(
        file: &str,
        yaml: &str,
        order: &[String],
        catalog: &str,
        labels: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut entries = Vec::new();
        if let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(yaml) {
            let locator = Locator::new(yaml);
            let mut strings = Vec::new();
            walk(&value, &mut Vec::new(), &mut strings);
            let rank = |path: &[Seg]| match path.first() {
                Some(Seg::Key(k)) => order.iter().position(|o| o == k).unwrap_or(order.len()),
                _ => order.len(),
            };
            strings.sort_by_key(|(path, _)| rank(path));
            for (path, text) in strings {
                let pos = locator.value(&path);
                entries.push(Entry {
                    text: normalize(&text),
                    origin: Origin {
                        kind: "content",
                        file: file.to_string(),
                        line: pos.map_or(1, |p| p.line),
                        column: pos.map_or(1, |p| p.column),
                        path: display_path(&path),
                    },
                });
            }
        }
        for (key, text) in labels {
            entries.push(Entry {
                text: normalize(text),
                origin: Origin {
                    kind: "label",
                    file: catalog.to_string(),
                    line: 0,
                    column: 0,
                    path: key.to_string(),
                },
            });
        }
        Self { entries }
    }

    /// Adds the strings of a read-only input (the event file), traced to
    /// their file and line but never edited on the page.
    pub fn add_yaml(&mut self, kind: &'static str, file: &str, yaml: &str) {
        let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(yaml) else {
            return;
        };
        let locator = Locator::new(yaml);
        let mut strings = Vec::new();
        walk(&value, &mut Vec::new(), &mut strings);
        for (path, text) in strings {
            let pos = locator.value(&path);
            self.add(
                kind,
                file,
                pos.map_or(1, |p| p.line),
                &display_path(&path),
                &text,
            );
        }
    }

    /// Adds one string of a read-only input, such as a recipient's column.
    pub fn add(&mut self, kind: &'static str, file: &str, line: usize, path: &str, text: &str) {
        self.entries.push(Entry {
            text: normalize(text),
            origin: Origin {
                kind,
                file: file.to_string(),
                line,
                column: 1,
                path: path.to_string(),
            },
        });
    }

    pub fn origin(&self, i: usize) -> &Origin {
        &self.entries[i].origin
    }

    /// For each run, in reading order, the entry it came from, if any.
    /// Runs that fit several entries equally well (two fields with the same
    /// text) are given them in order: the first such run on the page the
    /// first field, the next the next, as layouts place fields in the
    /// content model's order.
    pub fn trace(&self, runs: &[&str]) -> Vec<Option<usize>> {
        let norm: Vec<String> = runs.iter().map(|r| run_text(r)).collect();
        let mut uses = vec![0usize; self.entries.len()];
        let mut out = Vec::with_capacity(runs.len());
        for i in 0..runs.len() {
            let run = &norm[i];
            if run.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                out.push(None);
                continue;
            }
            let near = [i.checked_sub(1), Some(i + 1)];
            let best = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.text.contains(run.as_str()))
                .max_by_key(|(j, e)| {
                    let neighbours = near
                        .iter()
                        .flatten()
                        .filter_map(|&n| norm.get(n))
                        .filter(|n| n.len() > 2 && e.text.contains(n.as_str()))
                        .count();
                    // Then an exact match, then content before labels, then
                    // the shorter string, then the one used least so far,
                    // then the earlier one.
                    (
                        neighbours,
                        e.text == *run,
                        e.origin.kind == "content",
                        std::cmp::Reverse(e.text.len()),
                        std::cmp::Reverse(uses[*j]),
                        std::cmp::Reverse(*j),
                    )
                })
                .map(|(j, _)| j);
            if let Some(j) = best {
                uses[j] += 1;
            }
            out.push(best);
        }
        out
    }
}

fn walk(value: &serde_yaml::Value, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, String)>) {
    match value {
        serde_yaml::Value::String(s) => out.push((path.clone(), s.clone())),
        serde_yaml::Value::Mapping(map) => {
            for (k, v) in map {
                if let Some(k) = k.as_str() {
                    path.push(Seg::Key(k.to_string()));
                    walk(v, path, out);
                    path.pop();
                }
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A run as it may appear in its string: a hyphen that broke a word at the
/// end of a line is not in the content.
fn run_text(run: &str) -> String {
    let text = normalize(run);
    match text.strip_suffix('-') {
        Some(rest) if rest.ends_with(char::is_alphabetic) => rest.to_string(),
        _ => text,
    }
}

/// Lower case, one space for any run of white space, and the typographic
/// quotes and dashes Typst sets in place of typed ones.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' | '\u{2011}' => '-',
            '\u{00AD}' => continue,
            c if c.is_whitespace() => {
                space = true;
                continue;
            }
            c => c,
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "title: AI Engineer vs ML Engineer\noptions:\n  - name: AI Engineer\n    summary: Works with LLMs,\n      agents and retrieval.\n  - name: ML Engineer\nfaq:\n  - question: Which one pays more?\n    answer: It depends on the company's size.\n";

    fn index() -> Index {
        Index::new(
            "c.yaml",
            YAML,
            &[],
            "lang/en.yaml",
            [("faq", "Questions"), ("updated", "Updated")].into_iter(),
        )
    }

    #[test]
    fn a_run_is_traced_to_its_string_and_line() {
        let index = index();
        let got = index.trace(&["It depends on the company\u{2019}s size."]);
        let origin = index.origin(got[0].unwrap());
        assert_eq!(origin.path, "faq[0].answer");
        assert_eq!((origin.line, origin.column), (9, 13));
    }

    #[test]
    fn neighbours_and_exact_matches_settle_which_string() {
        let index = index();
        // A heading that is a whole option name, not the title.
        let got = index.trace(&["AI Engineer"]);
        assert_eq!(index.origin(got[0].unwrap()).path, "options[0].name");
        // A line of a paragraph whose words are in two strings.
        let got = index.trace(&["Works with LLMs,", "agents and re-", "trieval."]);
        assert_eq!(index.origin(got[1].unwrap()).path, "options[0].summary");
    }

    #[test]
    fn labels_name_their_key_and_layout_text_has_none() {
        let index = index();
        let got = index.trace(&["QUESTIONS", "3 learner profiles", "•"]);
        let label = index.origin(got[0].unwrap());
        assert_eq!((label.kind, label.path.as_str()), ("label", "faq"));
        assert_eq!(got[1], None);
        assert_eq!(got[2], None);
    }

    #[test]
    fn fields_with_the_same_text_are_traced_in_order() {
        // The subtitle comes first in the file; layouts place the title first.
        let yaml = "subtitle: Same words\ntitle: Same words\n";
        let order = ["title".to_string(), "subtitle".to_string()];
        let index = Index::new("c.yaml", yaml, &order, "lang/en.yaml", std::iter::empty());
        let got = index.trace(&["Same words", "Same words", "Same words"]);
        let path = |i: usize| index.origin(got[i].unwrap()).path.clone();
        assert_eq!((path(0).as_str(), path(1).as_str()), ("title", "subtitle"));
        assert_eq!(index.origin(got[0].unwrap()).line, 2);
        assert_eq!(path(2), "title");
    }
}
