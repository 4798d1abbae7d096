//! The one way in: every command that reads a project loads it here, in one
//! fixed order, so that `check`, `list`, `eject`, `build` and `watch` read
//! the same inputs the same way and say the same about them.
//!
//! The order: fonts (bundled, then `--font-dir`), layouts and their
//! catalogs, content files, brands, event, recipients, email templates.
//! Layouts come before content because a content file's warnings depend on
//! them (a language without words in the layouts). Problems in the user's
//! files are gathered from every stage and returned together; a problem
//! with the command line stops at once.

mod inputs;
mod languages;

use std::path::{Path, PathBuf};

pub use inputs::expand_inputs;

use crate::brand::{self, Brand};
use crate::content::{self, Loaded};
use crate::diag::{self, Diagnostic};
use crate::email::{DraftArgs, Drafts};
use crate::error::Error;
use crate::event::Event;
use crate::fonts::{self, Coverage, FontFile};
use crate::lang::Catalogs;
use crate::layouts::LayoutFiles;
use crate::recipients::{self, Recipients};
use crate::terminal::emit;

/// What a project is read from: the options every reading command shares.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Content files, folders and globs, as given.
    pub content: Vec<PathBuf>,
    /// A folder whose files replace built-in layout files.
    pub layouts: Option<PathBuf>,
    /// A brand file for every content file; otherwise each finds its own
    /// `_brand.yml`.
    pub brand: Option<PathBuf>,
    /// Folders of fonts besides the bundled ones.
    pub font_dirs: Vec<PathBuf>,
    /// One personal document per row of this file.
    pub recipients: Option<PathBuf>,
    pub delimiter: Option<u8>,
    pub event: Option<PathBuf>,
    /// With `--eml`: the drafts' templates and sender.
    pub email: Option<DraftArgs>,
}

/// How strictly a project is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    /// Warnings are errors (`--deny-warnings`).
    pub deny_warnings: bool,
    /// A content file or recipient with errors is set aside, and the rest
    /// are used (`--keep-going`).
    pub keep_going: bool,
    /// Leave out notes (`--quiet`).
    pub quiet: bool,
    /// A content file with errors is set aside, silently, and the rest are
    /// used: the preview shows each file's errors on its own page.
    pub set_aside_content: bool,
    /// Print the warnings of what was read.
    pub warn: bool,
}

/// A content file that cannot be used, with its problems.
#[derive(Debug)]
pub struct Unusable {
    /// The name used in messages, as for a loaded file.
    pub name: String,
    pub errors: Vec<Diagnostic>,
}

/// Everything a command needs from the user's files, read and checked.
pub struct Project {
    /// The `--font-dir` fonts; the bundled ones are always there.
    pub fonts: Vec<FontFile>,
    /// What the bundled and `--font-dir` fonts can show.
    pub coverage: Coverage,
    pub layouts: LayoutFiles,
    pub catalogs: Catalogs,
    pub contents: Vec<Loaded>,
    /// Content files set aside by `--keep-going`.
    pub unusable: Vec<Unusable>,
    pub brands: Vec<Brand>,
    pub event: Option<Event>,
    pub recipients: Option<Recipients>,
    pub drafts: Option<Drafts>,
}

