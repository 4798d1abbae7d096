//! Two versions of one PDF compared page by page: which pages changed,
//! where on them (boxes around the pixels that differ), and the words
//! added and removed. Pages are drawn with hayro at 72 dpi, enough to see
//! a changed word at body size; a small tolerance keeps antialiasing from
//! counting as a change.

use hayro::hayro_interpret::font::Glyph;
use hayro::hayro_interpret::hayro_cmap::BfString;
use hayro::hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterSettings, Paint,
    PathDrawMode, SoftMask, TransformExt, interpret_page,
};
use hayro::hayro_syntax::Pdf;
use hayro::hayro_syntax::object::{Dict, Stream};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::kurbo::{Affine, BezPath, Rect};
use hayro::{RenderCache, RenderSettings};
use serde::Serialize;

/// Pixels per point: 72 dpi, which still shows a changed word at body size.
pub const SCALE: f32 = 1.0;
/// A page larger than this many pixels at `SCALE` (about 2000 × 2000 pt,
/// ten A4 pages) is drawn smaller, so that its size alone never takes
/// gigabytes.
const MAX_PAGE_PIXELS: f64 = 4_000_000.0;
pub use super::images::{MAX_IMAGE_PIXELS, oversized_image};
/// A pixel differs when a channel moves by more than this.
const TOLERANCE: u8 = 40;
/// Changed pixels are gathered in cells this many pixels wide.
const CELL: usize = 8;

/// One page drawn: RGBA, premultiplied over white.
pub struct Drawn {
    pub width: usize,
    pub height: usize,
    /// Pixels per point: `SCALE`, or less for a very large page.
    pub scale: f32,
    pub rgba: Vec<u8>,
}

/// No side of a drawn page is longer than this many pixels.
const MAX_SIDE: f64 = 8000.0;

/// The pixels per point a page of this size is drawn at, and its size in
/// pixels: within `MAX_PAGE_PIXELS` and `MAX_SIDE` whatever the page
/// claims (a size that is not a number is drawn as one pixel).
pub fn scale_for(width: f32, height: f32) -> (f32, u16, u16) {
    let (w, h) = (f64::from(width), f64::from(height));
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return (SCALE, 1, 1);
    }
    let unit = f64::from(SCALE);
    let shrink = (MAX_PAGE_PIXELS / (w * h * unit * unit))
        .sqrt()
        .min(MAX_SIDE / (w.max(h) * unit))
        .min(1.0);
    let scale = unit * shrink;
    let side = |x: f64| (x * scale).floor().clamp(1.0, MAX_SIDE) as u16;
    (scale as f32, side(w), side(h))
}

/// A page and its words, each with its box in points.
pub struct PageOf {
    pub drawn: Drawn,
    pub words: Vec<String>,
}

/// Reads a PDF.
pub fn open(bytes: Vec<u8>) -> Option<Pdf> {
    Pdf::new(bytes).ok()
}

/// Draws the pages `wanted` says (all when none); the others are left out.
pub fn draw(pdf: &Pdf, wanted: Option<&[bool]>) -> Vec<Option<PageOf>> {
    let cache = RenderCache::new();
    let settings = InterpreterSettings::default();
    pdf.pages()
        .iter()
        .enumerate()
        .map(|(i, page)| {
            if wanted.is_some_and(|w| !w.get(i).copied().unwrap_or(true)) {
                return None;
            }
            let (w, h) = page.render_dimensions();
            let (scale, pw, ph) = scale_for(w, h);
            let pixmap = hayro::render(
                page,
                &cache,
                &settings,
                &RenderSettings {
                    x_scale: scale,
                    y_scale: scale,
                    width: Some(pw),
                    height: Some(ph),
                    bg_color: WHITE,
                },
            );
            let drawn = Drawn {
                width: usize::from(pixmap.width()),
                height: usize::from(pixmap.height()),
                scale,
                rgba: pixmap.data_as_u8_slice().to_vec(),
            };
            let mut words = Words::default();
            let mut ctx = Context::new(
                page.initial_transform(true).to_kurbo(),
                Rect::new(0.0, 0.0, f64::from(w), f64::from(h)),
                &Default::default(),
                page.xref(),
                settings.clone(),
            );
            interpret_page(page, &mut ctx, &mut words);
            Some(PageOf {
                drawn,
                words: words.finish(),
            })
        })
        .collect()
}

