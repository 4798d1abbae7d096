//! The connection to the mail server, and what its errors mean.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, SmtpTransport};

use super::{Server, TlsMode};
use crate::diag::{Diagnostic, count};
use crate::email::{OUTBOX, OutboxEntry};
use crate::error::Error;

pub(super) fn envelope(entry: &OutboxEntry) -> Result<Envelope, Error> {
    let bad = |what: &str, value: &str| {
        Error::Content(vec![
            Diagnostic::error(format!("the outbox's {what} `{value}` is not an address"))
                .in_file(OUTBOX)
                .with_hint("build the drafts again"),
        ])
    };
    let from: lettre::message::Mailbox =
        entry.from.parse().map_err(|_| bad("sender", &entry.from))?;
    let to: Address = crate::email::address::sendable(&entry.recipient)
        .parse()
        .map_err(|_| bad("recipient", &entry.recipient))?;
    // A sender such as admissions@école.example goes out in its ASCII
    // (IDNA) form, which every server accepts.
    let sender = Address::new(
        from.email.user(),
        crate::email::address::ascii_domain(from.email.domain()),
    )
    .map_err(|_| bad("sender", &entry.from))?;
    Envelope::new(Some(sender), vec![to]).map_err(|_| bad("recipient", &entry.recipient))
}

pub(super) fn transport(server: &Server) -> Result<SmtpTransport, Error> {
    let mut params = TlsParameters::builder(server.host.clone());
    if let Some(path) = &server.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            Error::usage(
                format!("cannot read {}: {e}", path.display()),
                "give --ca-cert a PEM file",
            )
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| {
            Error::usage(
                format!("{} is not a PEM certificate: {e}", path.display()),
                "give --ca-cert a PEM file",
            )
        })?;
        params = params.add_root_certificate(cert);
    }
    let params = params.build_rustls().map_err(|e| {
        Error::usage(
            format!("cannot set up TLS: {e}"),
            "check --smtp's host name",
        )
    })?;
    let tls = match server.tls {
        TlsMode::StartTls => Tls::Required(params),
        TlsMode::Implicit => Tls::Wrapper(params),
        TlsMode::None => Tls::None,
    };
    let mut builder = SmtpTransport::builder_dangerous(server.host.clone())
        .port(server.port)
        .tls(tls)
        // A read waits as long as the longest step may; the watchdog holds
        // each step to its own deadline.
        .timeout(Some(server.timeout));
    if let Some((user, secret)) = &server.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), secret.clone()));
        if server.oauth2 {
            builder = builder.authentication(vec![Mechanism::Xoauth2]);
        }
    }
    Ok(builder.build())
}

/// Replies about the session rather than the message: the server is
/// closing (421), TLS is unavailable (454), or the login is needed or
/// wrong (530, 534, 535, 538). Sending the rest would fail the same way.
pub(super) fn ends_session(code: lettre::transport::smtp::response::Code) -> bool {
    matches!(
        code.to_string().parse::<u16>(),
        Ok(421 | 454 | 530 | 534 | 535 | 538)
    )
}

pub(super) fn connection_error(
    server: &Server,
    e: &lettre::transport::smtp::Error,
    sent: usize,
) -> Error {
    let text = e.to_string();
    let hint = if text.contains("STARTTLS is not supported") {
        "the server does not offer STARTTLS: use --tls implicit for port 465, or --tls none only for a server on this machine"
    } else if e.is_tls() || text.to_lowercase().contains("tls") {
        "the server did not set up TLS: use --tls implicit for port 465, or --tls none only for a server on this machine"
    } else if e
        .status()
        .is_some_and(|c| matches!(c.to_string().as_str(), "530" | "534" | "535" | "538"))
    {
        "the server refused the login: check HANDOUT_SMTP_USERNAME and HANDOUT_SMTP_PASSWORD"
    } else if e.is_timeout() {
        "the server did not answer in time; check --smtp and your network"
    } else if text.contains("Connection error") {
        "check --smtp's host and port, and that the server is running"
    } else {
        "check --smtp's host and port, and HANDOUT_SMTP_USERNAME and HANDOUT_SMTP_PASSWORD"
    };
    let mut d = Diagnostic::error(format!(
        "cannot send through {}:{}: {e}",
        server.host, server.port
    ))
    .with_hint(hint);
    if sent > 0 {
        d = d.with_hint(format!(
            "{} sent before this and logged; a rerun sends only the rest",
            count(sent, "message was", "messages were")
        ));
    }
    Error::Content(vec![d])
}

/// Connects and logs in, so that connecting, TLS and the login fail before
/// any message is sent.
pub(super) fn connect(server: &Server) -> Result<SmtpTransport, Error> {
    let transport = transport(server)?;
    match transport.test_connection() {
        Ok(true) => Ok(transport),
        Ok(false) => Err(Error::Content(vec![
            Diagnostic::error(format!(
                "{}:{} does not answer as a mail server",
                server.host, server.port
            ))
            .with_hint("check --smtp's host and port"),
        ])),
        Err(e) => Err(connection_error(server, &e, 0)),
    }
}
