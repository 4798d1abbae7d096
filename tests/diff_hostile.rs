//! `handout diff` on inputs that are not what a build wrote: pipes, a PDF
//! missing or replaced, a report that lists a document twice, pages and
//! images made to take gigabytes. Each exits 2 with the file named, quickly
//! and within a memory limit.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn build(out: &Path, content: &Path) {
    assert_ok(&handout(&[
        &"build",
        &content,
        &"-o",
        &out,
        &"--report",
        &out.join("report.json"),
        &"-q",
    ]));
}

/// The seed in `dir/a`, and with one word of its last FAQ answer changed
/// in `dir/b`; the content files beside them.
fn two_builds(dir: &Path) -> (PathBuf, PathBuf) {
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let before = dir.join("before.yaml");
    let after = dir.join("after.yaml");
    std::fs::write(&before, &seed).unwrap();
    std::fs::write(
        &after,
        seed.replacen("Yes. A strong ML", "Yes. A solid ML", 1),
    )
    .unwrap();
    let (a, b) = (dir.join("a"), dir.join("b"));
    build(&a, &before);
    build(&b, &after);
    (a, b)
}

/// `handout diff` with a 1.5 GB address-space limit, ended if it runs
/// past a minute (a hang is the failure being tested, not a slow run).
fn diff(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.current_dir(root()).arg("diff");
    for a in args {
        cmd.arg(a);
    }
    // SAFETY: setrlimit is async-signal-safe, and nothing else runs
    // between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1536 << 20,
                rlim_max: 1536 << 20,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!(
                "diff {:?} hung",
                args.iter()
                    .map(|a| a.as_ref().to_owned())
                    .collect::<Vec<_>>()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn fifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

fn pdf_name() -> String {
    format!("{SEED_ID}.pdf")
}

#[test]
fn pipes_are_refused_like_every_other_command_does() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_builds(dir.path());

    let pipe = dir.path().join("pipe.yaml");
    fifo(&pipe);
    let o = diff(&[
        &a,
        &b,
        &"--content-before",
        &pipe,
        &"--content-after",
        &dir.path().join("after.yaml"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(&o, "pipe.yaml");
    assert_stderr_has(&o, "not a regular file");

    // The content file a report names, when the reports keep no copy of
    // it (as before they did).
    for report in [&a, &b] {
        let path = report.join("report.json");
        let mut json = read_json(&path);
        json.as_object_mut().unwrap().remove("content_files");
        std::fs::write(&path, json.to_string()).unwrap();
    }
    fifo(&dir.path().join("before.yaml"));
    let o = diff(&[&a, &b]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(&o, "before.yaml");

    // A report given by its path, and a JSON pipe in a folder.
    let report = dir.path().join("report.json");
    fifo(&report);
    let o = diff(&[&report, &b]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(&o, "not a regular file");
    fifo(&a.join("zz-extra.json"));
    let o = diff(&[&a, &b, &"--content-before", &dir.path().join("after.yaml")]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));

    // A PDF.
    fifo(&b.join(pdf_name()));
    let o = diff(&[&a, &b, &"--content-before", &dir.path().join("after.yaml")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(&o, &pdf_name());
}

/// A BEFORE report whose PDFs were not kept beside it, with its `output`
/// pointing at the file AFTER overwrote: never compared with itself.
#[test]
fn a_missing_or_replaced_pdf_is_an_error_not_a_comparison_with_itself() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let before = dir.path().join("before.yaml");
    let after = dir.path().join("after.yaml");
    std::fs::write(&before, &seed).unwrap();
    std::fs::write(
        &after,
        seed.replacen("Yes. A strong ML", "Yes. A solid ML", 1),
    )
    .unwrap();
    let out = dir.path().join("out");
    let reports = dir.path().join("reports");
    assert_ok(&handout(&[
        &"build",
        &before,
        &"-o",
        &out,
        &"--report",
        &reports.join("report.json"),
        &"-q",
    ]));
    assert_ok(&handout(&[
        &"build",
        &after,
        &"-o",
        &out,
        &"--report",
        &out.join("report.json"),
        &"-q",
    ]));
    let o = diff(&[&reports, &out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(
        &o,
        &format!("{}: it is missing", reports.join(pdf_name()).display()),
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("changed"));

    // A PDF replaced after its build.
    let (a, b) = two_builds(dir.path());
    std::fs::copy(b.join(pdf_name()), a.join(pdf_name())).unwrap();
    let o = diff(&[&a, &b]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(&o, "its sha256 is not the one its report gives");
}

#[test]
fn a_report_that_lists_a_document_twice_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_builds(dir.path());
    let path = b.join("report.json");
    let mut report = read_json(&path);
    let docs = report["documents"].as_array_mut().unwrap();
    docs.push(docs[0].clone());
    std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
    let o = diff(&[&a, &b]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(&o, &format!("{} is listed twice", pdf_name()));
}

/// Replaces the PDF of `b` with `pdf`, and its report's sha256 with the
/// new one, as a hostile or broken build would leave them.
fn swap_pdf(b: &Path, pdf: lopdf::Document) {
    use sha2::{Digest, Sha256};
    let mut pdf = pdf;
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes).unwrap();
    std::fs::write(b.join(pdf_name()), &bytes).unwrap();
    let path = b.join("report.json");
    let mut report = read_json(&path);
    report["documents"][0]["sha256"] = format!("{:x}", Sha256::digest(&bytes)).into();
    std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
}

/// One page of `size` points square placing `image`, if given.
fn pdf_with(size: i64, image: Option<(i64, i64)>) -> lopdf::Document {
    use lopdf::{Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.7");
    let mut resources = dictionary! {};
    let mut ops = b"0 0 1 rg 10 10 100 100 re f".to_vec();
    if let Some((w, h)) = image {
        let img = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
            },
            vec![0; 64],
        ));
        resources.set("XObject", dictionary! { "Im0" => img });
        ops.extend_from_slice(b" q 500 0 0 500 0 0 cm /Im0 Do Q");
    }
    let content = doc.add_object(Stream::new(dictionary! {}, ops));
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), size.into(), size.into()],
        "Resources" => resources,
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    doc
}

#[test]
fn huge_pages_are_drawn_smaller_and_huge_images_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_builds(dir.path());
    // A 14400 pt square page: drawn within the pixel cap, under 1.5 GB.
    swap_pdf(&b, pdf_with(14_400, None));
    let html = dir.path().join("html");
    let o = diff(&[&a, &b, &"--html", &html]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let shot = html.join("pages").join(format!("{SEED_ID}-p1-after.png"));
    let (w, h, _) = png_rgb(&shot);
    assert!(w * h <= 4_000_000 && w > 1000, "{w} × {h}");

    // A 20000 × 20000 image: refused by name before it is decoded.
    swap_pdf(&b, pdf_with(600, Some((20_000, 20_000))));
    let o = diff(&[&a, &b]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_stderr_has(&o, "page 1 of");
    assert_stderr_has(
        &o,
        "holds an image of 20000 × 20000 pixels, more than the 25 megapixel limit",
    );
}
