//! Jobs started from the page: print runs and campaigns. Each is the same
//! library call as its command (`job::build`, `email::send::run`), run on a
//! thread of the server, heard through the same observer traits as the
//! terminal's progress bars, and shown to the page as JSON. One job runs at
//! a time; closing the page does not stop it.

mod campaign;
mod files;
mod paths;
mod print;
mod view;

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Value, json};

pub use campaign::{CampaignConfig, CampaignRequest};
pub use paths::Root;
use view::{Job, PageBuild, PageSend};

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
    /// Why print runs (and building drafts) are off, when they are.
    pub print_off: Option<String>,
    /// With `--recipients`: the campaign panel.
    pub campaign: Option<CampaignConfig>,
}

impl RunsConfig {
    /// Print runs off, and nothing to start from: a placeholder.
    pub fn none() -> Self {
        Self {
            root: Root::of_content(&[]),
            base: Vec::new(),
            event: None,
            print_off: Some("print runs are off".into()),
            campaign: None,
        }
    }
}

/// The page's jobs: the one running or last ended.
pub struct Runs {
    config: RunsConfig,
    current: Mutex<Option<Arc<Job>>>,
    /// The number of the next job, so the page can tell a new one.
    next: Mutex<u64>,
    /// The campaign folder the page looked at last: its review sheet.
    review_dir: Mutex<Option<PathBuf>>,
}

/// An answer: the HTTP status and its JSON.
pub type Answer = (u16, Value);

impl Runs {
    pub fn new(config: RunsConfig) -> Self {
        Self {
            config,
            current: Mutex::new(None),
            next: Mutex::new(1),
            review_dir: Mutex::new(None),
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
            "campaign": self.config.campaign.is_some(),
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
        self.start_build("print", argv, config)
    }

    /// Runs a build on a thread of its own, heard by the page.
    fn start_build(
        &self,
        kind: &'static str,
        argv: Vec<String>,
        config: crate::config::BuildConfig,
    ) -> Answer {
        let job = match self.claim(kind, print::shell_line(&argv), &config.out_dir) {
            Ok(job) => job,
            Err(answer) => return answer,
        };
        let root = self.config.root.clone();
        self.spawn(&job, move |job| {
            let mut observer = PageBuild::new(job, &root);
            let built = crate::job::build(&config, job.cancel.clone(), &mut observer);
            built.and_then(|b| b.result)
        })
    }

    /// Runs a send on a thread of its own, heard by the page.
    fn start_send(&self, line: String, args: crate::cli::SendArgs) -> Answer {
        let job = match self.claim("send", line, &args.dir) {
            Ok(job) => job,
            Err(answer) => return answer,
        };
        self.spawn(&job, move |job| {
            let opts = crate::job::send::options(&args, job.cancel.clone())?;
            let finished = crate::email::send::run(&opts, &mut PageSend::new(job))?;
            let s = finished.summary;
            match finished.stopped {
                Some(e) => Err(e),
                None if s.refused + s.deferred + s.unknown > 0 => Err(Error::Undelivered {
                    refused: s.refused + s.deferred + s.unknown,
                    total: s.total,
                }),
                None => Ok(()),
            }
        })
    }

    fn spawn(
        &self,
        job: &Arc<Job>,
        work: impl FnOnce(&Job) -> Result<(), Error> + Send + 'static,
    ) -> Answer {
        let thread_job = job.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("{} from the page", job.kind_name()))
            .spawn(move || {
                let result = work(&thread_job);
                thread_job.end(result);
            });
        if let Err(e) = spawned {
            job.end(Err(Error::system(
                format!("cannot start the {}: {e}", job.kind_name()),
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

    /// Stops the running job, if one is, and waits up to `limit` for it to
    /// end; whether there was one.
    pub fn stop(&self, limit: std::time::Duration) -> bool {
        let Some(job) = self.current.lock().clone().filter(|j| j.running()) else {
            return false;
        };
        job.cancel.cancel(crate::signal::Signal::Interrupt);
        let until = std::time::Instant::now() + limit;
        while job.running() && std::time::Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        true
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

    /// A file of the campaign folder the page looked at last, for the
    /// review sheet: a plain name, of a kind the sheet links to.
    pub fn review_file(&self, name: &str) -> Result<(Vec<u8>, &'static str), (u16, String)> {
        let dir = self.review_dir.lock().clone();
        files::review(dir.as_deref(), name)
    }

    /// The answer while a job runs: which one.
    fn busy(&self) -> Option<Answer> {
        self.current.lock().as_ref().and_then(|j| under_way(j))
    }

    /// The slot for a new job, unless one is running.
    fn claim(
        &self,
        kind: &'static str,
        command: String,
        out: &std::path::Path,
    ) -> Result<Arc<Job>, Answer> {
        // Checked under the lock that sets it: two requests cannot both
        // start a job.
        let mut current = self.current.lock();
        if let Some(busy) = current.as_ref().and_then(|j| under_way(j)) {
            return Err(busy);
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

/// The answer to a new job while `job` runs.
fn under_way(job: &Job) -> Option<Answer> {
    job.running().then(|| {
        (
            409,
            json!({"errors": [format!("a {} is under way: wait for it, or cancel it", job.kind_name())]}),
        )
    })
}
