//! The starting point written by `handout new`, and the placeholder texts in
//! it, which `check` and `build` warn about until they are replaced.

/// Texts of a new file that say what to write. `{name}` stands for an
/// option's name.
pub mod text {
    pub const ORGANISATION: &str = "Your organisation";
    pub const SUBTITLE: &str = "A one-line question the comparison answers";
    pub const SUMMARY: &str =
        "Two or three sentences that say what each option is and why people compare them.";
    pub const TAKEAWAY: &str = "The one sentence a reader should remember.";
    pub const BEST_FIT: &str = "Who should choose {name}.";
    pub const DIRECTION: &str = "Which option to choose, and when.";
    pub const CARD_TITLE: &str = "Your work looks like {name}";
    pub const CARD_POINT: &str = "A sign that {name} fits you.";
    pub const REASON: &str = "The first reason people confuse them.";
    pub const REASON_2: &str = "The second reason.";
    pub const DEFINITION: &str = "What a person in this role does, for {name}.";
    pub const FOCUS: &str = "What the work centres on for {name}.";
    pub const BEST_FOR: &str = "Who it suits for {name}.";
    pub const GOAL: &str = "I want to reach the first goal";
    pub const ADVICE: &str = "Why {name} fits this goal.";
    pub const COURSE: &str = "First Course";
    pub const COURSE_FIT: &str = "Who this course is for.";
    pub const QUESTION: &str = "A question readers ask?";
    pub const ANSWER: &str = "Its answer.";
    pub const WRITTEN_BY: &str = "Your team";
    pub const REVIEWED_BY: &str = "Your reviewers";
    pub const NEXT_STEP: &str = "One or two sentences that invite the reader to act.";
    /// Lists of skills, tools and projects: `{what}` is the list's item.
    pub const ITEM: &str = "A {what} of {name}";
    pub const ITEM_2: &str = "Another {what} of {name}";
}

/// Option names when `handout new` is given none.
pub const OPTION_NAMES: [&str; 3] = ["Option A", "Option B", "Option C"];

