//! Sending the outbox over SMTP, one message at a time, with a log on disk
//! that says who already has theirs.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};

use super::{OUTBOX, OutboxEntry, SENT_LOG};
use crate::diag::{Diagnostic, Span, count};
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
    pub credentials: Option<(String, String)>,
}

pub struct SendOptions {
    pub dir: PathBuf,
    pub server: Server,
    pub dry_run: bool,
    /// Messages a minute, at most.
    pub rate: Option<u32>,
    pub quiet: bool,
    pub cancel: Cancel,
}

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

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub sent: usize,
    pub refused: usize,
    pub already_sent: usize,
    pub total: usize,
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
    fn record(&mut self, entry: &LogEntry) -> Result<(), Error> {
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

/// Sends every outbox entry the log does not hold.
pub fn run(opts: &SendOptions) -> Result<Summary, Error> {
    let outbox = read_outbox(&opts.dir)?;
    let mut log = Log::open(&opts.dir)?;
    let mut seen = HashSet::new();
    let mut summary = Summary {
        total: outbox.len(),
        ..Summary::default()
    };
    let mut todo = Vec::new();
    for entry in outbox {
        if log.has_sent(&entry.message_id) || !seen.insert(entry.message_id.clone()) {
            summary.already_sent += 1;
        } else {
            todo.push(entry);
        }
    }
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
        let mut out = std::io::stdout().lock();
        for entry in &todo {
            let _ = writeln!(out, "would send {} to {}", entry.file, entry.recipient);
        }
        eprintln!(
            "{} to send, {} already sent (dry run: nothing was sent)",
            count(todo.len(), "message", "messages"),
            summary.already_sent
        );
        return Ok(summary);
    }
    if todo.is_empty() {
        return Ok(summary);
    }
    let transport = transport(&opts.server)?;
    // Connecting, TLS and the login fail here, before any message.
    match transport.test_connection() {
        Ok(true) => {}
        Ok(false) => {
            return Err(Error::Content(vec![
                Diagnostic::error(format!(
                    "{}:{} does not answer as a mail server",
                    opts.server.host, opts.server.port
                ))
                .with_hint("check --smtp's host and port"),
            ]));
        }
        Err(e) => return Err(connection_error(&opts.server, &e, 0)),
    }
    let bar = crate::progress::bar(todo.len(), opts.quiet);
    let interval = opts
        .rate
        .map(|n| Duration::from_secs_f64(60.0 / f64::from(n.max(1))));
    let mut last: Option<Instant> = None;
    for entry in &todo {
        if let (Some(interval), Some(last)) = (interval, last) {
            while last.elapsed() < interval {
                if opts.cancel.get().is_some() {
                    break;
                }
                std::thread::sleep((interval - last.elapsed()).min(Duration::from_millis(50)));
            }
        }
        if let Some(signal) = opts.cancel.get() {
            finish(&bar);
            eprintln!(
                "stopped: {} sent this run, {} not yet; rerun to send the rest",
                summary.sent,
                todo.len() - summary.sent - summary.refused
            );
            return Err(Error::Interrupted(signal));
        }
        last = Some(Instant::now());
        let envelope = envelope(entry)?;
        let bytes = read_draft(&opts.dir, entry).map_err(|d| {
            finish(&bar);
            Error::Content(vec![d])
        })?;
        let message = with_date(&bytes, &now_rfc2822()).unwrap_or(bytes);
        let (status, reply) = match transport.send_raw(&envelope, &message) {
            Ok(response) => (
                Outcome::Sent,
                format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                ),
            ),
            Err(e) if e.status().is_some_and(|c| !ends_session(c)) => {
                (Outcome::Refused, e.to_string())
            }
            Err(e) => {
                finish(&bar);
                return Err(connection_error(&opts.server, &e, summary.sent));
            }
        };
        log.record(&LogEntry {
            message_id: entry.message_id.clone(),
            recipient: entry.recipient.clone(),
            file: entry.file.clone(),
            campaign: entry.campaign.clone(),
            status,
            time: now_rfc3339(),
            reply: reply.clone(),
        })?;
        match status {
            Outcome::Sent => summary.sent += 1,
            Outcome::Refused => {
                summary.refused += 1;
                let line = format!("refused: {} ({}): {reply}", entry.recipient, entry.file);
                match &bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
        }
        if let Some(bar) = &bar {
            bar.set_message(entry.recipient.clone());
            bar.inc(1);
        } else if !opts.quiet && status == Outcome::Sent {
            println!("sent {} to {}", entry.file, entry.recipient);
        }
    }
    finish(&bar);
    Ok(summary)
}

