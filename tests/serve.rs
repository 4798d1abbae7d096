//! `handout serve`, driven in headless Chromium as staff use it, and its
//! safety checks without a browser.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::serve::{Serve, body_json};
use common::webdriver::Browser;
use common::*;
use serde_json::{Value, json};

/// The seed in a folder of its own, to edit.
fn seed_copy(dir: &Path) -> PathBuf {
    let path = dir.join("serve-content.yaml");
    std::fs::copy(root().join(SEED), &path).unwrap();
    path
}

const TEXT: &str =
    "return [...document.querySelectorAll('.text span')].map(s => s.textContent).join(' ')";

/// Chooses `value` in the control `id` and waits for the new pages.
fn choose(b: &Browser, id: &str, value: &str) -> String {
    let before = b.run("return window.handoutDrawn.length", json!([]));
    b.run(
        "const s = document.getElementById(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change'));",
        json!([id, value]),
    );
    b.wait_for(
        &format!("the pages with {id} = {value}"),
        "return window.handoutDrawn.length > arguments[0] && document.body.dataset.state === 'ok'",
        json!([before]),
    );
    b.run(TEXT, json!([])).as_str().unwrap().to_string()
}

/// Waits for a drawing of a generation after `seen`, in `state`.
fn redrawn(b: &Browser, seen: &Value, state: &str) {
    b.wait_for(
        &format!("a redraw in state {state}"),
        "const d = window.handoutDrawn; return d.length && d[d.length - 1].generation > arguments[0] && document.body.dataset.state === arguments[1]",
        json!([seen, state]),
    );
}

