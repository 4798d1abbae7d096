//! Broken and hostile input: each gets a clear error or correct output, never
//! a panic, a hang or a partial file.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Builds `file` and checks it fails cleanly: exit 1, the message, no panic,
/// nothing in the output folder.
fn fails_cleanly(file: &Path, says: &str) -> Output {
    let out = file.with_extension("out");
    let o = handout(&[&"build", &file, &"-o", &out]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}: {err}", file.display());
    assert!(
        err.contains(says),
        "{}: expected `{says}` in\n{err}",
        file.display()
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !out.exists() || out_entries(&out).count() == 0,
        "{}: files were written",
        file.display()
    );
    o
}

fn minimal() -> String {
    std::fs::read_to_string(fixture("minimal.yaml")).unwrap()
}

#[test]
fn a_yaml_alias_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        yaml.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    let start = Instant::now();
    fails_cleanly(
        &write(dir.path(), "bomb.yaml", yaml),
        "repetition limit exceeded",
    );
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_deeply_nested_document_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let yaml = format!("id: x\ntitle: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    fails_cleanly(
        &write(dir.path(), "deep.yaml", yaml),
        "recursion limit exceeded",
    );
}

#[test]
fn a_50_mb_content_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = minimal();
    yaml.push_str("# ");
    yaml.push_str(&"x".repeat(50 * 1024 * 1024));
    let start = Instant::now();
    fails_cleanly(
        &write(dir.path(), "huge.yaml", yaml),
        "more than the 4 MB limit",
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn invalid_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"id: x\ntitle: caf".to_vec();
    bytes.extend([0xE9, b'\n']);
    fails_cleanly(&write(dir.path(), "latin1.yaml", bytes), "latin1.yaml:2:11");
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "\u{feff}{}",
        std::fs::read_to_string(root().join(SEED))
            .unwrap()
            .replace('\n', "\r\n")
    );
    let file = write(dir.path(), "windows.yaml", yaml);
    assert_ok(&handout(&[&"build", &file, &"-q", &"-o", &dir.path()]));
    let pdf = dir.path().join(format!("{SEED_ID}.pdf"));
    assert_all_strings_present(&root().join(SEED), &pdf);
    // And errors in such a file point at the right line.
    let broken = format!(
        "\u{feff}{}",
        minimal().patched("title:", "titel:").replace('\n', "\r\n")
    );
    let o = fails_cleanly(
        &write(dir.path(), "crlf.yaml", broken),
        "did you mean `title`?",
    );
    assert_stderr_has(&o, "crlf.yaml:3:1");
}

#[test]
fn an_empty_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    fails_cleanly(
        &write(dir.path(), "empty.yaml", ""),
        "content file is empty",
    );
    fails_cleanly(
        &write(dir.path(), "blank.yaml", "# only a comment\n\n"),
        "content file is empty",
    );
    fails_cleanly(
        &write(dir.path(), "list.yaml", "- a\n- b\n"),
        "content must be a mapping",
    );
}

#[test]
fn a_very_long_word_breaks_instead_of_overflowing() {
    let dir = tempfile::tempdir().unwrap();
    let word = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(6);
    let yaml = minimal()
        .patched("tea: Some", format!("tea: {word}"))
        .patched("title: Tea vs Coffee", format!("title: {word}"));
    let file = write(dir.path(), "long.yaml", yaml);
    assert_ok(&handout(&[&"build", &file, &"-q", &"-o", &dir.path()]));
    let pdf = dir.path().join("minimal.pdf");
    assert_all_strings_present(&file, &pdf);
    // Every word box ends inside the page (A4 is 595 pt wide).
    let boxes = tool("pdftotext", &[&"-bbox", &pdf, &"-"]);
    for x in boxes.split("xMax=\"").skip(1) {
        let x: f64 = x.split('"').next().unwrap().parse().unwrap();
        assert!(x < 595.0, "text reaches x = {x} pt, beyond the page");
    }
}

