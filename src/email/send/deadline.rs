//! A deadline for each step with the mail server. A blocked read cannot be
//! interrupted, so the step runs on a thread of its own and the run stops
//! waiting for it at the deadline: the run then ends as any other does,
//! with its summary, its log and its exit code. The thread left behind ends
//! when its socket's own read timeout passes, or with the process.

use std::time::Duration;

/// Runs `step` and waits at most `limit` for it; `None` past the deadline
/// (or when no thread can be started for it, which only an exhausted
/// system does).
pub(super) fn within<T: Send + 'static>(
    limit: Duration,
    step: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("smtp step".into())
        .spawn(move || {
            let _ = tx.send(step());
        })
        .ok()?;
    rx.recv_timeout(limit).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_past_its_deadline_is_left_behind() {
        assert_eq!(within(Duration::from_secs(5), || 7), Some(7));
        let late = within(Duration::from_millis(20), || {
            std::thread::sleep(Duration::from_millis(500));
            7
        });
        assert_eq!(late, None);
    }
}
