//! Batch throughput, scaling and memory, against plain `typst compile`.
//!
//! Run with `cargo bench --bench batch` (add `-- --quick` for a smaller run).
//! It renders synthetic content files (variants of the seed, four documents
//! each) with the release binary and, in the same run, the same documents as
//! ejected projects with one `typst compile` process each. typst-cli 0.15 is
//! installed into `.tools/` by `scripts/install-typst` when it is missing.
//!
//! Printed: wall time, documents per second and peak RSS for `--jobs 1` and
//! for all cores at two batch sizes, then the ratios the targets are stated in.
//!
//! `-- --scaling` prints the scaling table instead: at each width (1, 2, 4,
//! … up to the core count), `--jobs N` against the same documents split
//! into N single-job `--shard` processes and N parallel `typst compile`
//! processes, for shared and distinct text, and a single document against
//! `typst compile` on its ejected project. Peak RSS is summed over every
//! process of a run.
//!
//! The main runs are variants of one comparison page, as a batch of goals,
//! papers or recipients is, and Typst reuses layout work between them. A
//! further run gives every content file its own text in every paragraph,
//! which shows the cost when little can be shared.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, measure};

const SEED: &str = include_str!("../content/ai-engineer-vs-ml-engineer.yaml");
const DOCS_PER_FILE: usize = 4;

/// What every run needs: the binaries, the core count and a scratch folder.
struct Setup {
    root: PathBuf,
    handout: PathBuf,
    cores: usize,
    work: tempfile::TempDir,
    typst: PathBuf,
}

