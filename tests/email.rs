//! Email drafts and sending them: drafts are valid, reproducible MIME with
//! the PDF attached, and `handout send` delivers each one once to a real
//! SMTP server started on a free local port.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use mail_parser::{MessageParser, MimeHeaders};

const PEOPLE: &str = "tests/fixtures/email/people.csv";
const FROM: &str = "Northfield Admissions <admissions@northfield.example>";

fn drafts(out: &Path, recipients: &str, extra: &[&str]) -> Output {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"build",
        &SEED,
        &"--recipients",
        &recipients,
        &"--eml",
        &"--from",
        &FROM,
        &"-o",
        &out,
        &"-q",
    ];
    for e in extra {
        args.push(e);
    }
    handout(&args)
}

fn send(dir: &Path, server: &SmtpServer, extra: &[&str]) -> Output {
    let url = server.url();
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"send", &dir, &"--smtp", &url, &"--tls", &"none"];
    for e in extra {
        args.push(e);
    }
    handout(&args)
}

fn outbox(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("outbox.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn log(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("sent.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn emls(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    v.sort();
    v
}

/// The single PDF attachment of a message.
fn attachment(bytes: &[u8]) -> (String, Vec<u8>) {
    let m = MessageParser::default().parse(bytes).expect("valid MIME");
    let pdfs: Vec<_> = m
        .attachments()
        .filter(|a| a.content_type().is_some_and(|t| t.ctype() == "application"))
        .collect();
    assert_eq!(pdfs.len(), 1, "one PDF attached");
    (
        pdfs[0].attachment_name().unwrap().to_string(),
        pdfs[0].contents().to_vec(),
    )
}

#[test]
fn drafts_are_valid_mime_with_the_pdf_attached_and_page_one_inline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = drafts(
        &out,
        PEOPLE,
        &[
            "--event",
            "tests/fixtures/recipients/event.yaml",
            "--body",
            "tests/fixtures/email/body.txt",
        ],
    );
    assert_ok(&o);
    let entries = outbox(&out);
    assert_eq!(entries.len(), 3);
    for entry in &entries {
        let eml = out.join(entry["file"].as_str().unwrap());
        let bytes = std::fs::read(&eml).unwrap();
        let m = MessageParser::default().parse(&bytes[..]).unwrap();
        assert_eq!(
            m.message_id(),
            entry["message_id"]
                .as_str()
                .map(|s| s.trim_matches(['<', '>']))
        );
        let to: Vec<_> = m.to().unwrap().iter().collect();
        assert_eq!(to.len(), 1);
        assert_eq!(to[0].address(), entry["recipient"].as_str());
        assert_eq!(
            m.from().unwrap().first().unwrap().address(),
            Some("admissions@northfield.example")
        );
        // The content's `meta.updated`, not the clock.
        assert_eq!(m.date().unwrap().to_rfc3339(), "2026-05-12T00:00:00Z");
        assert_eq!(
            m.subject(),
            Some("AI Engineer vs ML Engineer: your personal handout")
        );
        let (name, pdf) = attachment(&bytes);
        assert_eq!(pdf, std::fs::read(out.join(&name)).unwrap(), "{name}");
        assert_eq!(eml.with_extension("pdf"), out.join(&name));
        // Page 1, inline, referenced from the HTML part.
        let html = m.body_html(0).unwrap();
        let inline = m
            .attachments()
            .find(|a| a.content_id().is_some())
            .expect("an inline picture");
        assert!(html.contains(&format!("cid:{}", inline.content_id().unwrap())));
        assert!(inline.contents().len() > 1000);
    }
    let ana = std::fs::read(out.join(entries[0]["file"].as_str().unwrap())).unwrap();
    let m = MessageParser::default().parse(&ana[..]).unwrap();
    let text = m.body_text(0).unwrap();
    for expected in [
        "Dear Ana Lima,",
        "at Open Day: AI careers on 5 December 2026.",
        "Your goal: I want to work on LLMs, RAG, agents, and modern AI systems.",
        "Company: Lima & Sons.",
        "{Braces stay} as written.",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    // Values are escaped in the HTML part; the text part keeps them as written.
    let jo = std::fs::read(out.join(entries[1]["file"].as_str().unwrap())).unwrap();
    let m = MessageParser::default().parse(&jo[..]).unwrap();
    assert!(m.body_text(0).unwrap().contains("Company: <b>Acme</b>."));
    let html = m.body_html(0).unwrap();
    assert!(html.contains("Company: &lt;b&gt;Acme&lt;/b&gt;."), "{html}");
    assert!(html.contains("Smith, Jo"));
}

#[test]
fn the_same_build_gives_the_same_drafts_and_ids_follow_the_campaign_not_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c, d) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
        dir.path().join("d"),
    );
    assert_ok(&drafts(&a, PEOPLE, &[]));
    assert_ok(&drafts(&b, PEOPLE, &[]));
    for (x, y) in emls(&a).iter().zip(emls(&b)) {
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(&y).unwrap(),
            "{x:?}"
        );
    }
    // Edited text keeps the Message-IDs; a new campaign changes them.
    let edited = dir.path().join("edited.yaml");
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    std::fs::write(
        &edited,
        seed.patched("AI Engineer vs ML Engineer", "AI vs ML, edited"),
    )
    .unwrap();
    let o = handout(&[
        &"build",
        &edited,
        &"--recipients",
        &PEOPLE,
        &"--eml",
        &"--from",
        &FROM,
        &"-o",
        &c,
        &"-q",
    ]);
    assert_ok(&o);
    assert_ok(&drafts(&d, PEOPLE, &["--campaign", "spring-2027"]));
    let ids = |dir: &Path| -> Vec<String> {
        outbox(dir)
            .iter()
            .map(|e| e["message_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&a), ids(&c));
    assert!(ids(&d).iter().all(|id| !ids(&a).contains(id)));
    assert!(outbox(&d).iter().all(|e| e["campaign"] == "spring-2027"));
}

#[test]
fn send_delivers_every_draft_once_with_its_pdf_and_a_rerun_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    // A stray draft that the outbox does not list is never sent.
    std::fs::copy(emls(&out)[0].clone(), out.join("stray.eml")).unwrap();
    let server = SmtpServer::start(&[], None);

    let dry = send(&out, &server, &["--dry-run"]);
    assert_ok(&dry);
    assert!(server.received().is_empty());
    assert_eq!(String::from_utf8_lossy(&dry.stdout).lines().count(), 3);

    let o = send(&out, &server, &[]);
    assert_ok(&o);
    let got = server.received();
    assert_eq!(got.len(), 3);
    for (entry, message) in outbox(&out).iter().zip(&got) {
        assert_eq!(message.to, vec![entry["recipient"].as_str().unwrap()]);
        let (name, pdf) = attachment(&message.bytes);
        assert_eq!(pdf, std::fs::read(out.join(name)).unwrap());
        let m = MessageParser::default().parse(&message.bytes[..]).unwrap();
        // Sent now, not on the content's date.
        assert!(m.date().unwrap().year >= 2026);
        assert_ne!(m.date().unwrap().to_rfc3339(), "2026-05-12T00:00:00Z");
    }
    let logged = log(&out);
    assert_eq!(logged.len(), 3);
    assert!(logged.iter().all(|e| e["status"] == "sent"));

    let again = send(&out, &server, &[]);
    assert_ok(&again);
    assert_eq!(server.received().len(), 3, "a rerun sends nothing");
    assert_stderr_has(&again, "sent 0, refused 0, 3 already sent before");
}

#[test]
fn a_refused_address_is_logged_and_the_others_are_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let server = SmtpServer::start(&["jo@example.org"], None);
    let o = send(&out, &server, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 of 3 messages was refused");
    let got: Vec<Vec<String>> = server.received().into_iter().map(|m| m.to).collect();
    assert_eq!(got, vec![vec!["ana@example.org"], vec!["zoe@example.org"]]);
    let refused: Vec<_> = log(&out)
        .into_iter()
        .filter(|e| e["status"] == "refused")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["recipient"], "jo@example.org");
    assert!(refused[0]["reply"].as_str().unwrap().contains("550"));
}

