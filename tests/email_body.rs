//! The message a learner opens: the designed body of a draft, read in
//! Chromium at a phone's and a desktop's width and with images blocked;
//! what it fetches (nothing); its language; the draft's size.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::webdriver::Browser;
use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::json;

const FROM: &str = "Admissions <admissions@example.org>";
const COURSE_URL: &str = "https://www.northfield.example/courses/generative-ai";

/// The seed with a real site and a postal address, as `seed.yaml` in `dir`,
/// and an Arabic copy (the same text, right-to-left fixed words).
fn contents(dir: &Path) -> (PathBuf, PathBuf) {
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap().patched(
        "base_url: https://example.com/",
        "base_url: https://www.northfield.example/",
    );
    let seed = seed.replacen(
        "organisation:\n  name: School of Core AI",
        "organisation:\n  name: School of Core AI\n  address: |\n    1 High Street\n    Northfield NF1 2AB",
        1,
    );
    let en = dir.join("seed.yaml");
    std::fs::write(&en, &seed).unwrap();
    let ar = dir.join("arabic.yaml");
    std::fs::write(
        &ar,
        seed.replacen("id: ai-engineer-vs-ml-engineer", "id: arabic", 1)
            .replacen("\nlang: en\n", "\nlang: ar\n", 1),
    )
    .unwrap();
    (en, ar)
}

/// Drafts for a reader with a goal and one without, from `content`.
fn drafts(dir: &Path, content: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let people = dir.join("people.csv");
    std::fs::write(
        &people,
        "name,email,goal\nAna Lima,ana@example.org,modern-ai-systems\nBo Chen,bo@example.org,\n",
    )
    .unwrap();
    let out = dir.join(out);
    let o = Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env(
            "HANDOUT_UNSUBSCRIBE_SECRET",
            "0123456789abcdef0123456789abcdef",
        )
        .args(["build", "-q", "--eml", "--from", FROM, "--recipients"])
        .arg(&people)
        .args([
            "--unsubscribe",
            "https://www.northfield.example/u/{unsubscribe_token}",
        ])
        .arg("--event")
        .arg(fixture("recipients/event.yaml"))
        .args(extra)
        .arg(content)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o);
    out
}

fn file(out: &Path, ext: &str, who: &str) -> PathBuf {
    std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.contains(who) && n.ends_with(ext)
        })
        .unwrap_or_else(|| panic!("no {ext} for {who}"))
}

