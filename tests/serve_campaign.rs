//! Campaigns from the page of `handout serve`, against a real SMTP server
//! on a free port: drafts, the review, a test message, the send with its
//! counts, Pause and Resume, a server killed mid-send, a rate limit, and
//! writes without the token or from another site.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::serve::{Serve, body_json};
use common::webdriver::Browser;
use common::*;
use serde_json::{Value, json};

const FROM: &str = "Northfield Admissions <admissions@northfield.example>";
const UNSUBSCRIBE: &str = "https://northfield.example/u?e={email}&t={unsubscribe_token}";
const SECRET: &str = "unsubscribe-secret-4f9a1c7e2b";
const PASSWORD: &str = "smtp-password-8d2e6b";
const PEOPLE: [&str; 3] = ["ana@example.org", "jo@example.org", "zoe@example.org"];

/// A project folder: `content/` with the seed, and `people.csv`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    std::fs::copy(root().join(SEED), dir.path().join("content/seed.yaml")).unwrap();
    std::fs::copy(fixture("email/people.csv"), dir.path().join("people.csv")).unwrap();
    dir
}

/// `serve` for a campaign to `smtp`.
fn serve(dir: &Path, smtp: &SmtpServer, extra: &[&str]) -> Serve {
    serve_as(dir, smtp, extra, &[])
}

/// `serve` for a campaign to `smtp`, with `login` in the environment.
fn serve_as(dir: &Path, smtp: &SmtpServer, extra: &[&str], login: &[(&str, &str)]) -> Serve {
    let url = smtp.url();
    let mut args = vec![
        "content",
        "--recipients",
        "people.csv",
        "--from",
        FROM,
        "--unsubscribe",
        UNSUBSCRIBE,
        "--smtp",
        &url,
        "--tls",
        "none",
        "--retry-wait",
        "0.1",
    ];
    args.extend_from_slice(extra);
    let mut env = vec![("HANDOUT_UNSUBSCRIBE_SECRET", SECRET)];
    env.extend_from_slice(login);
    Serve::start_with(dir, &args, &env)
}

fn status(s: &Serve) -> Value {
    body_json(&s.get("/api/campaign/status?dir=out/campaign", ""))
}

