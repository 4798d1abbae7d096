//! The starting point written by `handout new`.

/// A content file with every section and placeholder text, which passes
/// `handout check` as it is.
pub fn scaffold(id: &str, options: usize) -> String {
    let letters = ["a", "b", "c"];
    let names = ["Option A", "Option B", "Option C"];
    let opts = &letters[..options];
    let title = names[..options].join(" vs ");
    let per_option = |indent: &str, text: &str| -> String {
        opts.iter()
            .zip(names)
            .map(|(id, name)| format!("{indent}option-{id}: {text} for {name}.\n"))
            .collect()
    };
    let lists = |what: &str| -> String {
        opts.iter()
            .zip(names)
            .map(|(id, name)| format!("    option-{id}:\n      - A {what} of {name}\n      - Another {what} of {name}\n"))
            .collect()
    };
    let declared: String = opts
        .iter()
        .zip(names)
        .map(|(id, name)| format!("  - id: option-{id}\n    name: {name}\n"))
        .collect();
    let cards = |field: &str, text: &str| -> String {
        opts.iter()
            .zip(names)
            .map(|(id, name)| format!("    - option: option-{id}\n      {field}: {text} {name}.\n"))
            .collect()
    };
    format!(
        r#"# yaml-language-server: $schema=../docs/content.schema.json
# A new comparison. Replace every placeholder, then run:
#   handout check content/{id}.yaml
# Every field is described in docs/content.md. Delete sections you don't need;
# only id, title, options and comparison are required.
id: {id}
title: {title}
subtitle: A one-line question the comparison answers
summary: >-
  Two or three sentences that say what each option is and why people compare
  them.
lang: en

meta:
  category: Career Comparisons
  difficulty: Beginner
  audience: 2 learner profiles
  updated: 2026-01-01

organisation:
  name: Your organisation

links:
  # Placeholder: set this to your site before handouts go out.
  base_url: https://example.com/

options:
{declared}
quick_take:
  label: Quick Take
  heading: The short answer
  main_takeaway: The one sentence a reader should remember.
  best_fit:
{best_fit}  recommended_direction: Which option to choose, and when.

how_to_choose:
  label: How To Choose
  heading: Pick the path that matches the work you want to do
  cards:
{choice_cards}
confusion:
  label: Where the Confusion Comes From
  heading: Why people mix these up
  reasons:
    - The first reason people confuse them.
    - The second reason.

definitions:
  label: Definitions
  heading: What each term means in practice
  terms:
{terms}
comparison:
  label: Side-By-Side Comparison
  heading: Compare the options across the factors that matter
  factors:
    - name: Main focus
      values:
{focus}    - name: Best for
      values:
{best_for}
skills:
  label: Skills Comparison
  heading: What skills each path pushes you toward
  lists:
{skills}
tools:
  label: Tools Comparison
  heading: The tools you are likely to encounter
  lists:
{tools}
projects:
  label: Project Comparison
  heading: The projects each path produces
  lists:
{projects}
career_mapping:
  label: Career Mapping
  heading: Best path for each goal
  goals:
    - id: first-goal
      goal: I want to reach the first goal
      option: option-a
      advice: Why Option A fits this goal.
      course: first-course

course_fit:
  label: Course Fit
  heading: The course for your goal
  courses:
    - id: first-course
      name: First Course
      option: option-a
      fit: Who this course is for.

faq:
  label: FAQ
  heading: Frequently asked questions
  entries:
    - question: A question readers ask?
      answer: Its answer.

review:
  label: Author and Review
  heading: Who wrote this
  written_by: Your team
  reviewed_by: Your reviewers

next_step:
  label: Next Step
  heading: What to do next
  text: One or two sentences that invite the reader to act.
"#,
        best_fit = cards("text", "Who should choose"),
        choice_cards = opts
            .iter()
            .zip(names)
            .map(|(id, name)| format!(
                "    - option: option-{id}\n      title: Your work looks like {name}\n      points:\n        - A sign that {name} fits you.\n"
            ))
            .collect::<String>(),
        terms = cards("definition", "What a person in this role does, for"),
        focus = per_option("        ", "What the work centres on"),
        best_for = per_option("        ", "Who it suits"),
        skills = lists("skill"),
        tools = lists("tool"),
        projects = lists("project"),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    #[test]
    fn scaffolds_pass_validation() {
        for n in [2, 3] {
            let text: Arc<str> = super::scaffold("my-comparison", n).into();
            let (content, warnings) =
                crate::content::parse("new.yaml", &text).unwrap_or_else(|e| {
                    panic!(
                        "{}",
                        e.iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                });
            assert_eq!(content.options.len(), n);
            assert!(warnings.is_empty());
        }
    }
}
