//! Rendering planned documents in parallel.
//!
//! Workers own their share of the job (`Arc`) and are never joined: Typst
//! cannot cancel a compile under way, so a stuck document must not keep the
//! command from returning. Results flow one way, from the workers to the
//! caller's thread through a channel; that thread also watches the clock and
//! the signals.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::{Done, Planned, Written, file_path};
use crate::content::Loaded;
use crate::diag::{Diagnostic, Severity};
use crate::error::Error;
use crate::output::Writes;
use crate::render::{self, Job, Settings};
use crate::signal::{Cancel, Signal};
use crate::world::Env;

/// Everything the workers read: shared, read-only, and kept alive by any
/// worker still running.
pub struct Work {
    pub env: Env,
    pub settings: Settings,
    pub contents: Vec<Loaded>,
    pub docs: Vec<Planned>,
}

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub jobs: usize,
    /// Render the rest after a failure.
    pub keep_going: bool,
    /// A document with warnings fails.
    pub deny_warnings: bool,
    /// The longest a document may take.
    pub timeout: Duration,
    /// Polled while the batch runs; once set, the batch stops.
    pub cancel: Cancel,
}

/// Why a batch stopped before every document was done.
#[derive(Debug)]
pub enum Stop {
    /// A document ran past the timeout; it is among the results as failed.
    TimedOut(Box<Diagnostic>),
    Interrupted(Signal),
    /// Worker threads could not be started.
    NoThreads(String),
}

/// A batch that stopped early, with what was finished by then.
#[derive(Debug)]
pub struct Stopped {
    pub cause: Stop,
    /// Finished documents, in plan order.
    pub done: Vec<Done>,
}

impl From<Stop> for Error {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::TimedOut(d) => Error::TimedOut(d),
            Stop::Interrupted(signal) => Error::Interrupted(signal),
            Stop::NoThreads(e) => Error::system(
                format!("cannot start worker threads: {e}"),
                "lower --jobs, or free memory and try again",
            ),
        }
    }
}

/// What workers and the caller's thread share.
struct Shared {
    next: AtomicUsize,
    stop: AtomicBool,
    /// Documents being rendered, with when they started.
    started: Mutex<HashMap<usize, Instant>>,
    writes: Writes,
}

/// Renders the planned documents in parallel, writing each file as soon as
/// it is ready, and calls `on_done` on this thread as each one finishes.
/// Unless `keep_going`, the first failure stops new work.
pub fn run(
    work: &Arc<Work>,
    opts: &RunOptions,
    mut on_done: impl FnMut(&Done),
) -> Result<Vec<Done>, Stopped> {
    let total = work.docs.len();
    let shared = Arc::new(Shared {
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        started: Mutex::new(HashMap::new()),
        writes: Writes::new(),
    });
    let (tx, rx) = mpsc::channel();
    let mut done: Vec<Done> = Vec::with_capacity(total);
    // Each worker is a one-thread rayon pool. Typst parallelises inside a
    // document with rayon; in one shared pool, a worker waiting on such a
    // join would steal and start other documents on its own stack, holding
    // all of them in memory at once. With a pool per worker, Typst's joins
    // stay within their document and `--jobs` alone sets how many cores are
    // busy.
    let workers = opts.jobs.clamp(1, total.max(1));
    // With fewer documents than cores, each document gets the spare cores
    // for Typst's own parallel layout.
    let threads = (opts.jobs / workers).max(1);
    for n in 0..workers {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            // Typst recurses deeply; give its threads room.
            .stack_size(64 * 1024 * 1024)
            .thread_name(move |_| format!("handout-{n}"))
            .build();
        match pool {
            Ok(pool) => {
                let (work, shared, tx) = (work.clone(), shared.clone(), tx.clone());
                let opts = opts.clone();
                pool.spawn(move || worker(&work, &shared, &tx, &opts));
            }
            Err(e) if n == 0 => {
                return Err(Stopped {
                    cause: Stop::NoThreads(e.to_string()),
                    done,
                });
            }
            // Fewer workers than asked for still finish the job.
            Err(_) => break,
        }
    }
    drop(tx);

    let mut receive = |d: Done, done: &mut Vec<Done>| {
        if d.result.is_err() && !opts.keep_going {
            shared.stop.store(true, Ordering::Relaxed);
        }
        on_done(&d);
        done.push(d);
    };
    let cause = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(d) => receive(d, &mut done),
            Err(RecvTimeoutError::Timeout) => {}
            // Every worker has finished.
            Err(RecvTimeoutError::Disconnected) => break None,
        }
        if let Some(signal) = opts.cancel.get() {
            break Some(Stop::Interrupted(signal));
        }
        let late = shared
            .started
            .lock()
            .iter()
            .find(|(_, t)| t.elapsed() > opts.timeout)
            .map(|(i, _)| *i);
        if let Some(i) = late {
            // A layout that never finishes must not hang CI.
            let error = timed_out(&work.docs[i], opts.timeout);
            receive(
                Done {
                    planned: i,
                    result: Err(vec![error.clone()]),
                    millis: opts.timeout.as_millis() as u64,
                },
                &mut done,
            );
            break Some(Stop::TimedOut(Box::new(error)));
        }
    };
    done.sort_by_key(|d| d.planned);
    let Some(cause) = cause else {
        return Ok(done);
    };
    // Stop new work, remove files being written and refuse new ones; keep
    // what finished meanwhile. A stuck compile is left to the process's end.
    shared.stop.store(true, Ordering::Relaxed);
    shared.writes.close();
    // Documents that were already written count as done; failures now are
    // the refused writes, and the late document is done already.
    let known: HashSet<usize> = done.iter().map(|d| d.planned).collect();
    while let Ok(d) = rx.recv_timeout(Duration::from_millis(20)) {
        if d.result.is_ok() && !known.contains(&d.planned) {
            receive(d, &mut done);
        }
    }
    done.sort_by_key(|d| d.planned);
    Err(Stopped { cause, done })
}