/// A hash of each page's drawing: its content stream and the images and
/// forms it places, fonts aside. Pages whose hashes agree are drawn the
/// same when the fonts did not change, and need not be drawn to be
/// compared.
pub fn fingerprints(pdf: &Pdf) -> Vec<Option<u64>> {
    use std::hash::{Hash, Hasher};
    pdf.pages()
        .iter()
        .map(|page| {
            // Resources inherited from the page tree are not read here: such
            // a page is always drawn.
            let resources = page.raw().get::<Dict<'_>>(b"Resources")?;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            page.page_stream().hash(&mut h);
            hash_xobjects(&resources, &mut h, 0);
            Some(h.finish())
        })
        .collect()
}

/// The streams of the XObjects a resource dictionary names, and theirs.
fn hash_xobjects(resources: &Dict<'_>, h: &mut impl std::hash::Hasher, depth: u8) {
    use std::hash::Hash;
    let Some(xobjects) = resources.get::<Dict<'_>>(b"XObject") else {
        return;
    };
    for name in xobjects.keys() {
        name.hash(h);
        let Some(stream) = xobjects.get::<Stream<'_>>(&*name) else {
            continue;
        };
        stream.raw_data().hash(h);
        if depth < 4
            && let Some(inner) = stream.dict().get::<Dict<'_>>(b"Resources")
        {
            hash_xobjects(&inner, h, depth + 1);
        }
    }
}

