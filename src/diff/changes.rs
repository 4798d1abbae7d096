//! The pages of each changed document: both PDFs read from the folders
//! given and checked against their reports, the pages that differ drawn,
//! and where and in which words they differ.

use std::path::{Path, PathBuf};

use super::{Build, Change, Diff, PageChange, html, pages};
use crate::error::Error;

/// A PDF larger than this is refused unread.
const MAX_PDF_BYTES: u64 = 512 * 1024 * 1024;

/// Fills in the pages of every changed document, on every core, and with
/// `html`, writes their pictures there.
pub fn compare_pages(
    diff: &mut Diff,
    before: &Build,
    after: &Build,
    html: Option<&Path>,
) -> Result<(), Error> {
    let jobs: Vec<(&String, &mut Vec<PageChange>, bool)> = diff
        .documents
        .iter_mut()
        .filter_map(|d| match &mut d.change {
            // Fonts, brand, layouts or the tool may draw the same page
            // stream differently: then every page is drawn.
            Change::Changed { pages, causes, .. } => {
                let all = causes
                    .iter()
                    .any(|c| !matches!(*c, "content" | "recipient" | "event"));
                Some((&d.document, pages, all))
            }
            _ => None,
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = jobs.len().div_ceil(threads).max(1);
    let mut jobs = jobs;
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks_mut(per)
            .map(|chunk| {
                s.spawn(move || -> Result<(), Error> {
                    for (name, pages, all) in chunk.iter_mut() {
                        **pages =
                            page_changes(name, &before.pdf(name), &after.pdf(name), html, *all)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join().unwrap_or_else(|_| {
                Err(Error::system(
                    "comparing pages failed",
                    "this is a bug in handout; please report it",
                ))
            })
        })
    })
}

/// Where a PDF is, and the sha256 its report gives.
type PdfAt<'a> = (PathBuf, Option<&'a str>);

/// Reads a PDF of the folder given, checked against its report's sha256
/// before anything trusts the report.
fn open_pdf((path, sha256): &PdfAt<'_>) -> Result<hayro::hayro_syntax::Pdf, Error> {
    let cannot = |why: String| {
        Error::system(
            format!("cannot read the PDF {}: {why}", path.display()),
            "diff the folders two builds wrote, each with its PDFs beside its report",
        )
    };
    if !path.exists() {
        return Err(cannot("it is missing".into()));
    }
    if let Some(why) = crate::diag::unreadable_input(path, MAX_PDF_BYTES) {
        return Err(cannot(why));
    }
    let bytes = std::fs::read(path).map_err(|e| cannot(crate::diag::io_reason(&e, "file")))?;
    if let Some(expected) = sha256 {
        use sha2::{Digest, Sha256};
        if format!("{:x}", Sha256::digest(&bytes)) != *expected {
            return Err(cannot(
                "its sha256 is not the one its report gives: it was changed or replaced after the build".into(),
            ));
        }
    }
    pages::open(bytes).ok_or_else(|| cannot("it is not a PDF that can be read".into()))
}

fn page_changes(
    name: &str,
    before: &PdfAt<'_>,
    after: &PdfAt<'_>,
    html: Option<&Path>,
    all: bool,
) -> Result<Vec<PageChange>, Error> {
    let (x, y) = (open_pdf(before)?, open_pdf(after)?);
    let (fa, fb) = (pages::fingerprints(&x), pages::fingerprints(&y));
    // A page is drawn when its stream or images differ (or cannot be
    // told apart), or it is only in one.
    let wanted: Vec<bool> = (0..fa.len().max(fb.len()))
        .map(|i| all || fa.get(i) != fb.get(i) || fa.get(i) == Some(&None))
        .collect();
    for (pdf, (path, _)) in [(&x, before), (&y, after)] {
        if let Some((page, w, h)) = pages::oversized_image(pdf, Some(&wanted)) {
            return Err(Error::system(
                format!(
                    "page {page} of {} holds an image of {w} × {h} pixels, more than the {} megapixel limit",
                    path.display(),
                    pages::MAX_IMAGE_PIXELS / 1_000_000
                ),
                "diff compares what handout builds; this PDF was not made by it",
            ));
        }
    }
    let (a, b) = (
        pages::draw(&x, Some(&wanted)),
        pages::draw(&y, Some(&wanted)),
    );
    let mut out = Vec::new();
    for i in 0..a.len().max(b.len()) {
        let (pa, pb) = (
            a.get(i).and_then(Option::as_ref),
            b.get(i).and_then(Option::as_ref),
        );
        let regions = match (pa, pb) {
            (Some(x), Some(y)) => pages::regions(&x.drawn, &y.drawn),
            (_, Some(p)) | (Some(p), None) => pages::regions(
                &pages::Drawn {
                    width: 0,
                    height: 0,
                    scale: pages::SCALE,
                    rgba: Vec::new(),
                },
                &p.drawn,
            ),
            (None, None) => Vec::new(),
        };
        let none = Vec::new();
        let (removed, added) = pages::word_diff(
            pa.map_or(&none, |p| &p.words),
            pb.map_or(&none, |p| &p.words),
        );
        if regions.is_empty() && removed.is_empty() && added.is_empty() {
            continue;
        }
        let images = match html {
            Some(dir) => Some(html::pictures(dir, name, i + 1, pa, pb)?),
            None => None,
        };
        let shown = pb.or(pa).map_or((0.0, 0.0), |p| {
            let pt = |px: usize| px as f64 / f64::from(p.drawn.scale);
            (pt(p.drawn.width), pt(p.drawn.height))
        });
        out.push(PageChange {
            page: i + 1,
            size: shown,
            regions,
            words_removed: removed,
            words_added: added,
            images,
        });
    }
    Ok(out)
}