fn worker(work: &Work, shared: &Shared, tx: &mpsc::Sender<Done>, opts: &RunOptions) {
    while !shared.stop.load(Ordering::Relaxed) {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= work.docs.len() {
            break;
        }
        shared.started.lock().insert(i, Instant::now());
        let start = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            render_one(work, &shared.writes, &work.docs[i], opts.deny_warnings)
        }))
        .unwrap_or_else(|_| {
            Err(vec![
                Diagnostic::error(format!(
                    "internal error while rendering {}",
                    work.docs[i].output.display()
                ))
                .with_hint("this is a bug in handout; please report it with the command you ran"),
            ])
        });
        evict_caches();
        // Stop at once, before this worker takes another document.
        if result.is_err() && !opts.keep_going {
            shared.stop.store(true, Ordering::Relaxed);
        }
        let done = Done {
            planned: i,
            result,
            millis: start.elapsed().as_millis() as u64,
        };
        // Sent before it leaves `started`, so a stop never loses it.
        let sent = tx.send(done);
        shared.started.lock().remove(&i);
        if sent.is_err() {
            break;
        }
    }
}

fn render_one(
    work: &Work,
    writes: &Writes,
    doc: &Planned,
    deny_warnings: bool,
) -> Result<Written, Vec<Diagnostic>> {
    let loaded = &work.contents[doc.content];
    let goal = doc.goal.as_deref().and_then(|id| loaded.content.goal(id));
    let job = Job {
        content: &loaded.content,
        goal,
        paper: doc.paper,
        edition: doc.edition,
        layout: &doc.layout,
        settings: &work.settings,
    };
    let r = render::render(&work.env, &job).map_err(|mut diags| {
        locate_missing_glyphs(&mut diags, &loaded.warnings);
        diags
    })?;
    if deny_warnings && !r.warnings.is_empty() {
        return Err(warnings_as_errors(&r.warnings, doc));
    }
    for f in &r.files {
        let path = file_path(&doc.stem, &f.suffix, f.ext);
        writes.write(&path, &f.bytes).map_err(|d| vec![d])?;
    }
    let main = &r.files[0].bytes;
    Ok(Written {
        pages: r.pages,
        bytes: main.len(),
        sha256: format!("{:x}", Sha256::digest(main)),
        warnings: r.warnings,
    })
}

/// Typst's PDF/UA check refuses text without glyphs but cannot say where
/// in the content it is; the content's own warning about the same
/// characters can, so the error takes its place and a fix the user has.
fn locate_missing_glyphs(diags: &mut [Diagnostic], warnings: &[Diagnostic]) {
    for d in diags.iter_mut() {
        let Some(rest) = d
            .message
            .split_once("could not be displayed with font")
            .map(|(t, _)| t)
        else {
            continue;
        };
        let text: Vec<char> = rest
            .split_once("the text `\"")
            .map(|(_, t)| t.trim_end_matches(['"', '`', ' ']).chars().collect())
            .unwrap_or_default();
        let warning = warnings.iter().find(|w| {
            w.message.starts_with("the bundled fonts cannot show")
                && text.iter().any(|c| w.message.contains(*c))
        });
        if let Some(span) = warning.and_then(|w| w.span.as_deref()) {
            d.file = Some(span.file.clone());
            d.span = Some(Box::new(span.clone()));
            d.path = warning.and_then(|w| w.path.clone());
        }
        d.hints = vec![
            "the bundled fonts cover Latin, Greek and Cyrillic; replace these characters, or build with --pdf-standard none to print them as blank boxes".into(),
        ];
    }
}

fn timed_out(doc: &Planned, limit: Duration) -> Diagnostic {
    Diagnostic::error(format!(
        "{} took longer than {} s to render; stopped",
        doc.output.display(),
        limit.as_secs()
    ))
    .with_hint(format!(
        "the layout `{}` may never finish, e.g. a loop without end; raise --timeout if it is just slow",
        doc.layout
    ))
}

/// Warnings as errors, for `--deny-warnings`.
fn warnings_as_errors(warnings: &[Diagnostic], doc: &Planned) -> Vec<Diagnostic> {
    let mut diags = warnings.to_vec();
    for d in &mut diags {
        d.severity = Severity::Error;
    }
    diags.push(
        Diagnostic::error(format!(
            "{} was not written because of warnings",
            doc.output.display()
        ))
        .with_hint("fix the warnings, or build without --deny-warnings"),
    );
    diags
}

/// Keeps Typst's global caches from growing without bound in long batches.
/// An eviction walks every cache, so it runs every few documents; results
/// unused for about a dozen documents are dropped, while what consecutive
/// documents share (fonts, shaped text, the layout's code) stays.
fn evict_caches() {
    const EVERY: usize = 4;
    static RENDERED: AtomicUsize = AtomicUsize::new(0);
    if (RENDERED.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(EVERY) {
        typst::comemo::evict(3);
    }
}
