//! The outbox a build writes, and the send log that says who already has
//! their message.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Span};
use crate::email::{OUTBOX, OutboxEntry, SENT_LOG, log_key};
use crate::error::Error;

/// What the log knows of a message. A message is logged as `sending`
/// before it goes out, and then as `sent` or `refused`; one whose last line
/// is `sending` may have been delivered without its outcome being written
/// (the disk filled, the process ended), so the next run logs it as
/// `unknown` and never sends it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Sending,
    Sent,
    Refused,
    Unknown,
    /// Not sent: on the suppression list at the time of sending.
    Suppressed,
    /// A temporary refusal (4xx) after the run's tries: the next run tries
    /// again.
    Deferred,
}

/// One line of `sent.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogEntry {
    pub message_id: String,
    pub recipient: String,
    pub file: String,
    pub campaign: String,
    pub status: Outcome,
    /// RFC 3339, UTC.
    pub time: String,
    /// The server's reply.
    pub reply: String,
}

/// The outboxes of a folder: `outbox.jsonl`, and one per shard of a build
/// split with `--shard` (`outbox.2-of-4.jsonl`), in name order.
pub fn outbox_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == OUTBOX || (n.starts_with("outbox.") && n.ends_with(".jsonl")))
        })
        .collect();
    found.sort();
    found
}

