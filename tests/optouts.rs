//! Opt-outs never fail silently: suppression lists as mailing tools export
//! them, addresses in every usual form, one form for domains, and a list
//! that cannot be read in full stops the build and the send.

mod common;

use std::path::Path;

use common::*;

const PEOPLE: &str = "tests/fixtures/email/people.csv";
const FROM: &str = "Northfield Admissions <admissions@northfield.example>";

fn drafts(out: &Path, list: &Path) -> std::process::Output {
    handout(&[
        &"build",
        &SEED,
        &"--recipients",
        &PEOPLE,
        &"--eml",
        &"--transactional",
        &"--from",
        &FROM,
        &"-o",
        &out,
        &"-q",
        &"--suppress",
        &list,
    ])
}

#[test]
fn an_exported_list_suppresses_at_build_and_at_send() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("export.csv");
    std::fs::write(
        &list,
        "Email Address,First Name,Last Name\nANA@Example.org,Ana,Lima\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = drafts(&out, &list);
    assert_ok(&o);
    let outbox = std::fs::read_to_string(out.join("outbox.jsonl")).unwrap();
    assert!(!outbox.contains("ana@example.org"), "{outbox}");

    // The other forms people paste, given to a send whose drafts were
    // built without a list.
    let plain = dir.path().join("plain");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "# nobody yet\n").unwrap();
    assert_ok(&drafts(&plain, &empty));
    let forms = dir.path().join("forms.txt");
    std::fs::write(&forms, "Zoë <zoe@example.org>\nmailto:jo@example.org\n").unwrap();
    let o = handout(&[&"send", &plain, &"--dry-run", &"--suppress", &forms]);
    assert_ok(&o);
    let would = String::from_utf8_lossy(&o.stdout);
    assert_eq!(would.lines().count(), 1, "{would}");
    assert!(would.contains("to ana@example.org"), "{would}");

    let o = handout(&[&"check", &SEED, &"--suppress", &forms]);
    assert_ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("forms.txt: ok, 2 addresses and 0 domains"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn an_idna_domain_suppresses_its_unicode_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "name,email\nUser,USER@Exämple.org\nAna,ana@example.org\n",
    )
    .unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "@xn--exmple-cua.org\n").unwrap();
    let out = dir.path().join("out");
    let o = handout(&[
        &"build",
        &SEED,
        &"--recipients",
        &people,
        &"--eml",
        &"--transactional",
        &"--from",
        &FROM,
        &"-o",
        &out,
        &"-q",
        &"--suppress",
        &list,
    ]);
    assert_ok(&o);
    let outbox = std::fs::read_to_string(out.join("outbox.jsonl")).unwrap();
    assert_eq!(outbox.lines().count(), 1, "{outbox}");
    assert!(outbox.contains("ana@example.org"));
}

#[test]
fn a_list_with_a_line_that_is_not_an_address_stops_build_and_send() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "ana@example.org\nJo Smith\n").unwrap();
    let out = dir.path().join("out");
    let o = drafts(&out, &list);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "`Jo Smith` is not an email address");
    assert_stderr_has(&o, "list.txt:2:1");
    assert!(!out.join("outbox.jsonl").exists());

    let header = dir.path().join("header.csv");
    std::fs::write(&header, "Name,Phone\nAna,123\n").unwrap();
    let o = handout(&[&"check", &SEED, &"--suppress", &header]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(
        &o,
        "the header names no address column (it has `Name`, `Phone`)",
    );

    let empty_cell = dir.path().join("cells.csv");
    std::fs::write(&empty_cell, "name,email\nAna,ana@example.org\nJo,\n").unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, "").unwrap();
    assert_ok(&drafts(&out, &good));
    let o = handout(&[&"send", &out, &"--dry-run", &"--suppress", &empty_cell]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "cells.csv:3:1");
    assert!(String::from_utf8_lossy(&o.stdout).is_empty());
}
