//! Authoring: the JSON Schema, scaffolding, watch mode, warnings and Unicode.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn the_committed_brand_schema_matches_the_model() {
    let o = handout(&[&"schema", &"brand"]);
    assert_ok(&o);
    let generated = String::from_utf8(o.stdout).unwrap();
    let committed = root().join("docs/brand.schema.json");
    if std::env::var_os("HANDOUT_BLESS").is_some() {
        std::fs::write(&committed, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/brand.schema.json is stale; run with HANDOUT_BLESS=1 to update it"
    );
}

#[test]
fn the_committed_schema_matches_the_model() {
    let o = handout(&[&"schema"]);
    assert_ok(&o);
    let generated = String::from_utf8(o.stdout).unwrap();
    let committed = root().join("docs/content.schema.json");
    if std::env::var_os("HANDOUT_BLESS").is_some() {
        std::fs::write(&committed, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&committed).unwrap();
    assert!(
        on_disk == generated,
        "docs/content.schema.json is stale; run with HANDOUT_BLESS=1 to update it"
    );

    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are errors"
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["id", "title", "options", "comparison"]);
    // Every top-level key of the seed is described.
    let seed: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join(SEED)).unwrap()).unwrap();
    for key in seed.as_mapping().unwrap().keys() {
        let key = key.as_str().unwrap();
        assert!(
            schema["properties"].get(key).is_some(),
            "the schema lacks `{key}`"
        );
    }
}

#[test]
fn new_scaffolds_content_that_passes_check_and_renders() {
    let dir = tempfile::tempdir().unwrap();
    for n in ["2", "3"] {
        let id = format!("new-comparison-{n}");
        assert_ok(&handout(&[
            &"new",
            &id,
            &"--options",
            &n,
            &"--dir",
            &dir.path(),
        ]));
        let file = dir.path().join(format!("{id}.yaml"));
        assert_ok(&handout(&[&"check", &file]));
        assert_ok(&handout(&[
            &"build",
            &file,
            &"--all-goals",
            &"-q",
            &"-o",
            &dir.path().join("out"),
        ]));
        // It refuses to overwrite.
        let o = handout(&[&"new", &id, &"--dir", &dir.path()]);
        assert_eq!(o.status.code(), Some(2));
    }
    let o = handout(&[&"new", &"Not An Id", &"--dir", &dir.path()]);
    assert_eq!(o.status.code(), Some(2));
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs `handout watch` with `args` in `dir` while `check` runs, then ends
/// it. `check` is given a test of the watch's stderr; the whole of it is
/// shown when `check` fails.
fn while_watching(dir: &Path, args: &[&str], check: impl FnOnce(&dyn Fn(&str) -> bool)) {
    let log = dir.join("stderr.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(dir)
        .arg("watch")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let log_says = |s: &str| {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains(s)
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&log_says)));
    child.kill().ok();
    child.wait().ok();
    if let Err(e) = result {
        eprintln!(
            "watch log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::panic::resume_unwind(e);
    }
}

#[test]
fn watch_rebuilds_on_change_and_survives_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.yaml");
    let seed = std::fs::read_to_string(fixture("minimal.yaml")).unwrap();
    std::fs::write(&file, &seed).unwrap();
    let pdf = dir.path().join("out/minimal.pdf");
    let text = |p: &Path| {
        if p.exists() {
            pdf_text(p, None)
        } else {
            String::new()
        }
    };
    while_watching(dir.path(), &["-q", "-o", "out", "page.yaml"], |log_says| {
        wait_for("the first build", Duration::from_secs(60), || {
            text(&pdf).contains("Tea vs Coffee")
        });

        std::fs::write(&file, seed.patched("Tea vs Coffee", "Tea vs Cocoa")).unwrap();
        wait_for("the rebuild", Duration::from_secs(60), || {
            text(&pdf).contains("Tea vs Cocoa")
        });

        // A broken save is reported and the last good PDF stays.
        std::fs::write(&file, seed.patched("title: Tea vs Coffee", "titel: Broken")).unwrap();
        wait_for("the error", Duration::from_secs(60), || {
            log_says("did you mean `title`?")
        });
        assert!(text(&pdf).contains("Tea vs Cocoa"));

        // And it goes on watching.
        std::fs::write(&file, seed.patched("Tea vs Coffee", "Tea vs Mate")).unwrap();
        wait_for("recovery", Duration::from_secs(60), || {
            text(&pdf).contains("Tea vs Mate")
        });
    });
}

#[test]
fn accented_greek_and_cyrillic_text_renders_with_the_bundled_fonts() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("unicode.yaml");
    let o = handout(&[&"build", &file, &"--deny-warnings", &"-o", &dir.path()]);
    assert_ok(&o);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert_all_strings_present(&file, &dir.path().join("unicode.pdf"));
}

