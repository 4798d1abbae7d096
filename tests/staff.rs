//! What a new staff member runs into: regional languages, editions side by
//! side, placeholders, and first-run friction.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// `minimal.yaml` with `extra` lines added, written into `dir`.
fn minimal_with(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixture("minimal.yaml")).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("{text}{extra}")).unwrap();
    path
}

#[test]
fn languages_with_a_region_render() {
    let dir = tempfile::tempdir().unwrap();
    for tag in ["en-GB", "pt-BR", "de-CH-1996"] {
        let file = minimal_with(dir.path(), "page.yaml", &format!("lang: {tag}\n"));
        let out = dir.path().join(tag);
        assert_ok(&handout(&[&"check", &file]));
        assert_ok(&handout(&[&"build", &file, &"-q", &"-o", &out]));
        assert_eq!(pdfs_in(&out).len(), 1, "{tag}");
    }
    // Chinese words need a CJK font, which is not bundled: say so up front.
    let file = minimal_with(dir.path(), "page.yaml", "lang: zh-Hant-TW\n");
    for args in [vec!["check"], vec!["build", "-q", "-o"]] {
        let mut argv: Vec<&dyn AsRef<std::ffi::OsStr>> = args.iter().map(|a| a as _).collect();
        let out = dir.path().join("zh");
        if args.len() > 1 {
            argv.push(&out);
        }
        argv.push(&file);
        let o = handout(&argv);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_stderr_has(
            &o,
            "the layouts' words in `zh` need fonts the build does not have",
        );
        assert_stderr_has(&o, "Noto Sans CJK using --font-dir");
    }
}

#[test]
fn a_language_the_layouts_cannot_use_fails_check_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let file = minimal_with(dir.path(), "page.yaml", "lang: es-419\n");
    let o = handout(&[&"check", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "page.yaml:15:");
    assert_stderr_has(&o, "two-letter country code");
}

#[test]
fn placeholders_warn_with_locations_and_deny_warnings_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[&"new", &"tea-vs-coffee", &"--dir", &dir.path()]));
    let file = dir.path().join("tea-vs-coffee.yaml");
    let o = handout(&[&"check", &file]);
    assert_ok(&o);
    assert_stderr_has(&o, "`Your organisation` is placeholder text");
    assert_stderr_has(&o, "tea-vs-coffee.yaml:21:9");
    assert_stderr_has(&o, "`https://example.com/` is a placeholder address");
    assert!(String::from_utf8_lossy(&o.stdout).contains("warnings"));

    let out = dir.path().join("out");
    let o = handout(&[&"build", &file, &"--deny-warnings", &"-o", &out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.exists() || pdfs_in(&out).is_empty());

    // The seed's placeholder address warns too; real text does not.
    let o = handout(&[&"check", &SEED]);
    assert_ok(&o);
    assert_stderr_has(&o, "placeholder address");
    assert!(!stderr(&o).contains("placeholder text"), "{}", stderr(&o));
}

