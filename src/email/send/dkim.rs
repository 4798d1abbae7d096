//! DKIM signatures (RFC 6376, relaxed/relaxed) over a draft's raw bytes.
//!
//! `send` changes a draft's Date as it sends it, so it signs the bytes that
//! go out, not a message it builds: lettre signs only messages it built, and
//! the DKIM crates that sign raw bytes bring a DNS resolver and an async
//! runtime. Signing needs only the two canonical forms below.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::message::{header_block, header_lines};
use crate::diag::Diagnostic;

/// The headers signed when the message has them: the ones the issue's
/// readers see and the ones mailbox providers check for bulk mail.
const SIGNED: [&str; 11] = [
    "from",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "list-unsubscribe",
    "list-unsubscribe-post",
];

enum Key {
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A signer made from `--dkim-key`, `--dkim-selector` and `--dkim-domain`.
pub struct Dkim {
    key: Key,
    selector: String,
    /// `d=`; the domain of each message's From when not given.
    domain: Option<String>,
}

impl Dkim {
    /// Reads a PEM private key: RSA (PKCS #1 or #8) or Ed25519 (PKCS #8).
    pub fn load(path: &Path, selector: &str, domain: Option<&str>) -> Result<Self, Diagnostic> {
        let fail = |what: String, hint: &str| {
            Diagnostic::error(what)
                .in_file(path.display().to_string())
                .with_hint(hint.to_string())
        };
        let pem = std::fs::read_to_string(path).map_err(|e| {
            fail(
                format!(
                    "cannot read the DKIM key: {}",
                    crate::diag::io_reason(&e, "file")
                ),
                "give --dkim-key the PEM file of the private key",
            )
        })?;
        let key = parse_key(&pem).map_err(|why| {
            fail(
                format!("the DKIM key does not parse: {why}"),
                "give a PEM private key: RSA (`openssl genrsa -out dkim.pem 2048`) or Ed25519 (`openssl genpkey -algorithm ed25519 -out dkim.pem`)",
            )
        })?;
        let label = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|l| {
                    !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        };
        if !label(selector) {
            return Err(
                Diagnostic::error(format!("`{selector}` is not a DKIM selector")).with_hint(
                    "the selector is the DNS label before `._domainkey`, such as `handout2026`",
                ),
            );
        }
        let domain = domain.map(ascii_domain).transpose().map_err(|d| {
            Diagnostic::error(format!("`{d}` is not a domain")).with_hint(
                "give --dkim-domain the domain that publishes the key, such as `school.example`",
            )
        })?;
        Ok(Self {
            key,
            selector: selector.to_string(),
            domain,
        })
    }

    /// The message with a `DKIM-Signature` header in front, signed at
    /// `now` (Unix seconds). The message's lines end in CRLF.
    pub fn sign(&self, message: &[u8], now: i64) -> Vec<u8> {
        let block = header_block(message);
        let body = message.get(block.len() + 2..).unwrap_or_default();
        let fields = fields(block);
        let domain = match &self.domain {
            Some(d) => d.clone(),
            None => from_domain(&fields).unwrap_or_default(),
        };
        // Each name once per occurrence, taken from the bottom up as a
        // verifier does.
        let mut names = Vec::new();
        let mut data = Vec::new();
        for name in SIGNED {
            for (_, raw) in fields.iter().rev().filter(|(n, _)| n == name) {
                names.push(name);
                data.extend_from_slice(&relaxed_header(raw));
            }
        }
        let algorithm = match self.key {
            Key::Rsa(_) => "rsa-sha256",
            Key::Ed25519(_) => "ed25519-sha256",
        };
        let body_hash = STANDARD.encode(Sha256::digest(relaxed_body(body)));
        let unsigned = format!(
            "DKIM-Signature: v=1; a={algorithm}; c=relaxed/relaxed; d={domain}; s={};\r\n\tt={now}; h={};\r\n\tbh={body_hash};\r\n\tb=",
            self.selector,
            names.join(":")
        );
        let mut canonical = relaxed_header(unsigned.as_bytes());
        canonical.truncate(canonical.len() - 2);
        data.extend_from_slice(&canonical);
        let signature = match &self.key {
            Key::Rsa(key) => {
                use rsa::signature::{SignatureEncoding, Signer};
                key.sign(&data).to_vec()
            }
            Key::Ed25519(key) => {
                use ed25519_dalek::Signer;
                key.sign(&Sha256::digest(&data)).to_vec()
            }
        };
        let b = STANDARD.encode(signature);
        let folded: Vec<&str> = b
            .as_bytes()
            .chunks(72)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        let mut out = Vec::with_capacity(message.len() + unsigned.len() + b.len() + 16);
        out.extend_from_slice(unsigned.as_bytes());
        out.extend_from_slice(folded.join("\r\n\t").as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(message);
        out
    }
}

fn parse_key(pem: &str) -> Result<Key, String> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let rsa = if pem.contains("BEGIN RSA PRIVATE KEY") {
        rsa::RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| e.to_string())?
    } else if pem.contains("BEGIN PRIVATE KEY") {
        match rsa::RsaPrivateKey::from_pkcs8_pem(pem) {
            Ok(key) => key,
            Err(_) => {
                return ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
                    .map(|k| Key::Ed25519(Box::new(k)))
                    .map_err(|_| "it is neither an RSA nor an Ed25519 key".to_string());
            }
        }
    } else {
        return Err("it is not a PEM private key (no `BEGIN PRIVATE KEY` line)".into());
    };
    let bits = rsa.size() * 8;
    if bits < 1024 {
        return Err(format!(
            "an RSA key of {bits} bits is too short; verifiers ignore keys under 1024 bits"
        ));
    }
    Ok(Key::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(rsa))))
}

