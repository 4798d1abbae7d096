//! Ctrl-C and SIGTERM during a batch: finished files stay, no temporary file
//! is left, the report marks the unfinished documents `interrupted`, and the
//! exit code is 130 or 143. A compile that never ends does not hold the
//! process.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A folder of `n` copies of the seed, each with its own id.
fn seed_copies(dir: &Path, n: usize) -> std::path::PathBuf {
    let content = dir.join("content");
    std::fs::create_dir(&content).unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    for i in 0..n {
        let text = seed.replacen(
            &format!("id: {SEED_ID}"),
            &format!("id: {SEED_ID}-{i:03}"),
            1,
        );
        std::fs::write(content.join(format!("page-{i:03}.yaml")), text).unwrap();
    }
    content
}

/// Starts a build, sends `signal` once the first document is written, and
/// returns the exit code and stderr.
fn interrupt_build(
    workers: &str,
    args: &[&dyn AsRef<std::ffi::OsStr>],
    signal: i32,
) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.current_dir(root())
        .env("HANDOUT_WORKERS", workers)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for a in args {
        cmd.arg(a);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    assert!(first.contains("wrote"), "{first}");
    // SAFETY: kill(2) with the pid of a child we own.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let start = Instant::now();
    for _ in lines {}
    let o = child.wait_with_output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "the job did not stop in time"
    );
    (o.status.code(), stderr(&o))
}

fn check_interrupted_output(out: &Path, report: &Path) {
    let leftovers: Vec<_> = out_entries(out)
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".pdf"))
        .collect();
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");

    let json = read_json(report);
    let docs = json["documents"].as_array().unwrap();
    let status = |s: &str| docs.iter().filter(|d| d["status"] == s).count();
    assert!(status("ok") >= 1, "the first document finished");
    assert!(status("interrupted") >= 1, "the job was stopped early");
    assert_eq!(status("ok") + status("interrupted"), docs.len());
    assert_eq!(json["totals"]["interrupted"], status("interrupted"));
    for d in docs {
        let path = root().join(d["output"].as_str().unwrap());
        match d["status"].as_str().unwrap() {
            // Every finished file is whole: its bytes match the report.
            "ok" => {
                let bytes = std::fs::read(&path).unwrap();
                assert_eq!(bytes.len() as u64, d["bytes"].as_u64().unwrap());
                assert!(bytes.ends_with(b"%%EOF\n") || bytes.ends_with(b"%%EOF"));
            }
            _ => assert!(!path.exists(), "{} exists", path.display()),
        }
    }
}

#[test]
fn sigterm_and_ctrl_c_stop_a_batch_cleanly() {
    // On threads and on worker processes.
    for (signal, code, workers) in [
        (libc::SIGTERM, 143, "threads"),
        (libc::SIGINT, 130, "threads"),
        (libc::SIGTERM, 143, "processes"),
        (libc::SIGINT, 130, "processes"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let content = seed_copies(dir.path(), 80);
        let out = dir.path().join("out");
        let report = dir.path().join("report.json");
        let (exit, err) = interrupt_build(
            workers,
            &[
                &"build",
                &content,
                &"--all-goals",
                &"--jobs",
                &"2",
                &"--report",
                &report,
                &"-o",
                &out,
            ],
            signal,
        );
        assert_eq!(exit, Some(code), "{err}");
        assert!(err.contains("stopped by"), "{err}");
        check_interrupted_output(&out, &report);
    }
}

#[test]
fn a_signal_ends_the_job_while_a_compile_is_stuck() {
    let dir = tempfile::tempdir().unwrap();
    let layouts = endless_for_two_options(dir.path());
    let out = dir.path().join("out");
    let report = dir.path().join("report.json");
    let (exit, err) = interrupt_build(
        "threads",
        &[
            &"build",
            &fixture("three-options.yaml"),
            &fixture("minimal.yaml"),
            &"--layouts",
            &layouts,
            &"--jobs",
            &"1",
            &"--pdf-standard",
            &"none",
            &"--report",
            &report,
            &"-o",
            &out,
        ],
        libc::SIGTERM,
    );
    assert_eq!(exit, Some(143), "{err}");
    let json = read_json(&report);
    assert_eq!(report_statuses(&json), ["ok", "interrupted"]);
    assert_eq!(pdfs_in(&out).len(), 1);
}
