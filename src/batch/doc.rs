//! The steps of one document that both kinds of worker share: rendering
//! it, and writing what was rendered.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{FileRecord, Planned, Written, file_path};
use crate::content::Content;
use crate::diag::Diagnostic;
use crate::email::{Drafts, draft};
use crate::output::Writes;
use crate::recipients::Recipient;
use crate::render::{self, Document, OutFile, Rendered, Settings};
use crate::world::Env;

/// What every document of a build is made with, on a thread or in a
/// worker process.
#[derive(Clone, Copy)]
pub struct Making<'a> {
    pub env: &'a Env,
    pub settings: &'a Settings,
    /// With `--eml`: a draft beside each recipient's PDF.
    pub drafts: Option<&'a Drafts>,
    /// A document with warnings is an error.
    pub deny_warnings: bool,
}

/// Compiles and exports one document, and writes its draft.
pub fn render_doc(
    making: Making,
    content: &Content,
    doc: &Planned,
) -> Result<Rendered, Vec<Diagnostic>> {
    let Making {
        env,
        settings,
        drafts,
        deny_warnings,
    } = making;
    let document = Document {
        content,
        goal: doc.goal.as_deref().and_then(|id| content.goal(id)),
        paper: doc.paper,
        edition: doc.edition,
        layout: &doc.layout,
        settings,
        brand: doc.brand,
        recipient: doc.recipient.as_ref(),
    };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        render::render(env, &document)
    }))
    .unwrap_or_else(|_| {
        Err(vec![
            Diagnostic::error(format!(
                "internal error while rendering {}",
                doc.output.display()
            ))
            .with_hint("this is a bug in handout; please report it with the command you ran"),
        ])
    })?;
    if deny_warnings && !r.warnings.is_empty() {
        return Err(warnings_as_errors(&r.warnings, doc));
    }
    match (drafts, &doc.recipient) {
        (Some(drafts), Some(person)) => {
            with_draft(r, drafts, (env, settings), content, doc, person)
        }
        _ => Ok(r),
    }
}

/// Adds the recipient's email draft, with the PDF attached and page 1
/// shown inline, to the document's files.
fn with_draft(
    mut r: Rendered,
    drafts: &Drafts,
    (env, settings): (&Env, &Settings),
    content: &Content,
    doc: &Planned,
    person: &Recipient,
) -> Result<Rendered, Vec<Diagnostic>> {
    let catalog = env.catalogs().get(&crate::content::language_of(content));
    // The picture of page 1, made for the draft, is also kept beside it for
    // the review sheet (`outbox.html`).
    let preview = match r.files.iter().find(|f| f.suffix == render::PREVIEW) {
        Some(f) => f.bytes.clone(),
        None => Vec::new(),
    };
    let pdf_name = doc
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let look = match doc.brand.and_then(|i| Some((i, env.brand_data(i)?))) {
        Some((i, data)) => crate::email::body::Look::of_brand(data, |path| env.brand_file(i, path)),
        None => crate::email::body::Look::default(),
    };
    let parts = draft::Parts {
        content,
        goal: doc.goal.as_deref().and_then(|id| content.goal(id)),
        recipient: person,
        event: settings.event.as_ref(),
        pdf: &r.files[0].bytes,
        pdf_name: &pdf_name,
        preview: &preview,
        catalog,
        look: &look,
    };
    let built = draft::build(drafts, &parts, draft::draft_date(content)).map_err(|d| vec![d])?;
    // The HTML body as a page a browser opens, for the review sheet, with
    // the picture beside it.
    let picture = file_path(&doc.stem, render::PREVIEW, "jpg");
    let picture = picture
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|_| !preview.is_empty());
    let page = draft::as_page(&built.html, &look, picture.as_deref());
    r.files.push(OutFile {
        suffix: String::new(),
        ext: "eml",
        bytes: built.eml,
    });
    r.files.push(OutFile {
        suffix: String::new(),
        ext: "html",
        bytes: page.into_bytes(),
    });
    Ok(r)
}

/// Writes a rendered document's files atomically.
pub fn write_doc(writes: &Writes, doc: &Planned, r: &Rendered) -> Result<Written, Vec<Diagnostic>> {
    let mut files = Vec::with_capacity(r.files.len());
    for f in &r.files {
        let path = file_path(&doc.stem, &f.suffix, f.ext);
        writes.write(&path, &f.bytes).map_err(|d| vec![d])?;
        files.push(FileRecord::of(&path, &f.bytes));
    }
    let main = r.files.first().map_or(&[][..], |f| &f.bytes[..]);
    Ok(Written {
        pages: r.pages,
        density: r.density,
        compiles: r.compiles,
        note: r.note.clone(),
        preflight: r.preflight.clone(),
        bytes: main.len(),
        sha256: files.first().map(|f| f.sha256.clone()).unwrap_or_default(),
        draft_sha256: r
            .files
            .iter()
            .zip(&files)
            .find(|(f, _)| f.ext == "eml")
            .map(|(_, record)| record.sha256.clone()),
        warnings: r.warnings.clone(),
        files,
        layout_files: r.layout_files.clone(),
        reused: false,
    })
}

/// Typst's PDF/UA check refuses text without glyphs but cannot say where
/// in the content it is; the content's own warning about the same
/// characters can, so the error takes its place and a fix the user has.
pub fn locate_missing_glyphs(diags: &mut [Diagnostic], warnings: &[Diagnostic]) {
    for d in diags.iter_mut() {
        let Some(rest) = d
            .message
            .split_once("could not be displayed with font")
            .map(|(t, _)| t)
        else {
            continue;
        };
        let text: Vec<char> = rest
            .split_once("the text `\"")
            .map(|(_, t)| t.trim_end_matches(['"', '`', ' ']).chars().collect())
            .unwrap_or_default();
        let warning = warnings.iter().find(|w| {
            w.message.starts_with("the bundled fonts cannot show")
                && text.iter().any(|c| w.message.contains(*c))
        });
        if let Some(span) = warning.and_then(|w| w.span.as_deref()) {
            d.file = Some(span.file.clone());
            d.span = Some(Box::new(span.clone()));
            d.path = warning.and_then(|w| w.path.clone());
        }
        d.hints = match warning {
            Some(w) => w.hints.clone(),
            None => vec![
                "add a font that has these characters with --font-dir, or build with --pdf-standard none to print them as blank boxes".into(),
            ],
        };
    }
}

/// Warnings as errors, for `--deny-warnings`.
fn warnings_as_errors(warnings: &[Diagnostic], doc: &Planned) -> Vec<Diagnostic> {
    let mut diags = warnings.to_vec();
    crate::diag::deny_warnings(&mut diags);
    diags.push(
        Diagnostic::error(format!(
            "{} was not written because of warnings",
            doc.output.display()
        ))
        .with_hint("fix the warnings, or build without --deny-warnings"),
    );
    diags
}

/// Keeps Typst's global caches from growing without bound in long batches.
/// An eviction walks every cache, so it runs every few documents; results
/// unused for about a dozen documents are dropped, while what consecutive
/// documents share (fonts, shaped text, the layout's code) stays.
pub fn evict_caches() {
    const EVERY: usize = 4;
    static RENDERED: AtomicUsize = AtomicUsize::new(0);
    if (RENDERED.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(EVERY) {
        typst::comemo::evict(3);
    }
}
