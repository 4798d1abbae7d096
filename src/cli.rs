//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::render::Paper;

/// Turn YAML comparison content into print- and email-ready PDF handouts.
#[derive(Debug, Parser)]
#[command(name = "handout", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render handouts to PDF.
    Build(BuildArgs),
    /// Validate content files without rendering.
    Check(CheckArgs),
    /// Show the goals of a content file and the available layouts.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Content files, or folders of `.yaml` files.
    #[arg(required = true, value_name = "CONTENT")]
    pub content: Vec<PathBuf>,

    /// Where to write the PDFs; created if missing.
    #[arg(short, long, value_name = "DIR", default_value = "out")]
    pub out_dir: PathBuf,

    /// Render the variant for this career goal (an id from `handout list`).
    #[arg(short, long, value_name = "ID", conflicts_with = "all_goals")]
    pub goal: Option<String>,

    /// Render the generic handout and one variant per career goal.
    #[arg(long)]
    pub all_goals: bool,

    /// Paper size; give several separated by commas to render each.
    #[arg(
        short,
        long,
        value_name = "PAPER",
        value_delimiter = ',',
        default_value = "a4"
    )]
    pub paper: Vec<Paper>,

    #[command(flatten)]
    pub layout: LayoutArgs,

    /// How many documents to render at once [default: all cores].
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct LayoutArgs {
    /// The layout to render with.
    #[arg(short, long, value_name = "NAME", default_value = "handout")]
    pub layout: String,

    /// A folder whose files replace the built-in layout files of the same name.
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Content files, or folders of `.yaml` files.
    #[arg(required = true, value_name = "CONTENT")]
    pub content: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// A content file.
    #[arg(value_name = "CONTENT")]
    pub content: PathBuf,

    /// A folder whose files replace the built-in layout files of the same name.
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
