//! `handout diff`: two builds compared by their reports, with why each
//! document changed, and exit codes as `diff` has them.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

/// Builds `content` with `extra` into `dir/name`, with its report inside.
fn build(dir: &Path, name: &str, content: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]) -> PathBuf {
    let out = dir.join(name);
    let report = out.join("report.json");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"build", &content, &"-o", &out, &"--report", &report, &"-q"];
    args.extend_from_slice(extra);
    assert_ok(&handout(&args));
    out
}

fn diff(before: &Path, after: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]) -> (Output, String) {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"diff", &before, &after];
    args.extend_from_slice(extra);
    let o = handout(&args);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    (o, out)
}

/// The seed, edited by `edit`, as `dir/name`.
fn seed_with(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        edit(std::fs::read_to_string(root().join(SEED)).unwrap()),
    )
    .unwrap();
    path
}

/// The seed built as is into `dir/a`, and with one word of its last FAQ
/// answer changed ("strong" to "solid") into `dir/b`.
fn one_word_edit(dir: &Path) -> (PathBuf, PathBuf) {
    let before = seed_with(dir, "before.yaml", |s| s);
    let after = seed_with(dir, "after.yaml", |s| {
        s.replacen(
            "Yes. A strong ML engineering",
            "Yes. A solid ML engineering",
            1,
        )
    });
    (build(dir, "a", &before, &[]), build(dir, "b", &after, &[]))
}

#[test]
fn the_same_inputs_diff_as_identical_at_any_job_count() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join(SEED);
    let a = build(dir.path(), "a", &seed, &[&"--all-goals", &"-j", &"1"]);
    let b = build(dir.path(), "b", &seed, &[&"--all-goals", &"-j", &"2"]);
    let (o, out) = diff(&a, &b, &[]);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert_eq!(out, "0 of 4 handouts change; 4 are identical\n");
    // Two shards into one folder, each with its report, read as one build.
    let shards = dir.path().join("shards");
    for k in ["1/2", "2/2"] {
        let report = shards.join(format!("report-{}.json", &k[..1]));
        assert_ok(&handout(&[
            &"build",
            &seed,
            &"--all-goals",
            &"--shard",
            &k,
            &"-o",
            &shards,
            &"--report",
            &report,
            &"-q",
        ]));
    }
    let (o, out) = diff(&a, &shards, &[]);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert_eq!(out, "0 of 4 handouts change; 4 are identical\n");
}

#[test]
fn a_one_word_edit_is_a_content_change_at_its_yaml_path() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = one_word_edit(dir.path());
    let md = dir.path().join("pr.md");
    let json = dir.path().join("diff.json");
    let (o, out) = diff(&a, &b, &[&"--markdown", &md, &"--json", &json]);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.starts_with("1 of 1 handout change; 0 are identical\n"),
        "{out}"
    );
    assert!(out.contains("content (faq.entries[3].answer)"), "{out}");
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("| content | `faq.entries[3].answer` |"), "{md}");
    let json = read_json(&json);
    let d = &json["documents"][0];
    assert_eq!(d["change"], "changed");
    assert_eq!(d["causes"], serde_json::json!(["content"]));
    assert_eq!(
        d["yaml_paths"],
        serde_json::json!(["faq.entries[3].answer"])
    );
    // Found on its page, as one region, with the word that went and came.
    let pages = d["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 1, "{pages:?}");
    let p = &pages[0];
    assert_eq!(p["page"], 4);
    assert_eq!(p["regions"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["words_removed"], serde_json::json!(["strong"]));
    assert_eq!(p["words_added"], serde_json::json!(["solid"]));
    assert!(out.contains("(page 4)"), "{out}");
    // `--fail-on pages` cares only about page counts, `none` about nothing.
    assert_eq!(
        diff(&a, &b, &[&"--fail-on", &"pages"]).0.status.code(),
        Some(0)
    );
    assert_eq!(
        diff(&a, &b, &[&"--fail-on", &"none"]).0.status.code(),
        Some(0)
    );
}

#[test]
fn a_brand_colour_is_a_brand_change_and_a_component_a_layout_change() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join(SEED);
    let brand_dir = dir.path().join("brand");
    std::fs::create_dir_all(&brand_dir).unwrap();
    for f in ["_brand.yml", "logo.svg"] {
        std::fs::copy(root().join("examples/brand").join(f), brand_dir.join(f)).unwrap();
    }
    let brand = brand_dir.join("_brand.yml");
    let fonts: Vec<_> = std::fs::read_dir(root().join("examples/brand"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    for f in fonts {
        let to = brand_dir.join(f.file_name());
        std::fs::create_dir_all(&to).unwrap();
        for g in std::fs::read_dir(f.path()).unwrap().flatten() {
            std::fs::copy(g.path(), to.join(g.file_name())).unwrap();
        }
    }
    let a = build(dir.path(), "a", &seed, &[&"--brand", &brand]);
    let yml = std::fs::read_to_string(&brand).unwrap();
    std::fs::write(
        &brand,
        yml.replacen("pine: \"#1f5c4a\"", "pine: \"#2a6f5b\"", 1),
    )
    .unwrap();
    let b = build(dir.path(), "b", &seed, &[&"--brand", &brand]);
    let (o, out) = diff(&a, &b, &[]);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("changed, 4 pages; brand\n"), "{out}");

    // A component that moves everything is the layouts' doing.
    let layouts = dir.path().join("layouts");
    std::fs::create_dir_all(&layouts).unwrap();
    let theme = std::fs::read_to_string(root().join("layouts/components.typ")).unwrap();
    let moved = "  v(gap * 2, weak: true)\n  eyebrow(";
    let components = theme.replacen("  v(gap, weak: true)\n  eyebrow(", moved, 1);
    assert!(components.contains(moved));
    std::fs::write(layouts.join("components.typ"), components).unwrap();
    let c = build(
        dir.path(),
        "c",
        &seed,
        &[&"--brand", &brand, &"--layouts", &layouts],
    );
    let (_, out) = diff(&b, &c, &[]);
    assert!(out.contains("; layout\n"), "{out}");
}

#[test]
fn pages_gained_documents_added_and_removed_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let before = seed_with(dir.path(), "before.yaml", |s| s);
    // The FAQ eight times over runs past four pages.
    let after = dir.path().join("after.yaml");
    write_long_seed(&after);
    let a = build(dir.path(), "a", &before, &[&"--goal", &"production-ml"]);
    let b = build(dir.path(), "b", &after, &[]);
    let (o, out) = diff(&a, &b, &[&"--fail-on", &"pages"]);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.starts_with("0 of 2 handouts change; 1 added; 1 removed; 0 are identical"),
        "{out}"
    );
    let c = build(dir.path(), "c", &after, &[&"--goal", &"production-ml"]);
    let (o, out) = diff(&a, &c, &[&"--fail-on", &"pages"]);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("1 gain a page") || out.contains("4 → "),
        "{out}"
    );
    assert!(out.contains("faq.entries[4]"), "{out}");
}

