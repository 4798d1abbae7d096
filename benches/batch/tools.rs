//! Running what the benchmark compares: handout, typst-cli and groups of
//! processes, with their wall time, CPU time and summed peak memory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Run, children_cpu};
use crate::corpus::GOALS;

pub fn install_typst(root: &Path) -> PathBuf {
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

pub fn version(typst: &Path) -> String {
    Command::new(typst)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// `typst compile` on an ejected project, checking the same standard that
/// handout checks by default, for equal work.
pub fn typst_compile(typst: &Path, project: &Path) -> Command {
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

/// `handout eject` of one content file (and goal, unless empty) into
/// `project`, with further options.
pub fn eject(handout: &Path, file: &Path, goal: &str, args: &[&str], project: &Path) {
    let mut c = Command::new(handout);
    c.arg("eject")
        .arg(file)
        .args(args)
        .arg("--out")
        .arg(project)
        .stdout(Stdio::null());
    if !goal.is_empty() {
        c.args(["--goal", goal]);
    }
    assert!(c.status().unwrap().success(), "eject failed");
}

/// Ejects every document of a folder of content (generic and each goal),
/// for the `typst compile` baseline.
pub fn eject_all(handout: &Path, dir: &Path, work: &Path, distinct: bool) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut projects = Vec::new();
    for (i, file) in files.iter().enumerate() {
        for goal in GOALS {
            let project = work.join(format!("ej-{distinct}-{i}-{goal}"));
            eject(handout, file, goal, &[], &project);
            projects.push(project);
        }
    }
    projects
}

/// Runs commands to completion, `width` at a time, timing the whole and
/// sampling the summed RSS of those running.
pub fn run_pool(items: &[PathBuf], width: usize, make: impl Fn(&Path) -> Command) -> Run {
    let cpu = children_cpu();
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
        // typst-cli starts no processes of its own, so reading theirs is
        // enough; it still costs CPU the measured processes would use.
        if sampled.elapsed() > Duration::from_millis(20) {
            let pids: Vec<u32> = running.iter().map(|c| c.id()).collect();
            peak = peak.max(rss_kb(&pids));
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
        cpu: children_cpu() - cpu,
        peak_rss_kb: peak,
    }
}

/// Runs commands at once to completion; peak RSS is that of all their
/// processes (worker processes included) added up, sampled as they run.
pub fn measure_tree(cmds: Vec<Command>) -> Run {
    let cpu = children_cpu();
    let start = Instant::now();
    let mut children: Vec<_> = cmds
        .into_iter()
        .map(|mut c| c.stdout(Stdio::null()).spawn().expect("command starts"))
        .collect();
    let pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    let mut peak = 0;
    let mut tree = Vec::new();
    let mut samples = 0;
    loop {
        // Finding the processes reads all of /proc, which costs CPU that
        // the measured processes would use; it runs every half second,
        // their memory every 50 ms.
        if samples % 10 == 0 {
            tree = tree_pids(&pids);
        }
        samples += 1;
        peak = peak.max(rss_kb(&tree));
        if children
            .iter_mut()
            .all(|c| matches!(c.try_wait(), Ok(Some(_))))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let wall = start.elapsed();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a command failed");
    }
    Run {
        wall,
        cpu: children_cpu() - cpu,
        peak_rss_kb: peak,
    }
}

/// These processes and all their descendants.
fn tree_pids(roots: &[u32]) -> Vec<u32> {
    let mut parent = std::collections::HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return roots.to_vec();
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
    parent.keys().copied().filter(|&pid| in_tree(pid)).collect()
}

/// Resident memory of these processes, in KB; those that have ended count
/// nothing.
fn rss_kb(pids: &[u32]) -> i64 {
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/statm")).ok())
        .filter_map(|m| m.split_whitespace().nth(1)?.parse::<i64>().ok())
        .map(|pages| pages * 4)
        .sum()
}
