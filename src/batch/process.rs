//! Worker processes. Typst keeps its caches process-wide behind locks and
//! shared counters, so threads of one process that render at once contend
//! for them; separate processes do not. A build starts one `handout
//! __worker` per worker and feeds it one document at a time over a pipe;
//! the worker renders it, writes its files atomically as a thread would,
//! and answers with what it wrote. Its temporary files carry a prefix of the
//! build's, so that the build can remove them after ending a worker (a
//! timeout, Ctrl-C).
//!
//! Each message is one line of JSON.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::doc::{Making, evict_caches, render_doc, write_doc};
use super::{Planned, Written};
use crate::brand::Brand;
use crate::content::Content;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::lang::Catalogs;
use crate::layouts::{LayoutFiles, OverrideFile};
use crate::output::Writes;
use crate::render::Settings;
use crate::signal::Cancel;
use crate::world::Env;

/// The hidden subcommand that runs a worker.
pub const WORKER_COMMAND: &str = "__worker";

/// What a worker needs before its first document.
#[derive(Serialize, Deserialize)]
pub struct Setup {
    /// The files of `--layouts`, as the build read them.
    pub layouts: Vec<OverrideFile>,
    /// The build's brands, as the build read them.
    pub brands: Vec<Brand>,
    /// The `--font-dir` files, read again by the worker.
    pub font_files: Vec<std::path::PathBuf>,
    pub settings: Settings,
    pub drafts: Option<crate::email::Drafts>,
    pub deny_warnings: bool,
    /// Threads for Typst's own parallel layout within a document.
    pub threads: usize,
    /// How this worker's temporary files start.
    pub temp_prefix: String,
}

/// Borrowed by the build to send it, owned by the worker that reads it.
#[derive(Serialize, Deserialize)]
struct Request<'a> {
    doc: Cow<'a, Planned>,
    /// The content, the first time this worker needs it; `doc.content`
    /// names it from then on.
    content: Option<Cow<'a, Content>>,
}

/// What a worker made of one document.
#[derive(Serialize, Deserialize)]
pub struct Reply {
    pub millis: u64,
    pub result: Result<Written, Vec<Diagnostic>>,
}

fn send(w: &mut impl Write, message: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *w, message)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// The next message, or none when the other side has closed the pipe.
fn receive<T: DeserializeOwned>(r: &mut impl BufRead) -> io::Result<Option<T>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    serde_json::from_str(&line)
        .map(Some)
        .map_err(io::Error::other)
}

/// A worker process as the build sees it.
pub struct Worker {
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Contents this worker has been sent.
    sent: HashSet<usize>,
}

impl Worker {
    /// Starts `program __worker`. The child is returned apart, so that the
    /// build can end it while this side is blocked reading.
    pub fn start(program: &Path, setup: &Setup) -> io::Result<(Self, Child)> {
        let mut child = Command::new(program)
            .arg(WORKER_COMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the worker has no pipes"));
        };
        let mut worker = Self {
            stdin: BufWriter::new(stdin),
            stdout: BufReader::new(stdout),
            sent: HashSet::new(),
        };
        send(&mut worker.stdin, setup)?;
        Ok((worker, child))
    }

    /// Renders one document and waits for the answer; none if the worker
    /// has ended.
    pub fn render(&mut self, doc: &Planned, content: &Content) -> io::Result<Option<Reply>> {
        let first = self.sent.insert(doc.content);
        let request = Request {
            doc: Cow::Borrowed(doc),
            content: first.then_some(Cow::Borrowed(content)),
        };
        send(&mut self.stdin, &request)?;
        receive(&mut self.stdout)
    }
}

/// `handout __worker`: renders the documents it is sent until its input
/// closes.
pub fn serve() -> Result<(), Error> {
    // Ctrl-C reaches the whole process group; the build decides what
    // happens, and ends its workers itself.
    let _ = Cancel::signals();
    let broken = |e: io::Error| Error::Internal(format!("worker: {e}"));
    let mut input = BufReader::new(io::stdin());
    let mut output = BufWriter::new(io::stdout());
    let Some(setup) = receive::<Setup>(&mut input).map_err(broken)? else {
        return Ok(());
    };
    // The build read these files a moment ago; they can only fail now if
    // they changed since.
    let fonts = crate::fonts::read(&setup.font_files)?;
    let layouts = LayoutFiles::with_files(setup.layouts);
    // The build checked these same bytes before it started this worker.
    let catalogs = Catalogs::load(&layouts)
        .map_err(|_| Error::Internal("worker: the checked catalogs did not load".into()))?;
    let env = Env::new(layouts, catalogs, &setup.brands, &fonts);
    let writes = Writes::with_prefix(setup.temp_prefix.clone());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(setup.threads.max(1))
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| Error::Internal(format!("worker threads: {e}")))?;
    let mut contents: HashMap<usize, Content> = HashMap::new();
    pool.install(|| -> io::Result<()> {
        while let Some(request) = receive::<Request>(&mut input)? {
            if let Some(content) = request.content {
                contents.insert(request.doc.content, content.into_owned());
            }
            let Some(content) = contents.get(&request.doc.content) else {
                return Err(io::Error::other("a document arrived before its content"));
            };
            let start = Instant::now();
            let doc = &request.doc;
            let making = Making {
                env: &env,
                settings: &setup.settings,
                drafts: setup.drafts.as_ref(),
                deny_warnings: setup.deny_warnings,
            };
            let result = render_doc(making, content, doc).and_then(|r| write_doc(&writes, doc, &r));
            evict_caches();
            let reply = Reply {
                millis: start.elapsed().as_millis() as u64,
                result,
            };
            send(&mut output, &reply)?;
        }
        Ok(())
    })
    .map_err(broken)
}

/// A test hook: with `HANDOUT_WORKER_PIDS` set to a file, each worker
/// process's id is added to it, so that a test can check that none
/// outlives the build.
pub(super) fn record_worker(pid: u32) {
    let Some(path) = std::env::var_os("HANDOUT_WORKER_PIDS") else {
        return;
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut file) = file {
        use std::io::Write;
        let _ = writeln!(file, "{pid}");
    }
}
