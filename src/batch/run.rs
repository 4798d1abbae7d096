//! Rendering planned documents in parallel.
//!
//! Workers own their share of the build (`Arc`) and are never joined: Typst
//! cannot cancel a compile under way, so a stuck document must not keep the
//! command from returning. Results flow one way, from the workers to the
//! caller's thread through a channel; that thread also watches the clock and
//! the signals.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::doc::{Making, evict_caches, locate_missing_glyphs, render_doc, write_doc};
use super::process::{Setup, Worker, record_worker};
use super::{Done, Planned};
use crate::content::Loaded;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::output::{Writes, remove_temporaries};
use crate::render::Settings;
use crate::signal::{Cancel, Signal};
use crate::world::Env;

/// Everything the workers read: shared, read-only, and kept alive by any
/// worker still running.
pub struct Work {
    pub env: Env,
    /// The brands `env` was built with, for worker processes.
    pub brands: Vec<crate::brand::Brand>,
    /// The `--font-dir` files `env` was built with, for worker processes,
    /// which read them again.
    pub font_files: Vec<std::path::PathBuf>,
    pub settings: Settings,
    /// With `--eml`: how each recipient's draft is written.
    pub drafts: Option<crate::email::Drafts>,
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
    /// The program to start as worker processes (`handout` itself), or
    /// none to render on threads of this process.
    pub processes: Option<PathBuf>,
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
    /// The documents to render, by index into the plan.
    todo: Vec<usize>,
    /// Runs of `todo` handed out whole, and the next one to hand out.
    units: Vec<Range<usize>>,
    next: AtomicUsize,
    stop: AtomicBool,
    /// Documents being rendered, with when they started.
    started: Mutex<HashMap<usize, Instant>>,
    writes: Writes,
    /// Worker processes, to end them when the build stops.
    children: Mutex<Vec<Child>>,
}

impl Shared {
    /// Waits for the worker processes, ending them first when `kill`.
    fn end_children(&self, kill: bool) {
        for mut child in self.children.lock().drain(..) {
            if kill {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }

    /// The next document for a worker whose current run is `run`, unless
    /// the build is stopping or done.
    fn take(&self, run: &mut Range<usize>) -> Option<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        if run.start == run.end {
            let u = self.next.fetch_add(1, Ordering::Relaxed);
            *run = self.units.get(u)?.clone();
        }
        run.next().map(|n| self.todo[n])
    }
}

/// Renders the planned documents `todo` (indices into the plan) in
/// parallel, writing each file as soon as it is ready, and calls `on_done`
/// on this thread as each one finishes. Unless `keep_going`, the first
/// failure stops new work.
pub fn run(
    work: &Arc<Work>,
    opts: &RunOptions,
    todo: Vec<usize>,
    mut on_done: impl FnMut(&Done),
) -> Result<Vec<Done>, Stopped> {
    if todo.is_empty() {
        return Ok(Vec::new());
    }
    let shared = Arc::new(Shared {
        units: units(&work.docs, &todo, opts.jobs),
        todo,
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        started: Mutex::new(HashMap::new()),
        writes: Writes::new(),
        children: Mutex::new(Vec::new()),
    });
    let (tx, rx) = mpsc::channel();
    let mut done: Vec<Done> = Vec::with_capacity(shared.todo.len());
    if let Err(e) = start_workers(work, &shared, &tx, opts) {
        return Err(Stopped {
            cause: Stop::NoThreads(e),
            done,
        });
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
        if let Some(late) = late_document(work, &shared, opts) {
            let error = late.result.as_ref().err().and_then(|e| e.first()).cloned();
            receive(late, &mut done);
            if let Some(error) = error {
                break Some(Stop::TimedOut(Box::new(error)));
            }
        }
    };
    done.sort_by_key(|d| d.planned);
    let Some(cause) = cause else {
        end_workers(work, &shared, false);
        return Ok(done);
    };
    // Stop new work, remove files being written and refuse new ones; keep
    // what finished meanwhile. Worker processes are ended, which stops a
    // runaway layout; a stuck compile on a thread is left to the process's
    // end.
    shared.stop.store(true, Ordering::Relaxed);
    shared.writes.close();
    end_workers(work, &shared, true);
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

/// A document that has run past the timeout, as failed. A layout that
/// never finishes must not hang CI.
fn late_document(work: &Work, shared: &Shared, opts: &RunOptions) -> Option<Done> {
    let i = shared
        .started
        .lock()
        .iter()
        .find(|(_, t)| t.elapsed() > opts.timeout)
        .map(|(i, _)| *i)?;
    Some(Done {
        planned: i,
        result: Err(vec![timed_out(&work.docs[i], opts.timeout)]),
        millis: opts.timeout.as_millis() as u64,
    })
}

/// Starts the workers: processes when asked for and possible, threads for
/// the rest. Fails only when not one could be started.
fn start_workers(
    work: &Arc<Work>,
    shared: &Arc<Shared>,
    tx: &mpsc::Sender<Done>,
    opts: &RunOptions,
) -> Result<(), String> {
    let workers = opts.jobs.clamp(1, shared.todo.len().max(1));
    // With fewer documents than cores, each document gets the spare cores
    // for Typst's own parallel layout.
    let threads = (opts.jobs / workers).max(1);
    let mut running = 0;
    if let Some(program) = &opts.processes {
        let setup = Setup {
            layouts: work.env.layouts().overrides(),
            brands: work.brands.clone(),
            font_files: work.font_files.clone(),
            settings: work.settings.clone(),
            drafts: work.drafts.clone(),
            deny_warnings: opts.deny_warnings,
            threads,
            temp_prefix: temp_prefix(),
        };
        for _ in 0..workers {
            let started = Worker::start(program, &setup);
            // Without processes (a sandbox that forbids them, say), the
            // threads below do the work.
            let Ok((process, child)) = started else {
                break;
            };
            record_worker(child.id());
            shared.children.lock().push(child);
            let (work, shared, tx) = (work.clone(), shared.clone(), tx.clone());
            let opts = opts.clone();
            std::thread::spawn(move || feed_process(&work, &shared, &tx, &opts, process));
            running += 1;
        }
    }
    // Each thread worker is a rayon pool of its own. Typst parallelises
    // inside a document with rayon; in one shared pool, a worker waiting on
    // such a join would steal and start other documents on its own stack,
    // holding all of them in memory at once. With a pool per worker,
    // Typst's joins stay within their document and `--jobs` alone sets how
    // many cores are busy.
    let processes = running;
    for n in processes..workers {
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
                running += 1;
            }
            Err(e) if running == 0 => return Err(e.to_string()),
            // Fewer workers than asked for still finish the build.
            Err(_) => break,
        }
    }
    Ok(())
}

