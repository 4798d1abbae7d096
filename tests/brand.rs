//! Brand themes: a brand.yml file puts a school's logo, colours and fonts on
//! every handout, is found beside the content, and is refused, with its
//! location, when it would make the output depend on the machine or break.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const EXAMPLE: &str = "examples/brand/_brand.yml";
/// The crest's colour, used nowhere else on the page.
const LOGO: [u8; 3] = [0x0e, 0x7c, 0x86];
/// The example's primary colour, which headings take.
const PINE: [u8; 3] = [0x1f, 0x5c, 0x4a];

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 12)
}

/// Pixels close to `color` in the top fifth of a PNG, and in all of it.
fn count(png: &Path, color: [u8; 3]) -> (usize, usize) {
    let (w, h, px) = png_rgb(png);
    let top = px[..w * (h / 5)]
        .iter()
        .filter(|p| near(**p, color))
        .count();
    let all = px.iter().filter(|p| near(**p, color)).count();
    (top, all)
}

/// Runs the binary in `dir`, for finding `_brand.yml` from there.
fn handout_in(dir: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.current_dir(dir).env_remove("SOURCE_DATE_EPOCH");
    for a in args {
        cmd.arg(a);
    }
    cmd.output().expect("the binary runs")
}

/// Page 1 of the handout and the flyer as small PNGs.
fn first_pages(brand: Option<&str>) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_path_buf();
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"build",
        &SEED,
        &"-l",
        &"handout,flyer",
        &"--format",
        &"png",
        &"--ppi",
        &"40",
        &"-q",
        &"-o",
        &out,
    ];
    if let Some(b) = &brand {
        args.push(&"--brand");
        args.push(b);
    }
    assert_ok(&handout(&args));
    let pages = ["", "--flyer"]
        .iter()
        .map(|s| out.join(format!("{SEED_ID}{s}-1.png")))
        .collect();
    (dir, pages)
}

/// Builds the seed's handout with the example brand into `out`.
fn build_seed_branded(out: &Path) {
    assert_ok(&handout(&[
        &"build", &SEED, &"--brand", &EXAMPLE, &"-q", &"-o", &out,
    ]));
}

#[test]
fn the_example_brand_puts_its_logo_colours_and_font_on_the_handout_and_the_flyer() {
    let (_keep, branded) = first_pages(Some(EXAMPLE));
    let (_keep2, plain) = first_pages(None);
    for (b, p) in branded.iter().zip(&plain) {
        let (logo_top, logo_all) = count(b, LOGO);
        assert!(logo_top > 40, "no logo at the top of {}", b.display());
        assert!(
            logo_all < logo_top + 10,
            "logo colour below the top of {}",
            b.display()
        );
        assert_eq!(
            count(p, LOGO).1,
            0,
            "logo colour without a brand in {}",
            p.display()
        );
        assert!(
            count(b, PINE).1 > 100,
            "primary colour unused in {}",
            b.display()
        );
        assert_eq!(count(p, PINE).1, 0);
    }

    let dir = tempfile::tempdir().unwrap();
    build_seed_branded(dir.path());
    let pdf = dir.path().join(format!("{SEED_ID}.pdf"));
    let fonts = tool("pdffonts", &[&pdf]);
    assert!(fonts.contains("LibertinusSerif-Bold"), "{fonts}");
    // The default export is PDF/UA-1, which needs the logo's alt text.
    let info = tool("pdfinfo", &[&pdf]);
    assert!(info.contains("Tagged:          yes"), "{info}");
}

