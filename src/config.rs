//! A build, resolved once from the command line and checked: what to
//! render, how, and where to. Every option and every combination of options
//! is checked here, so that `build` and `watch` refuse the same command
//! lines, before anything is read or watched.

use std::path::PathBuf;
use std::time::Duration;

use crate::batch::{Goals, Shard};
use crate::cli::{BuildArgs, ImpositionArg};
use crate::error::Error;
use crate::project::{Policy, Sources};
use crate::render::{Edition, Format, Paper, Settings, Standard};

#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// What the project is read from.
    pub sources: Sources,
    pub out_dir: PathBuf,
    pub goals: Goals,
    pub papers: Vec<Paper>,
    pub editions: Vec<Edition>,
    /// Layout names to render with.
    pub layouts: Vec<String>,
    pub settings: Settings,
    /// Documents rendered at once.
    pub jobs: usize,
    pub keep_going: bool,
    /// Render every document, reusing none from the earlier build.
    pub force: bool,
    pub report: Option<PathBuf>,
    pub shard: Option<Shard>,
    pub deny_warnings: bool,
    pub timeout: Duration,
    pub quiet: bool,
}

impl BuildConfig {
    /// Resolves the command line, or says which options do not go together.
    pub fn new(args: &BuildArgs) -> Result<Self, Error> {
        let goals = match (args.goal.is_empty(), args.all_goals) {
            (false, _) => Goals::Some(args.goal.clone()),
            (true, true) => Goals::All,
            (true, false) => Goals::Generic,
        };
        let jobs = args.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            usize::from,
        );
        let drafting = args.email.draft.given();
        if !args.email.eml && !drafting.is_empty() {
            return Err(Error::usage(
                format!(
                    "{} is for email drafts, which this build does not write",
                    drafting.join(", ")
                ),
                "add --eml (with --recipients) to write a draft for each person, or leave it out",
            ));
        }
        let mut sources = args.layout.project.sources(args.content.clone());
        args.audience.add_to(&mut sources);
        sources.email = args.email.draft_args();
        let config = BuildConfig {
            sources,
            out_dir: args.out_dir.clone(),
            goals,
            papers: args.paper.iter().map(|&p| p.into()).collect(),
            editions: match (args.edition.is_empty(), args.email.eml) {
                (false, _) => args.edition.iter().map(|&e| e.into()).collect(),
                (true, true) => vec![Edition::Email],
                (true, false) => vec![Edition::Print],
            },
            layouts: args.layout.layout.clone(),
            settings: settings(args),
            jobs,
            keep_going: args.keep_going,
            force: args.force,
            report: args.report.clone(),
            shard: args.shard,
            deny_warnings: args.deny_warnings,
            timeout: Duration::from_secs(args.timeout.max(1)),
            quiet: args.quiet,
        };
        if config.sources.email.is_some() {
            config.one_draft_each()?;
        }
        if config.settings.booklet {
            config.booklet_fits()?;
        }
        Ok(config)
    }

    /// How strictly the project is read.
    pub fn policy(&self) -> Policy {
        Policy {
            deny_warnings: self.deny_warnings,
            keep_going: self.keep_going,
            quiet: self.quiet,
            warn: true,
            set_aside_content: false,
        }
    }

    /// A draft is one message to one person: one document each.
    fn one_draft_each(&self) -> Result<(), Error> {
        let many = |what: &str, option: &str| {
            Error::usage(
                format!("--eml writes one email per person, but this build makes several {what}"),
                format!("give one {option}; build again for another"),
            )
        };
        if self.settings.format != Format::Pdf {
            return Err(Error::usage(
                "--eml attaches the PDF, but this build writes images",
                "leave out --format, or build the images separately",
            ));
        }
        if self.papers.len() > 1 {
            return Err(many("paper sizes", "--paper"));
        }
        if self.editions.len() > 1 {
            return Err(many("editions", "--edition"));
        }
        if self.layouts.len() > 1 {
            return Err(many("layouts", "--layout"));
        }
        Ok(())
    }

    /// A booklet is the print edition of the handout, as a PDF, on a whole
    /// sheet.
    fn booklet_fits(&self) -> Result<(), Error> {
        if self.layouts.iter().any(|l| l != "handout") {
            return Err(Error::usage(
                "--imposition booklet folds the handout, not other layouts",
                "leave out --layout, or build the other layouts separately",
            ));
        }
        if self.editions.iter().any(|&e| e != Edition::Print) {
            return Err(Error::usage(
                "--imposition booklet makes a print file",
                "leave out --edition, or build the email edition separately",
            ));
        }
        if self
            .papers
            .iter()
            .any(|&p| !matches!(p, Paper::A4 | Paper::UsLetter))
        {
            return Err(Error::usage(
                "--paper names the sheet a booklet is printed on: a4 or us-letter",
                "its pages are half that: A5 on A4, half letter on US Letter",
            ));
        }
        if self.settings.format != Format::Pdf {
            return Err(Error::usage(
                "--imposition booklet writes a PDF",
                "leave out --format",
            ));
        }
        Ok(())
    }
}

/// How every document is rendered.
fn settings(args: &BuildArgs) -> Settings {
    Settings {
        bleed: args.bleed,
        // Tagging cannot follow a booklet's imposed page order.
        standards: if args.imposition.is_some() {
            Vec::new()
        } else {
            args.pdf_standard
                .iter()
                .filter_map(|&s| Option::<Standard>::from(s))
                .collect()
        },
        booklet: args.imposition == Some(ImpositionArg::Booklet),
        pages: args.pages,
        format: args.format.into(),
        ppi: args.ppi,
        thumbnail: args.thumbnail,
        event: None,
        preview: args.email.eml,
    }
}