/// Every placeholder, with `{name}` for an option's name.
pub fn placeholders() -> Vec<String> {
    use text::*;
    let mut all: Vec<String> = [
        ORGANISATION,
        SUBTITLE,
        SUMMARY,
        TAKEAWAY,
        BEST_FIT,
        DIRECTION,
        CARD_TITLE,
        CARD_POINT,
        REASON,
        REASON_2,
        DEFINITION,
        FOCUS,
        BEST_FOR,
        GOAL,
        ADVICE,
        COURSE,
        COURSE_FIT,
        QUESTION,
        ANSWER,
        WRITTEN_BY,
        REVIEWED_BY,
        NEXT_STEP,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for what in ["skill", "tool", "project"] {
        all.push(ITEM.replace("{what}", what));
        all.push(ITEM_2.replace("{what}", what));
    }
    all
}

/// An option id made from its name: `UX Designer` gives `ux-designer`.
pub fn option_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

/// A content file with every section and placeholder text, which passes
/// `handout check` as it is (with warnings about the placeholders).
/// `names` are the options' names, two or three.
pub fn scaffold(id: &str, names: &[String]) -> String {
    use text::*;
    let ids: Vec<String> = names.iter().map(|n| option_id(n)).collect();
    let opts: Vec<(&str, &str)> = ids
        .iter()
        .map(String::as_str)
        .zip(names.iter().map(String::as_str))
        .collect();
    let fill = |template: &str, name: &str| yaml_string(&template.replace("{name}", name));
    let each = |line: &dyn Fn(&str, &str) -> String| -> String {
        opts.iter().map(|(id, name)| line(id, name)).collect()
    };
    let per_option =
        |template: &str| each(&|id, name| format!("        {id}: {}\n", fill(template, name)));
    let lists = |what: &str| {
        each(&|id, name| {
            format!(
                "    {id}:\n      - {}\n      - {}\n",
                fill(&ITEM.replace("{what}", what), name),
                fill(&ITEM_2.replace("{what}", what), name),
            )
        })
    };
    let cards = |field: &str, template: &str| {
        each(&|id, name| {
            format!(
                "    - option: {id}\n      {field}: {}\n",
                fill(template, name)
            )
        })
    };
    let (first_id, first_name) = opts[0];
    let values: [(&str, String); 29] = [
        ("id", id.to_string()),
        ("title", yaml_string(&names.join(" vs "))),
        ("count", names.len().to_string()),
        (
            "declared",
            each(&|id, name| format!("  - id: {id}\n    name: {}\n", yaml_string(name))),
        ),
        ("best_fit", cards("text", BEST_FIT)),
        (
            "choice_cards",
            each(&|id, name| {
                format!(
                    "    - option: {id}\n      title: {}\n      points:\n        - {}\n",
                    fill(CARD_TITLE, name),
                    fill(CARD_POINT, name),
                )
            }),
        ),
        ("terms", cards("definition", DEFINITION)),
        ("focus", per_option(FOCUS)),
        ("best_for", per_option(BEST_FOR)),
        ("skills", lists("skill")),
        ("tools", lists("tool")),
        ("projects", lists("project")),
        ("advice", fill(ADVICE, first_name)),
        ("first_id", first_id.to_string()),
        ("SUBTITLE", SUBTITLE.into()),
        ("SUMMARY", SUMMARY.into()),
        ("ORGANISATION", ORGANISATION.into()),
        ("TAKEAWAY", TAKEAWAY.into()),
        ("DIRECTION", DIRECTION.into()),
        ("REASON", REASON.into()),
        ("REASON_2", REASON_2.into()),
        ("GOAL", GOAL.into()),
        ("COURSE", COURSE.into()),
        ("COURSE_FIT", COURSE_FIT.into()),
        ("QUESTION", QUESTION.into()),
        ("ANSWER", ANSWER.into()),
        ("WRITTEN_BY", WRITTEN_BY.into()),
        ("REVIEWED_BY", REVIEWED_BY.into()),
        ("NEXT_STEP", NEXT_STEP.into()),
    ];
    substitute(TEMPLATE, &values)
}

/// The file `handout new` writes, with `{key}` where a value goes.
const TEMPLATE: &str = include_str!("scaffold.yaml");

/// `template` with each `{key}` of `values` replaced, in one pass, so that
/// a value holding braces is never read as a placeholder.
fn substitute(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after
            .find('}')
            .and_then(|end| values.iter().find(|(k, _)| *k == &after[..end]));
        match value {
            Some((key, value)) => {
                out.push_str(value);
                rest = &after[key.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A YAML scalar for any text: plain when that reads back the same, else
/// double-quoted as JSON, which YAML accepts.
fn yaml_string(s: &str) -> String {
    match serde_yaml::from_str::<serde_yaml::Value>(s) {
        Ok(serde_yaml::Value::String(back))
            if back == s && !s.contains(": ") && !s.contains(" #") =>
        {
            s.to_string()
        }
        _ => serde_json::to_string(s).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A value that holds braces is written as it is, never read as a
    /// placeholder; an unknown placeholder stays.
    #[test]
    fn placeholders_are_filled_in_one_pass() {
        let values = [("a", "{b}".to_string()), ("b", "x".to_string())];
        assert_eq!(substitute("{a} {b} {c} {", &values), "{b} x {c} {");
    }

    fn parse(text: &str) -> (crate::content::Content, Vec<crate::diag::Diagnostic>) {
        let text: Arc<str> = text.into();
        crate::content::parse("new.yaml", &text, &Default::default()).unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
    }

    #[test]
    fn scaffolds_pass_validation_with_placeholder_warnings() {
        for n in [2, 3] {
            let names: Vec<String> = OPTION_NAMES[..n].iter().map(|s| s.to_string()).collect();
            let (content, warnings) = parse(&scaffold("my-comparison", &names));
            assert_eq!(content.options.len(), n);
            assert!(!warnings.is_empty());
            assert!(
                warnings.iter().all(|w| w.message.contains("placeholder")),
                "{warnings:?}"
            );
        }
    }

    #[test]
    fn named_options_fill_names_ids_and_references() {
        let names = vec![
            "UX Designer".to_string(),
            "Product Manager: Growth #1".to_string(),
        ];
        let text = scaffold("ux-vs-pm", &names);
        let (content, _) = parse(&text);
        let ids: Vec<&str> = content.options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["ux-designer", "product-manager-growth-1"]);
        assert_eq!(content.options[1].name, names[1]);
        assert_eq!(content.title, "UX Designer vs Product Manager: Growth #1");
        assert!(!text.contains("option-a"));
    }
}
