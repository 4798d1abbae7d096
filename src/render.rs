//! Compiling a layout with one document's data, and exporting the result.

use std::sync::Arc;

use serde::Serialize;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::content::{Content, Course, Goal, OptionDecl, parse_date};
use crate::diag::{Diagnostic, Span};
use crate::world::{DocWorld, Env};

/// Paper sizes for print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    A4,
    UsLetter,
}

impl Paper {
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::UsLetter => "us-letter",
        }
    }
}

/// What to render: one content file, optionally for one goal.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    pub content: &'a Content,
    /// The content file, for messages.
    pub source_name: &'a str,
    pub goal: Option<&'a Goal>,
    pub paper: Paper,
    pub layout: &'a str,
}

/// A compiled and exported document.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
}

/// The data a layout receives at [`crate::world::DATA_PATH`].
///
/// Its shape is documented in docs/layouts.md; bump `format` when it changes
/// incompatibly.
#[derive(Serialize)]
pub struct LayoutData<'a> {
    pub format: u32,
    pub paper: &'static str,
    pub content: &'a Content,
    /// The updated date, split so layouts can build a `datetime`.
    pub updated: Option<DateParts>,
    /// Set when rendering the variant for one career goal.
    pub variant: Option<Variant<'a>>,
}

#[derive(Serialize)]
pub struct DateParts {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

#[derive(Serialize)]
pub struct Variant<'a> {
    pub goal: &'a Goal,
    /// The recommended option.
    pub option: &'a OptionDecl,
    /// The recommended course, when the goal names one.
    pub course: Option<&'a Course>,
}

impl<'a> LayoutData<'a> {
    pub fn new(job: &Job<'a>) -> Self {
        let c = job.content;
        let updated = c
            .meta
            .as_ref()
            .and_then(|m| m.updated.as_deref())
            .and_then(parse_date)
            .map(|(year, month, day)| DateParts { year, month, day });
        let variant = job.goal.and_then(|goal| {
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
        Self {
            format: 1,
            paper: job.paper.name(),
            content: c,
            updated,
            variant,
        }
    }
}

/// The JSON a layout reads at `/data.json`.
pub fn encode_data(job: &Job) -> Vec<u8> {
    // Plain data with string keys always serialises.
    serde_json::to_vec(&LayoutData::new(job)).unwrap_or_default()
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
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Datetime::from_ymd_hms(
        year,
        month,
        day,
        (rem / 3600) as u8,
        (rem % 3600 / 60) as u8,
        (rem % 60) as u8,
    )
}

/// Compiles and exports one document.
pub fn render(env: &Env, job: &Job) -> Result<Rendered, Vec<Diagnostic>> {
    let Some(main) = env.layout_id(job.layout) else {
        let names = env.layouts().names().join(", ");
        return Err(vec![
            Diagnostic::error(format!("there is no layout named `{}`", job.layout))
                .with_hint(format!("the layouts available are: {names}")),
        ]);
    };
    let data = serde_json::to_vec(&LayoutData::new(job)).map_err(|e| {
        vec![Diagnostic::error(format!(
            "internal error: cannot encode data: {e}"
        ))]
    })?;
    let date = document_date(job.content);
    let world = DocWorld::new(env, main, data, date);

    let warned = typst::compile::<PagedDocument>(&world);
    let mut warnings = convert(&world, &warned.warnings);
    let doc = warned.output.map_err(|errors| {
        let mut all = convert(&world, &errors);
        all.append(&mut warnings);
        all
    })?;

    let ident = match job.goal {
        Some(goal) => format!(
            "{}/{}/{}/{}",
            job.content.id,
            goal.id,
            job.paper.name(),
            job.layout
        ),
        None => format!("{}/{}/{}", job.content.id, job.paper.name(), job.layout),
    };
    let options = PdfOptions {
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some(format!("handout {}", env!("CARGO_PKG_VERSION")))),
        timestamp: date.map(Timestamp::new_utc),
        page_ranges: None,
        standards: PdfStandards::default(),
        tagged: true,
        pretty: false,
    };
    let pdf = typst_pdf::pdf(&doc, &options).map_err(|errors| convert(&world, &errors))?;
    Ok(Rendered {
        pdf,
        pages: doc.pages().len(),
        warnings,
    })
}

/// Turns Typst diagnostics into ours, resolving spans to layout files.
fn convert(world: &DocWorld, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .map(|d| {
            let mut out = match d.severity {
                TypstSeverity::Error => Diagnostic::error(d.message.to_string()),
                TypstSeverity::Warning => Diagnostic::warning(d.message.to_string()),
            };
            if let Some(span) = locate(world, d.span) {
                out = out.with_span(span);
            }
            for hint in &d.hints {
                // typst-cli's advice about its own flags does not apply here.
                if hint.v.contains("--root") {
                    out = out.with_hint("a layout can only read files inside its layout folder");
                } else {
                    out = out.with_hint(hint.v.to_string());
                }
            }
            for point in &d.trace {
                let at = locate(world, point.span.into())
                    .map(|s| {
                        let (l, c) = s.line_column();
                        format!(" at {}:{l}:{c}", s.file)
                    })
                    .unwrap_or_default();
                out = out.with_hint(format!("{}{at}", point.v));
            }
            out
        })
        .collect()
}

fn locate(world: &DocWorld, span: typst::syntax::DiagSpan) -> Option<Span> {
    let id = span.id()?;
    let range = world.range(span)?;
    let text: Arc<str> = world.text_of(id)?;
    Some(Span {
        file: world.env().display_name(id),
        text,
        range,
    })
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
}
