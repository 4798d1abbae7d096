//! Sending the outbox over SMTP, one message at a time, with a log on disk
//! that says who already has theirs.

mod deadline;
mod dkim;
pub mod holder;
mod log;
mod message;
mod plan;
pub mod progress;
mod record;
mod smtp;
pub mod status;
pub mod trial;

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lettre::{SmtpTransport, Transport};

pub use dkim::Dkim;
use log::now_rfc3339;
pub use log::{Log, LogEntry, Outcome, read_outbox};
pub use message::{header, with_crlf, with_date};
use message::{prepare, read_draft};
use plan::choose;
pub use progress::{Observer, Terminal};
use record::log_entry;

use super::OutboxEntry;
use crate::diag::{Diagnostic, count};
use crate::email::suppress::Suppression;
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
    /// The user name, and the password or, with `oauth2`, the access token.
    pub credentials: Option<(String, String)>,
    /// Log in with XOAUTH2 (an OAuth 2 access token), as Microsoft 365 and
    /// Google Workspace ask, rather than a password.
    pub oauth2: bool,
    /// The longest wait for the server's answer to a message's end of
    /// data (RFC 5321 asks for 10 minutes); every other step, such as the
    /// greeting or a command, gets half of it. A slow server that drips
    /// its answer a byte at a time gains nothing: the deadline is for the
    /// whole step.
    pub timeout: Duration,
}

/// RFC 5321's wait for the reply to the end of a message's data.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// Why a message to an address with a non-ASCII local part was not sent.
const NO_SMTPUTF8: &str = "the mail server does not offer SMTPUTF8, which this address needs (it has non-ASCII letters before the @); nothing was sent to it";

/// Below this much free space on the log's disk, no message is sent: its
/// two log lines might not fit.
const MIN_FREE_BYTES: u64 = 64 * 1024;

pub struct SendOptions {
    pub dir: PathBuf,
    pub server: Server,
    pub dry_run: bool,
    /// Messages a minute, at most.
    pub rate: Option<u32>,
    pub quiet: bool,
    pub cancel: Cancel,
    /// `--suppress`: drafts to these addresses are not sent.
    pub suppress: Suppression,
    /// Send again the messages a server refused for good before.
    pub retry_refused: bool,
    /// Tries after a temporary refusal, within the run.
    pub retries: u32,
    /// The first wait before trying again; each next wait is twice as long.
    pub retry_wait: Duration,
    /// Send at most this many messages in the run.
    pub limit: Option<usize>,
    /// Send at most this many in any 24 hours, counting what the log shows.
    pub per_day: Option<usize>,
    /// Send again the messages whose outcome was never known (they may
    /// have arrived): a second copy is then possible.
    pub resend_unknown: bool,
    /// Signs each message as it goes.
    pub dkim: Option<Dkim>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub sent: usize,
    pub refused: usize,
    pub already_sent: usize,
    /// Sent by an earlier run that could not log the server's answer: they
    /// may have arrived, and are never sent again.
    pub unknown: usize,
    /// On the suppression list now, though not when the drafts were built.
    pub suppressed: usize,
    /// Temporarily refused after every try: the next run tries again.
    pub deferred: usize,
    /// Refused for good by an earlier run, and not tried again.
    pub refused_before: usize,
    /// Left for the next run by `--limit`.
    pub over_limit: usize,
    pub total: usize,
}

/// What a run did, and why it stopped early, if it did: a run that has
/// begun sending always ends with its summary.
#[derive(Debug)]
pub struct Finished {
    pub summary: Summary,
    /// Ctrl-C, a server past its deadline, a log that cannot be written.
    pub stopped: Option<Error>,
}

/// Sends every outbox entry the log does not hold. An error before the
/// first message is sent is returned as such.
pub fn run(opts: &SendOptions, observer: &mut dyn Observer) -> Result<Finished, Error> {
    let outbox = read_outbox(&opts.dir)?;
    let mut log = Log::open(&opts.dir)?;
    if let Some(killed) = &log.claim.replaced {
        observer.note(&format!(
            "a send by {killed} was killed or crashed; its messages are checked below"
        ));
    }
    let (todo, suppressed, summary) = choose(opts, outbox, &log);
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
        return Ok(dry_run(&todo, summary));
    }
    for entry in &suppressed {
        log.append(&log_entry(
            entry,
            Outcome::Suppressed,
            "on the suppression list",
        ))
        .map_err(|e| {
            Error::system(
                format!("cannot write the send log: {e}"),
                "free disk space, then rerun: nothing was sent",
            )
        })?;
    }
    for entry in log.settle_unknown(&now_rfc3339())? {
        observer.note(&format!(
            "unknown: {} ({}): an earlier run sent it but could not log the answer; {}",
            entry.recipient,
            entry.file,
            if opts.resend_unknown {
                "sending it again (--resend-unknown)"
            } else {
                "it is not sent again"
            }
        ));
    }
    if todo.is_empty() {
        return Ok(Finished {
            summary,
            stopped: None,
        });
    }
    let server = opts.server.clone();
    let transport = deadline::within(opts.server.timeout / 2, move || smtp::connect(&server))
        .unwrap_or_else(|| {
            Err(Error::system(
                format!(
                    "the mail server at {}:{} did not finish answering within {} s; nothing was sent",
                    opts.server.host,
                    opts.server.port,
                    (opts.server.timeout / 2).as_secs()
                ),
                "a slow or stuck mail server; try again later, or another server",
            ))
        })?;
    observer.start(todo.len());
    let mut run = Run {
        opts,
        transport,
        log: &mut log,
        summary,
        observer,
        left: todo.len(),
        last: None,
    };
    // The next message is read, dated and signed while this one is sent.
    let result = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let todo = &todo;
        scope.spawn(move || todo.iter().try_for_each(|e| tx.send(prepare(opts, e))));
        todo.iter()
            .zip(rx)
            .try_for_each(|(entry, message)| run.send(entry, &message?))
    });
    run.observer.finish();
    Ok(Finished {
        summary: run.summary,
        stopped: result.err(),
    })
}

