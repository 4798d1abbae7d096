//! Checks that go beyond the shape of the YAML: ids, references and dates.

use std::collections::HashSet;

use super::{Content, Seg, SourceFile, did_you_mean};
use crate::diag::Diagnostic;

fn k(key: &str) -> Seg {
    Seg::Key(key.to_string())
}

fn path(parts: &[Seg]) -> Vec<Seg> {
    parts.to_vec()
}

/// Every problem in the content, in document order.
pub(crate) fn validate(file: &SourceFile, c: &Content) -> Vec<Diagnostic> {
    let mut v = Validator {
        file,
        errors: Vec::new(),
    };
    v.id(&[k("id")], &c.id);
    v.text(&[k("title")], &c.title);

    if !(2..=3).contains(&c.options.len()) {
        v.error(
            &[k("options")],
            format!("a comparison has 2 or 3 options, found {}", c.options.len()),
            "declare each option once under `options:` with an `id` and a `name`",
        );
    }
    let mut seen = HashSet::new();
    for (i, o) in c.options.iter().enumerate() {
        let at = path(&[k("options"), Seg::Index(i), k("id")]);
        v.id(&at, &o.id);
        v.text(&[k("options"), Seg::Index(i), k("name")], &o.name);
        if !seen.insert(o.id.as_str()) {
            v.error(
                &at,
                format!("option id `{}` is declared twice", o.id),
                "give each option its own id",
            );
        }
    }
    let options: Vec<&str> = c.options.iter().map(|o| o.id.as_str()).collect();

    if let Some(lang) = &c.lang
        && let Err(problem) = language(lang)
    {
        v.error(
            &[k("lang")],
            format!("`{lang}` is not a language tag the layouts can use: {problem}"),
            "use a tag such as `en`, `en-GB`, `pt-BR` or `de`",
        );
    }
    if let Some(updated) = c.meta.as_ref().and_then(|m| m.updated.as_deref())
        && parse_date(updated).is_none()
    {
        let (problem, hint) = date_problem(updated);
        v.error(
            &[k("meta"), k("updated")],
            format!("`{updated}` is not a date: {problem}"),
            hint,
        );
    }

    if let Some(q) = &c.quick_take {
        for (i, b) in q.best_fit.iter().enumerate() {
            v.option_ref(
                &[k("quick_take"), k("best_fit"), Seg::Index(i), k("option")],
                &b.option,
                &options,
            );
        }
    }
    if let Some(h) = &c.how_to_choose {
        for (i, card) in h.cards.iter().enumerate() {
            v.option_ref(
                &[k("how_to_choose"), k("cards"), Seg::Index(i), k("option")],
                &card.option,
                &options,
            );
        }
    }
    if let Some(d) = &c.definitions {
        for (i, t) in d.terms.iter().enumerate() {
            v.option_ref(
                &[k("definitions"), k("terms"), Seg::Index(i), k("option")],
                &t.option,
                &options,
            );
        }
    }

    let mut urls: Vec<(Vec<Seg>, &str)> = Vec::new();
    if let Some(l) = &c.links {
        urls.push((path(&[k("links"), k("base_url")]), &l.base_url));
    }
    if let Some(url) = c.organisation.as_ref().and_then(|o| o.url.as_deref()) {
        urls.push((path(&[k("organisation"), k("url")]), url));
    }
    if let Some(url) = c.next_step.as_ref().and_then(|n| n.url.as_deref()) {
        urls.push((path(&[k("next_step"), k("url")]), url));
    }
    for (i, course) in c
        .course_fit
        .iter()
        .flat_map(|f| f.courses.iter().enumerate())
    {
        if let Some(url) = &course.url {
            urls.push((
                path(&[k("course_fit"), k("courses"), Seg::Index(i), k("url")]),
                url,
            ));
        }
    }
    for (at, url) in urls {
        if !is_url(url) {
            v.error(
                &at,
                format!("`{url}` is not a web address"),
                "write a full address starting with https://, e.g. https://example.com/courses",
            );
        }
    }

    if c.comparison.factors.is_empty() {
        v.error(
            &[k("comparison"), k("factors")],
            "the side-by-side table has no factors",
            "add at least one factor with a `name` and one value per option",
        );
    }
    for (i, f) in c.comparison.factors.iter().enumerate() {
        let at = path(&[k("comparison"), k("factors"), Seg::Index(i)]);
        v.text(&[at.clone(), vec![k("name")]].concat(), &f.name);
        let values = [at.clone(), vec![k("values")]].concat();
        for key in f.values.keys() {
            v.option_key(&values, key, &options);
        }
        for o in &options {
            if !f.values.contains_key(*o) {
                v.error(
                    &values,
                    format!("factor `{}` has no value for option `{o}`", f.name),
                    format!(
                        "add `{o}: ...` under `values`; every factor needs a cell for each option"
                    ),
                );
            }
        }
    }

    for (section, lists) in [
        ("skills", &c.skills),
        ("tools", &c.tools),
        ("projects", &c.projects),
    ] {
        if let Some(lists) = lists {
            for key in lists.lists.keys() {
                v.option_key(&[k(section), k("lists")], key, &options);
            }
        }
    }

    let courses: Vec<&str> = c
        .course_fit
        .iter()
        .flat_map(|f| f.courses.iter().map(|c| c.id.as_str()))
        .collect();
    if let Some(f) = &c.course_fit {
        let mut seen = HashSet::new();
        for (i, course) in f.courses.iter().enumerate() {
            let at = path(&[k("course_fit"), k("courses"), Seg::Index(i)]);
            v.id(&[at.clone(), vec![k("id")]].concat(), &course.id);
            if !seen.insert(course.id.as_str()) {
                v.error(
                    &[at.clone(), vec![k("id")]].concat(),
                    format!("course id `{}` is declared twice", course.id),
                    "give each course its own id",
                );
            }
            if let Some(o) = &course.option {
                v.option_ref(&[at, vec![k("option")]].concat(), o, &options);
            }
        }
    }
    if let Some(m) = &c.career_mapping {
        let mut seen = HashSet::new();
        for (i, g) in m.goals.iter().enumerate() {
            let at = path(&[k("career_mapping"), k("goals"), Seg::Index(i)]);
            v.id(&[at.clone(), vec![k("id")]].concat(), &g.id);
            if !seen.insert(g.id.as_str()) {
                v.error(
                    &[at.clone(), vec![k("id")]].concat(),
                    format!("goal id `{}` is declared twice", g.id),
                    "give each goal its own id",
                );
            }
            v.option_ref(
                &[at.clone(), vec![k("option")]].concat(),
                &g.option,
                &options,
            );
            if let Some(course) = &g.course
                && !courses.contains(&course.as_str())
            {
                let mut d = v.file.error_at(
                    &[at, vec![k("course")]].concat(),
                    format!(
                        "goal `{}` refers to course `{course}`, which is not declared",
                        g.id
                    ),
                );
                d = match did_you_mean(course, &courses) {
                    Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                    None => {
                        d.with_hint("declare the course under `course_fit.courses` with this id")
                    }
                };
                v.errors.push(d);
            }
        }
    }
    v.errors
}