/// Reads every outbox of `dir`; every line must be an entry.
pub fn read_outbox(dir: &Path) -> Result<Vec<OutboxEntry>, Error> {
    let files = outbox_files(dir);
    if files.is_empty() {
        return Err(Error::Content(vec![
            Diagnostic::error(format!(
                "there are no drafts in {}: it has no {OUTBOX}",
                dir.display()
            ))
            .with_hint(
                "make drafts first: handout build CONTENT --recipients FILE --eml --from ADDRESS --out-dir DIR",
            ),
        ]));
    }
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    // Which outbox first listed each message.
    let mut listed: HashMap<String, std::path::PathBuf> = HashMap::new();
    for path in files {
        match read_one_outbox(&path) {
            Ok(found) => {
                for entry in found {
                    if let Some(first) = listed.get(log_key(&entry.message_id)) {
                        if first != &path {
                            errors.push(
                                Diagnostic::error(format!(
                                    "{} and {} both list {} (to {})",
                                    first.display(),
                                    path.display(),
                                    entry.message_id,
                                    entry.recipient
                                ))
                                .with_hint("two builds wrote drafts into this folder: keep the outbox of the one to send, and remove the other"),
                            );
                        }
                        continue;
                    }
                    listed.insert(log_key(&entry.message_id).to_string(), path.clone());
                    entries.push(entry);
                }
            }
            Err(found) => errors.extend(found),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(Error::Content(errors))
    }
}

fn read_one_outbox(path: &Path) -> Result<Vec<OutboxEntry>, Vec<Diagnostic>> {
    let name = path.display().to_string();
    if let Some(problem) = crate::diag::unreadable_input(path, 256 * 1024 * 1024) {
        return Err(vec![
            Diagnostic::error(format!("cannot use the outbox: {problem}"))
                .in_file(name)
                .with_hint("build the drafts again"),
        ]);
    }
    let text: Arc<str> = std::fs::read_to_string(path)
        .map_err(|e| {
            vec![
                Diagnostic::error(format!(
                    "cannot read the outbox: {}",
                    crate::diag::io_reason(&e, "file")
                ))
                .in_file(name.clone())
                .with_hint("check the folder's permissions"),
            ]
        })?
        .into();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (start, line) in lines(&text) {
        match serde_json::from_str::<OutboxEntry>(line) {
            Ok(e) => entries.push(e),
            Err(e) => errors.push(
                Diagnostic::error(format!("this outbox line is not a draft: {e}"))
                    .with_span(span(&name, &text, start, line.len()))
                    .with_hint("the outbox is written by `build --eml`; build the drafts again"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// The send log, opened for appending and locked, so that two runs on
/// one folder cannot both send.
pub struct Log {
    file: File,
    /// This run's name beside the lock, removed when the log is dropped.
    pub claim: super::holder::Claim,
    /// Messages the server accepted, by `log_key`: the sender's domain
    /// never makes a message new.
    sent: HashSet<String>,
    /// Messages that may have been delivered: their last line is
    /// `sending` or `unknown`.
    unknown: HashMap<String, LogEntry>,
    /// Messages whose last answer was a permanent refusal.
    refused: HashSet<String>,
    /// When each `sent` line was written (RFC 3339), for `--per-day`.
    sent_at: Vec<String>,
}

impl Log {
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let path = dir.join(SENT_LOG);
        let name = path.display().to_string();
        let cannot = |e: std::io::Error| {
            Error::Content(vec![
                Diagnostic::error(format!("cannot open the send log: {e}"))
                    .in_file(name.clone())
                    .with_hint("check the folder's permissions"),
            ])
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(cannot)?;
        // Exit 3, not 2: nothing is wrong with the command line.
        if file.try_lock().is_err() {
            return Err(Error::system(
                super::holder::busy_message(dir),
                "wait for it to finish; two runs on one folder could email someone twice",
            ));
        }
        let claim = super::holder::Claim::write(dir);
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(cannot)?;
        let text: Arc<str> = text.into();
        let mut sent = HashSet::new();
        let mut unknown = HashMap::new();
        let mut refused = HashSet::new();
        let mut sent_at = Vec::new();
        let mut errors = Vec::new();
        for (start, line) in lines(&text) {
            let complete = text[start + line.len()..].starts_with('\n');
            match serde_json::from_str::<LogEntry>(line) {
                Ok(e) => {
                    let key = log_key(&e.message_id).to_string();
                    match e.status {
                        Outcome::Sent => {
                            unknown.remove(&key);
                            refused.remove(&key);
                            sent_at.push(e.time);
                            sent.insert(key);
                        }
                        Outcome::Sending | Outcome::Unknown => {
                            unknown.insert(key, e);
                        }
                        Outcome::Refused => {
                            unknown.remove(&key);
                            refused.insert(key);
                        }
                        Outcome::Deferred => {
                            unknown.remove(&key);
                            refused.remove(&key);
                        }
                        // Checked again on every run against the list of the day.
                        Outcome::Suppressed => {}
                    }
                }
                Err(e) => errors.push(
                    Diagnostic::error(if complete {
                        format!("this send log line cannot be read: {e}")
                    } else {
                        "this send log line is incomplete: a run ended while writing it".into()
                    })
                    .with_span(span(&name, &text, start, line.len()))
                    .with_hint("check whether this message arrived, then complete the line or delete it; never delete the whole log, it is what stops repeat emails"),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Content(errors));
        }
        Ok(Self {
            file,
            claim,
            sent,
            unknown,
            refused,
            sent_at,
        })
    }

    pub fn has_sent(&self, message_id: &str) -> bool {
        self.sent.contains(log_key(message_id))
    }

    /// When the log's messages were sent, as written (RFC 3339).
    pub fn sent_times(&self) -> &[String] {
        &self.sent_at
    }

    /// The server's last answer was a permanent refusal (5xx).
    pub fn was_refused(&self, message_id: &str) -> bool {
        self.refused.contains(log_key(message_id))
    }

    /// The message may have been delivered by an earlier run that could
    /// not log its outcome; it is never sent again.
    pub fn is_unknown(&self, message_id: &str) -> bool {
        self.unknown.contains_key(log_key(message_id))
    }

    /// The messages an earlier run left at `sending`, now logged as
    /// `unknown`, so that the log says plainly what is not known.
    pub(super) fn settle_unknown(&mut self, time: &str) -> Result<Vec<LogEntry>, Error> {
        let mut left: Vec<LogEntry> = self
            .unknown
            .values()
            .filter(|e| e.status == Outcome::Sending)
            .cloned()
            .collect();
        left.sort_by(|a, b| a.message_id.cmp(&b.message_id));
        for entry in &mut left {
            entry.status = Outcome::Unknown;
            entry.time = time.to_string();
            entry.reply = "an earlier run sent it, but could not log the server's answer".into();
            self.append(entry).map_err(|e| {
                Error::system(
                    format!("cannot write the send log: {e}"),
                    "free disk space, then rerun: nothing was sent",
                )
            })?;
        }
        for entry in &left {
            self.unknown
                .insert(log_key(&entry.message_id).to_string(), entry.clone());
        }
        Ok(left)
    }

    /// Appends one entry in a single write and flushes it to the disk
    /// before returning.
    pub(super) fn append(&mut self, entry: &LogEntry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(entry).unwrap_or_default();
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        match entry.status {
            Outcome::Sent => {
                self.sent.insert(log_key(&entry.message_id).to_string());
            }
            Outcome::Refused => {
                self.refused.insert(log_key(&entry.message_id).to_string());
            }
            Outcome::Sending | Outcome::Unknown | Outcome::Suppressed | Outcome::Deferred => {}
        }
        Ok(())
    }
}

/// Non-empty lines with their byte offsets.
pub(super) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').filter_map(move |raw| {
        let at = start;
        start += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        (!line.trim().is_empty()).then_some((at, line))
    })
}

pub(super) fn span(name: &str, text: &Arc<str>, start: usize, len: usize) -> Span {
    Span {
        file: name.to_string(),
        text: text.clone(),
        range: start..(start + len.max(1)).min(text.len()),
    }
}

/// Now, to the second: every log line of the same kind has one length.
pub(super) fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Bytes free for the log, as the file system tells; none where it cannot.
#[cfg(unix)]
pub(super) fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a valid C string and `stat` a valid buffer for the
    // call to fill.
    let rc = unsafe { libc::statvfs(path.as_ptr(), &mut stat) };
    (rc == 0).then(|| (stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64))
}

#[cfg(not(unix))]
pub(super) fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}
