//! A build as one call: plan, render, then write the outbox, the review
//! sheet and the report. `handout build`, `watch` and the preview page's
//! print runs and drafts all call [`build`].

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::batch::{self, RunOptions, Stop, Work};
use crate::config::BuildConfig;
use crate::diag::{Diagnostic, count};
use crate::error::Error;
use crate::output::{prepare_dir, prepare_report};
use crate::progress::Observer;
use crate::project::{Project, Unusable};
use crate::recipients::{SetAside, Suppressed};
use crate::report::{Inputs, Report, Status};
use crate::signal::Cancel;
use crate::terminal::emit;
use crate::world::Env;

use super::outbox;
use super::reuse::{self, Earlier};
use crate::fingerprint::Hasher;

/// What a build did: every document planned and each one done, whether it
/// stopped or failed or not.
pub struct Built {
    pub work: Arc<Work>,
    /// In the order they were done.
    pub done: Vec<batch::Done>,
    pub unusable: Vec<Unusable>,
    pub set_aside: Vec<SetAside>,
    pub wall: Duration,
    /// What the build ends with, as the command's exit code tells it.
    pub result: Result<(), Error>,
}

/// One build, stopped cleanly when `cancel` is set (by Ctrl-C, or by the
/// page's Cancel). An error before the first document is returned as such.
pub fn build(
    config: &BuildConfig,
    cancel: Cancel,
    observer: &mut dyn Observer,
) -> Result<Built, Error> {
    let project = Project::load(&config.sources, config.policy())?;
    let planned = plan(config, project)?;
    prepare_dir(&config.out_dir, "--out-dir")?;
    if let Some(report) = &config.report {
        prepare_report(report)?;
    }
    let work = &planned.work;
    let mut hasher = Hasher::new(work, config.deny_warnings);
    let earlier = Earlier::read(&config.out_dir, config.shard, config.quiet);
    let reused = match &earlier {
        Some(earlier) if !config.force => earlier.reusable(work, &mut hasher),
        _ => Vec::new(),
    };
    let skip: HashSet<usize> = reused.iter().map(|d| d.planned).collect();
    let todo: Vec<usize> = (0..work.docs.len()).filter(|i| !skip.contains(i)).collect();
    // The observer hears of every document: the reused ones first.
    observer.start(work.docs.len());
    for done in &reused {
        observer.done(&work.docs[done.planned], done);
    }
    let opts = RunOptions {
        jobs: config.jobs,
        keep_going: config.keep_going,
        deny_warnings: config.deny_warnings,
        timeout: config.timeout,
        cancel,
        processes: worker_processes(config.jobs.min(todo.len()), content_files(work, &todo)),
    };
    let start = Instant::now();
    let outcome = batch::run(work, &opts, todo, |done| {
        observer.done(&work.docs[done.planned], done)
    });
    let wall = start.elapsed();
    observer.finish();
    let (mut done, stop) = match outcome {
        Ok(done) => (done, None),
        Err(stopped) => (stopped.done, Some(stopped.cause)),
    };
    let reused_count = reused.len();
    done.extend(reused);
    done.sort_by_key(|d| d.planned);
    // Files of documents no longer planned go, once the build is whole.
    let removed = match (&earlier, &stop) {
        (Some(earlier), None) => {
            let scope = reuse::Scope {
                planned: &planned.all_outputs,
                contents: work.contents.iter().map(|c| c.name.as_str()).collect(),
                papers: &config.papers,
                editions: &config.editions,
                layouts: &config.layouts,
                ext: config.settings.format.ext(),
                booklet: config.settings.booklet,
                goals: &planned.goals,
            };
            reuse::remove(&earlier.stale(&config.out_dir, &scope, &done))
        }
        _ => Vec::new(),
    };
    let ended = Ended {
        done: &done,
        stop,
        wall,
        reused: reused_count,
        removed,
    };
    let result = conclude(config, &planned, hasher, ended);
    Ok(Built {
        work: planned.work,
        done,
        unusable: planned.unusable,
        set_aside: planned.set_aside,
        wall,
        result,
    })
}

