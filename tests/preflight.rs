//! Preflight for print: what a printer would flag, found in the laid-out
//! pages and reported as located warnings and in the report's `preflight`
//! list, and as errors with `--deny-warnings`.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Builds `content` with `extra` options into `dir/out`; the output and
/// the report's only document.
fn build(
    dir: &Path,
    content: &Path,
    extra: &[&dyn AsRef<std::ffi::OsStr>],
) -> (std::process::Output, serde_json::Value) {
    let report = dir.join("report.json");
    let out = dir.join("out");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"build", &content, &"--report", &report, &"-o", &out];
    args.extend_from_slice(extra);
    let o = handout(&args);
    let r = read_json(&report);
    (o, r["documents"][0].clone())
}

fn preflight(d: &serde_json::Value) -> Vec<String> {
    d["preflight"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// The built-in theme with `from` replaced by `to`, as a layouts folder.
fn theme_with(dir: &Path, changes: &[(&str, &str)]) -> PathBuf {
    let layouts = dir.join("layouts");
    std::fs::create_dir_all(&layouts).unwrap();
    let mut theme = std::fs::read_to_string(root().join("layouts/theme.typ")).unwrap();
    for (from, to) in changes {
        assert!(theme.contains(from), "{from}");
        theme = theme.replacen(from, to, 1);
    }
    std::fs::write(layouts.join("theme.typ"), theme).unwrap();
    layouts
}

#[test]
fn the_seed_passes_preflight() {
    let dir = tempfile::tempdir().unwrap();
    let (o, d) = build(
        dir.path(),
        &root().join(SEED),
        &[&"-p", &"a5", &"--bleed", &"3mm"],
    );
    assert_ok(&o);
    assert_eq!(preflight(&d), Vec::<String>::new());
    for paper in ["a4", "us-letter"] {
        let (o, d) = build(
            dir.path(),
            &root().join(SEED),
            &[&"-p", &paper, &"-l", &"handout,flyer"],
        );
        assert_ok(&o);
        assert_eq!(preflight(&d), Vec::<String>::new(), "{paper}");
    }
}

#[test]
fn a_small_png_logo_is_named_with_its_size_and_resolution() {
    let dir = tempfile::tempdir().unwrap();
    // A 200-pixel-wide logo, placed about 40 mm wide.
    let logo = image::RgbImage::from_pixel(200, 60, image::Rgb([30, 90, 70]));
    logo.save(dir.path().join("logo.png")).unwrap();
    std::fs::write(
        dir.path().join("_brand.yml"),
        "meta:\n  name: Northfield\nlogo:\n  images:\n    mark:\n      path: logo.png\n      alt: Northfield\n  medium: mark\n",
    )
    .unwrap();
    let content = dir.path().join("seed.yaml");
    std::fs::copy(root().join(SEED), &content).unwrap();
    let (o, d) = build(dir.path(), &content, &[]);
    assert_ok(&o);
    let found = preflight(&d);
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    assert!(p.contains("logo.png") && p.contains("200 × 60 px"), "{p}");
    assert!(p.contains("ppi") && p.contains("under 300 ppi"), "{p}");
    assert_stderr_has(&o, "logo.png");
    assert_stderr_has(&o, "or an SVG");
}

#[test]
fn a_qr_code_for_a_very_long_address_is_too_fine() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!(
        "base_url: https://northfield.example/{}/",
        "admissions/events/2026/autumn-open-day/handouts/".repeat(3)
    );
    let yaml = std::fs::read_to_string(root().join(SEED))
        .unwrap()
        .replacen("base_url: https://example.com/", &long, 1);
    let content = dir.path().join("long-links.yaml");
    std::fs::write(&content, yaml).unwrap();
    let (o, d) = build(dir.path(), &content, &[]);
    assert_ok(&o);
    let found = preflight(&d);
    assert!(!found.is_empty());
    // Every code too fine; none crowded, as the long address wraps beside it.
    assert!(
        found.iter().all(|p| p.contains("under 0.5 mm")),
        "{found:?}"
    );
    assert_stderr_has(&o, "a phone may not read it");
    assert_stderr_has(&o, "shorten the address");

    // An error with --deny-warnings, and no PDF.
    let strict = dir.path().join("strict");
    let o = handout(&[&"build", &content, &"--deny-warnings", &"-o", &strict]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "was not written because of warnings");
    assert!(pdfs_in(&strict).is_empty());
}

#[test]
fn text_near_the_trim_and_hairlines_are_found_with_a_theme_that_has_them() {
    let dir = tempfile::tempdir().unwrap();
    let layouts = theme_with(
        dir.path(),
        &[
            (
                "margin: (x: 17mm, top: 16mm, bottom: 20mm)",
                "margin: (x: 2mm, top: 16mm, bottom: 20mm)",
            ),
            ("hairline: 0.5pt,", "hairline: 0.1pt,"),
        ],
    );
    let (o, d) = build(
        dir.path(),
        &root().join(SEED),
        &[
            &"--layouts",
            &layouts,
            &"--bleed",
            &"3mm",
            &"--pages",
            &"none",
        ],
    );
    assert_ok(&o);
    let found = preflight(&d).join("\n");
    assert!(found.contains("within 3 mm of the trim edge"), "{found}");
    assert!(found.contains("0.10 pt thin"), "{found}");
    // Without bleed, the trim is not checked.
    let (_, d) = build(
        dir.path(),
        &root().join(SEED),
        &[&"--layouts", &layouts, &"--pages", &"none"],
    );
    assert!(!preflight(&d).join("\n").contains("trim edge"));
}
