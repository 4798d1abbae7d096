//! Who holds an outbox's send lock. The lock itself is the operating
//! system's, on the send log, and dies with its process; this record beside
//! it only names the holder (process, machine, start), so that a second
//! run, or the preview page, can say who is sending. A record whose lock is
//! free was left by a run that was killed.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::email::SENT_LOG;

/// The record's file name, beside the send log.
pub const HOLDER_FILE: &str = "sent.lock";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// RFC 3339.
    pub since: String,
}

impl Holder {
    /// This process, now.
    fn this() -> Self {
        Self {
            pid: std::process::id(),
            host: host_name(),
            since: super::log::now_rfc3339(),
        }
    }

    /// The record in `dir`, if one is there and reads.
    pub fn read(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(dir.join(HOLDER_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Who holds the lock on `dir`'s log now; none when it is free. The
    /// record alone is not believed: a killed run leaves it behind.
    pub fn current(dir: &Path) -> Lock {
        let Ok(file) = File::open(dir.join(SENT_LOG)) else {
            return Lock::Free { stale: None };
        };
        match file.try_lock_shared() {
            Ok(()) => Lock::Free {
                stale: Self::read(dir),
            },
            Err(_) => Lock::Held(Self::read(dir)),
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} on {}, since {}",
            self.pid, self.host, self.since
        )
    }
}

/// The state of an outbox's send lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lock {
    /// A run is sending; its record, when it wrote one.
    Held(Option<Holder>),
    /// Nobody is sending; `stale` is the record a killed run left.
    Free { stale: Option<Holder> },
}

/// This process's record, removed when the log is closed.
#[derive(Debug)]
pub struct Claim {
    path: PathBuf,
    /// What a killed run left, which this run replaced.
    pub replaced: Option<Holder>,
}

impl Claim {
    /// Writes this process's record; called with the lock held. A record
    /// that cannot be written costs only the name in a message.
    pub fn write(dir: &Path) -> Self {
        let path = dir.join(HOLDER_FILE);
        let replaced = Holder::read(dir);
        if let Ok(json) = serde_json::to_vec(&Holder::this()) {
            let _ = crate::output::write_atomic(&path, &json);
        }
        Self { path, replaced }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// This machine's name, as far as it can be told without a dependency.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "this machine".into())
}

/// `Log::open`'s refusal, naming the holder when its record reads.
pub fn busy_message(dir: &Path) -> String {
    match Holder::read(dir) {
        Some(h) => format!("another `handout send` ({h}) is using {}", dir.display()),
        None => format!("another `handout send` is using {}", dir.display()),
    }
}