/// How the batch ended.
struct Ended<'a> {
    /// Rendered and reused, in plan order.
    done: &'a [batch::Done],
    stop: Option<Stop>,
    wall: Duration,
    reused: usize,
    /// Files of the earlier build removed because this one no longer makes them.
    removed: Vec<String>,
}

/// A build's documents, with what the project set aside.
struct Planned {
    work: Arc<Work>,
    /// The output file name of every document of the whole build, every
    /// shard's included.
    all_outputs: HashSet<String>,
    /// The variants made of each content file.
    goals: batch::Goals,
    unusable: Vec<Unusable>,
    set_aside: Vec<SetAside>,
    suppressed: Vec<Suppressed>,
}

/// Plans every document of the build from the loaded project.
fn plan(config: &BuildConfig, project: Project) -> Result<Planned, Error> {
    for name in &config.layouts {
        project.check_layout(name)?;
    }
    let (goals, set_aside, suppressed) = match &project.recipients {
        Some(people) => (
            batch::Goals::Recipients(Arc::new(people.rows.clone())),
            people.set_aside.clone(),
            people.suppressed.clone(),
        ),
        None => (config.goals.clone(), Vec::new(), Vec::new()),
    };
    let Project {
        fonts,
        layouts,
        catalogs,
        contents,
        unusable,
        brands,
        event,
        drafts,
        ..
    } = project;
    let mut settings = config.settings.clone();
    settings.event = event;
    let axes = batch::Axes {
        goals: &goals,
        papers: &config.papers,
        editions: &config.editions,
        layouts: &config.layouts,
        format: config.settings.format,
        booklet: config.settings.booklet,
    };
    let mut docs = batch::plan(&contents, &axes, &config.out_dir)?;
    let all_outputs = docs
        .iter()
        .filter_map(|d| d.output.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    if let Some(shard) = config.shard {
        docs = shard.select(docs);
    }
    let work = Arc::new(Work {
        env: Env::new(layouts, catalogs, &brands, &fonts),
        brands,
        font_files: fonts.iter().map(|f| f.path.clone()).collect(),
        settings,
        drafts,
        contents,
        docs,
    });
    Ok(Planned {
        work,
        all_outputs,
        goals,
        unusable,
        set_aside,
        suppressed,
    })
}

/// The program to start as worker processes, or none for threads.
fn worker_processes(workers: usize, content_files: usize) -> Option<PathBuf> {
    let processes = match std::env::var("HANDOUT_WORKERS").as_deref() {
        Ok("threads") => false,
        Ok("processes") => true,
        // Threads of one process contend for Typst's shared caches, so a
        // process per worker scales with the cores. At two workers, threads
        // still win when every document is a variant of one content file:
        // they share its shaped text, which each process would make again
        // (docs/parallel.md has the figures).
        _ => workers >= 3 || (workers == 2 && content_files > 1),
    };
    processes.then(std::env::current_exe).and_then(Result::ok)
}

/// How many content files the documents to render come from.
fn content_files(work: &Work, todo: &[usize]) -> usize {
    let mut seen: Vec<usize> = todo.iter().map(|&i| work.docs[i].content).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Writes the outbox and the reports, and turns the outcome into the
/// command's result.
fn conclude(
    config: &BuildConfig,
    planned: &Planned,
    hasher: Hasher,
    ended: Ended,
) -> Result<(), Error> {
    let work = &planned.work;
    let Ended { done, stop, .. } = &ended;
    if let Some(drafts) = &work.drafts {
        let entries = outbox::entries(work, drafts, done);
        let shard = config.shard.map(|s| (s.k, s.n));
        keep_stop(
            crate::email::write_outbox(&config.out_dir, shard, &entries),
            stop,
        )?;
        let left = outbox::left(&planned.set_aside, &planned.suppressed);
        keep_stop(
            outbox::write_review(&config.out_dir, shard, work, drafts, done, &left),
            stop,
        )?;
    }
    write_reports(config, planned, hasher, &ended)?;
    let Ended {
        done,
        stop,
        wall,
        reused,
        removed,
    } = ended;
    if let Some(stop) = stop {
        return Err(stop.into());
    }
    let total = work.docs.len();
    let failed = done.iter().filter(|d| d.result.is_err()).count();
    let skipped = total - done.len();
    let unreadable = planned.unusable.len();
    if failed > 0 || unreadable > 0 || !planned.set_aside.is_empty() {
        if skipped > 0 {
            eprintln!(
                "stopped after a failure; {} not rendered (use --keep-going to render them)",
                count(skipped, "document was", "documents were")
            );
        }
        return Err(Error::Failed {
            failed,
            total,
            unreadable,
            set_aside: planned.set_aside.len(),
        });
    }
    if !config.quiet {
        summarise(config, work, total - reused, reused, &removed, wall);
    }
    Ok(())
}

/// The closing lines of a build that succeeded.
fn summarise(
    config: &BuildConfig,
    work: &Work,
    rendered: usize,
    reused: usize,
    removed: &[String],
    wall: Duration,
) {
    let line = match reused {
        0 => format!("rendered {}", count(rendered, "document", "documents")),
        _ => format!("reused {reused} unchanged, rendered {rendered} (--force renders every one)"),
    };
    eprintln!("{line} in {:.2} s", wall.as_secs_f64());
    if !removed.is_empty() {
        let shown: Vec<&str> = removed.iter().take(5).map(String::as_str).collect();
        let more = removed.len() - shown.len();
        eprintln!(
            "removed {} this build no longer makes: {}{}",
            count(removed.len(), "file", "files"),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    if work.drafts.is_some() {
        let sheet = match config.shard {
            Some(s) => format!("outbox.{}-of-{}.html", s.k, s.n),
            None => "outbox.html".into(),
        };
        let dir = config.out_dir.display();
        eprintln!(
            "review the drafts in {dir}/{sheet}, then send them with: handout send {dir} --smtp smtp://HOST:587"
        );
    }
}

/// Writes the `--report` file, if asked for, and the report the next build
/// into the folder reuses from. The kept report is only an aid: when it
/// cannot be written, the earlier one goes, so that nothing is reused
/// from it, and the build goes on.
fn write_reports(
    config: &BuildConfig,
    planned: &Planned,
    mut hasher: Hasher,
    ended: &Ended,
) -> Result<(), Error> {
    let work = &planned.work;
    let inputs = work
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let files = ended
                .done
                .binary_search_by_key(&i, |x| x.planned)
                .ok()
                .and_then(|n| ended.done[n].result.as_ref().ok())
                .map(|w| w.layout_files.as_slice());
            hasher.inputs(d, files)
        })
        .collect();
    let report = Report::new(&Inputs {
        contents: &work.contents,
        content_files: hasher.content_files(),
        unusable: &planned.unusable,
        set_aside: &planned.set_aside,
        suppressed: &planned.suppressed,
        docs: &work.docs,
        inputs,
        done: ended.done,
        unfinished: match ended.stop {
            Some(Stop::Interrupted(_)) => Status::Interrupted,
            _ => Status::Skipped,
        },
        removed: &ended.removed,
        ms: ended.wall.as_millis() as u64,
        jobs: config.jobs,
        shard: config.shard,
    });
    let kept = crate::output::kept_report(&config.out_dir, config.shard.map(|s| (s.k, s.n)));
    if let Err(e) = report.write(&kept) {
        let _ = std::fs::remove_file(&kept);
        if !config.quiet {
            emit(&[Diagnostic::warning(format!(
                "cannot keep this build's report for the next one: {}",
                e.message
            ))
            .with_hint("the next build into this folder renders every document again")]);
        }
    }
    if let Some(path) = &config.report {
        keep_stop(report.write(path), &ended.stop)?;
    }
    Ok(())
}

/// A file written after the batch failed to be written: an error of its
/// own, unless the batch already stopped, which is what the exit code then
/// tells; the missing file is still said.
fn keep_stop(written: Result<(), Diagnostic>, stop: &Option<Stop>) -> Result<(), Error> {
    match (written, stop) {
        (Err(e), None) => Err(e.into()),
        (Err(e), Some(_)) => {
            emit(&[e]);
            Ok(())
        }
        (Ok(()), _) => Ok(()),
    }
}
