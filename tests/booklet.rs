//! `--imposition booklet`: the handout at A5 (or half letter), two pages to
//! each side of a landscape sheet in saddle-stitch order, with text kept as
//! text.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::*;

/// The A5 page number of each half of each sheet side, from the running
/// footers ("7 / 12"): `(left, right)`, counted from 1.
fn sides(pdf: &Path) -> Vec<(usize, usize)> {
    let html = tool("pdftotext", &[&"-bbox", &pdf, &"-"]);
    let mut out = Vec::new();
    for page in html.split("<page ").skip(1) {
        let width: f64 = page
            .split("width=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        let words: Vec<(f64, String)> = page
            .lines()
            .filter_map(|l| {
                let l = l.trim().strip_prefix("<word ")?;
                let x: f64 = l.split("xMin=\"").nth(1)?.split('"').next()?.parse().ok()?;
                let text = l[l.find('>')? + 1..l.find("</word>")?].to_string();
                Some((x, text))
            })
            .collect();
        let mut left = 0;
        let mut right = 0;
        for w in words.windows(3) {
            if w[1].1 == "/"
                && w[2].1.chars().all(|c| c.is_ascii_digit())
                && let Ok(n) = w[0].1.parse::<usize>()
            {
                if w[0].0 < width / 2.0 {
                    left = n;
                } else {
                    right = n;
                }
            }
        }
        out.push((left, right));
    }
    out
}

#[test]
fn the_seed_folds_into_three_sheets_in_saddle_stitch_order() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(&[
        &"build",
        &SEED,
        &"--imposition",
        &"booklet",
        &"-p",
        &"a4,us-letter",
        &"-q",
        &"-o",
        &dir.path(),
    ]);
    assert_ok(&o);
    for (name, size) in [
        (format!("{SEED_ID}--booklet.pdf"), "841.89 x 595.276 pts"),
        (
            format!("{SEED_ID}--us-letter--booklet.pdf"),
            "792 x 612 pts",
        ),
    ] {
        let pdf = dir.path().join(&name);
        let info = tool("pdfinfo", &[&pdf]);
        assert!(info.contains(size), "{name}: {info}");
        // At most three sheets, printed on both sides.
        let sides_count = page_count(&pdf);
        assert!(
            sides_count <= 6 && sides_count.is_multiple_of(2),
            "{name}: {sides_count}"
        );
        let pages = sides_count * 2;
        // Blank pages (no footer) only at the end, before the back cover.
        let expected: Vec<(usize, usize)> = (0..pages / 4)
            .flat_map(|s| [(pages - 2 * s, 2 * s + 1), (2 * s + 2, pages - 1 - 2 * s)])
            .collect();
        let found = sides(&pdf);
        for (got, want) in found.iter().zip(&expected) {
            for (g, w) in [(got.0, want.0), (got.1, want.1)] {
                assert!(
                    g == w || g == 0,
                    "{name}: sides {found:?}, expected {expected:?}"
                );
            }
        }
        // Every page with a footer is there once.
        let numbered: HashSet<usize> = found
            .iter()
            .flat_map(|&(l, r)| [l, r])
            .filter(|&n| n > 0)
            .collect();
        let last = *numbered.iter().max().unwrap();
        assert_eq!(numbered.len(), last, "{found:?}");
        assert!(pages - last < 4, "only the blanks a multiple of four needs");

        // Text stays text: every word of the content is in the text layer.
        let text: HashSet<String> = pdf_text(&pdf, None)
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
            .collect();
        let missing: Vec<String> = strings_of(&root().join(SEED))
            .iter()
            .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
            .filter(|w| !w.is_empty() && !text.contains(w) && !w.contains('-'))
            .collect();
        assert!(missing.is_empty(), "{name}: {missing:?}");
    }
}

#[test]
fn a_booklet_is_a_print_file_of_the_handout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    for extra in [
        &["--pdf-standard", "ua-1"][..],
        &["--layout", "flyer"][..],
        &["--edition", "email"][..],
        &["--paper", "a5"][..],
    ] {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"build", &SEED, &"--imposition", &"booklet", &"-o", &out];
        for e in extra {
            args.push(e);
        }
        let o = handout(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
    }
    assert!(pdfs_in(dir.path()).is_empty());
}
