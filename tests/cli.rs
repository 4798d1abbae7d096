//! Runs the real `handout` binary on the seed content and on fixtures, and
//! checks the PDFs with poppler's tools (installed by `scripts/test`).

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// Renders the seed handout and every goal variant into `out`.
fn build_seed_with_goals(out: &Path) {
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--all-goals",
        &"--quiet",
        &"-o",
        &out,
    ]));
}

/// The seed rendered once with --all-goals, shared by the tests that read it.
fn seed_build() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        build_seed_with_goals(dir.path());
        dir
    })
    .path()
}

#[test]
fn seed_builds_generic_handout_and_one_variant_per_goal() {
    let dir = seed_build();
    let mut expected = vec![format!("{SEED_ID}.pdf")];
    expected.extend(
        goals_of(Path::new(SEED))
            .iter()
            .map(|(id, ..)| format!("{SEED_ID}--{id}.pdf")),
    );
    expected.sort();
    let names: Vec<_> = pdfs_in(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expected);
    // Nothing else, such as temporary files, is left behind.
    assert_eq!(out_entries(dir).count(), expected.len());
}

#[test]
fn every_reader_facing_string_is_in_every_pdf() {
    let seed = root().join(SEED);
    let strings = strings_of(&seed);
    assert!(
        strings.len() > 100,
        "the seed has {} strings",
        strings.len()
    );
    for pdf in pdfs_in(seed_build()) {
        assert_all_strings_present(&seed, &pdf);
    }
}

#[test]
fn page_counts_are_in_the_layouts_range() {
    for pdf in pdfs_in(seed_build()) {
        let pages = page_count(&pdf);
        assert!(
            (4..=8).contains(&pages),
            "{} has {pages} pages",
            pdf.display()
        );
    }
}

#[test]
fn fonts_are_embedded_subsets_and_poppler_reads_the_pdfs() {
    for pdf in pdfs_in(seed_build()) {
        let fonts = tool("pdffonts", &[&pdf]);
        let rows: Vec<_> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "no fonts in {}", pdf.display());
        for row in rows {
            // Subset fonts are named with a six-letter tag, e.g. ABCDEF+Inter.
            let name = row.split_whitespace().next().unwrap();
            assert!(
                name.len() > 7 && name.as_bytes()[6] == b'+',
                "not a subset: {row}"
            );
            let cols: Vec<_> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(
                (cols[n - 5], cols[n - 4]),
                ("yes", "yes"),
                "not embedded as a subset: {row}"
            );
        }
        let info = tool("pdfinfo", &[&pdf]);
        assert!(
            info.contains("Title:           AI Engineer vs ML Engineer"),
            "{info}"
        );
        assert!(info.contains("Tagged:          yes"), "{info}");
        // The date comes from the content, never from the clock.
        assert!(
            info.contains("CreationDate:    Tue May 12 00:00:00 2026 UTC"),
            "{info}"
        );
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        build_seed_with_goals(&dir.path().join("again"));
        for pdf in pdfs_in(&dir.path().join("again")) {
            let first = seed_build().join(pdf.file_name().unwrap());
            assert!(
                std::fs::read(&pdf).unwrap() == std::fs::read(&first).unwrap(),
                "{} differs",
                pdf.display()
            );
        }
    }
}

#[test]
fn variants_open_with_the_goal_and_put_its_course_first() {
    let seed = Path::new(SEED);
    let courses = course_names(seed);
    let generic = seed_build().join(format!("{SEED_ID}.pdf"));
    let generic_first = squash(&pdf_text(&generic, Some((1, 1))));
    for (id, goal, course) in goals_of(seed) {
        let pdf = seed_build().join(format!("{SEED_ID}--{id}.pdf"));
        let first = squash(&pdf_text(&pdf, Some((1, 1))));
        assert!(
            first.contains(&squash(&goal)),
            "page 1 of {id} lacks its goal"
        );
        assert!(
            first.contains("Yourgoal"),
            "page 1 of {id} is not addressed to the reader"
        );
        assert!(!generic_first.contains("Yourgoal"));

        // On the course-fit page, the recommended course comes first and is marked.
        let text = squash(&pdf_text(&pdf, None));
        let heading = squash("Best School of Core AI course for your goal");
        let page = &text[text.find(&heading).expect("course-fit heading")..];
        let course = course.expect("every seed goal names a course");
        let name = squash(&courses.iter().find(|(cid, _)| *cid == course).unwrap().1);
        let first_course = courses
            .iter()
            .map(|(_, n)| (page.find(&squash(n)).unwrap(), squash(n)))
            .min()
            .unwrap()
            .1;
        assert_eq!(
            first_course, name,
            "{id}: the recommended course is not first"
        );
        assert!(
            page.contains("RECOMMENDEDFORYOURGOAL"),
            "{id}: the course is not marked"
        );
    }
}

