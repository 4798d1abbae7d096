//! Nobody is emailed twice, whatever changes between two runs: the send log
//! knows a message by its content, campaign and recipient, not by its
//! sender's domain, its text or its file name. And `send` exits 1 whenever
//! a listed message is refused, deferred or unknown.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

const PEOPLE: &str = "tests/fixtures/email/people.csv";
const SECRET: &str = "test secret for unsubscribe tokens";

fn build(out: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .env("HANDOUT_UNSUBSCRIBE_SECRET", SECRET)
        .args(["build", SEED, "--eml", "-q", "--transactional", "-o"])
        .arg(out)
        .args(extra);
    if !extra.contains(&"--recipients") {
        cmd.args(["--recipients", PEOPLE]);
    }
    cmd.output().unwrap()
}

fn status(out: &Path) -> (String, Option<i32>) {
    let o = handout(&[&"send", &out, &"--status"]);
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.code(),
    )
}

#[test]
fn a_new_sender_domain_or_any_rebuilt_text_emails_nobody_twice() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let server = SmtpServer::start(&[], None);
    assert_ok(&build(&out, &["--from", "adm@northfield.example"]));
    assert_ok(&server.send(&out, &["--limit", "2"]));
    assert_eq!(server.received().len(), 2);

    // The school moves to its DKIM subdomain: only the third person is sent.
    assert_ok(&build(&out, &["--from", "adm@mail.northfield.example"]));
    assert!(
        status(&out).0.contains(": 2 sent, 1 pending"),
        "{:?}",
        status(&out)
    );
    assert_ok(&server.send(&out, &[]));
    assert_eq!(server.received().len(), 3);
    assert_eq!(
        status(&out),
        (
            format!(
                "{}: 3 sent, 0 pending, 0 refused, 0 deferred, 0 unknown, 0 suppressed\n",
                out.display()
            ),
            Some(0)
        )
    );

    // Every other option that rebuilds the same messages.
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "Hello {name}, here is your handout.\n").unwrap();
    let html = dir.path().join("body.html");
    std::fs::write(&html, "<p>Hello {name}</p>\n{thumbnail}\n").unwrap();
    let html = html.to_str().unwrap();
    let renamed = dir.path().join("renamed.csv");
    let people = std::fs::read_to_string(root().join(PEOPLE)).unwrap();
    std::fs::write(&renamed, people.replace("Ana Lima", "Ana Lima Souza")).unwrap();
    let body = body.to_str().unwrap();
    let renamed = renamed.to_str().unwrap();
    let from = "adm@mail.northfield.example";
    let changes: [&[&str]; 6] = [
        &[
            "--from",
            "Northfield Admissions <ADM@Mail.Northfield.Example>",
        ],
        &[
            "--from",
            from,
            "--subject",
            "Your handout from {organisation}",
        ],
        &["--from", from, "--body", body],
        &["--from", from, "--html-body", html],
        &[
            "--from",
            from,
            "--unsubscribe",
            "https://northfield.example/u?e={email}&t={unsubscribe_token}",
            "--unsubscribe-mailto",
            "unsubscribe@northfield.example",
        ],
        &["--from", from, "--recipients", renamed],
    ];
    for change in changes {
        let o = build(&out, change);
        assert_ok(&o);
        let o = server.send(&out, &[]);
        assert_ok(&o);
        assert_stderr_has(&o, "sent 0, refused 0, 3 already sent before");
        assert_eq!(server.received().len(), 3, "a second copy after {change:?}");
    }

    // A new campaign is new messages.
    assert_ok(&build(&out, &["--from", from, "--campaign", "autumn"]));
    assert_ok(&server.send(&out, &[]));
    assert_eq!(server.received().len(), 6);
}

