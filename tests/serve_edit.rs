//! Edits from the page, without a browser: one value written back with
//! every other byte kept, and every write refused that the access rule, a
//! changed file, a broken result or `--read-only` forbids.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};

use common::serve::Serve;
use common::*;
use serde_json::{Value, json};

fn status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn body(answer: &str) -> Value {
    serde_json::from_str(&answer[answer.find("\r\n\r\n").unwrap() + 4..]).unwrap_or(Value::Null)
}

fn sha256(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

fn seed_in(dir: &Path, crlf: bool) -> PathBuf {
    let path = dir.join("page.yaml");
    let text = std::fs::read_to_string(root().join(SEED)).unwrap();
    std::fs::write(
        &path,
        if crlf {
            text.replace('\n', "\r\n")
        } else {
            text
        },
    )
    .unwrap();
    path
}

fn edit_of(path: &Path, at: &str, value: &str) -> String {
    json!({"file": 0, "path": at, "value": value, "hash": sha256(path)}).to_string()
}

#[test]
fn a_value_is_written_with_every_other_byte_kept_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_in(dir.path(), false);
    let before = std::fs::read_to_string(&yaml).unwrap();
    let serve = Serve::start(&[yaml.to_str().unwrap()]);

    let value = body(&serve.get("/api/value?file=0&path=title", ""));
    assert_eq!(value["value"], "AI Engineer vs ML Engineer");
    assert_eq!(value["editable"], true);
    assert_eq!(value["hash"], sha256(&yaml));

    let title = "Data: \"AI\" vs ML # é";
    let answer = serve.post(
        "/api/edit",
        &edit_of(&yaml, "title", title),
        &serve.token_header(),
    );
    assert_eq!(status(&answer), 200, "{answer}");
    let after = std::fs::read_to_string(&yaml).unwrap();
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].0.starts_with("title: "), "{changed:?}");
    let parsed: serde_yaml::Value = serde_yaml::from_str(&after).unwrap();
    assert_eq!(parsed["title"].as_str(), Some(title));
    assert_eq!(body(&answer)["hash"], sha256(&yaml));

    // Undo puts the earlier bytes back.
    let answer = serve.post("/api/undo", r#"{"file": 0}"#, &serve.token_header());
    assert_eq!(status(&answer), 200, "{answer}");
    assert_eq!(std::fs::read_to_string(&yaml).unwrap(), before);
    let answer = serve.post("/api/undo", r#"{"file": 0}"#, &serve.token_header());
    assert_eq!(status(&answer), 409, "{answer}");
}

#[test]
fn every_write_the_rules_forbid_is_refused_and_the_file_keeps_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_in(dir.path(), false);
    let before = std::fs::read(&yaml).unwrap();
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let edit = edit_of(&yaml, "title", "Hacked");
    for (headers, expected) in [
        (String::new(), 403),
        ("X-Handout-Token: 0123\r\n".to_string(), 403),
        (
            format!("{}Origin: http://evil.example\r\n", serve.token_header()),
            403,
        ),
        (
            format!("{}Sec-Fetch-Site: cross-site\r\n", serve.token_header()),
            403,
        ),
    ] {
        let answer = serve.post("/api/edit", &edit, &headers);
        assert_eq!(status(&answer), expected, "{headers:?}: {answer}");
    }
    // The token in the query is not enough for a write.
    let answer = serve.post(&format!("/api/edit?token={}", serve.token), &edit, "");
    assert_eq!(status(&answer), 403, "{answer}");
    // A GET of the write address writes nothing.
    let answer = serve.get("/api/edit", "");
    assert_eq!(status(&answer), 405, "{answer}");
    // A blank required field: refused with the error.
    let answer = serve.post(
        "/api/edit",
        &edit_of(&yaml, "title", ""),
        &serve.token_header(),
    );
    assert_eq!(status(&answer), 422, "{answer}");
    assert!(
        body(&answer)["error"].as_str().unwrap().contains("title"),
        "{answer}"
    );
    assert_eq!(std::fs::read(&yaml).unwrap(), before);

    // The file changed on disk since the editor opened: refused, and the
    // change on disk stays.
    let stale = edit_of(&yaml, "title", "From the page");
    let elsewhere = String::from_utf8(before.clone())
        .unwrap()
        .replace("title: AI Engineer", "title: Saved elsewhere, AI Engineer");
    std::fs::write(&yaml, &elsewhere).unwrap();
    let answer = serve.post("/api/edit", &stale, &serve.token_header());
    assert_eq!(status(&answer), 409, "{answer}");
    assert!(
        body(&answer)["error"]
            .as_str()
            .unwrap()
            .contains("changed on disk")
    );
    assert_eq!(std::fs::read_to_string(&yaml).unwrap(), elsewhere);

    // --read-only refuses every write.
    let ro = Serve::start(&[yaml.to_str().unwrap(), "--read-only"]);
    let answer = ro.post(
        "/api/edit",
        &edit_of(&yaml, "title", "x"),
        &ro.token_header(),
    );
    assert_eq!(status(&answer), 403, "{answer}");
    assert!(
        body(&ro.get("/api/value?file=0&path=title", ""))["why"]
            .as_str()
            .unwrap()
            .contains("--read-only")
    );
    assert_eq!(std::fs::read_to_string(&yaml).unwrap(), elsewhere);
}

