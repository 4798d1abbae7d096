//! Rebuilds that reuse what is unchanged, against a full build of the same
//! documents in the same run:
//!
//! - 100 content files with five variants each (the generic handout and
//!   four goals) on A4 and US Letter: 1,000 documents. A rebuild with
//!   nothing changed, and one after a one-word edit of one file, against
//!   the full build and against that file's documents built alone.
//! - `watch` over 12 files: the documents one save renders.
//!
//! `cargo bench --bench rebuild` (about 2 minutes on 2 cores).

#[path = "common/mod.rs"]
mod common;
#[path = "batch/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{Run, measure};

/// A fourth goal, so that each file makes five documents per paper.
const FOURTH_GOAL: &str = "
id: research-track
goal: I want to move towards research on new kinds of models
option: ml-engineer
advice: Build the ML Engineer foundations first; research roles ask for them.
course: machine-learning
";

fn main() {
    let handout = std::env::var_os("HANDOUT_BENCH_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_handout")));
    let dir = tempfile::tempdir().unwrap();
    let content = corpus::synthesize(dir.path(), "content", 100, true);
    add_goal(&content);
    let build = |args: &[&dyn AsRef<std::ffi::OsStr>]| {
        let mut cmd = Command::new(&handout);
        cmd.current_dir(dir.path())
            .args(["build", "--all-goals", "--paper", "a4,us-letter", "-q"])
            .stderr(Stdio::null());
        for a in args {
            cmd.arg(a);
        }
        cmd
    };
    let out = dir.path().join("out");
    let full = measure(&mut build(&[&content, &"-o", &out]));
    let first = documents(&out);
    assert_eq!(first.0 + first.1, 1000, "{first:?}");
    // The median of three no-change rebuilds.
    let mut again: Vec<Run> = (0..3)
        .map(|_| measure(&mut build(&[&content, &"-o", &out])))
        .collect();
    again.sort_by_key(|r| r.wall);
    let again = again[1];
    let unchanged = documents(&out);

    let file = content.join("comparison-0042.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("answer: ", "answer: Honestly, ", 1)).unwrap();
    let edited = measure(&mut build(&[&content, &"-o", &out]));
    let after_edit = documents(&out);
    let alone = measure(&mut build(&[&file, &"-o", &dir.path().join("alone")]));

    let pct = |r: &Run| 100.0 * r.wall.as_secs_f64() / full.wall.as_secs_f64();
    println!("1,000 documents from 100 content files (A4 and US Letter, every goal):");
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>10}",
        "case", "wall s", "CPU s", "RSS MB", "rendered"
    );
    let row = |name: &str, r: &Run, rendered: usize| {
        println!(
            "{name:<44} {:>9.2} {:>9.2} {:>9.1} {rendered:>10}",
            r.wall.as_secs_f64(),
            r.cpu.as_secs_f64(),
            r.peak_rss_kb as f64 / 1024.0
        );
    };
    row("full build", &full, first.0);
    row(
        "rebuild, nothing changed (median of 3)",
        &again,
        unchanged.0,
    );
    row("rebuild, one file edited", &edited, after_edit.0);
    row("that file's documents built alone", &alone, 10);
    println!(
        "no-change rebuild: {:.1} % of the full build (target at most 3 %); peak RSS {:.1} MB (target under 100 MB)",
        pct(&again),
        again.peak_rss_kb as f64 / 1024.0
    );
    println!(
        "one file edited: {:.2} s against {:.2} s alone + 3 % of the full build = {:.2} s (target at most that)",
        edited.wall.as_secs_f64(),
        alone.wall.as_secs_f64(),
        alone.wall.as_secs_f64() + 0.03 * full.wall.as_secs_f64()
    );
    watch_save(&handout, dir.path());
}

/// Adds [`FOURTH_GOAL`] to every file.
fn add_goal(dir: &Path) {
    let goal: serde_yaml::Value = serde_yaml::from_str(FOURTH_GOAL).unwrap();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let mut value: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        value["career_mapping"]["goals"]
            .as_sequence_mut()
            .unwrap()
            .push(goal.clone());
        std::fs::write(&path, serde_yaml::to_string(&value).unwrap()).unwrap();
    }
}

/// Rendered and reused documents of the last build into `out`.
fn documents(out: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(out.join(".handout/report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let docs = report["documents"].as_array().unwrap();
    let reused = docs.iter().filter(|d| d["reused"] == true).count();
    assert!(docs.iter().all(|d| d["status"] == "ok"));
    (docs.len() - reused, reused)
}

/// `watch` over 12 files; one is saved; counts what the save rendered.
fn watch_save(handout: &Path, dir: &Path) {
    let content = corpus::synthesize(dir, "twelve", 12, true);
    add_goal(&content);
    let out = dir.join("watched");
    let mut child = Command::new(handout)
        .current_dir(dir)
        .args([
            "watch",
            "--all-goals",
            "--paper",
            "a4,us-letter",
            "-q",
            "-o",
        ])
        .arg(&out)
        .arg(&content)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let report = out.join(".handout/report.json");
    let written = || std::fs::metadata(&report).and_then(|m| m.modified()).ok();
    let wait = |after: Option<SystemTime>| {
        let start = Instant::now();
        loop {
            let now = written();
            if now.is_some() && now != after {
                // The report is written last and atomically.
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "watch never built"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait(None);
    let first = documents(&out);
    let before = written();
    std::thread::sleep(Duration::from_millis(50));
    let file = content.join("comparison-0007.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = Instant::now();
    std::fs::write(&file, text.replacen("answer: ", "answer: Honestly, ", 1)).unwrap();
    wait(before);
    let saved = start.elapsed();
    let (rendered, reused) = documents(&out);
    let _ = child.kill();
    let _ = child.wait();
    println!(
        "watch over 12 files ({} documents): one save rendered {rendered} and reused {reused} in {:.2} s (target: only that file's 10)",
        first.0 + first.1,
        saved.as_secs_f64()
    );
}
