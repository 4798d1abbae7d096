//! A test message: one reviewed draft sent to a staff address before the
//! campaign. It is the draft as built, with `To:` the test address, the
//! subject marked, a Message-ID of its own, and unsubscribe links and
//! headers that unsubscribe nobody, so that a click in it cannot take the
//! real recipient off the list. It is logged in `test-sends.jsonl`, never
//! in the send log: a later send still sends the real one.

use std::io::Write;

use base64::Engine;
use mail_parser::{MessageParser, PartType};
use serde::Serialize;

use super::message::{header, read_draft, set_header, with_crlf};
use super::{SendOptions, deadline, log::now_rfc3339, smtp};
use crate::email::OutboxEntry;
use crate::error::Error;

/// Where test messages are logged, beside the send log.
pub const TEST_LOG: &str = "test-sends.jsonl";

/// What a test send did.
#[derive(Debug, Clone, Serialize)]
pub struct TestSent {
    pub time: String,
    pub file: String,
    pub to: String,
    pub message_id: String,
    /// The server's answer.
    pub reply: String,
}

/// Sends `entry`'s draft to `to` alone, as a test.
pub fn send_test(opts: &SendOptions, entry: &OutboxEntry, to: &str) -> Result<TestSent, Error> {
    let address: lettre::Address = crate::email::address::sendable(to).parse().map_err(|_| {
        Error::usage(
            format!("`{to}` is not an email address"),
            "give your own address, e.g. admissions@school.example",
        )
    })?;
    let draft = read_draft(&opts.dir, entry).map_err(|d| Error::Content(vec![d]))?;
    let mut nonce = [0u8; 8];
    getrandom::getrandom(&mut nonce)
        .map_err(|e| Error::system(format!("cannot make a Message-ID: {e}"), "try again"))?;
    let domain = entry
        .message_id
        .rsplit_once('@')
        .map_or("handout.invalid>", |(_, d)| d);
    let id = format!(
        "<test-{}@{domain}",
        nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let message = test_message(&draft, to, &id, &now_rfc2822());
    let message = match &opts.dkim {
        Some(dkim) => dkim.sign(&message, time::OffsetDateTime::now_utc().unix_timestamp()),
        None => message,
    };
    let mut test_entry = entry.clone();
    test_entry.recipient = address.to_string();
    let envelope = smtp::envelope(&test_entry)?;
    let server = opts.server.clone();
    let transport = deadline::within(server.timeout / 2, move || smtp::connect(&server))
        .unwrap_or_else(|| {
            Err(Error::system(
                "the mail server did not answer in time; nothing was sent",
                "a slow or stuck mail server; try again later",
            ))
        })?;
    let sent = deadline::within(opts.server.timeout, move || {
        lettre::Transport::send_raw(&transport, &envelope, &message)
    })
    .ok_or_else(|| {
        Error::system(
            "the mail server did not answer in time; the test message may have arrived",
            "look in the test inbox, then try again if it is not there",
        )
    })?;
    let reply = match sent {
        Ok(r) => format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")),
        Err(e) => {
            return Err(Error::system(
                format!("the mail server refused the test message: {e}"),
                "check the address and the server's settings",
            ));
        }
    };
    let done = TestSent {
        time: now_rfc3339(),
        file: entry.file.clone(),
        to: address.to_string(),
        message_id: id,
        reply,
    };
    log(opts, &done);
    Ok(done)
}

/// A test message cannot be lost by a log that cannot be written: it is
/// not in the send log either way.
fn log(opts: &SendOptions, done: &TestSent) {
    let Ok(line) = serde_json::to_string(done) else {
        return;
    };
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(opts.dir.join(TEST_LOG))
        .and_then(|mut f| f.write_all(format!("{line}\n").as_bytes()));
}

fn now_rfc2822() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}