/// A domain in the ASCII form DNS publishes it in.
fn ascii_domain(domain: &str) -> Result<String, String> {
    match url::Host::parse(domain.trim()) {
        Ok(url::Host::Domain(d)) if d.contains('.') => Ok(d),
        _ => Err(domain.to_string()),
    }
}

/// The domain of the From address.
fn from_domain(fields: &[(String, &[u8])]) -> Option<String> {
    let (_, raw) = fields.iter().find(|(n, _)| n == "from")?;
    let text = String::from_utf8_lossy(raw);
    let address = text.rsplit('<').next()?.split('>').next()?;
    let (_, domain) = address.rsplit_once('@')?;
    ascii_domain(domain).ok()
}

/// The header fields, each as its lower-cased name and its raw lines
/// (continuations included, the last line end not).
fn fields(block: &[u8]) -> Vec<(String, &[u8])> {
    let mut out: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    for (start, _, line) in header_lines(block) {
        let end = start + line.len();
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            if let Some((_, range)) = out.last_mut() {
                range.end = end;
            }
            continue;
        }
        let name = line.split(|&b| b == b':').next().unwrap_or_default();
        out.push((
            String::from_utf8_lossy(name).trim().to_ascii_lowercase(),
            start..end,
        ));
    }
    out.into_iter()
        .map(|(name, range)| (name, &block[range]))
        .collect()
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `name:value` with the name lower-cased, the lines unfolded, each run of
/// spaces and tabs one space, none at either end of the value; ends in CRLF.
fn relaxed_header(raw: &[u8]) -> Vec<u8> {
    let colon = raw.iter().position(|&b| b == b':').unwrap_or(raw.len());
    let mut out: Vec<u8> = raw[..colon]
        .iter()
        .filter(|&&b| !is_wsp(b))
        .map(u8::to_ascii_lowercase)
        .collect();
    out.push(b':');
    let (mut space, mut started) = (false, false);
    for &b in raw.get(colon + 1..).unwrap_or_default() {
        match b {
            b'\r' | b'\n' => {}
            b' ' | b'\t' => space = true,
            _ => {
                if space && started {
                    out.push(b' ');
                }
                (space, started) = (false, true);
                out.push(b);
            }
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Each line with its runs of spaces and tabs made one space and none at
/// its end, and no empty lines at the end of the body.
fn relaxed_body(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut empty_lines = 0;
    let mut lines = body.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if lines.peek().is_none() && line.is_empty() {
            break;
        }
        let mut text = Vec::with_capacity(line.len());
        let mut space = false;
        for &b in line {
            if is_wsp(b) {
                space = true;
            } else {
                if space {
                    text.push(b' ');
                }
                space = false;
                text.push(b);
            }
        }
        if text.is_empty() {
            empty_lines += 1;
            continue;
        }
        for _ in 0..empty_lines {
            out.extend_from_slice(b"\r\n");
        }
        empty_lines = 0;
        out.extend_from_slice(&text);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6376, section 3.4.5's example.
    #[test]
    fn canonical_forms_follow_the_rfc_example() {
        assert_eq!(relaxed_header(b"A: X"), b"a:X\r\n");
        assert_eq!(relaxed_header(b"Subject: a: b"), b"subject:a: b\r\n");
        assert_eq!(relaxed_header(b"B : Y\t\r\n\tZ  "), b"b:Y Z\r\n");
        assert_eq!(relaxed_body(b" C \r\nD \t E\r\n\r\n\r\n"), b" C\r\nD E\r\n");
        assert_eq!(relaxed_body(b""), b"");
        assert_eq!(relaxed_body(b"\r\n\r\n"), b"");
        assert_eq!(relaxed_body(b"a\r\n\r\nb"), b"a\r\n\r\nb\r\n");
    }

    #[test]
    fn fields_keep_their_continuations() {
        let block = b"From: a@b.example\r\nSubject: one\r\n two\r\nTo: c@d.example";
        let got: Vec<_> = fields(block)
            .into_iter()
            .map(|(n, raw)| (n, String::from_utf8_lossy(raw).into_owned()))
            .collect();
        assert_eq!(got[1], ("subject".into(), "Subject: one\r\n two".into()));
        assert_eq!(from_domain(&fields(block)).as_deref(), Some("b.example"));
    }

    #[test]
    fn a_key_that_is_not_one_is_named() {
        assert!(
            parse_key("hello")
                .err()
                .unwrap()
                .contains("not a PEM private key")
        );
        assert!(
            parse_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err()
        );
        assert_eq!(
            ascii_domain("École.example").as_deref(),
            Ok("xn--cole-9oa.example")
        );
        assert!(ascii_domain("localhost").is_err());
    }
}