#[test]
fn staff_preview_every_variant_edit_live_and_trace_text_to_yaml() {
    let Some(browser) = Browser::start() else {
        return not_checked("chromium and chromedriver are not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_copy(dir.path());
    let serve = Serve::start(&[
        yaml.to_str().unwrap(),
        "--recipients",
        "tests/fixtures/email/people.csv",
    ]);
    let b = &browser;
    b.open(&serve.url);
    b.wait_for(
        "the first pages",
        "return document.body.dataset.state === 'ok'",
        json!([]),
    );
    let text = b.run(TEXT, json!([])).as_str().unwrap().to_string();
    assert!(text.contains("AI Engineer vs ML Engineer"), "{text}");
    let pages = b.run(
        "return document.querySelectorAll('.page').length",
        json!([]),
    );
    let status = b.run(
        "return document.getElementById('status').textContent",
        json!([]),
    );
    assert!(
        status
            .as_str()
            .unwrap()
            .starts_with(&format!("{pages} pages")),
        "{status}"
    );

    // Every variant a click away.
    let goal = choose(b, "goal", "modern-ai-systems");
    assert!(goal.contains("Recommended: AI Engineer"), "{goal}");
    choose(b, "paper", "us-letter");
    let width = b.run(
        "return Number(document.querySelector('.page img').getAttribute('width'))",
        json!([]),
    );
    assert_eq!(width, json!(612), "US Letter is 612 pt wide");
    choose(b, "edition", "email");
    assert!(
        b.run("return location.hash", json!([]))
            .as_str()
            .unwrap()
            .contains("edition=email")
    );

    // The download is the PDF `build` writes for the same choices.
    let href = b.run("return document.getElementById('download').href", json!([]));
    let mut response = ureq::get(href.as_str().unwrap()).call().unwrap();
    let downloaded = response.body_mut().read_to_vec().unwrap();
    let out = dir.path().join("out");
    assert_ok(
        &Command::new(env!("CARGO_BIN_EXE_handout"))
            .current_dir(root())
            .arg("build")
            .arg(&yaml)
            .args([
                "--goal",
                "modern-ai-systems",
                "--paper",
                "us-letter",
                "--edition",
                "email",
                "-q",
                "-o",
            ])
            .arg(&out)
            .output()
            .unwrap(),
    );
    let built = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    assert!(
        downloaded == std::fs::read(&built).unwrap(),
        "the download differs from {}",
        built.display()
    );

    let flyer = choose(b, "layout", "flyer");
    assert!(flyer.contains("AI Engineer"), "{flyer}");
    choose(b, "layout", "handout");
    let personal = choose(b, "recipient", "0");
    assert!(
        personal.contains("Prepared for") && personal.contains("Ana Lima"),
        "{personal}"
    );
    // Beside the pages, the message this person would get.
    b.click("#tab-message");
    let message = b.wait_for(
        "the message",
        "const d = document.getElementById('message').contentDocument; const t = d && d.body && d.body.innerText; return t && t.includes('Prepared for') && t",
        json!([]),
    );
    let message = message.as_str().unwrap();
    assert!(message.contains("Ana Lima"), "{message}");
    assert!(message.contains("Recommended: AI Engineer"), "{message}");
    let picture = b.wait_for(
        "page 1 in the message",
        "const i = document.getElementById('message').contentDocument.querySelector('img'); return i && i.complete && i.naturalWidth",
        json!([]),
    );
    assert!(picture.as_u64().unwrap() > 100, "{picture}");
    choose(b, "recipient", "");
    assert_eq!(
        b.run(
            "return document.getElementById('tab-message').hidden",
            json!([])
        ),
        json!(true)
    );

    // A save shows at once, where the reader was.
    b.run("window.scrollTo(0, 900)", json!([]));
    let seen = b.run("return document.body.dataset.generation", json!([]));
    let seen = json!(seen.as_str().unwrap().parse::<u64>().unwrap());
    let original = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(
        &yaml,
        original.patched(
            "title: AI Engineer vs ML Engineer",
            "title: AI Engineer or ML Engineer",
        ),
    )
    .unwrap();
    redrawn(b, &seen, "ok");
    let text = b.run(TEXT, json!([])).as_str().unwrap().to_string();
    assert!(text.contains("AI Engineer or ML Engineer"), "{text}");
    assert_eq!(
        b.run("return window.scrollY", json!([])),
        json!(900),
        "the scroll position stays"
    );
    assert_eq!(
        b.run(
            "return performance.getEntriesByType('navigation').length",
            json!([])
        ),
        json!(1)
    );

    // An error covers the last good pages, with where it is; fixing it
    // takes it away.
    let seen = json!(b.run("return Number(document.body.dataset.generation)", json!([])));
    std::fs::write(
        &yaml,
        original.patched("title: AI Engineer vs ML Engineer", "title: [AI Engineer"),
    )
    .unwrap();
    redrawn(b, &seen, "error");
    let errors = b.run(
        "return document.getElementById('errors').textContent",
        json!([]),
    );
    assert!(
        errors.as_str().unwrap().contains("serve-content.yaml:"),
        "{errors}"
    );
    assert_eq!(
        b.run(
            "return document.getElementById('overlay').hidden",
            json!([])
        ),
        json!(false)
    );
    assert!(
        b.run(
            "return document.querySelectorAll('.page').length",
            json!([])
        )
        .as_u64()
        .unwrap()
            > 0
    );
    let seen = json!(b.run("return Number(document.body.dataset.generation)", json!([])));
    std::fs::write(&yaml, &original).unwrap();
    redrawn(b, &seen, "ok");
    assert_eq!(
        b.run(
            "return document.getElementById('overlay').hidden",
            json!([])
        ),
        json!(true)
    );

    // A click on an FAQ answer names its file, line and YAML path.
    let picked = b.run(
        "const spans = [...document.querySelectorAll('.text span[data-src]')];
         const s = spans.find(s => /^faq\\.entries\\[\\d+\\]\\.answer$/.test((window.handoutOrigin(s) || {}).path));
         s.id = 'pick'; s.scrollIntoView({block: 'center'}); return s.textContent;",
        json!([]),
    );
    b.click("#pick");
    let origin = b.run(
        "return {...document.getElementById('origin').dataset}",
        json!([]),
    );
    let path = origin["path"].as_str().unwrap();
    assert!(path.starts_with("faq.entries["), "{origin}");
    assert!(
        origin["file"]
            .as_str()
            .unwrap()
            .ends_with("serve-content.yaml"),
        "{origin}"
    );
    let line: usize = origin["line"].as_str().unwrap().parse().unwrap();
    // The value's first line: after `answer:`, or below it for a block
    // scalar (`answer: >-`).
    let lines: Vec<&str> = original.lines().collect();
    let (key, value) = (lines[line - 2], lines[line - 1]);
    assert!(
        value.contains("answer:") || key.trim_end().ends_with("answer: >-"),
        "line {line} is {value:?}"
    );
    let run = picked.as_str().unwrap().trim_end_matches('-');
    let words: Vec<&str> = run.split_whitespace().take(3).collect();
    assert!(
        lines[line - 1..]
            .iter()
            .take(12)
            .any(|l| l.contains(&words.join(" "))),
        "{run:?} is not in the answer at line {line}"
    );

    std::fs::write(dir.path().join("shot.png"), browser.screenshot()).unwrap();
}

#[test]
fn only_its_own_address_is_answered_and_no_file_is_served_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_copy(dir.path());
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let evil = serve.raw("GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assert!(evil.starts_with("HTTP/1.1 421"), "{evil}");
    let rebinding = serve.raw(&format!(
        "GET /api/overview HTTP/1.1\r\nHost: attacker.example:{}\r\nConnection: close\r\n\r\n",
        serve.port
    ));
    assert!(rebinding.starts_with("HTTP/1.1 421"), "{rebinding}");
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/src/main.rs",
        "/content/",
    ] {
        let answer = serve.get(path, "");
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
        assert!(
            !answer.contains("[package]") && !answer.contains("fn main"),
            "{answer}"
        );
    }
    let page = serve.raw(&format!(
        "GET / HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
        serve.port
    ));
    assert!(
        page.starts_with("HTTP/1.1 200") && page.contains("/app.js"),
        "{page}"
    );
    let post = serve.raw(&format!(
        "POST /api/render HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        serve.port
    ));
    assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    // Nothing was written beside the content.
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1);
}

