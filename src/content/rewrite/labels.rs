//! A label of the layouts written into a content file's `labels:`
//! section, which is added at the end of the file when there is none.

use serde_yaml::Value;

use super::{Refusal, set};
use crate::diag::locate::Seg;

/// `text` with the label `key` set to `value` in its `labels:` section,
/// which is added at the end of the file when there is none. Labels
/// already in the file are rewritten in place.
pub fn set_label(text: &str, key: &str, value: &str) -> Result<String, Refusal> {
    let path = [Seg::Key("labels".into()), Seg::Key(key.into())];
    let before: Value =
        serde_yaml::from_str(text).map_err(|e| Refusal(format!("the file does not parse: {e}")))?;
    if before.get("labels").and_then(|l| l.get(key)).is_some() {
        return set(text, &path, value);
    }
    let mut expected = before.clone();
    let Some(root) = expected.as_mapping_mut() else {
        return Err(Refusal("the file is not a mapping of keys".into()));
    };
    let labels = root
        .entry(Value::String("labels".into()))
        .or_insert_with(|| Value::Mapping(Default::default()));
    let Some(labels) = labels.as_mapping_mut() else {
        return Err(Refusal("`labels` is not a mapping of keys".into()));
    };
    labels.insert(Value::String(key.into()), Value::String(value.into()));
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // After the last line of an existing `labels:` block, or a new block
    // at the end of the file.
    let (at, indent, head) = match labels_block(text) {
        Some((end, indent)) => (end, indent, String::new()),
        None => {
            let head = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                newline
            };
            (
                text.len(),
                "  ".to_string(),
                format!("{head}labels:{newline}"),
            )
        }
    };
    let key_text = if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        super::styles::double(key)
    };
    for written in [
        value.to_string(),
        super::styles::single(value),
        super::styles::double(value),
    ] {
        if written.contains('\n') || written.is_empty() {
            continue;
        }
        let line = format!("{head}{indent}{key_text}: {written}{newline}");
        let edited = format!("{}{}{}", &text[..at], line, &text[at..]);
        if serde_yaml::from_str::<Value>(&edited).ok().as_ref() == Some(&expected) {
            return Ok(edited);
        }
    }
    Err(Refusal(format!(
        "the label `{key}` cannot be written in one line; add it under `labels:` in a text editor"
    )))
}

/// The end of the last line of a top-level `labels:` block mapping, and
/// its entries' indentation.
fn labels_block(text: &str) -> Option<(usize, String)> {
    let mut offset = 0;
    let mut found: Option<(usize, String)> = None;
    for line in text.split_inclusive('\n') {
        let end = offset + line.len();
        let body = line.trim_end();
        match &mut found {
            None if body == "labels:"
                || body.starts_with("labels: #")
                || body.starts_with("labels:  #") =>
            {
                found = Some((end, String::new()));
            }
            Some((last, indent)) => {
                if body.trim().is_empty() || body.trim_start().starts_with('#') {
                    offset = end;
                    continue;
                }
                let lead = body.len() - body.trim_start().len();
                if lead == 0 {
                    break;
                }
                if indent.is_empty() {
                    *indent = body[..lead].to_string();
                }
                *last = end;
            }
            None => {}
        }
        offset = end;
    }
    found.map(|(end, indent)| {
        let indent = if indent.is_empty() {
            "  ".to_string()
        } else {
            indent
        };
        (end, indent)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "options:\n  - id: a\n    name: Alpha\nfaq:\n  # Asked most\n  - question: One?\n    answer: >-\n      First answer.\n\n  - question: Two?\n    answer: Second.\ncourse_fit:\n  courses:\n    - id: gen\n      name: Gen Course\n      option: a\n      fit: Everyone.\n# The end\n";

    #[test]
    fn labels_are_added_to_their_section_or_a_new_one() {
        let out = set_label(FILE, "faq", "Your questions: {n}").unwrap();
        assert!(
            out.ends_with("# The end\nlabels:\n  faq: 'Your questions: {n}'\n"),
            "{out}"
        );
        let again = set_label(&out, "faq", "Questions").unwrap();
        assert!(again.ends_with("labels:\n  faq: 'Questions'\n"), "{again}");
        let with = format!("labels:\n    updated: Checked\n\n{FILE}");
        let out = set_label(&with, "faq", "Questions").unwrap();
        assert!(
            out.starts_with("labels:\n    updated: Checked\n    faq: Questions\n\noptions:"),
            "{out}"
        );
    }
}