#[test]
fn a_crlf_file_stays_crlf_and_a_block_scalar_keeps_its_style() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_in(dir.path(), true);
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let text = "A new summary, long enough to be folded over more than one line of the file, as the old one was.";
    let answer = serve.post(
        "/api/edit",
        &edit_of(&yaml, "summary", text),
        &serve.token_header(),
    );
    assert_eq!(status(&answer), 200, "{answer}");
    let after = std::fs::read_to_string(&yaml).unwrap();
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "a bare LF was written"
    );
    assert!(
        after.contains("summary: >-\r\n  A new summary"),
        "{}",
        &after[..600]
    );
    let parsed: serde_yaml::Value = serde_yaml::from_str(&after).unwrap();
    assert_eq!(parsed["summary"].as_str(), Some(text));
}

#[test]
fn faq_entries_are_added_duplicated_and_removed_and_the_file_still_validates() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_in(dir.path(), false);
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let faq = |path: &Path| -> Vec<String> {
        let v: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["faq"]["entries"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|e| e["question"].as_str().unwrap().to_string())
            .collect()
    };
    let before = faq(&yaml);
    let op = |path: &str, op: &str| {
        let body = json!({"file": 0, "path": path, "op": op, "hash": sha256(&yaml)}).to_string();
        serve.post("/api/list", &body, &serve.token_header())
    };
    let answer = op("faq.entries[0]", "add");
    assert_eq!(status(&answer), 200, "{answer}");
    assert!(
        body(&answer)["warnings"]
            .to_string()
            .contains("placeholder"),
        "{answer}"
    );
    let added = faq(&yaml);
    assert_eq!(added.len(), before.len() + 1);
    assert_eq!(added[1], "A question readers ask?");
    assert_ok(&handout(&[&"check", &yaml]));

    assert_eq!(status(&op("faq.entries[2]", "duplicate")), 200);
    let duplicated = faq(&yaml);
    assert_eq!(duplicated[2], duplicated[3]);

    assert_eq!(status(&op("faq.entries[1]", "remove")), 200);
    assert_eq!(status(&op("faq.entries[2]", "remove")), 200);
    assert_eq!(faq(&yaml), before);
    assert_ok(&handout(&[&"check", &yaml]));
}

