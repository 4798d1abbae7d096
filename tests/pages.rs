//! Page budgets: the print handout aims at its layout's target of four
//! full pages by itself, `--pages N` renders it again at denser settings
//! until it fits or fails naming the sections over, and `--pages none`
//! keeps the normal density.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::*;

/// How far down the text area the lowest line of body text reaches on each
/// page, as a share, from `pdftotext -bbox`; the running footer aside.
fn fills(pdf: &Path) -> Vec<f64> {
    let html = tool("pdftotext", &[&"-bbox", &pdf, &"-"]);
    html.split("<page ")
        .skip(1)
        .map(|page| {
            let num = |l: &str, key: &str| -> Option<f64> {
                l.split(&format!("{key}=\""))
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse()
                    .ok()
            };
            let lines: Vec<(f64, f64)> = page
                .lines()
                .filter(|l| l.trim_start().starts_with("<word "))
                .filter_map(|l| Some((num(l, "yMin")?, num(l, "yMax")?)))
                .collect();
            // The footer is the lowest line; the body ends above it.
            let footer = lines.iter().map(|l| l.0).fold(0.0, f64::max);
            let top = lines.iter().map(|l| l.0).fold(f64::MAX, f64::min);
            let body = lines
                .iter()
                .filter(|l| l.1 < footer - 1.0)
                .map(|l| l.1)
                .fold(top, f64::max);
            // The text area runs from the first line to the footer's rule.
            (body - top) / (footer - 8.0 - top).max(1.0)
        })
        .collect()
}

/// Every page but the last at least 80 % full, the last at least 30 %.
fn assert_pages_full(pdf: &Path) {
    assert_filled(pdf, 0.8);
}

/// Every page but the last at least `least` full, the last at least 30 %.
fn assert_filled(pdf: &Path, least_but_last: f64) {
    let f = fills(pdf);
    for (i, fill) in f.iter().enumerate() {
        let least = if i + 1 == f.len() {
            0.3
        } else {
            least_but_last
        };
        assert!(
            *fill >= least,
            "{pdf:?}: page {} is {fill:.2} full ({f:?})",
            i + 1
        );
    }
}

#[test]
fn the_seed_fits_four_full_pages_on_a4_and_letter_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let o = handout(&[
        &"build",
        &SEED,
        &"--all-goals",
        &"-p",
        &"a4,us-letter",
        &"--report",
        &report,
        &"-q",
        &"-o",
        &dir.path().join("out"),
    ]);
    assert_ok(&o);
    let r = read_json(&report);
    let docs = r["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 8);
    for d in docs {
        let pdf = Path::new(d["output"].as_str().unwrap());
        assert_eq!(page_count(pdf), 4, "{pdf:?}");
        // Denser, but never past the theme's `densest-by-default`, whose
        // type is 90 % of the normal size.
        let density = d["density"].as_u64().unwrap();
        assert!((1..=5).contains(&density), "{d}");
        assert_eq!(d["notes"], serde_json::json!([]));
        assert_pages_full(pdf);
        assert_all_strings_present(&root().join(SEED), pdf);
    }
    // The density is predicted from the first compile's length.
    let compiles: u64 = docs.iter().map(|d| d["compiles"].as_u64().unwrap()).sum();
    assert!(compiles <= 2 * 8, "{compiles} compiles for 8 documents");
    assert_eq!(r["totals"]["denser"], 8);
}

#[test]
fn pages_none_and_the_email_edition_keep_the_normal_density() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--pages",
        &"none",
        &"--report",
        &report,
        &"-q",
        &"-o",
        &dir.path().join("print"),
    ]));
    let r = read_json(&report);
    assert_eq!(r["documents"][0]["density"], 0);
    assert_eq!(r["documents"][0]["pages"], 5);
    assert_eq!(r["totals"]["denser"], 0);

    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--edition",
        &"email",
        &"--report",
        &report,
        &"-q",
        &"-o",
        &dir.path().join("email"),
    ]));
    let r = read_json(&report);
    assert_eq!(r["documents"][0]["density"], 0);

    let o = handout(&[&"build", &SEED, &"--pages", &"some", &"-o", &dir.path()]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "expected a number of pages from 1, or `none`");
}

