//! Planning a batch of documents and rendering it in parallel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::content::{self, Loaded};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::output;
use crate::render::{self, Edition, Format, Job, Paper, Settings};
use crate::world::Env;

/// Which variants of each content file to render.
#[derive(Debug, Clone)]
pub enum Goals {
    /// Only the handout for any reader.
    Generic,
    /// Only the variant for this goal.
    One(String),
    /// The generic handout and one variant per goal.
    All,
}

/// One document to render.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Index into the loaded content files.
    pub content: usize,
    pub goal: Option<String>,
    pub paper: Paper,
    pub edition: Edition,
    pub layout: String,
    /// The output path without extension; files are `<stem><suffix>.<ext>`.
    pub stem: PathBuf,
    /// The main output file.
    pub output: PathBuf,
}

/// What to make of each content file.
#[derive(Debug, Clone)]
pub struct Axes<'a> {
    pub goals: &'a Goals,
    pub papers: &'a [Paper],
    pub editions: &'a [Edition],
    pub layouts: &'a [String],
    pub format: Format,
}

/// The outcome of one document.
#[derive(Debug)]
pub struct Done {
    pub planned: usize,
    pub result: Result<Written, Vec<Diagnostic>>,
    pub millis: u64,
}

/// A document that was written. `bytes` and `sha256` are of the main file.
#[derive(Debug)]
pub struct Written {
    pub pages: usize,
    pub bytes: usize,
    pub sha256: String,
    pub files: Vec<PathBuf>,
    pub warnings: Vec<Diagnostic>,
}

/// Expands folders into the `.yaml` and `.yml` files they hold, and globs
/// (for shells that pass them through quoted) into the files they match.
/// Each group is sorted, so the plan does not depend on directory order.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_yaml(p))
                .collect();
            found.sort();
            out.extend(found);
        } else if !input.exists() && text.contains(['*', '?', '[']) {
            let bad = |m: String| {
                Error::Usage(vec![
                    Diagnostic::error(m).with_hint("quote globs like 'content/*.yaml'"),
                ])
            };
            let mut found: Vec<PathBuf> = glob::glob(&text)
                .map_err(|e| bad(format!("invalid pattern `{text}`: {}", e.msg)))?
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            if found.is_empty() {
                return Err(bad(format!("no content files match `{text}`")));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// A content file that cannot be rendered, with its problems.
#[derive(Debug)]
pub struct Unusable {
    /// The name used in messages, as for a loaded file.
    pub name: String,
    pub errors: Vec<Diagnostic>,
}

/// Loads every content file: the usable ones, and the problems of the rest.
pub fn load_each(paths: &[PathBuf]) -> (Vec<Loaded>, Vec<Unusable>) {
    let mut loaded = Vec::new();
    let mut unusable = Vec::new();
    for path in paths {
        match content::load(path) {
            Ok(l) => loaded.push(l),
            Err(errors) => unusable.push(Unusable {
                name: path.display().to_string(),
                errors,
            }),
        }
    }
    (loaded, unusable)
}

/// Loads every content file, collecting all problems of all files.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Loaded>, Error> {
    let (loaded, unusable) = load_each(paths);
    if unusable.is_empty() {
        Ok(loaded)
    } else {
        Err(Error::Content(
            unusable.into_iter().flat_map(|u| u.errors).collect(),
        ))
    }
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
        let variants: Vec<Option<String>> = match axes.goals {
            Goals::Generic => vec![None],
            Goals::All => std::iter::once(None)
                .chain(all.iter().map(|g| Some(g.to_string())))
                .collect(),
            Goals::One(goal) => {
                if !all.contains(&goal.as_str()) {
                    let mut d = Diagnostic::error(format!("{} has no goal `{goal}`", loaded.name));
                    d = match content::did_you_mean(goal, &all) {
                        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                        None if all.is_empty() => d.with_hint(
                            "this content declares no goals under `career_mapping.goals`",
                        ),
                        None => d.with_hint(format!("the goals are: {}", all.join(", "))),
                    };
                    return Err(Error::Usage(vec![d]));
                }
                vec![Some(goal.clone())]
            }
        };
        // Documents of one layout in a row share the most cached layout work.
        for layout in &layouts {
            for goal in &variants {
                for &paper in &papers {
                    for &edition in &editions {
                        let mut parts = vec![c.id.as_str()];
                        if let Some(g) = goal {
                            parts.push(g);
                        }
                        if layout != "handout" {
                            parts.push(layout);
                        }
                        if papers.len() > 1 {
                            parts.push(paper.name());
                        }
                        if editions.len() > 1 {
                            parts.push(edition.name());
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
                        });
                    }
                }
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for d in &docs {
        if let Some(other) = seen.insert(d.output.clone(), d.content) {
            return Err(Error::Usage(vec![
                Diagnostic::error(format!(
                    "{} and {} would both be written to {}",
                    contents[other].name,
                    contents[d.content].name,
                    d.output.display()
                ))
                .with_hint("give each content file its own `id`"),
            ]));
        }
    }
    Ok(docs)
}

/// How to run a batch.
pub struct RunOptions<'a> {
    pub jobs: usize,
    /// Render the rest after a failure.
    pub keep_going: bool,
    /// A document with warnings fails.
    pub deny_warnings: bool,
    /// The longest a document may take.
    pub timeout: Duration,
    /// Called as each document finishes, from the worker thread.
    pub on_done: &'a (dyn Fn(&Done) + Sync),
    /// Called once when a document exceeds the timeout, with every result so
    /// far and the late document as failed. Typst cannot be interrupted, so
    /// this must end the process.
    pub on_timeout: &'a (dyn Fn(Vec<Done>) + Sync),
}

/// Renders the planned documents in parallel, writing each file as soon as
/// it is ready. Unless `keep_going`, the first failure stops new work.
pub fn run(
    env: &Env,
    settings: &Settings,
    contents: &[Loaded],
    docs: &[Planned],
    opts: &RunOptions,
) -> Result<Vec<Done>, Error> {
    // Each worker is a one-thread rayon pool pulling documents from a shared
    // counter. Typst parallelises inside a document with rayon; in one shared
    // pool, a worker waiting on such a join would steal and start other
    // documents on its own stack, holding all of them in memory at once.
    // With a pool per worker, Typst's joins stay within their document and
    // `--jobs` alone sets how many cores are busy.
    let jobs = opts.jobs.clamp(1, docs.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let finished = AtomicBool::new(false);
    let started: Mutex<HashMap<usize, Instant>> = Mutex::new(HashMap::new());
    let done: Mutex<Vec<Done>> = Mutex::new(Vec::with_capacity(docs.len()));
    std::thread::scope(|scope| -> Result<(), Error> {
        // The watchdog: a layout that never finishes must not hang CI.
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let late = started
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .find(|(_, t)| t.elapsed() > opts.timeout)
                    .map(|(i, _)| *i);
                if let Some(i) = late {
                    let late = Done {
                        planned: i,
                        result: Err(vec![timed_out(&docs[i], opts.timeout)]),
                        millis: opts.timeout.as_millis() as u64,
                    };
                    (opts.on_done)(&late);
                    let mut results =
                        std::mem::take(&mut *done.lock().unwrap_or_else(|e| e.into_inner()));
                    results.push(late);
                    results.sort_by_key(|d| d.planned);
                    (opts.on_timeout)(results);
                    return;
                }
            }
        });
        let worker = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= docs.len() || stop.load(Ordering::Relaxed) {
                break;
            }
            started
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(i, Instant::now());
            let mut result = render_one(env, settings, contents, &docs[i], opts.deny_warnings);
            started.lock().unwrap_or_else(|e| e.into_inner()).remove(&i);
            result.planned = i;
            if result.result.is_err() && !opts.keep_going {
                stop.store(true, Ordering::Relaxed);
            }
            (opts.on_done)(&result);
            done.lock().unwrap_or_else(|e| e.into_inner()).push(result);
        };
        let mut handles = Vec::new();
        let mut outcome = Ok(());
        for n in 0..jobs {
            // Typst recurses deeply; give its threads room.
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .stack_size(64 * 1024 * 1024)
                .thread_name(move |_| format!("handout-{n}"))
                .build();
            match pool {
                Ok(pool) => handles.push(scope.spawn(move || pool.install(worker))),
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    outcome = Err(Error::Internal(format!("cannot start worker threads: {e}")));
                    break;
                }
            }
        }
        for handle in handles {
            if handle.join().is_err() && outcome.is_ok() {
                outcome = Err(Error::Internal("a worker thread panicked".into()));
            }
        }
        finished.store(true, Ordering::Relaxed);
        outcome
    })?;
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|d| d.planned);
    Ok(done)
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
        d.severity = crate::diag::Severity::Error;
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

