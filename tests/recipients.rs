//! Personal handouts from a recipients file: one document per row, with
//! the person's name printed literally, and every row problem reported at
//! its line.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::*;

const PEOPLE: &str = "tests/fixtures/recipients/people.csv";

fn build(out: &Path, recipients: &str, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"build", &SEED, &"--recipients", &recipients, &"-o", &out];
    for e in extra {
        args.push(e);
    }
    handout(&args)
}

#[test]
fn every_row_problem_is_reported_at_its_line_and_nothing_is_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = build(&out, PEOPLE, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for (at, message) in [
        ("people.csv:7:28", "there is no goal `predictive-model`"),
        ("people.csv:8:13", "`bad@` is not an email address"),
        ("people.csv:9:15", "the email address holds a line break"),
        ("people.csv:11:1", "the name is empty"),
        ("people.csv:12:11", "`ZOE@example.org` is also on line 2"),
    ] {
        assert!(
            err.contains(at) && err.contains(message),
            "{at} {message}:\n{err}"
        );
    }
    assert!(err.contains("did you mean `predictive-models`?"), "{err}");
    assert!(!out.exists() || pdfs_in(&out).is_empty());
}

#[test]
fn with_keep_going_the_good_rows_render_with_their_names_printed_literally() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let report = dir.path().join("report.json");
    let o = build(
        &out,
        PEOPLE,
        &[
            "--keep-going",
            "-l",
            "handout,flyer",
            "--report",
            report.to_str().unwrap(),
            "-q",
        ],
    );
    // Set-aside rows make the build fail, as unusable content does.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("5 recipients were not rendered because of errors"),
        "{}",
        stderr(&o)
    );
    let people = [
        ("zoe-nunez", "Zoë Ñúñez", Some("modern-ai-systems")),
        ("o-brien-sean", "O'Brien, Seán", None),
        (
            "demetres-papadopoulos",
            "Δημήτρης Παπαδόπουλος",
            Some("predictive-models"),
        ),
        ("ol-ga-petrova", "Ольга Петрова", Some("production-ml")),
        (
            "set-page-width-1pt-ana-x-l-ref",
            "#set page(width: 1pt) *Ana* $x$ <l> @ref",
            None,
        ),
    ];
    let mut expected: Vec<String> = people
        .iter()
        .flat_map(|(slug, ..)| ["", "--flyer"].map(|l| format!("{SEED_ID}--for-{slug}{l}.pdf")))
        .collect();
    expected.sort();
    let mut written: Vec<String> = pdfs_in(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    for (slug, name, goal) in people {
        for layout in ["", "--flyer"] {
            let pdf = out.join(format!("{SEED_ID}--for-{slug}{layout}.pdf"));
            let page1 = squash(&pdf_text(&pdf, Some((1, 1))));
            assert!(
                page1.contains(&squash(&format!("Prepared for {name}"))),
                "{name}: {page1}"
            );
        }
        // The variant is the row's goal: its opening names the goal.
        let handout = pdf_text(
            &out.join(format!("{SEED_ID}--for-{slug}.pdf")),
            Some((1, 1)),
        );
        assert_eq!(handout.contains("Your goal"), goal.is_some(), "{name}");
    }

    let report = read_json(&report);
    let first = &report["documents"][0]["recipient"];
    assert!(
        first["line"].is_u64() && first["name"].is_string(),
        "{first}"
    );
    let aside = report["recipients_set_aside"].as_array().unwrap();
    let lines: Vec<u64> = aside.iter().map(|s| s["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [7, 8, 9, 11, 12]);
    assert_eq!(report["totals"]["recipients_set_aside"], 5);
}

#[test]
fn yaml_json_and_semicolon_files_work_too() {
    for (file, count) in [
        ("people.yaml", 2),
        ("people.json", 2),
        ("semicolons.csv", 2),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = format!("tests/fixtures/recipients/{file}");
        let o = build(dir.path(), &path, &["-q"]);
        assert_ok(&o);
        assert_eq!(pdfs_in(dir.path()).len(), count, "{file}");
    }
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&build(
        dir.path(),
        "tests/fixtures/recipients/semicolons.csv",
        &["-q"],
    ));
    let pdf = dir.path().join(format!("{SEED_ID}--for-smit-piet.pdf"));
    assert!(squash(&pdf_text(&pdf, Some((1, 1)))).contains(&squash("Prepared for Smit; Piet")));
}

#[test]
fn goals_and_recipients_do_not_mix_and_columns_must_be_ids() {
    let dir = tempfile::tempdir().unwrap();
    let o = build(dir.path(), PEOPLE, &["--all-goals"]);
    assert_eq!(o.status.code(), Some(2));
    let o = build(dir.path(), PEOPLE, &["--goal", "production-ml"]);
    assert_eq!(o.status.code(), Some(2));

    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "name,Home Town\nAna,Lisbon\n").unwrap();
    let o = build(&dir.path().join("out"), file.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("bad.csv:1:6") && err.contains("column `Home Town` is not an id"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn an_event_appears_on_the_flyer_and_the_cover_of_every_document() {
    let dir = tempfile::tempdir().unwrap();
    let o = build(
        dir.path(),
        "tests/fixtures/recipients/people.yaml",
        &[
            "--event",
            "tests/fixtures/recipients/event.yaml",
            "-l",
            "handout,flyer",
            "-q",
        ],
    );
    assert_ok(&o);
    let pdfs = pdfs_in(dir.path());
    assert_eq!(pdfs.len(), 4);
    for pdf in pdfs {
        let page1 = squash(&pdf_text(&pdf, Some((1, 1))));
        for text in [
            "Open Day: AI careers",
            "5 December 2026 · Main Building, 12 Harbour Road · Hall B",
            "Talk to Priya Shah · admissions@example.org · +44 20 7946 0000",
            "Bring this flyer to the *careers* desk for a free consultation.",
        ] {
            assert!(
                page1.contains(&squash(text)),
                "{}: {text}\n{page1}",
                pdf.display()
            );
        }
        assert_eq!(
            page_count(&pdf) == 1,
            pdf.to_string_lossy().contains("--flyer")
        );
    }
}

#[test]
fn a_bad_event_file_is_refused_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.yaml");
    for (text, at, message) in [
        (
            "name: Open Day\ndate: 5 December\nvenue: Hall\n",
            "event.yaml:2:7",
            "`5 December` is not a date",
        ),
        (
            "name: Open Day\ndate: 2026-12-05\nvenue: Hall\ncontact:\n  name: Priya\n  email: priya@\n",
            "event.yaml:6:10",
            "`priya@` is not an email address",
        ),
        (
            "name: Open Day\ndate: 2026-12-05\nvenu: Hall\n",
            "event.yaml:3:1",
            "did you mean `venue`?",
        ),
    ] {
        std::fs::write(&event, text).unwrap();
        let out = dir.path().join("out");
        let o = handout(&[&"build", &SEED, &"--event", &event, &"-o", &out]);
        assert_eq!(o.status.code(), Some(1), "{text}");
        let err = stderr(&o);
        assert!(
            err.contains(at) && err.contains(message),
            "{at} {message}\n{err}"
        );
        assert!(!out.exists());
    }
}

/// Writes `text` as a recipients file and checks it with the seed.
fn check_people(dir: &Path, name: &str, text: &str) -> std::process::Output {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    handout(&[&"check", &SEED, &"--recipients", &path])
}

/// Headers as spreadsheets write them never crash the reader, and what
/// would silently lose data is refused at its place.
#[test]
fn odd_headers_and_rows_are_refused_where_they_are_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, says) in [
        // A header cell with a line break, as Excel writes one.
        (
            "break.csv",
            "\"first\nname\",email\nAna,ana@example.org\n",
            "is not an id",
        ),
        // An escaped quote and a non-ASCII letter in a header cell.
        (
            "quote.csv",
            "name,\"é\"\"x\",email\nAna,1,ana@example.org\n",
            "is not an id",
        ),
        (
            "twice.csv",
            "name,email,name\nAna,ana@example.org,Bob\n",
            "column `name` appears twice",
        ),
        (
            "extra.csv",
            "name,email\nSmith, John,john@example.org\n",
            "line 2 has 3 fields",
        ),
    ] {
        let o = check_people(dir.path(), name, text);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(says), "{name}: expected {says}:\n{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = check_people(
        dir.path(),
        "twice.csv",
        "name,email,name\nAna,ana@example.org,Bob\n",
    );
    assert_stderr_has(&o, "twice.csv:1:12");
}