#[test]
fn empty_lists_render() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "{}quick_take: {{best_fit: []}}\nhow_to_choose: {{cards: []}}\nconfusion: {{reasons: []}}\ndefinitions: {{terms: []}}\n\
         skills: {{lists: {{}}}}\ntools: {{lists: {{tea: []}}}}\ncareer_mapping: {{goals: []}}\ncourse_fit: {{courses: []}}\n\
         related: {{items: []}}\nfaq: {{entries: []}}\n",
        minimal()
    );
    let file = write(dir.path(), "empty-lists.yaml", yaml);
    assert_ok(&handout(&[
        &"build",
        &file,
        &"--all-goals",
        &"--layout",
        &"handout",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    assert_ok(&handout(&[
        &"build",
        &file,
        &"--layout",
        &"flyer",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    assert_eq!(pdfs_in(dir.path()).len(), 2);
}

#[test]
fn duplicate_ids_and_duplicate_keys_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let dup_id = minimal().patched("id: coffee", "id: tea");
    let o = fails_cleanly(
        &write(dir.path(), "dup-id.yaml", dup_id),
        "option id `tea` is declared twice",
    );
    assert_stderr_has(&o, "dup-id.yaml:7:");
    let dup_key = minimal().patched("title: Tea vs Coffee", "title: Tea vs Coffee\ntitle: Again");
    let o = fails_cleanly(
        &write(dir.path(), "dup-key.yaml", dup_key),
        "duplicate entry with key \"title\"",
    );
    assert_stderr_has(&o, "dup-key.yaml:4:");
}

#[test]
fn a_layout_that_never_finishes_is_stopped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let layouts = endless_for_two_options(dir.path());
    let out = dir.path().join("out");
    let report = dir.path().join("report.json");
    let start = Instant::now();
    let o = handout(&[
        &"build",
        &fixture("three-options.yaml"),
        &fixture("minimal.yaml"),
        &"--layouts",
        &layouts,
        &"--timeout",
        &"2",
        &"--jobs",
        &"1",
        &"--report",
        &report,
        &"--pdf-standard",
        &"none",
        &"-o",
        &out,
    ]);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "not stopped in time"
    );
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "took longer than 2 s to render");
    assert_stderr_has(&o, "may never finish");
    assert_eq!(pdfs_in(&out).len(), 1, "the quick document is written");
    assert_eq!(out_entries(&out).count(), 1, "no temporary files are left");

    // CI still gets its report: the finished document and the late one.
    let json = read_json(&report);
    assert_eq!(report_statuses(&json), ["ok", "failed"]);
    let error = json["documents"][1]["errors"][0].as_str().unwrap();
    assert!(error.contains("took longer than 2 s"), "{error}");
    assert_eq!(json["totals"]["failed"], 1);
}

#[test]
fn an_output_folder_that_is_a_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "out", "x");
    let o = handout(&[&"build", &fixture("minimal.yaml"), &"-o", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "output folder");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// A named pipe where a file is expected is refused unread, never waited
/// on: as a content file, a brand file, an event, recipients or a template.
#[test]
fn pipes_are_refused_before_reading_and_nothing_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = |name: &str| {
        let path = dir.path().join(name);
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        path
    };
    let content = fifo("content.yaml");
    let brand = fifo("_brand.yml");
    let event = fifo("event.yaml");
    let people = fifo("people.csv");
    let start = Instant::now();
    let cases: Vec<(Vec<&dyn AsRef<std::ffi::OsStr>>, &str)> = vec![
        (vec![&"check", &content], "not a regular file"),
        (
            vec![&"check", &SEED, &"--brand", &brand],
            "not a regular file",
        ),
        (
            vec![&"check", &SEED, &"--event", &event],
            "not a regular file",
        ),
        (
            vec![&"check", &SEED, &"--recipients", &people],
            "not a regular file",
        ),
    ];
    for (args, says) in cases {
        let o = handout(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_stderr_has(&o, says);
    }
    assert!(start.elapsed() < Duration::from_secs(30));
}

/// A huge sparse font file is refused by its size before it is read, and a
/// font that is a symbolic link (as in Debian's font folders) is used.
#[test]
fn font_folders_check_sizes_first_and_follow_links() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = dir.path().join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    let huge = std::fs::File::create(fonts.join("huge.ttf")).unwrap();
    huge.set_len(20 * 1024 * 1024 * 1024).unwrap();
    let start = Instant::now();
    let o = handout(&[&"check", &SEED, &"--font-dir", &fonts]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "more than the 128 MB limit");
    assert!(!stderr(&o).contains("permission"), "{}", stderr(&o));

    let linked = dir.path().join("linked");
    std::fs::create_dir_all(&linked).unwrap();
    std::os::unix::fs::symlink(
        root().join("fonts/NotoSansArabic-Regular.ttf"),
        linked.join("arabic.ttf"),
    )
    .unwrap();
    let o = handout(&[&"check", &SEED, &"--font-dir", &linked]);
    assert_ok(&o);
}
