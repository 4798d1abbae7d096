//! Page budgets: how many pages a layout may take, the denser settings it
//! falls back to, and what an over-budget error says.

use typst::foundations::Datetime;
use typst::syntax::FileId;
use typst_layout::PagedDocument;

use super::{Document, compile, locate};
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

/// A document that fits, kept while denser settings try to save its
/// nearly empty last page.
struct FirstFit<'a> {
    attempt: Attempt<'a>,
    /// The pages a denser setting must get down to.
    wanted: usize,
}

/// Compiles the document at the layout's normal density, then denser ones
/// while it is over its page budget; the first that fits is kept. A
/// document that fits but leaves its last page nearly empty tries the
/// denser settings for one page fewer, and keeps its first fit if none
/// gets there.
pub(super) fn fit<'a>(
    env: &'a Env,
    main: FileId,
    document: &Document,
    date: Option<Datetime>,
) -> Result<Attempt<'a>, Vec<Diagnostic>> {
    let mut density = 0;
    let mut first_fit: Option<FirstFit> = None;
    loop {
        let attempt = compile(env, main, document, date, density)?;
        let pages = attempt.doc.pages().len();
        let budget = check_budget(&attempt.world, &attempt.doc, document, density);
        match (budget, first_fit.take()) {
            (Budget::Fits { .. }, Some(fit)) if pages <= fit.wanted => return Ok(attempt),
            (Budget::Fits { trim: true }, None)
                if pages > 1 && last_page_nearly_empty(&attempt.doc) =>
            {
                first_fit = Some(FirstFit {
                    attempt,
                    wanted: pages - 1,
                });
            }
            (Budget::Fits { trim: true }, Some(fit))
            | (Budget::Denser { denser: true }, Some(fit)) => first_fit = Some(fit),
            (Budget::Fits { .. }, None) => return Ok(attempt),
            (Budget::Denser { .. }, None) => {}
            (_, Some(fit)) => return Ok(fit.attempt),
            (Budget::Over(diags), None) => return Err(diags),
        }
        density += 1;
    }
}

/// Whether a document keeps to its layout's page budget.
enum Budget {
    /// Within the budget; `trim` says whether a denser setting may be
    /// tried to save a nearly empty last page.
    Fits {
        trim: bool,
    },
    /// Over, with a denser setting to try.
    Denser {
        denser: bool,
    },
    Over(Vec<Diagnostic>),
}

/// Whether the body ends in the top third of the last page, measured at
/// the layout's `<body-end>` marker.
fn last_page_nearly_empty(doc: &PagedDocument) -> bool {
    use typst::foundations::{Label, Selector};
    use typst::introspection::Introspector;
    let Some(label) = Label::new(typst::utils::PicoStr::intern("body-end")) else {
        return false;
    };
    let intro = doc.introspector();
    let Some(end) = intro
        .query(&Selector::Label(label))
        .first()
        .and_then(|e| e.location())
    else {
        return false;
    };
    let (Some(position), Some(last)) = (intro.position(end), doc.pages().last()) else {
        return false;
    };
    position.page.get() == doc.pages().len() && position.point.y < last.frame.height() * 0.35
}

/// A layout may declare how many pages it is meant to fill, how many
/// densities it has to fit them, and the densest one that may save a
/// nearly empty last page: `#metadata((min: 1, max: 8, densities: 6, trim:
/// 3)) <page-budget>`. `--pages N` replaces `max` for layouts that have
/// densities.
fn check_budget(world: &DocWorld, doc: &PagedDocument, document: &Document, density: u8) -> Budget {
    use typst::foundations::{Label, Selector, Value};
    use typst::introspection::{Introspector, MetadataElem};
    let layout = document.layout;
    let Some(label) = Label::new(typst::utils::PicoStr::intern("page-budget")) else {
        return Budget::Fits { trim: false };
    };
    let found = doc.introspector().query(&Selector::Label(label));
    let Some(elem) = found.first().and_then(|c| c.to_packed::<MetadataElem>()) else {
        return Budget::Fits { trim: false };
    };
    let Value::Dict(budget) = &elem.value else {
        return Budget::Fits { trim: false };
    };
    let bound = |key: &str| {
        budget
            .get(key)
            .ok()
            .and_then(|v| v.clone().cast::<i64>().ok())
    };
    let densities = bound("densities").unwrap_or(1).max(1);
    let pages = doc.pages().len() as i64;
    let min = bound("min").unwrap_or(1);
    let max = match document.settings.pages {
        Some(n) if densities > 1 => i64::from(n),
        _ => bound("max").unwrap_or(i64::MAX),
    };
    let denser = i64::from(density) + 1 < densities;
    if pages > max && denser {
        return Budget::Denser { denser };
    }
    if pages <= max && pages >= min {
        // `trim` is the densest setting that may save a nearly empty page.
        let trim = i64::from(density) < bound("trim").unwrap_or(0).min(densities - 1);
        return Budget::Fits { trim };
    }
    let span = locate(world, elem.span().into());
    let allowed = if min == max {
        format!("{min}")
    } else if max == i64::MAX {
        format!("at least {min}")
    } else {
        format!("{min} to {max}")
    };
    let densest = if densities > 1 {
        " even at its densest setting"
    } else {
        ""
    };
    let mut d = Diagnostic::error(format!(
        "layout `{layout}` produced {}{densest} but allows {allowed}",
        crate::diag::count(pages as usize, "page", "pages")
    ));
    if let Some(span) = span {
        d = d.with_span(span);
    }
    if pages > max {
        let over = sections_after(doc, max as usize);
        d = d.with_hint(format!(
            "{} over: {}",
            crate::diag::count((pages - max) as usize, "page", "pages"),
            if over.is_empty() {
                "the end of the last section".to_string()
            } else {
                over.join(", ")
            }
        ));
        d = d.with_hint(if densities > 1 {
            "shorten those sections, or allow more pages with --pages"
        } else {
            "shorten those sections, or use a layout with room for them such as `handout`"
        });
    } else {
        d = d.with_hint("add content, or use another layout");
    }
    Budget::Over(vec![d])
}

/// The level-1 headings that start after page `max`, as "“Heading” (page
/// N)", so an over-budget error says what is on the extra pages.
fn sections_after(doc: &PagedDocument, max: usize) -> Vec<String> {
    use typst::foundations::{NativeElement, Selector};
    use typst::introspection::Introspector;
    use typst::model::HeadingElem;
    let intro = doc.introspector();
    intro
        .query(&Selector::Elem(HeadingElem::ELEM, None))
        .iter()
        .filter_map(|h| {
            let heading = h.to_packed::<HeadingElem>()?;
            if heading
                .resolve_level(typst::foundations::StyleChain::default())
                .get()
                != 1
            {
                return None;
            }
            let page = intro.position(h.location()?)?.page.get();
            (page > max).then(|| format!("“{}” (page {page})", heading.body.plain_text()))
        })
        .collect()
}
