//! Reading and editing the headers of a draft as it is sent.

use std::path::Path;

use super::SendOptions;
use crate::diag::Diagnostic;
use crate::email::{OUTBOX, OutboxEntry};
use crate::error::Error;

fn now_rfc2822() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}

/// The header block: everything before the first empty line, whether the
/// draft's lines end in CRLF or, after an editor saved it, in LF.
pub(super) fn header_block(message: &[u8]) -> &[u8] {
    let mut start = 0;
    while start < message.len() {
        let end = message[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(message.len(), |i| start + i + 1);
        let line = &message[start..end];
        if line == b"\r\n" || line == b"\n" {
            return &message[..start];
        }
        start = end;
    }
    message
}

/// The lines of a header block without their line ends, each with where it
/// starts and where the next one does.
pub(super) fn header_lines(block: &[u8]) -> impl Iterator<Item = (usize, usize, &[u8])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= block.len() {
            return None;
        }
        let end = block[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(block.len(), |i| start + i + 1);
        let mut line = &block[start..end];
        while let [rest @ .., b'\n' | b'\r'] = line {
            line = rest;
        }
        let item = (start, end, line);
        start = end;
        Some(item)
    })
}

/// The first top-level header named `name` (any case), unfolded.
pub fn header(message: &[u8], name: &str) -> Option<String> {
    let block = header_block(message);
    let mut value: Option<String> = None;
    for (_, _, line) in header_lines(block) {
        // A line that is not UTF-8 (found by fuzzing) must not hide the
        // headers after it.
        let line = String::from_utf8_lossy(line);
        let line = line.as_ref();
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

/// The message with its top-level Date header replaced by `date`; none
/// when it has no Date.
pub fn with_date(message: &[u8], date: &str) -> Option<Vec<u8>> {
    header(message, "date")?;
    Some(set_header(message, "date", Some(date)))
}

/// The message with its first top-level header `name` (any case) replaced
/// by `value`, or removed with `None`; a header it lacks is added last.
pub(super) fn set_header(message: &[u8], name: &str, value: Option<&str>) -> Vec<u8> {
    let block = header_block(message);
    let prefix = format!("{name}:");
    let line = |v: &str| format!("{}: {v}\r\n", canonical(name));
    let mut lines = header_lines(block).peekable();
    while let Some((start, _, text)) = lines.next() {
        if text.len() > prefix.len() - 1
            && text[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        {
            // The header ends where the next line does not continue it.
            let mut stop = block.len();
            while let Some(&(next, _, text)) = lines.peek() {
                if !text.starts_with(b" ") && !text.starts_with(b"\t") {
                    stop = next;
                    break;
                }
                lines.next();
            }
            let mut out = message[..start].to_vec();
            if let Some(v) = value {
                out.extend_from_slice(line(v).as_bytes());
            }
            out.extend_from_slice(&message[stop..]);
            return out;
        }
    }
    let Some(v) = value else {
        return message.to_vec();
    };
    let mut out = block.to_vec();
    out.extend_from_slice(line(v).as_bytes());
    out.extend_from_slice(&message[block.len()..]);
    out
}

/// `message-id` as `Message-ID`, `list-unsubscribe` as `List-Unsubscribe`.
fn canonical(name: &str) -> String {
    if name.eq_ignore_ascii_case("message-id") {
        return "Message-ID".into();
    }
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The message with every bare LF made CRLF, as SMTP wants: an editor may
/// have saved the draft with LF line endings.
pub fn with_crlf(message: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let bare = message
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || message[i - 1] != b'\r'));
    if !bare {
        return std::borrow::Cow::Borrowed(message);
    }
    let mut out = Vec::with_capacity(message.len() + message.len() / 40);
    for (i, &b) in message.iter().enumerate() {
        if b == b'\n' && (i == 0 || message[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    std::borrow::Cow::Owned(out)
}

/// The draft's bytes, once its Message-ID is the one the outbox lists.
pub(super) fn read_draft(dir: &Path, entry: &OutboxEntry) -> Result<Vec<u8>, Diagnostic> {
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
        Diagnostic::error(format!(
            "cannot read the draft: {}",
            crate::diag::io_reason(&e, "file")
        ))
        .in_file(path.display().to_string())
        .with_hint("build the drafts again, or remove it from the outbox")
    })?;
    if let Some(sealed) = &entry.sha256 {
        use sha2::{Digest, Sha256};
        if &format!("{:x}", Sha256::digest(&bytes)) != sealed {
            return Err(Diagnostic::error(format!(
                "the draft was changed after the build: {}",
                entry.file
            ))
            .in_file(path.display().to_string())
            .with_hint(
                "what goes out is what the build made and you reviewed: change the content, --subject, --body or the recipients file, and build again",
            ));
        }
    }
    // The envelope goes to the outbox's address whatever the draft says;
    // a `To:` edited to someone else would be sent to the wrong person.
    let to = header(&bytes, "to").unwrap_or_default();
    if !to.to_lowercase().contains(&entry.recipient.to_lowercase()) {
        return Err(Diagnostic::error(format!(
            "the draft is addressed to `{to}`, but the outbox sends it to {}",
            entry.recipient
        ))
        .in_file(path.display().to_string())
        .with_hint(
            "the recipients file decides who gets a draft: change it there and build again, or restore the `To:` line",
        ));
    }
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

/// The bytes that go out for `entry`: the draft as built, dated now, with
/// CRLF line ends, and signed.
pub(super) fn prepare(opts: &SendOptions, entry: &OutboxEntry) -> Result<Vec<u8>, Error> {
    let bytes = read_draft(&opts.dir, entry).map_err(|d| Error::Content(vec![d]))?;
    let message = with_date(&bytes, &now_rfc2822()).unwrap_or(bytes);
    let message = with_crlf(&message).into_owned();
    Ok(match &opts.dkim {
        Some(dkim) => dkim.sign(&message, time::OffsetDateTime::now_utc().unix_timestamp()),
        None => message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::send::log::lines;

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
    fn reads_and_edits_a_draft_saved_with_lf() {
        let lf = b"From: a@b.example\nDate: Tue, 1 Dec 2026\n 00:00:00 +0000\nMessage-ID:\n <x@y>\n\nDate: body\n";
        assert_eq!(header(lf, "message-id").as_deref(), Some("<x@y>"));
        let out = with_date(lf, "Wed, 2 Dec 2026 10:00:00 +0000").unwrap();
        assert_eq!(
            out,
            b"From: a@b.example\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\nMessage-ID:\n <x@y>\n\nDate: body\n"
        );
        assert_eq!(
            &*with_crlf(&out),
            b"From: a@b.example\r\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\nMessage-ID:\r\n <x@y>\r\n\r\nDate: body\r\n"
        );
        assert!(matches!(with_crlf(MESSAGE), std::borrow::Cow::Borrowed(_)));
    }

    /// Found by fuzzing: a header line that is not UTF-8 hid the ones after
    /// it, so a replaced Date could not be read back.
    #[test]
    fn a_line_that_is_not_utf8_hides_no_header() {
        let draft = b"From: a@b.example\r\nTo: <x@y>\xc1\xc1\r\nDate: Tue, 1 Dec 2026\r\nMessage-ID: <x@y>\r\n\r\nbody";
        assert_eq!(header(draft, "message-id").as_deref(), Some("<x@y>"));
        let dated = with_date(draft, "Wed, 2 Dec 2026 10:00:00 +0000").unwrap();
        assert_eq!(
            header(&dated, "date").as_deref(),
            Some("Wed, 2 Dec 2026 10:00:00 +0000")
        );
    }

    #[test]
    fn lines_keep_their_offsets() {
        let got: Vec<_> = lines("a\n\n  \nbc\r\nd").collect();
        assert_eq!(got, vec![(0, "a"), (6, "bc"), (10, "d")]);
    }
}
