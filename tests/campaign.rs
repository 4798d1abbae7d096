//! What a real campaign needs: unsubscribe headers and links whose tokens
//! check against the secret, a warning without them, and a suppression
//! list honoured at build and again at send, against a real SMTP server.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use hmac::{Hmac, Mac};
use mail_parser::MessageParser;
use sha2::Sha256;

const PEOPLE: &str = "tests/fixtures/email/people.csv";
const FROM: &str = "Northfield Admissions <admissions@northfield.example>";
const SECRET: &str = "test secret for unsubscribe tokens";
const PAGE: &str = "https://northfield.example/unsubscribe?e={email}&t={unsubscribe_token}";

fn run(args: &[&str], secret: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("HANDOUT_UNSUBSCRIBE_SECRET")
        .args(args);
    if let Some(s) = secret {
        cmd.env("HANDOUT_UNSUBSCRIBE_SECRET", s);
    }
    cmd.output().unwrap()
}

fn drafts(out: &Path, extra: &[&str], secret: Option<&str>) -> Output {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "build",
        SEED,
        "--recipients",
        PEOPLE,
        "--eml",
        "--from",
        FROM,
        "-o",
        out,
        "-q",
    ];
    args.extend(extra);
    run(&args, secret)
}

/// Drafts for the recipients in a new folder, as a transactional mailing.
fn fresh_drafts() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(&drafts(&out, &["--transactional"], None));
    (dir, out)
}

