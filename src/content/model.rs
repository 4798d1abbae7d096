//! The content model: one comparison page, as authored in YAML.
//!
//! Options are declared once under `options`; every other section refers to
//! them by id. Every section except the table is optional so that a short
//! comparison stays short.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One comparison page.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Stable id, used for output file names.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    /// BCP 47 language tag of the text, for hyphenation and PDF metadata.
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub meta: Option<Meta>,
    #[serde(default)]
    pub organisation: Option<Organisation>,
    #[serde(default)]
    pub links: Option<Links>,
    /// The things being compared: two or three.
    #[schemars(length(min = 2, max = 3))]
    pub options: Vec<OptionDecl>,
    #[serde(default)]
    pub quick_take: Option<QuickTake>,
    #[serde(default)]
    pub how_to_choose: Option<HowToChoose>,
    #[serde(default)]
    pub confusion: Option<Confusion>,
    #[serde(default)]
    pub definitions: Option<Definitions>,
    pub comparison: Comparison,
    #[serde(default)]
    pub skills: Option<OptionLists>,
    #[serde(default)]
    pub tools: Option<OptionLists>,
    #[serde(default)]
    pub projects: Option<OptionLists>,
    #[serde(default)]
    pub career_mapping: Option<CareerMapping>,
    #[serde(default)]
    pub course_fit: Option<CourseFit>,
    #[serde(default)]
    pub related: Option<Related>,
    #[serde(default)]
    pub faq: Option<Faq>,
    #[serde(default)]
    pub review: Option<Review>,
    #[serde(default)]
    pub next_step: Option<NextStep>,
    /// The layouts' own words for this page, replacing those of its
    /// language: `faq: "Your questions"`. The keys are listed in
    /// docs/languages.md.
    #[serde(default)]
    #[schemars(schema_with = "label_overrides")]
    pub labels: Option<BTreeMap<String, String>>,
}

impl Content {
    /// The career goals, in document order.
    pub fn goals(&self) -> impl Iterator<Item = &Goal> {
        self.career_mapping.iter().flat_map(|m| &m.goals)
    }

    /// The career goal with this id.
    pub fn goal(&self, id: &str) -> Option<&Goal> {
        self.goals().find(|g| g.id == id)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub difficulty: Option<String>,
    #[serde(default)]
    pub audience: Option<String>,
    /// ISO date (YYYY-MM-DD). Also the PDF's creation date, so output is
    /// reproducible.
    #[serde(default)]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub updated: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    #[schemars(url)]
    pub url: Option<String>,
    /// The postal address, one line per line of the address: printed at
    /// the foot of every email draft, as anti-spam laws ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Where links point when entries give no `url` of their own.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Links {
    /// The site's address. Courses link to `<base_url>courses/<id>` and the
    /// organisation and next step to `<base_url>` unless they set `url`.
    #[schemars(url)]
    pub base_url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionDecl {
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickTake {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub main_takeaway: Option<String>,
    #[serde(default)]
    pub best_fit: Vec<BestFit>,
    #[serde(default)]
    pub recommended_direction: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BestFit {
    pub option: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HowToChoose {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub cards: Vec<ChoiceCard>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceCard {
    pub option: String,
    pub title: String,
    #[serde(default)]
    pub points: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confusion {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Definitions {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub option: String,
    /// Defaults to the option's name.
    #[serde(default)]
    pub term: Option<String>,
    pub definition: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    /// Header of the first column.
    #[serde(default)]
    pub factor_label: Option<String>,
    pub factors: Vec<Factor>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub name: String,
    /// One cell per option, keyed by option id.
    pub values: BTreeMap<String, String>,
}

/// A list per option, keyed by option id: skills, tools or projects.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionLists {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub lists: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CareerMapping {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub goals: Vec<Goal>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// Used in the variant's file name.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: String,
    /// The reader's goal, in their words.
    pub goal: String,
    /// The recommended option.
    pub option: String,
    #[serde(default)]
    pub advice: Option<String>,
    /// The recommended course, by id.
    #[serde(default)]
    pub course: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseFit {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub courses: Vec<Course>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Course {
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: String,
    pub name: String,
    /// The option this course leads to, which sets its accent colour.
    #[serde(default)]
    pub option: Option<String>,
    #[serde(default)]
    pub fit: Option<String>,
    #[serde(default)]
    #[schemars(url)]
    pub url: Option<String>,
    /// Printed beside the QR code instead of the address, e.g.
    /// `school.org/genai`; the QR code and the link keep `url`.
    #[serde(default)]
    pub link_text: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Related {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub entries: Vec<FaqEntry>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub written_by: Option<String>,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub experience_note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NextStep {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    #[schemars(url)]
    pub url: Option<String>,
    /// Printed instead of a long address, e.g. `school.org/apply`; the QR
    /// code and the link keep `url`.
    #[serde(default)]
    pub link_text: Option<String>,
}

/// Every address of a comparison, after applying `links.base_url`.
#[derive(Debug, Default)]
pub struct Urls {
    pub organisation: Option<String>,
    pub next_step: Option<String>,
    /// By course id, in declaration order.
    pub courses: Vec<(String, String)>,
}

/// Applies `links.base_url` to entries without their own `url`.
pub fn resolve_urls(c: &Content) -> Urls {
    let base = c.links.as_ref().map(|l| {
        let b = l.base_url.trim();
        if b.ends_with('/') {
            b.to_string()
        } else {
            format!("{b}/")
        }
    });
    let organisation = c
        .organisation
        .as_ref()
        .and_then(|o| o.url.clone())
        .or_else(|| base.clone());
    let next_step = c
        .next_step
        .as_ref()
        .and_then(|n| n.url.clone().or_else(|| base.clone()));
    let courses = c
        .course_fit
        .iter()
        .flat_map(|f| &f.courses)
        .filter_map(|course| {
            let url = course
                .url
                .clone()
                .or_else(|| base.as_ref().map(|b| format!("{b}courses/{}", course.id)))?;
            Some((course.id.clone(), url))
        })
        .collect();
    Urls {
        organisation,
        next_step,
        courses,
    }
}

/// `labels:` in the JSON Schema: one property per label, described by its
/// English text, and no others.
fn label_overrides(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let english = crate::lang::Catalogs::builtin().get(crate::lang::REFERENCE);
    let properties: serde_json::Map<String, serde_json::Value> = crate::lang::label_keys()
        .into_iter()
        .map(|key| {
            let text = english.label(key).unwrap_or_default();
            (
                key.to_string(),
                serde_json::json!({ "type": "string", "description": format!("In English: {text}") }),
            )
        })
        .collect();
    serde_json::json!({
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": false,
    })
    .try_into()
    .unwrap_or_default()
}