#[test]
fn ctrl_c_stops_it_with_130() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_copy(dir.path());
    let mut serve = Serve::start(&[yaml.to_str().unwrap()]);
    unsafe { libc::kill(serve.child.id() as i32, libc::SIGINT) };
    let status = serve.child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}

#[test]
fn a_layout_that_never_finishes_is_an_error_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = seed_copy(dir.path());
    let layouts = dir.path().join("layouts");
    std::fs::create_dir(&layouts).unwrap();
    std::fs::write(
        layouts.join("flyer.typ"),
        "#for i in range(1000000000) {}\n",
    )
    .unwrap();
    let serve = Serve::start(&[
        yaml.to_str().unwrap(),
        "--layouts",
        layouts.to_str().unwrap(),
        "--timeout",
        "1",
    ]);
    let get = |path: &str| serve.get(path, "");
    let late = get("/api/render?layout=flyer");
    assert!(late.contains("took longer than 1 s"), "{late}");
    let handout = get("/api/render?layout=handout");
    assert!(handout.contains("\"pages\""), "{handout}");
}

/// A save renders again only what shows the file saved: the answer for
/// another file is kept from the generation it was made in.
#[test]
fn a_save_renders_only_what_shows_the_file_saved() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    std::fs::copy(root().join(SEED), content.join("a.yaml")).unwrap();
    std::fs::copy(fixture("languages/fr.yaml"), content.join("b.yaml")).unwrap();
    let serve = Serve::start(&[content.to_str().unwrap()]);
    let render = |file: usize| body_json(&serve.get(&format!("/api/render?file={file}"), ""));
    let (a, b) = (render(0), render(1));
    assert!(a["pages"].is_array() && b["pages"].is_array(), "{a} {b}");
    let first = a["generation"].as_u64().unwrap();
    assert!(a.get("made").is_none());

    let text = std::fs::read_to_string(content.join("b.yaml")).unwrap();
    std::fs::write(
        content.join("b.yaml"),
        text.replacen("title: Data analyst", "title: Data analyste", 1),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let a = loop {
        let a = render(0);
        if a["generation"].as_u64().unwrap() > first {
            break a;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the save was not seen"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(a["made"], first, "the unchanged file's answer is kept: {a}");
    let b = render(1);
    assert!(b.get("made").is_none(), "the saved file is rendered again");
    // Without recipients there is no message to show.
    let message = serve.get("/api/message?file=0", "");
    assert!(message.starts_with("HTTP/1.1 400"), "{message}");
    assert!(message.contains("choose a recipient"), "{message}");
    assert_eq!(b["generation"], a["generation"]);
}
