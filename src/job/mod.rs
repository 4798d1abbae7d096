//! The jobs staff run, each one library call over a checked config that
//! reports its progress: the command line and the preview page call the
//! same function, so a run from either gives the same files.

pub mod build;
mod outbox;
mod reuse;
pub mod send;

pub use build::{Built, build};