impl Project {
    /// Reads every input of `sources`, in the order the module describes.
    pub fn load(sources: &Sources, policy: Policy) -> Result<Project, Error> {
        let mut errors = Vec::new();
        let fonts = gather(fonts::load(&sources.font_dirs), &mut errors)?.unwrap_or_default();
        let coverage = Coverage::with(&fonts);
        let layouts = match &sources.layouts {
            Some(dir) => LayoutFiles::with_overrides(dir)?,
            None => LayoutFiles::builtin(),
        };
        let catalogs = gather(
            Catalogs::load(&layouts).map_err(Error::Content),
            &mut errors,
        )?
        .unwrap_or_else(|| Catalogs::builtin().clone());
        let paths = expand_inputs(&sources.content)?;
        if paths.is_empty() {
            return Err(Error::usage(
                "no content files found",
                "pass YAML files, or folders that hold them",
            ));
        }
        let (mut contents, unusable) = gather(
            usable_content(&paths, &coverage, &catalogs, policy),
            &mut errors,
        )?
        .unwrap_or_default();
        let brands = gather(
            brand::for_contents(
                sources.brand.as_deref(),
                &mut contents,
                policy.deny_warnings,
                policy.quiet,
            ),
            &mut errors,
        )?
        .unwrap_or_default();
        gather(
            languages::check_fonts(&contents, &catalogs, &coverage),
            &mut errors,
        )?;
        let event = match &sources.event {
            Some(path) => gather(crate::event::load(path), &mut errors)?,
            None => None,
        };
        // A recipient's goal is checked against the content's goals, and the
        // templates against the recipients' columns: each needs the step
        // before it to have read.
        let mut recipients = match &sources.recipients {
            Some(path) if errors.is_empty() => gather(
                people(path, sources, &contents, &coverage, policy),
                &mut errors,
            )?,
            _ => None,
        };
        let drafts = match (&sources.email, &mut recipients) {
            (Some(args), Some(people)) => {
                gather(
                    campaign_checks(args, &contents, &catalogs, people, policy),
                    &mut errors,
                )?;
                gather(args.load(&people.columns(), event.is_some()), &mut errors)?
            }
            _ => None,
        };
        if !errors.is_empty() {
            return Err(Error::Content(errors));
        }
        Ok(Project {
            fonts,
            coverage,
            layouts,
            catalogs,
            contents,
            unusable,
            brands,
            event,
            recipients,
            drafts,
        })
    }

    /// The brand a content file is rendered with.
    pub fn brand_of(&self, loaded: &Loaded) -> Option<&Brand> {
        loaded.brand.and_then(|i| self.brands.get(i))
    }

    /// A usage error unless `name` is a layout that can be rendered.
    pub fn check_layout(&self, name: &str) -> Result<(), Error> {
        if self.layouts.names().contains(&name) {
            return Ok(());
        }
        Err(Error::usage(
            format!("there is no layout named `{name}`"),
            format!("the layouts are: {}", self.layouts.names().join(", ")),
        ))
    }
}