#[test]
fn new_with_option_names_fills_names_ids_and_references() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"new",
        &"ux-vs-pm",
        &"--option",
        &"UX Designer",
        &"--option",
        &"Product Manager",
        &"--dir",
        &dir.path(),
    ]));
    let file = dir.path().join("ux-vs-pm.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("title: UX Designer vs Product Manager"));
    assert!(text.contains("- id: ux-designer\n    name: UX Designer"));
    assert!(!text.contains("option-a") && !text.contains("Option A"));
    // The schema line points nowhere outside this repository; it is a note.
    assert!(!text.contains("$schema=../docs"));
    let o = handout(&[&"list", &file]);
    assert_ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("ux-designer"));
    assert_ok(&handout(&[
        &"build",
        &file,
        &"--all-goals",
        &"-q",
        &"-o",
        &dir.path().join("out"),
    ]));

    let o = handout(&[
        &"new",
        &"x",
        &"--option",
        &"Only one",
        &"--dir",
        &dir.path(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = handout(&[
        &"new",
        &"y",
        &"--option",
        &"A-B",
        &"--option",
        &"a b",
        &"--dir",
        &dir.path(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "both have the id `a-b`");
}

#[test]
fn eject_refuses_a_folder_with_files_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(project.join("theme.typ"), "// a designer's edits").unwrap();
    let o = handout(&[&"eject", &SEED, &"--out", &project]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "is not empty");
    assert_stderr_has(&o, "--force");
    assert_eq!(
        std::fs::read_to_string(project.join("theme.typ")).unwrap(),
        "// a designer's edits"
    );
    assert_ok(&handout(&[&"eject", &SEED, &"--out", &project, &"--force"]));
    assert!(project.join("main.typ").exists());
}

#[test]
fn list_takes_a_folder_and_puts_the_handout_first() {
    let o = handout(&[&"list", &"content/"]);
    assert_ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("modern-ai-systems"), "{out}");
    let layouts = out.split("layouts (for --layout):\n").nth(1).unwrap();
    assert_eq!(layouts, "  handout\n  flyer\n  flyer-duplex\n");
}

#[test]
fn a_bad_date_names_the_bad_part_and_the_caret_points_at_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = minimal_with(dir.path(), "page.yaml", "meta:\n  updated: 2026-13-40\n");
    let o = handout(&[&"check", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "month 13 does not exist");
    assert_stderr_has(&o, "page.yaml:16:12");
}

#[test]
fn counts_read_naturally_and_check_does_not_speak_of_writing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = handout(&[&"build", &"tests/fixtures/minimal.yaml", &"-o", &out]);
    assert_ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("(1 page,"), "{stdout}");

    let o = handout(&[
        &"check",
        &"tests/fixtures/broken/wrong-type.yaml",
        &"/tmp/none.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "2 errors");
    assert!(
        !stderr(&o).contains("nothing was written"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn goals_whose_course_does_not_fit_warn() {
    let dir = tempfile::tempdir().unwrap();
    let courses = "course_fit:\n  courses:\n    - id: green\n      name: Green tea course\n      option: tea\n    - id: espresso\n      name: Espresso course\n      option: coffee\n";
    let file = minimal_with(
        dir.path(),
        "page.yaml",
        &format!(
            "career_mapping:\n  goals:\n    - id: calm\n      goal: Stay calm\n      option: tea\n    - id: awake\n      goal: Stay awake\n      option: coffee\n      course: green\n{courses}"
        ),
    );
    let o = handout(&[&"check", &file]);
    assert_ok(&o);
    assert_stderr_has(&o, "goal `calm` names no course");
    assert_stderr_has(&o, "add `course: green`");
    assert_stderr_has(
        &o,
        "goal `awake` recommends `coffee`, but its course `green` leads toward `tea`",
    );
    assert_stderr_has(&o, "did you mean `course: espresso`");
}

#[test]
fn text_without_glyphs_fails_at_its_content_line_with_a_fix_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("minimal.yaml"))
        .unwrap()
        .patched("name: Coffee", "name: Coffee ☕");
    let file = dir.path().join("emoji.yaml");
    std::fs::write(&file, text).unwrap();
    let o = handout(&[&"build", &file, &"-o", &dir.path().join("a")]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let failure = err.split("failed").nth(1).expect("a failed document");
    assert!(failure.contains("emoji.yaml:8:11"), "{failure}");
    assert!(failure.contains("--pdf-standard none"), "{failure}");
    assert!(failure.contains("with --font-dir"), "{failure}");
    assert_ok(&handout(&[
        &"build",
        &file,
        &"--pdf-standard",
        &"none",
        &"-q",
        &"-o",
        &dir.path().join("b"),
    ]));
}

#[test]
fn check_reports_structure_and_reference_problems_in_one_pass() {
    let o = handout(&[
        &"check",
        &"tests/fixtures/broken/structure-and-references.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    for says in [
        "unknown field `answr`",
        "expected a map",
        "month 13 does not exist",
        "unknown option `c`",
        "course `nowhere`, which is not declared",
    ] {
        assert_stderr_has(&o, says);
    }
    assert_stderr_has(&o, "5 errors");
}
