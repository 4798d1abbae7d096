//! Print and email editions, the flyer, PDF standards and image output.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

/// The addresses the seed's links resolve to (see `links.base_url`).
fn seed_urls() -> BTreeSet<String> {
    let base = "https://example.com/";
    let mut urls: BTreeSet<String> = course_names(Path::new(SEED))
        .into_iter()
        .map(|(id, _)| format!("{base}courses/{id}"))
        .collect();
    urls.insert(base.to_string());
    urls
}

fn png_size_and_luma(path: &Path) -> (usize, usize, Vec<u8>) {
    let (w, h, pixels) = png_rgb(path);
    let luma = pixels
        .iter()
        .map(|&[r, g, b]| {
            ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
        })
        .collect();
    (w, h, luma)
}

fn decode_qr_codes(png: &Path) -> Vec<String> {
    let (w, h, luma) = png_size_and_luma(png);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

#[test]
fn print_qr_codes_decode_to_the_content_urls() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--edition",
        &"print",
        &"--format",
        &"png",
        &"--ppi",
        &"200",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    let mut found = BTreeSet::new();
    for entry in out_entries(dir.path()) {
        let path = entry.unwrap().path();
        assert_eq!(path.extension().unwrap(), "png");
        found.extend(decode_qr_codes(&path));
    }
    assert_eq!(found, seed_urls());
}

#[test]
fn print_edition_has_no_link_annotations_and_email_has_no_qr_codes() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--edition",
        &"print,email",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    let print = dir.path().join(format!("{SEED_ID}.pdf"));
    let email = dir.path().join(format!("{SEED_ID}--email.pdf"));

    let urls = |pdf: &Path| -> BTreeSet<String> {
        tool("pdfinfo", &[&"-url", &pdf])
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
            .collect()
    };
    assert_eq!(
        urls(&email),
        seed_urls(),
        "the email edition links every address"
    );
    assert!(urls(&print).is_empty(), "print has nothing to click");

    // QR codes carry alt text; the email edition has none.
    let has_qr = |pdf: &Path| {
        std::fs::read(pdf)
            .unwrap()
            .windows(11)
            .any(|w| w == b"QR code for")
    };
    assert!(has_qr(&print));
    assert!(!has_qr(&email));
    // Print shows the short address beside each code; it may break after
    // a slash.
    assert!(
        pdf_text(&print, None)
            .replace("/\n", "/")
            .contains("example.com/courses/mlops")
    );

    // Shown addresses copy as written: lines break after their slashes and
    // hyphens, with no zero-width spaces slipped in.
    for pdf in [&print, &email] {
        let text = pdf_text(pdf, None);
        assert!(!text.contains('\u{200b}'), "{}", pdf.display());
    }
}

#[test]
fn email_edition_is_small_and_well_labelled() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--all-goals",
        &"--edition",
        &"email",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    for pdf in pdfs_in(dir.path()) {
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(
            bytes.len() < 150 * 1024,
            "{} is {} bytes",
            pdf.display(),
            bytes.len()
        );
        let info = tool("pdfinfo", &[&pdf]);
        for line in [
            "Title:           AI Engineer vs ML Engineer",
            "Subject:         Modern AI Systems or Classical ML Engineering?",
            "Author:          School of Core AI Curriculum Team",
            "Keywords:        Career Comparisons, AI Engineer, ML Engineer",
            "Tagged:          yes",
        ] {
            assert!(
                info.contains(line),
                "{} lacks {line:?}:\n{info}",
                pdf.display()
            );
        }
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"pdfuaid:part>1<"), "not declared PDF/UA-1");
        // The catalog sits in a compressed object stream: read it as a
        // PDF reader does.
        let doc = lopdf::Document::load_mem(&bytes).expect("a PDF lopdf reads");
        let catalog = doc.catalog().unwrap();
        assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"en");
        let prefs = catalog.get(b"ViewerPreferences").unwrap();
        let prefs = match prefs {
            lopdf::Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
            other => other.as_dict().unwrap(),
        };
        assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    }
}

