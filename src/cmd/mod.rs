//! The subcommands, one file each, on top of the pipeline modules. Every
//! entry point returns `Result<(), Error>` (`diff` says also whether
//! something changed); `main` prints the error and turns it into the exit
//! code.

pub mod build;
pub mod check;
pub mod diff;
pub mod docs;
pub mod eject;
pub mod list;
pub mod new;
pub mod schema;
pub mod send;
pub mod serve;
pub mod watch;
pub mod worker;
