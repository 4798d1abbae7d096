//! The subcommands, one file each, on top of the pipeline modules. Every
//! entry point returns `Result<(), Error>`; `main` prints the error and
//! turns it into the exit code.

pub mod build;
pub mod check;
pub mod eject;
pub mod list;
pub mod new;
pub mod schema;
pub mod send;
pub mod watch;
pub mod worker;

use std::path::Path;

use crate::error::Error;
use crate::layouts::LayoutFiles;

/// The built-in layouts, with the files of `dir` in their place.
fn layouts(dir: Option<&Path>) -> Result<LayoutFiles, Error> {
    match dir {
        Some(dir) => Ok(LayoutFiles::with_overrides(dir)?),
        None => Ok(LayoutFiles::builtin()),
    }
}

/// A usage error unless `name` is a layout that can be rendered.
fn check_layout(layouts: &LayoutFiles, name: &str) -> Result<(), Error> {
    if layouts.names().contains(&name) {
        return Ok(());
    }
    Err(Error::usage(
        format!("there is no layout named `{name}`"),
        format!("the layouts are: {}", layouts.names().join(", ")),
    ))
}
