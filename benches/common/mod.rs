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
