//! The command line.

mod diff;
mod email;
mod serve;
mod values;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::batch::Shard;
use crate::project::Sources;
use crate::render::Pages;
pub use diff::{DiffArgs, FailOn};
pub use email::{DraftOptions, EmailArgs, SendArgs, ServerOptions, TlsArg};
pub use serve::ServeArgs;
pub use values::{
    EditionArg, FormatArg, ImpositionArg, PaperArg, StandardArg, parse_delimiter, parse_length,
    parse_pages, parse_ppi,
};

/// `handout --version`: the version, the commit it was built from and the
/// Typst it embeds, for bug reports.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("HANDOUT_COMMIT"),
    ", typst ",
    env!("HANDOUT_TYPST"),
    ")"
);

/// Turn YAML comparison content into print- and email-ready PDF handouts.
#[derive(Debug, Parser)]
#[command(name = "handout", version = VERSION, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments, or prints help or the error and exits
    /// as clap does.
    pub fn from_args() -> Self {
        <Self as Parser>::parse()
    }

    /// The whole command line as clap describes it, for completions and the
    /// manual page.
    pub fn command() -> clap::Command {
        <Self as clap::CommandFactory>::command()
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render handouts to PDF.
    Build(BuildArgs),
    /// Validate content files without rendering.
    Check(CheckArgs),
    /// Write a standalone Typst project for one document, for designers and
    /// for comparing with plain `typst compile`.
    Eject(EjectArgs),
    /// Show the goals of a content file and the available layouts.
    List(ListArgs),
    /// Rebuild whenever the content or the layouts change.
    Watch(BuildArgs),
    /// Preview the documents in the browser as you edit, edit their text on
    /// the page, and start print runs and campaigns from it: every goal,
    /// paper, edition, layout and recipient a click away.
    Serve(ServeArgs),
    /// Write a new content file with placeholders to fill in.
    New(NewArgs),
    /// Print the JSON Schema of content files, or of brand files, for editors.
    Schema(SchemaArgs),
    /// Send the email drafts of a build (`build --eml`) over SMTP; never the
    /// same message twice.
    Send(SendArgs),
    /// Compare two builds by their reports: which handouts change, which
    /// gain or lose pages, and why (content, layout, brand, fonts, tool).
    Diff(DiffArgs),
    /// Print a completion script for a shell, e.g. `handout completions
    /// bash > /etc/bash_completion.d/handout`.
    Completions(CompletionsArgs),
    /// Write the manual page, `handout.1`, with every command.
    Man(ManArgs),
    /// Render documents that a build sends over standard input; started by
    /// `build` itself, one per worker.
    #[command(name = "__worker", hide = true)]
    Worker,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Content files, or folders of `.yaml` files.
    #[arg(required = true, value_name = "CONTENT")]
    pub content: Vec<PathBuf>,

    /// Where to write the PDFs; created if missing.
    #[arg(short, long, value_name = "DIR", default_value = "out")]
    pub out_dir: PathBuf,

    /// Render the variant for this career goal (an id from `handout list`);
    /// give several separated by commas to render each.
    #[arg(short, long, value_name = "ID", value_delimiter = ',', conflicts_with_all = ["all_goals", "recipients"])]
    pub goal: Vec<String>,

    /// Render the generic handout and one variant per career goal.
    #[arg(long, conflicts_with = "recipients")]
    pub all_goals: bool,

    #[command(flatten)]
    pub audience: AudienceArgs,

    /// Paper size; give several separated by commas to render each.
    #[arg(
        short,
        long,
        value_name = "PAPER",
        value_delimiter = ',',
        default_value = "a4"
    )]
    pub paper: Vec<PaperArg>,

    /// Print edition (links as QR codes) or email edition (clickable links);
    /// give both, comma-separated, to render each [default: print, or email
    /// with --eml]
    #[arg(short, long, value_name = "EDITION", value_delimiter = ',')]
    pub edition: Vec<EditionArg>,

    /// Print to the edge: extend backgrounds by this much (e.g. 3mm or
    /// 0.125in), add crop marks and set the TrimBox.
    #[arg(long, value_name = "LENGTH", value_parser = parse_length)]
    pub bleed: Option<f64>,

    /// PDF standards to conform to, checked while exporting; comma-separated.
    /// `none` still writes a tagged PDF.
    #[arg(
        long,
        value_name = "STANDARD",
        value_delimiter = ',',
        default_value = "ua-1",
        conflicts_with = "imposition"
    )]
    pub pdf_standard: Vec<StandardArg>,

    /// At most N pages for the handout, at any density, or fail naming the
    /// sections over; `none` keeps the normal density [default: the
    /// layout's target, 4 for print, at the densities it picks by itself]
    #[arg(long, value_name = "N|none", default_value = "layout", hide_default_value = true, value_parser = parse_pages)]
    pub pages: Pages,

    /// Print a booklet: the handout at A5 (half letter with --paper
    /// us-letter), two pages to each side of a landscape sheet in
    /// saddle-stitch order, written as `<name>--booklet.pdf`. A print file,
    /// without a PDF standard.
    #[arg(long, value_name = "KIND")]
    pub imposition: Option<ImpositionArg>,

    /// Output format; PNG and SVG write one file per page, `<name>-<page>`.
    #[arg(short, long, value_name = "FORMAT", default_value = "pdf")]
    pub format: FormatArg,

    /// Resolution of PNG output, in pixels per inch.
    #[arg(long, value_name = "PPI", default_value_t = 144.0, value_parser = parse_ppi)]
    pub ppi: f32,

    /// Also write `<name>.thumb.png`, page 1 at 600 pixels wide, for email bodies.
    #[arg(long)]
    pub thumbnail: bool,

    #[command(flatten)]
    pub layout: BuildLayoutArgs,

    /// How many documents to render at once [default: all cores].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Render the other documents after one fails; still exit 1 at the end.
    #[arg(short, long)]
    pub keep_going: bool,

    /// Render every document, also those unchanged since the last build
    /// into the output folder, which are otherwise reused.
    #[arg(long)]
    pub force: bool,

    /// Write a JSON report of every document and the totals to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Render only shard K of N (e.g. 2/4), for splitting a build across machines.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// Treat warnings, such as characters the fonts cannot show, as errors.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Give up on a document after this many seconds, e.g. when a layout
    /// never finishes.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,

    /// Print only errors and warnings: no progress and no summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// Last, under a heading of their own.
    #[command(flatten)]
    pub email: EmailArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder to write `handout.1` to.
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The new comparison's id, e.g. `data-analyst-vs-data-scientist`.
    #[arg(value_name = "ID")]
    pub id: String,

    /// How many options to compare, when they are not named with --option.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u8).range(2..=3))]
    pub options: u8,

    /// The name of an option, e.g. --option "UX Designer" --option "Product
    /// Manager"; give two or three. Ids and references are made from them.
    #[arg(long = "option", value_name = "NAME")]
    pub option_names: Vec<String>,

    /// The folder to write `<ID>.yaml` to.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildLayoutArgs {
    /// The layout to render with; give several separated by commas to render each
    /// (e.g. `handout,flyer`).
    #[arg(
        short,
        long,
        value_name = "NAME",
        value_delimiter = ',',
        default_value = "handout"
    )]
    pub layout: Vec<String>,

    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct LayoutArgs {
    /// The layout to render with.
    #[arg(short, long, value_name = "NAME", default_value = "handout")]
    pub layout: String,

    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(Debug, Args)]
