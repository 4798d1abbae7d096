//! The layouts' own words in each language: catalogs at `lang/<code>.yaml`
//! in the layout folder, one per language, overridable with `--layouts`.
//!
//! A document's labels are its language's catalog with the content's
//! `labels:` on top, served to layouts at `/labels.json`. Documents of one
//! language share those bytes, so Typst reuses its work between them. Dates
//! are written here, from the catalog's pattern and month names.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::layouts::LayoutFiles;
use crate::locale::is_rtl;

/// Every catalog must have the keys of this one.
pub const REFERENCE: &str = "en";

/// A catalog file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    date: String,
    #[serde(default)]
    first: Option<String>,
    months: Vec<String>,
    #[serde(default)]
    hyphenate: bool,
    labels: BTreeMap<String, String>,
    /// The fixed words of email drafts. Optional, so that a catalog written
    /// before they existed still reads: missing ones come from the built-in
    /// catalog of the language, or English.
    #[serde(default)]
    email: BTreeMap<String, String>,
}

/// One language's words.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub lang: String,
    file: CatalogFile,
    /// `/labels.json` without overrides.
    json: Arc<[u8]>,
}

/// What layouts read at `/labels.json`.
#[derive(Serialize)]
struct LabelsJson<'a> {
    hyphenate: bool,
    /// Whether the page reads from right to left.
    rtl: bool,
    /// Fonts placed before the theme's, for a language whose script Inter
    /// lacks: spaces, digits and punctuation then come from the same font
    /// as the words, which keeps text runs whole; Latin letters still come
    /// from Inter, since these fonts have none.
    fonts: &'a [&'a str],
    /// Fonts placed after the theme's: for CJK, whose fonts also have Latin
    /// letters, which should stay Inter's.
    after: &'a [&'a str],
    labels: &'a BTreeMap<String, String>,
}

/// The bundled font for the script of `lang`, when Inter lacks it.
fn lead_fonts(lang: &str) -> &'static [&'static str] {
    match lang {
        "hi" | "mr" | "ne" | "sa" | "mai" | "kok" => &["Noto Sans Devanagari"],
        "ar" | "fa" | "ur" | "ps" | "sd" | "ug" | "ckb" => &["Noto Sans Arabic"],
        _ => &[],
    }
}

/// The font for the script of `lang` to place after Inter, from
/// `--font-dir` when it has it (Debian's fonts-noto-cjk).
fn trailing_fonts(lang: &str) -> &'static [&'static str] {
    match lang {
        "zh" => &["Noto Sans CJK SC"],
        "ja" => &["Noto Sans CJK JP"],
        "ko" => &["Noto Sans CJK KR"],
        _ => &[],
    }
}

impl Catalog {
    /// `12 May 2026`, in this language.
    pub fn date(&self, year: i32, month: u8, day: u8) -> String {
        let month = self
            .file
            .months
            .get(usize::from(month).wrapping_sub(1))
            .map_or("", String::as_str);
        let day = match (&self.file.first, day) {
            (Some(first), 1) => first.clone(),
            _ => day.to_string(),
        };
        self.file
            .date
            .replace("{day}", &day)
            .replace("{month}", month)
            .replace("{year}", &year.to_string())
    }

    /// Every word of the catalog, labels and months, for checking that the
    /// fonts can show them.
    pub fn words(&self) -> String {
        self.file
            .labels
            .values()
            .chain(&self.file.months)
            .map(String::as_str)
            .collect()
    }