#[test]
fn three_options_and_minimal_content_render() {
    // Each file's PDFs and their exact page counts: the generic three-way
    // handout fits one page; a goal variant's opening panel adds a second.
    let expected: [(&str, &[(&str, usize)]); 2] = [
        (
            "three-options.yaml",
            &[
                ("rust-vs-go-vs-zig--safety.pdf", 1),
                ("rust-vs-go-vs-zig--services.pdf", 1),
                ("rust-vs-go-vs-zig.pdf", 1),
            ],
        ),
        ("minimal.yaml", &[("minimal.pdf", 1)]),
    ];
    for (file, pdfs_and_pages) in expected {
        let dir = tempfile::tempdir().unwrap();
        assert_ok(&handout(&[
            &"build",
            &fixture(file),
            &"--all-goals",
            &"-q",
            &"-o",
            &dir.path(),
        ]));
        let pdfs = pdfs_in(dir.path());
        let found: Vec<(String, usize)> = pdfs
            .iter()
            .map(|pdf| {
                assert_all_strings_present(&fixture(file), pdf);
                let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
                (name, page_count(pdf))
            })
            .collect();
        let want: Vec<(String, usize)> = pdfs_and_pages
            .iter()
            .map(|(name, pages)| (name.to_string(), *pages))
            .collect();
        assert_eq!(found, want, "{file}");
    }
}

#[test]
fn typst_syntax_in_content_renders_literally() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("special-chars.yaml");
    assert_ok(&handout(&[&"build", &file, &"-o", &dir.path()]));
    let pdf = dir.path().join("special-chars.pdf");
    assert_all_strings_present(&file, &pdf);
    let text = pdf_text(&pdf, None);
    assert!(text.contains("= not a heading"), "{text}");
    assert!(text.contains("#panic(\"boom\") never runs"), "{text}");
}

#[test]
fn broken_content_fails_with_a_location_and_writes_nothing() {
    let cases = [
        ("syntax.yaml", "4:1", "invalid YAML"),
        ("wrong-type.yaml", "11:15", "expected a map"),
        ("unknown-key.yaml", "15:7", "did you mean `answer`?"),
        ("dangling-id.yaml", "16:15", "unknown option `c`"),
        ("missing-field.yaml", "6:5", "missing required field `name`"),
    ];
    for (file, at, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let path = format!("tests/fixtures/broken/{file}");
        let o = handout(&[&"build", &path, &"-o", &out]);
        assert_eq!(o.status.code(), Some(1), "{file}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{path}:{at}")),
            "{file}: no {path}:{at} in\n{err}"
        );
        assert!(err.contains(says), "{file}: no `{says}` in\n{err}");
        assert!(err.contains("hint:"), "{file}: no hint in\n{err}");
        assert!(
            !out.exists() || pdfs_in(&out).is_empty(),
            "{file}: a PDF was written"
        );
        // `check` reports the same.
        let o = handout(&[&"check", &path]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains(&format!("{path}:{at}")));
    }
}

#[test]
fn a_failed_build_keeps_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.yaml");
    std::fs::copy(fixture("minimal.yaml"), &file).unwrap();
    assert_ok(&handout(&[&"build", &file, &"-q", &"-o", &dir.path()]));
    let pdf = dir.path().join("minimal.pdf");
    let before = std::fs::read(&pdf).unwrap();
    let o = handout(&[
        &"build",
        &file,
        &"-q",
        &"-o",
        &dir.path(),
        &"--layouts",
        &fixture("bad-layout"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&pdf).unwrap(), before);
}

