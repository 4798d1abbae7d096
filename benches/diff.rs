//! `handout diff` on 100 changed documents against building them.
//!
//! Run with `cargo bench --bench diff`. It writes 100 variants of the seed,
//! builds them at the normal density (`--pages none`, five pages each),
//! changes one word of a FAQ answer in every file, builds them again, and
//! times `handout diff` with `--html` against the second build, in the
//! same run.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;
#[path = "batch/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::measure;

const DOCS: usize = 100;

fn build(handout: &Path, content: &Path, out: &Path) -> common::Run {
    std::fs::remove_dir_all(out).ok();
    measure(
        Command::new(handout)
            .args(["build", "--quiet", "--pages", "none", "-o"])
            .arg(out)
            .arg("--report")
            .arg(out.join("report.json"))
            .arg(content),
    )
}

fn main() {
    let handout = PathBuf::from(env!("CARGO_BIN_EXE_handout"));
    let work = tempfile::tempdir().unwrap();
    let before = corpus::synthesize(work.path(), "before", DOCS, false);
    let after = corpus::synthesize(work.path(), "after", DOCS, false);
    for entry in std::fs::read_dir(&after).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let edited = text.replacen(
            "Yes. A strong ML engineering",
            "Yes. A solid ML engineering",
            1,
        );
        assert_ne!(text, edited);
        std::fs::write(entry.path(), edited).unwrap();
    }
    let (a, b) = (work.path().join("a"), work.path().join("b"));
    build(&handout, &before, &a);
    let built = build(&handout, &after, &b);
    let html = work.path().join("html");
    let diffed = measure(
        Command::new(&handout)
            .args(["diff", "--fail-on", "none", "--html"])
            .arg(&html)
            .arg(&a)
            .arg(&b),
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{DOCS} changed documents of five pages, {cores} cores");
    println!(
        "build (all cores):      {:>6.2} s, {:>4} MB peak",
        built.wall.as_secs_f64(),
        built.peak_rss_kb / 1024
    );
    println!(
        "diff with --html:       {:>6.2} s, {:>4} MB peak (target at most 10 s)",
        diffed.wall.as_secs_f64(),
        diffed.peak_rss_kb / 1024
    );
    println!(
        "diff / build:           {:>6.2}x (target at most 2)",
        diffed.wall.as_secs_f64() / built.wall.as_secs_f64()
    );
}