    /// Every label, as (key, text).
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.file
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.file.labels.get(key).map(String::as_str)
    }

    /// A fixed text of email drafts: this catalog's, else the built-in
    /// catalog's of its language, else the built-in English one.
    pub fn email(&self, key: &str) -> &str {
        let builtin = Catalogs::builtin();
        self.file
            .email
            .get(key)
            .or_else(|| builtin.by_lang.get(&self.lang)?.file.email.get(key))
            .or_else(|| builtin.get(REFERENCE).file.email.get(key))
            .map_or("", String::as_str)
    }

    /// The email texts the built-in English catalog has and this one lacks.
    pub fn missing_email(&self) -> Vec<&'static str> {
        Catalogs::builtin()
            .get(REFERENCE)
            .file
            .email
            .keys()
            .filter(|k| !self.file.email.contains_key(*k))
            .map(String::as_str)
            .collect()
    }

    /// The bytes of `/labels.json` for a page in `lang`, with `overrides`
    /// in place of the catalog's labels. `lang` may differ from the
    /// catalog's when it falls back to English; its direction and script
    /// still hold.
    /// `has_family` tells which fonts the build has: a lead font it lacks
    /// is left out, as Typst would warn about it.
    pub fn json(
        &self,
        lang: &str,
        overrides: Option<&BTreeMap<String, String>>,
        has_family: &dyn Fn(&str) -> bool,
    ) -> Arc<[u8]> {
        let lead: Vec<&str> = lead_fonts(lang)
            .iter()
            .copied()
            .filter(|f| has_family(f))
            .collect();
        let after: Vec<&str> = trailing_fonts(lang)
            .iter()
            .copied()
            .filter(|f| has_family(f))
            .collect();
        let all = lead.len() == lead_fonts(lang).len() && after.len() == trailing_fonts(lang).len();
        let fonts = [lead.as_slice(), after.as_slice()];
        match overrides.filter(|o| !o.is_empty()) {
            None if lang == self.lang && all => self.json.clone(),
            None => to_json(self.file.hyphenate, lang, fonts, &self.file.labels),
            Some(o) => {
                let mut labels = self.file.labels.clone();
                labels.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
                to_json(self.file.hyphenate, lang, fonts, &labels)
            }
        }
    }
}

/// `fonts` are the fonts to place before and after the theme's.
fn to_json(
    hyphenate: bool,
    lang: &str,
    fonts: [&[&str]; 2],
    labels: &BTreeMap<String, String>,
) -> Arc<[u8]> {
    // Strings only: serialising cannot fail.
    serde_json::to_vec(&LabelsJson {
        hyphenate,
        rtl: is_rtl(lang),
        fonts: fonts[0],
        after: fonts[1],
        labels,
    })
    .unwrap_or_default()
    .into()
}

/// The catalogs of a layout folder, by language code.
/// Cloned into every process's world, so shared rather than copied.
#[derive(Debug, Clone)]
pub struct Catalogs {
    by_lang: Arc<BTreeMap<String, Catalog>>,
}

impl Catalogs {
    /// Reads and checks every `lang/*.yaml`; each problem is reported.
    /// Layouts that replace no catalog share the built-in ones, read once
    /// per process.
    pub fn load(layouts: &LayoutFiles) -> Result<Self, Vec<Diagnostic>> {
        if !layouts.overrides_under("lang/") {
            return Ok(Self::builtin().clone());
        }
        Self::read(layouts)
    }

