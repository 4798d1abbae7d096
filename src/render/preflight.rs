//! What a printer checks before a print run, read from the laid-out pages
//! before export: raster images below 300 ppi at their printed size, QR
//! codes too fine for a phone or crowded by other content, text near the
//! trim edge of a page with bleed, and hairlines.

use typst::foundations::Bytes;
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::syntax::Span;
use typst::visualize::{Image, ImageKind};
use typst_layout::PagedDocument;

use super::locate;
use crate::diag::Diagnostic;
use crate::world::DocWorld;

/// Raster images print sharp from this resolution at their placed size.
const MIN_PPI: f64 = 300.0;
/// A phone reads a printed QR code whose modules are at least this wide.
const MIN_MODULE_MM: f64 = 0.5;
/// Text and codes closer than this to the trim edge may be cut.
const SAFE_MM: f64 = 3.0;
/// Thinner lines may vanish in print.
const MIN_LINE_PT: f64 = 0.25;

const MM: f64 = 72.0 / 25.4;

/// The checks' findings, as located warnings, each once.
pub fn check(world: &DocWorld, doc: &PagedDocument, bleed: bool) -> Vec<Diagnostic> {
    let mut found = Found::default();
    for (i, page) in doc.pages().iter().enumerate() {
        let mut items = Items::default();
        collect(&page.frame, Transform::identity(), &mut items);
        let size = (page.frame.width().to_pt(), page.frame.height().to_pt());
        check_page(world, i + 1, size, &items, bleed, &mut found);
    }
    found.0
}

#[derive(Default)]
struct Found(Vec<Diagnostic>);

impl Found {
    fn add(&mut self, world: &DocWorld, message: String, hint: &str, span: Span) {
        if self.0.iter().any(|d| d.message == message) {
            return;
        }
        let mut d = Diagnostic::warning(message).with_hint(hint);
        if let Some(at) = locate(world, span.into()) {
            d = d.with_span(at);
        }
        self.0.push(d);
    }
}

/// A box on the page, in points: left, top, right, bottom.
type Rect = [f64; 4];

#[derive(Default)]
struct Items {
    texts: Vec<Rect>,
    /// Each image with its box and span.
    images: Vec<(Image, Rect, Span)>,
    /// Stroke thickness of each stroked shape.
    lines: Vec<(f64, Span)>,
}

fn collect(frame: &Frame, ts: Transform, out: &mut Items) {
    for (pos, item) in frame.items() {
        let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => collect(&group.frame, at.pre_concat(group.transform), out),
            FrameItem::Text(text) => {
                let (w, size) = (text.width(), text.size);
                // From the ascender to the descender, about.
                out.texts.push(bounds(at, -size * 0.8, w, size));
            }
            FrameItem::Image(image, size, span) => {
                out.images.push((
                    image.clone(),
                    bounds(at, Abs::zero(), size.x, size.y),
                    *span,
                ));
            }
            FrameItem::Shape(shape, span) => {
                if let Some(stroke) = &shape.stroke {
                    out.lines
                        .push((stroke.thickness.to_pt() * scale(at), *span));
                }
            }
            _ => {}
        }
    }
}

/// The box of `w` × `h` at `top` below the origin of `ts`.
fn bounds(ts: Transform, top: Abs, w: Abs, h: Abs) -> Rect {
    let corners = [
        Point::new(Abs::zero(), top),
        Point::new(w, top),
        Point::new(Abs::zero(), top + h),
        Point::new(w, top + h),
    ]
    .map(|p| p.transform(ts));
    let xs = corners.map(|p| p.x.to_pt());
    let ys = corners.map(|p| p.y.to_pt());
    let min = |v: [f64; 4]| v.into_iter().fold(f64::MAX, f64::min);
    let max = |v: [f64; 4]| v.into_iter().fold(f64::MIN, f64::max);
    [min(xs), min(ys), max(xs), max(ys)]
}

/// How much `ts` scales lengths, on average over its axes.
fn scale(ts: Transform) -> f64 {
    let x = (ts.sx.get().powi(2) + ts.ky.get().powi(2)).sqrt();
    let y = (ts.kx.get().powi(2) + ts.sy.get().powi(2)).sqrt();
    (x + y) / 2.0
}