/// The draft made a test message.
pub fn test_message(draft: &[u8], to: &str, id: &str, date: &str) -> Vec<u8> {
    let draft = with_crlf(draft).into_owned();
    let real = header(&draft, "list-unsubscribe").and_then(|h| {
        h.split(',')
            .map(|t| {
                t.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
            .find(|t| t.starts_with("http"))
    });
    let mut out = match &real {
        Some(url) => with_links(&draft, url, &nobody(url)),
        None => draft.clone(),
    };
    let subject = header(&draft, "subject").unwrap_or_default();
    out = set_header(&out, "to", Some(to));
    // Beside an encoded subject (`=?utf-8?…?=`) the mark stays readable.
    out = set_header(&out, "subject", Some(&format!("[Test] {subject}")));
    out = set_header(&out, "message-id", Some(id));
    out = set_header(&out, "date", Some(date));
    match &real {
        Some(url) => {
            out = set_header(
                &out,
                "list-unsubscribe",
                Some(&format!("<{}>", nobody(url))),
            );
        }
        None => {
            // A mailto alone unsubscribes whoever writes: no header at all.
            out = set_header(&out, "list-unsubscribe", None);
            out = set_header(&out, "list-unsubscribe-post", None);
        }
    }
    out
}

/// The link with every query value made `test`: it names no address and
/// holds no token.
fn nobody(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "https://unsubscribe.invalid/test".into();
    };
    let keys: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if keys.is_empty() {
        parsed.set_path("/");
        parsed.set_query(Some("test"));
    } else {
        parsed.query_pairs_mut().clear();
        for k in keys {
            parsed.query_pairs_mut().append_pair(&k, "test");
        }
    }
    parsed.set_fragment(None);
    parsed.to_string()
}

/// Every text part that holds `real` (as it is, or escaped for HTML),
/// written again with `test` in its place, in base64.
fn with_links(message: &[u8], real: &str, test: &str) -> Vec<u8> {
    let Some(parsed) = MessageParser::default().parse(message) else {
        return message.to_vec();
    };
    let forms = [
        (real.to_string(), test.to_string()),
        (
            html_escape::encode_double_quoted_attribute(real).into_owned(),
            html_escape::encode_double_quoted_attribute(test).into_owned(),
        ),
        (
            html_escape::encode_text(real).into_owned(),
            html_escape::encode_text(test).into_owned(),
        ),
    ];
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for part in &parsed.parts {
        let text = match &part.body {
            PartType::Text(t) | PartType::Html(t) => t,
            _ => continue,
        };
        if !forms.iter().any(|(r, _)| text.contains(r.as_str())) {
            continue;
        }
        let mut new = text.to_string();
        for (r, t) in &forms {
            new = new.replace(r.as_str(), t);
        }
        let (start, body) = (part.offset_header as usize, part.offset_body as usize);
        let end = part.offset_end as usize;
        let mut head: Vec<u8> = Vec::new();
        for line in split_header_lines(&message[start..body]) {
            if !line
                .to_ascii_lowercase()
                .starts_with(b"content-transfer-encoding:")
            {
                head.extend_from_slice(&line);
            }
        }
        head.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
        let encoded = base64::engine::general_purpose::STANDARD.encode(new.as_bytes());
        for chunk in encoded.as_bytes().chunks(76) {
            head.extend_from_slice(chunk);
            head.extend_from_slice(b"\r\n");
        }
        // The line end before the next boundary belongs to the boundary.
        let end = if message[..end].ends_with(b"\r\n") {
            end - 2
        } else {
            end
        };
        head.truncate(head.len() - 2);
        edits.push((start, end, head));
    }
    let mut out = message.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (start, end, bytes) in edits {
        out.splice(start..end, bytes);
    }
    out
}

/// A part's header lines, each with its folded continuations and line end,
/// without the empty line that ends them.
fn split_header_lines(block: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for raw in block.split_inclusive(|&b| b == b'\n') {
        if raw == b"\r\n" || raw == b"\n" {
            break;
        }
        match (raw.first(), lines.last_mut()) {
            (Some(b' ' | b'\t'), Some(last)) => last.extend_from_slice(raw),
            _ => lines.push(raw.to_vec()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_unsubscribe_nobody() {
        assert_eq!(
            nobody("https://school.example/u?e=jo%40x.org&t=abc"),
            "https://school.example/u?e=test&t=test"
        );
        assert_eq!(
            nobody("https://school.example/u/abc"),
            "https://school.example/?test"
        );
    }
}
