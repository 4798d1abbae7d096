//! What `serve` shows of a document: each page as SVG, how full it is, and
//! where its text lies, so that a click on the page can be traced back to
//! the content. Nothing here touches the PDF that `build` writes.

use typst::layout::Transform;
use typst_layout::PagedDocument;

pub use super::runs::TextRun;
use super::runs::collect;
use super::{Document, budget, document_date, main_file};
use crate::diag::Diagnostic;
use crate::world::Env;

/// A document as the preview draws it.
pub struct Preview {
    pub pages: Vec<PagePreview>,
    pub warnings: Vec<Diagnostic>,
    /// For drawing the pages when the browser asks for them.
    pub doc: PagedDocument,
}

pub struct PagePreview {
    /// In points.
    pub width: f64,
    pub height: f64,
    /// How much of the page's height, between header and footer, holds text:
    /// 0 to 1.
    pub fill: f64,
    pub runs: Vec<TextRun>,
}

/// Compiles the document, fitted to its page budget as `build` does.
pub fn preview(env: &Env, document: &Document) -> Result<Preview, Vec<Diagnostic>> {
    let main = main_file(env, document)?;
    let attempt = budget::fit(env, main, document, document_date(document.content))?.attempt;
    let pages = attempt
        .doc
        .pages()
        .iter()
        .map(|page| {
            let mut runs = Vec::new();
            collect(&page.frame, Transform::identity(), &mut runs);
            let (width, height) = (page.frame.width().to_pt(), page.frame.height().to_pt());
            PagePreview {
                width,
                height,
                fill: fill(&runs, height),
                runs,
            }
        })
        .collect();
    Ok(Preview {
        pages,
        warnings: attempt.warnings,
        doc: attempt.doc,
    })
}

/// Page `index` as a PNG at `pixel_per_pt`. A browser draws a PNG at once,
/// where a page as SVG takes it half a second: every glyph is a path.
pub fn page_png(doc: &PagedDocument, index: usize, pixel_per_pt: f32) -> Option<Vec<u8>> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let page = doc.pages().get(index)?;
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(f64::from(pixel_per_pt)),
        render_bleed: false,
    };
    let pixmap = typst_render::render(page, &options);
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub)
        .write_image(
            pixmap.data(),
            pixmap.width(),
            pixmap.height(),
            image::ExtendedColorType::Rgba8,
        )
        .ok()?;
    Some(out)
}

/// The share of the body (the page less a header and footer band of 7%
/// each) that lies between the first and the last line of text in it.
fn fill(runs: &[TextRun], height: f64) -> f64 {
    let (top, bottom) = (height * 0.07, height * 0.93);
    let body: Vec<&TextRun> = runs
        .iter()
        .filter(|r| r.y >= top && r.y + r.h <= bottom)
        .collect();
    let Some(last) = body.iter().map(|r| r.y + r.h).reduce(f64::max) else {
        return 0.0;
    };
    ((last - top) / (bottom - top)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(y: f64) -> TextRun {
        TextRun {
            x: 0.0,
            y,
            w: 10.0,
            h: 10.0,
            text: "x".into(),
        }
    }

    #[test]
    fn fill_leaves_out_header_and_footer() {
        assert_eq!(fill(&[], 100.0), 0.0);
        // Only a footer line: an empty page.
        assert_eq!(fill(&[run(92.0)], 100.0), 0.0);
        let half = fill(&[run(10.0), run(40.0)], 100.0);
        assert!((half - 43.0 / 86.0).abs() < 1e-9, "{half}");
    }
}
