//! Devanagari, Arabic and CJK: the bundled Noto fonts, right-to-left pages,
//! names in other scripts, and `--font-dir` for Chinese.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use common::*;

const HINDI: &str = "examples/languages/ai-engineer-vs-ml-engineer.hi.yaml";
const ARABIC: &str = "examples/languages/ai-engineer-vs-ml-engineer.ar.yaml";
/// Where Debian's fonts-noto-cjk puts Noto Sans CJK.
const CJK_DIR: &str = "/usr/share/fonts/opentype/noto";

fn build(out: &Path, content: &str, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"build", &content, &"-o", &out];
    for e in extra {
        args.push(e);
    }
    handout(&args)
}

fn only_pdf(dir: &Path) -> PathBuf {
    let pdfs = pdfs_in(dir);
    assert_eq!(pdfs.len(), 1, "{pdfs:?}");
    pdfs[0].clone()
}

#[test]
fn hindi_and_arabic_build_under_pdf_ua_with_their_fonts_embedded() {
    for (content, font) in [(HINDI, "NotoSansDevanagari"), (ARABIC, "NotoSansArabic")] {
        let dir = tempfile::tempdir().unwrap();
        let o = build(dir.path(), content, &[]);
        assert_ok(&o);
        assert!(!stderr(&o).contains("cannot show"), "{}", stderr(&o));
        let pdf = only_pdf(dir.path());
        let fonts = tool("pdffonts", &[&pdf]);
        for face in ["Regular", "Bold"] {
            assert!(
                fonts.contains(&format!("{font}-{face}")),
                "{content}: {fonts}"
            );
        }
        // Latin text keeps Inter.
        assert!(fonts.contains("Inter-Regular"), "{fonts}");

        // The email edition stays small enough to send.
        let email = dir.path().join("email");
        assert_ok(&build(
            &email,
            content,
            &["-e", "email", "--all-goals", "-q"],
        ));
        for pdf in pdfs_in(&email) {
            let size = std::fs::metadata(&pdf).unwrap().len();
            assert!(size < 150 * 1024, "{pdf:?} is {size} bytes");
        }
    }
}

#[test]
fn every_hindi_string_is_in_the_text_layer() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&build(dir.path(), HINDI, &["-q"]));
    assert_all_strings_present(&root().join(HINDI), &only_pdf(dir.path()));
}

/// Words of Arabic text, as poppler extracts them and as the content has
/// them: poppler wraps runs in direction marks, writes the lam-alef
/// ligature as alef and lam, and can repeat a letter beside a mark.
fn arabic_words(text: &str, content: bool) -> HashSet<String> {
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let is_arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c);
    let mut s = String::new();
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let c = if bidi(c) { ' ' } else { c };
        // Marks above and below letters, and the tatweel.
        if ('\u{064B}'..='\u{065F}').contains(&c) || c == '\u{0670}' || c == '\u{0640}' {
            continue;
        }
        if let Some(p) = prev
            && (is_arabic(p) && c.is_ascii_alphanumeric()
                || p.is_ascii_alphanumeric() && is_arabic(c))
        {
            s.push(' ');
        }
        s.push(c);
        prev = Some(c);
    }
    if content {
        let chars: Vec<char> = s.chars().collect();
        let mut swapped = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == 'ل' && chars.get(i + 1).is_some_and(|c| "اأإآى".contains(*c)) {
                swapped.push(chars[i + 1]);
                swapped.push('ل');
                i += 2;
            } else {
                swapped.push(chars[i]);
                i += 1;
            }
        }
        s = swapped;
    }
    let mut collapsed = String::new();
    for c in s.chars() {
        if !collapsed.ends_with(c) {
            collapsed.push(c);
        }
    }
    collapsed
        .split(|c: char| c.is_whitespace() || ",.:;؟?!،()«»\"'“”/-".contains(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_arabic_word_is_in_the_text_layer() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&build(dir.path(), ARABIC, &["-q"]));
    let text = tool("pdftotext", &[&only_pdf(dir.path()), &"-"]);
    let found = arabic_words(&text, false);
    let missing: Vec<String> = strings_of(&root().join(ARABIC))
        .iter()
        .flat_map(|s| arabic_words(s, true))
        .filter(|w| !found.contains(w))
        .collect();
    assert!(missing.is_empty(), "missing words: {missing:?}");
}

/// Words of one page with their boxes, from `pdftotext -bbox`. Arabic
/// words come in visual order; `reversed` gives them as written.
fn boxes(pdf: &Path, page: usize) -> Vec<(f64, f64, f64, String)> {
    let html = tool(
        "pdftotext",
        &[
            &"-bbox",
            &"-f",
            &page.to_string(),
            &"-l",
            &page.to_string(),
            &pdf,
            &"-",
        ],
    );
    html.lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("<word ")?;
            let num = |key: &str| -> f64 {
                let rest = &l[l.find(key).unwrap() + key.len() + 2..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            };
            let text = l[l.find('>')? + 1..l.find("</word>")?].to_string();
            Some((num("xMin"), num("xMax"), num("yMin"), text))
        })
        .collect()
}

fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}