#[test]
fn pdf_standards_pass_typsts_checks() {
    let dir = tempfile::tempdir().unwrap();
    for standards in ["ua-1", "a-2b", "a-3b", "ua-1,a-2b", "none"] {
        let out = dir.path().join(standards.replace(',', "+"));
        for edition in ["print", "email"] {
            let o = handout(&[
                &"build",
                &SEED,
                &"--all-goals",
                &"--pdf-standard",
                &standards,
                &"--edition",
                &edition,
                &"-q",
                &"-o",
                &out,
            ]);
            assert_ok(&o);
        }
    }
    let bytes = std::fs::read(dir.path().join(format!("ua-1+a-2b/{SEED_ID}.pdf"))).unwrap();
    assert!(bytes.windows(16).any(|w| w == b"pdfaid:part>2</p"));
    // Two PDF/A standards cannot be combined.
    let o = handout(&[
        &"build",
        &SEED,
        &"--pdf-standard",
        &"a-2b,a-3b",
        &"-o",
        &dir.path().join("x"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "PDF standards");
}

#[test]
fn bleed_enlarges_the_page_and_sets_a_trim_box() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--bleed",
        &"3mm",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    let info = tool(
        "pdfinfo",
        &[&"-box", &dir.path().join(format!("{SEED_ID}.pdf"))],
    );
    let bleed = 3.0 * 72.0 / 25.4;
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .expect("a page size");
    let dims: Vec<f64> = size
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!((dims[0] - (595.276 + 2.0 * bleed)).abs() < 0.01, "{size}");
    assert!((dims[1] - (841.89 + 2.0 * bleed)).abs() < 0.01, "{size}");
    let trim = info
        .lines()
        .find(|l| l.starts_with("TrimBox:"))
        .expect("a TrimBox");
    let nums: Vec<f64> = trim
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    let want = [bleed, bleed, 595.276 + bleed, 841.89 + bleed];
    for (got, want) in nums.iter().zip(want) {
        assert!((got - want).abs() < 0.02, "{trim}");
    }
}

#[test]
fn the_flyer_is_one_page_on_a4_and_letter() {
    let dir = tempfile::tempdir().unwrap();
    for edition in ["print", "email"] {
        let out = dir.path().join(edition);
        assert_ok(&handout(&[
            &"build",
            &SEED,
            &"--all-goals",
            &"--layout",
            &"flyer",
            &"--paper",
            &"a4,us-letter",
            &"--edition",
            &edition,
            &"-q",
            &"-o",
            &out,
        ]));
        let pdfs = pdfs_in(&out);
        assert_eq!(pdfs.len(), 8);
        for pdf in pdfs {
            assert_eq!(page_count(&pdf), 1, "{}", pdf.display());
        }
    }
}

#[test]
fn the_duplex_flyer_is_two_pages_with_the_lists_on_the_back() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--all-goals",
        &"--layout",
        &"flyer-duplex",
        &"--paper",
        &"a4,us-letter",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    let pdfs = pdfs_in(dir.path());
    assert_eq!(pdfs.len(), 8);
    for pdf in pdfs {
        assert_eq!(page_count(&pdf), 2, "{}", pdf.display());
        let back = squash(&pdf_text(&pdf, Some((2, 2))));
        for s in [
            "Feature engineering",
            "Scikit-learn",
            "Which role is closer to LLM systems",
        ] {
            assert!(
                back.contains(&squash(s)),
                "{}: no {s:?} on the back",
                pdf.display()
            );
        }
    }
}

#[test]
fn several_layouts_render_in_one_job() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--layout",
        &"flyer,handout,flyer-duplex",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    let pages: Vec<(String, usize)> = pdfs_in(dir.path())
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, page_count(p))
        })
        .collect();
    let expected = [
        (format!("{SEED_ID}--flyer-duplex.pdf"), 2),
        (format!("{SEED_ID}--flyer.pdf"), 1),
        (format!("{SEED_ID}.pdf"), 4),
    ];
    assert_eq!(pages, expected);
    let o = handout(&[&"build", &SEED, &"--layout", &"handout,poster"]);
    assert_eq!(o.status.code(), Some(2));
    assert_stderr_has(&o, "no layout named `poster`");
}

