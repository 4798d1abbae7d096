//! Which messages of the outbox a run sends: not those the log holds as
//! sent, refused or unknown, nor those on the suppression list, and no
//! more than `--limit` and `--per-day` allow.

use std::collections::HashSet;

use super::log::Log;
use super::{SendOptions, Summary, status};
use crate::email::OutboxEntry;

/// What this run sends, what it logs as suppressed, and the counts of the
/// rest.
pub(super) fn choose(
    opts: &SendOptions,
    outbox: Vec<OutboxEntry>,
    log: &Log,
) -> (Vec<OutboxEntry>, Vec<OutboxEntry>, Summary) {
    let mut seen = HashSet::new();
    let mut summary = Summary {
        total: outbox.len(),
        ..Summary::default()
    };
    let mut todo = Vec::new();
    let mut suppressed = Vec::new();
    for entry in outbox {
        if log.is_unknown(&entry.message_id) && !opts.resend_unknown {
            summary.unknown += 1;
        } else if log.has_sent(&entry.message_id)
            || !seen.insert(crate::email::log_key(&entry.message_id).to_string())
        {
            summary.already_sent += 1;
        } else if log.was_refused(&entry.message_id) && !opts.retry_refused {
            summary.refused_before += 1;
        } else if opts.suppress.contains(&entry.recipient) {
            // Added to the list since the build: the list of the day counts.
            suppressed.push(entry);
        } else {
            todo.push(entry);
        }
    }
    summary.suppressed = suppressed.len();
    let today = opts.per_day.map(|n| {
        let sent = status::sent_in_last_day(log.sent_times(), time::OffsetDateTime::now_utc());
        n.saturating_sub(sent)
    });
    if let Some(limit) = [opts.limit, today].into_iter().flatten().min()
        && todo.len() > limit
    {
        summary.over_limit = todo.len() - limit;
        todo.truncate(limit);
    }
    (todo, suppressed, summary)
}