/// A label of the layouts is written into the content file's `labels:`,
/// with its placeholders as they are; the catalogs are never written.
#[test]
fn a_label_is_written_into_the_content_files_labels() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_in(dir.path(), false);
    let before = std::fs::read_to_string(&yaml).unwrap();
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let label = body(&serve.get("/api/label-value?file=0&key=faq", ""));
    assert_eq!(label["editable"], true, "{label}");
    assert!(
        label["value"].as_str().is_some_and(|v| !v.is_empty()),
        "{label}"
    );
    let edit = json!({"file": 0, "key": "faq", "value": "Your questions", "hash": sha256(&yaml)});
    let answer = serve.post("/api/label", &edit.to_string(), &serve.token_header());
    assert_eq!(status(&answer), 200, "{answer}");
    let after = std::fs::read_to_string(&yaml).unwrap();
    assert!(after.starts_with(&before), "only lines added at the end");
    let parsed: serde_yaml::Value = serde_yaml::from_str(&after).unwrap();
    assert_eq!(parsed["labels"]["faq"].as_str(), Some("Your questions"));
    assert_ok(&handout(&[&"check", &yaml]));
    let unknown = json!({"file": 0, "key": "no-such-label", "value": "x", "hash": sha256(&yaml)});
    let answer = serve.post("/api/label", &unknown.to_string(), &serve.token_header());
    assert_eq!(status(&answer), 422, "{answer}");
}

/// A content file that is a link to a file outside the folder `serve` was
/// given is shown, but never written.
#[test]
fn a_link_to_a_file_outside_the_folder_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let inside = dir.path().join("content");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&inside).unwrap();
    let real = seed_in(&outside, false);
    std::os::unix::fs::symlink(&real, inside.join("page.yaml")).unwrap();
    let before = std::fs::read(&real).unwrap();
    let serve = Serve::start(&[inside.to_str().unwrap()]);
    let answer = serve.post(
        "/api/edit",
        &edit_of(&real, "title", "Linked"),
        &serve.token_header(),
    );
    assert_eq!(status(&answer), 403, "{answer}");
    assert!(
        body(&answer)["error"]
            .as_str()
            .unwrap()
            .contains("outside the folders")
    );
    assert_eq!(std::fs::read(&real).unwrap(), before);
}

/// Text from the recipients file is traced to its file and line, and is
/// not offered for editing (those files are read-only on the page).
#[test]
fn a_recipients_text_is_traced_to_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_in(dir.path(), false);
    let serve = Serve::start(&[
        yaml.to_str().unwrap(),
        "--recipients",
        "tests/fixtures/email/people.csv",
    ]);
    let json = body(&serve.get("/api/render?recipient=0", ""));
    let origins = json["origins"].as_array().unwrap();
    let traced: Vec<&Value> = json["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["runs"].as_array().unwrap())
        .filter(|r| r[4].as_str().unwrap().contains("Ana Lima"))
        .filter_map(|r| r[5].as_u64().map(|i| &origins[i as usize]))
        .collect();
    assert!(
        !traced.is_empty(),
        "no run of the recipient's name is traced"
    );
    assert!(
        traced.iter().any(|o| o["kind"] == "recipient"
            && o["line"] == 2
            && o["file"].as_str().unwrap().ends_with("people.csv")),
        "{traced:?}"
    );
}

/// Two tabs saving at once from the same file: one edit is written, the
/// other is refused as stale, and neither is lost silently.
#[test]
fn two_saves_at_once_never_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_in(dir.path(), false);
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let (title, subtitle) = (
        edit_of(&yaml, "title", "From tab one"),
        edit_of(&yaml, "subtitle", "From tab two"),
    );
    let header = serve.token_header();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let a = s.spawn(|| status(&serve.post("/api/edit", &title, &header)));
        let b = s.spawn(|| status(&serve.post("/api/edit", &subtitle, &header)));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 409], "{statuses:?}");
    let parsed: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&yaml).unwrap()).unwrap();
    let written = [
        parsed["title"] == "From tab one",
        parsed["subtitle"] == "From tab two",
    ];
    assert_eq!(written.iter().filter(|w| **w).count(), 1, "{written:?}");
}
