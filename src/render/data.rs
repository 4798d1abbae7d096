//! The data a layout receives: the content plus what the build decided for
//! this document (paper, edition, variant, resolved links and QR codes).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use typst::foundations::Datetime;

use super::{Document, Edition, Paper};
use crate::content::{Content, Course, Goal, OptionDecl, language, language_of, parse_date};
use crate::lang::{Catalog, Catalogs};
use crate::locale::DateParts;
use crate::world::DocumentFiles;

/// The data a layout receives at [`crate::world::DATA_PATH`].
///
/// Its shape is documented in docs/layouts.md; bump `format` when it changes
/// incompatibly.
#[derive(Serialize)]
pub struct LayoutData<'a> {
    pub format: u32,
    pub paper: Paper,
    pub edition: Edition,
    /// The content's language, without region: `en` for `en-GB`. Typst
    /// takes language and region apart.
    pub lang: String,
    /// The region of the content's language, e.g. `GB`, or none.
    pub region: Option<String>,
    /// The layout being rendered, for files shared by several layouts.
    pub layout: &'a str,
    /// Bleed in points, when printing to the edge.
    pub bleed: Option<f64>,
    /// Which of the layout's densities to use: 0 is the normal one; null
    /// lets the layout start where its page target says (the handout's
    /// print edition at its densest by default), and the build goes on
    /// from what that gives.
    pub density: Option<u8>,
    pub content: &'a Content,
    /// The updated date, split so layouts can build a `datetime`.
    pub updated: Option<DateParts>,
    /// Dates as the document's language writes them.
    pub dates: Dates,
    /// Set when rendering the variant for one career goal.
    pub variant: Option<Variant<'a>>,
    /// The person a personal handout is for: `name`, `email`, `goal`,
    /// `line` (in the recipients file) and the other columns as `fields`.
    pub recipient: Option<&'a crate::recipients::Recipient>,
    /// The event of a print run (`--event`): `name`, `date` (year, month,
    /// day), `venue`, and `room`, `contact` (`name`, `email`, `phone`) and
    /// `note`, each possibly `none`.
    pub event: Option<&'a crate::event::Event>,
    /// Resolved addresses, with QR codes in the print edition.
    pub links: Links,
    /// The addresses of the QR codes, in the order of their paths.
    #[serde(skip)]
    pub qr_urls: Vec<String>,
}

/// Dates written out in the document's language, e.g. `12. Mai 2026`.
#[derive(Serialize)]
pub struct Dates {
    /// The content's `meta.updated`.
    pub updated: Option<String>,
    /// The event's date (`--event`).
    pub event: Option<String>,
}

#[derive(Serialize)]
pub struct Variant<'a> {
    pub goal: &'a Goal,
    /// The recommended option.
    pub option: &'a OptionDecl,
    /// The recommended course, when the goal names one.
    pub course: Option<&'a Course>,
}

#[derive(Serialize, Default)]
pub struct Links {
    pub organisation: Option<Link>,
    pub next_step: Option<Link>,
    /// By course id.
    pub courses: BTreeMap<String, Link>,
}

/// An address as a layout shows it.
#[derive(Serialize, Clone)]
pub struct Link {
    pub url: String,
    /// The address without scheme or trailing slash, for print.
    pub display: String,
    /// Path of the QR code image (print edition only), e.g. `/qr/0.svg`.
    pub qr: Option<String>,
}

impl<'a> LayoutData<'a> {
    pub fn new(document: &Document<'a>, catalog: &Catalog) -> Self {
        let c = document.content;
        let updated = c
            .meta
            .as_ref()
            .and_then(|m| m.updated.as_deref())
            .and_then(parse_date)
            .map(|(year, month, day)| DateParts { year, month, day });
        let variant = document.goal.and_then(|goal| {
            let option = c.options.iter().find(|o| o.id == goal.option)?;
            let course = goal.course.as_ref().and_then(|id| {
                c.course_fit
                    .as_ref()?
                    .courses
                    .iter()
                    .find(|course| &course.id == id)
            });
            Some(Variant {
                goal,
                option,
                course,
            })
        });
        let (links, qr_urls) = links(c, document.edition);
        // Validation rejects tags the layouts cannot use.
        let (lang, region) = c
            .lang
            .as_deref()
            .and_then(|tag| language(tag).ok())
            .unwrap_or_else(|| ("en".into(), None));
        let event = document.settings.event.as_ref();
        let dates = Dates {
            updated: updated
                .as_ref()
                .map(|d| catalog.date(d.year, d.month, d.day)),
            event: event.map(|e| catalog.date(e.date.year, e.date.month, e.date.day)),
        };
        Self {
            format: 1,
            // A booklet's pages are half its sheets.
            paper: if document.settings.booklet {
                document.paper.half()
            } else {
                document.paper
            },
            edition: document.edition,
            lang,
            region,
            layout: document.layout,
            bleed: document.settings.bleed,
            density: Some(0),
            content: c,
            updated,
            dates,
            variant,
            recipient: document.recipient,
            event,
            links,
            qr_urls,
        }
    }
}

