//! Print runs from the page of `handout serve`: the same files, bytes and
//! report as `handout build` with the command line the page shows; Cancel
//! stops the run the way Ctrl-C does; writes need the token and the page's
//! own origin.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::serve::{Serve, body_json};
use common::webdriver::Browser;
use common::*;
use serde_json::{Value, json};

/// A project folder as staff keep one: `content/` with the seed in it.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    std::fs::copy(
        root().join(SEED),
        content.join("ai-engineer-vs-ml-engineer.yaml"),
    )
    .unwrap();
    (dir, content)
}

/// The PDFs of a folder, by name, with their bytes.
fn pdfs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn pdfs_or_none(dir: &Path) -> Vec<(String, Vec<u8>)> {
    if dir.exists() { pdfs(dir) } else { Vec::new() }
}

/// A report's documents without what differs between two runs of one
/// build: the folder, the times.
fn documents(report: &Path) -> Vec<Value> {
    let report: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let mut d = d.clone();
            let o = d.as_object_mut().unwrap();
            o.retain(|k, _| !k.contains("ms") && !k.contains("millis"));
            // When each file was written differs, of course.
            for f in o["files"].as_array_mut().unwrap() {
                f.as_object_mut().unwrap().remove("modified_ns");
            }
            for v in o.values_mut() {
                if let Some(s) = v.as_str() {
                    *v = json!(
                        Path::new(s)
                            .file_name()
                            .map_or(s.into(), |n| n.to_string_lossy().into_owned())
                    );
                }
            }
            d
        })
        .collect()
}

#[test]
fn a_print_run_from_the_page_gives_what_build_gives() {
    let Some(browser) = Browser::start() else {
        return not_checked("chromium and chromedriver are not installed");
    };
    let (dir, _) = project();
    let serve = Serve::start_in(dir.path(), &["content"]);
    let b = &browser;
    b.open(&serve.url);
    b.wait_for(
        "the pages",
        "return document.body.dataset.state === 'ok'",
        json!([]),
    );
    // From the keyboard: the tab is a button, Enter opens it.
    b.run("document.getElementById('tab-print').focus()", json!([]));
    b.type_into("#tab-print", false, "\u{E007}");
    b.wait_for(
        "the print panel",
        "return !document.getElementById('panel-print').hidden && document.querySelectorAll('#print-goal-ids input').length === 3",
        json!([]),
    );
    b.click("input[name=goals][value=some]");
    b.click("#print-goal-ids input[value=modern-ai-systems]");
    b.click("#print-goal-ids input[value=production-ml]");
    b.click("#print-papers input[value=us-letter]");
    let command = b.wait_for(
        "the command line",
        "const t = document.getElementById('print-command').textContent; return t.includes('us-letter') && t.includes('production-ml') && t",
        json!([]),
    );
    let command = command.as_str().unwrap().to_string();
    assert_eq!(
        command,
        "handout build content --out-dir out --report out/report.json --goal 'modern-ai-systems,production-ml' --paper 'a4,us-letter'"
    );
    assert_eq!(serious_violations(b), Vec::<String>::new());
    b.click("#print-start");
    b.wait_for(
        "the run's files",
        "return document.getElementById('print-state').textContent.startsWith('Done') && document.querySelectorAll('#print-files li').length",
        json!([]),
    );
    assert_eq!(serious_violations(b), Vec::<String>::new());
    let files = b.run(
        "return document.querySelectorAll('#print-files li').length",
        json!([]),
    );
    assert_eq!(files, json!(4));
    if std::env::var_os("HANDOUT_DOCS_SHOT").is_some() {
        b.run(
            "document.getElementById('print-command-label').scrollIntoView()",
            json!([]),
        );
        std::fs::write(root().join("docs/serve-print.png"), b.screenshot()).unwrap();
    }

    // The same command in a terminal, into another folder.
    let mut argv = shlex::split(&command).unwrap();
    let out = argv.iter().position(|a| a == "--out-dir").unwrap();
    argv[out + 1] = "cli".into();
    argv[out + 3] = "cli/report.json".into();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(dir.path())
        .args(&argv[1..])
        .output()
        .unwrap();
    assert_ok(&o);
    let (page, cli) = (pdfs(&dir.path().join("out")), pdfs(&dir.path().join("cli")));
    assert_eq!(page.len(), 4);
    assert!(page == cli, "the page's PDFs differ from build's");
    assert_eq!(
        documents(&dir.path().join("out/report.json")),
        documents(&dir.path().join("cli/report.json"))
    );
    // Each file is served as written, and all of them as one zip.
    let first = serve.get("/api/file?n=0", "");
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    let zip = serve.get("/api/zip", "");
    assert!(zip.starts_with("HTTP/1.1 200") && zip.contains("application/zip"));
}

const MANY: &str = r#"{"goals":"all","papers":["a4","us-letter","a5","half-letter"],"layouts":["handout","flyer"],"editions":["print","email"],"out":"out"}"#;