/// Starts `handout send` slowly, and waits until the log holds `lines`.
fn start_slow_send(dir: &Path, server: &SmtpServer, lines: usize) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handout"))
        .args(["send", "--tls", "none", "--rate", "20", "--smtp"])
        .arg(server.url())
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while log(dir).len() < lines {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "send never logged {lines} messages"
        );
        assert!(child.try_wait().unwrap().is_none(), "send ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn a_stopped_or_killed_run_resumes_without_sending_anyone_twice() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let server = SmtpServer::start(&[], None);

    // Ctrl-C between two messages: exit 130 with the log complete.
    let child = start_slow_send(&out, &server, 1);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert_stderr_has(&o, "the send log is complete");
    assert_eq!(log(&out).len(), 1);

    // Killed outright between two messages.
    let mut child = start_slow_send(&out, &server, 2);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(log(&out).len(), 2);

    assert_ok(&send(&out, &server, &[]));
    let mut to: Vec<String> = server.received().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    assert_eq!(to, ["ana@example.org", "jo@example.org", "zoe@example.org"]);
    let ids: std::collections::HashSet<_> = log(&out)
        .into_iter()
        .map(|e| e["message_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3);
}

#[test]
fn no_name_address_or_template_adds_a_header_or_a_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = drafts(
        &out,
        "tests/fixtures/email/hostile.yaml",
        &["--subject", "{company} for {name}"],
    );
    assert_ok(&o);
    let server = SmtpServer::start(&[], None);
    assert_ok(&send(&out, &server, &[]));
    let got = server.received();
    assert_eq!(got.len(), 2);
    for (message, address) in got
        .iter()
        .zip(["mallory@example.org", "quoted@example.org"])
    {
        assert_eq!(message.to, vec![address]);
        let m = MessageParser::default().parse(&message.bytes[..]).unwrap();
        let to: Vec<_> = m.to().unwrap().iter().collect();
        assert_eq!(to.len(), 1);
        assert_eq!(to[0].address(), Some(address));
        assert!(m.bcc().is_none() && m.cc().is_none());
        assert!(m.header_raw("X-Injected").is_none());
        let names: Vec<&str> = m.headers().iter().map(|h| h.name()).collect();
        assert_eq!(
            names
                .iter()
                .filter(|n| n.eq_ignore_ascii_case("to"))
                .count(),
            1,
            "{names:?}"
        );
        assert!(!m.subject().unwrap().contains(['\r', '\n']));
    }
    // The name is shown as written, not read as addresses.
    let m = MessageParser::default().parse(&got[0].bytes[..]).unwrap();
    assert_eq!(
        m.to().unwrap().first().unwrap().name(),
        Some("Mallory <mallory@evil.example>, victim@evil.example")
    );

    // A line break in the subject itself is refused.
    let o = drafts(
        &dir.path().join("x"),
        PEOPLE,
        &["--subject", "Hi\nBcc: a@evil.example"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "the subject holds a line break");
}

#[test]
fn rows_without_addresses_and_template_typos_are_reported_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "name,email\nAna,ana@example.org\nBo,\n").unwrap();
    let o = drafts(&dir.path().join("out"), people.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "people.csv:3:1");
    assert_stderr_has(&o, "Bo has no email address");

    let o = drafts(
        &dir.path().join("out"),
        PEOPLE,
        &[
            "--body",
            "tests/fixtures/email/typos.txt",
            "--subject",
            "{titel}",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for expected in [
        "--subject:1:1",
        "did you mean `{title}`?",
        "typos.txt:1:6",
        "did you mean `{name}`?",
        "typos.txt:3:12",
        "give --event FILE",
        "typos.txt:3:26",
        "in HTML bodies only",
    ] {
        assert!(err.contains(expected), "{expected}:\n{err}");
    }
    assert!(!dir.path().join("out").exists());

    // --eml needs --recipients and --from.
    let o = handout(&[&"build", &SEED, &"--eml", &"-o", &dir.path().join("y")]);
    assert_eq!(o.status.code(), Some(2));
}

/// A certificate authority and a certificate for `localhost` it signed,
/// as PEM files: (ca, cert, key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

#[test]
fn starttls_is_the_default_and_an_untrusted_certificate_stops_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let (ca, cert, key) = certificates(dir.path());
    let server = SmtpServer::start(&[], Some((&cert, &key)));
    let url = format!("smtp://localhost:{}", server.port);

    let o = handout(&[&"send", &out, &"--smtp", &url]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "cannot send through localhost");
    assert!(server.received().is_empty());
    assert!(log(&out).is_empty());

    let o = handout(&[&"send", &out, &"--smtp", &url, &"--ca-cert", &ca]);
    assert_ok(&o);
    assert_eq!(server.received().len(), 3);

    // A server without STARTTLS is not used unencrypted unless asked.
    let other = dir.path().join("other");
    assert_ok(&drafts(&other, PEOPLE, &[]));
    let plain = SmtpServer::start(&[], None);
    let o = handout(&[&"send", &other, &"--smtp", &plain.url()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "does not offer STARTTLS");
    assert!(plain.received().is_empty());
}

#[test]
fn the_login_comes_from_the_environment_and_a_wrong_one_stops_before_any_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let server = SmtpServer::with_login("admissions:s3cret-pw");
    let run = |user: &str, password: &str| {
        Command::new(env!("CARGO_BIN_EXE_handout"))
            .args(["send", "--tls", "none", "--smtp", &server.url()])
            .arg(&out)
            .env("HANDOUT_SMTP_USERNAME", user)
            .env("HANDOUT_SMTP_PASSWORD", password)
            .output()
            .unwrap()
    };
    let o = run("admissions", "wrong-pw");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "the server refused the login");
    assert!(!stderr(&o).contains("wrong-pw"));
    assert!(server.received().is_empty());
    assert!(log(&out).is_empty(), "a wrong login refuses no message");

    let o = run("admissions", "s3cret-pw");
    assert_ok(&o);
    assert!(!stderr(&o).contains("s3cret-pw"));
    assert_eq!(server.received().len(), 3);

    // Never unencrypted to another machine; never in the URL.
    let o = Command::new(env!("CARGO_BIN_EXE_handout"))
        .args([
            "send",
            "--tls",
            "none",
            "--smtp",
            "smtp://mail.example.org:25",
        ])
        .arg(&out)
        .env("HANDOUT_SMTP_USERNAME", "a")
        .env("HANDOUT_SMTP_PASSWORD", "b")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "refusing to send a password without encryption");
    let o = handout(&[&"send", &out, &"--smtp", &"smtp://a:b@mail.example.org"]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "must not hold a user name or password");
}

#[test]
fn an_html_template_places_page_one_and_escapes_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("body.html");
    std::fs::write(
        &html,
        "<p>Dear {name} of {company},</p>\n{thumbnail}\n<p>{{literal}}</p>\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let html_arg = html.to_str().unwrap();
    assert_ok(&drafts(&out, PEOPLE, &["--html-body", html_arg]));
    let jo = std::fs::read(out.join(outbox(&out)[1]["file"].as_str().unwrap())).unwrap();
    let m = MessageParser::default().parse(&jo[..]).unwrap();
    let body = m.body_html(0).unwrap();
    assert!(
        body.contains("<p>Dear Smith, Jo of &lt;b&gt;Acme&lt;/b&gt;,</p>"),
        "{body}"
    );
    assert!(body.contains("<img src=\"cid:page-1@handout\""), "{body}");
    assert!(body.contains("<p>{literal}</p>"));
    // The text part is still the built-in letter.
    assert!(m.body_text(0).unwrap().starts_with("Hello Smith, Jo,"));
}
