//! Ctrl-C and SIGTERM during a build: the first asks the build to stop cleanly,
//! a second ends the process at once.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT, as Ctrl-C sends.
    Interrupt,
    /// SIGTERM, as CI runners and `kill` send.
    Terminate,
}

impl Signal {
    /// 128 plus the signal number, as shells report a process it ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signal::Interrupt => "ctrl-c",
            Signal::Terminate => "sigterm",
        })
    }
}

/// Tells whether a stop was asked for. Cheap to clone and to poll.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicUsize>);

impl Cancel {
    /// A flag that only [`Cancel::signals`] or a test ever sets.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process-wide flag set by SIGINT and SIGTERM. The handlers are
    /// installed on the first call; until then the signals end the process
    /// as usual, which is right while nothing is being written.
    pub fn signals() -> std::io::Result<Self> {
        static FLAG: OnceLock<Cancel> = OnceLock::new();
        if let Some(flag) = FLAG.get() {
            return Ok(flag.clone());
        }
        use signal_hook::consts::{SIGINT, SIGTERM};
        let flag = Cancel::new();
        for sig in [SIGINT, SIGTERM] {
            // A second signal, once the flag is set, ends the process with
            // the usual status instead of waiting for the cleanup.
            let set = Arc::new(std::sync::atomic::AtomicBool::new(false));
            signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, set.clone())?;
            signal_hook::flag::register(sig, set)?;
            signal_hook::flag::register_usize(sig, flag.0.clone(), sig as usize)?;
        }
        Ok(FLAG.get_or_init(|| flag).clone())
    }

    pub fn cancel(&self, signal: Signal) {
        let n = match signal {
            Signal::Interrupt => signal_hook::consts::SIGINT,
            Signal::Terminate => signal_hook::consts::SIGTERM,
        };
        self.0.store(n as usize, Ordering::SeqCst);
    }

    /// The signal that asked for a stop, if one did.
    pub fn get(&self) -> Option<Signal> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            n if n == signal_hook::consts::SIGTERM as usize => Some(Signal::Terminate),
            _ => Some(Signal::Interrupt),
        }
    }
}
