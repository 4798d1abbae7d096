//! The send log's lines for one message: before it goes, and with the
//! server's answer.

use super::log::{self, LogEntry, Outcome, now_rfc3339};
use super::{MIN_FREE_BYTES, Run};
use crate::email::OutboxEntry;
use crate::error::Error;

impl Run<'_> {
    /// Logs the message as `sending`, so that it is never sent twice even
    /// if its outcome cannot be logged; stops before sending when the log's
    /// disk is nearly full or the line cannot be written.
    pub(super) fn log_before(&mut self, entry: &OutboxEntry) -> Result<(), Error> {
        let not_sent = "free disk space, then rerun: nothing more was sent, and logged messages are not sent again";
        if let Some(free) = log::free_bytes(&self.opts.dir)
            && free < MIN_FREE_BYTES
        {
            return Err(Error::system(
                format!(
                    "only {} KB are free on the disk of the send log, too little to log {} safely",
                    free / 1024,
                    entry.file
                ),
                not_sent,
            ));
        }
        self.log
            .append(&log_entry(entry, Outcome::Sending, ""))
            .map_err(|e| {
                Error::system(
                    format!(
                        "cannot write the send log before sending {}: {e}",
                        entry.file
                    ),
                    not_sent,
                )
            })
    }

    /// Logs what the server answered. If that fails after it accepted the
    /// message, the error says which message may have been delivered.
    pub(super) fn log_after(
        &mut self,
        entry: &OutboxEntry,
        status: Outcome,
        reply: &str,
    ) -> Result<(), Error> {
        self.log
            .append(&log_entry(entry, status, reply))
            .map_err(|e| match status {
                Outcome::Sent => Error::system(
                    format!(
                        "the server accepted {} for {}, but the send log could not record it: {e}",
                        entry.file, entry.recipient
                    ),
                    "it may have been delivered: the next run logs it as unknown and does not send it again; free disk space, then rerun",
                ),
                Outcome::Refused
                | Outcome::Sending
                | Outcome::Unknown
                | Outcome::Suppressed
                | Outcome::Deferred => Error::system(
                    format!("cannot write the send log after trying {}: {e}", entry.file),
                    "it was not delivered, but the next run logs it as unknown and does not send it again; free disk space, then rerun",
                ),
            })
    }
}

pub(super) fn log_entry(entry: &OutboxEntry, status: Outcome, reply: &str) -> LogEntry {
    LogEntry {
        message_id: entry.message_id.clone(),
        recipient: entry.recipient.clone(),
        file: entry.file.clone(),
        campaign: entry.campaign.clone(),
        status,
        time: now_rfc3339(),
        reply: reply.to_string(),
    }
}
