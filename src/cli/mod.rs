//! The command line.

mod email;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::batch::{Goals, Shard};
use crate::config::BuildConfig;
use crate::render::{Edition, Format, Paper, Settings, Standard};
pub use email::{EmailArgs, SendArgs, TlsArg};

/// Turn YAML comparison content into print- and email-ready PDF handouts.
#[derive(Debug, Parser)]
#[command(name = "handout", version, about, max_term_width = 100)]
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
    /// Write a new content file with placeholders to fill in.
    New(NewArgs),
    /// Print the JSON Schema of content files, or of brand files, for editors.
    Schema(SchemaArgs),
    /// Send the email drafts of a build (`build --eml`) over SMTP; never the
    /// same message twice.
    Send(SendArgs),
    /// Render documents that a build sends over standard input; started by
    /// `build` itself, one per job slot.
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

    /// Render the variant for this career goal (an id from `handout list`).
    #[arg(short, long, value_name = "ID", conflicts_with = "all_goals")]
    pub goal: Option<String>,

    /// Render the generic handout and one variant per career goal.
    #[arg(long)]
    pub all_goals: bool,

    /// A CSV, YAML or JSON file of people (`name`, optional `email` and
    /// `goal`, any other columns): one personal document per row.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["goal", "all_goals"])]
    pub recipients: Option<PathBuf>,

    /// A YAML file describing the event (`name`, `date`, `venue`, and optionally
    /// `room`, `contact` and `note`), shown on the flyer and the handout's cover.
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,

    /// The recipients CSV's delimiter [default: `,` or `;`, whichever the
    /// header line holds more of]
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter, requires = "recipients")]
    pub delimiter: Option<u8>,

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

    /// At most this many pages for the handout: it renders again at denser
    /// settings until it fits, or fails naming the sections over [default:
    /// the layout's]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub pages: Option<u16>,

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

    /// Write a JSON report of every document and the totals to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Render only shard K of N (e.g. 2/4), for splitting a job across machines.
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

#[derive(Debug, Args)]
pub struct LayoutArgs {
    /// The layout to render with.
    #[arg(short, long, value_name = "NAME", default_value = "handout")]
    pub layout: String,

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

/// `--paper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    A4,
    UsLetter,
    /// 148 × 210 mm.
    A5,
    /// 5.5 × 8.5 in.
    HalfLetter,
}

impl From<PaperArg> for Paper {
    fn from(p: PaperArg) -> Self {
        match p {
            PaperArg::A4 => Paper::A4,
            PaperArg::UsLetter => Paper::UsLetter,
            PaperArg::A5 => Paper::A5,
            PaperArg::HalfLetter => Paper::HalfLetter,
        }
    }
}

/// `--edition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EditionArg {
    /// Links become QR codes with a short readable address.
    Print,
    /// Links are clickable; no QR codes.
    Email,
}

impl From<EditionArg> for Edition {
    fn from(e: EditionArg) -> Self {
        match e {
            EditionArg::Print => Edition::Print,
            EditionArg::Email => Edition::Email,
        }
    }
}

/// `--pdf-standard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StandardArg {
    /// PDF/UA-1, accessible tagged PDF.
    #[value(name = "ua-1")]
    Ua1,
    /// PDF/A-2b, for archiving.
    #[value(name = "a-2b")]
    A2b,
    /// PDF/A-3b, for archiving.
    #[value(name = "a-3b")]
    A3b,
    /// No standard; still tagged.
    None,
}

impl From<StandardArg> for Option<Standard> {
    fn from(s: StandardArg) -> Self {
        match s {
            StandardArg::Ua1 => Some(Standard::Ua1),
            StandardArg::A2b => Some(Standard::A2b),
            StandardArg::A3b => Some(Standard::A3b),
            StandardArg::None => None,
        }
    }
}

/// `--imposition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpositionArg {
    /// Folded sheets: print on both sides, flipping on the short edge.
    Booklet,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Pdf,
    /// One PNG per page, at `--ppi`.
    Png,
    /// One SVG per page.
    Svg,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Pdf => Format::Pdf,
            FormatArg::Png => Format::Png,
            FormatArg::Svg => Format::Svg,
        }
    }
}

