//! Page budgets: how many pages a layout may take, the denser settings it
//! falls back to, and what an over-budget error says.

use typst::foundations::Datetime;
use typst::syntax::FileId;
use typst_layout::PagedDocument;

use super::page_budget::{PageBudget, read_budget};
use super::{Document, compile};
use crate::diag::Diagnostic;
use crate::world::{DocWorld, Env};

/// One compile of a document, at one density.
pub(super) struct Attempt<'a> {
    pub world: DocWorld<'a>,
    pub doc: PagedDocument,
    pub warnings: Vec<Diagnostic>,
    /// 0 is the layout's normal density.
    pub density: u8,
}

/// The compile a document is written from, how many it took to find it,
/// and why it is longer than its layout's target, when it is.
pub(super) struct Fit<'a> {
    pub attempt: Attempt<'a>,
    pub compiles: u8,
    pub note: Option<String>,
}

/// How far before the target's last line a predicted density aims the
/// body's end, as a share of the target's pages: breaks before blocks that
/// never split waste about this much of each page.
const SLACK: f64 = 0.05;

/// Every page but the last should be at least this full: the house rule,
/// measured as a reader's tool measures it (pdftotext agrees within a
/// point). A margin above it would send the seed's 82 % pages searching.
const MIN_FILL: f64 = 0.80;
/// Other densities tried at most for a document whose pages are not full.
const FILL_TRIES: usize = 4;

/// Compiles the document where its layout starts: for the handout's print
/// edition, the densest setting it picks by itself, since a typical
/// comparison needs it; from that compile's length it predicts whether a
/// lighter density fits too, and compiles that one only then. With
/// `--pages N` it starts at the normal density and, while over N, jumps to
/// the density that the length predicts will fit, going denser while it
/// does not. A document within its target whose last page is nearly empty
/// tries the denser settings for one page fewer. Over a layout's own
/// target, the fewest pages found are kept, with a note; over `--pages N`,
/// an error.
pub(super) fn fit<'a>(
    env: &'a Env,
    main: FileId,
    document: &Document,
    date: Option<Datetime>,
) -> Result<Fit<'a>, Vec<Diagnostic>> {
    // By default the layout picks where to start; `--pages` starts at the
    // normal density.
    let start = match document.settings.pages {
        super::Pages::Layout => None,
        _ => Some(0),
    };
    let first = compile(env, main, document, date, start)?;
    let Some(budget) = read_budget(&first.doc) else {
        return Ok(Fit {
            attempt: first,
            compiles: 1,
            note: None,
        });
    };
    let mut search = Search {
        env,
        main,
        document,
        date,
        compiles: 1,
    };
    let plan = budget.plan(document.settings.pages);
    let pages = first.doc.pages().len();
    let result = match plan {
        Plan::Normal => (first, None),
        Plan::Within { target, top, .. } if pages <= target => {
            let fit = match search.lighter(&first, &budget, target)? {
                Some(lighter) => lighter,
                None => first,
            };
            let fit = search.trim(fit, &budget)?;
            // Only where pages are aimed at: the email edition keeps its
            // normal density.
            let aimed = budget.target.is_some() || matches!(plan, Plan::Within { hard: true, .. });
            if aimed {
                (search.fuller(fit, top)?, None)
            } else {
                (fit, None)
            }
        }
        Plan::Within { target, top, hard } => {
            let found = search.denser(&first, &budget, target, top)?;
            match (found.fits, found.fewest) {
                (Some(fit), _) => (fit, None),
                (None, fewest) => {
                    let fewest = fewest.unwrap_or(first);
                    let note = (!hard).then(|| over_target(fewest.doc.pages().len(), target));
                    (fewest, note)
                }
            }
        }
    };
    let (attempt, note) = result;
    budget.check(&attempt, document, plan)?;
    Ok(Fit {
        attempt,
        compiles: search.compiles,
        note,
    })
}

/// What the build aims for with a layout's budget.
#[derive(Clone, Copy)]
pub(super) enum Plan {
    /// The normal density only (`--pages none`, or a layout without
    /// densities).
    Normal,
    /// At most `target` pages, trying densities up to `top`; `hard` fails
    /// the document when none gets there.
    Within { target: usize, top: u8, hard: bool },
}

/// The compiles of one document.
struct Search<'a, 'd> {
    env: &'a Env,
    main: FileId,
    document: &'d Document<'d>,
    date: Option<Datetime>,
    compiles: u8,
}