#[test]
fn overflowing_the_page_budget_fails_and_names_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(&[
        &"build",
        &fixture("too-long-for-a-flyer.yaml"),
        &"--layout",
        &"flyer",
        &"-o",
        &dir.path(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("layout `flyer` produced 2 pages but allows 1"),
        "{err}"
    );
    assert!(err.contains("flyer.typ:"), "{err}");
    assert!(pdfs_in(dir.path()).is_empty());
    // The full handout has room for it.
    assert_ok(&handout(&[
        &"build",
        &fixture("too-long-for-a-flyer.yaml"),
        &"-q",
        &"-o",
        &dir.path(),
    ]));
}

#[test]
fn png_output_has_the_requested_pixel_size() {
    let dir = tempfile::tempdir().unwrap();
    for (ppi, paper, suffix, w_pt, h_pt) in [
        (72.0_f64, "a4", "", 595.276_f64, 841.89_f64),
        (150.0, "us-letter", "--us-letter", 612.0, 792.0),
    ] {
        let out = dir.path().join(format!("{ppi}"));
        let ppi_arg = ppi.to_string();
        assert_ok(&handout(&[
            &"build",
            &SEED,
            &"--format",
            &"png",
            &"--ppi",
            &ppi_arg,
            &"--paper",
            &paper,
            &"-q",
            &"-o",
            &out,
        ]));
        let first = out.join(format!("{SEED_ID}{suffix}-1.png"));
        let (w, h, _) = png_size_and_luma(&first);
        let scale = ppi / 72.0;
        assert_eq!(
            (w, h),
            (
                (w_pt * scale).round() as usize,
                (h_pt * scale).round() as usize
            ),
            "{ppi} ppi on {paper}"
        );
        let pages = out_entries(&out).count();
        assert!(pages >= 4, "one PNG per page");
    }
}

#[test]
fn svg_pages_and_thumbnails() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--format",
        &"svg",
        &"--thumbnail",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    let svg = std::fs::read_to_string(dir.path().join(format!("{SEED_ID}-1.svg"))).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..40]
    );
    let (w, _, _) = png_size_and_luma(&dir.path().join(format!("{SEED_ID}.thumb.png")));
    assert_eq!(w, 600);
}

/// Staff build for print, then for email, into the same folder: both stay.
#[test]
fn an_email_build_never_replaces_the_print_build() {
    let dir = tempfile::tempdir().unwrap();
    for edition in ["print", "email"] {
        assert_ok(&handout(&[
            &"build",
            &SEED,
            &"--edition",
            &edition,
            &"-q",
            &"-o",
            &dir.path(),
        ]));
    }
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"--paper",
        &"us-letter",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    let names: Vec<_> = pdfs_in(dir.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            format!("{SEED_ID}--email.pdf"),
            format!("{SEED_ID}--us-letter.pdf"),
            format!("{SEED_ID}.pdf"),
        ]
    );
    let print = pdf_text(&dir.path().join(format!("{SEED_ID}.pdf")), None);
    let email = pdf_text(&dir.path().join(format!("{SEED_ID}--email.pdf")), None);
    assert_ne!(print, email);
}

#[test]
fn a5_and_half_letter_are_papers_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[
        &"build",
        &SEED,
        &"-p",
        &"a5,half-letter",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    for (suffix, size) in [
        ("--a5.pdf", "419.528 x 595.276 pts"),
        ("--half-letter.pdf", "396 x 612 pts"),
    ] {
        let pdf = dir.path().join(format!("{SEED_ID}{suffix}"));
        let info = tool("pdfinfo", &[&pdf]);
        assert!(info.contains(size), "{suffix}: {info}");
        assert_all_strings_present(&root().join(SEED), &pdf);
    }
}

#[test]
fn qr_codes_line_up_in_every_course_card() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    // One course with a much longer address than the others.
    let file = dir.path().join("long.yaml");
    std::fs::write(
        &file,
        seed.patched(
            "    - id: mlops\n",
            "    - id: mlops\n      url: https://example.com/programmes/machine-learning-operations-evening?utm_source=flyer\n",
        ),
    )
    .unwrap();
    assert_ok(&handout(&[&"build", &file, &"-q", &"-o", &dir.path()]));
    let bbox = tool(
        "pdftotext",
        &[&"-bbox", &dir.path().join(format!("{SEED_ID}.pdf")), &"-"],
    );
    let starts: Vec<&str> = bbox
        .lines()
        .filter(|l| l.contains(">example.com/"))
        .filter_map(|l| l.split("xMin=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(starts.len(), 3, "{bbox}");
    assert!(starts.iter().all(|x| *x == starts[0]), "{starts:?}");
    // The printed address leaves out the query string; the QR code keeps it.
    assert!(!bbox.contains("utm_source"));
}

#[test]
fn a_link_can_print_a_short_text_while_its_qr_code_keeps_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let file = dir.path().join("seed.yaml");
    std::fs::write(
        &file,
        seed.patched(
            "next_step:\n  label: Next Step\n",
            "next_step:\n  label: Next Step\n  url: https://example.com/admissions/apply/ai-engineering/open-day-2026-spring-intake\n  link_text: example.com/apply\n",
        ),
    )
    .unwrap();
    assert_ok(&handout(&[
        &"build",
        &file,
        &"-l",
        &"handout,flyer",
        &"-q",
        &"-o",
        &dir.path(),
    ]));
    for name in [format!("{SEED_ID}.pdf"), format!("{SEED_ID}--flyer.pdf")] {
        let text = pdf_text(&dir.path().join(&name), None);
        assert!(text.contains("example.com/apply"), "{name}");
        assert!(!text.contains("spring-intake"), "{name}");
    }
}
