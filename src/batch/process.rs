//! Worker processes. Typst keeps its caches process-wide behind locks and
//! shared counters, so threads of one process that render at once contend
//! for them; separate processes do not. A build starts one `handout
//! __worker` per job slot and feeds it documents over a pipe; the worker
//! renders and sends the files back, and the build writes them. Workers
//! have no side effects, so ending one (a timeout, Ctrl-C) loses nothing.
//!
//! Each message is one line of JSON, followed by the bytes of any files it
//! announces.

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Planned;
use super::doc::{evict_caches, render_doc};
use crate::content::Content;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::layouts::LayoutFiles;
use crate::render::{OutFile, Settings};
use crate::signal::Cancel;
use crate::world::Env;

/// The hidden subcommand that runs a worker.
pub const WORKER_COMMAND: &str = "__worker";

#[derive(Serialize, Deserialize)]
struct Setup {
    layouts_dir: Option<PathBuf>,
    settings: Settings,
    deny_warnings: bool,
    /// Threads for Typst's own parallel layout within a document.
    threads: usize,
}

#[derive(Serialize, Deserialize)]
struct Request {
    doc: Planned,
    /// The content, the first time this worker needs it; `doc.content`
    /// names it from then on.
    content: Option<Content>,
}

#[derive(Serialize, Deserialize)]
struct Reply {
    millis: u64,
    result: Result<Produced, Vec<Diagnostic>>,
}

#[derive(Serialize, Deserialize)]
struct Produced {
    pages: usize,
    warnings: Vec<Diagnostic>,
    /// Suffix, extension and length of each file; the bytes follow.
    files: Vec<(String, String, usize)>,
}

/// What a worker made of one document.
pub struct Outcome {
    pub millis: u64,
    pub result: Result<(Vec<OutFile>, usize, Vec<Diagnostic>), Vec<Diagnostic>>,
}

fn send(w: &mut impl Write, header: &impl Serialize, payloads: &[&[u8]]) -> io::Result<()> {
    serde_json::to_writer(&mut *w, header)?;
    w.write_all(b"\n")?;
    for p in payloads {
        w.write_all(p)?;
    }
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
    pub fn start(
        program: &Path,
        layouts_dir: Option<&Path>,
        settings: &Settings,
        deny_warnings: bool,
        threads: usize,
    ) -> io::Result<(Self, Child)> {
        let mut child = Command::new(program)
            .arg(WORKER_COMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(io::Error::other("the worker has no pipes"));
        };
        let mut worker = Self {
            stdin: BufWriter::new(stdin),
            stdout: BufReader::new(stdout),
            sent: HashSet::new(),
        };
        let setup = Setup {
            layouts_dir: layouts_dir.map(Path::to_path_buf),
            settings: settings.clone(),
            deny_warnings,
            threads,
        };
        send(&mut worker.stdin, &setup, &[])?;
        Ok((worker, child))
    }

    /// Asks for one document.
    pub fn request(&mut self, doc: &Planned, content: &Content) -> io::Result<()> {
        let first = self.sent.insert(doc.content);
        let request = Request {
            doc: doc.clone(),
            content: first.then(|| content.clone()),
        };
        send(&mut self.stdin, &request, &[])
    }

    /// The next answer, in the order asked; none if the worker has ended.
    pub fn reply(&mut self) -> io::Result<Option<Outcome>> {
        let Some(reply) = receive::<Reply>(&mut self.stdout)? else {
            return Ok(None);
        };
        let result = match reply.result {
            Ok(p) => {
                let mut files = Vec::with_capacity(p.files.len());
                for (suffix, ext, len) in p.files {
                    let mut bytes = vec![0; len];
                    self.stdout.read_exact(&mut bytes)?;
                    files.push(OutFile {
                        suffix,
                        ext: static_ext(&ext),
                        bytes,
                    });
                }
                Ok((files, p.pages, p.warnings))
            }
            Err(diags) => Err(diags),
        };
        Ok(Some(Outcome {
            millis: reply.millis,
            result,
        }))
    }
}

fn static_ext(ext: &str) -> &'static str {
    match ext {
        "png" => "png",
        "svg" => "svg",
        _ => "pdf",
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
    let layouts = match &setup.layouts_dir {
        Some(dir) => LayoutFiles::with_overrides(dir)?,
        None => LayoutFiles::builtin(),
    };
    let env = Env::new(layouts);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(setup.threads.max(1))
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| Error::Internal(format!("worker threads: {e}")))?;
    let mut contents: std::collections::HashMap<usize, Content> = Default::default();
    pool.install(|| -> io::Result<()> {
        while let Some(request) = receive::<Request>(&mut input)? {
            if let Some(content) = request.content {
                contents.insert(request.doc.content, content);
            }
            let Some(content) = contents.get(&request.doc.content) else {
                return Err(io::Error::other("a document arrived before its content"));
            };
            let start = Instant::now();
            let result = render_doc(
                &env,
                &setup.settings,
                content,
                &request.doc,
                setup.deny_warnings,
            );
            evict_caches();
            let millis = start.elapsed().as_millis() as u64;
            match result {
                Ok(r) => {
                    let files = r
                        .files
                        .iter()
                        .map(|f| (f.suffix.clone(), f.ext.to_string(), f.bytes.len()))
                        .collect();
                    let reply = Reply {
                        millis,
                        result: Ok(Produced {
                            pages: r.pages,
                            warnings: r.warnings,
                            files,
                        }),
                    };
                    let payloads: Vec<&[u8]> = r.files.iter().map(|f| &f.bytes[..]).collect();
                    send(&mut output, &reply, &payloads)?;
                }
                Err(diags) => send(
                    &mut output,
                    &Reply {
                        millis,
                        result: Err(diags),
                    },
                    &[],
                )?,
            }
        }
        Ok(())
    })
    .map_err(broken)
}
