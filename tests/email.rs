//! Email drafts and sending them: drafts are valid, reproducible MIME with
//! the PDF attached, and `handout send` delivers each one once to a real
//! SMTP server started on a free local port.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

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

fn outbox(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("outbox.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The outcomes in the send log: every line but the `sending` line written
/// before each message goes out.
fn log(dir: &Path) -> Vec<serde_json::Value> {
    log_lines(dir)
        .into_iter()
        .filter(|e| e["status"] != "sending")
        .collect()
}

fn log_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("sent.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Each address of the outbox, with how many messages the server got for it.
fn deliveries(out: &Path, servers: &[&SmtpServer]) -> Vec<(String, usize)> {
    let got: Vec<String> = servers
        .iter()
        .flat_map(|s| s.received())
        .flat_map(|m| m.to)
        .collect();
    outbox(out)
        .iter()
        .map(|e| {
            let to = e["recipient"].as_str().unwrap().to_string();
            let n = got.iter().filter(|g| **g == to).count();
            (to, n)
        })
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

    let dry = server.send(&out, &["--dry-run"]);
    assert_ok(&dry);
    assert!(server.received().is_empty());
    assert_eq!(String::from_utf8_lossy(&dry.stdout).lines().count(), 3);

    let o = server.send(&out, &[]);
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

    let again = server.send(&out, &[]);
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
    let o = server.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 of 3 messages was not delivered");
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

    assert_ok(&server.send(&out, &[]));
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
    assert_ok(&server.send(&out, &[]));
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
    assert_stderr_has(
        &o,
        "refusing to send a password or token without encryption",
    );
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

/// The sender's domain typed in another case, or in a script of its own,
/// changes no Message-ID: a rebuild never makes `send` email anyone again,
/// and an IDN sender's drafts are not refused as edited.
#[test]
fn the_senders_domain_as_typed_never_causes_a_second_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let server = SmtpServer::start(&[], None);
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let first: Vec<_> = outbox(&out)
        .iter()
        .map(|e| e["message_id"].clone())
        .collect();
    assert_ok(&server.send(&out, &[]));
    let upper = "Northfield Admissions <admissions@NorthField.Example>";
    let o = handout(&[
        &"build",
        &SEED,
        &"--recipients",
        &PEOPLE,
        &"--eml",
        &"--from",
        &upper,
        &"-o",
        &out,
        &"-q",
    ]);
    assert_ok(&o);
    let again: Vec<_> = outbox(&out)
        .iter()
        .map(|e| e["message_id"].clone())
        .collect();
    assert_eq!(first, again);
    let o = server.send(&out, &[]);
    assert_ok(&o);
    assert_stderr_has(&o, "sent 0, refused 0, 3 already sent before");
    assert!(deliveries(&out, &[&server]).iter().all(|(_, n)| *n == 1));

    let idn = dir.path().join("idn");
    let o = handout(&[
        &"build",
        &SEED,
        &"--recipients",
        &PEOPLE,
        &"--eml",
        &"--from",
        &"admissions@école.example",
        &"-o",
        &idn,
        &"-q",
    ]);
    assert_ok(&o);
    let ids: Vec<String> = outbox(&idn)
        .iter()
        .map(|e| e["message_id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.is_ascii() && id.ends_with("@xn--cole-9oa.example>")),
        "{ids:?}"
    );
    let server = SmtpServer::start(&[], None);
    let o = server.send(&idn, &[]);
    assert_ok(&o);
    assert!(deliveries(&idn, &[&server]).iter().all(|(_, n)| *n == 1));
}

/// `handout send` under a file size limit: writes past `bytes` fail as on
/// a full disk.
fn send_with_log_limit(dir: &Path, server: &SmtpServer, bytes: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.args(["send", "--tls", "none", "--smtp"])
        .arg(server.url())
        .arg(dir);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().unwrap()
}

/// The disk fills while sending. Before a message goes out, it is logged as
/// `sending`; if that fails, nothing more is sent. If the line after the
/// server accepted fails, the error names the message that may have been
/// delivered, and the next run logs it as `unknown` and never sends it
/// again: every address gets one message, or is reported and gets at most
/// one.
#[test]
fn a_full_disk_never_sends_anyone_a_second_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    // The lengths of the log's lines, from a run on a copy with room.
    let copy = |name: &str| {
        let to = dir.path().join(name);
        std::fs::create_dir_all(&to).unwrap();
        for e in out_entries(&out) {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        to
    };
    let roomy = copy("roomy");
    let full = copy("full");
    let nothing = copy("nothing");
    assert_ok(&SmtpServer::start(&[], None).send(&roomy, &[]));
    let lengths: Vec<u64> = std::fs::read_to_string(roomy.join("sent.jsonl"))
        .unwrap()
        .split_inclusive('\n')
        .map(|l| l.len() as u64)
        .collect();
    assert_eq!(lengths.len(), 6, "sending and sent for each of 3 messages");

    // No room even for the first `sending` line: nothing is sent.
    let server = SmtpServer::start(&[], None);
    let o = send_with_log_limit(&nothing, &server, 1);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_stderr_has(&o, "cannot write the send log before sending");
    assert!(server.received().is_empty());

    // Room for the first message and the second one's `sending` line: the
    // second is accepted, but its outcome cannot be logged.
    let server = SmtpServer::start(&[], None);
    let o = send_with_log_limit(&full, &server, lengths[..3].iter().sum());
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let second = &outbox(&full)[1];
    assert_stderr_has(
        &o,
        &format!(
            "the server accepted {} for {}, but the send log could not record it",
            second["file"].as_str().unwrap(),
            second["recipient"].as_str().unwrap()
        ),
    );
    assert_stderr_has(&o, "the next run logs it as unknown");
    assert_eq!(server.received().len(), 2);

    // With room again: the second is unknown and not sent again; the
    // third goes.
    let o = server.send(&full, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 unknown (may have arrived; not sent again)");
    assert!(deliveries(&full, &[&server]).iter().all(|(_, n)| *n == 1));
    let statuses: Vec<String> = log(&full)
        .iter()
        .map(|e| e["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["sent", "unknown", "sent"]);
    // And a third run sends nothing, and still exits 1 for the unknown one.
    let o = server.send(&full, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(server.received().len(), 3);
}

/// A server that takes longer than a command may to answer the end of the
/// data still gets its answer waited for (RFC 5321 allows 10 minutes; here
/// `--smtp-timeout 8` makes it 8 s and other steps 4 s). One that takes
/// longer still is left, the message is reported as perhaps delivered, and
/// the next run does not send it again.
#[test]
fn a_slow_answer_to_the_end_of_data_is_waited_for_and_never_sent_twice() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let server = SmtpServer::slow(5.0, &["ana@example.org"]);
    let o = server.send(&out, &["--smtp-timeout", "8"]);
    assert_ok(&o);
    assert!(deliveries(&out, &[&server]).iter().all(|(_, n)| *n == 1));

    let late = dir.path().join("late");
    assert_ok(&drafts(&late, PEOPLE, &[]));
    let slow = SmtpServer::slow(12.0, &["ana@example.org"]);
    let start = Instant::now();
    let failed = dir.path().join("failed.csv");
    let o = slow.send(
        &late,
        &["--smtp-timeout", "8", "--failed", failed.to_str().unwrap()],
    );
    assert!(
        start.elapsed() < Duration::from_secs(11),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_stderr_has(&o, "did not answer within 8 s while taking");
    assert_stderr_has(&o, "it may have been delivered");
    // It ends as any run does: the summary, --failed and the log.
    assert_stderr_has(&o, "1 unknown (may have arrived; not sent again)");
    assert!(failed.exists());
    assert!(
        log(&late).iter().any(|e| e["status"] == "unknown"),
        "{:?}",
        log(&late)
    );
    // The slow server kept it; the next run, to a quick one, does not
    // send it again.
    std::thread::sleep(Duration::from_secs(5));
    let quick = SmtpServer::start(&[], None);
    let o = quick.send(&late, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 unknown");
    assert!(
        deliveries(&late, &[&slow, &quick])
            .iter()
            .all(|(_, n)| *n == 1)
    );
}

/// A server that drips its greeting a byte at a time is given up on at the
/// deadline of the whole greeting, not after a pause between two bytes.
#[test]
fn a_greeting_that_drips_is_given_up_on_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                for b in b"220 drip.example ESMTP slowly\r\n".iter().cycle() {
                    if std::io::Write::write_all(&mut stream, &[*b]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            });
        }
    });
    let start = Instant::now();
    let o = handout(&[
        &"send",
        &out,
        &"--smtp",
        &format!("smtp://127.0.0.1:{port}"),
        &"--tls",
        &"none",
        &"--smtp-timeout",
        &"6",
    ]);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_stderr_has(&o, "did not finish answering within 3 s; nothing was sent");
    assert!(log_lines(&out).is_empty());
}

/// The outbox seals each draft: one changed after the build (here only
/// saved again with LF line endings) is refused, by name, before any
/// message goes. An outbox of an older version has no seals; there a draft
/// saved with LF is sent (with CRLF on the wire), and one whose `To:` was
/// changed is still refused, since the outbox's address is where it would
/// go.
#[test]
fn a_draft_changed_after_the_build_is_refused_before_any_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let entries = outbox(&out);
    let lf = out.join(entries[1]["file"].as_str().unwrap());
    let to_lf = |path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, text.replace("\r\n", "\n")).unwrap();
    };
    to_lf(&lf);
    let server = SmtpServer::start(&[], None);
    let o = server.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(
        &o,
        &format!(
            "the draft was changed after the build: {}",
            entries[1]["file"].as_str().unwrap()
        ),
    );
    assert!(server.received().is_empty());

    // The same folder as an older version wrote it: no seals.
    let unsealed: String = entries
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("sha256");
            format!("{e}\n")
        })
        .collect();
    std::fs::write(out.join("outbox.jsonl"), unsealed).unwrap();
    assert_ok(&server.send(&out, &[]));
    let got = server.received();
    assert_eq!(got.len(), 3);
    assert!(
        !got[1]
            .bytes
            .windows(2)
            .any(|w| w[1] == b'\n' && w[0] != b'\r')
    );

    let edited = dir.path().join("edited");
    assert_ok(&drafts(&edited, PEOPLE, &[]));
    let entry = &outbox(&edited)[1];
    let draft = edited.join(entry["file"].as_str().unwrap());
    let recipient = entry["recipient"].as_str().unwrap().to_string();
    let text = std::fs::read_to_string(&draft).unwrap();
    std::fs::write(&draft, text.patched(&recipient, "someone.else@example.org")).unwrap();
    let mut unsealed = entry.clone();
    unsealed.as_object_mut().unwrap().remove("sha256");
    std::fs::write(edited.join("outbox.jsonl"), format!("{unsealed}\n")).unwrap();
    let server = SmtpServer::start(&[], None);
    let o = server.send(&edited, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "but the outbox sends it to");
    assert!(server.received().is_empty());
}

