//! DKIM: messages signed as they are sent, checked by dkimpy on what a real
//! SMTP server received, with the public key of a key pair made here.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;

const PEOPLE: &str = "tests/fixtures/email/people.csv";
const FROM: &str = "Northfield Admissions <admissions@northfield.example>";

fn handout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(root())
        .env(
            "HANDOUT_UNSUBSCRIBE_SECRET",
            "test secret for unsubscribe tokens",
        )
        .args(args)
        .output()
        .unwrap()
}

/// Drafts with one-click unsubscribe, in `dir/out`.
fn drafts(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("out");
    assert_ok(&handout(&[
        "build",
        SEED,
        "--recipients",
        PEOPLE,
        "--eml",
        "--from",
        FROM,
        "--unsubscribe",
        "https://northfield.example/unsubscribe?t={unsubscribe_token}",
        "--unsubscribe-mailto",
        "unsubscribe@northfield.example",
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]));
    out
}

/// A private key PEM and the `p=` of its DNS record.
fn rsa_key() -> (String, String) {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let public = key.to_public_key().to_public_key_der().unwrap();
    let pem = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
    (pem.to_string(), STANDARD.encode(public.as_bytes()))
}

/// Sends signed drafts and has dkimpy check every message received, then
/// one with its Subject changed.
fn signed_messages_verify(key: (String, String), kind: &str, extra: &[&str], name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = drafts(dir.path());
    let key_file = dir.path().join("dkim.pem");
    std::fs::write(&key_file, &key.0).unwrap();
    let server = SmtpServer::start(&[], None);
    let mut args = vec![
        "--dkim-key",
        key_file.to_str().unwrap(),
        "--dkim-selector",
        "handout2026",
    ];
    args.extend(extra);
    assert_ok(&server.send(&out, &args));
    let received: Vec<_> = std::fs::read_dir(server.maildir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(received.len(), 3);
    let record = format!("v=DKIM1; k={kind}; p={}", key.1);
    for verdict in dkim_verify(name, &record, &received) {
        assert_eq!(verdict["ok"], true, "{verdict}");
        assert_eq!(
            verdict["asked"][0].as_str().unwrap().trim_end_matches('.'),
            name
        );
    }
    let message = std::fs::read_to_string(&received[0]).unwrap();
    let signature = message
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .replace("\r\n\t", " ");
    let h = signature
        .split("; ")
        .find_map(|t| t.strip_prefix("h="))
        .unwrap();
    for header in [
        "from",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ] {
        assert!(h.split(':').any(|n| n == header), "h={h} lacks {header}");
    }
    // The verifier says no when it should: a changed Subject fails.
    let tampered = dir.path().join("tampered.eml");
    std::fs::write(&tampered, message.replacen("Subject: ", "Subject: Re: ", 1)).unwrap();
    assert_eq!(dkim_verify(name, &record, &[tampered])[0]["ok"], false);
}

#[test]
fn rsa_signatures_verify_with_the_from_domain() {
    signed_messages_verify(
        rsa_key(),
        "rsa",
        &[],
        "handout2026._domainkey.northfield.example",
    );
}

#[test]
fn ed25519_signatures_verify_with_a_given_domain() {
    signed_messages_verify(
        ed25519_key(),
        "ed25519",
        &["--dkim-domain", "mail.northfield.example"],
        "handout2026._domainkey.mail.northfield.example",
    );
}

#[test]
fn a_key_that_does_not_parse_stops_before_the_first_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = drafts(dir.path());
    let key_file = dir.path().join("dkim.pem");
    std::fs::write(
        &key_file,
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA not a pem key\n",
    )
    .unwrap();
    let server = SmtpServer::start(&[], None);
    let o = server.send(
        &out,
        &[
            "--dkim-key",
            key_file.to_str().unwrap(),
            "--dkim-selector",
            "s1",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("the DKIM key does not parse"), "{err}");
    assert!(err.contains("dkim.pem"), "{err}");
    assert!(err.contains("openssl genrsa"), "{err}");
    assert!(server.received().is_empty());
    assert!(
        !out.join("sent.jsonl").exists()
            || std::fs::read_to_string(out.join("sent.jsonl"))
                .unwrap()
                .is_empty()
    );
}
