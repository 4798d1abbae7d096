//! One scalar of a YAML file replaced, and every other byte kept: comments,
//! blank lines, key order, the other scalars' quoting, indentation and line
//! endings. The scalar keeps its own style when that style can hold the
//! new text, and otherwise takes the simplest style that reads back to it.
//! Every rewrite is read back: the edited path must give the new text and
//! every other path its old value, or nothing is written.

mod labels;
mod lists;
mod styles;

pub use labels::set_label;
pub use lists::{ListOp, list_op};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diag::locate::{Seg, display_path};
use styles::candidates;

/// One scalar value of the file, where it is and how it is written.
#[derive(Debug, Clone)]
pub struct Scalar {
    pub path: Vec<Seg>,
    /// Bytes of the scalar's own text: quotes included; for a block
    /// scalar, from its first content character to after its last line.
    pub start: usize,
    pub end: usize,
    /// One-based line of its start.
    pub line: usize,
    pub style: ScalarStyle,
    /// Why it cannot be edited in place, if it cannot.
    pub locked: Option<&'static str>,
}

/// Why a value cannot be written.
#[derive(Debug, PartialEq)]
pub struct Refusal(pub String);

/// Every scalar value of `text` by its path; keys are not values.
pub fn scalars(text: &str) -> Result<Vec<Scalar>, Refusal> {
    scan(text).map(|(scalars, _)| scalars)
}

/// Where an item of a block sequence starts: its path, and the byte of its
/// first token after the `- `.
type Item = (Vec<Seg>, usize);

/// An open collection: the key awaited or held for a mapping, the next
/// index for a sequence; whether it is a flow collection; and its path.
enum Open {
    Map(Option<String>, bool, Vec<Seg>),
    Seq(usize, bool, Vec<Seg>),
}

/// What the scan has found so far, and where it is.
#[derive(Default)]
struct Walk {
    stack: Vec<Open>,
    scalars: Vec<Scalar>,
    items: Vec<Item>,
}

impl Walk {
    /// The path of the next value in the innermost collection; none while
    /// a mapping awaits a key.
    fn path(&self) -> Option<Vec<Seg>> {
        Some(match self.stack.last()? {
            Open::Map(Some(k), _, base) => [base.clone(), vec![Seg::Key(k.clone())]].concat(),
            Open::Map(None, ..) => return None,
            Open::Seq(i, _, base) => [base.clone(), vec![Seg::Index(*i)]].concat(),
        })
    }

    fn advance(&mut self) {
        match self.stack.last_mut() {
            Some(Open::Map(key, ..)) => *key = None,
            Some(Open::Seq(i, ..)) => *i += 1,
            None => {}
        }
    }

    fn key_awaited(&self) -> bool {
        matches!(self.stack.last(), Some(Open::Map(None, ..)))
    }

    fn in_flow(&self) -> bool {
        self.stack
            .iter()
            .any(|o| matches!(o, Open::Map(_, true, _) | Open::Seq(_, true, _)))
    }

    /// A value scalar, with its bytes `start..end`.
    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        (start, mut end): (usize, usize),
        line: usize,
    ) {
        if let Some(path) = self.path() {
            let locked = if self.in_flow() {
                Some("it is inside a flow collection ([…] or {…})")
            } else if anchor != 0 {
                Some("it has an anchor (&), so other places repeat it")
            } else {
                None
            };
            // A block scalar's span runs into the next line's indentation,
            // which is not its own.
            if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                && let Some(last) = text[start..end].rfind('\n')
            {
                end = start + last + 1;
            }
            self.scalars.push(Scalar {
                path,
                start,
                end,
                line,
                style,
                locked,
            });
        }
        self.advance();
    }
}

/// The scalars, and where each item of a block sequence starts.
fn scan(text: &str) -> Result<(Vec<Scalar>, Vec<Item>), Refusal> {
    let bytes = char_to_byte(text);
    let at = |chars: usize| bytes.get(chars).copied().unwrap_or(text.len());
    let mut walk = Walk::default();
    for event in Parser::new_from_str(text) {
        let (event, span): (Event, Span) = event.map_err(|e| Refusal(format!("{e}")))?;
        let start = at(span.start.index());
        let starts_node = matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
        );
        if starts_node && let Some(Open::Seq(_, false, _)) = walk.stack.last() {
            walk.items.extend(walk.path().map(|p| (p, start)));
        }
        match event {
            Event::Scalar(value, _, _, _) if walk.key_awaited() => {
                if let Some(Open::Map(key, ..)) = walk.stack.last_mut() {
                    *key = Some(value.into_owned());
                }
            }
            Event::Scalar(_, style, anchor, _) => {
                let end = at(span.end.index());
                walk.scalar(text, style, anchor, (start, end), span.start.line());
            }
            Event::Alias(_) if walk.key_awaited() => {
                return Err(Refusal("the file uses an alias as a key".into()));
            }
            Event::Alias(_) => walk.advance(),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let base = if walk.stack.is_empty() {
                    Some(Vec::new())
                } else {
                    walk.path()
                };
                let Some(base) = base else {
                    return Err(Refusal("the file uses a collection as a key".into()));
                };
                let flow = matches!(text[start..].chars().next(), Some('[' | '{'));
                walk.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Open::Map(None, flow, base)
                    } else {
                        Open::Seq(0, flow, base)
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                walk.stack.pop();
                walk.advance();
            }
            _ => {}
        }
    }
    Ok((walk.scalars, walk.items))
}