#[test]
fn same_bytes_at_any_jobs_and_in_worker_processes_with_a_brand() {
    let dir = tempfile::tempdir().unwrap();
    let mut sums = Vec::new();
    for (jobs, workers) in [("1", "threads"), ("2", "threads"), ("3", "processes")] {
        let out = dir.path().join(format!("{jobs}-{workers}"));
        let o = Command::new(env!("CARGO_BIN_EXE_handout"))
            .current_dir(root())
            .env("HANDOUT_WORKERS", workers)
            .args([
                "build",
                SEED,
                "--all-goals",
                "-l",
                "handout,flyer",
                "--brand",
                EXAMPLE,
                "-q",
                "-j",
                jobs,
                "-o",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_ok(&o);
        let files: Vec<Vec<u8>> = pdfs_in(&out)
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        assert_eq!(files.len(), 8);
        sums.push(files);
    }
    assert!(sums.windows(2).all(|w| w[0] == w[1]));
}

/// A school folder: the example brand as `_brand.yml`, and the seed in a
/// content folder below it.
fn school() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let school = dir.path().join("school");
    std::fs::create_dir_all(school.join("content/events")).unwrap();
    std::fs::create_dir_all(school.join("fonts")).unwrap();
    let example = root().join("examples/brand");
    for f in [
        "_brand.yml",
        "logo.svg",
        "fonts/LibertinusSerif-Bold.otf",
        "fonts/LibertinusSerif-Regular.otf",
    ] {
        std::fs::copy(example.join(f), school.join(f)).unwrap();
    }
    std::fs::copy(root().join(SEED), school.join("content/events/seed.yaml")).unwrap();
    dir
}

#[test]
fn a_brand_file_is_found_in_a_parent_folder_and_brand_overrides_it() {
    let dir = school();
    let content = "school/content/events/seed.yaml";
    let o = handout_in(dir.path(), &[&"list", &content]);
    assert_ok(&o);
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(listed.contains("brand: school/_brand.yml"), "{listed}");

    std::fs::write(
        dir.path().join("plain.yml"),
        "color:\n  primary: \"#5a2d82\"\n",
    )
    .unwrap();
    let o = handout_in(dir.path(), &[&"list", &content, &"--brand", &"plain.yml"]);
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(listed.contains("brand: plain.yml"), "{listed}");

    // From inside the content folder, the school's brand is above the
    // current directory and is not looked for.
    let o = handout_in(
        &dir.path().join("school/content"),
        &[&"list", &"events/seed.yaml"],
    );
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(listed.contains("brand: the built-in theme"), "{listed}");

    // The nearest brand file wins, and a build of the folder never reads it
    // as content.
    let events = dir.path().join("school/content/events");
    std::fs::write(
        events.join("_brand.yml"),
        "color:\n  primary: \"#5a2d82\"\n",
    )
    .unwrap();
    let o = handout_in(dir.path(), &[&"list", &content]);
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        listed.contains("brand: school/content/events/_brand.yml"),
        "{listed}"
    );
    let o = handout_in(
        dir.path(),
        &[&"build", &"school/content/events", &"-q", &"-o", &"out"],
    );
    assert_ok(&o);
    assert_eq!(pdfs_in(&dir.path().join("out")).len(), 1);
}

#[test]
fn an_ejected_branded_project_compiles_with_typst_to_the_same_document() {
    let Some(typst) = typst_cli() else {
        panic!("typst-cli is needed for this test; scripts/test installs it into .tools/");
    };
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    assert_ok(&handout(&[
        &"eject", &SEED, &"--brand", &EXAMPLE, &"--out", &project,
    ]));
    assert!(project.join("brand/logo.svg").exists());
    assert!(project.join("fonts/LibertinusSerif-Bold.otf").exists());
    let ejected = dir.path().join("ejected.pdf");
    let o = Command::new(typst)
        .arg("compile")
        .arg("--font-path")
        .arg(project.join("fonts"))
        .arg("--ignore-system-fonts")
        .arg(project.join("main.typ"))
        .arg(&ejected)
        .output()
        .unwrap();
    assert_ok(&o);
    build_seed_branded(dir.path());
    let built = dir.path().join(format!("{SEED_ID}.pdf"));
    assert_eq!(page_count(&ejected), page_count(&built));
    assert_eq!(pdf_text(&ejected, None), pdf_text(&built, None));
    assert!(tool("pdffonts", &[&ejected]).contains("LibertinusSerif-Bold"));
}

