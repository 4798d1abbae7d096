//! A layout's page budget, as its `<page-budget>` metadata declares it:
//! how many pages it may take and aims for, its densities, and the error
//! for a document outside them.

use typst_layout::PagedDocument;

use super::budget::{Attempt, Plan};
use super::{Document, locate};
use crate::diag::Diagnostic;
use crate::world::DocWorld;

/// A layout's page budget: `#metadata((min: 1, max: 8, densities: 6,
/// trim: 3, target: 4, lengths: (1.0, 0.95, …))) <page-budget>`.
pub(super) struct PageBudget {
    pub(super) min: i64,
    pub(super) max: i64,
    pub(super) densities: u8,
    /// The densest setting the build picks without `--pages N`.
    pub(super) trim: u8,
    /// The pages the layout aims for without `--pages`.
    pub(super) target: Option<usize>,
    /// About how long content runs at each density, as a share of its
    /// normal length.
    pub(super) lengths: Vec<f64>,
    pub(super) span: typst::syntax::Span,
}

impl PageBudget {
    pub(super) fn plan(&self, pages: super::Pages) -> Plan {
        let densest = self.densities.saturating_sub(1);
        let trim = self.trim.min(densest);
        match pages {
            _ if densest == 0 => Plan::Normal,
            super::Pages::Normal => Plan::Normal,
            super::Pages::AtMost(n) => Plan::Within {
                target: n as usize,
                top: densest,
                hard: true,
            },
            super::Pages::Layout => Plan::Within {
                target: self.target.unwrap_or(self.max.max(1) as usize),
                top: trim,
                hard: false,
            },
        }
    }

    pub(super) fn length(&self, density: u8) -> Option<f64> {
        self.lengths.get(usize::from(density)).copied()
    }

    /// The lightest density from `from` to `top` whose predicted length
    /// ends by `aim` pages; `top` if none, `from` when the layout gives no
    /// lengths.
    pub(super) fn predict(&self, normal: f64, aim: f64, from: u8, top: u8) -> u8 {
        (from..=top)
            .find(|&d| self.length(d).is_none_or(|k| normal * k <= aim))
            .unwrap_or(top)
    }

    /// The layout's own limits, which even `--pages N` keeps.
    pub(super) fn check(
        &self,
        attempt: &Attempt,
        document: &Document,
        plan: Plan,
    ) -> Result<(), Vec<Diagnostic>> {
        let pages = attempt.doc.pages().len() as i64;
        let max = match plan {
            Plan::Within {
                target, hard: true, ..
            } => target as i64,
            _ => self.max,
        };
        if pages <= max && pages >= self.min {
            return Ok(());
        }
        Err(vec![over_budget(
            &attempt.world,
            &attempt.doc,
            document.layout,
            self,
            max,
        )])
    }
}

/// The layout's `<page-budget>` metadata, if it declares one.
pub(super) fn read_budget(doc: &PagedDocument) -> Option<PageBudget> {
    use typst::foundations::{Label, Selector, Value};
    use typst::introspection::{Introspector, MetadataElem};
    let label = Label::new(typst::utils::PicoStr::intern("page-budget"))?;
    let found = doc.introspector().query(&Selector::Label(label));
    let elem = found.first()?.to_packed::<MetadataElem>()?;
    let Value::Dict(budget) = &elem.value else {
        return None;
    };
    let int = |key: &str| {
        budget
            .get(key)
            .ok()
            .and_then(|v| v.clone().cast::<i64>().ok())
    };
    let lengths = budget
        .get("lengths")
        .ok()
        .and_then(|v| v.clone().cast::<Vec<f64>>().ok())
        .unwrap_or_default();
    Some(PageBudget {
        min: int("min").unwrap_or(1),
        max: int("max").unwrap_or(i64::MAX),
        densities: int("densities").unwrap_or(1).clamp(1, 255) as u8,
        trim: int("trim").unwrap_or(0).clamp(0, 255) as u8,
        target: int("target").filter(|&t| t > 0).map(|t| t as usize),
        lengths,
        span: elem.span(),
    })
}

/// The error for a document outside its layout's limits or `--pages N`.
fn over_budget(
    world: &DocWorld,
    doc: &PagedDocument,
    layout: &str,
    budget: &PageBudget,
    max: i64,
) -> Diagnostic {
    let pages = doc.pages().len() as i64;
    let min = budget.min;
    let allowed = if min == max {
        format!("{min}")
    } else if max == i64::MAX {
        format!("at least {min}")
    } else {
        format!("{min} to {max}")
    };
    let densities = budget.densities > 1;
    let densest = if densities {
        " even at its densest setting"
    } else {
        ""
    };
    let mut d = Diagnostic::error(format!(
        "layout `{layout}` produced {}{densest} but allows {allowed}",
        crate::diag::count(pages as usize, "page", "pages")
    ));
    if let Some(span) = locate(world, budget.span.into()) {
        d = d.with_span(span);
    }
    if pages <= max {
        return d.with_hint("add content, or use another layout");
    }
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
    d.with_hint(if densities {
        "shorten those sections, or allow more pages with --pages"
    } else {
        "shorten those sections, or use a layout with room for them such as `handout`"
    })
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

/// The density a compile used, from its `<page-budget>`.
pub(super) fn density_of(doc: &PagedDocument) -> Option<u8> {
    use typst::foundations::{Label, Selector, Value};
    use typst::introspection::{Introspector, MetadataElem};
    let label = Label::new(typst::utils::PicoStr::intern("page-budget"))?;
    let found = doc.introspector().query(&Selector::Label(label));
    let elem = found.first()?.to_packed::<MetadataElem>()?;
    let Value::Dict(budget) = &elem.value else {
        return None;
    };
    let d = budget.get("density").ok()?.clone().cast::<i64>().ok()?;
    u8::try_from(d).ok()
}
