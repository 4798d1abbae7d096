//! Which documents a build makes, and where each one is written.

use std::path::Path;

use super::{Goals, Planned, file_path};
use crate::content::Loaded;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::output;
use crate::recipients::Recipient;
use crate::render::{Edition, Format, Paper};

/// What to make of each content file.
#[derive(Debug, Clone)]
pub struct Axes<'a> {
    pub goals: &'a Goals,
    pub papers: &'a [Paper],
    pub editions: &'a [Edition],
    pub layouts: &'a [String],
    pub format: Format,
    /// Booklets get their own names.
    pub booklet: bool,
}

/// Lists the documents to render, in a stable order.
pub fn plan(contents: &[Loaded], axes: &Axes, out_dir: &Path) -> Result<Vec<Planned>, Error> {
    let mut papers = axes.papers.to_vec();
    papers.sort();
    papers.dedup();
    let mut editions = axes.editions.to_vec();
    editions.sort();
    editions.dedup();
    let mut layouts = axes.layouts.to_vec();
    layouts.sort();
    layouts.dedup();
    let mut docs = Vec::new();
    for (index, loaded) in contents.iter().enumerate() {
        let c = &loaded.content;
        let all: Vec<&str> = c.goals().map(|g| g.id.as_str()).collect();
        let variants: Vec<(Option<String>, Option<&Recipient>)> = match axes.goals {
            Goals::Generic => vec![(None, None)],
            Goals::All => std::iter::once((None, None))
                .chain(all.iter().map(|g| (Some(g.to_string()), None)))
                .collect(),
            Goals::Recipients(rows) => rows.iter().map(|r| (r.goal.clone(), Some(r))).collect(),
            Goals::Some(goals) => {
                let mut chosen: Vec<(Option<String>, Option<&Recipient>)> = Vec::new();
                for goal in goals {
                    if !all.contains(&goal.as_str()) {
                        return Err(Error::Usage(vec![no_goal(&loaded.name, goal, &all)]));
                    }
                    if !chosen
                        .iter()
                        .any(|(g, _)| g.as_deref() == Some(goal.as_str()))
                    {
                        chosen.push((Some(goal.clone()), None));
                    }
                }
                chosen
            }
        };
        // Documents of one layout in a row share the most cached layout work.
        for layout in &layouts {
            for (goal, recipient) in &variants {
                for &paper in &papers {
                    for &edition in &editions {
                        let person = recipient.map(|r| format!("for-{}", r.slug));
                        let mut parts = vec![c.id.as_str()];
                        match (&person, goal) {
                            // The recipient's goal is theirs, not part of the name.
                            (Some(p), _) => parts.push(p),
                            (None, Some(g)) => parts.push(g),
                            (None, None) => {}
                        }
                        if layout != "handout" {
                            parts.push(layout);
                        }
                        // Every edition and paper has its own name, so that
                        // no build replaces another's file: print on A4 is
                        // the plain name.
                        if paper != Paper::A4 {
                            parts.push(paper.into());
                        }
                        if edition != Edition::Print {
                            parts.push(edition.into());
                        }
                        if axes.booklet {
                            parts.push("booklet");
                        }
                        let stem = output::output_stem(out_dir, &parts);
                        let suffix = if axes.format == Format::Pdf { "" } else { "-1" };
                        let output = file_path(&stem, suffix, axes.format.ext());
                        docs.push(Planned {
                            content: index,
                            goal: goal.clone(),
                            paper,
                            edition,
                            layout: layout.clone(),
                            stem,
                            output,
                            brand: loaded.brand,
                            recipient: recipient.cloned(),
                        });
                    }
                }
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for d in &docs {
        if let Some(other) = seen.insert(d.output.clone(), d.content) {
            return Err(Error::usage(
                format!(
                    "{} and {} would both be written to {}",
                    contents[other].name,
                    contents[d.content].name,
                    d.output.display()
                ),
                "give each content file its own `id`",
            ));
        }
    }
    Ok(docs)
}

/// A goal the content does not declare, with the nearest it does.
fn no_goal(file: &str, goal: &str, all: &[&str]) -> Diagnostic {
    let d = Diagnostic::error(format!("{file} has no goal `{goal}`"));
    match crate::diag::did_you_mean(goal, all) {
        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
        None if all.is_empty() => {
            d.with_hint("this content declares no goals under `career_mapping.goals`")
        }
        None => d.with_hint(format!("the goals are: {}", all.join(", "))),
    }
}
