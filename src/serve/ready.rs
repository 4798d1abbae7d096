//! A project read for the preview: what renders, the index that traces
//! text back to each content file, and every file in a fixed order, those
//! set aside with errors included.

use super::trace::Index;
use crate::diag::Diagnostic;
use crate::project::Project;
use crate::world::Env;

/// A project that renders: its loaded files, and those set aside with
/// errors in their places.
pub(super) struct Ready {
    pub(super) project: Project,
    pub(super) env: Env,
    /// One per loaded content file.
    pub(super) indexes: Vec<Index>,
    /// Every content file in name order, loaded (its place in `contents`)
    /// or set aside with errors (its place in `unusable`): a file that
    /// breaks keeps its place, and shows its own errors only.
    pub(super) files: Vec<Result<usize, usize>>,
    /// What every answer shares, hashed once (`state/stamp.rs`).
    pub(super) stamp: std::sync::OnceLock<String>,
}

impl Ready {
    /// `event` is the `--event` file, whose text is traced as well.
    pub(super) fn new(project: Project, event: Option<&std::path::Path>) -> Self {
        let env = Env::new(
            project.layouts.clone(),
            project.catalogs.clone(),
            &project.brands,
            &project.fonts,
        );
        let indexes = project
            .contents
            .iter()
            .map(|loaded| {
                let lang = crate::content::language_of(&loaded.content);
                let catalog = project.catalogs.get(&lang);
                let yaml = std::fs::read_to_string(&loaded.path).unwrap_or_default();
                // The model's order of fields, which layouts follow.
                let order: Vec<String> = match serde_yaml::to_value(&loaded.content) {
                    Ok(serde_yaml::Value::Mapping(m)) => m
                        .keys()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                let mut index = Index::new(
                    &loaded.name,
                    &yaml,
                    &order,
                    &format!("lang/{}.yaml", catalog.lang),
                    catalog.labels(),
                );
                // The recipients and the event: traced, never edited.
                if let Some(people) = &project.recipients {
                    for row in &people.rows {
                        index.add("recipient", &people.file, row.line, "name", &row.name);
                        for (column, value) in &row.fields {
                            index.add("recipient", &people.file, row.line, column, value);
                        }
                    }
                }
                if let Some(path) = event
                    && let Ok(text) = std::fs::read_to_string(path)
                {
                    index.add_yaml("event", &path.display().to_string(), &text);
                }
                index
            })
            .collect();
        let mut files: Vec<(&str, Result<usize, usize>)> = project
            .contents
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.as_str(), Ok(i)))
            .chain(
                project
                    .unusable
                    .iter()
                    .enumerate()
                    .map(|(j, u)| (u.name.as_str(), Err(j))),
            )
            .collect();
        files.sort_by(|a, b| a.0.cmp(b.0));
        let files = files.into_iter().map(|(_, f)| f).collect();
        Ready {
            project,
            env,
            indexes,
            files,
            stamp: std::sync::OnceLock::new(),
        }
    }

    /// A content file's place, the first when the page asks for one that
    /// is gone (a file removed since it drew).
    pub(super) fn clamp(&self, file: usize) -> usize {
        file.min(self.files.len().saturating_sub(1))
    }

    /// The loaded content of a file the page chose (its place in
    /// `contents`), or the problems of one that cannot be used.
    pub(super) fn content(&self, file: usize) -> Result<usize, &[Diagnostic]> {
        match self.files.get(self.clamp(file)) {
            Some(Ok(i)) => Ok(*i),
            Some(Err(j)) => Err(&self.project.unusable[*j].errors),
            None => Err(&[]),
        }
    }
}
