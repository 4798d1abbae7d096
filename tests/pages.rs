//! Page budgets: `--pages N` renders the handout again at denser settings
//! until it fits, and fails naming the sections over when nothing does.

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
    let f = fills(pdf);
    for (i, fill) in f.iter().enumerate() {
        let least = if i + 1 == f.len() { 0.3 } else { 0.8 };
        assert!(
            *fill >= least,
            "{pdf:?}: page {} is {fill:.2} full ({f:?})",
            i + 1
        );
    }
}

#[test]
fn the_seed_fits_four_full_pages_on_a4_and_letter() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let o = handout(&[
        &"build",
        &SEED,
        &"--all-goals",
        &"-p",
        &"a4,us-letter",
        &"--pages",
        &"4",
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
        assert!(
            d["density"].as_u64().unwrap() > 0,
            "the seed needs a denser setting"
        );
        assert_pages_full(pdf);
        assert_all_strings_present(&root().join(SEED), pdf);
    }
    assert_eq!(r["totals"]["denser"], 8);
}

#[test]
fn without_a_budget_the_handout_keeps_its_normal_density() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--report",
        &report,
        &"-q",
        &"-o",
        &dir.path().join("out"),
    ]));
    let r = read_json(&report);
    assert_eq!(r["documents"][0]["density"], 0);
    assert_eq!(r["totals"]["denser"], 0);
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
        assert!(d["density"].as_u64().unwrap() <= 3, "{d}");
        assert_all_strings_present(&content, pdf);
    }
    // The generic handout fits one page instead of spilling a FAQ entry.
    assert_eq!(r["documents"][0]["pages"], 1);
    assert!(r["totals"]["denser"].as_u64().unwrap() > 0);
}
