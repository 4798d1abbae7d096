//! `handout send`: the drafts of a build, over SMTP, from the send log.

use crate::cli::SendArgs;
use crate::email::send::Dkim;
use crate::email::send::status::Standing;
use crate::email::send::{self, SendOptions, Server, TlsMode};
use crate::email::suppress::Suppression;
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
    let server = match &args.smtp {
        Some(url) => server(url, args)?,
        // A dry run connects to nothing.
        None => Server {
            host: String::new(),
            port: 0,
            tls: TlsMode::None,
            ca_cert: None,
            credentials: None,
            oauth2: false,
            timeout: send::DEFAULT_TIMEOUT,
        },
    };
    let cancel = Cancel::signals().map_err(|e| {
        Error::system(
            format!("cannot handle ctrl-c: {e}"),
            "this system refuses signal handlers; run handout on another machine",
        )
    })?;
    let summary = send::run(
        &SendOptions {
            dir: args.dir.clone(),
            server,
            dry_run: args.dry_run,
            rate: args.rate,
            quiet: args.quiet,
            cancel,
            suppress: match &args.suppress {
                Some(path) => Suppression::load(path)?,
                None => Suppression::default(),
            },
            retry_refused: args.retry_refused,
            retries: args.retries,
            retry_wait: std::time::Duration::from_secs_f64(args.retry_wait),
            limit: args.limit.map(|n| n as usize),
            per_day: args.per_day.map(|n| n as usize),
            resend_unknown: args.resend_unknown,
            dkim: match &args.dkim_key {
                Some(key) => Some(
                    Dkim::load(
                        key,
                        args.dkim_selector.as_deref().unwrap_or_default(),
                        args.dkim_domain.as_deref(),
                    )
                    .map_err(|d| Error::Content(vec![d]))?,
                ),
                None => None,
            },
        },
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

/// The server from `--smtp`, `--tls` and the environment.
fn server(url: &str, args: &SendArgs) -> Result<Server, Error> {
    let bad = |why: &str| {
        Error::usage(
            format!("`{url}` is not a mail server address: {why}"),
            "write it as smtp://HOST:PORT, e.g. smtp://mail.example.org:587",
        )
    };
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    let implicit_scheme = match parsed.scheme() {
        "smtp" => false,
        "smtps" => true,
        _ => return Err(bad("the scheme must be smtp or smtps")),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::usage(
            "--smtp must not hold a user name or password",
            "set HANDOUT_SMTP_USERNAME and HANDOUT_SMTP_PASSWORD instead, so they stay out of shell history",
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| bad("it has no host"))?
        .trim_matches(['[', ']'])
        .to_string();
    let tls = match (args.tls, implicit_scheme) {
        (Some(t), _) => t.into(),
        (None, true) => TlsMode::Implicit,
        (None, false) => TlsMode::StartTls,
    };
    let port = parsed.port().unwrap_or(match tls {
        TlsMode::StartTls => 587,
        TlsMode::Implicit => 465,
        TlsMode::None => 25,
    });
    let user = std::env::var("HANDOUT_SMTP_USERNAME")
        .ok()
        .filter(|s| !s.is_empty());
    let password = std::env::var("HANDOUT_SMTP_PASSWORD").ok();
    let token = std::env::var("HANDOUT_SMTP_OAUTH2_TOKEN")
        .ok()
        .filter(|s| !s.is_empty());
    let oauth2 = token.is_some();
    let credentials = match (user, password, token) {
        (Some(_), Some(_), Some(_)) => {
            return Err(Error::usage(
                "both HANDOUT_SMTP_PASSWORD and HANDOUT_SMTP_OAUTH2_TOKEN are set",
                "set the one your mail provider uses: the token for XOAUTH2 (Microsoft 365, Google Workspace), or the password",
            ));
        }
        (Some(u), None, Some(t)) => Some((u, t)),
        (Some(u), Some(p), None) => Some((u, p)),
        (Some(_), None, None) => {
            return Err(Error::usage(
                "HANDOUT_SMTP_USERNAME is set but neither HANDOUT_SMTP_PASSWORD nor HANDOUT_SMTP_OAUTH2_TOKEN is",
                "set the password or the OAuth 2 access token, or none of them for a server that needs no login",
            ));
        }
        (None, _, Some(_)) => {
            return Err(Error::usage(
                "HANDOUT_SMTP_OAUTH2_TOKEN is set but HANDOUT_SMTP_USERNAME is not",
                "set HANDOUT_SMTP_USERNAME to the mailbox the token is for",
            ));
        }
        (None, _, None) => None,
    };
    let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1");
    if credentials.is_some() && tls == TlsMode::None && !local {
        return Err(Error::usage(
            "refusing to send a password or token without encryption",
            "use --tls starttls or --tls implicit; --tls none is for a server on this machine",
        ));
    }
    Ok(Server {
        host,
        port,
        tls,
        ca_cert: args.ca_cert.clone(),
        credentials,
        oauth2,
        timeout: std::time::Duration::from_secs(args.smtp_timeout.into()),
    })
}
