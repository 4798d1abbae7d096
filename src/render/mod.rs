//! Compiling a layout with one document's data, and exporting the result.

pub mod booklet;
mod budget;
mod data;
mod export;
mod page_budget;
mod preflight;
pub mod preview;
mod runs;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::Datetime;
use typst::syntax::FileId;
use typst_layout::PagedDocument;

pub use data::{LayoutData, Link, Links, Variant, document_date, document_files};

use budget::Attempt;
pub use export::PREVIEW;

use crate::content::{Content, Goal};
use crate::diag::{Diagnostic, Span};
use crate::world::{DocWorld, Env};

/// Paper sizes for print.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Paper {
    A4,
    UsLetter,
    /// Half of A4, for booklets and small handouts.
    A5,
    /// Half of US Letter, 5.5 × 8.5 in (Typst's `us-statement`).
    HalfLetter,
}

impl Paper {
    /// The paper half this one: a booklet's page on this sheet.
    pub fn half(self) -> Self {
        match self {
            Paper::A4 | Paper::A5 => Paper::A5,
            Paper::UsLetter | Paper::HalfLetter => Paper::HalfLetter,
        }
    }
}

/// Who the document is for: a printer or a mailbox.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Edition {
    /// Links become QR codes with a short readable address.
    Print,
    /// Links are clickable; no QR codes.
    Email,
}

/// PDF standards the output is checked against by Typst while exporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Standard {
    /// PDF/UA-1, accessible tagged PDF.
    Ua1,
    /// PDF/A-2b, for archiving.
    A2b,
    /// PDF/A-3b, for archiving.
    A3b,
}

/// Output file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    Pdf,
    /// One PNG per page.
    Png,
    /// One SVG per page.
    Svg,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Settings shared by every document of a batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Bleed on every side, in points.
    pub bleed: Option<f64>,
    /// None at all still gives a tagged PDF.
    pub standards: Vec<Standard>,
    pub format: Format,
    pub ppi: f32,
    /// Also write a small PNG of page 1.
    pub thumbnail: bool,
    /// The event every document of the build is for (`--event`).
    pub event: Option<crate::event::Event>,
    /// With `--eml`: a JPEG of page 1 for each recipient's draft.
    pub preview: bool,
    /// `--imposition booklet`: laid out on half sheets, imposed on whole
    /// ones.
    pub booklet: bool,
    /// What the page budget aims for.
    pub pages: Pages,
}

/// `--pages`: what a layout that can fit itself aims for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pages {
    /// The layout's own target for the edition, at the densities it picks
    /// by itself; longer content keeps the fewest pages found.
    #[default]
    Layout,
    /// `--pages N`: at most N, at any density, or an error.
    AtMost(u32),
    /// `--pages none`: the normal density only.
    Normal,
}

impl std::str::FromStr for Pages {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Self::Normal),
            _ => match s.parse::<u32>() {
                Ok(n) if n > 0 => Ok(Self::AtMost(n)),
                _ => Err("expected a number of pages from 1, or `none`".into()),
            },
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bleed: None,
            standards: vec![Standard::Ua1],
            format: Format::Pdf,
            ppi: 144.0,
            thumbnail: false,
            event: None,
            preview: false,
            booklet: false,
            pages: Pages::Layout,
        }
    }
}

/// Width of thumbnails in pixels: sharp in an email body on a high-density
/// screen, and small.
pub const THUMBNAIL_WIDTH: f32 = 600.0;

/// What to render: one content file, optionally for one goal.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    pub content: &'a Content,
    pub goal: Option<&'a Goal>,
    pub paper: Paper,
    pub edition: Edition,
    pub layout: &'a str,
    pub settings: &'a Settings,
    /// The document's brand it is rendered with, if any.
    pub brand: Option<usize>,
    /// The person it is for.
    pub recipient: Option<&'a crate::recipients::Recipient>,
}

/// One file of a rendered document: `<stem><suffix>.<ext>`.
pub struct OutFile {
    pub suffix: String,
    pub ext: &'static str,
    pub bytes: Vec<u8>,
}

/// A compiled and exported document. The first file is the main one.
pub struct Rendered {
    pub files: Vec<OutFile>,
    pub pages: usize,
    /// The density it fits at: 0 is the layout's normal one.
    pub density: u8,
    /// How many times it was compiled to find that density.
    pub compiles: u8,
    /// Why it is longer than its layout's target, when it is.
    pub note: Option<String>,
    /// What a printer would flag, also among `warnings`.
    pub preflight: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// The layout files and catalogs it was made from.
    pub layout_files: Vec<String>,
}

/// Compiles and exports one document.
pub fn render(env: &Env, document: &Document) -> Result<Rendered, Vec<Diagnostic>> {
    let main = main_file(env, document)?;
    let date = document_date(document.content);
    let budget::Fit {
        attempt:
            Attempt {
                world,
                doc,
                mut warnings,
                density,
            },
        compiles,
        note,
    } = budget::fit(env, main, document, date)?;
    let preflight = if document.edition == Edition::Print {
        preflight::check(&world, &doc, document.settings.bleed.is_some())
    } else {
        Vec::new()
    };
    warnings.extend(preflight.iter().cloned());
    let doc = if document.settings.booklet {
        booklet::impose(&doc, booklet::sheet(document.paper))
    } else {
        doc
    };
    let files = export::files(&world, &doc, document, date)?;
    Ok(Rendered {
        files,
        pages: doc.pages().len(),
        density,
        compiles,
        note,
        preflight,
        warnings,
        layout_files: layout_files(env, &world, document),
    })
}