#[test]
fn the_body_reads_at_both_widths_and_with_images_blocked() {
    let Some(b) = Browser::start() else {
        return not_checked("chromium and chromedriver are not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let (en, ar) = contents(dir.path());
    let out = drafts(dir.path(), &en, "en", &[]);
    let rtl = drafts(dir.path(), &ar, "ar", &[]);
    let pages = [
        (file(&out, ".html", "ana-lima"), Some(COURSE_URL)),
        (file(&out, ".html", "bo-chen"), None),
        (file(&rtl, ".html", "ana-lima"), Some(COURSE_URL)),
    ];
    for width in [320, 600] {
        b.resize(width, 1400);
        for (page, button) in &pages {
            b.open(&format!("file://{}", page.display()));
            let seen = b.run(
                "return {scroll: document.documentElement.scrollWidth, width: window.innerWidth, text: document.body.innerText, dir: document.documentElement.dir, buttons: [...document.querySelectorAll('a')].map(a => a.href)}",
                json!([]),
            );
            let shown = format!("{} at {width}: {seen}", page.display());
            assert!(
                seen["scroll"].as_u64() <= seen["width"].as_u64(),
                "scrolls sideways: {shown}"
            );
            let text = seen["text"].as_str().unwrap();
            let links: Vec<&str> = seen["buttons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            match button {
                Some(url) => {
                    assert!(links.contains(url), "no button to the course: {shown}");
                    assert!(text.contains("AI Engineer"), "{shown}");
                }
                None => assert!(
                    links.contains(&"https://www.northfield.example/"),
                    "{shown}"
                ),
            }
            assert!(
                links
                    .iter()
                    .any(|l| l.starts_with("https://www.northfield.example/u/")),
                "{shown}"
            );
            if page.starts_with(&rtl) {
                assert_eq!(seen["dir"], "rtl", "{shown}");
            }
        }
        if width == 600 && std::env::var_os("HANDOUT_DOCS_SHOT").is_some() {
            b.open(&format!("file://{}", pages[0].0.display()));
            std::fs::write(root().join("docs/email-600.png"), b.screenshot()).unwrap();
        }
        if width == 320 && std::env::var_os("HANDOUT_DOCS_SHOT").is_some() {
            b.open(&format!("file://{}", pages[0].0.display()));
            std::fs::write(root().join("docs/email-320.png"), b.screenshot()).unwrap();
        }
    }
    assert_eq!(serious_violations(&b), Vec::<String>::new());
    // With images blocked, as many mail clients start, the recommendation
    // and its button are still there.
    drop(b);
    let Some(blocked) = Browser::start_with(&["--blink-settings=imagesEnabled=false"]) else {
        return;
    };
    blocked.open(&format!("file://{}", pages[0].0.display()));
    let text = blocked.run("return document.body.innerText", json!([]));
    let text = text.as_str().unwrap();
    assert!(text.contains("Recommended: AI Engineer"), "{text}");
    assert!(
        text.contains("Start with the Generative AI Course"),
        "{text}"
    );
}

#[test]
fn the_message_fetches_nothing_and_names_every_picture() {
    let dir = tempfile::tempdir().unwrap();
    let (en, _) = contents(dir.path());
    let out = drafts(dir.path(), &en, "out", &[]);
    let bytes = std::fs::read(file(&out, ".eml", "ana-lima")).unwrap();
    let m = MessageParser::default().parse(&bytes[..]).unwrap();
    let html = m.body_html(0).unwrap().into_owned();
    for bad in [
        "<script",
        "<link",
        "@import",
        "url(http",
        "src=\"http",
        "src='http",
    ] {
        assert!(!html.to_lowercase().contains(bad), "{bad} in the body");
    }
    let imgs: Vec<&str> = html
        .split("<img")
        .skip(1)
        .map(|s| &s[..s.find('>').unwrap()])
        .collect();
    assert!(!imgs.is_empty());
    for img in &imgs {
        assert!(
            img.contains("alt=\"") && !img.contains("alt=\"\""),
            "an image without alt text: {img}"
        );
        let src = img.split("src=\"").nth(1).unwrap();
        let cid = src[..src.find('"').unwrap()]
            .strip_prefix("cid:")
            .expect("a picture of the message");
        assert!(
            m.parts.iter().any(|p| p.content_id() == Some(cid)),
            "cid:{cid} is not in the message"
        );
    }
    for table in html.split("<table").skip(1) {
        assert!(table[..table.find('>').unwrap()].contains("role=\"presentation\""));
    }
    // The plain text says the same.
    let text = m.body_text(0).unwrap();
    for said in [
        "Hello Ana Lima,",
        "Your goal: I want to work on LLMs",
        "Recommended: AI Engineer",
        COURSE_URL,
        "Open Day: AI careers",
        "5 December 2026",
        "attached as ai-engineer-vs-ml-engineer--for-ana-lima--email.pdf",
        "unsubscribe here: https://www.northfield.example/u/",
        "School of Core AI, 1 High Street, Northfield NF1 2AB",
    ] {
        assert!(text.contains(said), "{said}:\n{text}");
    }
}

#[test]
fn german_content_gets_a_german_message_and_a_template_still_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (en, _) = contents(dir.path());
    let de = dir.path().join("de.yaml");
    let text = std::fs::read_to_string(&en).unwrap();
    std::fs::write(
        &de,
        text.replacen("id: ai-engineer-vs-ml-engineer", "id: deutsch", 1)
            .replacen("\nlang: en\n", "\nlang: de\n", 1),
    )
    .unwrap();
    let out = drafts(dir.path(), &de, "de", &[]);
    let bytes = std::fs::read(file(&out, ".eml", "bo-chen")).unwrap();
    let m = MessageParser::default().parse(&bytes[..]).unwrap();
    assert_eq!(
        m.subject().unwrap(),
        "AI Engineer vs ML Engineer: Ihr persönliches Handout"
    );
    let text = m.body_text(0).unwrap();
    let html = m.body_html(0).unwrap();
    for german in [
        "Hallo Bo Chen,",
        "Persönlich für Bo Chen",
        "Mit freundlichen Grüßen",
        "melden Sie sich hier ab",
    ] {
        assert!(
            text.contains(german) || html.contains(german),
            "{german}:\n{text}"
        );
    }
    for english in [
        "Hello",
        "attached",
        "Kind regards",
        "Prepared for",
        "unsubscribe here",
        "Your goal",
    ] {
        assert!(!text.contains(english), "{english} in:\n{text}");
        assert!(!html.contains(english), "{english} in the HTML");
    }
    // The user's subject and text win.
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "Guten Tag {name}, anbei Ihr Handout.\n").unwrap();
    let out = drafts(
        dir.path(),
        &de,
        "mine",
        &[
            "--subject",
            "Ihr Handout, {name}",
            "--body",
            body.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(file(&out, ".eml", "bo-chen")).unwrap();
    let m = MessageParser::default().parse(&bytes[..]).unwrap();
    assert_eq!(m.subject().unwrap(), "Ihr Handout, Bo Chen");
    assert!(
        m.body_text(0)
            .unwrap()
            .starts_with("Guten Tag Bo Chen, anbei Ihr Handout.")
    );
    assert!(
        m.body_html(0)
            .unwrap()
            .contains("Guten Tag Bo Chen, anbei Ihr Handout.")
    );

    // A catalog of the user's from before drafts had texts still works.
    let layouts = dir.path().join("layouts/lang");
    std::fs::create_dir_all(&layouts).unwrap();
    let catalog = std::fs::read_to_string(root().join("layouts/lang/de.yaml")).unwrap();
    let old = &catalog[..catalog.find("\nemail:").unwrap()];
    std::fs::write(layouts.join("de.yaml"), old).unwrap();
    let people = dir.path().join("people.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(dir.path())
        .args([
            "build",
            "-q",
            "--eml",
            "--transactional",
            "--from",
            FROM,
            "--recipients",
        ])
        .arg(&people)
        .arg("--layouts")
        .arg(dir.path().join("layouts"))
        .arg(&de)
        .args(["-o", "old"])
        .output()
        .unwrap();
    assert_ok(&o);
    assert_stderr_has(&o, "lang/de.yaml has no email texts for: ");
    let bytes = std::fs::read(file(&dir.path().join("old"), ".eml", "bo-chen")).unwrap();
    let m = MessageParser::default().parse(&bytes[..]).unwrap();
    assert!(m.body_text(0).unwrap().contains("Hallo Bo Chen,"));
}

#[test]
fn drafts_are_at_most_twice_and_a_fifth_their_pdf_and_the_same_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let (en, _) = contents(dir.path());
    let out = drafts(dir.path(), &en, "one", &[]);
    let again = drafts(dir.path(), &en, "two", &[]);
    for who in ["ana-lima", "bo-chen"] {
        let eml = std::fs::read(file(&out, ".eml", who)).unwrap();
        let pdf = std::fs::metadata(file(&out, ".pdf", who)).unwrap().len() as f64;
        let picture = std::fs::metadata(file(&out, ".preview.jpg", who))
            .unwrap()
            .len();
        let ratio = eml.len() as f64 / pdf;
        assert!(ratio <= 2.2, "{who}: the draft is {ratio:.2}× its PDF");
        assert!(
            picture <= 25 * 1024,
            "{who}: the picture is {picture} bytes"
        );
        assert!(
            eml == std::fs::read(file(&again, ".eml", who)).unwrap(),
            "{who}: not reproducible"
        );
    }
}
