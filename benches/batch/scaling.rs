//! `cargo bench --bench batch -- --scaling`: at each width (1, 2, 4, … up
//! to the core count), `--jobs N` against the same documents on threads,
//! split into N single-job `--shard` processes, and N parallel `typst
//! compile` processes, for shared and distinct text. Peak RSS is summed over
//! every process of a run.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::Run;
use crate::corpus::{GOALS, synthesize};
use crate::tools::{eject_all, measure_tree, run_pool, typst_compile};
use crate::{Setup, setup};

pub fn scaling() {
    let Setup {
        root,
        handout,
        cores,
        work,
        typst,
    } = setup();
    let mut widths: Vec<usize> = std::iter::successors(Some(1), |w| Some(w * 2))
        .take_while(|w| *w < cores)
        .collect();
    widths.push(cores);

    // One document: handout against typst compile on its ejected project.
    let project = work.path().join("single");
    let seed = root.join("content/ai-engineer-vs-ml-engineer.yaml");
    assert!(
        Command::new(&handout)
            .args(["eject", "--out"])
            .arg(&project)
            .arg(&seed)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
    );
    let single = |cmd: &dyn Fn() -> Command| {
        let mut runs: Vec<Run> = (0..15).map(|_| measure_tree(vec![cmd()])).collect();
        runs.sort_by_key(|r| r.wall);
        let median = &runs[runs.len() / 2];
        let rss = runs.iter().map(|r| r.peak_rss_kb).max().unwrap_or(0);
        (median.wall.as_secs_f64() * 1000.0, rss as f64 / 1024.0)
    };
    let ours = single(&|| {
        let mut c = Command::new(&handout);
        // Into the same folder each turn: --force renders it every time
        // instead of reusing the earlier turn's.
        c.args(["build", "-q", "--force", "-o"])
            .arg(work.path().join("single-out"))
            .arg(&seed)
            .stderr(Stdio::null());
        c
    });
    let theirs = single(&|| typst_compile(&typst, &project));
    println!("one document (median of 15)        ms    peak RSS MB");
    println!(
        "  handout build              {:>10.1} {:>12.1}",
        ours.0, ours.1
    );
    println!(
        "  typst compile              {:>10.1} {:>12.1}",
        theirs.0, theirs.1
    );
    println!(
        "  ratio                      {:>10.2} {:>12.2}   (targets <= 0.90, <= 1.10)\n",
        ours.0 / theirs.0,
        ours.1 / theirs.1
    );

    for distinct in [false, true] {
        let files = if distinct { 25 } else { 50 };
        let dir = synthesize(work.path(), &format!("scale-{distinct}"), files, distinct);
        let n = files * GOALS.len();
        let projects = eject_all(&handout, &dir, work.path(), distinct);
        println!(
            "{} text, {n} documents; ms per document (peak RSS MB, all processes)",
            if distinct { "distinct" } else { "shared" }
        );
        println!(
            "  {:>5} {:>18} {:>18} {:>18} {:>18} {:>9} {:>9}",
            "width",
            "--jobs N",
            "threads",
            "N shard procs",
            "N typst procs",
            "vs shards",
            "vs typst"
        );
        for &w in &widths {
            let out = |name: &str| work.path().join(format!("o-{distinct}-{w}-{name}"));
            let build = |workers: &str, extra: &[String], o: PathBuf| {
                let mut c = Command::new(&handout);
                c.env("HANDOUT_WORKERS", workers)
                    .args(["build", "--all-goals", "--quiet", "--force", "-o"])
                    .arg(o)
                    .arg(&dir)
                    .args(extra)
                    .stderr(Stdio::null());
                c
            };
            let jobs = ["--jobs".to_string(), w.to_string()];
            let auto = measure_tree(vec![build("auto", &jobs, out("auto"))]);
            let threads = measure_tree(vec![build("threads", &jobs, out("threads"))]);
            let shards = measure_tree(
                (1..=w)
                    .map(|k| {
                        build(
                            "threads",
                            &[
                                "--jobs".into(),
                                "1".into(),
                                "--shard".into(),
                                format!("{k}/{w}"),
                            ],
                            out("shards"),
                        )
                    })
                    .collect(),
            );
            let typst_run = run_pool(&projects, w, |p| typst_compile(&typst, p));
            let ms = |r: &Run, docs: usize| r.wall.as_secs_f64() * 1000.0 / docs as f64;
            let cell = |r: &Run, docs: usize| {
                format!("{:.2} ({:.0})", ms(r, docs), r.peak_rss_kb as f64 / 1024.0)
            };
            println!(
                "  {w:>5} {:>18} {:>18} {:>18} {:>18} {:>8.2}x {:>8.2}x",
                cell(&auto, n),
                cell(&threads, n),
                cell(&shards, n),
                cell(&typst_run, projects.len()),
                ms(&shards, n) / ms(&auto, n),
                ms(&typst_run, projects.len()) / ms(&auto, n),
            );
        }
        println!(
            "  (vs shards: throughput of --jobs N over N shard processes, target >= 0.9 on 2 cores \
             and >= 0.8 on 16; vs typst: how many times faster per document)\n"
        );
    }
}
