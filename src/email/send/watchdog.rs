//! A deadline for each step with the mail server.

use std::time::{Duration, Instant};

use crate::error::Error;

/// Ends the process when a step with the mail server runs past its
/// deadline. A blocked read cannot be interrupted from here, and ending the
/// process is safe: a message in flight is already logged as `sending`.
pub(super) struct Watchdog {
    armed: std::sync::Arc<parking_lot::Mutex<Option<(Instant, Duration, String)>>>,
}

impl Watchdog {
    pub(super) fn start() -> Self {
        let armed: std::sync::Arc<parking_lot::Mutex<Option<(Instant, Duration, String)>>> =
            Default::default();
        let watched = armed.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(50));
                let late = watched
                    .lock()
                    .as_ref()
                    .filter(|(start, limit, _)| start.elapsed() > *limit)
                    .map(|(_, _, message)| message.clone());
                if let Some(message) = late {
                    crate::terminal::print_error(
                        &Error::system(
                            message,
                            "a slow or stuck mail server; try again later, or another server",
                        ),
                        crate::terminal::Effect::Sends,
                    );
                    std::process::exit(3);
                }
            }
        });
        Self { armed }
    }

    pub(super) fn arm(&self, limit: Duration, message: String) {
        *self.armed.lock() = Some((Instant::now(), limit, message));
    }

    pub(super) fn disarm(&self) {
        *self.armed.lock() = None;
    }
}
