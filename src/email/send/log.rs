//! The outbox a build writes, and the send log that says who already has
//! their message.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Span};
use crate::email::{OUTBOX, OutboxEntry, SENT_LOG};
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Sent,
    Refused,
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

/// Reads `DIR/outbox.jsonl`; every line must be an entry.
pub fn read_outbox(dir: &Path) -> Result<Vec<OutboxEntry>, Error> {
    let path = dir.join(OUTBOX);
    let name = path.display().to_string();
    let text: Arc<str> = std::fs::read_to_string(&path)
        .map_err(|e| {
            Error::Content(vec![if e.kind() == std::io::ErrorKind::NotFound {
                Diagnostic::error(format!("there are no drafts in {}: it has no {OUTBOX}", dir.display()))
                    .with_hint(
                        "make drafts first: handout build CONTENT --recipients FILE --eml --from ADDRESS --out-dir DIR",
                    )
            } else {
                Diagnostic::error(format!("cannot read the outbox: {e}"))
                    .in_file(name.clone())
                    .with_hint("check the folder's permissions")
            }])
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
        Err(Error::Content(errors))
    }
}

/// The send log, opened for appending and locked, so that two runs on
/// one folder cannot both send.
pub struct Log {
    file: File,
    /// Message-IDs the server accepted.
    sent: HashSet<String>,
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
        if file.try_lock().is_err() {
            return Err(Error::usage(
                format!("another `handout send` is using {}", dir.display()),
                "wait for it to finish; two runs on one folder could email someone twice",
            ));
        }
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(cannot)?;
        let text: Arc<str> = text.into();
        let mut sent = HashSet::new();
        let mut errors = Vec::new();
        for (start, line) in lines(&text) {
            let complete = text[start + line.len()..].starts_with('\n');
            match serde_json::from_str::<LogEntry>(line) {
                Ok(e) if e.status == Outcome::Sent => {
                    sent.insert(e.message_id);
                }
                Ok(_) => {}
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
        Ok(Self { file, sent })
    }

    pub fn has_sent(&self, message_id: &str) -> bool {
        self.sent.contains(message_id)
    }

    /// Appends one entry and flushes it to the disk before returning.
    pub(super) fn record(&mut self, entry: &LogEntry) -> Result<(), Error> {
        let mut line = serde_json::to_string(entry).unwrap_or_default();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| {
                Error::system(
                    format!("cannot write the send log: {e}"),
                    "free disk space, then rerun: messages logged so far are not sent again",
                )
            })?;
        if entry.status == Outcome::Sent {
            self.sent.insert(entry.message_id.clone());
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

pub(super) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
