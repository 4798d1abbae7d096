//! `--imposition booklet`: a handout laid out on half sheets (A5 or half
//! letter), its pages placed two to a landscape sheet side in saddle-stitch
//! order, ready to print on both sides, fold and staple.
//!
//! The laid-out pages are placed as they are, so text stays text. Tagging
//! cannot follow the imposed order, so a booklet is a print file without a
//! PDF standard.

use typst::layout::{Abs, Frame, Point, Sides, Size};
use typst::model::Document;
use typst_layout::{Page, PagedDocument};

/// Blank pages are added to reach a multiple of four.
pub fn page_count(pages: usize) -> usize {
    pages.div_ceil(4).max(1) * 4
}

/// The order of a booklet's pages, as `(left, right)` pairs of zero-based
/// page indices, one pair per sheet side: the outside of the first sheet,
/// then its inside, and so on. Printed on both sides (flipping on the short
/// edge), folded and stapled, the pages read in order.
pub fn order(pages: usize) -> Vec<(usize, usize)> {
    let n = page_count(pages);
    let mut sides = Vec::new();
    for sheet in 0..n / 4 {
        let front = (n - 1 - 2 * sheet, 2 * sheet);
        let back = (2 * sheet + 1, n - 2 - 2 * sheet);
        sides.push(front);
        sides.push(back);
    }
    sides
}

/// The landscape sheet a booklet on `paper` is printed on.
pub fn sheet(paper: super::Paper) -> Size {
    use super::Paper;
    match paper {
        Paper::A4 | Paper::A5 => Size::new(Abs::mm(297.0), Abs::mm(210.0)),
        Paper::UsLetter | Paper::HalfLetter => Size::new(Abs::inches(11.0), Abs::inches(8.5)),
    }
}

/// The imposed document: two pages on each side of a `sheet`, meeting at
/// its middle, where it folds. (A5 is a millimetre narrower than half A4.)
pub fn impose(doc: &PagedDocument, sheet: Size) -> PagedDocument {
    let pages = doc.pages();
    let size = pages.first().map_or(Size::zero(), |p| p.frame.size());
    let page = |i: usize| {
        pages
            .get(i)
            .map_or_else(|| Frame::hard(size), |p| p.frame.clone())
    };
    let mut out = Vec::new();
    for (number, (left, right)) in order(pages.len()).into_iter().enumerate() {
        let fold = sheet.x / 2.0;
        let top = (sheet.y - size.y) / 2.0;
        let mut side = Frame::hard(sheet);
        side.push_frame(Point::new(fold - size.x, top), page(left));
        side.push_frame(Point::new(fold, top), page(right));
        out.push(Page {
            frame: side,
            bleed: Sides::splat(Abs::zero()),
            fill: typst::foundations::Smart::Auto,
            numbering: None,
            supplement: typst::foundations::Content::empty(),
            number: number as u64 + 1,
        });
    }
    PagedDocument::new(out.into_iter().collect(), doc.info().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saddle_stitch_order() {
        assert_eq!(order(8), vec![(7, 0), (1, 6), (5, 2), (3, 4)]);
        // Ten pages become twelve, with two blanks at the end.
        assert_eq!(page_count(10), 12);
        assert_eq!(order(10)[0], (11, 0));
        assert_eq!(page_count(1), 4);
    }
}
