//! `handout build`: render every planned document, then report.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::batch::{self, RunOptions, Stop, Unusable, Work};
use crate::brand;
use crate::cli::BuildArgs;
use crate::config::BuildConfig;
use crate::content::Loaded;
use crate::diag::Severity;
use crate::error::Error;
use crate::lang::{self, Catalogs};
use crate::output::{prepare_dir, prepare_report};
use crate::progress::Progress;
use crate::recipients;
use crate::report::{Inputs, Report, Status};
use crate::signal::Cancel;
use crate::terminal::emit;
use crate::world::Env;

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    build(&BuildConfig::from(args))
}

/// One build. Ctrl-C and SIGTERM stop it cleanly from the first call on.
pub fn build(config: &BuildConfig) -> Result<(), Error> {
    // Fonts first: content warnings say what the build's fonts cannot show.
    let fonts = crate::fonts::load(&config.font_dirs)?;
    let paths = batch::expand_inputs(&config.inputs)?;
    if paths.is_empty() {
        return Err(Error::usage(
            "no content files found",
            "pass YAML files, or folders that hold them",
        ));
    }
    let (mut contents, unusable) = usable_content(&paths, config.deny_warnings, config.keep_going)?;
    let brands = brand::for_contents(
        config.brand.as_deref(),
        &mut contents,
        config.deny_warnings,
        config.quiet,
    )?;
    let mut settings = config.settings.clone();
    if let Some(path) = &config.event {
        settings.event = Some(crate::event::load(path)?);
    }
    let mut goals = config.goals.clone();
    let mut set_aside = Vec::new();
    if let Some(path) = &config.recipients {
        // A goal must be one of every content file's goals.
        let mut ids: Vec<&str> = contents
            .first()
            .map(|c| c.content.goals().map(|g| g.id.as_str()).collect())
            .unwrap_or_default();
        ids.retain(|id| contents.iter().all(|c| c.content.goal(id).is_some()));
        let people = recipients::load(
            path,
            recipients::Rules {
                delimiter: config.delimiter,
                goals: &ids,
                keep_going: config.keep_going,
                require_email: config.email.is_some(),
            },
        )?;
        if config.deny_warnings && !people.warnings.is_empty() {
            let mut errors = people.warnings;
            for w in &mut errors {
                w.severity = Severity::Error;
                w.hints
                    .push("--deny-warnings turns warnings into errors".into());
            }
            return Err(Error::Content(errors));
        }
        emit(&people.warnings);
        for s in &people.set_aside {
            emit(&s.errors);
        }
        if !people.set_aside.is_empty() {
            eprintln!(
                "{} set aside; rendering the rest (--keep-going)",
                crate::diag::count(people.set_aside.len(), "recipient", "recipients")
            );
        }
        if let Some(args) = &config.email {
            let mut columns: Vec<&str> = people
                .rows
                .iter()
                .flat_map(|r| r.fields.keys().map(String::as_str))
                .collect();
            columns.sort_unstable();
            columns.dedup();
            settings.email = Some(args.load(&columns, settings.event.is_some())?);
        }
        set_aside = people.set_aside;
        goals = batch::Goals::Recipients(Arc::new(people.rows));
    }
    if settings.email.is_some() {
        one_draft_each(config)?;
    }
    if settings.booklet {
        booklet_fits(config)?;
    }
    let layouts = super::layouts(config.layouts_dir.as_deref())?;
    for name in &config.layouts {
        super::check_layout(&layouts, name)?;
    }
    let catalogs = Catalogs::load(&layouts).map_err(Error::Content)?;
    let fallbacks = lang::fallback_warnings(&contents, &catalogs);
    if config.deny_warnings && !fallbacks.is_empty() {
        return Err(Error::Content(
            fallbacks
                .into_iter()
                .map(|mut w| {
                    w.severity = Severity::Error;
                    w.with_hint("--deny-warnings turns warnings into errors")
                })
                .collect(),
        ));
    }
    emit(&fallbacks);
    lang::check_fonts(&contents, &catalogs)?;
    let axes = batch::Axes {
        goals: &goals,
        papers: &config.papers,
        editions: &config.editions,
        layouts: &config.layouts,
        format: config.settings.format,
        booklet: config.settings.booklet,
    };
    let mut docs = batch::plan(&contents, &axes, &config.out_dir)?;
    if let Some(shard) = config.shard {
        docs = shard.select(docs);
    }
    prepare_dir(&config.out_dir, "--out-dir")?;
    if let Some(report) = &config.report {
        prepare_report(report)?;
    }
    let cancel = Cancel::signals().map_err(|e| {
        Error::system(
            format!("cannot handle ctrl-c: {e}"),
            "this system refuses signal handlers; run handout on another machine",
        )
    })?;

    let workers = config.jobs.min(docs.len());
    let processes = match std::env::var("HANDOUT_WORKERS").as_deref() {
        Ok("threads") => false,
        Ok("processes") => true,
        // Threads of one process contend for Typst's shared caches, more
        // with each thread; a process per worker scales with the cores. At
        // two workers both measure the same, and threads start faster.
        _ => workers >= 3,
    };
    let work = Arc::new(Work {
        env: Env::new(layouts, &brands, &fonts),
        brands,
        font_files: fonts.iter().map(|f| f.path.clone()).collect(),
        settings,
        contents,
        docs,
    });
    let total = work.docs.len();
    let mut progress = Progress::new(total, config.quiet);
    let opts = RunOptions {
        jobs: config.jobs,
        keep_going: config.keep_going,
        deny_warnings: config.deny_warnings,
        timeout: config.timeout,
        cancel,
        processes: processes.then(std::env::current_exe).and_then(Result::ok),
    };
    let start = Instant::now();
    let outcome = batch::run(&work, &opts, |done| {
        progress.done(&work.docs[done.planned], done)
    });
    let wall = start.elapsed();
    progress.finish();
    let (done, stop) = match outcome {
        Ok(done) => (done, None),
        Err(stopped) => (stopped.done, Some(stopped.cause)),
    };

    if let Some(drafts) = &work.settings.email {
        let entries = outbox(&work, drafts, &done);
        match (crate::email::write_outbox(&config.out_dir, &entries), &stop) {
            (Err(e), None) => return Err(e.into()),
            (Err(e), Some(_)) => emit(&[e]),
            (Ok(()), _) => {}
        }
    }
    if let Some(path) = &config.report {
        let report = Report::new(&Inputs {
            contents: &work.contents,
            unusable: &unusable,
            set_aside: &set_aside,
            docs: &work.docs,
            done: &done,
            unfinished: match stop {
                Some(Stop::Interrupted(_)) => Status::Interrupted,
                _ => Status::Skipped,
            },
            ms: wall.as_millis() as u64,
            jobs: config.jobs,
            shard: config.shard,
        });
        match (report.write(path), &stop) {
            (Err(e), None) => return Err(e.into()),
            // The stop is what the exit code tells; still say the report is missing.
            (Err(e), Some(_)) => emit(&[e]),
            (Ok(()), _) => {}
        }
    }
    if let Some(stop) = stop {
        return Err(stop.into());
    }

    let failed = done.iter().filter(|d| d.result.is_err()).count();
    let skipped = total - done.len();
    let unreadable = unusable.len();
    if failed > 0 || unreadable > 0 || !set_aside.is_empty() {
        if skipped > 0 {
            let was = if skipped == 1 {
                "document was"
            } else {
                "documents were"
            };
            eprintln!(
                "stopped after a failure; {skipped} {was} not rendered (use --keep-going to render them)"
            );
        }
        return Err(Error::Failed {
            failed,
            total,
            unreadable,
            set_aside: set_aside.len(),
        });
    }
    if !config.quiet {
        let s = if total == 1 { "" } else { "s" };
        eprintln!(
            "rendered {total} document{s} in {:.2} s",
            wall.as_secs_f64()
        );
    }
    Ok(())
}