fn worker(work: &Work, shared: &Shared, tx: &mpsc::Sender<Done>, opts: &RunOptions) {
    let mut run = 0..0;
    while let Some(i) = shared.take(&mut run) {
        shared.started.lock().insert(i, Instant::now());
        let start = Instant::now();
        let doc = &work.docs[i];
        let loaded = &work.contents[doc.content];
        let making = Making {
            env: &work.env,
            settings: &work.settings,
            drafts: work.drafts.as_ref(),
            deny_warnings: opts.deny_warnings,
        };
        let result = render_doc(making, &loaded.content, doc)
            .and_then(|r| write_doc(&shared.writes, doc, &r));
        evict_caches();
        let done = Done {
            planned: i,
            result,
            millis: start.elapsed().as_millis() as u64,
        };
        if !finish(work, shared, tx, opts, done) {
            break;
        }
    }
}

/// Feeds one worker process, a document at a time.
fn feed_process(
    work: &Work,
    shared: &Shared,
    tx: &mpsc::Sender<Done>,
    opts: &RunOptions,
    mut process: Worker,
) {
    let mut run = 0..0;
    while let Some(i) = shared.take(&mut run) {
        shared.started.lock().insert(i, Instant::now());
        let doc = &work.docs[i];
        let loaded = &work.contents[doc.content];
        let done = match process.render(doc, &loaded.content) {
            Ok(Some(reply)) => Done {
                planned: i,
                millis: reply.millis,
                result: reply.result,
            },
            // Ended by the build as it stops: nothing more to report.
            _ if shared.stop.load(Ordering::Relaxed) || opts.cancel.get().is_some() => return,
            _ => {
                let lost = Done {
                    planned: i,
                    millis: 0,
                    result: Err(vec![
                        Diagnostic::error(format!(
                            "the worker rendering {} ended unexpectedly",
                            doc.output.display()
                        ))
                        .with_hint("this is a bug in handout, or the system ran out of memory; try --jobs 1"),
                    ]),
                };
                finish(work, shared, tx, opts, lost);
                return;
            }
        };
        if !finish(work, shared, tx, opts, done) {
            return;
        }
    }
}

/// The documents to render cut into runs (of positions in `todo`) that a
/// worker renders one after another. The variants of one content file
/// share most of their layout work, which a worker's caches keep, so a run
/// stays within one content file; runs are short enough that every worker
/// gets several.
fn units(docs: &[Planned], todo: &[usize], jobs: usize) -> Vec<Range<usize>> {
    let most = todo.len().div_ceil(jobs.max(1) * 4).max(1);
    let content = |n: usize| docs[todo[n]].content;
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=todo.len() {
        if i == todo.len() || content(i) != content(start) || i - start == most {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// How the temporary files of this build's worker processes start.
fn temp_prefix() -> String {
    format!(".handout-w{}-", std::process::id())
}

/// Ends the worker processes (waiting for them, or killing them first) and
/// removes temporary files that a killed or crashed worker left behind.
fn end_workers(work: &Work, shared: &Shared, kill: bool) {
    if shared.children.lock().is_empty() {
        return;
    }
    shared.end_children(kill);
    let dirs: HashSet<&std::path::Path> =
        work.docs.iter().filter_map(|d| d.stem.parent()).collect();
    remove_temporaries(dirs, &temp_prefix());
}

/// Hands a finished document to the caller's thread. False when the
/// caller has stopped listening.
fn finish(
    work: &Work,
    shared: &Shared,
    tx: &mpsc::Sender<Done>,
    opts: &RunOptions,
    mut done: Done,
) -> bool {
    let i = done.planned;
    if let Err(diags) = &mut done.result {
        let content = work.docs[i].content;
        locate_missing_glyphs(diags, &work.contents[content].warnings);
    }
    // Stop at once, before this worker takes another document.
    if done.result.is_err() && !opts.keep_going {
        shared.stop.store(true, Ordering::Relaxed);
    }
    // Sent before it leaves `started`, so a stop never loses it.
    let sent = tx.send(done);
    shared.started.lock().remove(&i);
    sent.is_ok()
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
