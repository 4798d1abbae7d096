//! Sending the outbox over SMTP, one message at a time, with a log on disk
//! that says who already has theirs.

mod log;
mod message;
mod smtp;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use lettre::{SmtpTransport, Transport};

use log::now_rfc3339;
pub use log::{Log, LogEntry, Outcome, read_outbox};
use message::now_rfc2822;
pub use message::{header, with_date};

use super::{OUTBOX, OutboxEntry};
use crate::diag::{Diagnostic, count};
use crate::error::Error;
use crate::signal::Cancel;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain connection, upgraded with STARTTLS; refused if the server
    /// cannot.
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No encryption: only for a server on this machine or a trusted
    /// network.
    None,
}

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// A PEM file of a certificate authority to trust besides the bundled
    /// roots, for a school's own mail relay.
    pub ca_cert: Option<PathBuf>,
    pub credentials: Option<(String, String)>,
}

pub struct SendOptions {
    pub dir: PathBuf,
    pub server: Server,
    pub dry_run: bool,
    /// Messages a minute, at most.
    pub rate: Option<u32>,
    pub quiet: bool,
    pub cancel: Cancel,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub sent: usize,
    pub refused: usize,
    pub already_sent: usize,
    pub total: usize,
}

/// Sends every outbox entry the log does not hold.
pub fn run(opts: &SendOptions) -> Result<Summary, Error> {
    let outbox = read_outbox(&opts.dir)?;
    let mut log = Log::open(&opts.dir)?;
    let mut seen = HashSet::new();
    let mut summary = Summary {
        total: outbox.len(),
        ..Summary::default()
    };
    let mut todo = Vec::new();
    for entry in outbox {
        if log.has_sent(&entry.message_id) || !seen.insert(entry.message_id.clone()) {
            summary.already_sent += 1;
        } else {
            todo.push(entry);
        }
    }
    // Every draft is read and checked before the first is sent, and read
    // again when it is sent, so that memory holds one at a time.
    let errors: Vec<Diagnostic> = todo
        .iter()
        .filter_map(|entry| read_draft(&opts.dir, entry).err())
        .collect();
    if !errors.is_empty() {
        return Err(Error::Content(errors));
    }
    if opts.dry_run {
        let mut out = std::io::stdout().lock();
        for entry in &todo {
            let _ = writeln!(out, "would send {} to {}", entry.file, entry.recipient);
        }
        eprintln!(
            "{} to send, {} already sent (dry run: nothing was sent)",
            count(todo.len(), "message", "messages"),
            summary.already_sent
        );
        return Ok(summary);
    }
    if todo.is_empty() {
        return Ok(summary);
    }
    let transport = smtp::connect(&opts.server)?;
    let mut run = Run {
        opts,
        transport,
        log: &mut log,
        summary,
        bar: crate::terminal::bar(todo.len(), opts.quiet),
        left: todo.len(),
        last: None,
    };
    let result = todo.iter().try_for_each(|entry| run.send(entry));
    finish(&run.bar);
    result.map(|()| run.summary)
}

/// A run of `send` under way.
struct Run<'a> {
    opts: &'a SendOptions,
    transport: SmtpTransport,
    log: &'a mut Log,
    summary: Summary,
    bar: Option<ProgressBar>,
    /// Messages not yet sent or refused.
    left: usize,
    /// When the last message went, for `--rate`.
    last: Option<Instant>,
}

impl Run<'_> {
    /// Sends one message and logs what the server said.
    fn send(&mut self, entry: &OutboxEntry) -> Result<(), Error> {
        self.wait_for_rate();
        if let Some(signal) = self.opts.cancel.get() {
            finish(&self.bar);
            eprintln!(
                "stopped: {} sent this run, {} not yet; rerun to send the rest",
                self.summary.sent, self.left
            );
            return Err(Error::Interrupted(signal));
        }
        self.last = Some(Instant::now());
        let envelope = smtp::envelope(entry)?;
        let bytes = read_draft(&self.opts.dir, entry).map_err(|d| Error::Content(vec![d]))?;
        let message = with_date(&bytes, &now_rfc2822()).unwrap_or(bytes);
        let (status, reply) = match self.transport.send_raw(&envelope, &message) {
            Ok(response) => (
                Outcome::Sent,
                format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                ),
            ),
            Err(e) if e.status().is_some_and(|c| !smtp::ends_session(c)) => {
                (Outcome::Refused, e.to_string())
            }
            Err(e) => {
                return Err(smtp::connection_error(
                    &self.opts.server,
                    &e,
                    self.summary.sent,
                ));
            }
        };
        self.log.record(&LogEntry {
            message_id: entry.message_id.clone(),
            recipient: entry.recipient.clone(),
            file: entry.file.clone(),
            campaign: entry.campaign.clone(),
            status,
            time: now_rfc3339(),
            reply: reply.clone(),
        })?;
        self.left -= 1;
        self.show(entry, status, &reply);
        Ok(())
    }

    /// Waits until `--rate` allows the next message, or Ctrl-C.
    fn wait_for_rate(&self) {
        let interval = self
            .opts
            .rate
            .map(|n| Duration::from_secs_f64(60.0 / f64::from(n.max(1))));
        let (Some(interval), Some(last)) = (interval, self.last) else {
            return;
        };
        while last.elapsed() < interval {
            if self.opts.cancel.get().is_some() {
                break;
            }
            std::thread::sleep((interval - last.elapsed()).min(Duration::from_millis(50)));
        }
    }

    fn show(&mut self, entry: &OutboxEntry, status: Outcome, reply: &str) {
        match status {
            Outcome::Sent => self.summary.sent += 1,
            Outcome::Refused => {
                self.summary.refused += 1;
                let line = format!("refused: {} ({}): {reply}", entry.recipient, entry.file);
                match &self.bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
        }
        if let Some(bar) = &self.bar {
            bar.set_message(entry.recipient.clone());
            bar.inc(1);
        } else if !self.opts.quiet && status == Outcome::Sent {
            println!("sent {} to {}", entry.file, entry.recipient);
        }
    }
}

/// The draft's bytes, once its Message-ID is the one the outbox lists.
fn read_draft(dir: &Path, entry: &OutboxEntry) -> Result<Vec<u8>, Diagnostic> {
    let rel = Path::new(&entry.file);
    if rel.is_absolute() || rel.components().count() != 1 {
        return Err(Diagnostic::error(format!(
            "the outbox lists `{}`, which is not a file in its folder",
            entry.file
        ))
        .in_file(dir.join(OUTBOX).display().to_string())
        .with_hint("build the drafts again"));
    }
    let path = dir.join(rel);
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::error(format!(
            "cannot read the draft: {}",
            crate::diag::io_reason(&e, "file")
        ))
        .in_file(path.display().to_string())
        .with_hint("build the drafts again, or remove it from the outbox")
    })?;
    match header(&bytes, "message-id") {
        Some(id) if id == entry.message_id => Ok(bytes),
        found => Err(Diagnostic::error(format!(
            "the draft's Message-ID is {}, but the outbox lists {}",
            found.as_deref().unwrap_or("missing"),
            entry.message_id
        ))
        .in_file(path.display().to_string())
        .with_hint(
            "keep the Message-ID when editing a draft; it is how a rerun knows who was emailed",
        )),
    }
}

fn finish(bar: &Option<ProgressBar>) {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