/// Loads the content files and prints their warnings. A file that fails to
/// load, or has warnings under `deny`, fails the build before anything is
/// rendered; with `keep_going`, it is set aside and the rest are rendered.
fn usable_content(
    paths: &[PathBuf],
    deny: bool,
    keep_going: bool,
) -> Result<(Vec<Loaded>, Vec<Unusable>), Error> {
    let (loaded, mut unusable) = batch::load_each(paths);
    let mut contents = Vec::new();
    for c in loaded {
        if c.warnings.is_empty() {
            contents.push(c);
        } else if !deny {
            emit(&c.warnings);
            contents.push(c);
        } else {
            let mut errors = c.warnings;
            for w in &mut errors {
                w.severity = Severity::Error;
                w.hints
                    .push("--deny-warnings turns warnings into errors".into());
            }
            unusable.push(Unusable {
                name: c.name,
                errors,
            });
        }
    }
    if unusable.is_empty() {
        return Ok((contents, unusable));
    }
    if !keep_going || contents.is_empty() {
        return Err(Error::Content(
            unusable.into_iter().flat_map(|u| u.errors).collect(),
        ));
    }
    unusable.sort_by(|a, b| a.name.cmp(&b.name));
    for u in &unusable {
        emit(&u.errors);
    }
    let s = if unusable.len() == 1 { "" } else { "s" };
    eprintln!(
        "{} content file{s} set aside; rendering the rest (--keep-going)",
        unusable.len()
    );
    Ok((contents, unusable))
}