/// Installs typst-cli if needed and prints what is compared.
fn setup() -> Setup {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let typst = install_typst(&root);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "handout {} vs {}",
        env!("CARGO_PKG_VERSION"),
        version(&typst)
    );
    println!("{cores} cores; {DOCS_PER_FILE} documents per content file (generic + 3 goals), A4\n");
    Setup {
        root,
        handout: PathBuf::from(env!("CARGO_BIN_EXE_handout")),
        cores,
        work: tempfile::tempdir().expect("temp dir"),
        typst,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--scaling") {
        return scaling();
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let (small, large) = if quick { (40, 200) } else { (100, 1000) };
    let baseline_docs = if quick { 8 } else { 60 };
    let Setup {
        root,
        handout,
        cores,
        work,
        typst,
    } = setup();

    let large_dir = synthesize(work.path(), "large", large / DOCS_PER_FILE, false);
    let small_dir = synthesize(work.path(), "small", small / DOCS_PER_FILE, false);
    let distinct_dir = synthesize(work.path(), "distinct", small / DOCS_PER_FILE, true);

    println!(
        "{:<28} {:>6} {:>10} {:>10} {:>10} {:>11}",
        "run", "docs", "wall s", "docs/s", "ms/doc", "peak RSS MB"
    );
    let mut rows = Vec::new();
    let mut distinct = Vec::new();
    for (dir, n) in [
        (&small_dir, small),
        (&large_dir, large),
        (&distinct_dir, small),
    ] {
        let is_distinct = dir == &distinct_dir;
        for jobs in [1, cores] {
            let out = work.path().join(format!("out-{n}-{jobs}-{is_distinct}"));
            let run = measure_tree(vec![{
                let mut c = Command::new(&handout);
                c.args(["build", "--all-goals", "--quiet", "--jobs"])
                    .arg(jobs.to_string())
                    .arg("-o")
                    .arg(&out)
                    .arg(dir);
                c
            }]);
            let count = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
            assert_eq!(count, n, "handout wrote {count} of {n} documents");
            let name = if is_distinct {
                format!("  distinct text, --jobs {jobs}")
            } else {
                format!("handout --jobs {jobs}")
            };
            print_row(&name, n, &run);
            if is_distinct {
                distinct.push((jobs, run.wall.as_secs_f64() / n as f64));
            } else {
                rows.push((n, jobs, run));
            }
            std::fs::remove_dir_all(&out).ok();
        }
    }

    // The same large batch with the example brand: its logo, colours and
    // serif headings on every document.
    let mut branded = Vec::new();
    for jobs in [1, cores] {
        let out = work.path().join(format!("out-branded-{jobs}"));
        let run = measure_tree(vec![{
            let mut c = Command::new(&handout);
            c.args(["build", "--all-goals", "--quiet", "--jobs"])
                .arg(jobs.to_string())
                .arg("--brand")
                .arg(root.join("examples/brand/_brand.yml"))
                .arg("-o")
                .arg(&out)
                .arg(&large_dir);
            c
        }]);
        print_row(&format!("  branded, --jobs {jobs}"), large, &run);
        branded.push((jobs, run.wall.as_secs_f64() / large as f64));
        std::fs::remove_dir_all(&out).ok();
    }

    // A mail merge: one seed document per recipient, each for the row's
    // goal with the person's name on the cover.
    let people = work.path().join("people.csv");
    let goal_ids = [
        "",
        "modern-ai-systems",
        "predictive-models",
        "production-ml",
    ];
    let mut csv = String::from("name,email,goal\n");
    for i in 0..large {
        csv += &format!(
            "Learner Number {i},learner{i}@example.org,{}\n",
            goal_ids[i % 4]
        );
    }
    std::fs::write(&people, csv).unwrap();
    let seed = work.path().join("seed.yaml");
    std::fs::write(&seed, SEED).unwrap();
    let out = work.path().join("out-recipients");
    let recipients_run = measure_tree(vec![{
        let mut c = Command::new(&handout);
        c.args(["build", "--quiet", "--jobs"])
            .arg(cores.to_string())
            .arg("--recipients")
            .arg(&people)
            .arg("-o")
            .arg(&out)
            .arg(&seed);
        c
    }]);
    let count = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
    assert_eq!(count, large, "handout wrote {count} of {large} recipients");
    print_row(
        &format!("  recipients, --jobs {cores}"),
        large,
        &recipients_run,
    );
    let recipients_per_doc = recipients_run.wall.as_secs_f64() / large as f64;
    std::fs::remove_dir_all(&out).ok();

    // Baseline: one `typst compile` process per document, on ejected projects.
    let goals = [
        "",
        "modern-ai-systems",
        "predictive-models",
        "production-ml",
    ];
    let mut typst_total = Duration::ZERO;
    let mut typst_rss = 0;
    let sample: Vec<PathBuf> = {
        let mut files: Vec<_> = std::fs::read_dir(&small_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    };
    for i in 0..baseline_docs {
        let file = &sample[i / DOCS_PER_FILE % sample.len()];
        let goal = goals[i % DOCS_PER_FILE];
        let project = work.path().join(format!("eject-{i}"));
        eject(&handout, file, goal, &project);
        let run = measure(&mut typst_compile(&typst, &project));
        typst_total += run.wall;
        typst_rss = typst_rss.max(run.peak_rss_kb);
    }
    let typst_run = Run {
        wall: typst_total,
        peak_rss_kb: typst_rss,
    };
    print_row("typst compile, 1 process/doc", baseline_docs, &typst_run);

    let per_doc = |n: usize, jobs: usize| {
        let (_, _, run) = rows
            .iter()
            .find(|(rn, rj, _)| *rn == n && *rj == jobs)
            .unwrap();
        run.wall.as_secs_f64() / n as f64
    };
    let typst_per_doc = typst_total.as_secs_f64() / baseline_docs as f64;
    println!("\nratios");
    println!(
        "  throughput --jobs {cores} / --jobs 1 ({large} docs):       {:.2}x   (target >= 1.7x)",
        per_doc(large, 1) / per_doc(large, cores)
    );
    println!(
        "  batch ms/doc (--jobs {cores}) / typst compile ms/doc:      {:.3}    (target <= 0.25)",
        per_doc(large, cores) / typst_per_doc
    );
    println!(
        "  batch ms/doc (--jobs 1) / typst compile ms/doc:        {:.3}",
        per_doc(large, 1) / typst_per_doc
    );
    for (jobs, secs) in &distinct {
        println!(
            "  distinct text, ms/doc (--jobs {jobs}) / typst compile:     {:.3}",
            secs / typst_per_doc
        );
    }
    for (jobs, secs) in &branded {
        println!(
            "  branded / unbranded ms/doc ({large} docs, --jobs {jobs}):  {:.3}    (target <= 1.10)",
            secs / per_doc(large, *jobs)
        );
    }
    println!(
        "  recipients / same-variant ms/doc ({large}, --jobs {cores}): {:.3}    (target <= 1.2)",
        recipients_per_doc / per_doc(large, cores)
    );
    println!(
        "  recipients ms/doc / typst compile ms/doc:       {:.3}    (target <= 0.25)",
        recipients_per_doc / typst_per_doc
    );
    for jobs in [1, cores] {
        println!(
            "  time per doc, {large} vs {small} docs (--jobs {jobs}):        {:.2}    (linear = 1.00)",
            per_doc(large, jobs) / per_doc(small, jobs)
        );
    }
    let peak = rows
        .iter()
        .filter(|(n, ..)| *n == large)
        .map(|(.., r)| r.peak_rss_kb)
        .max()
        .unwrap_or(0);
    println!(
        "  peak RSS at {large} docs:                         {:.0} MB  (target < 300 MB)",
        peak as f64 / 1024.0
    );
}

/// `handout eject` of one content file (and goal, unless empty) into `project`.
fn eject(handout: &Path, file: &Path, goal: &str, project: &Path) {
    let mut c = Command::new(handout);
    c.arg("eject")
        .arg(file)
        .arg("--out")
        .arg(project)
        .stdout(Stdio::null());
    if !goal.is_empty() {
        c.args(["--goal", goal]);
    }
    assert!(c.status().unwrap().success(), "eject failed");
}

fn print_row(name: &str, n: usize, run: &Run) {
    let s = run.wall.as_secs_f64();
    println!(
        "{name:<28} {n:>6} {s:>10.2} {:>10.1} {:>10.1} {:>11.1}",
        n as f64 / s,
        s * 1000.0 / n as f64,
        run.peak_rss_kb as f64 / 1024.0
    );
}

/// Writes `files` variants of the seed, each with its own id and title.
/// With `distinct`, every sentence of each file also gets its own wording.
fn synthesize(dir: &Path, name: &str, files: usize, distinct: bool) -> PathBuf {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..files {
        let yaml = SEED
            .replace(
                "id: ai-engineer-vs-ml-engineer",
                &format!("id: comparison-{i:04}"),
            )
            .replace(
                "title: AI Engineer vs ML Engineer",
                &format!("title: AI Engineer vs ML Engineer, edition {i}"),
            )
            .replace(
                "3 learner profiles",
                &format!("{} learner profiles", 3 + i % 7),
            )
            // A real-looking site, so that no placeholder warning is printed.
            .replace("https://example.com/", "https://www.handout-bench.test/");
        let yaml = if distinct {
            let mut value: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
            reword(&mut value, i);
            serde_yaml::to_string(&value).unwrap()
        } else {
            yaml
        };
        std::fs::write(dir.join(format!("comparison-{i:04}.yaml")), yaml).unwrap();
    }
    dir
}

/// Changes every sentence (a string with a space; ids, dates and addresses
/// have none) in a way that is different for each `n`.
fn reword(value: &mut serde_yaml::Value, n: usize) {
    use serde_yaml::Value;
    match value {
        Value::String(s) if s.contains(' ') => {
            *s = s.replacen(' ', &format!(" {} ", WORDS[n % WORDS.len()]), 1);
            *s = format!("{s} ({n})");
        }
        Value::Sequence(items) => items.iter_mut().for_each(|v| reword(v, n)),
        Value::Mapping(map) => map.values_mut().for_each(|v| reword(v, n)),
        _ => {}
    }
}

const WORDS: [&str; 7] = [
    "often", "usually", "mostly", "today", "broadly", "still", "now",
];

fn install_typst(root: &Path) -> PathBuf {
    let out = Command::new(root.join("scripts/install-typst"))
        .current_dir(root)
        .output()
        .expect("scripts/install-typst runs");
    assert!(
        out.status.success(),
        "installing typst-cli failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if path.is_relative() && path.components().count() > 1 {
        root.join(path)
    } else {
        path
    }
}

fn version(typst: &Path) -> String {
    Command::new(typst)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The scaling table: see the module's documentation.
fn scaling() {
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
        c.args(["build", "-q", "-o"])
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
        "  ratio                      {:>10.2} {:>12.2}   (targets <= 0.90, <= 1.30)\n",
        ours.0 / theirs.0,
        ours.1 / theirs.1
    );

    for distinct in [false, true] {
        let files = if distinct { 25 } else { 50 };
        let dir = synthesize(work.path(), &format!("scale-{distinct}"), files, distinct);
        let n = files * DOCS_PER_FILE;
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
                    .args(["build", "--all-goals", "--quiet", "-o"])
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

/// `typst compile` on an ejected project, checking the same standard that
/// handout checks by default, for equal work.
fn typst_compile(typst: &Path, project: &Path) -> Command {
    let mut c = Command::new(typst);
    c.args([
        "compile",
        "--pdf-standard",
        "ua-1",
        "--ignore-system-fonts",
        "--font-path",
    ])
    .arg(project.join("fonts"))
    .arg(project.join("main.typ"))
    .arg(project.join("out.pdf"));
    c
}

/// Ejects every document of a folder of content (generic and each goal),
/// for the `typst compile` baseline.
fn eject_all(handout: &Path, dir: &Path, work: &Path, distinct: bool) -> Vec<PathBuf> {
    let goals = [
        "",
        "modern-ai-systems",
        "predictive-models",
        "production-ml",
    ];
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut projects = Vec::new();
    for (i, file) in files.iter().enumerate() {
        for goal in goals {
            let project = work.join(format!("ej-{distinct}-{i}-{goal}"));
            eject(handout, file, goal, &project);
            projects.push(project);
        }
    }
    projects
}

/// Runs commands to completion, `width` at a time, timing the whole and
/// sampling the summed RSS of those running.
fn run_pool(items: &[PathBuf], width: usize, make: impl Fn(&Path) -> Command) -> Run {
    let start = Instant::now();
    let mut queue = items.iter();
    let mut running: Vec<std::process::Child> = Vec::new();
    let mut peak = 0;
    let mut sampled = Instant::now() - Duration::from_secs(1);
    loop {
        while running.len() < width {
            let Some(p) = queue.next() else { break };
            running.push(make(p).stdout(Stdio::null()).spawn().expect("starts"));
        }
        if running.is_empty() {
            break;
        }
        // Reading /proc costs CPU the measured processes would use.
        if sampled.elapsed() > Duration::from_millis(20) {
            let pids: Vec<u32> = running.iter().map(|c| c.id()).collect();
            peak = peak.max(tree_rss_kb(&pids));
            sampled = Instant::now();
        }
        running.retain_mut(|c| match c.try_wait() {
            Ok(Some(status)) => {
                assert!(status.success(), "typst compile failed");
                false
            }
            _ => true,
        });
        std::thread::sleep(Duration::from_millis(2));
    }
    Run {
        wall: start.elapsed(),
        peak_rss_kb: peak,
    }
}

/// Runs commands at once to completion; peak RSS is that of all their
/// processes (worker processes included) added up, sampled as they run.
fn measure_tree(cmds: Vec<Command>) -> Run {
    let start = Instant::now();
    let mut children: Vec<_> = cmds
        .into_iter()
        .map(|mut c| c.stdout(Stdio::null()).spawn().expect("command starts"))
        .collect();
    let pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    let mut peak = 0;
    loop {
        peak = peak.max(tree_rss_kb(&pids));
        if children
            .iter_mut()
            .all(|c| matches!(c.try_wait(), Ok(Some(_))))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let wall = start.elapsed();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a command failed");
    }
    Run {
        wall,
        peak_rss_kb: peak,
    }
}

/// Resident memory of these processes and all their descendants, in KB.
fn tree_rss_kb(roots: &[u32]) -> i64 {
    let mut parent = std::collections::HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    for e in entries.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The fields after the command name, which may hold spaces.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        if let Some(ppid) = after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
        {
            parent.insert(pid, ppid);
        }
    }
    let in_tree = |mut pid: u32| loop {
        if roots.contains(&pid) {
            return true;
        }
        match parent.get(&pid) {
            Some(&p) if p > 1 && p != pid => pid = p,
            _ => return false,
        }
    };
    parent
        .keys()
        .filter(|&&pid| in_tree(pid))
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/statm")).ok())
        .filter_map(|m| m.split_whitespace().nth(1)?.parse::<i64>().ok())
        .map(|pages| pages * 4)
        .sum()
}
