//! `handout send`: the drafts of a build, over SMTP, from the send log.

use crate::cli::SendArgs;
use crate::email::send;
use crate::email::send::status::Standing;
use crate::error::Error;
use crate::signal::Cancel;

pub fn run(args: &SendArgs) -> Result<(), Error> {
    if args.status {
        let standing = Standing::read(&args.dir)?;
        let counts: Vec<String> = standing
            .counts()
            .iter()
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        println!("{}: {}", args.dir.display(), counts.join(", "));
        write_failed(args, &standing)?;
        // Pending and suppressed messages are not failures: a daily quota
        // leaves some for later on purpose.
        let [_, _, refused, deferred, unknown, _] = standing.counts().map(|(_, n)| n);
        return undelivered(refused + deferred + unknown, standing.entries.len());
    }
    let cancel = Cancel::signals().map_err(|e| {
        Error::system(
            format!("cannot handle ctrl-c: {e}"),
            "this system refuses signal handlers; run handout on another machine",
        )
    })?;
    let summary = send::run(
        &crate::job::send::options(args, cancel)?,
        &mut send::Terminal::new(args.quiet),
    );
    if !args.dry_run && args.failed.is_some() {
        // What failed is worth writing even when the run stopped early.
        write_failed(args, &Standing::read(&args.dir)?)?;
    }
    let send::Finished { summary, stopped } = summary?;
    if args.dry_run {
        return Ok(());
    }
    let failed = summary.refused + summary.deferred + summary.refused_before + summary.unknown;
    if !args.quiet || failed > 0 || stopped.is_some() {
        eprintln!(
            "{} (log: {})",
            summary_line(&summary),
            args.dir.join(crate::email::SENT_LOG).display()
        );
    }
    if let Some(stopped) = stopped {
        return Err(stopped);
    }
    undelivered(failed, summary.total)
}

/// Exit 1 when any listed message is refused, deferred or unknown; those
/// left for later by `--limit` or `--per-day`, and suppressed ones, are not
/// failures.
fn undelivered(failed: usize, total: usize) -> Result<(), Error> {
    if failed > 0 {
        return Err(Error::Undelivered {
            refused: failed,
            total,
        });
    }
    Ok(())
}

/// `--failed FILE`: the refused and deferred messages, as a CSV.
fn write_failed(args: &SendArgs, standing: &Standing) -> Result<(), Error> {
    let Some(path) = &args.failed else {
        return Ok(());
    };
    let csv = standing.failed_csv().map_err(|d| Error::Content(vec![d]))?;
    crate::output::write_atomic(path, &csv).map_err(|d| Error::Content(vec![d]))
}

/// What the run did, in one line; counts that are zero are left out,
/// except the first three.
fn summary_line(s: &send::Summary) -> String {
    let mut line = format!(
        "sent {}, refused {}, {} already sent before",
        s.sent, s.refused, s.already_sent
    );
    for (n, what) in [
        (
            s.deferred,
            "deferred (refused for now; the next run tries again)",
        ),
        (
            s.refused_before,
            "refused before (not tried again; --retry-refused)",
        ),
        (s.suppressed, "suppressed (on --suppress; not sent)"),
        (s.over_limit, "left for the next run (--limit, --per-day)"),
        (s.unknown, "unknown (may have arrived; not sent again)"),
    ] {
        if n > 0 {
            line.push_str(&format!(", {n} {what}"));
        }
    }
    line
}