/// The layout files the compile read, and the catalogs its labels (and
/// its draft) came from: the content's language and the reference one
/// that fills its gaps.
fn layout_files(env: &Env, world: &DocWorld, document: &Document) -> Vec<String> {
    let mut files = world.used_files();
    // The catalog of the content's language, also while there is none (a
    // catalog added later changes the document), the one used in its
    // place, and the reference one that fills its gaps.
    let wanted = crate::content::language_of(document.content);
    let found = &env.catalogs().get(&wanted).lang;
    for lang in [wanted.as_str(), found.as_str(), crate::lang::REFERENCE] {
        files.push(format!("lang/{lang}.yaml"));
    }
    files.sort();
    files.dedup();
    files
}

/// The density `render` would pick for the document, so that an ejected
/// project compiles to the same pages; the normal one if it fails.
pub fn fitted_density(env: &Env, document: &Document) -> u8 {
    main_file(env, document)
        .and_then(|main| budget::fit(env, main, document, document_date(document.content)))
        .map_or(0, |fit| fit.attempt.density)
}

/// The main file of the document's layout.
fn main_file(env: &Env, document: &Document) -> Result<FileId, Vec<Diagnostic>> {
    env.layout_id(document.layout).ok_or_else(|| {
        let names = env.layouts().names().join(", ");
        vec![
            Diagnostic::error(format!("there is no layout named `{}`", document.layout))
                .with_hint(format!("the layouts available are: {names}")),
        ]
    })
}

/// Compiles the layout at `density`, or where it starts when none.
fn compile<'a>(
    env: &'a Env,
    main: FileId,
    document: &Document,
    date: Option<Datetime>,
    density: Option<u8>,
) -> Result<Attempt<'a>, Vec<Diagnostic>> {
    let has_family = |family: &str| env.book().contains_family(&family.to_lowercase());
    let files = document_files(document, density, env.catalogs(), &has_family);
    let world = DocWorld::new(env, main, files, date, document.brand);
    let warned = typst::compile::<PagedDocument>(&world);
    let mut warnings = convert(&world, &warned.warnings);
    let doc = warned.output.map_err(|errors| {
        let mut all = convert(&world, &errors);
        all.append(&mut warnings);
        all
    })?;
    // The density the layout used, as its page budget says.
    let density = page_budget::density_of(&doc).or(density).unwrap_or(0);
    Ok(Attempt {
        world,
        doc,
        warnings,
        density,
    })
}

/// Turns Typst diagnostics into ours, resolving spans to layout files.
fn convert(world: &DocWorld, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .map(|d| {
            let mut out = match d.severity {
                TypstSeverity::Error => Diagnostic::error(d.message.to_string()),
                TypstSeverity::Warning => Diagnostic::warning(d.message.to_string()),
            };
            if let Some(span) = locate(world, d.span) {
                out = out.with_span(span);
            }
            for hint in &d.hints {
                // typst-cli's advice about its own flags does not apply here.
                if hint.v.contains("--root") {
                    out = out.with_hint("a layout can only read files inside its layout folder");
                } else {
                    out = out.with_hint(hint.v.to_string());
                }
            }
            for point in &d.trace {
                let at = locate(world, point.span.into())
                    .map(|s| {
                        let (l, c) = s.line_column();
                        format!(" at {}:{l}:{c}", s.file)
                    })
                    .unwrap_or_default();
                out = out.with_hint(format!("{}{at}", point.v));
            }
            out
        })
        .collect()
}

fn locate(world: &DocWorld, span: typst::syntax::DiagSpan) -> Option<Span> {
    let id = span.id()?;
    let range = world.range(span)?;
    let text: Arc<str> = world.text_of(id)?;
    Some(Span {
        file: world.env().display_name(id),
        text,
        range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typst interns file ids for the life of the process, at most 65,535,
    /// so a long batch must not create a new path per document.
    #[test]
    fn documents_create_no_new_file_ids() {
        use typst::syntax::{RootedPath, VirtualPath, VirtualRoot};
        let seed = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/ai-engineer-vs-ml-engineer.yaml"
        );
        let loaded = crate::content::load(std::path::Path::new(seed), &Default::default()).unwrap();
        let c = &loaded.content;
        let env = Env::new(
            crate::layouts::LayoutFiles::builtin(),
            crate::lang::Catalogs::builtin().clone(),
            &[],
            &[],
        );
        let settings = Settings::default();
        let render_all = || {
            for goal in std::iter::once(None).chain(c.goals().map(Some)) {
                for (paper, edition) in [
                    (Paper::A4, Edition::Print),
                    (Paper::UsLetter, Edition::Email),
                ] {
                    let document = Document {
                        content: c,
                        goal,
                        paper,
                        edition,
                        layout: "handout",
                        settings: &settings,
                        brand: None,
                        recipient: None,
                    };
                    assert!(render(&env, &document).is_ok());
                }
            }
        };
        let next_id = |n: usize| {
            let path = VirtualPath::new(format!("/probe-{n}")).unwrap();
            RootedPath::new(VirtualRoot::Project, path)
                .intern()
                .into_raw()
                .get()
        };
        render_all();
        let before = next_id(1);
        render_all();
        assert_eq!(next_id(2), before + 1, "rendering interned new file ids");
    }
}