fn check_page(
    world: &DocWorld,
    page: usize,
    (width, height): (f64, f64),
    items: &Items,
    bleed: bool,
    found: &mut Found,
) {
    for (image, rect, span) in &items.images {
        let (w_mm, h_mm) = ((rect[2] - rect[0]) / MM, (rect[3] - rect[1]) / MM);
        match image.kind() {
            ImageKind::Raster(raster) => {
                let ppi = f64::from(raster.width()) / (w_mm / 25.4).max(0.01);
                if ppi < MIN_PPI {
                    let name = named(world, raster.data(), "a raster image");
                    found.add(
                        world,
                        format!(
                            "{name} ({} × {} px) prints at {ppi:.0} ppi at its size of {w_mm:.0} × {h_mm:.0} mm on page {page}, under {MIN_PPI:.0} ppi",
                            raster.width(),
                            raster.height()
                        ),
                        &format!(
                            "give an image of at least {:.0} px wide, or an SVG",
                            (w_mm / 25.4 * MIN_PPI).ceil()
                        ),
                        *span,
                    );
                }
            }
            ImageKind::Svg(svg) => {
                let Some(modules) = qr_modules(svg.data()) else {
                    continue;
                };
                // To a hundredth of a millimetre, as the message says it.
                let module = (w_mm / modules * 100.0).round() / 100.0;
                if module < MIN_MODULE_MM {
                    found.add(
                        world,
                        format!(
                            "a QR code on page {page} has modules of {module:.2} mm, under {MIN_MODULE_MM} mm: a phone may not read it from paper"
                        ),
                        "shorten the address it holds (a redirect such as example.com/go/x), or print the code larger",
                        *span,
                    );
                }
                if items.texts.iter().any(|t| overlaps(t, rect)) {
                    found.add(
                        world,
                        format!("text lies over the quiet zone of a QR code on page {page}"),
                        "keep four modules of white around the code: move the text or the code",
                        *span,
                    );
                }
                if bleed && near_edge(rect, width, height) {
                    found.add(
                        world,
                        format!("a QR code on page {page} is within {SAFE_MM} mm of the trim edge"),
                        "move it inside the page margins, or it may be cut",
                        *span,
                    );
                }
            }
            ImageKind::Pdf(_) => {}
        }
    }
    if bleed && items.texts.iter().any(|t| near_edge(t, width, height)) {
        found.add(
            world,
            format!("text on page {page} is within {SAFE_MM} mm of the trim edge"),
            "keep text inside the page margins, or it may be cut",
            Span::detached(),
        );
    }
    for (thickness, span) in &items.lines {
        if *thickness > 0.0 && *thickness < MIN_LINE_PT {
            found.add(
                world,
                format!(
                    "a line on page {page} is {thickness:.2} pt thin, under {MIN_LINE_PT} pt: it may not print"
                ),
                "make it at least 0.25 pt, in the theme's `rules`",
                *span,
            );
        }
    }
}

fn named(world: &DocWorld, data: &Bytes, fallback: &str) -> String {
    world
        .name_of(data)
        .map_or(fallback.to_string(), |name| format!("`{name}`"))
}

/// Modules across one of the build's QR codes, its quiet zone included,
/// from the width its SVG gives (four units per module); none for any
/// other SVG.
fn qr_modules(svg: &Bytes) -> Option<f64> {
    let text = std::str::from_utf8(svg.as_slice()).ok()?;
    // The qrcode crate's SVG, as `crate::qr` makes it.
    if !text.contains("shape-rendering=\"crispEdges\"") {
        return None;
    }
    let width: f64 = text
        .split("width=\"")
        .nth(1)?
        .split('"')
        .next()?
        .parse()
        .ok()?;
    Some(width / 4.0)
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    // A hair's tolerance: text set just beside a code does not touch it.
    let e = 0.5;
    a[0] < b[2] - e && b[0] < a[2] - e && a[1] < b[3] - e && b[1] < a[3] - e
}

fn near_edge(r: &Rect, width: f64, height: f64) -> bool {
    let safe = SAFE_MM * MM;
    r[0] < safe || r[1] < safe || r[2] > width - safe || r[3] > height - safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_codes_modules_come_from_its_svg() {
        let svg = crate::qr::svg("https://example.com/courses/mlops").unwrap();
        // Version 3 (29 modules) and the quiet zone of four on each side.
        assert_eq!(qr_modules(&Bytes::new(svg.into_bytes())), Some(37.0));
        assert_eq!(
            qr_modules(&Bytes::new(b"<svg width=\"10\"/>".to_vec())),
            None
        );
    }

    #[test]
    fn edges_and_overlaps() {
        let page = (595.0, 842.0);
        assert!(near_edge(&[2.0, 100.0, 50.0, 120.0], page.0, page.1));
        assert!(!near_edge(&[20.0, 100.0, 50.0, 120.0], page.0, page.1));
        assert!(overlaps(&[0.0, 0.0, 10.0, 10.0], &[5.0, 5.0, 20.0, 20.0]));
        assert!(!overlaps(&[0.0, 0.0, 10.0, 10.0], &[10.0, 0.0, 20.0, 10.0]));
    }
}