/// Goals whose course does not fit them: none named although one leads
/// toward the goal's option, or one that leads toward another option. The
/// variant for such a goal would recommend no course, or a course for the
/// other path.
pub(crate) fn goal_warnings(file: &SourceFile, c: &Content) -> Vec<Diagnostic> {
    let (Some(mapping), Some(fit)) = (&c.career_mapping, &c.course_fit) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, g) in mapping.goals.iter().enumerate() {
        let at = path(&[k("career_mapping"), k("goals"), Seg::Index(i)]);
        let leads = |course: &&super::Course| course.option.as_deref() == Some(g.option.as_str());
        let warn = |at: &[Seg], message: String, hint: String| {
            let mut d = file.error_at(at, message).with_hint(hint);
            d.severity = crate::diag::Severity::Warning;
            d
        };
        match &g.course {
            None => {
                if let Some(course) = fit.courses.iter().find(leads) {
                    out.push(warn(
                        &at,
                        format!("goal `{}` names no course", g.id),
                        format!(
                            "add `course: {}`, which leads toward `{}`, so its variant recommends it",
                            course.id, g.option
                        ),
                    ));
                }
            }
            Some(id) => {
                let course = fit.courses.iter().find(|x| &x.id == id);
                if let Some(course) = course
                    && let Some(other) = &course.option
                    && other != &g.option
                {
                    let hint = match fit.courses.iter().find(leads) {
                        Some(fits) => format!(
                            "did you mean `course: {}`, which leads toward `{}`?",
                            fits.id, g.option
                        ),
                        None => format!(
                            "choose a course for `{}`, or check the goal's `option`",
                            g.option
                        ),
                    };
                    out.push(warn(
                        &[at, vec![k("course")]].concat(),
                        format!(
                            "goal `{}` recommends `{}`, but its course `{id}` leads toward `{other}`",
                            g.id, g.option
                        ),
                        hint,
                    ));
                }
            }
        }
    }
    out
}

struct Validator<'a, 'b> {
    file: &'a SourceFile<'b>,
    errors: Vec<Diagnostic>,
}

impl Validator<'_, '_> {
    fn error(&mut self, at: &[Seg], message: impl Into<String>, hint: impl Into<String>) {
        self.errors
            .push(self.file.error_at(at, message).with_hint(hint));
    }

    /// Ids become file names, so they are kept to a safe alphabet.
    fn id(&mut self, at: &[Seg], id: &str) {
        if !is_id(id) {
            self.error(
                at,
                format!("`{id}` is not a valid id"),
                "ids use lowercase letters, digits and single hyphens, e.g. `ml-engineer`",
            );
        }
    }

    fn text(&mut self, at: &[Seg], text: &str) {
        if text.trim().is_empty() {
            self.error(
                at,
                "this text is empty",
                "write the text, or remove the entry",
            );
        }
    }

    fn option_ref(&mut self, at: &[Seg], id: &str, options: &[&str]) {
        if !options.contains(&id) {
            let d = self.file.error_at(at, format!("unknown option `{id}`"));
            self.errors.push(with_option_hint(d, id, options));
        }
    }

