//! Batch throughput, CPU per document and memory, against plain `typst
//! compile`, in one run.
//!
//! Run with `cargo bench --bench batch`; `-- --quick` measures each run
//! once instead of three times and leaves out the branded case (under three
//! minutes on two cores). typst-cli 0.15 is installed into `.tools/` by
//! `scripts/install-typst` when it is missing.
//!
//! Each case is a batch a school runs: many content files with shared or
//! distinct text, one content file with its goals, papers and editions,
//! and personal copies for a list of recipients. Each is built with the
//! release binary at `--jobs 1`, `--jobs 2` and the default (all cores),
//! and reported as wall time, CPU time per document (user and system,
//! worker processes included) and peak RSS (summed over all processes).
//! In the same run, `typst compile` renders ejected projects of the seed,
//! one process per document, as the baseline, and one document is timed
//! against `typst compile` on its ejected project.
//!
//! `-- --scaling` prints the scaling table instead (`scaling.rs`).
//! `-- --single N` times only one document, N turns each, and prints the
//! binary's size: with `HANDOUT_BENCH_BINARY=target/dist/handout` it
//! measures the release archives' binary (`cargo build --profile dist`).

#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod scaling;
mod tools;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Run;
use corpus::{GOALS, recipients, seed, synthesize};
use tools::{eject, install_typst, measure_tree, typst_compile, version};

/// What every run needs: the binaries, the core count and a scratch folder.
pub struct Setup {
    pub root: PathBuf,
    pub handout: PathBuf,
    pub cores: usize,
    pub work: tempfile::TempDir,
    pub typst: PathBuf,
}

/// Installs typst-cli if needed and prints what is compared.
pub fn setup() -> Setup {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let typst = install_typst(&root);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "handout {} vs {}; {cores} cores\n",
        env!("CARGO_PKG_VERSION"),
        version(&typst)
    );
    Setup {
        root,
        handout: std::env::var_os("HANDOUT_BENCH_BINARY")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_handout"))),
        cores,
        work: tempfile::tempdir().expect("temp dir"),
        typst,
    }
}

/// One batch: what `handout build` is given and how many documents it makes.
struct Case {
    name: &'static str,
    args: Vec<OsString>,
    docs: usize,
}

/// One case at one `--jobs`.
struct Measured {
    case: &'static str,
    jobs: usize,
    docs: usize,
    run: Run,
}

impl Measured {
    fn ms(&self) -> f64 {
        self.run.wall.as_secs_f64() * 1000.0 / self.docs as f64
    }

    fn cpu_ms(&self) -> f64 {
        self.run.cpu.as_secs_f64() * 1000.0 / self.docs as f64
    }
}