    fn read(layouts: &LayoutFiles) -> Result<Self, Vec<Diagnostic>> {
        let mut by_lang = BTreeMap::new();
        let mut errors = Vec::new();
        for path in layouts.paths() {
            let Some(lang) = path
                .strip_prefix("lang/")
                .and_then(|p| p.strip_suffix(".yaml"))
            else {
                continue;
            };
            let file = layouts.get(path).expect("listed path");
            let parsed = std::str::from_utf8(&file.bytes)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    serde_yaml::from_str::<CatalogFile>(text).map_err(|e| e.to_string())
                });
            match parsed {
                Ok(parsed) if parsed.months.len() == 12 => {
                    let json = to_json(
                        parsed.hyphenate,
                        lang,
                        [lead_fonts(lang), trailing_fonts(lang)],
                        &parsed.labels,
                    );
                    by_lang.insert(
                        lang.to_string(),
                        Catalog {
                            lang: lang.to_string(),
                            file: parsed,
                            json,
                        },
                    );
                }
                Ok(_) => errors.push(
                    Diagnostic::error("`months` must name the twelve months, January first")
                        .in_file(file.display.clone()),
                ),
                Err(e) => errors.push(
                    Diagnostic::error(format!("this language file cannot be read: {e}"))
                        .in_file(file.display.clone())
                        .with_hint("compare it with layouts/lang/en.yaml"),
                ),
            }
        }
        let catalogs = Self {
            by_lang: Arc::new(by_lang),
        };
        if let Some(reference) = catalogs.by_lang.get(REFERENCE) {
            for c in catalogs.by_lang.values() {
                let display = layouts
                    .get(&format!("lang/{}.yaml", c.lang))
                    .map(|f| f.display.clone())
                    .unwrap_or_default();
                errors.extend(
                    differences(reference, c)
                        .into_iter()
                        .map(|d| d.in_file(display.clone())),
                );
            }
        }
        if errors.is_empty() {
            Ok(catalogs)
        } else {
            Err(errors)
        }
    }

    /// The built-in catalogs, read once.
    pub fn builtin() -> &'static Catalogs {
        static BUILTIN: OnceLock<Catalogs> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Catalogs::read(&LayoutFiles::builtin())
                .expect("the built-in catalogs are checked by tests")
        })
    }

    /// The catalog for `lang`, or English when there is none.
    pub fn get(&self, lang: &str) -> &Catalog {
        self.by_lang
            .get(lang)
            .or_else(|| self.by_lang.get(REFERENCE))
            .or_else(|| Self::builtin().by_lang.get(REFERENCE))
            .expect("the built-in layouts have an English catalog")
    }

    pub fn has(&self, lang: &str) -> bool {
        self.by_lang.contains_key(lang)
    }

    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.by_lang.keys().map(String::as_str)
    }
}

/// The label keys, for content validation and the JSON Schema.
pub fn label_keys() -> Vec<&'static str> {
    Catalogs::builtin()
        .get(REFERENCE)
        .file
        .labels
        .keys()
        .map(String::as_str)
        .collect()
}

/// The placeholders of a text, such as `{course}`.
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.insert(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

/// How `c` differs from the reference catalog: missing or extra keys, and
/// labels whose placeholders are not the reference's.
fn differences(reference: &Catalog, c: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let theirs = &c.file.labels;
    let ours = &reference.file.labels;
    let missing: Vec<&str> = ours
        .keys()
        .filter(|k| !theirs.contains_key(*k))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        out.push(
            Diagnostic::error(format!("labels missing: {}", missing.join(", ")))
                .with_hint(format!("translate them from {REFERENCE}.yaml")),
        );
    }
    for key in theirs.keys().filter(|k| !ours.contains_key(*k)) {
        let keys: Vec<&str> = ours.keys().map(String::as_str).collect();
        let mut d = Diagnostic::error(format!("there is no label `{key}`"));
        if let Some(best) = crate::diag::did_you_mean(key, &keys) {
            d = d.with_hint(format!("did you mean `{best}`?"));
        }
        out.push(d);
    }
    for (key, text) in theirs {
        if let Some(english) = ours.get(key)
            && placeholders(text) != placeholders(english)
        {
            out.push(
                Diagnostic::error(format!(
                    "the label `{key}` must use the placeholders of `{english}`"
                ))
                .with_hint("placeholders may move within the text, but not change"),
            );
        }
    }
    for (name, text) in [("date", &c.file.date)] {
        if !["{day}", "{month}", "{year}"]
            .iter()
            .all(|p| text.contains(p))
        {
            out.push(
                Diagnostic::error(format!(
                    "`{name}` must contain {{day}}, {{month}} and {{year}}"
                ))
                .with_hint("e.g. \"{day} {month} {year}\""),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
