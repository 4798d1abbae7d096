//! A send as one call's options: `handout send` and the page's campaign
//! panel resolve the same options into the same `SendOptions`, for the one
//! send loop (`email::send::run`).

use crate::cli::{SendArgs, ServerOptions};
use crate::email::send::{self, Dkim, SendOptions, Server, TlsMode};
use crate::email::suppress::Suppression;
use crate::error::Error;
use crate::signal::Cancel;

/// The checked options of one send, stopped when `cancel` is set.
pub fn options(args: &SendArgs, cancel: Cancel) -> Result<SendOptions, Error> {
    let server = match &args.server.smtp {
        Some(url) => server(url, &args.server)?,
        None if args.dry_run || args.status => Server {
            host: String::new(),
            port: 0,
            tls: TlsMode::None,
            ca_cert: None,
            credentials: None,
            oauth2: false,
            timeout: send::DEFAULT_TIMEOUT,
        },
        None => {
            return Err(Error::usage(
                "--smtp is needed to send",
                "give the mail server, e.g. --smtp smtp://mail.example.org:587, or --dry-run to list what would be sent",
            ));
        }
    };
    let s = &args.server;
    Ok(SendOptions {
        dir: args.dir.clone(),
        server,
        dry_run: args.dry_run,
        rate: s.rate,
        quiet: args.quiet,
        cancel,
        suppress: match &args.suppress {
            Some(path) => Suppression::load(path)?,
            None => Suppression::default(),
        },
        retry_refused: args.retry_refused,
        retries: s.retries,
        retry_wait: std::time::Duration::from_secs_f64(s.retry_wait),
        limit: args.limit.map(|n| n as usize),
        per_day: args.per_day.map(|n| n as usize),
        resend_unknown: args.resend_unknown,
        dkim: dkim(s)?,
    })
}

/// `--dkim-key` and its selector and domain, read and checked.
pub fn dkim(s: &ServerOptions) -> Result<Option<Dkim>, Error> {
    let Some(key) = &s.dkim_key else {
        return Ok(None);
    };
    Dkim::load(
        key,
        s.dkim_selector.as_deref().unwrap_or_default(),
        s.dkim_domain.as_deref(),
    )
    .map(Some)
    .map_err(|d| Error::Content(vec![d]))
}

/// The server from `--smtp`, `--tls` and the environment.
pub fn server(url: &str, args: &ServerOptions) -> Result<Server, Error> {
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