/// Moves the diagnostics of a content error into `errors`, so that loading
/// goes on and reports them with the others; any other error stops it.
fn gather<T>(result: Result<T, Error>, errors: &mut Vec<Diagnostic>) -> Result<Option<T>, Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::Content(diags)) => {
            errors.extend(diags);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Loads the content files and prints their warnings, among them a
/// language the layouts have no words in. A file that fails to load, or has
/// warnings under `deny_warnings`, is an error; with `keep_going`, it is
/// set aside and the rest are used.
fn usable_content(
    paths: &[PathBuf],
    coverage: &Coverage,
    catalogs: &Catalogs,
    policy: Policy,
) -> Result<(Vec<Loaded>, Vec<Unusable>), Error> {
    let mut contents = Vec::new();
    let mut unusable = Vec::new();
    for path in paths {
        let mut loaded = match content::load(path, coverage) {
            Ok(loaded) => loaded,
            Err(errors) => {
                unusable.push(Unusable {
                    name: path.display().to_string(),
                    errors,
                });
                continue;
            }
        };
        loaded
            .warnings
            .extend(languages::fallback_warning(&loaded, catalogs));
        if policy.deny_warnings && diag::deny_warnings(&mut loaded.warnings) {
            unusable.push(Unusable {
                name: loaded.name,
                errors: loaded.warnings,
            });
            continue;
        }
        if policy.warn {
            emit(&loaded.warnings);
        }
        contents.push(loaded);
    }
    if unusable.is_empty() {
        return Ok((contents, unusable));
    }
    if !(policy.keep_going || policy.set_aside_content) || contents.is_empty() {
        return Err(Error::Content(
            unusable.into_iter().flat_map(|u| u.errors).collect(),
        ));
    }
    unusable.sort_by(|a, b| a.name.cmp(&b.name));
    if !policy.set_aside_content {
        for u in &unusable {
            emit(&u.errors);
        }
        eprintln!(
            "{} set aside; rendering the rest (--keep-going)",
            diag::count(unusable.len(), "content file", "content files")
        );
    }
    Ok((contents, unusable))
}

/// Reads the recipients file; a goal must be one of every content file's
/// goals.
fn people(
    path: &Path,
    sources: &Sources,
    contents: &[Loaded],
    coverage: &Coverage,
    policy: Policy,
) -> Result<Recipients, Error> {
    let mut ids: Vec<&str> = contents
        .first()
        .map(|c| c.content.goals().map(|g| g.id.as_str()).collect())
        .unwrap_or_default();
    ids.retain(|id| contents.iter().all(|c| c.content.goal(id).is_some()));
    let mut people = recipients::load(
        path,
        recipients::Rules {
            delimiter: sources.delimiter,
            goals: &ids,
            keep_going: policy.keep_going,
            require_email: sources.email.is_some(),
            smtputf8: sources.email.as_ref().is_some_and(|e| e.smtputf8),
            coverage,
        },
    )?;
    if policy.deny_warnings && diag::deny_warnings(&mut people.warnings) {
        return Err(Error::Content(people.warnings));
    }
    emit(&people.warnings);
    for s in &people.set_aside {
        emit(&s.errors);
    }
    if !people.set_aside.is_empty() {
        eprintln!(
            "{} set aside; rendering the rest (--keep-going)",
            diag::count(people.set_aside.len(), "recipient", "recipients")
        );
    }
    Ok(people)
}

/// A catalog of the user's, written before drafts had texts of their own,
/// still works: the built-in texts of its language (or English) fill in,
/// and the user is told once per catalog.
fn email_texts_missing(contents: &[Loaded], catalogs: &Catalogs) -> Vec<Diagnostic> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for loaded in contents {
        let catalog = catalogs.get(&crate::content::language_of(&loaded.content));
        let missing = catalog.missing_email();
        if missing.is_empty() || !seen.insert(catalog.lang.clone()) {
            continue;
        }
        let fallback = if Catalogs::builtin().has(&catalog.lang) {
            "the built-in ones of this language are used"
        } else {
            "the English ones are used"
        };
        out.push(
            Diagnostic::warning(format!(
                "lang/{}.yaml has no email texts for: {}; {fallback}",
                catalog.lang,
                missing.join(", ")
            ))
            .with_hint(
                "copy the `email:` section of layouts/lang/en.yaml into it and translate it",
            ),
        );
    }
    out
}

/// What a campaign needs besides its templates: a way to unsubscribe (a
/// warning without one), and the suppression list, whose rows are taken out
/// of `people`.
fn campaign_checks(
    args: &DraftArgs,
    contents: &[Loaded],
    catalogs: &Catalogs,
    people: &mut crate::recipients::Recipients,
    policy: Policy,
) -> Result<(), Error> {
    let mut warnings = args.warnings();
    warnings.extend(email_texts_missing(contents, catalogs));
    if !args.transactional {
        for loaded in contents {
            let org = loaded.content.organisation.as_ref();
            if org.is_none_or(|o| o.address.is_none()) {
                warnings.push(
                    Diagnostic::warning("the drafts have no postal address")
                        .in_file(loaded.name.clone())
                        .with_hint("marketing email must give the sender's postal address in most countries (CAN-SPAM, for one): add `address` under `organisation`; it goes at the foot of every message"),
                );
            }
        }
    }
    if policy.deny_warnings && diag::deny_warnings(&mut warnings) {
        return Err(Error::Content(warnings));
    }
    if policy.warn {
        emit(&warnings);
    }
    let Some(path) = &args.suppress else {
        return Ok(());
    };
    let list = crate::email::suppress::Suppression::load(path)?;
    let (suppressed, kept) = std::mem::take(&mut people.rows)
        .into_iter()
        .partition(|r| r.email.as_deref().is_some_and(|e| list.contains(e)));
    people.rows = kept;
    people.suppressed = suppressed
        .into_iter()
        .map(
            |r: crate::recipients::Recipient| crate::recipients::Suppressed {
                line: r.line,
                name: r.name,
                email: r.email.unwrap_or_default(),
            },
        )
        .collect();
    if !people.suppressed.is_empty() && !policy.quiet {
        eprintln!(
            "{} on {}: no draft for them",
            diag::count(people.suppressed.len(), "recipient is", "recipients are"),
            path.display()
        );
    }
    Ok(())
}