/// A draft is one message to one person: one document each.
fn one_draft_each(config: &BuildConfig) -> Result<(), Error> {
    let many = |what: &str, option: &str| {
        Error::usage(
            format!("--eml writes one email per person, but this build makes several {what}"),
            format!("give one {option}; build again for another"),
        )
    };
    if config.settings.format != crate::render::Format::Pdf {
        return Err(Error::usage(
            "--eml attaches the PDF, but this build writes images",
            "leave out --format, or build the images separately",
        ));
    }
    if config.papers.len() > 1 {
        return Err(many("paper sizes", "--paper"));
    }
    if config.editions.len() > 1 {
        return Err(many("editions", "--edition"));
    }
    if config.layouts.len() > 1 {
        return Err(many("layouts", "--layout"));
    }
    Ok(())
}

/// The drafts that were written, in plan order, for `handout send`.
fn outbox(
    work: &Work,
    drafts: &crate::email::Drafts,
    done: &[batch::Done],
) -> Vec<crate::email::OutboxEntry> {
    // Checked when the templates were read.
    let Ok(sender) = drafts.from.parse::<lettre::message::Mailbox>() else {
        return Vec::new();
    };
    let from = sender.email.to_string();
    let mut written: Vec<usize> = done
        .iter()
        .filter(|d| d.result.is_ok())
        .map(|d| d.planned)
        .collect();
    written.sort_unstable();
    written
        .into_iter()
        .filter_map(|i| {
            let doc = &work.docs[i];
            let person = doc.recipient.as_ref()?;
            let address = person.email.as_deref()?;
            let content = &work.contents[doc.content].content;
            let campaign = drafts.campaign(content);
            Some(crate::email::OutboxEntry {
                file: batch::file_path(&doc.stem, "", "eml")
                    .file_name()?
                    .to_string_lossy()
                    .into_owned(),
                message_id: crate::email::message_id(campaign, &content.id, address, &sender),
                recipient: address.to_string(),
                from: from.clone(),
                campaign: campaign.to_string(),
            })
        })
        .collect()
}

/// A booklet is the print edition of the handout, as a PDF, on a whole sheet.
fn booklet_fits(config: &BuildConfig) -> Result<(), Error> {
    use crate::render::{Edition, Format, Paper};
    if config.layouts.iter().any(|l| l != "handout") {
        return Err(Error::usage(
            "--imposition booklet folds the handout, not other layouts",
            "leave out --layout, or build the other layouts separately",
        ));
    }
    if config.editions.iter().any(|&e| e != Edition::Print) {
        return Err(Error::usage(
            "--imposition booklet makes a print file",
            "leave out --edition, or build the email edition separately",
        ));
    }
    if config
        .papers
        .iter()
        .any(|&p| !matches!(p, Paper::A4 | Paper::UsLetter))
    {
        return Err(Error::usage(
            "--paper names the sheet a booklet is printed on: a4 or us-letter",
            "its pages are half that: A5 on A4, half letter on US Letter",
        ));
    }
    if config.settings.format != Format::Pdf {
        return Err(Error::usage(
            "--imposition booklet writes a PDF",
            "leave out --format",
        ));
    }
    Ok(())
}
