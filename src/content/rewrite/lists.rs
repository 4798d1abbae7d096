//! Whole entries of a list (an FAQ entry, a course, a definition, a skill)
//! added, duplicated or removed on the page, with every other byte kept. A
//! new entry copies its neighbour's lines, keys, indentation and styles,
//! with the placeholder texts `handout new` writes, so that it loads with a
//! warning and `check` names what is left to fill.

use serde_yaml::Value;

use super::{Refusal, scan, set, value_at};
use crate::content::scaffold::text;
use crate::diag::locate::{Seg, display_path};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListOp {
    /// A new entry after this one, with placeholder texts.
    Add,
    Duplicate,
    Remove,
}

/// `text` with the entry at `item` (a path ending in an index) added
/// after, duplicated or removed.
pub fn list_op(text: &str, item: &[Seg], op: ListOp) -> Result<String, Refusal> {
    let Some((Seg::Index(index), list)) = item.split_last() else {
        return Err(Refusal(format!(
            "`{}` is not an entry of a list",
            display_path(item)
        )));
    };
    let (_, items) = scan(text)?;
    let siblings: Vec<&(Vec<Seg>, usize)> = items
        .iter()
        .filter(|(p, _)| p.len() == item.len() && p.starts_with(list))
        .collect();
    let Some(&(_, start)) = siblings.iter().find(|(p, _)| p == item).copied() else {
        return Err(Refusal(format!(
            "`{}` is not an entry of a list written in the file's own lines (a [..] list?)",
            display_path(item)
        )));
    };
    let (from, dash) = dash_line(text, start).ok_or_else(|| {
        Refusal(format!(
            "the entry `{}` is not written as `- …` lines",
            display_path(item)
        ))
    })?;
    let next = siblings
        .iter()
        .find(|(p, _)| p.last() == Some(&Seg::Index(index + 1)))
        .and_then(|(_, s)| dash_line(text, *s))
        .map(|(line, _)| line);
    let to = next.unwrap_or_else(|| end_of_entry(text, from, dash));
    let before: Value =
        serde_yaml::from_str(text).map_err(|e| Refusal(format!("the file does not parse: {e}")))?;
    let mut expected = before.clone();
    let list_value = value_at(&mut expected, list)
        .and_then(Value::as_sequence_mut)
        .ok_or_else(|| Refusal("the list is gone".into()))?;
    let edited = match op {
        ListOp::Remove => {
            if list_value.len() < 2 {
                return Err(Refusal(
                    "a list keeps at least one entry: edit this one instead, or remove the list in a text editor".into(),
                ));
            }
            list_value.remove(*index);
            format!("{}{}", &text[..from], &text[to..])
        }
        ListOp::Add | ListOp::Duplicate => {
            let copy = list_value[*index].clone();
            list_value.insert(index + 1, copy);
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let mut chunk = text[from..to].to_string();
            if !chunk.ends_with('\n') {
                chunk.push_str(newline);
            }
            format!("{}{}{}", &text[..to], chunk, &text[to..])
        }
    };
    if serde_yaml::from_str::<Value>(&edited).ok() != Some(expected.clone()) {
        return Err(Refusal(format!(
            "changing the list at `{}` would change more than the entry; edit it in a text editor",
            display_path(list)
        )));
    }
    if op == ListOp::Remove {
        return Ok(edited);
    }
    let mut new_item = list.to_vec();
    new_item.push(Seg::Index(index + 1));
    fresh(&edited, &new_item, &expected, op == ListOp::Add)
}

/// The new entry's `id` made unique, and with `placeholders`, its texts
/// replaced by the placeholders of `handout new`.
fn fresh(text: &str, item: &[Seg], content: &Value, placeholders: bool) -> Result<String, Refusal> {
    let mut text = text.to_string();
    let mut value = content.clone();
    let entry = value_at(&mut value, item).cloned().unwrap_or(Value::Null);
    if let Some(id) = entry.get("id").and_then(Value::as_str) {
        let taken = serde_yaml::to_string(content).unwrap_or_default();
        let unique = (1..)
            .map(|n| {
                if n == 1 {
                    format!("{id}-copy")
                } else {
                    format!("{id}-copy-{n}")
                }
            })
            .find(|c| !taken.contains(&format!("id: {c}\n")))
            .unwrap_or_default();
        let mut at = item.to_vec();
        at.push(Seg::Key("id".into()));
        text = set(&text, &at, &unique)?;
    }
    if !placeholders {
        return Ok(text);
    }
    let option = entry
        .get("option")
        .and_then(Value::as_str)
        .or_else(|| match item.get(item.len().wrapping_sub(2)) {
            Some(Seg::Key(k)) => Some(k.as_str()),
            _ => None,
        })
        .and_then(|id| option_name(content, id))
        .unwrap_or_else(|| crate::content::scaffold::OPTION_NAMES[0].to_string());
    let mut texts = Vec::new();
    collect(&entry, &mut item.to_vec(), &mut texts);
    for path in texts {
        if let Some(placeholder) = placeholder_for(&path) {
            text = set(&text, &path, &placeholder.replace("{name}", &option))?;
        }
    }
    Ok(text)
}