impl From<&BuildArgs> for BuildConfig {
    /// Resolves the command line once; `watch` rebuilds from the same value.
    fn from(args: &BuildArgs) -> Self {
        let goals = match (&args.goal, args.all_goals) {
            (Some(g), _) => Goals::One(g.clone()),
            (None, true) => Goals::All,
            (None, false) => Goals::Generic,
        };
        let jobs = args.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            usize::from,
        );
        BuildConfig {
            inputs: args.content.clone(),
            out_dir: args.out_dir.clone(),
            goals,
            papers: args.paper.iter().map(|&p| p.into()).collect(),
            editions: match (args.edition.is_empty(), args.email.eml) {
                (false, _) => args.edition.iter().map(|&e| e.into()).collect(),
                (true, true) => vec![Edition::Email],
                (true, false) => vec![Edition::Print],
            },
            layouts: args.layout.layout.clone(),
            layouts_dir: args.layout.layouts.clone(),
            brand: args.layout.brand.clone(),
            font_dirs: args.layout.font_dir.clone(),
            recipients: args.recipients.clone(),
            event: args.event.clone(),
            delimiter: args.delimiter,
            email: args.email.draft_args(),
            settings: Settings {
                bleed: args.bleed,
                // Tagging cannot follow a booklet's imposed page order.
                standards: if args.imposition.is_some() {
                    Vec::new()
                } else {
                    args.pdf_standard
                        .iter()
                        .filter_map(|&s| Option::<Standard>::from(s))
                        .collect()
                },
                booklet: args.imposition == Some(ImpositionArg::Booklet),
                pages: args.pages.map(u32::from),
                format: args.format.into(),
                ppi: args.ppi,
                thumbnail: args.thumbnail,
                event: None,
                email: None,
            },
            jobs,
            keep_going: args.keep_going,
            report: args.report.clone(),
            shard: args.shard,
            deny_warnings: args.deny_warnings,
            timeout: std::time::Duration::from_secs(args.timeout.max(1)),
            quiet: args.quiet,
        }
    }
}

/// A length with a unit (`3mm`, `0.3cm`, `0.125in`, `9pt`), in points.
pub fn parse_length(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or("give a unit: mm, cm, in or pt")?;
    let value: f64 = s[..split]
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not a number", &s[..split]))?;
    let pt = match &s[split..] {
        "mm" => value * 72.0 / 25.4,
        "cm" => value * 72.0 / 2.54,
        "in" => value * 72.0,
        "pt" => value,
        unit => return Err(format!("unknown unit `{unit}`; use mm, cm, in or pt")),
    };
    if !(0.0..=72.0).contains(&pt) {
        return Err("bleed must be between 0 and 1 inch".into());
    }
    Ok(pt)
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ => Err("use `,`, `;` or `tab`".into()),
    }
}

fn parse_ppi(s: &str) -> Result<f32, String> {
    let ppi: f32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !(9.0..=1200.0).contains(&ppi) {
        return Err("ppi must be between 9 and 1200".into());
    }
    Ok(ppi)
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

    /// A brand.yml file to check with them [default: the nearest `_brand.yml`
    /// from each content file's folder up to the current one]
    #[arg(long, value_name = "FILE")]
    pub brand: Option<PathBuf>,
    /// A folder of fonts to use besides the bundled ones, for scripts they
    /// lack (e.g. Noto Sans CJK for Chinese); give it again for more folders.
    #[arg(long, value_name = "DIR")]
    pub font_dir: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// A content file, or a folder of them.
    #[arg(value_name = "CONTENT")]
    pub content: PathBuf,

    /// A folder whose files replace the built-in layout files of the same name.
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,

    /// A brand.yml file with the logo, colours and fonts to use [default: the
    /// nearest `_brand.yml` from the content file's folder up to the current one]
    #[arg(long, value_name = "FILE")]
    pub brand: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn lengths_parse() {
        assert!((parse_length("3mm").unwrap() - 8.5039).abs() < 1e-3);
        assert_eq!(parse_length("0.125in"), Ok(9.0));
        assert_eq!(parse_length("9pt"), Ok(9.0));
        assert!(parse_length("3").is_err());
        assert!(parse_length("3furlongs").is_err());
        assert!(parse_length("5in").is_err());
    }
}