    /// An option id used as a key of a mapping, such as a factor's values.
    fn option_key(&mut self, map: &[Seg], id: &str, options: &[&str]) {
        if !options.contains(&id) {
            let d = self
                .file
                .error_at_key(map, id, format!("unknown option `{id}`"));
            self.errors.push(with_option_hint(d, id, options));
        }
    }
}

fn with_option_hint(d: Diagnostic, id: &str, options: &[&str]) -> Diagnostic {
    match did_you_mean(id, options) {
        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
        None => d.with_hint(format!(
            "the declared options are {}; declare new ones under `options:`",
            options
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Lowercase ASCII letters and digits in hyphen-separated words.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// An absolute http(s) address with a host and no spaces.
pub fn is_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        host.contains('.') && !url.chars().any(char::is_whitespace) && url.len() <= 2000
    })
}

/// A valid calendar date written as `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<(i32, u8, u8)> {
    // `[year]` also takes a leading sign; content dates are plain.
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, format).ok()?;
    Some((d.year(), d.month().into(), d.day()))
}

/// What is wrong with a date that does not parse, and how to fix it.
fn date_problem(s: &str) -> (String, String) {
    let layout = "write the date as YYYY-MM-DD, for example 2026-05-12";
    let parts: Vec<&str> = s.split('-').collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    let shaped = parts.len() == 3
        && [4, 2, 2]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_digit()));
    let (Some(n), true) = (numbers, shaped) else {
        return ("it is not in the form YYYY-MM-DD".into(), layout.into());
    };
    let (year, month, day) = (n[0], n[1], n[2]);
    let Ok(m) = time::Month::try_from(month as u8) else {
        return (
            format!("month {month} does not exist"),
            "months run from 01 to 12; the form is YYYY-MM-DD".into(),
        );
    };
    let days = m.length(year as i32);
    (
        format!("{m} {year} has {days} days, not {day}"),
        format!("give a day from 01 to {days}"),
    )
}

/// The language and region of a BCP 47 tag, as Typst takes them: `en-GB`
/// gives `("en", Some("GB"))`. A script subtag (`zh-Hant-TW`) and variants
/// are left out, since Typst has no place for them.
pub fn language(tag: &str) -> Result<(String, Option<String>), String> {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or_default();
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err("the language must be a two- or three-letter code such as `en`".into());
    }
    let mut region = None;
    for part in parts {
        let alpha = part.chars().all(|c| c.is_ascii_alphabetic());
        match part.len() {
            // The script, e.g. `Hant`.
            4 if alpha && region.is_none() => {}
            2 if alpha && region.is_none() => region = Some(part.to_ascii_uppercase()),
            3 if part.chars().all(|c| c.is_ascii_digit()) && region.is_none() => {
                return Err(format!(
                    "the region `{part}` is a number; give a two-letter country code instead"
                ));
            }
            // Variants and extensions, e.g. `1996`.
            1..=8 if part.chars().all(|c| c.is_ascii_alphanumeric()) => {}
            _ => return Err(format!("`{part}` is not a part of a language tag")),
        }
    }
    Ok((lang.to_ascii_lowercase(), region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_id("ml-engineer"));
        assert!(is_id("a1"));
        for bad in ["", "ML", "a--b", "-a", "a-", "../../x", "a b", "a_b"] {
            assert!(!is_id(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(is_url("https://example.com/"));
        assert!(is_url("http://a.b/c?d#e"));
        for bad in [
            "example.com",
            "ftp://x.y",
            "https://",
            "https://x y.com",
            "https://localhost",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-05-12"), Some((2026, 5, 12)));
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("12 May 2026"), None);
        for odd in [
            "+2026-05-12",
            "2026-5-12",
            "26-05-12",
            "2026-05-12 ",
            "2026-13-01",
            "2026-00-10",
        ] {
            assert_eq!(parse_date(odd), None, "{odd}");
        }
    }

    #[test]
    fn date_problems_name_the_bad_part() {
        assert_eq!(date_problem("2026-13-40").0, "month 13 does not exist");
        assert_eq!(
            date_problem("2026-02-30").0,
            "February 2026 has 28 days, not 30"
        );
        assert_eq!(
            date_problem("2028-02-30").0,
            "February 2028 has 29 days, not 30"
        );
        assert_eq!(
            date_problem("12/05/2026").0,
            "it is not in the form YYYY-MM-DD"
        );
    }

    #[test]
    fn language_tags_split_into_language_and_region() {
        assert_eq!(language("en"), Ok(("en".into(), None)));
        assert_eq!(language("en-GB"), Ok(("en".into(), Some("GB".into()))));
        assert_eq!(language("pt_br"), Ok(("pt".into(), Some("BR".into()))));
        assert_eq!(language("zh-Hant-TW"), Ok(("zh".into(), Some("TW".into()))));
        assert_eq!(language("de-CH-1996"), Ok(("de".into(), Some("CH".into()))));
        for bad in ["english", "e", "es-419", "en-", "en-GB-x!"] {
            assert!(language(bad).is_err(), "{bad}");
        }
    }
}