fn collect(value: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match value {
        Value::String(_) => out.push(path.clone()),
        Value::Mapping(m) => {
            for (k, v) in m {
                if let Some(k) = k.as_str() {
                    path.push(Seg::Key(k.to_string()));
                    collect(v, path, out);
                    path.pop();
                }
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                collect(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The placeholder `handout new` writes for a text at `path`, when there
/// is one; references, ids and addresses keep their neighbour's value.
fn placeholder_for(path: &[Seg]) -> Option<String> {
    let keys: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    let last_is_item = matches!(path.last(), Some(Seg::Index(_)));
    let key = keys.last().copied().unwrap_or_default();
    let section = keys.first().copied().unwrap_or_default();
    let found = match (section, key, last_is_item) {
        ("confusion", _, true) => text::REASON,
        ("skills" | "tools" | "projects", _, true) => {
            let what = section.trim_end_matches('s');
            return Some(text::ITEM.replace("{what}", what));
        }
        (_, "points", true) => text::CARD_POINT,
        (_, "question", false) => text::QUESTION,
        (_, "answer", false) => text::ANSWER,
        (_, "fit", false) => text::COURSE_FIT,
        (_, "definition", false) => text::DEFINITION,
        (_, "focus", false) => text::FOCUS,
        (_, "best_for", false) => text::BEST_FOR,
        (_, "advice", false) => text::ADVICE,
        ("course_fit", "name", false) => text::COURSE,
        ("how_to_choose", "title", false) => text::CARD_TITLE,
        _ => return None,
    };
    Some(found.to_string())
}

fn option_name(content: &Value, id: &str) -> Option<String> {
    content
        .get("options")?
        .as_sequence()?
        .iter()
        .find(|o| o.get("id").and_then(Value::as_str) == Some(id))?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

/// The start of the line of an entry's `- `, and the dash's column, from
/// the byte its first token starts at.
fn dash_line(text: &str, start: usize) -> Option<(usize, usize)> {
    let line = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line..start];
    let lead = prefix.len() - prefix.trim_start().len();
    if prefix.trim_start().starts_with('-') {
        return Some((line, lead));
    }
    if !prefix.trim().is_empty() {
        return None;
    }
    // A block scalar or a collection on the lines under the dash.
    let above = &text[..line.saturating_sub(1)];
    let mut end = above.len();
    for l in above.rsplit('\n') {
        let begin = end - l.len();
        end = begin.saturating_sub(1);
        if l.trim().is_empty() {
            continue;
        }
        let lead = l.len() - l.trim_start().len();
        return l.trim_start().starts_with('-').then_some((begin, lead));
    }
    None
}

/// Where the last entry of a list ends: before the first line, not blank,
/// indented no deeper than its dash; trailing blank lines stay outside.
fn end_of_entry(text: &str, from: usize, dash: usize) -> usize {
    let mut at = from + text[from..].find('\n').map_or(text.len() - from, |i| i + 1);
    let mut last = at;
    while at < text.len() {
        let line_end = at + text[at..].find('\n').map_or(text.len() - at, |i| i + 1);
        let line = &text[at..line_end];
        if !line.trim().is_empty() {
            let lead = line.len() - line.trim_start().len();
            if lead <= dash {
                break;
            }
            last = line_end;
        }
        at = line_end;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    const FILE: &str = "options:\n  - id: a\n    name: Alpha\nfaq:\n  # Asked most\n  - question: One?\n    answer: >-\n      First answer.\n\n  - question: Two?\n    answer: Second.\ncourse_fit:\n  courses:\n    - id: gen\n      name: Gen Course\n      option: a\n      fit: Everyone.\n# The end\n";

    fn faq(text: &str) -> Vec<(String, String)> {
        let v: Value = serde_yaml::from_str(text).unwrap();
        v["faq"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["question"].as_str().unwrap().to_string(),
                    e["answer"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn entries_are_removed_duplicated_and_added_with_placeholders() {
        let item = [key("faq"), Seg::Index(0)];
        let out = list_op(FILE, &item, ListOp::Remove).unwrap();
        assert_eq!(faq(&out), [("Two?".to_string(), "Second.".to_string())]);
        assert!(out.contains("  # Asked most\n  - question: Two?"), "{out}");
        let out = list_op(FILE, &item, ListOp::Duplicate).unwrap();
        assert_eq!(faq(&out).len(), 3);
        assert!(
            out.contains("      First answer.\n\n  - question: One?\n    answer: >-\n"),
            "{out}"
        );
        let last = [key("faq"), Seg::Index(1)];
        let out = list_op(FILE, &last, ListOp::Add).unwrap();
        assert_eq!(
            faq(&out)[2],
            (text::QUESTION.to_string(), text::ANSWER.to_string())
        );
        assert!(out.ends_with("    answer: Its answer.\ncourse_fit:\n  courses:\n    - id: gen\n      name: Gen Course\n      option: a\n      fit: Everyone.\n# The end\n"), "{out}");
        // A course gets a new id and the placeholders of `handout new`.
        let course = [key("course_fit"), key("courses"), Seg::Index(0)];
        let out = list_op(FILE, &course, ListOp::Add).unwrap();
        let v: Value = serde_yaml::from_str(&out).unwrap();
        let new = &v["course_fit"]["courses"][1];
        assert_eq!(new["id"], "gen-copy");
        assert_eq!(new["name"], text::COURSE);
        assert_eq!(new["option"], "a");
        assert!(out.ends_with("# The end\n"));
        // The last entry stays.
        let only = [key("options"), Seg::Index(0)];
        assert!(list_op(FILE, &only, ListOp::Remove).is_err());
    }

    #[test]
    fn every_entry_of_the_seed_can_be_duplicated_and_removed() {
        let seed = include_str!("../../../content/ai-engineer-vs-ml-engineer.yaml");
        let (_, items) = scan(seed).unwrap();
        for (path, _) in &items {
            for op in [ListOp::Remove, ListOp::Duplicate, ListOp::Add] {
                let result = list_op(seed, path, op);
                if op == ListOp::Remove && result.is_err() {
                    continue;
                }
                assert!(result.is_ok(), "{op:?} {}: {result:?}", display_path(path));
            }
        }
    }
}
