//! Pages staff open in a browser, opened in headless Chromium.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::process::Command;

use common::*;

/// The review sheet opens from disk with no server: Chromium shows a row
/// and page 1's picture for every draft. Printed to PDF, its pictures are
/// the images Chromium decoded.
#[test]
fn the_review_sheet_shows_every_draft_with_its_picture_in_chromium() {
    let Some(browser) = chromium() else {
        return not_checked("chromium is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_ok(
        &Command::new(env!("CARGO_BIN_EXE_handout"))
            .current_dir(root())
            .args([
                "build",
                SEED,
                "--recipients",
                "tests/fixtures/email/people.csv",
            ])
            .args(["--eml", "--transactional", "-q", "-o"])
            .arg(&out)
            .args([
                "--from",
                "Northfield Admissions <admissions@northfield.example>",
            ])
            .output()
            .unwrap(),
    );
    let print = |name: &str| {
        let pdf = dir.path().join(name);
        let o = headless(&browser, &dir.path().join("profile"))
            .arg("--no-pdf-header-footer")
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", out.join("outbox.html").display()))
            .output()
            .unwrap();
        assert!(pdf.exists(), "{}", String::from_utf8_lossy(&o.stderr));
        let images = Command::new("pdfimages")
            .arg("-list")
            .arg(&pdf)
            .output()
            .unwrap();
        let images = String::from_utf8_lossy(&images.stdout)
            .lines()
            .skip(2)
            .filter(|l| l.contains(" jpeg "))
            .count();
        (images, pdf_text(&pdf, None))
    };
    let (images, text) = print("sheet.pdf");
    assert_eq!(images, 3, "{text}");
    for who in [
        "Ana Lima",
        "ana@example.org",
        "jo@example.org",
        "Zoë Ñúñez",
        "3 drafts to send",
    ] {
        assert!(text.contains(who), "{who} is not on the sheet: {text}");
    }
    // The check sees a picture that is not there.
    let preview = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".preview.jpg"))
        .unwrap();
    std::fs::remove_file(preview).unwrap();
    assert_eq!(print("without-one.pdf").0, 2);
}