#[test]
fn uncovered_scripts_are_named_in_a_warning_and_denied_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cjk.yaml");
    let yaml = std::fs::read_to_string(fixture("minimal.yaml"))
        .unwrap()
        .patched("name: Coffee", "name: 咖啡");
    std::fs::write(&file, yaml).unwrap();
    let names_them = |err: &str| {
        assert!(
            err.contains("warning: the bundled fonts cannot show"),
            "{err}"
        );
        assert!(
            err.contains("咖 (U+5496)") && err.contains("啡 (U+5561)"),
            "{err}"
        );
        assert!(err.contains("cjk.yaml:8:11"), "{err}");
    };
    // PDF/UA-1, the default, forbids text without glyphs.
    let o = handout(&[&"build", &file, &"-o", &dir.path().join("a")]);
    assert_eq!(o.status.code(), Some(1));
    names_them(&stderr(&o));
    assert_stderr_has(&o, "could not be displayed with font");
    // Without it, the PDF is written with the warning.
    let o = handout(&[
        &"build",
        &file,
        &"--pdf-standard",
        &"none",
        &"-o",
        &dir.path().join("b"),
    ]);
    assert_ok(&o);
    names_them(&stderr(&o));
    let o = handout(&[
        &"build",
        &file,
        &"--pdf-standard",
        &"none",
        &"--deny-warnings",
        &"-o",
        &dir.path().join("c"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.path().join("c/minimal.pdf").exists());
    // With --keep-going, a file with denied warnings is set aside like a
    // broken one, and the others are rendered.
    let o = handout(&[
        &"build",
        &file,
        &fixture("three-options.yaml"),
        &"--pdf-standard",
        &"none",
        &"--deny-warnings",
        &"--keep-going",
        &"-o",
        &dir.path().join("d"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "error: the bundled fonts cannot show 咖 (U+5496)");
    assert!(!dir.path().join("d/minimal.pdf").exists());
    assert!(dir.path().join("d/rust-vs-go-vs-zig.pdf").exists());
    let o = handout(&[&"check", &file]);
    assert_ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok, with 1 warning"));
}

#[test]
fn layout_warnings_are_shown_and_can_be_denied() {
    let dir = tempfile::tempdir().unwrap();
    let layouts = handout_layout(
        dir.path(),
        "#set document(title: \"t\")\n#set text(font: \"No Such Font\")\nHello\n",
    );
    let o = handout(&[
        &"build",
        &fixture("minimal.yaml"),
        &"--layouts",
        &layouts,
        &"-o",
        &dir.path().join("a"),
    ]);
    assert_ok(&o);
    assert_stderr_has(&o, "warning: unknown font family");
    assert_stderr_has(&o, "handout.typ:2:");
    let o = handout(&[
        &"build",
        &fixture("minimal.yaml"),
        &"--layouts",
        &layouts,
        &"--deny-warnings",
        &"-o",
        &dir.path().join("b"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(pdfs_in(&dir.path().join("b")).is_empty());
}

#[test]
fn watch_waits_for_a_file_that_does_not_exist_yet() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("later.yaml");
    let out = dir.path().join("out");
    // A relative path, as a user types it.
    while_watching(dir.path(), &["-q", "-o", "out", "later.yaml"], |log_says| {
        wait_for("the wait", Duration::from_secs(60), || {
            log_says("to appear")
        });
        std::fs::copy(fixture("minimal.yaml"), &file).unwrap();
        wait_for("the build", Duration::from_secs(60), || {
            out.join("minimal.pdf").exists()
        });
    });
}

#[test]
fn watch_rebuilds_when_a_brand_file_appears_or_changes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("minimal.yaml"), dir.path().join("page.yaml")).unwrap();
    let pdf = dir.path().join("out/minimal.pdf");
    let text = || {
        if pdf.exists() {
            pdf_text(&pdf, None)
        } else {
            String::new()
        }
    };
    let brand = dir.path().join("_brand.yml");
    while_watching(dir.path(), &["-q", "-o", "out", "page.yaml"], |_| {
        wait_for("the first build", Duration::from_secs(60), || {
            text().contains("Tea vs Coffee")
        });
        // The brand's name fills in the organisation the content lacks.
        std::fs::write(&brand, "meta:\n  name: Northfield College\n").unwrap();
        wait_for("the branded build", Duration::from_secs(60), || {
            text().contains("Northfield College")
        });
        std::fs::write(&brand, "meta:\n  name: Southfield College\n").unwrap();
        wait_for("the rebuild", Duration::from_secs(60), || {
            text().contains("Southfield College")
        });
    });
}

/// What `build` refuses, `watch` refuses too: at once, with exit 2, before
/// it watches anything or writes a file.
#[test]
fn watch_with_options_that_do_not_go_together_exits_2_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cases: [(&[&str], &str); 2] = [
        (
            &["--imposition", "booklet", "--layout", "flyer"],
            "--imposition booklet folds the handout, not other layouts",
        ),
        (
            &[
                "--recipients",
                "tests/fixtures/email/people.csv",
                "--eml",
                "--from",
                "a@example.org",
                "--paper",
                "a4,us-letter",
            ],
            "--eml writes one email per person",
        ),
    ];
    for (args, message) in cases {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
            .current_dir(root())
            .args(["watch", "content", "-o"])
            .arg(&out)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("watch kept running with {args:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(2), "{err}");
        assert!(err.contains(message), "{err}");
        assert!(!err.contains("watching"), "{err}");
        assert!(!out.exists(), "watch wrote files");
    }
}