#[test]
fn arabic_pages_read_from_the_right() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&build(dir.path(), ARABIC, &["-q"]));
    let pdf = only_pdf(dir.path());
    // The right margin of A4 is at 595 - 48 = 547 pt.
    let right = 540.0;
    let page1 = boxes(&pdf, 1);
    let line_end = |word: &str| {
        let (_, _, y, _) = page1
            .iter()
            .find(|b| reversed(&b.3) == word)
            .unwrap_or_else(|| panic!("no {word} on page 1"));
        page1
            .iter()
            .filter(|b| (b.2 - y).abs() < 1.0)
            .map(|b| (b.0, b.1))
            .fold((f64::MAX, 0.0_f64), |(lo, hi), (x0, x1)| {
                (lo.min(x0), hi.max(x1))
            })
    };
    // A short heading and the first words of a paragraph end at the right
    // margin, and the heading starts far from the left one.
    let (start, end) = line_end("المختصرة");
    assert!(end > right && start > 300.0, "heading spans {start}..{end}");
    let (_, end) = line_end("يعمل");
    assert!(end > right, "paragraph ends at {end}");

    // The comparison table's first column, the factors, is on the right.
    let page = (1..=page_count(&pdf))
        .find(|&p| boxes(&pdf, p).iter().any(|b| reversed(&b.3) == "المعيار"))
        .expect("the table's header");
    let words = boxes(&pdf, page);
    let (x0, _, y, _) = words
        .iter()
        .find(|b| reversed(&b.3) == "المعيار")
        .unwrap()
        .clone();
    let header: Vec<_> = words.iter().filter(|b| (b.2 - y).abs() < 2.0).collect();
    assert!(header.len() > 3, "{header:?}");
    assert!(
        header.iter().all(|b| b.0 <= x0),
        "the factor column is not the rightmost: {header:?}"
    );
    assert!(x0 > 400.0, "factor header at {x0}");
}

#[test]
fn names_in_devanagari_and_arabic_print_on_a_latin_handout() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "name,email\nप्रिया शर्मा,priya@example.org\nليلى حسن,layla@example.org\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = build(&out, SEED, &["--recipients", people.to_str().unwrap()]);
    assert_ok(&o);
    assert!(!stderr(&o).contains("cannot show"), "{}", stderr(&o));
    let pdfs = pdfs_in(&out);
    assert_eq!(pdfs.len(), 2);
    let covers: Vec<String> = pdfs
        .iter()
        .map(|p| squash(&pdf_text(p, Some((1, 1)))))
        .collect();
    assert!(
        covers
            .iter()
            .any(|t| t.contains(&squash("Prepared for प्रिया शर्मा"))),
        "{covers:?}"
    );
    let arabic = arabic_words("ليلى حسن", true);
    assert!(
        covers
            .iter()
            .any(|t| arabic.iter().all(|w| arabic_words(t, false).contains(w))),
        "{covers:?}"
    );
    for pdf in &pdfs {
        let fonts = tool("pdffonts", &[pdf]);
        assert!(fonts.contains("NotoSans"), "{fonts}");
    }
}

#[test]
fn chinese_renders_with_a_cjk_font_folder() {
    let cjk = Path::new(CJK_DIR);
    if !cjk.join("NotoSansCJK-Regular.ttc").exists() {
        return not_checked(&format!(
            "{CJK_DIR}/NotoSansCJK-Regular.ttc is missing (Debian's fonts-noto-cjk, which scripts/test installs)"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zh.yaml");
    std::fs::write(
        &file,
        "id: zh-test\ntitle: 数据分析师还是数据科学家？\nlang: zh-CN\nmeta:\n  updated: 2026-05-12\noptions:\n  - id: analyst\n    name: 数据分析师\n  - id: scientist\n    name: 数据科学家\ncomparison:\n  factors:\n    - name: 主要工具\n      values:\n        analyst: SQL 和仪表板\n        scientist: Python 和模型\nfaq:\n  entries:\n    - question: 需要会编程吗？\n      answer: 入门时会 SQL 就够了。\n",
    )
    .unwrap();
    // Without the folder, the missing font is named before rendering.
    let o = build(&dir.path().join("none"), file.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "Noto Sans CJK using --font-dir");

    let mut outs = Vec::new();
    for jobs in ["1", "2"] {
        let out = dir.path().join(format!("j{jobs}"));
        let o = build(
            &out,
            file.to_str().unwrap(),
            &["--font-dir", CJK_DIR, "-j", jobs, "-l", "handout,flyer"],
        );
        assert_ok(&o);
        assert!(!stderr(&o).contains("cannot show"), "{}", stderr(&o));
        outs.push(out);
    }
    let pdf = outs[0].join("zh-test.pdf");
    let text = squash(&pdf_text(&pdf, None));
    for s in [
        "数据分析师还是数据科学家？",
        "入门时会SQL就够了。",
        "常见问题",
        "2026年5月12日",
    ] {
        assert!(text.contains(&squash(s)), "{s}: {text}");
    }
    let fonts = tool("pdffonts", &[&pdf]);
    assert!(
        fonts.contains("NotoSansCJKsc") && fonts.contains("Inter"),
        "{fonts}"
    );
    for (a, b) in pdfs_in(&outs[0]).iter().zip(pdfs_in(&outs[1])) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{a:?}"
        );
    }
}