impl<'a> Search<'a, '_> {
    fn compile(&mut self, density: u8) -> Result<Attempt<'a>, Vec<Diagnostic>> {
        self.compiles += 1;
        compile(self.env, self.main, self.document, self.date, Some(density))
    }

    /// A last page with the body ending in its top third tries the denser
    /// settings, up to `top`, for one page fewer; the first fit stays if
    /// none gets there.
    fn trim(
        &mut self,
        fit: Attempt<'a>,
        budget: &PageBudget,
    ) -> Result<Attempt<'a>, Vec<Diagnostic>> {
        let pages = fit.doc.pages().len();
        if pages < 2 || !last_page_nearly_empty(&fit.doc) {
            return Ok(fit);
        }
        let found = self.denser(&fit, budget, pages - 1, budget.trim)?;
        Ok(found.fits.unwrap_or(fit))
    }

    /// A page before the last that is not full (a block that never splits
    /// went over to the next page) is the length prediction missing for
    /// content of another shape than the one it was measured on: the
    /// densities next to it, up to `top`, are tried for the same pages or
    /// fewer with every page but the last full. The first fit stays if none
    /// is.
    fn fuller(&mut self, fit: Attempt<'a>, top: u8) -> Result<Attempt<'a>, Vec<Diagnostic>> {
        let full = |doc: &PagedDocument| {
            let fills = super::runs::body_fills(doc);
            fills.iter().rev().skip(1).all(|&f| f >= MIN_FILL)
        };
        if full(&fit.doc) {
            return Ok(fit);
        }
        let d = i16::from(fit.density);
        let mut near: Vec<u8> = (1..=i16::from(top))
            .flat_map(|step| [d + step, d - step])
            .filter(|&n| (0..=i16::from(top)).contains(&n))
            .map(|n| n as u8)
            .collect();
        near.truncate(FILL_TRIES);
        let pages = fit.doc.pages().len();
        for density in near {
            let attempt = self.compile(density)?;
            if attempt.doc.pages().len() <= pages && full(&attempt.doc) {
                return Ok(attempt);
            }
        }
        Ok(fit)
    }

    /// From a compile within `target` at a denser setting than the normal
    /// one: the lightest density that its length predicts will fit too, if
    /// any does and it fits.
    fn lighter(
        &mut self,
        fit: &Attempt<'a>,
        budget: &PageBudget,
        target: usize,
    ) -> Result<Option<Attempt<'a>>, Vec<Diagnostic>> {
        let Some(k) = budget.length(fit.density) else {
            return Ok(None);
        };
        let normal = length(&fit.doc) / k.max(0.1);
        let aim = target as f64 * (1.0 - SLACK);
        let mut from = 0;
        while let Some(density) =
            (from..fit.density).find(|&d| budget.length(d).is_some_and(|k| normal * k <= aim))
        {
            let attempt = self.compile(density)?;
            if attempt.doc.pages().len() <= target {
                return Ok(Some(attempt));
            }
            from = density + 1;
        }
        Ok(None)
    }

    /// From a first compile over `target`: the lightest density up to
    /// `top` that fits, found by prediction, and the compile with the
    /// fewest pages.
    fn denser(
        &mut self,
        first: &Attempt<'a>,
        budget: &PageBudget,
        target: usize,
        top: u8,
    ) -> Result<Found<'a>, Vec<Diagnostic>> {
        let mut found = Found {
            fits: None,
            fewest: None,
        };
        if first.density >= top {
            return Ok(found);
        }
        let normal = length(&first.doc) / budget.length(first.density).unwrap_or(1.0).max(0.1);
        let aim = target as f64 * (1.0 - SLACK);
        // Measured against predicted length: how this content runs.
        let mut scale = 1.0;
        let mut too_long = first.density;
        let mut density = budget.predict(normal, aim, first.density + 1, top);
        loop {
            let attempt = self.compile(density)?;
            let pages = attempt.doc.pages().len();
            if let Some(k) = budget.length(density) {
                scale = length(&attempt.doc) / (normal * k).max(0.1);
            }
            if pages <= target {
                // Room to spare: the lightest density that this one's
                // length predicts will fit too, if any.
                let lighter = (too_long + 1..density)
                    .find(|&d| budget.length(d).is_some_and(|k| normal * k * scale <= aim));
                found.fits = Some(attempt);
                match lighter {
                    Some(d) => density = d,
                    None => break,
                }
                continue;
            }
            too_long = density;
            let fewest = found
                .fewest
                .as_ref()
                .map_or(first.doc.pages().len(), |a| a.doc.pages().len());
            if pages < fewest {
                found.fewest = Some(attempt);
            }
            if density >= top || found.fits.is_some() {
                break;
            }
            density = budget
                .predict(normal * scale, aim, density + 1, top)
                .max(density + 1);
        }
        Ok(found)
    }
}

/// What a search for fewer pages found.
struct Found<'a> {
    /// The lightest compile within the target.
    fits: Option<Attempt<'a>>,
    /// The compile with the fewest pages, when fewer than the first's.
    fewest: Option<Attempt<'a>>,
}

/// The body's length in pages: whole pages before the one it ends on, and
/// the share of that page's height down to its end.
fn length(doc: &PagedDocument) -> f64 {
    match body_end(doc) {
        Some((page, y, height)) => (page - 1) as f64 + y / height.max(1.0),
        None => doc.pages().len() as f64,
    }
}

/// The page (from 1), height down the page and page height of the
/// layout's `<body-end>` marker.
fn body_end(doc: &PagedDocument) -> Option<(usize, f64, f64)> {
    use typst::foundations::{Label, Selector};
    use typst::introspection::Introspector;
    let label = Label::new(typst::utils::PicoStr::intern("body-end"))?;
    let intro = doc.introspector();
    let end = intro.query(&Selector::Label(label)).first()?.location()?;
    let position = intro.position(end)?;
    let page = doc.pages().get(position.page.get() - 1)?;
    Some((
        position.page.get(),
        position.point.y.to_pt(),
        page.frame.height().to_pt(),
    ))
}

/// Whether the body ends in the top third of the last page.
fn last_page_nearly_empty(doc: &PagedDocument) -> bool {
    body_end(doc).is_some_and(|(page, y, height)| page == doc.pages().len() && y < height * 0.35)
}

/// The report's note for content longer than its layout's target.
fn over_target(pages: usize, target: usize) -> String {
    format!(
        "{} at the densest setting the layout picks by itself, over its target of {target}; shorten the content, or allow the denser settings with --pages {target}",
        crate::diag::count(pages, "page", "pages")
    )
}