#[test]
fn layout_errors_show_the_layout_file_line_and_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(&[
        &"build",
        &fixture("minimal.yaml"),
        &"-o",
        &dir.path(),
        &"--layouts",
        &fixture("bad-layout"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad-layout/handout.typ:3:"), "{err}");
    assert!(err.contains("undefined-thing"), "no snippet in {err}");
    assert!(pdfs_in(dir.path()).is_empty());
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(&[
        &"build",
        &SEED,
        &"--goal",
        &"modern-ai-system",
        &"-o",
        &dir.path(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "did you mean `modern-ai-systems`?");
    let o = handout(&[&"build", &SEED, &"--paper", &"a3"]);
    assert_eq!(o.status.code(), Some(2));
    let o = handout(&[&"build", &SEED, &"--goal", &"x", &"--all-goals"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn us_letter_and_a4_page_sizes() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"-q",
        &"--paper",
        &"a4,us-letter",
        &"-o",
        &dir.path(),
    ]));
    let letter = tool(
        "pdfinfo",
        &[&dir.path().join(format!("{SEED_ID}--us-letter.pdf"))],
    );
    assert!(letter.contains("612 x 792 pts"), "{letter}");
    let a4 = tool("pdfinfo", &[&dir.path().join(format!("{SEED_ID}.pdf"))]);
    assert!(a4.contains("595.276 x 841.89 pts"), "{a4}");
}

#[test]
fn list_shows_goals_and_layouts() {
    let o = handout(&[&"list", &SEED]);
    assert_ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    for (id, ..) in goals_of(Path::new(SEED)) {
        assert!(out.contains(&id), "{out}");
    }
    assert!(out.contains("handout"), "{out}");
}

#[test]
fn layouts_cannot_read_outside_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    for layout in ["handout", "parent"] {
        let o = handout(&[
            &"build",
            &fixture("minimal.yaml"),
            &"-o",
            &dir.path(),
            &"--layouts",
            &fixture("escape-layout"),
            &"--layout",
            &layout,
        ]);
        assert_eq!(o.status.code(), Some(1), "{layout}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("escape-layout/{layout}.typ:2:")),
            "{err}"
        );
        assert!(!err.contains("--root"), "{err}");
    }
    assert!(pdfs_in(dir.path()).is_empty());
}

/// A folder with the seed, the fixtures that render, and the goal variants:
/// a small batch.
fn batch_inputs() -> Vec<PathBuf> {
    vec![
        root().join(SEED),
        fixture("three-options.yaml"),
        fixture("minimal.yaml"),
    ]
}

fn build_batch(out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"build", &"--all-goals", &"-q", &"-o", &out];
    let inputs = batch_inputs();
    for i in &inputs {
        args.push(i);
    }
    for e in extra {
        args.push(e);
    }
    handout(&args)
}

fn files_and_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    pdfs_in(dir)
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn output_is_identical_whatever_the_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    assert_ok(&build_batch(
        &one,
        &["--jobs", "1", "--paper", "a4,us-letter"],
    ));
    assert_ok(&build_batch(
        &two,
        &["--jobs", "2", "--paper", "a4,us-letter"],
    ));
    let (a, b) = (files_and_bytes(&one), files_and_bytes(&two));
    assert_eq!(a.len(), 2 * (4 + 3 + 1));
    assert!(a == b, "--jobs 1 and --jobs 2 differ");

    // Typst reuses cached layout across the documents of a batch; a document
    // rendered on its own must come out the same as in the middle of a batch.
    let alone = dir.path().join("alone");
    let o = handout(&[
        &"build",
        &fixture("minimal.yaml"),
        &"--paper",
        &"us-letter",
        &"-q",
        &"-o",
        &alone,
    ]);
    assert_ok(&o);
    let single = files_and_bytes(&alone);
    assert_eq!(single.len(), 1);
    let in_batch = a.iter().find(|(name, _)| name == "minimal--us-letter.pdf");
    assert!(
        in_batch.is_some_and(|(_, bytes)| *bytes == single[0].1),
        "minimal.pdf differs from minimal--us-letter.pdf of the batch"
    );
}