#[test]
fn brand_schema_describes_brand_files() {
    let o = handout(&[&"schema", &"brand"]);
    assert_ok(&o);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["meta", "logo", "color", "typography", "defaults"] {
        assert!(schema["properties"][key].is_object(), "{key}");
    }
    let content: serde_json::Value = serde_json::from_slice(&handout(&[&"schema"]).stdout).unwrap();
    assert!(content["properties"]["comparison"].is_object());
}

/// Files to place beside a brand file: (path, bytes).
type Files<'a> = Vec<(&'a str, Vec<u8>)>;

/// A brand folder holding `brand` as `_brand.yml` and the given files.
fn brand_folder(brand: &str, files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("brand");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(b.join("_brand.yml"), brand).unwrap();
    for (name, bytes) in files {
        let path = b.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Builds a content file that has no warnings of its own with the brand
/// folder's `_brand.yml`.
fn build_with(dir: &Path, extra: &[&str]) -> Output {
    let brand = dir.join("brand/_brand.yml");
    let out = dir.join("out");
    let content = fixture("three-options.yaml");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"build", &content, &"--brand", &brand, &"-o", &out];
    for e in extra {
        args.push(e);
    }
    handout(&args)
}

/// Inter with the licence flag that forbids embedding (OS/2 fsType 2).
fn restricted_font() -> Vec<u8> {
    let mut font = std::fs::read(root().join("fonts/Inter-Regular.otf")).unwrap();
    let tables = u16::from_be_bytes([font[4], font[5]]) as usize;
    let os2 = (0..tables)
        .map(|i| 12 + 16 * i)
        .find(|&r| &font[r..r + 4] == b"OS/2")
        .map(|r| u32::from_be_bytes(font[r + 8..r + 12].try_into().unwrap()) as usize)
        .unwrap();
    font[os2 + 8..os2 + 10].copy_from_slice(&2u16.to_be_bytes());
    font
}

fn base64_of(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A small PNG whose header claims `side` × `side` pixels: decoding it
/// would take gigabytes.
fn pixel_bomb(side: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A font collection of `fonts`, as a `.ttc` file holds them.
fn collection(fonts: &[Vec<u8>]) -> Vec<u8> {
    let header = 12 + 4 * fonts.len();
    let mut out = b"ttcf".to_vec();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&(fonts.len() as u32).to_be_bytes());
    let mut at = header;
    let mut bodies = Vec::new();
    for font in fonts {
        out.extend_from_slice(&(at as u32).to_be_bytes());
        let mut body = font.clone();
        let tables = u16::from_be_bytes([body[4], body[5]]) as usize;
        for i in 0..tables {
            let r = 12 + 16 * i + 8;
            let offset = u32::from_be_bytes(body[r..r + 4].try_into().unwrap()) as usize;
            body[r..r + 4].copy_from_slice(&((offset + at) as u32).to_be_bytes());
        }
        while body.len() % 4 != 0 {
            body.push(0);
        }
        at += body.len();
        bodies.push(body);
    }
    for body in bodies {
        out.extend_from_slice(&body);
    }
    out
}

#[test]
fn each_refusal_names_the_brand_file_line_and_column_and_writes_nothing() {
    let svg = |body: &str| {
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">{body}</svg>")
            .into_bytes()
    };
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(6 * 1024 * 1024, 0);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("logo.svg"), svg("")).unwrap();
    let fonts = |file: &str| {
        format!(
            "typography:\n  fonts:\n    - family: Inter\n      source: file\n      files:\n        - {file}\n"
        )
    };
    let cases: Vec<(String, Files, &str, &str)> = vec![
        (
            "colour:\n  primary: \"#123456\"\n".into(),
            vec![],
            "1:1",
            "unknown field `colour`",
        ),
        (
            "color:\n  primry: \"#123456\"\n".into(),
            vec![],
            "2:3",
            "did you mean `primary`?",
        ),
        (
            "logo: missing.svg\n".into(),
            vec![],
            "1:7",
            "cannot read image `missing.svg`",
        ),
        (
            "logo: ../logo.svg\n".into(),
            vec![],
            "1:7",
            "outside the brand file's folder",
        ),
        (
            "logo: /etc/hostname\n".into(),
            vec![],
            "1:7",
            "outside the brand file's folder",
        ),
        (
            "meta:\n  name: X\nlogo: link.svg\n".into(),
            vec![],
            "3:7",
            "links to a file outside",
        ),
        (
            "logo:\n  images:\n    big: big.png\n  medium: big\n".into(),
            vec![("big.png", big)],
            "3:10",
            "more than the 5 MB limit",
        ),
        (
            "logo: logo.gif\n".into(),
            vec![("logo.gif", b"GIF89a....".to_vec())],
            "1:7",
            "is not a PNG, JPEG or SVG image",
        ),
        (
            "logo: logo.svg\n".into(),
            vec![(
                "logo.svg",
                svg("<image href=\"https://example.com/x.png\"/>"),
            )],
            "1:7",
            "refers to `https://example.com/x.png`",
        ),
        (
            fonts("broken.otf"),
            vec![("broken.otf", b"not a font".to_vec())],
            "6:11",
            "does not parse as a font",
        ),
        (
            fonts("locked.otf"),
            vec![("locked.otf", restricted_font())],
            "6:11",
            "forbids embedding",
        ),
        (
            fonts("pair.ttc"),
            vec![(
                "pair.ttc",
                collection(&[
                    std::fs::read(root().join("fonts/Inter-Regular.otf")).unwrap(),
                    restricted_font(),
                ]),
            )],
            "6:11",
            "forbids embedding",
        ),
        (
            "color:\n  primary: brand-blue\n".into(),
            vec![],
            "2:12",
            "`brand-blue` is not a colour",
        ),
        (
            "typography:\n  base:\n    weight: heavyish\n".into(),
            vec![],
            "3:13",
            "a font weight is 100 to 900",
        ),
        (
            "logo: bomb.png\n".into(),
            vec![("bomb.png", pixel_bomb(100_000))],
            "1:7",
            "is 100000 × 100000 pixels, more than the 25 megapixel limit",
        ),
        (
            "logo: bomb.svg\n".into(),
            vec![(
                "bomb.svg",
                svg(&format!(
                    "<image href=\"data:image/png;base64,{}\"/>",
                    base64_of(&pixel_bomb(65_535))
                )),
            )],
            "1:7",
            "holds an image of 65535 × 65535 pixels",
        ),
        // An SVG inside the SVG, holding the bomb: checked at every depth.
        (
            "logo: nested.svg\n".into(),
            vec![(
                "nested.svg",
                svg(&format!(
                    "<image href=\"data:image/svg+xml;base64,{}\"/>",
                    base64_of(&svg(&format!(
                        "<image href=\"data:image/png;base64,{}\"/>",
                        base64_of(&pixel_bomb(30_000))
                    )))
                )),
            )],
            "1:7",
            "holds an image of 30000 × 30000 pixels",
        ),
        // Five images of 24 megapixels each: under the limit one by one,
        // over the document's 100 in all.
        (
            "logo: many.svg\n".into(),
            vec![(
                "many.svg",
                svg(&format!(
                    "<image href=\"data:image/png;base64,{}\"/>",
                    base64_of(&pixel_bomb(4_900))
                )
                .repeat(5)),
            )],
            "1:7",
            "holds more than 100 megapixels in all",
        ),
        (
            "color:\n  palette:\n    a: b\n    b: a\n  primary: a\n".into(),
            vec![],
            "5:12",
            "the colour names refer to each other in a circle: a → b → a",
        ),
        (
            "logo: pipe.svg\n".into(),
            vec![],
            "1:7",
            "is not a regular file",
        ),
    ];
    for (brand, files, at, message) in cases {
        let dir = brand_folder(&brand, &files);
        if brand.contains("pipe.svg") {
            let path = std::ffi::CString::new(dir.path().join("brand/pipe.svg").to_str().unwrap())
                .unwrap();
            assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
        }
        if brand.contains("link.svg") {
            std::os::unix::fs::symlink(
                outside.path().join("logo.svg"),
                dir.path().join("brand/link.svg"),
            )
            .unwrap();
        }
        let o = build_with(dir.path(), &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{brand}\n{err}");
        assert!(err.contains(message), "{brand}\nexpected {message}:\n{err}");
        assert!(
            err.contains(&format!("_brand.yml:{at}")),
            "{brand}\nexpected {at}:\n{err}"
        );
        assert!(!dir.path().join("out").exists() || pdfs_in(&dir.path().join("out")).is_empty());
    }
}

#[test]
fn fetched_fonts_poor_contrast_and_look_alike_accents_are_warnings() {
    let cases = [
        (
            "typography:\n  fonts:\n    - family: Open Sans\n      source: google\n  base: Open Sans\n",
            "4:15",
            "comes from `google`, which is never fetched",
        ),
        (
            "typography:\n  fonts:\n    - family: Open Sans\n",
            "3:15",
            "comes from `google`",
        ),
        (
            "color:\n  foreground: \"#aaaaaa\"\n",
            "2:15",
            "contrast of 2.3:1",
        ),
        (
            "color:\n  primary: \"#777777\"\n  secondary: \"#7a7a7a\"\n",
            "3:14",
            "print as nearly the same grey",
        ),
    ];
    for (brand, at, message) in cases {
        let dir = brand_folder(brand, &[]);
        let o = build_with(dir.path(), &[]);
        assert_ok(&o);
        let err = stderr(&o);
        assert!(
            err.contains(message) && err.contains(&format!("_brand.yml:{at}")),
            "{brand}\n{err}"
        );
        assert_eq!(pdfs_in(&dir.path().join("out")).len(), 1);

        let dir = brand_folder(brand, &[]);
        let o = build_with(dir.path(), &["--deny-warnings"]);
        assert_eq!(o.status.code(), Some(1), "{brand}");
        assert!(stderr(&o).contains("--deny-warnings turns warnings into errors"));
        assert!(!dir.path().join("out").exists() || pdfs_in(&dir.path().join("out")).is_empty());
    }
}

#[test]
fn keys_of_the_specification_that_are_not_used_are_listed_in_one_note() {
    let brand = "defaults:\n  bootstrap: {}\ncolor:\n  success: \"#00aa00\"\ntypography:\n  monospace: Fira Code\n  base:\n    size: 16px\n";
    let dir = brand_folder(brand, &[]);
    let o = build_with(dir.path(), &["--deny-warnings"]);
    assert_ok(&o);
    let err = stderr(&o);
    assert_eq!(err.matches("note:").count(), 1, "{err}");
    // --quiet keeps errors and warnings only.
    let o = build_with(dir.path(), &["--quiet"]);
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    for key in [
        "defaults",
        "color.success",
        "typography.monospace",
        "typography.base.size (16px)",
    ] {
        assert!(err.contains(key), "{key}: {err}");
    }
}

/// A path that goes down and up again stays in the brand's folder.
#[test]
fn a_path_through_a_subfolder_and_back_stays_inside() {
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"/>".to_vec();
    let dir = brand_folder(
        "logo: sub/../logo.svg\n",
        &[("logo.svg", svg), ("sub/x.txt", b"x".to_vec())],
    );
    let o = build_with(dir.path(), &[]);
    assert_ok(&o);
}