fn main() {
    if std::env::args().any(|a| a == "--scaling") {
        return scaling::scaling();
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--single") {
        let runs = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(40);
        let s = setup();
        let bytes = std::fs::metadata(&s.handout).map_or(0, |m| m.len());
        println!("{}: {:.1} MB", s.handout.display(), bytes as f64 / 1e6);
        let (ours, theirs) = single_document(&s, runs);
        println!(
            "  one document / typst compile: {:.2} wall",
            ours.0 / theirs.0
        );
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let s = setup();
    let cases = cases(&s, quick);
    let mut widths = vec![1, 2, s.cores];
    widths.dedup();
    println!(
        "{:<34} {:>9} {:>6} {:>8} {:>8} {:>10} {:>7} {:>9} {:>9}",
        "case", "--jobs", "docs", "wall s", "ms/doc", "CPU ms/doc", "RSS MB", "speed-up", "CPU/doc"
    );
    let mut all = Vec::new();
    for case in &cases {
        for &jobs in &widths {
            let run = build(&s, case, jobs, if quick { 1 } else { 3 });
            let m = Measured {
                case: case.name,
                jobs,
                docs: case.docs,
                run,
            };
            let one = all
                .iter()
                .find(|o: &&Measured| o.case == case.name && o.jobs == 1)
                .unwrap_or(&m);
            let label = if jobs == s.cores {
                format!("{jobs} (all)")
            } else {
                jobs.to_string()
            };
            println!(
                "{:<34} {label:>9} {:>6} {:>8.2} {:>8.2} {:>10.2} {:>7.0} {:>8.2}x {:>8.2}x",
                case.name,
                m.docs,
                m.run.wall.as_secs_f64(),
                m.ms(),
                m.cpu_ms(),
                m.run.peak_rss_kb as f64 / 1024.0,
                one.ms() / m.ms(),
                m.cpu_ms() / one.cpu_ms(),
            );
            all.push(m);
        }
    }
    let typst = baseline(&s);
    let single = single_document(&s, if quick { 10 } else { 30 });
    targets(&all, &typst, single, s.cores);
}

/// The cases, their content written into the scratch folder.
fn cases(s: &Setup, quick: bool) -> Vec<Case> {
    let work = s.work.path();
    let os = |args: &[&str]| args.iter().map(OsString::from).collect::<Vec<_>>();
    let with = |mut args: Vec<OsString>, path: PathBuf| {
        args.push(path.into_os_string());
        args
    };
    let shared12 = synthesize(work, "shared-12", 12, false);
    let distinct12 = synthesize(work, "distinct-12", 12, true);
    let shared100 = synthesize(work, "shared-100", 100, false);
    let seed = seed(work);
    let both_papers = os(&["--all-goals", "--paper", "a4,us-letter"]);
    let normal_density = os(&["--all-goals", "--paper", "a4,us-letter", "--pages", "none"]);
    let person = |n: usize| {
        let mut args = os(&["--recipients"]);
        args.push(recipients(work, n).into_os_string());
        with(args, seed.clone())
    };
    let mut cases = vec![
        Case {
            name: "12 files, shared text, A4+Letter",
            args: with(both_papers.clone(), shared12.clone()),
            docs: 96,
        },
        Case {
            name: "12 files, shared, A4+Letter, --pages none",
            args: with(normal_density.clone(), shared12.clone()),
            docs: 96,
        },
        Case {
            name: "seed, all goals, A4+Letter",
            args: with(both_papers.clone(), seed.clone()),
            docs: 8,
        },
        Case {
            name: "seed, all goals, A4+Letter, --pages none",
            args: with(normal_density, seed.clone()),
            docs: 8,
        },
        Case {
            name: "12 files, distinct text, A4+Letter",
            args: with(both_papers, distinct12),
            docs: 96,
        },
        Case {
            name: "100 files, shared text, A4",
            args: with(os(&["--all-goals"]), shared100.clone()),
            docs: 400,
        },
        Case {
            name: "1 file, 3 papers x 2 editions",
            args: with(
                os(&[
                    "--all-goals",
                    "--paper",
                    "a4,us-letter,a5",
                    "--edition",
                    "print,email",
                ]),
                seed.clone(),
            ),
            docs: 24,
        },
        Case {
            name: "200 recipients",
            args: person(200),
            docs: 200,
        },
        Case {
            name: "1000 recipients",
            args: person(1000),
            docs: 1000,
        },
    ];
    if !quick {
        let mut args = os(&["--all-goals", "--brand"]);
        args.push(s.root.join("examples/brand/_brand.yml").into_os_string());
        cases.push(Case {
            name: "100 files, shared text, branded",
            args: with(args, shared100),
            docs: 400,
        });
    }
    cases
}

/// Builds a case `repeat` times; the run with the median wall time.
fn build(s: &Setup, case: &Case, jobs: usize, repeat: usize) -> Run {
    let out = s.work.path().join("out");
    let mut runs: Vec<Run> = (0..repeat)
        .map(|_| {
            std::fs::remove_dir_all(&out).ok();
            let mut c = Command::new(&s.handout);
            c.args(["build", "--quiet", "--jobs"])
                .arg(jobs.to_string())
                .arg("-o")
                .arg(&out)
                .args(&case.args);
            let run = measure_tree(vec![c]);
            let wrote = count_pdfs(&out);
            assert_eq!(wrote, case.docs, "{}: wrote {wrote} PDFs", case.name);
            run
        })
        .collect();
    runs.sort_by_key(|r| r.wall);
    runs[runs.len() / 2]
}

fn count_pdfs(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                count_pdfs(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x == "pdf"))
            }
        })
        .sum()
}

/// `typst compile`, one process per document, on the seed's eight ejected
/// documents (each goal, A4 and US Letter): wall and CPU per document.
fn baseline(s: &Setup) -> Run {
    let seed = seed(s.work.path());
    let mut total = Run {
        wall: Duration::ZERO,
        cpu: Duration::ZERO,
        peak_rss_kb: 0,
    };
    let mut n = 0;
    for goal in GOALS {
        for paper in ["a4", "us-letter"] {
            let project = s.work.path().join(format!("eject-{goal}-{paper}"));
            eject(&s.handout, &seed, goal, &["--paper", paper], &project);
            for _ in 0..3 {
                let run = common::measure(&mut typst_compile(&s.typst, &project));
                total.wall += run.wall;
                total.cpu += run.cpu;
                total.peak_rss_kb = total.peak_rss_kb.max(run.peak_rss_kb);
                n += 1;
            }
        }
    }
    let per = |d: Duration| d / n;
    println!(
        "\ntypst compile, 1 process/doc ({n} runs): {:.1} ms/doc, {:.1} CPU ms/doc, {:.0} MB",
        per(total.wall).as_secs_f64() * 1000.0,
        per(total.cpu).as_secs_f64() * 1000.0,
        total.peak_rss_kb as f64 / 1024.0
    );
    Run {
        wall: per(total.wall),
        cpu: per(total.cpu),
        peak_rss_kb: total.peak_rss_kb,
    }
}

