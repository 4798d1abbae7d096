//! The bytes of every file are the same however the work is spread: one
//! thread, several threads of one process, worker processes, or separate
//! `--shard` processes.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn build(out: &Path, workers: &str, extra: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .env("HANDOUT_WORKERS", workers)
        .args([
            "build",
            "--all-goals",
            "-q",
            "--layout",
            "handout,flyer",
            "-o",
        ])
        .arg(out)
        .arg(SEED)
        .arg(fixture("three-options.yaml"))
        .arg(fixture("minimal.yaml"))
        .args(extra)
        .output()
        .unwrap();
    assert_ok(&o);
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for d in out_entries(dir) {
        let p = d.unwrap().path();
        if p.is_dir() {
            all.extend(files(&p));
        } else {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            all.push((name, std::fs::read(&p).unwrap()));
        }
    }
    all.sort();
    all
}

#[test]
fn bytes_do_not_depend_on_jobs_threads_processes_or_shards() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("threads-1");
    build(&reference, "threads", &["--jobs", "1"]);
    let expected = files(&reference);
    assert_eq!(expected.len(), 2 * (4 + 3 + 1));

    for (name, workers, jobs) in [
        ("threads-2", "threads", "2"),
        ("threads-3", "threads", "3"),
        // What a build chooses by itself at two workers: processes.
        ("default-2", "auto", "2"),
        ("processes-1", "processes", "1"),
        ("processes-2", "processes", "2"),
        ("processes-3", "processes", "3"),
    ] {
        let out = dir.path().join(name);
        build(&out, workers, &["--jobs", jobs]);
        assert!(files(&out) == expected, "{name} differs from one thread");
    }

    // Three separate processes, one shard each, into one folder.
    let shards = dir.path().join("shards");
    let children: Vec<_> = (1..=3)
        .map(|k| {
            Command::new(env!("CARGO_BIN_EXE_handout"))
                .current_dir(root())
                .env_remove("SOURCE_DATE_EPOCH")
                .args(["build", "--all-goals", "-q", "--layout", "handout,flyer"])
                .args(["--jobs", "1", "--shard", &format!("{k}/3"), "-o"])
                .arg(&shards)
                .arg(SEED)
                .arg(fixture("three-options.yaml"))
                .arg(fixture("minimal.yaml"))
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    assert!(
        files(&shards) == expected,
        "shard processes differ from one thread"
    );
}

#[test]
fn a_runaway_layout_is_stopped_by_ending_its_worker() {
    let dir = tempfile::tempdir().unwrap();
    let layouts = endless_for_two_options(dir.path());
    let out = dir.path().join("out");
    // Output goes to a file, not a pipe: a worker left running would hold
    // a pipe open and hang the test rather than fail it.
    let log = dir.path().join("stderr.log");
    // The build names every worker it starts here.
    let pids = dir.path().join("workers.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(root())
        .env("HANDOUT_WORKERS", "processes")
        .env("HANDOUT_WORKER_PIDS", &pids)
        .args([
            "build",
            "--jobs",
            "2",
            "--timeout",
            "1",
            "--pdf-standard",
            "none",
        ])
        .arg("--layouts")
        .arg(&layouts)
        .arg("-o")
        .arg(&out)
        .arg(fixture("three-options.yaml"))
        .arg(fixture("minimal.yaml"))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the build did not stop at its timeout");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let err = std::fs::read_to_string(&log).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("took longer than 1 s"), "{err}");
    // No worker is left behind spinning. The build names the workers it
    // started; one still alive (and still a handout worker, not a new
    // process that took its id) outlived it. Read from /proc, so no `ps`
    // is needed.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let started = std::fs::read_to_string(&pids).unwrap_or_default();
    let started: Vec<&str> = started.lines().collect();
    assert_eq!(started.len(), 2, "two worker processes: {started:?}");
    let orphans: Vec<&str> = started
        .into_iter()
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let zombie = stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
            !zombie && cmdline.split(|b| *b == 0).any(|a| a == b"__worker")
        })
        .collect();
    assert!(
        orphans.is_empty(),
        "workers outlived the build: {orphans:?}"
    );
}

/// How many worker processes a default build at `--jobs 2` starts.
fn workers_started(contents: &[&str], extra: &[&str]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("workers.txt");
    let o = Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(root())
        .env_remove("HANDOUT_WORKERS")
        .env("HANDOUT_WORKER_PIDS", &pids)
        .args(["build", "-q", "--jobs", "2", "--pdf-standard", "none", "-o"])
        .arg(dir.path().join("out"))
        .args(contents)
        .args(extra)
        .output()
        .unwrap();
    assert_ok(&o);
    std::fs::read_to_string(&pids)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[test]
fn two_workers_are_processes_for_several_content_files_and_threads_for_one() {
    let three = fixture("three-options.yaml");
    let minimal = fixture("minimal.yaml");
    let several = [three.to_str().unwrap(), minimal.to_str().unwrap()];
    assert_eq!(workers_started(&several, &[]), 2);
    // One content file's variants share its shaped text, which threads of
    // one process keep once.
    assert_eq!(workers_started(&[SEED], &["--all-goals"]), 0);
    // One document: one worker, on a thread.
    assert_eq!(workers_started(&[SEED], &[]), 0);
}