/// `<stem><suffix>.<ext>`.
pub fn file_path(stem: &Path, suffix: &str, ext: &str) -> PathBuf {
    let mut name = stem.file_name().unwrap_or_default().to_os_string();
    name.push(format!("{suffix}.{ext}"));
    stem.with_file_name(name)
}

fn render_one(
    env: &Env,
    settings: &Settings,
    contents: &[Loaded],
    doc: &Planned,
    deny_warnings: bool,
) -> Done {
    let start = Instant::now();
    let loaded = &contents[doc.content];
    let goal = doc.goal.as_deref().and_then(|id| loaded.content.goal(id));
    let job = Job {
        content: &loaded.content,
        goal,
        paper: doc.paper,
        edition: doc.edition,
        layout: &doc.layout,
        settings,
    };
    let result = render::render(env, &job).and_then(|r| {
        if deny_warnings && !r.warnings.is_empty() {
            return Err(warnings_as_errors(&r.warnings, doc));
        }
        let mut files = Vec::new();
        for f in &r.files {
            let path = file_path(&doc.stem, &f.suffix, f.ext);
            output::write_atomic(&path, &f.bytes).map_err(|d| vec![d])?;
            files.push(path);
        }
        let main = &r.files[0].bytes;
        Ok(Written {
            pages: r.pages,
            bytes: main.len(),
            sha256: hex(&Sha256::digest(main)),
            files,
            warnings: r.warnings,
        })
    });
    evict_caches();

    Done {
        planned: 0,
        result,
        millis: start.elapsed().as_millis() as u64,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
