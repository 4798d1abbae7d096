//! Images in a PDF, found by their size before anything decodes them: a
//! small file can claim an image that takes gigabytes to draw.

use hayro::hayro_syntax::Pdf;
use hayro::hayro_syntax::object::{Dict, Stream};

/// An image larger than this is refused before it is decoded: the limit a
/// build holds its brand images to.
pub const MAX_IMAGE_PIXELS: u64 = 25_000_000;

/// The first image on a wanted page (or in a form or pattern it places)
/// with more pixels than `MAX_IMAGE_PIXELS`: its page (from 1) and size.
/// Checked before drawing, since drawing decodes it.
pub fn oversized_image(pdf: &Pdf, wanted: Option<&[bool]>) -> Option<(usize, u64, u64)> {
    pdf.pages().iter().enumerate().find_map(|(i, page)| {
        if wanted.is_some_and(|w| !w.get(i).copied().unwrap_or(true)) {
            return None;
        }
        let mut resources = Some(page.resources());
        while let Some(r) = resources {
            if let Some((w, h)) =
                large_image(&r.x_objects, 0).or_else(|| in_patterns(&r.patterns, 0))
            {
                return Some((i + 1, w, h));
            }
            resources = r.parent();
        }
        None
    })
}

/// An oversized image among these XObjects, or inside the forms among them.
fn large_image(xobjects: &Dict<'_>, depth: u8) -> Option<(u64, u64)> {
    xobjects.keys().find_map(|name| {
        let stream = xobjects.get::<Stream<'_>>(&*name)?;
        let dict = stream.dict();
        let size = |d: &Dict<'_>| {
            let (w, h) = (d.get::<i64>(b"Width")?, d.get::<i64>(b"Height")?);
            let (w, h) = (w.unsigned_abs(), h.unsigned_abs());
            (w.saturating_mul(h) > MAX_IMAGE_PIXELS).then_some((w, h))
        };
        let mask = dict
            .get::<Stream<'_>>(b"SMask")
            .and_then(|m| size(m.dict()));
        size(dict).or(mask).or_else(|| nested(dict, depth))
    })
}

fn in_patterns(patterns: &Dict<'_>, depth: u8) -> Option<(u64, u64)> {
    patterns.keys().find_map(|name| {
        let stream = patterns.get::<Stream<'_>>(&*name)?;
        nested(stream.dict(), depth)
    })
}

/// What a form's or a pattern's own resources place.
fn nested(dict: &Dict<'_>, depth: u8) -> Option<(u64, u64)> {
    if depth >= 8 {
        return None;
    }
    let inner = dict.get::<Dict<'_>>(b"Resources")?;
    let xobjects = inner.get::<Dict<'_>>(b"XObject");
    let patterns = inner.get::<Dict<'_>>(b"Pattern");
    xobjects
        .and_then(|x| large_image(&x, depth + 1))
        .or_else(|| patterns.and_then(|p| in_patterns(&p, depth + 1)))
}