#[test]
fn a_folder_without_a_report_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = build(dir.path(), "a", &root().join(SEED), &[]);
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (o, _) = diff(&a, &empty, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "has no build report");
    assert_stderr_has(&o, "--report");
}

#[test]
fn the_html_shows_each_changed_page_before_and_after_in_chromium() {
    let Some(browser) = chromium() else {
        return not_checked("chromium is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = one_word_edit(dir.path());
    let html = dir.path().join("review");
    let (o, _) = diff(&a, &b, &[&"--html", &html]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let pdf = dir.path().join("review.pdf");
    let o = headless(&browser, &dir.path().join("profile"))
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.join("index.html").display()))
        .output()
        .unwrap();
    assert!(pdf.exists(), "{}", String::from_utf8_lossy(&o.stderr));
    let images = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(&pdf)
        .output()
        .unwrap();
    let images = String::from_utf8_lossy(&images.stdout)
        .lines()
        .skip(2)
        // The two pages, kept lossless; Chromium flattens the outlines into
        // JPEGs of their own.
        .filter(|l| l.split_whitespace().nth(8) == Some("image"))
        .count();
    assert_eq!(images, 2, "the page before and after");
    let text = pdf_text(&pdf, None);
    for needle in [
        "Page 4",
        "Before",
        "After",
        "strong",
        "solid",
        "faq.entries[3].answer",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}

#[test]
fn a_layout_change_that_moves_everything_changes_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join(SEED);
    let a = build(dir.path(), "a", &seed, &[&"--pages", &"none"]);
    let layouts = dir.path().join("layouts");
    std::fs::create_dir_all(&layouts).unwrap();
    let theme = std::fs::read_to_string(root().join("layouts/theme.typ")).unwrap();
    let moved = theme.replacen("#let band-height = 4pt", "#let band-height = 9pt", 1);
    assert_ne!(moved, theme);
    std::fs::write(layouts.join("theme.typ"), moved).unwrap();
    let b = build(
        dir.path(),
        "b",
        &seed,
        &[&"--pages", &"none", &"--layouts", &layouts],
    );
    let json = dir.path().join("d.json");
    let (o, out) = diff(&a, &b, &[&"--json", &json]);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let d = &read_json(&json)["documents"][0];
    assert_eq!(d["causes"], serde_json::json!(["layout"]));
    assert_eq!(d["pages"].as_array().unwrap().len(), 5, "{d}");
}

#[test]
fn an_unreadable_pdf_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = one_word_edit(dir.path());
    std::fs::write(b.join(format!("{SEED_ID}.pdf")), b"%PDF-1.7 cut short").unwrap();
    let (o, _) = diff(&a, &b, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "cannot read the PDF");
}