/// The draft's bytes, once its Message-ID is the one the outbox lists.
fn read_draft(dir: &Path, entry: &OutboxEntry) -> Result<Vec<u8>, Diagnostic> {
    let rel = Path::new(&entry.file);
    if rel.is_absolute() || rel.components().count() != 1 {
        return Err(Diagnostic::error(format!(
            "the outbox lists `{}`, which is not a file in its folder",
            entry.file
        ))
        .in_file(dir.join(OUTBOX).display().to_string())
        .with_hint("build the drafts again"));
    }
    let path = dir.join(rel);
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::error(format!("cannot read the draft: {}", e.kind()).to_lowercase())
            .in_file(path.display().to_string())
            .with_hint("build the drafts again, or remove it from the outbox")
    })?;
    match header(&bytes, "message-id") {
        Some(id) if id == entry.message_id => Ok(bytes),
        found => Err(Diagnostic::error(format!(
            "the draft's Message-ID is {}, but the outbox lists {}",
            found.as_deref().unwrap_or("missing"),
            entry.message_id
        ))
        .in_file(path.display().to_string())
        .with_hint(
            "keep the Message-ID when editing a draft; it is how a rerun knows who was emailed",
        )),
    }
}

fn envelope(entry: &OutboxEntry) -> Result<Envelope, Error> {
    let bad = |what: &str, value: &str| {
        Error::Content(vec![
            Diagnostic::error(format!("the outbox's {what} `{value}` is not an address"))
                .in_file(OUTBOX)
                .with_hint("build the drafts again"),
        ])
    };
    let from: lettre::message::Mailbox =
        entry.from.parse().map_err(|_| bad("sender", &entry.from))?;
    let to: Address = entry
        .recipient
        .parse()
        .map_err(|_| bad("recipient", &entry.recipient))?;
    Envelope::new(Some(from.email), vec![to]).map_err(|_| bad("recipient", &entry.recipient))
}

fn transport(server: &Server) -> Result<SmtpTransport, Error> {
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
        .timeout(Some(Duration::from_secs(60)));
    if let Some((user, password)) = &server.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Replies about the session rather than the message: the server is
/// closing (421), TLS is unavailable (454), or the login is needed or
/// wrong (530, 534, 535, 538). Sending the rest would fail the same way.
fn ends_session(code: lettre::transport::smtp::response::Code) -> bool {
    matches!(
        code.to_string().parse::<u16>(),
        Ok(421 | 454 | 530 | 534 | 535 | 538)
    )
}

fn connection_error(server: &Server, e: &lettre::transport::smtp::Error, sent: usize) -> Error {
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

fn finish(bar: &Option<ProgressBar>) {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// Non-empty lines with their byte offsets.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').filter_map(move |raw| {
        let at = start;
        start += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        (!line.trim().is_empty()).then_some((at, line))
    })
}

fn span(name: &str, text: &Arc<str>, start: usize, len: usize) -> Span {
    Span {
        file: name.to_string(),
        text: text.clone(),
        range: start..(start + len.max(1)).min(text.len()),
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn now_rfc2822() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}

/// The header block: everything before the first empty line.
fn header_block(message: &[u8]) -> &[u8] {
    let end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |i| i + 2);
    &message[..end]
}

/// The first top-level header named `name` (any case), unfolded.
pub fn header(message: &[u8], name: &str) -> Option<String> {
    let block = std::str::from_utf8(header_block(message)).ok()?;
    let mut value: Option<String> = None;
    for line in block.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push_str(line);
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((key, rest)) = line.split_once(':')
            && key.eq_ignore_ascii_case(name)
        {
            value = Some(rest.to_string());
        }
    }
    value.map(|v| v.trim().to_string())
}

/// The message with its top-level Date header replaced by `date`.
pub fn with_date(message: &[u8], date: &str) -> Option<Vec<u8>> {
    let block = header_block(message);
    let mut start = 0;
    while start < block.len() {
        let end = block[start..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(block.len(), |i| start + i + 2);
        if block[start..end].len() > 5 && block[start..start + 5].eq_ignore_ascii_case(b"date:") {
            // The header ends where the next line does not continue it.
            let mut stop = end;
            while stop < block.len() && matches!(block[stop], b' ' | b'\t') {
                stop = block[stop..]
                    .windows(2)
                    .position(|w| w == b"\r\n")
                    .map_or(block.len(), |i| stop + i + 2);
            }
            let mut out = message[..start].to_vec();
            out.extend_from_slice(format!("Date: {date}\r\n").as_bytes());
            out.extend_from_slice(&message[stop..]);
            return Some(out);
        }
        start = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"From: a@b.example\r\nDate: Tue, 1 Dec 2026\r\n 00:00:00 +0000\r\nMessage-ID:\r\n <x@y>\r\n\r\nDate: body\r\n";

    #[test]
    fn reads_folded_top_level_headers() {
        assert_eq!(header(MESSAGE, "message-id").as_deref(), Some("<x@y>"));
        assert_eq!(header(MESSAGE, "to"), None);
    }

    #[test]
    fn replaces_only_the_top_level_date() {
        let out = with_date(MESSAGE, "Wed, 2 Dec 2026 10:00:00 +0000").unwrap();
        assert_eq!(
            out,
            b"From: a@b.example\r\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\nMessage-ID:\r\n <x@y>\r\n\r\nDate: body\r\n"
        );
    }

    #[test]
    fn lines_keep_their_offsets() {
        let got: Vec<_> = lines("a\n\n  \nbc\r\nd").collect();
        assert_eq!(got, vec![(0, "a"), (6, "bc"), (10, "d")]);
    }
}
