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
    for d in std::fs::read_dir(dir).unwrap() {
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
        ("threads-3", "threads", "3"),
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
    let o = Command::new(env!("CARGO_BIN_EXE_handout"))
        .current_dir(root())
        .env("HANDOUT_WORKERS", "processes")
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
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_stderr_has(&o, "took longer than 1 s");
    // No worker is left behind spinning: one that outlived the build would
    // have been handed to init.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let ps = Command::new("ps")
        .args(["-eo", "ppid=,args="])
        .output()
        .unwrap();
    let ps = String::from_utf8_lossy(&ps.stdout);
    let exe = env!("CARGO_BIN_EXE_handout");
    let orphans: Vec<&str> = ps
        .lines()
        .filter(|l| l.trim_start().starts_with("1 ") && l.contains(exe) && l.contains("__worker"))
        .collect();
    assert!(
        orphans.is_empty(),
        "workers outlived the build: {orphans:?}"
    );
}
