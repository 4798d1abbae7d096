//! Runs the real `handout` binary on the seed content and on fixtures, and
//! checks the PDFs with poppler's tools (installed by `scripts/test`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml::Value;

const SEED: &str = "content/ai-engineer-vs-ml-engineer.yaml";
const SEED_ID: &str = "ai-engineer-vs-ml-engineer";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

fn handout(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.current_dir(root()).env_remove("SOURCE_DATE_EPOCH");
    for a in args {
        cmd.arg(a);
    }
    cmd.output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

fn tool(name: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let mut cmd = Command::new(name);
    for a in args {
        cmd.arg(a);
    }
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for the tests (run scripts/test): {e}"));
    assert!(o.status.success(), "{name} failed: {}", stderr(&o));
    // Debian 12's poppler (22.02) wrongly rejects `/Suspects false` in the
    // MarkInfo of tagged PDFs, a valid boolean; anything else is a problem.
    let problems: Vec<_> = stderr(&o)
        .lines()
        .filter(|l| !l.contains("Suspects object is wrong type (boolean)"))
        .map(str::to_string)
        .collect();
    assert!(
        problems.is_empty(),
        "{name} reported problems: {problems:?}"
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Text in content-stream order, which keeps table cells whole.
fn pdf_text(pdf: &Path, pages: Option<(usize, usize)>) -> String {
    match pages {
        Some((f, l)) => tool(
            "pdftotext",
            &[
                &"-raw",
                &"-f",
                &f.to_string(),
                &"-l",
                &l.to_string(),
                &pdf,
                &"-",
            ],
        ),
        None => tool("pdftotext", &[&"-raw", &pdf, &"-"]),
    }
}

fn page_count(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[&pdf]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports pages")
}

/// Whitespace is removed entirely: line breaks may fall anywhere, including
/// after a hyphen.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every reader-facing string: all scalars except ids, references, URLs,
/// dates and language tags, and except mapping keys.
fn reader_strings(v: &Value, key: Option<&str>, out: &mut Vec<String>) {
    const SKIP: &[&str] = &["id", "option", "course", "url", "updated", "lang"];
    match v {
        Value::String(s) if !key.is_some_and(|k| SKIP.contains(&k)) => out.push(s.clone()),
        Value::Sequence(items) => items.iter().for_each(|i| reader_strings(i, None, out)),
        Value::Mapping(m) => {
            for (k, v) in m {
                reader_strings(v, k.as_str(), out);
            }
        }
        _ => {}
    }
}

fn strings_of(yaml: &Path) -> Vec<String> {
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(yaml).unwrap()).unwrap();
    let mut out = Vec::new();
    reader_strings(&v, None, &mut out);
    out
}

fn assert_all_strings_present(yaml: &Path, pdf: &Path) {
    let text = squash(&pdf_text(pdf, None));
    let missing: Vec<_> = strings_of(yaml)
        .into_iter()
        .filter(|s| !text.contains(&squash(s)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} lacks these strings from {}:\n{missing:#?}",
        pdf.display(),
        yaml.display()
    );
}

fn goals_of(yaml: &Path) -> Vec<(String, String, Option<String>)> {
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(yaml).unwrap()).unwrap();
    v["career_mapping"]["goals"]
        .as_sequence()
        .map(|gs| {
            gs.iter()
                .map(|g| {
                    (
                        g["id"].as_str().unwrap().to_string(),
                        g["goal"].as_str().unwrap().to_string(),
                        g["course"].as_str().map(str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn course_names(yaml: &Path) -> Vec<(String, String)> {
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(yaml).unwrap()).unwrap();
    v["course_fit"]["courses"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The seed rendered once with --all-goals, shared by the tests that read it.
fn seed_build() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        assert_ok(&handout(&[
            &"build",
            &SEED,
            &"--all-goals",
            &"--quiet",
            &"-o",
            &dir.path(),
        ]));
        dir
    })
    .path()
}

fn pdfs_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    v.sort();
    v
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
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), expected.len());
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
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        assert_ok(&handout(&[
            &"build",
            &SEED,
            &"--all-goals",
            &"--quiet",
            &"-o",
            &dir.path().join("again"),
        ]));
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
    for (file, min_pages) in [("three-options.yaml", 2), ("minimal.yaml", 1)] {
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
        assert!(!pdfs.is_empty());
        for pdf in &pdfs {
            assert_all_strings_present(&fixture(file), pdf);
            assert!(page_count(pdf) >= min_pages);
        }
        if file == "three-options.yaml" {
            assert_eq!(pdfs.len(), 3, "generic and two goals");
        }
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
        ("wrong-type.yaml", "11:7", "expected a map"),
        ("unknown-key.yaml", "15:7", "did you mean `answer`?"),
        ("dangling-id.yaml", "16:7", "unknown option `c`"),
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
    assert!(
        stderr(&o).contains("did you mean `modern-ai-systems`?"),
        "{}",
        stderr(&o)
    );
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
    let a4 = tool("pdfinfo", &[&dir.path().join(format!("{SEED_ID}--a4.pdf"))]);
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