/// A path as users write it (`faq.entries[2].answer`) as segments.
pub fn parse_path(path: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        for index in rest.split('[').filter(|i| !i.is_empty()) {
            out.push(Seg::Index(index.strip_suffix(']')?.parse().ok()?));
        }
        if key.is_empty() && rest.is_empty() {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The text value at `path`, if it is one.
pub fn value(text: &str, path: &[Seg]) -> Option<String> {
    let mut v: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    value_at(&mut v, path)?.as_str().map(str::to_string)
}

/// `text` with the value at `path` replaced by `new`, or why it cannot be.
pub fn set(text: &str, path: &[Seg], new: &str) -> Result<String, Refusal> {
    let all = scalars(text)?;
    let Some(scalar) = all.iter().find(|s| s.path == path) else {
        return Err(Refusal(format!(
            "`{}` is not a text value of the file (it may be reached through an alias)",
            display_path(path)
        )));
    };
    if let Some(why) = scalar.locked {
        return Err(Refusal(format!(
            "`{}` cannot be edited on the page: {why}; edit line {} in a text editor",
            display_path(path),
            scalar.line
        )));
    }
    let before: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| Refusal(format!("the file does not parse: {e}")))?;
    let mut expected = before.clone();
    *value_at(&mut expected, path).ok_or_else(|| Refusal("the path is gone".into()))? =
        serde_yaml::Value::String(new.to_string());
    let crlf = text.contains("\r\n");
    for candidate in candidates(text, scalar, new) {
        let candidate = if crlf {
            candidate.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            candidate
        };
        let edited = format!(
            "{}{}{}",
            &text[..candidate_start(text, scalar)],
            candidate,
            &text[scalar.end..]
        );
        if serde_yaml::from_str::<serde_yaml::Value>(&edited).is_ok_and(|v| v == expected) {
            return Ok(edited);
        }
    }
    Err(Refusal(format!(
        "no way of writing this text at `{}` reads back the same",
        display_path(path)
    )))
}

/// Where the replaced bytes start: a block scalar's indicator (`|`, `>-`),
/// the scalar itself otherwise.
fn candidate_start(text: &str, s: &Scalar) -> usize {
    match s.style {
        ScalarStyle::Literal | ScalarStyle::Folded => indicator(text, s.start).unwrap_or(s.start),
        _ => s.start,
    }
}

/// The byte of a block scalar's `|` or `>` before its first content line.
fn indicator(text: &str, start: usize) -> Option<usize> {
    let head = &text[..start];
    let line_start = head.trim_end_matches([' ', '\t']).rfind('\n')?;
    let before = &head[..line_start];
    let line = before.rfind('\n').map_or(0, |i| i + 1);
    let indicator_line = &before[line..];
    // The last `|` or `>` outside a comment on that line.
    let code = indicator_line.split(" #").next().unwrap_or(indicator_line);
    code.rfind(['|', '>']).map(|i| line + i)
}

pub(super) fn value_at<'a>(
    v: &'a mut serde_yaml::Value,
    path: &[Seg],
) -> Option<&'a mut serde_yaml::Value> {
    let mut v = v;
    for seg in path {
        v = match seg {
            Seg::Key(k) => v.as_mapping_mut()?.get_mut(k.as_str())?,
            Seg::Index(i) => v.as_sequence_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

/// Byte offset of each character index, and of the end.
fn char_to_byte(text: &str) -> Vec<usize> {
    let mut out: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    out.push(text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    const FILE: &str = "# A comment\ntitle: AI Engineer vs ML Engineer  # trailing\nsubtitle: 'It''s quoted'\n\nsummary: >-\n  An AI Engineer works with LLMs, RAG systems, agent workflows, and the\n  orchestration of modern AI products.\nnotes: |\n  line one\n  line two\nfaq:\n  - question: \"Why?\"\n    answer: Because.\ntags: [a, b]\n";

    /// Every line but the edited one as it was.
    fn only_changed(before: &str, after: &str, path: &[Seg], new: &str) {
        let b: serde_yaml::Value = serde_yaml::from_str(before).unwrap();
        let mut expected = b.clone();
        *value_at(&mut expected, path).unwrap() = serde_yaml::Value::String(new.into());
        let a: serde_yaml::Value = serde_yaml::from_str(after).unwrap();
        assert_eq!(a, expected);
    }

    #[test]
    fn a_plain_scalar_keeps_its_style_and_every_other_byte() {
        let out = set(FILE, &[key("title")], "Data Analyst vs Data Scientist").unwrap();
        assert_eq!(
            out,
            FILE.replace(
                "AI Engineer vs ML Engineer  #",
                "Data Analyst vs Data Scientist  #"
            )
        );
        // Text a plain scalar cannot hold is quoted.
        let tricky = "Note: \"quotes\" # and é";
        let out = set(FILE, &[key("title")], tricky).unwrap();
        only_changed(FILE, &out, &[key("title")], tricky);
        assert!(
            out.starts_with("# A comment\ntitle: '") || out.starts_with("# A comment\ntitle: \""),
            "{out}"
        );
        assert!(out.contains("  # trailing\nsubtitle: 'It''s quoted'\n"));
        let out = set(FILE, &[key("title")], "'leading quote").unwrap();
        only_changed(FILE, &out, &[key("title")], "'leading quote");
        // A value that YAML would read as something else stays text.
        let out = set(FILE, &[key("title")], "true").unwrap();
        only_changed(FILE, &out, &[key("title")], "true");
    }

    #[test]
    fn quoted_and_block_scalars_keep_their_style() {
        let out = set(FILE, &[key("subtitle")], "Don't panic").unwrap();
        assert!(out.contains("subtitle: 'Don''t panic'\n"), "{out}");
        let out = set(
            FILE,
            &[key("faq"), Seg::Index(0), key("question")],
            "Why \"not\"?",
        )
        .unwrap();
        assert!(
            out.contains("  - question: \"Why \\\"not\\\"?\"\n"),
            "{out}"
        );
        let long = "A shorter summary that still wraps across more than one line because it is long enough to.";
        let out = set(FILE, &[key("summary")], long).unwrap();
        only_changed(FILE, &out, &[key("summary")], long);
        assert!(out.contains("summary: >-\n  A shorter"), "{out}");
        let out = set(FILE, &[key("notes")], "first\nsecond\nthird\n").unwrap();
        assert!(
            out.contains("notes: |\n  first\n  second\n  third\nfaq:"),
            "{out}"
        );
        only_changed(FILE, &out, &[key("notes")], "first\nsecond\nthird\n");
    }

    #[test]
    fn a_newline_in_a_plain_scalar_makes_a_block_and_crlf_stays() {
        let out = set(
            FILE,
            &[key("faq"), Seg::Index(0), key("answer")],
            "Two\nlines",
        )
        .unwrap();
        assert!(
            out.contains("    answer: |-\n      Two\n      lines\n"),
            "{out}"
        );
        let crlf = FILE.replace('\n', "\r\n");
        let out = set(
            &crlf,
            &[key("faq"), Seg::Index(0), key("answer")],
            "Two\nlines",
        )
        .unwrap();
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        let out = set(&crlf, &[key("title")], "New: title").unwrap();
        assert_eq!(out.matches("\r\n").count(), crlf.matches("\r\n").count());
    }

    #[test]
    fn paths_read_as_users_write_them() {
        assert_eq!(
            parse_path("faq.entries[2].answer"),
            Some(vec![
                key("faq"),
                key("entries"),
                Seg::Index(2),
                key("answer")
            ])
        );
        assert_eq!(
            parse_path("a[1][0]"),
            Some(vec![key("a"), Seg::Index(1), Seg::Index(0)])
        );
        assert_eq!(parse_path("a[x]"), None);
        assert_eq!(parse_path(""), None);
    }

    #[test]
    fn flow_collections_and_anchors_are_refused_with_their_line() {
        let why = set(FILE, &[key("tags"), Seg::Index(0)], "c").unwrap_err();
        assert!(
            why.0.contains("flow collection") && why.0.contains("line 14"),
            "{why:?}"
        );
        let anchored = "a: &x one\nb: *x\n";
        assert!(
            set(anchored, &[key("a")], "two")
                .unwrap_err()
                .0
                .contains("anchor")
        );
        assert!(
            set(anchored, &[key("b")], "two")
                .unwrap_err()
                .0
                .contains("alias")
        );
    }

    #[test]
    fn every_value_of_the_seed_can_be_rewritten_alone() {
        let seed = include_str!("../../../content/ai-engineer-vs-ml-engineer.yaml");
        let all = scalars(seed).unwrap();
        assert!(all.len() > 100, "{}", all.len());
        for s in all.iter().filter(|s| s.locked.is_none()) {
            let old = &seed[s.start..s.end];
            let new = format!("Edited: {} #1", display_path(&s.path));
            let out = set(seed, &s.path, &new)
                .unwrap_or_else(|e| panic!("{:?}: {e:?} ({old:?})", s.path));
            only_changed(seed, &out, &s.path, &new);
            // Only that scalar's lines changed.
            let (a, b) = (seed.lines().count(), out.lines().count());
            assert!(b <= a + 1 && b + 8 >= a, "{:?}: {a} -> {b} lines", s.path);
        }
    }
}