#[test]
fn content_too_long_for_four_pages_keeps_its_fewest_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.yaml");
    write_long_seed(&long);
    let report = dir.path().join("report.json");
    let o = handout(&[
        &"build",
        &long,
        &"--report",
        &report,
        &"-o",
        &dir.path().join("out"),
    ]);
    assert_ok(&o);
    let r = read_json(&report);
    let d = &r["documents"][0];
    assert_eq!(d["status"], "ok");
    assert!(d["pages"].as_u64().unwrap() > 4, "{d}");
    assert_eq!(d["density"], 5, "{d}");
    let note = d["notes"][0].as_str().unwrap();
    assert!(note.contains("over its target of 4"), "{note}");
    assert!(note.contains("--pages 4"), "{note}");
    // A note, not a warning: shown beside the line for the document.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("note: 5 pages") || out.contains("note: 6 pages"),
        "{out}"
    );
    assert!(!stderr(&o).contains("warning: layout"), "{}", stderr(&o));
}

#[test]
fn over_budget_errors_name_the_sections_on_the_extra_pages() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(&[&"build", &SEED, &"--pages", &"2", &"-o", &dir.path()]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "even at its densest setting but allows 1 to 2");
    assert_stderr_has(&o, "pages over: “");
    assert_stderr_has(&o, "(page 3)");
    assert_stderr_has(&o, "allow more pages with --pages");
    assert!(pdfs_in(dir.path()).is_empty());

    // The flyer's one-page budget says the same.
    let o = handout(&[
        &"build",
        &fixture("too-long-for-a-flyer.yaml"),
        &"-l",
        &"flyer",
        &"-o",
        &dir.path(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "1 page over: “");
    assert_stderr_has(&o, "(page 2)");
}

#[test]
fn a_nearly_empty_last_page_is_pulled_back_within_the_layouts_limit() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let content = fixture("three-options.yaml");
    assert_ok(&handout(&[
        &"build",
        &content,
        &"--all-goals",
        &"-p",
        &"a4,us-letter",
        &"--report",
        &report,
        &"-q",
        &"-o",
        &dir.path().join("out"),
    ]));
    let r = read_json(&report);
    for d in r["documents"].as_array().unwrap() {
        let pdf = Path::new(d["output"].as_str().unwrap());
        assert_pages_full(pdf);
        // The layout trims with type at 90 % at the least.
        assert!(d["density"].as_u64().unwrap() <= 5, "{d}");
        assert_all_strings_present(&content, pdf);
    }
    // The generic handout fits one page instead of spilling a FAQ entry.
    assert_eq!(r["documents"][0]["pages"], 1);
    assert!(r["totals"]["denser"].as_u64().unwrap() > 0);
}

#[test]
fn a5_packs_as_a4_does() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--all-goals",
        &"-p",
        &"a5",
        &"--report",
        &report,
        &"-q",
        &"-o",
        &dir.path().join("out"),
    ]));
    let r = read_json(&report);
    for d in r["documents"].as_array().unwrap() {
        let pdf = Path::new(d["output"].as_str().unwrap());
        // The target counts A4 pages: eight half sheets.
        assert!(page_count(pdf) <= 8, "{pdf:?}");
        assert_eq!(d["notes"], serde_json::json!([]));
        let f = fills(pdf);
        for (i, fill) in f.iter().enumerate().take(f.len() - 1) {
            assert!(
                *fill >= 0.7,
                "{pdf:?}: page {} is {fill:.2} full ({f:?})",
                i + 1
            );
        }
        assert_all_strings_present(&root().join(SEED), pdf);
    }
}

/// Content of another shape than the seed's, which the density lengths
/// were measured on: three options, in the fixture (one or two pages) and
/// in what `handout new --options 3` writes (three). Their goal variants
/// fill every page but the last as the seed's do.
#[test]
fn three_option_content_fills_its_pages_on_a4_and_letter() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    assert_ok(&handout(&[
        &"new",
        &"three-roles",
        &"--options",
        &"3",
        &"--dir",
        &content,
    ]));
    std::fs::copy(fixture("three-options.yaml"), content.join("fixture.yaml")).unwrap();
    let report = dir.path().join("report.json");
    assert_ok(&handout(&[
        &"build",
        &content,
        &"--all-goals",
        &"-p",
        &"a4,us-letter",
        &"--report",
        &report,
        &"-q",
        &"-o",
        &dir.path().join("out"),
    ]));
    let r = read_json(&report);
    let docs = r["documents"].as_array().unwrap();
    assert!(docs.len() >= 8, "{}", docs.len());
    for d in docs {
        let pdf = Path::new(d["output"].as_str().unwrap());
        assert_pages_full(pdf);
    }
}
