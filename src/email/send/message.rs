//! Reading and editing the headers of a draft as it is sent.

pub(super) fn now_rfc2822() -> String {
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
    fn lines_keep_their_offsets() {
        let got: Vec<_> = lines("a\n\n  \nbc\r\nd").collect();
        assert_eq!(got, vec![(0, "a"), (6, "bc"), (10, "d")]);
    }
}