/// What a dry run would send, listed; nothing is sent.
fn dry_run(todo: &[OutboxEntry], summary: Summary) -> Finished {
    let mut out = std::io::stdout().lock();
    for entry in todo {
        let _ = writeln!(out, "would send {} to {}", entry.file, entry.recipient);
    }
    eprintln!(
        "{} to send, {} already sent (dry run: nothing was sent)",
        count(todo.len(), "message", "messages"),
        summary.already_sent
    );
    Finished {
        summary,
        stopped: None,
    }
}

/// A run of `send` under way.
struct Run<'a> {
    opts: &'a SendOptions,
    transport: SmtpTransport,
    log: &'a mut Log,
    summary: Summary,
    observer: &'a mut dyn Observer,
    /// Messages not yet sent or refused.
    left: usize,
    /// When the last message went, for `--rate`.
    last: Option<Instant>,
}

impl Run<'_> {
    /// Sends one message and logs what the server said.
    fn send(&mut self, entry: &OutboxEntry, message: &[u8]) -> Result<(), Error> {
        self.wait_for_rate();
        if let Some(signal) = self.opts.cancel.get() {
            self.observer.finish();
            self.observer.note(&format!(
                "stopped: {} sent this run, {} not yet; rerun to send the rest",
                self.summary.sent, self.left
            ));
            return Err(Error::Interrupted(signal));
        }
        self.last = Some(Instant::now());
        let envelope = smtp::envelope(entry)?;
        let mut tries = 0;
        loop {
            self.log_before(entry)?;
            let (status, reply) = self.attempt(entry, &envelope, message)?;
            if status == Outcome::Deferred && tries < self.opts.retries && reply != NO_SMTPUTF8 {
                // Logged, so that a run ended while waiting leaves no
                // `sending` line behind for a message that was not taken.
                self.log_after(entry, status, &reply)?;
                let wait = self.opts.retry_wait * 2u32.pow(tries);
                self.note(format!(
                    "deferred: {} ({}): {reply}; trying again in {:.0} s",
                    entry.recipient,
                    entry.file,
                    wait.as_secs_f64()
                ));
                tries += 1;
                if self.pause(wait) {
                    continue;
                }
            }
            self.log_after(entry, status, &reply)?;
            self.left -= 1;
            self.show(entry, status, &reply);
            return Ok(());
        }
    }

    /// One try at sending: the outcome and the server's reply, or an error
    /// that ends the run.
    fn attempt(
        &mut self,
        entry: &OutboxEntry,
        envelope: &lettre::address::Envelope,
        message: &[u8],
    ) -> Result<(Outcome, String), Error> {
        let limit = self.opts.server.timeout;
        let (transport, to, bytes) = (self.transport.clone(), envelope.clone(), message.to_vec());
        let Some(sent) = deadline::within(limit, move || transport.send_raw(&to, &bytes)) else {
            self.log_after(
                entry,
                Outcome::Unknown,
                &format!("no answer within {} s", limit.as_secs()),
            )?;
            self.summary.unknown += 1;
            return Err(Error::system(
                format!(
                    "the mail server did not answer within {} s while taking {} for {}; it may have \
                     been delivered: it is logged as unknown and not sent again",
                    limit.as_secs(),
                    entry.file,
                    entry.recipient
                ),
                "a slow or stuck mail server; try again later, or another server",
            ));
        };
        let (status, reply) = match sent {
            // Checked by the client before the message: nothing went, and
            // the session goes on with the next person.
            Err(e) if e.is_client() && crate::email::address::needs_smtputf8(&entry.recipient) => {
                (Outcome::Deferred, NO_SMTPUTF8.to_string())
            }
            Ok(response) => (
                Outcome::Sent,
                format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                ),
            ),
            // 4xx: a limit or a busy server; 5xx: a final no.
            Err(e) if e.status().is_some_and(|c| !smtp::ends_session(c)) => {
                let status = if e.is_transient() {
                    Outcome::Deferred
                } else {
                    Outcome::Refused
                };
                (status, e.to_string())
            }
            // The server answered that the session is over: it did not
            // take the message, and a rerun may send it.
            Err(e) if e.status().is_some() => {
                self.log_after(entry, Outcome::Refused, &e.to_string())?;
                return Err(smtp::connection_error(
                    &self.opts.server,
                    &e,
                    self.summary.sent,
                ));
            }
            // The connection failed without an answer, perhaps after the
            // message went: its `sending` line stays, so the next run logs
            // it as unknown instead of sending it again.
            Err(e) => {
                self.observer.note(&format!(
                    "{} for {} may have been delivered: the connection failed before the server answered",
                    entry.file, entry.recipient
                ));
                return Err(smtp::connection_error(
                    &self.opts.server,
                    &e,
                    self.summary.sent,
                ));
            }
        };
        Ok((status, reply))
    }

    /// Waits `wait`, or until Ctrl-C; whether the whole wait passed.
    fn pause(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if self.opts.cancel.get().is_some() {
                return false;
            }
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(50)));
        }
        true
    }

    fn note(&mut self, line: String) {
        self.observer.note(&line);
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
            Outcome::Sent | Outcome::Sending | Outcome::Unknown => self.summary.sent += 1,
            Outcome::Suppressed => self.summary.suppressed += 1,
            Outcome::Deferred => self.summary.deferred += 1,
            Outcome::Refused => self.summary.refused += 1,
        }
        self.observer.outcome(entry, status, reply);
    }
}
