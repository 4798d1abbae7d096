//! The runs of text on laid-out pages and where they lie: what the preview
//! traces back to the content, and how full the budget finds each page.

use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

/// One run of shaped text and its box on the page, in points from the top
/// left.
pub struct TextRun {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub text: String,
}

pub(super) fn collect(frame: &Frame, ts: Transform, out: &mut Vec<TextRun>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let inner = ts
                    .pre_concat(Transform::translate(pos.x, pos.y))
                    .pre_concat(group.transform);
                collect(&group.frame, inner, out);
            }
            FrameItem::Text(text) if !text.text.trim().is_empty() => {
                let size = text.size;
                let a = Point::new(pos.x, pos.y - size * 0.8).transform(ts);
                let b = Point::new(pos.x + text.width(), pos.y + size * 0.25).transform(ts);
                let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
                let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
                out.push(TextRun {
                    x: x0.to_pt(),
                    y: y0.to_pt(),
                    w: (x1 - x0).to_pt(),
                    h: (y1 - y0).to_pt().max(Abs::pt(1.0).to_pt()),
                    text: text.text.to_string(),
                });
            }
            _ => {}
        }
    }
}

/// How full each page is: from its first line of text down to the end of
/// its body, as a share of the way down to its running footer (its lowest
/// line, with the footer's rule 8 pt above it), as a reader sees it.
pub(super) fn body_fills(doc: &PagedDocument) -> Vec<f64> {
    doc.pages()
        .iter()
        .map(|page| {
            let mut runs = Vec::new();
            collect(&page.frame, Transform::identity(), &mut runs);
            let tops = runs.iter().map(|r| r.y);
            let footer = tops.clone().fold(0.0, f64::max);
            let top = tops.fold(f64::MAX, f64::min);
            let body = runs
                .iter()
                .map(|r| r.y + r.h)
                .filter(|&bottom| bottom < footer - 1.0)
                .fold(top, f64::max);
            if runs.is_empty() {
                0.0
            } else {
                (body - top) / (footer - 8.0 - top).max(1.0)
            }
        })
        .collect()
}