#[test]
fn shards_cover_every_document_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all");
    assert_ok(&build_batch(&all, &[]));
    let everything: Vec<String> = files_and_bytes(&all).into_iter().map(|(n, _)| n).collect();
    let mut union = Vec::new();
    for k in 1..=3 {
        let out = dir.path().join(format!("shard{k}"));
        let shard = format!("{k}/3");
        assert_ok(&build_batch(&out, &["--shard", &shard]));
        let names: Vec<String> = files_and_bytes(&out).into_iter().map(|(n, _)| n).collect();
        assert!(!names.is_empty(), "shard {shard} is empty");
        union.extend(names);
    }
    union.sort();
    assert_eq!(union, everything, "the shards overlap or miss documents");
    let o = handout(&[&"build", &SEED, &"--shard", &"4/3"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn keep_going_renders_the_rest_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    // A layout that fails for one content file only.
    let source = std::fs::read_to_string(root().join("layouts/handout.typ")).unwrap();
    let broken = source.patched(
        "#let data = json(\"/data.json\")",
        "#let data = json(\"/data.json\")\n#if data.content.id == \"minimal\" { panic(\"this one fails\") }",
    );
    let layouts = handout_layout(dir.path(), &broken);
    let out = dir.path().join("out");
    let report = dir.path().join("report.json");
    let o = build_batch(
        &out,
        &[
            "--keep-going",
            "--jobs",
            "1",
            "--layouts",
            layouts.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "this one fails");
    assert_stderr_has(&o, "1 of 8 documents failed");
    assert_eq!(pdfs_in(&out).len(), 7);
    let r = read_json(&report);
    assert_eq!(r["totals"]["failed"], 1);
    assert_eq!(r["totals"]["ok"], 7);

    // Without --keep-going, the job stops at the failure.
    let out = dir.path().join("stop");
    let o = handout(&[
        &"build",
        &fixture("minimal.yaml"),
        &SEED,
        &"--jobs",
        &"1",
        &"-o",
        &out,
        &"--layouts",
        &layouts,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        pdfs_in(&out).is_empty(),
        "the failing document comes first in the plan"
    );
}

#[test]
fn keep_going_sets_a_broken_content_file_aside() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    std::fs::copy(SEED, content.join("seed.yaml")).unwrap();
    std::fs::write(
        content.join("broken.yaml"),
        "id: broken\ntitle: [unclosed\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let report = dir.path().join("report.json");

    // By default nothing is rendered, and the error is located.
    let o = handout(&[&"build", &content, &"--all-goals", &"-q", &"-o", &out]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "broken.yaml:3:1");
    assert!(!out.exists(), "nothing is written");

    // With --keep-going the rest is rendered, and the job still fails.
    let o = handout(&[
        &"build",
        &content,
        &"--all-goals",
        &"-q",
        &"--keep-going",
        &"--report",
        &report,
        &"-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "broken.yaml:3:1");
    assert_stderr_has(&o, "1 content file was not rendered because of errors");
    assert_eq!(pdfs_in(&out).len(), 4);
    let r = read_json(&report);
    assert_eq!(r["totals"]["ok"], 4);
    assert_eq!(r["totals"]["unusable_content"], 1);
    let unusable = &r["unusable_content"][0];
    assert!(
        unusable["content"]
            .as_str()
            .unwrap()
            .ends_with("broken.yaml")
    );
    assert!(
        unusable["errors"][0]
            .as_str()
            .unwrap()
            .contains("broken.yaml:3:1")
    );
}

#[test]
fn the_report_matches_the_files_on_disk() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let report = dir.path().join("ci/report.json");
    assert_ok(&build_batch(&out, &["--report", report.to_str().unwrap()]));
    let r = read_json(&report);
    let docs = r["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 8);
    assert_eq!(r["totals"]["documents"], 8);
    assert_eq!(r["totals"]["ok"], 8);
    let mut total = 0;
    let mut sheets = 0;
    for d in docs {
        let path = PathBuf::from(d["output"].as_str().unwrap());
        // Print editions count their sheets, printed on both sides.
        match d["edition"].as_str().unwrap() {
            "print" => {
                let n = d["sheets"].as_u64().unwrap();
                assert_eq!(n, d["pages"].as_u64().unwrap().div_ceil(2));
                sheets += n;
            }
            _ => assert!(d["sheets"].is_null()),
        }
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(d["bytes"].as_u64().unwrap() as usize, bytes.len());
        let sha = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        assert_eq!(d["sha256"].as_str().unwrap(), sha);
        assert_eq!(d["pages"].as_u64().unwrap() as usize, page_count(&path));
        assert_eq!(d["status"], "ok");
        for key in [
            "content", "goal", "paper", "edition", "layout", "warnings", "ms",
        ] {
            assert!(d.get(key).is_some(), "no {key}");
        }
        total += bytes.len();
    }
    assert_eq!(r["totals"]["bytes"].as_u64().unwrap() as usize, total);
    assert_eq!(r["totals"]["sheets"].as_u64().unwrap(), sheets);
    assert!(sheets > 0);
}

#[test]
fn an_unusable_output_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let o = handout(&[&"build", &SEED, &"-o", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "is a file");

    let ro = dir.path().join("read-only");
    std::fs::create_dir(&ro).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    // Root may write anywhere; the check means something only for others.
    if std::fs::write(ro.join("probe"), "x").is_err() {
        let o = handout(&[&"build", &SEED, &"-o", &ro]);
        assert_eq!(o.status.code(), Some(1));
        assert_stderr_has(&o, "cannot write");
        assert_stderr_has(&o, "permission denied");
    }
    let o = handout(&[&"build", &SEED, &"-o", &file.join("below")]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "cannot create output folder");

    // A report that cannot be written fails before anything is rendered.
    let out = dir.path().join("out");
    for (report, says) in [
        (file.join("report.json"), "to --report"),
        (dir.path().to_path_buf(), "is a folder"),
    ] {
        let o = handout(&[&"build", &SEED, &"-o", &out, &"--report", &report]);
        assert_eq!(o.status.code(), Some(1));
        assert_stderr_has(&o, says);
        assert!(pdfs_in(&out).is_empty());
    }
}

#[test]
fn a_goal_id_cannot_escape_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(fixture("three-options.yaml"))
        .unwrap()
        .patched("id: safety", "id: ../../x");
    let file = dir.path().join("evil.yaml");
    std::fs::write(&file, yaml).unwrap();
    let out = dir.path().join("a/b");
    let o = handout(&[&"build", &file, &"--all-goals", &"-o", &out]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "is not a valid id");
    let o = handout(&[&"build", &SEED, &"--goal", &"../../x", &"-o", &out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("x.pdf").exists() && !dir.path().join("a/x.pdf").exists());
}

#[test]
fn globs_and_folders_expand_to_content_files() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(&[
        &"build",
        &"tests/fixtures/*-options.yaml",
        &"-q",
        &"-o",
        &dir.path(),
    ]);
    assert_ok(&o);
    assert_eq!(pdfs_in(dir.path()).len(), 1);
    let o = handout(&[
        &"build",
        &"tests/fixtures/nothing-*.yaml",
        &"-o",
        &dir.path(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_ejected_project_compiles_with_typst_to_the_same_document() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    assert_ok(&handout(&[
        &"eject",
        &SEED,
        &"--goal",
        &"predictive-models",
        &"--out",
        &project,
    ]));
    for file in [
        "main.typ",
        "handout.typ",
        "components.typ",
        "theme.typ",
        "data.json",
        "fonts/Inter-Regular.otf",
        "fonts/OFL.txt",
    ] {
        assert!(project.join(file).exists(), "no {file}");
    }
    let out = dir.path().join("out");
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--goal",
        &"predictive-models",
        &"-q",
        &"-o",
        &out,
    ]));
    let ours = out.join(format!("{SEED_ID}--predictive-models.pdf"));

    let Some(typst) = typst_cli() else {
        panic!("typst-cli is needed for this test; scripts/test installs it into .tools/");
    };
    let theirs = dir.path().join("typst.pdf");
    let o = Command::new(typst)
        .args(["compile", "--ignore-system-fonts", "--font-path"])
        .arg(project.join("fonts"))
        .arg(project.join("main.typ"))
        .arg(&theirs)
        .output()
        .unwrap();
    assert!(o.status.success(), "typst compile failed: {}", stderr(&o));
    assert_eq!(page_count(&theirs), page_count(&ours));
    assert_eq!(pdf_text(&theirs, None), pdf_text(&ours, None));
}

/// Every command that prints keeps going when its reader has gone (`| head`):
/// no panic, and the exit code of the work itself.
#[test]
fn output_into_a_closed_pipe_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("out");
    let eject = d.join("eject");
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["--help".into()],
        vec!["--version".into()],
        vec!["list".into(), SEED.into()],
        vec!["schema".into()],
        vec!["schema".into(), "brand".into()],
        vec!["check".into(), SEED.into()],
        vec!["check".into(), "tests/fixtures/broken".into()],
        vec![
            "build".into(),
            SEED.into(),
            "--all-goals".into(),
            "-j".into(),
            "1".into(),
            "-o".into(),
            out.clone().into(),
        ],
        vec!["eject".into(), SEED.into(), "--out".into(), eject.into()],
        vec!["new".into(), "a-vs-b".into(), "--dir".into(), d.into()],
    ];
    for args in runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
            .current_dir(root())
            .args(&args)
            .stdout(writer.try_clone().unwrap())
            .stderr(writer)
            .status()
            .unwrap();
        assert_ne!(status.code(), Some(101), "{args:?} panicked");
        assert!(status.code().is_some(), "{args:?} was killed: {status}");
    }
    assert_eq!(pdfs_in(&out).len(), 4, "the build went on");
}