/// Row errors point at the right line whatever the line endings: LF, CRLF
/// (as Excel saves) or a quoted line break in an earlier row.
#[test]
fn row_errors_point_at_their_line_with_any_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let lf = "name,email\nAna,ana@example.org\n\"Bo\nB\",bo@example.org\nCy,bad@\n";
    let o = check_people(dir.path(), "lf.csv", lf);
    assert_stderr_has(&o, "lf.csv:5:4");
    let crlf = "name,email\r\nAna,ana@example.org\r\nBo,bo@example.org\r\nCy,bad@\r\n";
    let o = check_people(dir.path(), "crlf.csv", crlf);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "crlf.csv:4:4");
    // And the repeated-address message counts lines the same way.
    let again = "name,email\r\nAna,ana@example.org\r\nBo,bo@example.org\r\nAnn,ANA@example.org\r\n";
    let o = check_people(dir.path(), "again.csv", again);
    assert_stderr_has(&o, "is also on line 2");
    assert_stderr_has(&o, "again.csv:4:5");
}

/// Names whose file names would collide after numbering still get a file
/// each.
#[test]
fn names_that_slug_alike_get_a_file_each() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("jose.csv");
    std::fs::write(&people, "name\nJose\nJose\nJose 3\n").unwrap();
    let out = dir.path().join("out");
    let o = build(&out, people.to_str().unwrap(), &["-q"]);
    assert_ok(&o);
    assert_eq!(pdfs_in(&out).len(), 3);
}

/// Tens of thousands of bad rows are reported in linear time: each
/// diagnostic no longer indexes the whole file.
#[test]
fn many_bad_rows_are_reported_without_slowing_to_a_crawl() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("name,email\n");
    for i in 0..30_000 {
        text.push_str(&format!("P{i},bad{i}@\n"));
    }
    let start = std::time::Instant::now();
    let o = check_people(dir.path(), "many.csv", &text);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "many.csv:30001:");
    // A bound against a hang, far above the seconds this takes.
    assert!(start.elapsed() < std::time::Duration::from_secs(120));
}

/// Year 0 parses as a date, but no event is that old.
#[test]
fn an_event_in_year_zero_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.yaml");
    std::fs::write(&event, "name: Open day\ndate: 0000-01-01\nvenue: Hall\n").unwrap();
    let o = handout(&[&"check", &SEED, &"--event", &event]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "`0000-01-01` is not a date");
    assert_stderr_has(&o, "event.yaml:2:7");
    // A missing file is said in words, not as the system's error kind.
    for option in ["--event", "--recipients"] {
        let o = handout(&[&"check", &SEED, &option, &"missing.yaml"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_stderr_has(&o, "no such file");
        assert!(!stderr(&o).contains("entity not found"), "{}", stderr(&o));
    }
}
