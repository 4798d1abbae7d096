//! The options of `handout diff`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The output folder (or the report) of the build before the change
    pub before: PathBuf,

    /// The output folder (or the report) of the build after the change
    pub after: PathBuf,

    /// Also write a page for reviewers into DIR: each changed page before
    /// and after, the changed regions outlined, and the word diff
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,

    /// Also write what changed as JSON, for tools
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Also write a short Markdown table, for a pull-request comment
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,

    /// The content file of the build before, to name the YAML paths that
    /// changed [default: the one its report names, when it differs from
    /// the after one's]
    #[arg(long, value_name = "FILE")]
    pub content_before: Option<PathBuf>,

    /// The content file of the build after, as for --content-before
    #[arg(long, value_name = "FILE")]
    pub content_after: Option<PathBuf>,

    /// What makes the exit status 1: any change, only a changed page
    /// count, or nothing
    #[arg(long, value_name = "WHAT", default_value = "any")]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A document changed, appeared or went away.
    Any,
    /// A document's page count changed, or it appeared or went away.
    Pages,
    /// Never: exit 0 whenever the comparison ran.
    None,
}