fn wait(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "waited too long for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Builds the drafts from the page's defaults.
fn drafts(s: &Serve) {
    let answer = s.post(
        "/api/campaign/drafts",
        r#"{"dir":"out/campaign"}"#,
        &s.token_header(),
    );
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    let job = s.job_ended();
    assert_eq!(job["state"], "done", "{job}");
}

fn send(s: &Serve, confirm: u64) -> String {
    let body = json!({"dir": "out/campaign", "confirm": confirm}).to_string();
    s.post("/api/campaign/send", &body, &s.token_header())
}

/// How many messages each address received.
fn per_address(smtp: &SmtpServer) -> std::collections::BTreeMap<String, usize> {
    let mut n = std::collections::BTreeMap::new();
    for r in smtp.received() {
        for to in r.to {
            *n.entry(to).or_default() += 1;
        }
    }
    n
}

fn assert_each_once(smtp: &SmtpServer) {
    let n = per_address(smtp);
    for p in PEOPLE {
        assert_eq!(n.get(p), Some(&1), "{p}: {n:?}");
    }
}

/// `handout send --status`'s counts, as the page shows them.
fn cli_status(dir: &Path) -> String {
    let o = handout(&[&"send", &dir, &"--status"]);
    String::from_utf8_lossy(&o.stdout)
        .trim()
        .rsplit(": ")
        .next()
        .unwrap()
        .to_string()
}

fn counts_line(status: &Value) -> String {
    let c = &status["counts"];
    [
        "sent",
        "pending",
        "refused",
        "deferred",
        "unknown",
        "suppressed",
    ]
    .map(|k| format!("{} {k}", c[k]))
    .join(", ")
}

#[test]
fn a_campaign_from_the_page_tests_then_sends_each_draft_once() {
    let Some(browser) = Browser::start() else {
        return not_checked("chromium and chromedriver are not installed");
    };
    let dir = project();
    let smtp = SmtpServer::with_login(&format!("staff:{PASSWORD}"));
    let login = [
        ("HANDOUT_SMTP_USERNAME", "staff"),
        ("HANDOUT_SMTP_PASSWORD", PASSWORD),
    ];
    let s = serve_as(dir.path(), &smtp, &[], &login);
    let b = &browser;
    b.open(&s.url);
    b.wait_for(
        "the pages",
        "return document.body.dataset.state === 'ok'",
        json!([]),
    );
    b.wait_for(
        "the campaign tab",
        "return !document.getElementById('tab-campaign').hidden",
        json!([]),
    );
    b.click("#tab-campaign");
    b.wait_for(
        "the command lines",
        "return document.getElementById('c-command').textContent.includes('handout send')",
        json!([]),
    );
    let command = b.run(
        "return document.getElementById('c-command').textContent",
        json!([]),
    );
    assert!(
        command
            .as_str()
            .unwrap()
            .contains("--eml --out-dir out/campaign"),
        "{command}"
    );
    b.click("#c-build");
    b.wait_for(
        "the review",
        "return !document.getElementById('c-review').hidden && document.getElementById('c-test-draft').options.length === 3",
        json!([]),
    );
    assert_eq!(serious_violations(b), Vec::<String>::new());

    // A test to staff: one message, to that address only, marked, with an
    // unsubscribe link that names nobody.
    b.type_into("#c-test-to", true, "staff@northfield.example");
    b.click("#c-test");
    b.wait_for(
        "the test's result",
        "return document.getElementById('c-test-result').textContent.startsWith('Test sent')",
        json!([]),
    );
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["staff@northfield.example"]);
    let test = mail_parser::MessageParser::default()
        .parse(&received[0].bytes)
        .unwrap();
    assert!(
        test.subject().unwrap().starts_with("[Test] "),
        "{:?}",
        test.subject()
    );
    let headers =
        String::from_utf8_lossy(&received[0].bytes[..test.root_part().offset_body as usize])
            .into_owned();
    assert!(
        headers.contains("List-Unsubscribe: <https://northfield.example/u?e=test&t=test>"),
        "{headers}"
    );
    assert!(
        headers.contains("To: staff@northfield.example"),
        "{headers}"
    );
    let text = test.body_text(0).unwrap();
    assert!(
        text.contains("e=test&t=test") && !text.contains("example.org"),
        "{text}"
    );
    let st = status(&s);
    assert_eq!(st["counts"]["pending"], 3, "a test is not a send: {st}");

    // Send, confirmed in a dialog that names the count, server and sender.
    b.wait_for(
        "the send button",
        "return document.getElementById('c-send').textContent === 'Send to 3 people'",
        json!([]),
    );
    b.click("#c-send");
    let asked = b.wait_for(
        "the confirmation",
        "const d = document.getElementById('c-confirm'); return d.open && d.textContent",
        json!([]),
    );
    let asked = asked.as_str().unwrap();
    assert!(
        asked.contains("Send 3 messages through smtp://127.0.0.1:")
            && asked.contains("Northfield Admissions"),
        "{asked}"
    );
    b.click("#c-confirm-yes");
    b.wait_for(
        "every message sent",
        "return document.getElementById('c-counts').textContent.startsWith('3 sent, 0 pending')",
        json!([]),
    );
    assert_eq!(serious_violations(b), Vec::<String>::new());
    if std::env::var_os("HANDOUT_DOCS_SHOT").is_some() {
        b.run(
            "document.getElementById('c-review').scrollIntoView()",
            json!([]),
        );
        std::fs::write(root().join("docs/serve-campaign.png"), b.screenshot()).unwrap();
    }
    let shown = b.run(
        "return document.getElementById('c-counts').textContent",
        json!([]),
    );
    let out = dir.path().join("out/campaign");
    assert_eq!(shown.as_str().unwrap(), cli_status(&out));
    assert_each_once(&smtp);
    assert_eq!(per_address(&smtp).get("staff@northfield.example"), Some(&1));

    // No secret reaches the page, an answer, the log or the files.
    let page = b.run("return document.documentElement.outerHTML", json!([]));
    let answers = [
        s.get("/api/runs", ""),
        s.get("/api/campaign/status?dir=out/campaign", ""),
        page.to_string(),
    ];
    let token = s.token.clone();
    let logs = s.stop();
    let mut files = String::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let p = entry.unwrap().path();
        if p.extension()
            .is_some_and(|e| e == "json" || e == "jsonl" || e == "html")
        {
            files += &std::fs::read_to_string(&p).unwrap();
        }
    }
    for secret in [PASSWORD, SECRET] {
        for (name, text) in [
            ("answers", answers.join("\n")),
            ("logs", logs.clone()),
            ("files", files.clone()),
        ] {
            assert!(!text.contains(secret), "a secret is in the {name}");
        }
    }
    assert!(!logs.contains(&token), "the page's token is in the logs");
}