/// Resolves every link of the content, numbering QR codes in a fixed order.
/// Also returns the addresses of the QR codes, in that order.
fn links(c: &Content, edition: Edition) -> (Links, Vec<String>) {
    let urls = crate::content::resolve_urls(c);
    let mut qr_urls = Vec::new();
    // `text` is the content's own printed text for the link, if any.
    let mut link = |url: String, text: Option<&String>| {
        let qr = (edition == Edition::Print && qr_urls.len() < crate::world::MAX_QR).then(|| {
            qr_urls.push(url.clone());
            format!("/qr/{}.svg", qr_urls.len() - 1)
        });
        Link {
            display: text.cloned().unwrap_or_else(|| display_url(&url)),
            url,
            qr,
        }
    };
    let course_text = |id: &str| {
        c.course_fit
            .iter()
            .flat_map(|f| &f.courses)
            .find(|k| k.id == id)
            .and_then(|k| k.link_text.as_ref())
    };
    let links = Links {
        organisation: urls.organisation.map(|u| link(u, None)),
        next_step: urls
            .next_step
            .map(|u| link(u, c.next_step.as_ref().and_then(|n| n.link_text.as_ref()))),
        courses: urls
            .courses
            .into_iter()
            .map(|(id, url)| {
                let text = course_text(&id);
                (id, link(url, text))
            })
            .collect(),
    };
    (links, qr_urls)
}

/// `https://www.example.com/courses/` → `example.com/courses`.
/// Query strings and fragments (`?utm_source=…`) are for machines: the QR
/// code and the link keep them, the printed text does not.
fn display_url(url: &str) -> String {
    let s = url.split_once("://").map_or(url, |(_, rest)| rest);
    let s = s.strip_prefix("www.").unwrap_or(s);
    let s = s.split(['?', '#']).next().unwrap_or(s);
    s.trim_end_matches('/').to_string()
}

/// The QR codes a document's links need, in the order of their paths.
fn qr_codes(data: &LayoutData) -> Vec<Arc<[u8]>> {
    use rayon::prelude::*;
    // Spread over the threads that one document gets (all of `--jobs` when
    // it is the only one); in order.
    data.qr_urls
        .par_iter()
        .filter_map(|url| crate::qr::svg_cached(url))
        .collect()
}

/// The document date: the content's updated date, else SOURCE_DATE_EPOCH.
/// Never the clock, so the same input always gives the same bytes.
pub fn document_date(content: &Content) -> Option<Datetime> {
    if let Some((y, m, d)) = content
        .meta
        .as_ref()
        .and_then(|m| m.updated.as_deref())
        .and_then(parse_date)
    {
        return Datetime::from_ymd_hms(y, m, d, 0, 0, 0);
    }
    let epoch: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    datetime_from_unix(epoch)
}

/// Converts seconds since 1970 (UTC) to a datetime.
fn datetime_from_unix(secs: i64) -> Option<Datetime> {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    Some(Datetime::Datetime(time::PrimitiveDateTime::new(
        t.date(),
        t.time(),
    )))
}

/// `has_family` tells which font families the build has.
/// `density` is the layout's density to render at, 0 for its normal one,
/// or none for the one the layout starts at.
pub fn document_files(
    document: &Document,
    density: Option<u8>,
    catalogs: &Catalogs,
    has_family: &dyn Fn(&str) -> bool,
) -> DocumentFiles {
    let lang = language_of(document.content);
    let catalog = catalogs.get(&lang);
    let mut data = LayoutData::new(document, catalog);
    data.density = density;
    DocumentFiles {
        // Plain data with string keys always serialises.
        data: serde_json::to_vec(&data).unwrap_or_default(),
        qr: qr_codes(&data),
        labels: catalog.json(&lang, document.content.labels.as_ref(), has_family),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_dates() {
        let d = datetime_from_unix(1_778_544_000).unwrap();
        assert_eq!(d, Datetime::from_ymd_hms(2026, 5, 12, 0, 0, 0).unwrap());
        let d = datetime_from_unix(0).unwrap();
        assert_eq!(d, Datetime::from_ymd_hms(1970, 1, 1, 0, 0, 0).unwrap());
    }

    #[test]
    fn display_addresses_drop_scheme_www_and_slash() {
        assert_eq!(
            display_url("https://www.example.com/courses/"),
            "example.com/courses"
        );
        assert_eq!(
            display_url("https://example.com/open-day/?utm_source=flyer&utm_medium=print#book"),
            "example.com/open-day"
        );
    }
}