/// A log written by the version before this rule: Message-IDs on the old
/// sender's domain, and file names that have changed since.
#[test]
fn a_log_written_by_an_earlier_version_still_matches() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&build(&out, &["--from", "adm@mail.northfield.example"]));
    std::fs::copy(fixture("email/sent-by-0.1.jsonl"), out.join("sent.jsonl")).unwrap();
    let (shown, code) = status(&out);
    assert!(shown.contains(": 2 sent, 1 pending"), "{shown}");
    assert_eq!(code, Some(0));
    let server = SmtpServer::start(&[], None);
    assert_ok(&server.send(&out, &[]));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["zoe@example.org"]);
}

#[test]
fn send_and_status_exit_1_while_a_message_is_refused_deferred_or_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&build(&out, &["--from", "adm@northfield.example"]));

    // Left for later on purpose: exit 0, for send and for status.
    let server = SmtpServer::start(&["jo@example.org"], None);
    let o = server.send(&out, &["--limit", "1"]);
    assert_ok(&o);
    assert_eq!(status(&out).1, Some(0));

    // Refused now, then refused before: exit 1 both times, and for status.
    let o = server.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = server.send(&out, &["-q"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 refused before (not tried again; --retry-refused)");
    assert_stderr_has(&o, "1 of 3 messages was not delivered");
    assert_eq!(status(&out).1, Some(1));

    // Unknown: a connection dropped after the data.
    let (_d, out) = {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        assert_ok(&build(&out, &["--from", "adm@northfield.example"]));
        (d, out)
    };
    let dropping = SmtpServer::dropping_after_data("jo@example.org");
    assert_ne!(dropping.send(&out, &[]).status.code(), Some(0));
    let o = dropping.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 unknown (may have arrived; not sent again)");
    assert_eq!(status(&out).1, Some(1));
}

/// Domains go out in IDNA form everywhere; a non-ASCII local part needs
/// `--smtputf8` at build and a server that offers SMTPUTF8 at send.
#[test]
fn international_addresses_go_out_in_idna_form_and_need_smtputf8_for_their_local_part() {
    use hmac::{Hmac, Mac};
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "name,email\nÜser,ÜSER@Exämple.org\nAna,ana@Exämple.org\n",
    )
    .unwrap();
    let people = people.to_str().unwrap();
    let out = dir.path().join("out");
    let from = "Admissions@École.Example";
    let unsubscribe = "https://northfield.example/u?e={email}&t={unsubscribe_token}";
    let base = [
        "--recipients",
        people,
        "--from",
        from,
        "--unsubscribe",
        unsubscribe,
    ];

    let o = build(&out, &base);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "people.csv:2:");
    assert_stderr_has(&o, "give --smtputf8");
    assert!(!out.join("outbox.jsonl").exists());

    let mut args = base.to_vec();
    args.push("--smtputf8");
    assert_ok(&build(&out, &args));

    // A server without SMTPUTF8: Ana's message goes, Üser's is deferred.
    let plain = SmtpServer::start(&[], None);
    let o = plain.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "does not offer SMTPUTF8");
    let received = plain.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["ana@xn--exmple-cua.org"]);
    let text = String::from_utf8(received[0].bytes.clone()).unwrap();
    assert!(text.is_ascii());
    let header = |name: &str| {
        text.lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        header("from").contains("Admissions@xn--cole-9oa.example"),
        "{}",
        header("from")
    );
    assert!(
        header("to").contains("ana@xn--exmple-cua.org"),
        "{}",
        header("to")
    );
    // The token is the one earlier versions made for the address as typed.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update("ana@exämple.org".as_bytes());
    let token: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(text.contains(&token), "the old token for a Unicode domain");
    let log = std::fs::read_to_string(out.join("sent.jsonl")).unwrap();
    assert!(log.contains("\"status\":\"deferred\""), "{log}");

    // A server with SMTPUTF8 takes Üser's, and nobody gets two.
    let utf8 = SmtpServer::with_smtputf8();
    assert_ok(&utf8.send(&out, &[]));
    let received = utf8.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["ÜSER@xn--exmple-cua.org"]);
}