#[test]
fn pause_then_resume_sends_the_rest_once() {
    let dir = project();
    let smtp = SmtpServer::slow(1.0, &[]);
    let s = serve(dir.path(), &smtp, &[]);
    drafts(&s);
    assert!(
        send(&s, 2).starts_with("HTTP/1.1 409"),
        "a count that is not the waiting one"
    );
    assert!(send(&s, 3).starts_with("HTTP/1.1 202"));
    wait("the first message", || status(&s)["counts"]["sent"] == 1);
    // A second tab, or a terminal, cannot send the same drafts meanwhile.
    let again = send(&s, 2);
    assert!(
        again.starts_with("HTTP/1.1 409") && again.contains("a send is under way"),
        "{again}"
    );
    let o = smtp.send(&dir.path().join("out/campaign"), &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_stderr_has(
        &o,
        &format!("another `handout send` (process {} on ", s.child.id()),
    );
    let st = status(&s);
    assert!(
        st["lock"]["by"]
            .as_str()
            .is_some_and(|h| h.starts_with(&format!("process {}", s.child.id()))),
        "{st}"
    );
    let paused = s.post("/api/job/cancel", "{}", &s.token_header());
    assert!(paused.starts_with("HTTP/1.1 200"), "{paused}");
    let job = s.job_ended();
    assert_eq!(job["state"], "cancelled", "{job}");
    let st = status(&s);
    let sent = st["counts"]["sent"].as_u64().unwrap();
    assert!(sent < 3, "paused after every message: {st}");
    assert_eq!(smtp.received().len() as u64, sent);
    let left = st["counts"]["pending"].as_u64().unwrap();
    assert!(send(&s, left).starts_with("HTTP/1.1 202"));
    assert_eq!(s.job_ended()["state"], "done");
    assert_each_once(&smtp);
    assert_eq!(
        counts_line(&status(&s)),
        cli_status(&dir.path().join("out/campaign"))
    );
}

#[test]
fn a_serve_killed_mid_send_resumes_and_nobody_gets_two() {
    let dir = project();
    let smtp = SmtpServer::slow(1.0, &[]);
    let s = serve(dir.path(), &smtp, &[]);
    drafts(&s);
    assert!(send(&s, 3).starts_with("HTTP/1.1 202"));
    wait("the first message", || status(&s)["counts"]["sent"] == 1);
    // The second message is in flight: SIGKILL.
    std::thread::sleep(Duration::from_millis(300));
    let mut s = s;
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let before = smtp.received().len();

    let again = serve(dir.path(), &smtp, &[]);
    let st = status(&again);
    assert_eq!(st["lock"]["held"], false, "{st}");
    assert!(
        st["lock"]["stale"]
            .as_str()
            .is_some_and(|h| h.starts_with("process ")),
        "{st}"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        smtp.received().len(),
        before,
        "nothing is sent until Resume"
    );
    let waiting =
        st["counts"]["pending"].as_u64().unwrap() + st["counts"]["deferred"].as_u64().unwrap();
    assert!(send(&again, waiting).starts_with("HTTP/1.1 202"));
    let job = again.job_ended();
    assert!(job["state"] == "done" || job["state"] == "failed", "{job}");
    for (to, n) in per_address(&smtp) {
        assert_eq!(n, 1, "{to} got {n}");
    }
    assert_each_once(&smtp);
}

#[test]
fn a_rate_limit_shows_deferred_then_sent() {
    let dir = project();
    let smtp = SmtpServer::deferring("jo@example.org", 2);
    let s = serve(dir.path(), &smtp, &[]);
    drafts(&s);
    assert!(send(&s, 3).starts_with("HTTP/1.1 202"));
    let job = s.job_ended();
    assert_eq!(job["state"], "done", "{job}");
    let notes = job["notes"].to_string();
    assert_eq!(
        notes.matches("deferred: jo@example.org").count(),
        2,
        "{notes}"
    );
    assert_eq!(status(&s)["counts"]["sent"], 3);
    assert_each_once(&smtp);
}

#[test]
fn campaign_writes_need_the_token_and_the_page_s_origin() {
    let dir = project();
    let smtp = SmtpServer::start(&[], None);
    let s = serve(dir.path(), &smtp, &[]);
    drafts(&s);
    let token = s.token_header();
    let bodies = [
        (
            "/api/campaign/send",
            r#"{"dir":"out/campaign","confirm":3}"#.to_string(),
        ),
        (
            "/api/campaign/test",
            json!({"dir": "out/campaign", "file": "x.eml", "to": "a@b.example"}).to_string(),
        ),
        ("/api/campaign/drafts", r#"{"dir":"out/other"}"#.to_string()),
    ];
    for (path, body) in &bodies {
        for extra in [
            String::new(),
            format!("{token}Origin: http://evil.example\r\n"),
            format!("{token}Sec-Fetch-Site: cross-site\r\n"),
        ] {
            let answer = s.post(path, body, &extra);
            assert!(
                answer.starts_with("HTTP/1.1 403"),
                "{path} {extra:?}: {answer}"
            );
        }
    }
    // A GET never sends.
    assert!(s.get("/api/campaign/send", "").starts_with("HTTP/1.1 405"));
    // Paths from the page stay inside the project folder.
    let outside = json!({"dir": "../elsewhere", "confirm": 3}).to_string();
    assert!(
        s.post("/api/campaign/send", &outside, &token)
            .starts_with("HTTP/1.1 400")
    );
    let outside =
        json!({"dir": "out/campaign", "suppress": "/etc/passwd", "confirm": 3}).to_string();
    assert!(
        s.post("/api/campaign/send", &outside, &token)
            .starts_with("HTTP/1.1 400")
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(smtp.received().is_empty());
    assert!(!dir.path().join("out/other").exists());
    assert_eq!(status(&s)["counts"]["pending"], 3);
}

#[test]
fn sending_from_the_page_is_off_on_the_network_and_read_only() {
    let dir = project();
    let smtp = SmtpServer::start(&[], None);
    let s = serve(dir.path(), &smtp, &["--read-only"]);
    let st = status(&s);
    assert!(st["off"].as_str().unwrap().contains("--read-only"), "{st}");
    let answer = send(&s, 0);
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
}

/// A test message carries a DKIM signature of its own, which dkimpy checks
/// on what the server received, and it is logged as a test only.
#[test]
fn a_test_message_is_signed_and_logged_as_a_test() {
    let dir = project();
    let smtp = SmtpServer::start(&[], None);
    let (pem, public) = ed25519_key();
    let key = dir.path().join("dkim.pem");
    std::fs::write(&key, pem).unwrap();
    let s = serve(
        dir.path(),
        &smtp,
        &[
            "--dkim-key",
            key.to_str().unwrap(),
            "--dkim-selector",
            "handout2026",
        ],
    );
    drafts(&s);
    let st = status(&s);
    let file = st["drafts"][1]["file"].as_str().unwrap();
    let body =
        json!({"dir": "out/campaign", "file": file, "to": "staff@northfield.example"}).to_string();
    let answer = s.post("/api/campaign/test", &body, &s.token_header());
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let path = dir.path().join("received.eml");
    std::fs::write(&path, &received[0].bytes).unwrap();
    let record = format!("v=DKIM1; k=ed25519; p={public}");
    let verdict = dkim_verify(
        "handout2026._domainkey.northfield.example",
        &record,
        &[path],
    );
    assert_eq!(verdict[0]["ok"], true, "{verdict:?}");
    let sent = body_json(&answer)["sent"].clone();
    assert!(
        sent["message_id"].as_str().unwrap().starts_with("<test-"),
        "{sent}"
    );
    let out = dir.path().join("out/campaign");
    let log = std::fs::read_to_string(out.join("test-sends.jsonl")).unwrap();
    assert!(log.contains("staff@northfield.example"), "{log}");
    assert!(
        !out.join("sent.jsonl").exists()
            || std::fs::read_to_string(out.join("sent.jsonl"))
                .unwrap()
                .is_empty()
    );
    assert_eq!(status(&s)["counts"]["pending"], 3);
}
