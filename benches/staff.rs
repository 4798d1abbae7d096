//! Print runs and campaigns started from the page of `handout serve`,
//! against the same jobs from the command line, measured in the same run,
//! taking turns.
//!
//! Run with `cargo bench --bench staff` (96 documents of two comparisons and
//! 1,000 drafts, medians of 5; `-- --quick`: 24 documents and 100 drafts,
//! medians of 3).
//! The page's job runs in the server process: its CPU time is read from
//! /proc before and after (its own and its reaped workers'), while the
//! command line's is read by wait4. Wall times are from the request to the
//! job's end, polled as the page polls.

#[allow(dead_code)]
mod common;
#[allow(dead_code)]
#[path = "../tests/common/serve.rs"]
mod serve;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Run, SmtpServer, measure, write_people};

const FROM: &str = "Northfield Admissions <admissions@northfield.example>";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (turns, people) = if quick { (3, 100) } else { (5, 1000) };
    let handout = PathBuf::from(env!("CARGO_BIN_EXE_handout"));
    let status = Command::new(root().join("scripts/install-smtp-server"))
        .status()
        .unwrap();
    assert!(status.success(), "cannot install the SMTP test server");
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::create_dir(dir.join("content")).unwrap();
    // Two comparisons, as a school's folder holds several: the seed and a
    // copy of it under another id.
    let seed =
        std::fs::read_to_string(root().join("content/ai-engineer-vs-ml-engineer.yaml")).unwrap();
    std::fs::write(dir.join("content/seed.yaml"), &seed).unwrap();
    let again = seed.replace(
        "id: ai-engineer-vs-ml-engineer",
        "id: ai-engineer-vs-ml-engineer-again",
    );
    std::fs::write(dir.join("content/again.yaml"), again).unwrap();
    write_people(&dir.join("people.csv"), people);
    let smtp = SmtpServer::start(&root(), dir.join("mail"));
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let env = [(
        "HANDOUT_UNSUBSCRIBE_SECRET",
        "a benchmark secret, 32 characters",
    )];
    let unsubscribe = "https://northfield.example/u?e={email}&t={unsubscribe_token}";
    let s = serve::Serve::start_with(
        dir,
        &[
            "content",
            "--recipients",
            "people.csv",
            "--from",
            FROM,
            "--unsubscribe",
            unsubscribe,
            "--smtp",
            &url,
            "--tls",
            "none",
        ],
        &env,
    );
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    println!("{cores} cores; taking turns, medians of {turns}\n");

    // Print runs: two comparisons, every goal, A4 and US Letter, both
    // editions, three layouts (96 documents); a quarter of that quick.
    let papers = if quick { "a4" } else { "a4,us-letter" };
    let layouts = "handout,flyer,flyer-duplex";
    let editions = if quick { "print" } else { "print,email" };
    let count = |list: &str| list.split(',').count();
    let docs = 2 * 4 * count(papers) * count(editions) * count(layouts);
    let (mut cli, mut page) = (Vec::new(), Vec::new());
    for turn in 0..turns {
        let out = format!("cli-{turn}");
        cli.push(measure(
            Command::new(&handout)
                .current_dir(dir)
                .args([
                    "build",
                    "content",
                    "-q",
                    "--all-goals",
                    "--paper",
                    papers,
                    "--layout",
                    layouts,
                    "--edition",
                    editions,
                    "--out-dir",
                    &out,
                    "--report",
                ])
                .arg(format!("{out}/report.json")),
        ));
        let body = serde_json::json!({
            "goals": "all",
            "papers": papers.split(',').collect::<Vec<_>>(),
            "layouts": layouts.split(',').collect::<Vec<_>>(),
            "editions": editions.split(',').collect::<Vec<_>>(),
            "out": format!("page-{turn}"),
        });
        page.push(on_the_page(&s, "/api/print/start", &body.to_string()));
        assert_eq!(
            pdfs(&dir.join(format!("page-{turn}"))),
            docs,
            "every document from the page"
        );
        assert_eq!(
            pdfs(&dir.join(format!("cli-{turn}"))),
            docs,
            "every document from build"
        );
    }
    report(
        &format!("print run of {docs} documents"),
        "handout build",
        &median(cli),
        &median(page),
    );

    // Campaigns: drafts built once, then sent again and again from a
    // fresh log, to the one local server.
    let drafts = dir.join("drafts");
    let built = Command::new(&handout)
        .current_dir(dir)
        .envs(env)
        .args([
            "build",
            "content/seed.yaml",
            "-q",
            "--recipients",
            "people.csv",
            "--eml",
            "--from",
            FROM,
            "--unsubscribe",
            unsubscribe,
            "--out-dir",
            "drafts",
        ])
        .status()
        .unwrap();
    assert!(built.success());
    let (mut cli, mut page) = (Vec::new(), Vec::new());
    for _ in 0..turns {
        let _ = std::fs::remove_file(drafts.join("sent.jsonl"));
        let before = smtp.count();
        cli.push(measure(
            Command::new(&handout)
                .current_dir(dir)
                .args(["send", "drafts", "-q", "--tls", "none", "--smtp", &url]),
        ));
        assert_eq!(smtp.count() - before, people, "every draft from send");
        let _ = std::fs::remove_file(drafts.join("sent.jsonl"));
        let before = smtp.count();
        let body = serde_json::json!({"dir": "drafts", "confirm": people});
        page.push(on_the_page(&s, "/api/campaign/send", &body.to_string()));
        assert_eq!(smtp.count() - before, people, "every draft from the page");
    }
    report(
        &format!("send of {people} drafts"),
        "handout send",
        &median(cli),
        &median(page),
    );
}

/// Starts a job from the page and waits for its end: its wall time and
/// the server's CPU time across it.
fn on_the_page(s: &serve::Serve, path: &str, body: &str) -> Run {
    let pid = s.child.id();
    let cpu = cpu(pid);
    let start = Instant::now();
    let answer = s.post(path, body, &s.token_header());
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let runs = s.get("/api/runs", "");
        if runs.contains("\"state\":\"done\"") {
            break;
        }
        assert!(!runs.contains("\"state\":\"failed\""), "{runs}");
    }
    Run {
        wall: start.elapsed(),
        cpu: cpu_since(pid, cpu),
        peak_rss_kb: 0,
    }
}

fn report(what: &str, baseline: &str, cli: &Run, page: &Run) {
    println!("{what}");
    println!(
        "  {baseline:<24} {:>7.2} s wall  {:>7.2} s CPU",
        cli.wall.as_secs_f64(),
        cli.cpu.as_secs_f64()
    );
    println!(
        "  {:<24} {:>7.2} s wall  {:>7.2} s CPU",
        "from the page",
        page.wall.as_secs_f64(),
        page.cpu.as_secs_f64()
    );
    println!(
        "  page / command line:     {:.2} wall, {:.2} CPU (target: CPU at most 1.10)\n",
        page.wall.as_secs_f64() / cli.wall.as_secs_f64(),
        page.cpu.as_secs_f64() / cli.cpu.as_secs_f64()
    );
}

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.cpu);
    runs[runs.len() / 2]
}

fn pdfs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pdf")
        })
        .count()
}

/// A process's CPU time and that of its reaped children (workers).
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let f: Vec<u64> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|v| v.parse().unwrap())
        .collect();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(f.iter().sum::<u64>() * 1000 / hz)
}

fn cpu_since(pid: u32, before: Duration) -> Duration {
    cpu(pid).saturating_sub(before)
}
