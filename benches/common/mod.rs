//! What both benchmarks share: running a command and reading its time,
//! CPU time and peak memory.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One command's wall time, CPU time (user and system, its descendants
/// included) and peak RSS.
#[derive(Clone, Copy)]
pub struct Run {
    pub wall: Duration,
    pub cpu: Duration,
    pub peak_rss_kb: i64,
}

/// Runs a command to completion, timing it and reading its peak RSS.
pub fn measure(cmd: &mut Command) -> Run {
    let start = Instant::now();
    // The child is reaped by wait4 below, which also reports its peak RSS.
    #[allow(clippy::zombie_processes)]
    let child = cmd.stdout(Stdio::null()).spawn().expect("command starts");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and fills a zeroed rusage.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert!(
        pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "command failed: {cmd:?}"
    );
    Run {
        wall,
        cpu: cpu_of(&usage),
        peak_rss_kb: usage.ru_maxrss,
    }
}

/// User and system time of a resource usage record.
pub fn cpu_of(usage: &libc::rusage) -> Duration {
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// CPU time of every child this process has waited for so far, and of
/// theirs: the difference across a run is the run's CPU time.
#[allow(dead_code)]
pub fn children_cpu() -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: fills a zeroed rusage for this process's reaped children.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    cpu_of(&usage)
}

/// The tests' SMTP server (aiosmtpd, `tests/smtp/server.py`, installed by
/// `scripts/install-smtp-server`) on a free port, stopped when dropped.
#[allow(dead_code)]
pub struct SmtpServer {
    child: std::process::Child,
    pub port: u16,
    pub maildir: std::path::PathBuf,
}

#[allow(dead_code)]
impl SmtpServer {
    pub fn start(root: &std::path::Path, maildir: std::path::PathBuf) -> Self {
        use std::io::BufRead;
        std::fs::create_dir_all(&maildir).unwrap();
        let mut child = Command::new(root.join(".tools/venv/bin/python"))
            .arg(root.join("tests/smtp/server.py"))
            .arg("--maildir")
            .arg(&maildir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().trim_start_matches("ready ").parse().unwrap();
        Self {
            child,
            port,
            maildir,
        }
    }

    /// How many messages it has received.
    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.maildir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "eml")
            })
            .count()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A recipients CSV of `n` learners, the goals taking turns with none.
#[allow(dead_code)]
pub fn write_people(path: &std::path::Path, n: usize) {
    let goals = [
        "",
        "modern-ai-systems",
        "predictive-models",
        "production-ml",
    ];
    let mut csv = String::from("name,email,goal\n");
    for i in 0..n {
        csv += &format!("Learner {i},learner{i}@example.org,{}\n", goals[i % 4]);
    }
    std::fs::write(path, csv).unwrap();
}
