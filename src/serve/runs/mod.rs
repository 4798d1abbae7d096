//! Jobs started from the page: print runs and campaigns. Each is the same
//! library call as its command (`job::build`, `email::send::run`), run on a
//! thread of the server, heard through the same observer traits as the
//! terminal's progress bars, and shown to the page as JSON. One job runs at
//! a time; closing the page does not stop it.

mod files;
mod paths;
mod print;
mod view;

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Value, json};

pub use paths::Root;
use view::{Job, PageBuild};

use crate::error::Error;

/// What print runs and campaigns start from, as `serve`'s command line gave.
pub struct RunsConfig {
    /// The project folder: the default output folder is `out/` in it, and
    /// every path typed in the page must lie in it.
    pub root: Root,
    /// The arguments every build from the page starts with, as on the
    /// command line: the content, then `serve`'s project options.
    pub base: Vec<String>,
    /// `serve --event`, as given.
    pub event: Option<PathBuf>,
    /// Why print runs are off, when they are.
    pub print_off: Option<String>,
}

impl RunsConfig {
    /// Print runs off, and nothing to start from: a placeholder.
    pub fn none() -> Self {
        Self {
            root: Root::of_content(&[]),
            base: Vec::new(),
            event: None,
            print_off: Some("print runs are off".into()),
        }
    }
}

/// The page's jobs: the one running or last ended.
pub struct Runs {
    config: RunsConfig,
    current: Mutex<Option<Arc<Job>>>,
    /// The number of the next job, so the page can tell a new one.
    next: Mutex<u64>,
}

/// An answer: the HTTP status and its JSON.
pub type Answer = (u16, Value);

impl Runs {
    pub fn new(config: RunsConfig) -> Self {
        Self {
            config,
            current: Mutex::new(None),
            next: Mutex::new(1),
        }
    }

    /// What the panels offer, and the job running or last ended.
    pub fn overview(&self) -> Value {
        let job = self.current.lock().clone();
        json!({
            "print": {
                "off": self.config.print_off,
                "out": "out",
                "events": self.config.events(),
            },
            "job": job.map(|j| j.json()),
        })
    }

    /// The command line a print run stands for, or why it cannot run;
    /// writes nothing.
    pub fn print_command(&self, body: &[u8]) -> Answer {
        match self.config.print_args(body) {
            Ok((argv, _)) => (200, json!({"command": print::shell_line(&argv)})),
            Err(errors) => (400, json!({"errors": errors})),
        }
    }

    /// Starts a print run.
    pub fn start_print(&self, body: &[u8]) -> Answer {
        if let Some(why) = &self.config.print_off {
            return (403, json!({"errors": [why]}));
        }
        let (argv, config) = match self.config.print_args(body) {
            Ok(parsed) => parsed,
            Err(errors) => return (400, json!({"errors": errors})),
        };
        let job = match self.claim("print", print::shell_line(&argv), &config.out_dir) {
            Ok(job) => job,
            Err(answer) => return answer,
        };
        let thread_job = job.clone();
        let root = self.config.root.clone();
        let spawned = std::thread::Builder::new()
            .name("print run".into())
            .spawn(move || {
                let mut observer = PageBuild::new(&thread_job, &root);
                let built = crate::job::build(&config, thread_job.cancel.clone(), &mut observer);
                thread_job.end(built.and_then(|b| b.result));
            });
        if let Err(e) = spawned {
            job.end(Err(Error::system(
                format!("cannot start the print run: {e}"),
                "the machine is out of threads; stop other programs and try again",
            )));
        }
        (202, json!({"job": job.json()}))
    }

    /// Asks the running job to stop, as Ctrl-C stops its command.
    pub fn cancel(&self) -> Answer {
        match self.current.lock().as_ref() {
            Some(job) if job.running() => {
                job.cancel.cancel(crate::signal::Signal::Interrupt);
                (200, json!({"job": job.json()}))
            }
            _ => (409, json!({"errors": ["nothing is running"]})),
        }
    }

    /// One file the last job wrote, by its place in the job's list.
    pub fn file(&self, query: &str) -> Result<(Vec<u8>, String), (u16, String)> {
        let job = self.current.lock().clone();
        files::one(job.as_deref(), query)
    }

    /// Every file the last job wrote, as one zip made now.
    pub fn zip(&self) -> Result<Vec<u8>, (u16, String)> {
        let job = self.current.lock().clone();
        files::zip(job.as_deref())
    }

    /// The slot for a new job, unless one is running.
    fn claim(
        &self,
        kind: &'static str,
        command: String,
        out: &std::path::Path,
    ) -> Result<Arc<Job>, Answer> {
        let mut current = self.current.lock();
        if let Some(job) = current.as_ref()
            && job.running()
        {
            return Err((
                409,
                json!({"errors": [format!("a {} is under way: wait for it, or cancel it", job.kind_name())]}),
            ));
        }
        let id = {
            let mut next = self.next.lock();
            *next += 1;
            *next - 1
        };
        let job = Arc::new(Job::new(id, kind, command, self.config.root.show(out)));
        *current = Some(job.clone());
        Ok(job)
    }
}