pub struct EjectArgs {
    /// A content file.
    #[arg(value_name = "CONTENT")]
    pub content: PathBuf,

    /// The folder to write the project to; created if missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Eject the variant for this career goal.
    #[arg(short, long, value_name = "ID")]
    pub goal: Option<String>,

    /// Paper size.
    #[arg(short, long, value_name = "PAPER", default_value = "a4")]
    pub paper: PaperArg,

    /// Print or email edition.
    #[arg(short, long, value_name = "EDITION", default_value = "print")]
    pub edition: EditionArg,

    /// Bleed to build into the project, as for `build`.
    #[arg(long, value_name = "LENGTH", value_parser = parse_length)]
    pub bleed: Option<f64>,

    /// Write into a folder that is not empty, replacing files of the same name.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub layout: LayoutArgs,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file the schema describes.
    #[arg(value_name = "KIND", default_value = "content")]
    pub kind: SchemaKind,
}

/// `handout schema <kind>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// Content files (`content/*.yaml`).
    Content,
    /// Brand files (`_brand.yml`).
    Brand,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Content files, or folders of `.yaml` files.
    #[arg(required = true, value_name = "CONTENT")]
    pub content: Vec<PathBuf>,

    #[command(flatten)]
    pub audience: AudienceArgs,

    #[command(flatten)]
    pub project: ProjectArgs,

    /// Treat warnings, such as characters the fonts cannot show, as errors.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Read a suppression list as `build` and `send` would, and say how
    /// many addresses and domains it holds.
    #[arg(long, value_name = "FILE")]
    pub suppress: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// A content file, or a folder of them.
    #[arg(value_name = "CONTENT")]
    pub content: PathBuf,

    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Where a project's layouts, brand and fonts come from; every command that
/// reads content takes them.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// A folder whose files replace the built-in layout files of the same name.
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,

    /// A brand.yml file with the logo, colours and fonts to use [default: the
    /// nearest `_brand.yml` from the content file's folder up to the current one]
    #[arg(long, value_name = "FILE")]
    pub brand: Option<PathBuf>,
    /// A folder of fonts to use besides the bundled ones, for scripts they
    /// lack (e.g. Noto Sans CJK for Chinese); give it again for more folders.
    #[arg(long, value_name = "DIR")]
    pub font_dir: Vec<PathBuf>,
}

/// The people and the event a build is for.
#[derive(Debug, Args)]
pub struct AudienceArgs {
    /// A CSV, YAML or JSON file of people (`name`, optional `email` and
    /// `goal`, any other columns): one personal document per row.
    #[arg(long, value_name = "FILE")]
    pub recipients: Option<PathBuf>,

    /// A YAML file describing the event (`name`, `date`, `venue`, and optionally
    /// `room`, `contact` and `note`), shown on the flyer and the handout's cover.
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,

    /// The recipients CSV's delimiter [default: `,` or `;`, whichever the
    /// header line holds more of]
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter, requires = "recipients")]
    pub delimiter: Option<u8>,
}

impl ProjectArgs {
    /// What a project is read from, with these options and `content`.
    pub fn sources(&self, content: Vec<PathBuf>) -> Sources {
        Sources {
            content,
            layouts: self.layouts.clone(),
            brand: self.brand.clone(),
            font_dirs: self.font_dir.clone(),
            ..Sources::default()
        }
    }
}

impl AudienceArgs {
    /// Adds the recipients and the event to `sources`.
    pub fn add_to(&self, sources: &mut Sources) {
        sources.recipients = self.recipients.clone();
        sources.delimiter = self.delimiter;
        sources.event = self.event.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
