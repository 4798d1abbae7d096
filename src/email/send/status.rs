//! Where a campaign stands, from its outboxes and send log, without a mail
//! server: `send --status`, the CSV of `--failed`, and what `--per-day`
//! counts. The log is read as it is, so a run that is sending does not
//! stop it.

use std::collections::HashMap;
use std::path::Path;

use super::log::{LogEntry, Outcome, lines, read_outbox};
use crate::diag::Diagnostic;
use crate::email::{OutboxEntry, SENT_LOG, log_key};
use crate::error::Error;

/// Every outbox entry with the last line the log has for it, if any.
pub struct Standing {
    pub entries: Vec<(OutboxEntry, Option<LogEntry>)>,
}

impl Standing {
    pub fn read(dir: &Path) -> Result<Self, Error> {
        let outbox = read_outbox(dir)?;
        let text = std::fs::read_to_string(dir.join(SENT_LOG)).unwrap_or_default();
        let mut last: HashMap<String, LogEntry> = HashMap::new();
        // A line cut off by a run that is writing it is left out here;
        // `send` itself reports it.
        for (_, line) in lines(&text) {
            if let Ok(e) = serde_json::from_str::<LogEntry>(line) {
                // `sent` is final, whatever follows.
                let key = log_key(&e.message_id);
                if last.get(key).map(|l| l.status) != Some(Outcome::Sent) {
                    last.insert(key.to_string(), e);
                }
            }
        }
        let entries = outbox
            .into_iter()
            .map(|o| {
                let l = last.get(log_key(&o.message_id)).cloned();
                (o, l)
            })
            .collect();
        Ok(Self { entries })
    }

    /// Counts by state, in a fixed order, each with its name.
    pub fn counts(&self) -> [(&'static str, usize); 6] {
        let mut n = [0; 6];
        for (_, last) in &self.entries {
            let i = match last.as_ref().map(|l| l.status) {
                Some(Outcome::Sent) => 0,
                None => 1,
                Some(Outcome::Refused) => 2,
                Some(Outcome::Deferred) => 3,
                Some(Outcome::Sending | Outcome::Unknown) => 4,
                Some(Outcome::Suppressed) => 5,
            };
            n[i] += 1;
        }
        let names = [
            "sent",
            "pending",
            "refused",
            "deferred",
            "unknown",
            "suppressed",
        ];
        std::array::from_fn(|i| (names[i], n[i]))
    }

    /// A CSV of the refused and deferred messages, with the server's reply:
    /// a list to fix and send again.
    pub fn failed_csv(&self) -> Result<Vec<u8>, Diagnostic> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let broken = |e: csv::Error| Diagnostic::error(format!("cannot write the CSV: {e}"));
        w.write_record(["recipient", "file", "status", "reply", "time"])
            .map_err(broken)?;
        for (entry, last) in &self.entries {
            let Some(last) = last else { continue };
            let status = match last.status {
                Outcome::Refused => "refused",
                Outcome::Deferred => "deferred",
                _ => continue,
            };
            w.write_record([
                entry.recipient.as_str(),
                entry.file.as_str(),
                status,
                last.reply.as_str(),
                last.time.as_str(),
            ])
            .map_err(broken)?;
        }
        w.into_inner()
            .map_err(|e| Diagnostic::error(format!("cannot write the CSV: {e}")))
    }
}

/// How many of these send times (RFC 3339, from the log's `sent` lines)
/// fall in the 24 hours before `now`.
pub fn sent_in_last_day(times: &[String], now: time::OffsetDateTime) -> usize {
    let since = now - time::Duration::days(1);
    times
        .iter()
        .filter_map(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        })
        .filter(|t| *t > since)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_the_last_24_hours() {
        let now = time::macros::datetime!(2026-12-02 12:00 UTC);
        let times = [
            "2026-12-02T11:00:00Z",
            "2026-12-01T12:30:00.5Z",
            "2026-12-01T11:59:00Z",
            "not a time",
        ]
        .map(String::from);
        assert_eq!(sent_in_last_day(&times, now), 2);
    }
}