/// One document, `handout build` against `typst compile` on its ejected
/// project, taking turns: median wall time and peak RSS of each.
fn single_document(s: &Setup, runs: usize) -> ((f64, f64), (f64, f64)) {
    let seed = seed(s.work.path());
    let project = s.work.path().join("single");
    eject(&s.handout, &seed, "", &[], &project);
    let ours = || {
        let mut c = Command::new(&s.handout);
        // Into the same folder each turn: --force renders it every time
        // instead of reusing the earlier turn's.
        c.args(["build", "-q", "--force", "-o"])
            .arg(s.work.path().join("single-out"))
            .arg(&seed)
            .stderr(Stdio::null());
        c
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs + 2 {
        a.push(common::measure(&mut ours()));
        b.push(common::measure(&mut typst_compile(&s.typst, &project)));
    }
    let summary = |mut v: Vec<Run>| {
        v.drain(..2);
        let rss = v.iter().map(|r| r.peak_rss_kb).max().unwrap_or(0) as f64 / 1024.0;
        v.sort_by_key(|r| r.wall);
        (v[v.len() / 2].wall.as_secs_f64() * 1000.0, rss)
    };
    let (ours, theirs) = (summary(a), summary(b));
    println!(
        "one document, median of {runs}: handout {:.1} ms ({:.1} MB), typst compile {:.1} ms ({:.1} MB)",
        ours.0, ours.1, theirs.0, theirs.1
    );
    (ours, theirs)
}

/// The ratios the targets are stated in.
fn targets(all: &[Measured], typst: &Run, single: ((f64, f64), (f64, f64)), cores: usize) {
    let find = |case: &str, jobs: usize| all.iter().find(|m| m.case == case && m.jobs == jobs);
    let typst_ms = typst.wall.as_secs_f64() * 1000.0;
    println!("\ntargets");
    for case in [
        "12 files, shared text, A4+Letter",
        "12 files, distinct text, A4+Letter",
        "200 recipients",
        "1000 recipients",
    ] {
        let (Some(one), Some(two)) = (find(case, 1), find(case, 2)) else {
            continue;
        };
        println!(
            "  {case:<36} --jobs 2: {:.2}x throughput (>= 1.7), {:.2}x CPU/doc (<= 1.15)",
            one.ms() / two.ms(),
            two.cpu_ms() / one.cpu_ms()
        );
    }
    if let Some(two) = find("12 files, distinct text, A4+Letter", 2) {
        println!(
            "  distinct text, --jobs 2 ms/doc / typst compile ms/doc: {:.3} (<= 0.25)",
            two.ms() / typst_ms
        );
    }
    // The four-page target's denser compiles against the normal density.
    for (default, normal) in [
        (
            "12 files, shared text, A4+Letter",
            "12 files, shared, A4+Letter, --pages none",
        ),
        (
            "seed, all goals, A4+Letter",
            "seed, all goals, A4+Letter, --pages none",
        ),
    ] {
        if let (Some(d), Some(n)) = (find(default, 1), find(normal, 1)) {
            println!(
                "  {default}, --jobs 1, four-page target / --pages none: {:.2}x (<= 1.6)",
                d.ms() / n.ms()
            );
        }
    }
    let ((ours, our_rss), (theirs, their_rss)) = single;
    println!(
        "  one document / typst compile: {:.2} wall (<= 0.90), {:.2} peak RSS (<= 1.10)",
        ours / theirs,
        our_rss / their_rss
    );
    if let Some(two) = find("1000 recipients", 2) {
        println!(
            "  1000 documents, --jobs 2, peak RSS: {:.0} MB (< 150)",
            two.run.peak_rss_kb as f64 / 1024.0
        );
    }
    if let (Some(branded), Some(plain)) = (
        find("100 files, shared text, branded", cores),
        find("100 files, shared text, A4", cores),
    ) {
        println!(
            "  branded / unbranded ms/doc: {:.2} (<= 1.10)",
            branded.ms() / plain.ms()
        );
    }
    if let (Some(big), Some(small)) = (
        find("1000 recipients", cores),
        find("200 recipients", cores),
    ) {
        println!(
            "  ms/doc, 1000 vs 200 recipients: {:.2} (linear = 1.00)",
            big.ms() / small.ms()
        );
    }
}