/// A second `send` on a folder another one is sending from is refused with
/// exit 3, naming the first by its process; once the first is killed, its
/// record is known for stale and the next run goes on.
#[test]
fn a_second_send_on_the_same_folder_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &[]));
    let server = SmtpServer::start(&[], None);
    let mut first = start_slow_send(&out, &server, 1);
    let o = server.send(&out, &[]);
    let pid = first.id();
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_stderr_has(&o, &format!("another `handout send` (process {pid} on "));
    assert!(
        out.join("sent.lock").exists(),
        "the killed run's record stays"
    );
    let o = server.send(&out, &[]);
    assert_stderr_has(&o, &format!("a send by process {pid} on "));
    assert!(
        !out.join("sent.lock").exists(),
        "a finished run removes its record"
    );
}

/// The shards of a build made into one folder each keep an outbox, and
/// `send` reads them all: every draft is sent, once.
#[test]
fn shards_built_into_one_folder_send_every_draft() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, PEOPLE, &["--shard", "1/2"]));
    assert_ok(&drafts(&out, PEOPLE, &["--shard", "2/2"]));
    assert_eq!(emls(&out).len(), 3);
    let server = SmtpServer::start(&[], None);
    let dry = server.send(&out, &["--dry-run"]);
    assert_ok(&dry);
    assert_eq!(String::from_utf8_lossy(&dry.stdout).lines().count(), 3);
    assert_ok(&server.send(&out, &[]));
    let mut to: Vec<String> = server.received().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    assert_eq!(to, ["ana@example.org", "jo@example.org", "zoe@example.org"]);
}

/// A recipients column named like a built-in placeholder is hidden by it:
/// a template that uses the name is refused, naming both.
#[test]
fn a_column_hidden_by_a_built_in_placeholder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "name,email,title\nAna Lima,ana@example.org,Dr\n").unwrap();
    let out = dir.path().join("out");
    let o = drafts(
        &out,
        people.to_str().unwrap(),
        &["--subject", "Dear {title} {name}"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(
        &o,
        "has a column `title`, but {title} in --subject is the built-in `title`",
    );
    // Without a template of its own that names it, the column is fine.
    assert_ok(&drafts(&out, people.to_str().unwrap(), &[]));
}

/// A name that looks like an encoded word reaches the subject as written,
/// not as what a mail client would decode it to.
#[test]
fn an_encoded_word_in_a_name_is_not_decoded_by_mail_clients() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "name,email\n=?utf-8?b?QWRtaW4=?=,ana@example.org\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(
        &out,
        people.to_str().unwrap(),
        &["--subject", "For {name}"],
    ));
    let bytes = std::fs::read(&emls(&out)[0]).unwrap();
    let m = MessageParser::default().parse(&bytes[..]).unwrap();
    assert_eq!(m.subject(), Some("For =?utf-8?b?QWRtaW4=?="));
}