/// A changed region of a page, in points from its top left.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Region {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// The regions where two drawings of a page differ; none when they agree
/// within the tolerance. Pages of different sizes differ everywhere.
pub fn regions(a: &Drawn, b: &Drawn) -> Vec<Region> {
    let pt = |px: usize| px as f64 / f64::from(b.scale);
    if (a.width, a.height, a.scale) != (b.width, b.height, b.scale) {
        return vec![Region {
            x: 0.0,
            y: 0.0,
            width: pt(b.width),
            height: pt(b.height),
        }];
    }
    let (cols, rows) = (a.width.div_ceil(CELL), a.height.div_ceil(CELL));
    let mut marked = vec![false; cols * rows];
    let row = a.width * 4;
    for y in 0..a.height {
        // Most rows agree byte for byte.
        if a.rgba[y * row..(y + 1) * row] == b.rgba[y * row..(y + 1) * row] {
            continue;
        }
        for x in 0..a.width {
            let i = (y * a.width + x) * 4;
            let differs = (0..3).any(|c| a.rgba[i + c].abs_diff(b.rgba[i + c]) > TOLERANCE);
            if differs {
                marked[(y / CELL) * cols + x / CELL] = true;
            }
        }
    }
    // Cells that touch, diagonals included, make one region.
    let mut seen = vec![false; marked.len()];
    let mut out = Vec::new();
    for start in 0..marked.len() {
        if !marked[start] || seen[start] {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(c) = stack.pop() {
            let (cx, cy) = (c % cols, c / cols);
            (x0, y0, x1, y1) = (x0.min(cx), y0.min(cy), x1.max(cx), y1.max(cy));
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= cols as i64 || ny >= rows as i64 {
                        continue;
                    }
                    let n = ny as usize * cols + nx as usize;
                    if marked[n] && !seen[n] {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
        }
        out.push(Region {
            x: pt(x0 * CELL),
            y: pt(y0 * CELL),
            width: pt((x1 + 1 - x0) * CELL),
            height: pt((y1 + 1 - y0) * CELL),
        });
    }
    merge(out)
}

/// Regions whose boxes overlap become one, until none do.
fn merge(mut regions: Vec<Region>) -> Vec<Region> {
    let overlap = |a: &Region, b: &Region| {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    };
    let mut i = 0;
    while i < regions.len() {
        match (i + 1..regions.len()).find(|&j| overlap(&regions[i], &regions[j])) {
            Some(j) => {
                let b = regions.remove(j);
                let a = &mut regions[i];
                let (x1, y1) = (
                    (a.x + a.width).max(b.x + b.width),
                    (a.y + a.height).max(b.y + b.height),
                );
                (a.x, a.y) = (a.x.min(b.x), a.y.min(b.y));
                (a.width, a.height) = (x1 - a.x, y1 - a.y);
                // The grown box may now reach one already passed.
                i = 0;
            }
            None => i += 1,
        }
    }
    regions
}

/// Words removed from `a` and added in `b`, in reading order.
pub fn word_diff(a: &[String], b: &[String]) -> (Vec<String>, Vec<String>) {
    use similar::{Algorithm, ChangeTag, capture_diff_slices};
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    for op in capture_diff_slices(Algorithm::Myers, a, b) {
        for change in op.iter_changes(a, b) {
            match change.tag() {
                ChangeTag::Delete => removed.push(change.value().clone()),
                ChangeTag::Insert => added.push(change.value().clone()),
                ChangeTag::Equal => {}
            }
        }
    }
    (removed, added)
}

/// Collects a page's text as words: glyphs in content order, split at
/// spaces and where the next glyph is not just after the last.
#[derive(Default)]
struct Words {
    words: Vec<String>,
    current: String,
    /// Where the last glyph was drawn, in points.
    last: Option<(f64, f64)>,
}

impl Words {
    fn push_char(&mut self, c: char, at: (f64, f64)) {
        let jumps = self
            .last
            .is_some_and(|(x, y)| (at.1 - y).abs() > 2.0 || at.0 < x - 1.0 || at.0 - x > 12.0);
        if c.is_whitespace() || jumps {
            self.flush();
        }
        if !c.is_whitespace() {
            self.current.push(c);
        }
        self.last = Some(at);
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.words.push(std::mem::take(&mut self.current));
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.flush();
        self.words
    }
}

impl<'a> Device<'a> for Words {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph(
        &mut self,
        glyph: &Glyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        let origin = (transform * glyph_transform).translation();
        let at = (origin.x, origin.y);
        match glyph.as_unicode() {
            Some(BfString::Char(c)) => self.push_char(c, at),
            Some(BfString::String(s)) => {
                for c in s.chars() {
                    self.push_char(c, at);
                }
            }
            None => {}
        }
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(w: usize, h: usize) -> Drawn {
        Drawn {
            width: w,
            height: h,
            scale: SCALE,
            rgba: vec![255; w * h * 4],
        }
    }

    #[test]
    fn pages_are_drawn_within_the_pixel_cap_whatever_they_claim() {
        assert_eq!(scale_for(595.0, 842.0), (1.0, 595, 842));
        let (s, w, h) = scale_for(14_400.0, 14_400.0);
        assert!(
            s < 0.2 && u64::from(w) * u64::from(h) <= 4_000_000,
            "{s} {w} {h}"
        );
        let (_, w, h) = scale_for(1e9, 1.0);
        assert!(w as f64 <= MAX_SIDE && h >= 1, "{w} {h}");
        assert_eq!(scale_for(f32::INFINITY, 10.0), (SCALE, 1, 1));
        assert_eq!(scale_for(f32::NAN, 10.0), (SCALE, 1, 1));
        assert_eq!(scale_for(-5.0, 10.0), (SCALE, 1, 1));
    }

    #[test]
    fn nearby_changed_pixels_make_one_region_and_faint_ones_none() {
        let a = blank(100, 100);
        let mut b = blank(100, 100);
        let mut set = |x: usize, y: usize, v: u8| {
            let i = (y * 100 + x) * 4;
            b.rgba[i..i + 3].copy_from_slice(&[v, v, v]);
        };
        set(12, 12, 0);
        set(20, 15, 0);
        set(90, 90, 0);
        set(50, 50, 240);
        let r = regions(&a, &b);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(regions(&a, &a).is_empty());
    }

    #[test]
    fn the_word_diff_names_what_went_and_came() {
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let (removed, added) = word_diff(
            &w("Yes. A strong ML foundation"),
            &w("Yes. A solid ML foundation"),
        );
        assert_eq!((removed, added), (w("strong"), w("solid")));
    }
}