#[test]
fn cancel_stops_a_print_run_leaving_no_partial_file() {
    let (dir, _) = project();
    let serve = Serve::start_in(dir.path(), &["content"]);
    let token = serve.token_header();
    let started = serve.post("/api/print/start", MANY, &token);
    assert!(started.starts_with("HTTP/1.1 202"), "{started}");
    let deadline = Instant::now() + Duration::from_secs(120);
    while serve.job()["done"].as_u64().unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }
    let cancelled = serve.post("/api/job/cancel", "{}", &token);
    assert!(cancelled.starts_with("HTTP/1.1 200"), "{cancelled}");
    let job = serve.job_ended();
    assert_eq!(job["state"], "cancelled", "{job}");
    let planned = job["planned"].as_u64().unwrap();
    let listed = job["files"].as_array().unwrap().len();
    assert!(
        listed < planned as usize,
        "cancelled after every document: {job}"
    );
    // Every file in the folder is whole, and is one the job lists.
    let out = dir.path().join("out");
    for entry in out_entries(&out) {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "report.json" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(name.ends_with(".pdf"), "a stray file: {name}");
        assert!(
            bytes.starts_with(b"%PDF") && bytes.trim_ascii_end().ends_with(b"%%EOF"),
            "{name}"
        );
        assert!(
            job["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["name"].as_str().unwrap().ends_with(&name)),
            "{name} is not listed"
        );
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(report.to_string().contains("interrupted"), "{report}");
}

#[test]
fn print_runs_need_the_token_the_origin_and_a_folder_inside() {
    let (dir, _) = project();
    let serve = Serve::start_in(dir.path(), &["content"]);
    let token = serve.token_header();
    let two = r#"{"goals":"generic","out":"out"}"#;
    for (extra, why) in [
        (String::new(), "no token"),
        (
            format!("{token}Origin: http://evil.example\r\n"),
            "a foreign origin",
        ),
        (
            format!("{token}Sec-Fetch-Site: cross-site\r\n"),
            "another site",
        ),
    ] {
        let answer = serve.post("/api/print/start", two, &extra);
        assert!(answer.starts_with("HTTP/1.1 403"), "{why}: {answer}");
    }
    for out in ["../elsewhere", "/tmp/elsewhere"] {
        let body = json!({"goals": "generic", "out": out}).to_string();
        let answer = serve.post("/api/print/start", &body, &token);
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        assert!(answer.contains("outside the project folder"), "{answer}");
    }
    // Checked as the command line is checked, with its words.
    let body = json!({"goals": "some", "goal_ids": ["nope"], "out": "out"}).to_string();
    let answer = serve.post("/api/print/command", &body, &token);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The goals are the content's, known when the run reads it: the run
    // ends with build's message, and writes no document.
    let answer = serve.post("/api/print/start", &body, &token);
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    let failed = serve.job_ended();
    assert_eq!(failed["state"], "failed");
    assert!(
        failed["errors"].to_string().contains("has no goal `nope`"),
        "{failed}"
    );
    let body = json!({"papers": ["a3"], "out": "out"}).to_string();
    let answer = serve.post("/api/print/command", &body, &token);
    assert!(
        answer.contains("invalid value 'a3' for '--paper <PAPER>'"),
        "{answer}"
    );
    assert!(
        pdfs_or_none(&dir.path().join("out")).is_empty(),
        "a refused run wrote"
    );
    assert!(!dir.path().parent().unwrap().join("elsewhere").exists());

    let read_only = Serve::start_in(dir.path(), &["content", "--read-only"]);
    let answer = read_only.post("/api/print/start", two, &read_only.token_header());
    assert!(
        answer.starts_with("HTTP/1.1 403") && answer.contains("--read-only"),
        "{answer}"
    );
    assert!(pdfs_or_none(&dir.path().join("out")).is_empty());
}

/// An event file in the content folder (`_NAME.yaml`) is offered, and a run
/// with it gives `--event`; a file that is not an event is not offered.
#[test]
fn events_in_the_content_folder_are_offered() {
    let (dir, content) = project();
    std::fs::copy(
        fixture("recipients/event.yaml"),
        content.join("_open-day.yaml"),
    )
    .unwrap();
    std::fs::write(content.join("_notes.yaml"), "just: notes\n").unwrap();
    let serve = Serve::start_in(dir.path(), &["content"]);
    let runs = body_json(&serve.get("/api/runs", ""));
    assert_eq!(
        runs["print"]["events"],
        json!(["content/_open-day.yaml"]),
        "{runs}"
    );
    let token = serve.token_header();
    let body =
        json!({"layouts": ["flyer"], "event": "content/_open-day.yaml", "out": "out"}).to_string();
    let answer = serve.post("/api/print/command", &body, &token);
    assert!(
        answer.contains("--layout flyer --event content/_open-day.yaml"),
        "{answer}"
    );
    let body = json!({"event": "people.csv", "out": "out"}).to_string();
    let answer = serve.post("/api/print/command", &body, &token);
    assert!(
        answer.starts_with("HTTP/1.1 400") && answer.contains("is not one of the events"),
        "{answer}"
    );
}

const SOME: &str = r#"{"goals":"all","papers":["a4","us-letter"],"layouts":["handout"],"editions":["print"],"out":"out"}"#;

/// A print run into a folder that holds the same run reuses every document,
/// and still lists every file, for download and the zip.
#[test]
fn a_second_print_run_reuses_and_lists_every_file() {
    let (dir, _) = project();
    let serve = Serve::start_in(dir.path(), &["content"]);
    let token = serve.token_header();
    let run = || {
        let started = serve.post("/api/print/start", SOME, &token);
        assert!(started.starts_with("HTTP/1.1 202"), "{started}");
        serve.job_ended()
    };
    let first = run();
    assert_eq!(first["state"], "done", "{first}");
    let second = run();
    assert_eq!(second["state"], "done", "{second}");
    let names = |job: &Value| {
        let mut n: Vec<String> = job["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&second), names(&first), "{second}");
    assert_eq!(names(&first).len(), 8);
    let report = read_json(&dir.path().join("out/report.json"));
    assert_eq!(report["totals"]["reused"], report["totals"]["documents"]);
}