/// What the school's unsubscribe page computes to check a link.
fn expected_token(address: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(address.to_lowercase().as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_message_carries_one_click_unsubscribe_with_a_token_for_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = drafts(
        &out,
        &[
            "--unsubscribe",
            PAGE,
            "--unsubscribe-mailto",
            "unsubscribe@northfield.example",
        ],
        Some(SECRET),
    );
    assert_ok(&o);
    assert!(!stderr(&o).contains("unsubscribe"), "{}", stderr(&o));
    let server = SmtpServer::start(&[], None);
    assert_ok(&server.send(&out, &["-q"]));
    let got = server.received();
    assert_eq!(got.len(), 3);
    for message in &got {
        let to = &message.to[0];
        let m = MessageParser::default().parse(&message.bytes[..]).unwrap();
        let header = |name: &str| {
            m.header_raw(name)
                .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        let link = format!(
            "https://northfield.example/unsubscribe?e={}&t={}",
            to.replace('@', "%40"),
            expected_token(to)
        );
        assert_eq!(
            header("List-Unsubscribe"),
            format!("<{link}>, <mailto:unsubscribe@northfield.example?subject=unsubscribe>")
        );
        assert_eq!(
            header("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click"
        );
        let text = m.body_text(0).unwrap();
        assert!(
            text.contains(&format!("unsubscribe here: {link}")),
            "{text}"
        );
        let html = m.body_html(0).unwrap();
        let escaped = link.replace('&', "&amp;");
        assert!(html.contains(&format!("<a href=\"{escaped}\"")), "{html}");
    }
}

#[test]
fn a_campaign_without_unsubscribe_is_warned_unless_transactional() {
    let dir = tempfile::tempdir().unwrap();
    let o = drafts(&dir.path().join("a"), &[], None);
    assert_ok(&o);
    assert_stderr_has(&o, "warning: the drafts have no way to unsubscribe");
    assert_stderr_has(&o, "RFC 8058");
    let o = drafts(&dir.path().join("b"), &["--transactional"], None);
    assert_ok(&o);
    assert!(!stderr(&o).contains("unsubscribe"), "{}", stderr(&o));
    // A token without its secret, or a plain-http page, stops the build.
    let o = drafts(&dir.path().join("c"), &["--unsubscribe", PAGE], None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "HANDOUT_UNSUBSCRIBE_SECRET is not set");
    let o = drafts(
        &dir.path().join("d"),
        &["--unsubscribe", "http://northfield.example/u"],
        Some(SECRET),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "is not an https address");
    assert!(!dir.path().join("c").join("outbox.jsonl").exists());
}

#[test]
fn suppressed_people_get_no_draft_and_an_address_added_later_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let list = dir.path().join("suppress.txt");
    std::fs::write(&list, "# opted out at the open day\nANA@example.org\n").unwrap();
    let report = dir.path().join("report.json");
    let o = drafts(
        &out,
        &[
            "--transactional",
            "--suppress",
            list.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        None,
    );
    assert_ok(&o);
    let outbox = std::fs::read_to_string(out.join("outbox.jsonl")).unwrap();
    assert_eq!(outbox.lines().count(), 2);
    assert!(!outbox.contains("ana@example.org"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["totals"]["recipients_suppressed"], 1);
    assert_eq!(report["totals"]["failed"], 0);
    assert_eq!(
        report["recipients_suppressed"][0]["email"],
        "ana@example.org"
    );
    assert_eq!(report["recipients_suppressed"][0]["line"], 2);

    // Between build and send, a whole domain asks not to be emailed.
    std::fs::write(&list, "ana@example.org\n@EXAMPLE.org\n").unwrap();
    let server = SmtpServer::start(&[], None);
    let o = server.send(&out, &["--suppress", list.to_str().unwrap()]);
    assert_ok(&o);
    assert!(server.received().is_empty());
    assert_stderr_has(&o, "2 suppressed");
    let log = std::fs::read_to_string(out.join("sent.jsonl")).unwrap();
    assert_eq!(log.matches("\"status\":\"suppressed\"").count(), 2, "{log}");
    // Taken off the list again, they are sent, once.
    std::fs::write(&list, "ana@example.org\n").unwrap();
    assert_ok(&server.send(&out, &["--suppress", list.to_str().unwrap()]));
    assert_eq!(server.received().len(), 2);
    assert_ok(&server.send(&out, &[]));
    assert_eq!(server.received().len(), 2);
}

fn statuses(out: &Path, address: &str) -> Vec<String> {
    std::fs::read_to_string(out.join("sent.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["recipient"] == address && e["status"] != "sending")
        .map(|e| e["status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_permanent_refusal_is_not_retried_and_a_temporary_one_is_waited_for() {
    let (_dir, out) = fresh_drafts();

    // 550: logged once, and a rerun leaves it alone unless asked.
    let refusing = SmtpServer::start(&["jo@example.org"], None);
    assert_eq!(refusing.send(&out, &[]).status.code(), Some(1));
    let o = refusing.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 refused before (not tried again; --retry-refused)");
    assert_eq!(refusing.received().len(), 2);
    assert_eq!(statuses(&out, "jo@example.org"), ["refused"]);
    let o = refusing.send(&out, &["--retry-refused"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(statuses(&out, "jo@example.org"), ["refused", "refused"]);

    // 451 twice, then accepted, within one run: one message arrives.
    let (_dir, out) = fresh_drafts();
    let limited = SmtpServer::deferring("zoe@example.org", 2);
    let o = limited.send(&out, &["--retry-wait", "0.05"]);
    assert_ok(&o);
    assert_stderr_has(&o, "deferred: zoe@example.org");
    assert_eq!(limited.received().len(), 3);
    assert_eq!(
        statuses(&out, "zoe@example.org"),
        ["deferred", "deferred", "sent"]
    );

    // More refusals than tries: deferred, exit 1, and the next run sends it.
    let (_dir, out) = fresh_drafts();
    let limited = SmtpServer::deferring("zoe@example.org", 2);
    let o = limited.send(&out, &["--retries", "1", "--retry-wait", "0.05"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "1 deferred (refused for now; the next run tries again)");
    assert_eq!(limited.received().len(), 2);
    assert_ok(&limited.send(&out, &[]));
    let zoe = limited
        .received()
        .iter()
        .filter(|m| m.to == ["zoe@example.org"])
        .count();
    assert_eq!(zoe, 1, "exactly one message to the deferred address");
}

#[test]
fn a_limit_sends_part_of_the_outbox_and_a_rerun_the_rest() {
    let (_dir, out) = fresh_drafts();
    let server = SmtpServer::start(&[], None);
    let o = server.send(&out, &["--limit", "2"]);
    assert_ok(&o);
    assert_stderr_has(&o, "1 left for the next run (--limit, --per-day)");
    assert_eq!(server.received().len(), 2);
    assert_ok(&server.send(&out, &["--limit", "2"]));
    assert_eq!(server.received().len(), 3);
}

#[test]
fn two_outboxes_listing_one_message_stop_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A whole build, then a sharded one, into one folder.
    assert_ok(&drafts(&out, &["--transactional"], None));
    assert_ok(&drafts(&out, &["--transactional", "--shard", "1/2"], None));
    let server = SmtpServer::start(&[], None);
    let o = server.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "outbox.jsonl both list");
    assert!(server.received().is_empty());
}

#[test]
fn the_review_sheet_lists_every_draft_with_its_picture_and_who_gets_none() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let list = dir.path().join("suppress.csv");
    std::fs::write(&list, "email,when\nzoe@example.org,2026-11-02\n").unwrap();
    assert_ok(&drafts(
        &out,
        &[
            "--transactional",
            "--subject",
            "Your copy, {name}",
            "--suppress",
            list.to_str().unwrap(),
        ],
        None,
    ));
    let html = std::fs::read_to_string(out.join("outbox.html")).unwrap();
    assert_eq!(html.matches("<tr class=\"draft\">").count(), 2, "{html}");
    assert!(html.contains("Your copy, Ana Lima"));
    // The name with a comma, escaped as every value is.
    assert!(html.contains("Your copy, Smith, Jo"));
    assert!(html.contains("zoe@example.org is on the suppression list"));
    // Every link and picture is a file beside the sheet.
    let mut targets = 0;
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let target = &part[..part.find('"').unwrap()];
            let target = target.replace("&amp;", "&");
            assert!(out.join(&target).is_file(), "{target} is missing");
            targets += 1;
        }
    }
    // Page 1 links its PDF; the message is shown in a frame; then the PDF,
    // the message's HTML and the draft.
    assert_eq!(targets, 2 * 6);
    let jpeg = std::fs::read(
        out.join(
            html.split("src=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap(),
        ),
    )
    .unwrap();
    assert_eq!(&jpeg[..3], b"\xff\xd8\xff", "page 1 is a JPEG");
}

#[test]
fn status_counts_every_state_and_failed_lists_what_to_fix() {
    let (dir, out) = fresh_drafts();
    let status = |out: &Path| {
        let o = run(&["send", out.to_str().unwrap(), "--status"], None);
        // 1 while a message is refused, deferred or unknown.
        let refused = String::from_utf8_lossy(&o.stdout).contains(" 1 refused");
        assert_eq!(o.status.code(), Some(i32::from(refused)), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(
        status(&out).contains(": 0 sent, 3 pending, 0 refused"),
        "{}",
        status(&out)
    );
    let server = SmtpServer::start(&["jo@example.org"], None);
    let failed = dir.path().join("failed.csv");
    let o = server.send(&out, &["--failed", failed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        status(&out)
            .contains(": 2 sent, 0 pending, 1 refused, 0 deferred, 0 unknown, 0 suppressed"),
        "{}",
        status(&out)
    );
    let csv = std::fs::read_to_string(&failed).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "recipient,file,status,reply,time");
    assert_eq!(lines.len(), 2);
    assert!(
        lines[1].starts_with("jo@example.org,")
            && lines[1].contains(",refused,")
            && lines[1].contains("550")
    );
}

#[test]
fn per_day_counts_what_the_log_sent_in_the_last_24_hours() {
    let (_dir, out) = fresh_drafts();
    let server = SmtpServer::start(&[], None);
    assert_ok(&server.send(&out, &["--limit", "1"]));
    let o = server.send(&out, &["--per-day", "2"]);
    assert_ok(&o);
    assert_stderr_has(&o, "1 left for the next run (--limit, --per-day)");
    assert_eq!(server.received().len(), 2);
}

#[test]
fn an_oauth2_token_logs_in_with_xoauth2_and_is_never_shown() {
    let (_dir, out) = fresh_drafts();
    let server = SmtpServer::with_oauth("ya29.test-token");
    let send_with = |token: &str| {
        Command::new(env!("CARGO_BIN_EXE_handout"))
            .args(["send", out.to_str().unwrap(), "--tls", "none", "--smtp"])
            .arg(server.url())
            .env_remove("HANDOUT_SMTP_PASSWORD")
            .env("HANDOUT_SMTP_USERNAME", "admissions@northfield.example")
            .env("HANDOUT_SMTP_OAUTH2_TOKEN", token)
            .output()
            .unwrap()
    };
    let wrong = send_with("ya29.wrong-token");
    assert_ne!(wrong.status.code(), Some(0));
    assert!(server.received().is_empty());
    assert!(!stderr(&wrong).contains("ya29"), "{}", stderr(&wrong));
    let o = send_with("ya29.test-token");
    assert_ok(&o);
    assert_eq!(server.received().len(), 3);
    let shown = format!("{}{}", stderr(&o), String::from_utf8_lossy(&o.stdout));
    let log = std::fs::read_to_string(out.join("sent.jsonl")).unwrap();
    assert!(!shown.contains("ya29") && !log.contains("ya29"));
}

#[test]
fn a_connection_dropped_after_data_is_unknown_and_not_sent_again_unless_asked() {
    let (_dir, out) = fresh_drafts();
    let server = SmtpServer::dropping_after_data("jo@example.org");
    let o = server.send(&out, &[]);
    assert_ne!(o.status.code(), Some(0));
    assert_stderr_has(&o, "may have been delivered");
    // The server has it, though it never said so.
    assert_eq!(server.received().len(), 2);
    let o = server.send(&out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "it is not sent again");
    let to_jo = |s: &SmtpServer| {
        s.received()
            .iter()
            .filter(|m| m.to == ["jo@example.org"])
            .count()
    };
    assert_eq!(to_jo(&server), 1, "at most once");
    assert_eq!(server.received().len(), 3);
    // Asked for, a second copy goes.
    let o = server.send(&out, &["--resend-unknown"]);
    assert_ok(&o);
    assert_eq!(to_jo(&server), 2);
    assert_ok(&server.send(&out, &["--resend-unknown"]));
    assert_eq!(to_jo(&server), 2, "sent is final");
}

#[test]
fn the_postal_address_ends_every_message_and_its_absence_is_warned() {
    let dir = tempfile::tempdir().unwrap();
    let o = drafts(
        &dir.path().join("none"),
        &["--unsubscribe-mailto", "u@northfield.example"],
        None,
    );
    assert_ok(&o);
    assert_stderr_has(&o, "warning: the drafts have no postal address");

    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let content = dir.path().join("with-address.yaml");
    std::fs::write(
        &content,
        seed.patched(
            "  short_name: SCAI\n",
            "  short_name: SCAI\n  address: |\n    1 High Street\n    Northfield NF1 2AB\n",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(
        &[
            "build",
            content.to_str().unwrap(),
            "--recipients",
            PEOPLE,
            "--eml",
            "--from",
            FROM,
            "--unsubscribe-mailto",
            "u@northfield.example",
            "-o",
            out.to_str().unwrap(),
            "-q",
        ],
        None,
    );
    assert_ok(&o);
    assert!(!stderr(&o).contains("postal address"), "{}", stderr(&o));
    let eml = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "eml"))
        .unwrap();
    let bytes = std::fs::read(eml).unwrap();
    let m = MessageParser::default().parse(&bytes[..]).unwrap();
    let text = m.body_text(0).unwrap();
    assert!(
        text.trim_end()
            .ends_with("School of Core AI, 1 High Street, Northfield NF1 2AB"),
        "{text}"
    );
    assert!(text.contains("mailto:u@northfield.example"), "{text}");
    assert!(
        m.body_html(0)
            .unwrap()
            .contains("School of Core AI, 1 High Street, Northfield NF1 2AB")
    );
}
