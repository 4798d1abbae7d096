//! Checks that go beyond the shape of the YAML: ids, references and dates.

use std::collections::HashSet;

use super::Content;
use super::values::{date_problem, is_id, is_url, language, parse_date};
use crate::diag::Diagnostic;
use crate::diag::{Seg, SourceFile, did_you_mean};

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
    v.options(c);
    let options: Vec<&str> = c.options.iter().map(|o| o.id.as_str()).collect();
    v.language(c);
    v.labels(c);
    v.updated(c);
    v.option_refs(c, &options);
    v.urls(c);
    v.factors(c, &options);
    v.courses_and_goals(c, &options);
    v.errors
}

impl Validator<'_, '_> {
    /// Two or three options, each declared once.
    fn options(&mut self, c: &Content) {
        if !(2..=3).contains(&c.options.len()) {
            self.error(
                &[k("options")],
                format!("a comparison has 2 or 3 options, found {}", c.options.len()),
                "declare each option once under `options:` with an `id` and a `name`",
            );
        }
        let mut seen = HashSet::new();
        for (i, o) in c.options.iter().enumerate() {
            let at = path(&[k("options"), Seg::Index(i), k("id")]);
            self.id(&at, &o.id);
            self.text(&[k("options"), Seg::Index(i), k("name")], &o.name);
            if !seen.insert(o.id.as_str()) {
                self.error(
                    &at,
                    format!("option id `{}` is declared twice", o.id),
                    "give each option its own id",
                );
            }
        }
    }

    fn language(&mut self, c: &Content) {
        if let Some(lang) = &c.lang
            && let Err(problem) = language(lang)
        {
            self.error(
                &[k("lang")],
                format!("`{lang}` is not a language tag the layouts can use: {problem}"),
                "use a tag such as `en`, `en-GB`, `pt-BR` or `de`",
            );
        }
    }

    /// Label overrides name a label, and use only its placeholders.
    fn labels(&mut self, c: &Content) {
        if let Some(labels) = &c.labels {
            let keys = crate::lang::label_keys();
            let english = crate::lang::Catalogs::builtin().get(crate::lang::REFERENCE);
            for (key, text) in labels {
                let Some(original) = english.label(key) else {
                    let mut d = self.file.error_at_key(
                        &[k("labels")],
                        key,
                        format!("there is no label `{key}`"),
                    );
                    d = match did_you_mean(key, &keys) {
                        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                        None => d.with_hint("the labels are listed in docs/languages.md"),
                    };
                    self.errors.push(d);
                    continue;
                };
                let allowed = crate::lang::placeholders(original);
                if let Some(extra) = crate::lang::placeholders(text)
                    .into_iter()
                    .find(|p| !allowed.contains(p))
                {
                    let hint = if allowed.is_empty() {
                        "this label takes no placeholders".to_string()
                    } else {
                        format!(
                            "this label can use {}",
                            allowed
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    self.error(
                        &[k("labels"), k(key)],
                        format!("the label `{key}` has no placeholder `{{{extra}}}`"),
                        &hint,
                    );
                }
            }
        }
    }

    fn updated(&mut self, c: &Content) {
        if let Some(updated) = c.meta.as_ref().and_then(|m| m.updated.as_deref())
            && parse_date(updated).is_none()
        {
            let (problem, hint) = date_problem(updated);
            self.error(
                &[k("meta"), k("updated")],
                format!("`{updated}` is not a date: {problem}"),
                hint,
            );
        }
    }

    /// The sections that name an option name one that is declared.
    fn option_refs(&mut self, c: &Content, options: &[&str]) {
        if let Some(q) = &c.quick_take {
            for (i, b) in q.best_fit.iter().enumerate() {
                self.option_ref(
                    &[k("quick_take"), k("best_fit"), Seg::Index(i), k("option")],
                    &b.option,
                    options,
                );
            }
        }
        if let Some(h) = &c.how_to_choose {
            for (i, card) in h.cards.iter().enumerate() {
                self.option_ref(
                    &[k("how_to_choose"), k("cards"), Seg::Index(i), k("option")],
                    &card.option,
                    options,
                );
            }
        }
        if let Some(d) = &c.definitions {
            for (i, t) in d.terms.iter().enumerate() {
                self.option_ref(
                    &[k("definitions"), k("terms"), Seg::Index(i), k("option")],
                    &t.option,
                    options,
                );
            }
        }
    }

    fn urls(&mut self, c: &Content) {
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
                self.error(
                    &at,
                    format!("`{url}` is not a web address"),
                    "write a full address starting with https://, e.g. https://example.com/courses",
                );
            }
        }
    }

    /// Every factor has a value for every option, and lists name options.
    fn factors(&mut self, c: &Content, options: &[&str]) {
        if c.comparison.factors.is_empty() {
            self.error(
                &[k("comparison"), k("factors")],
                "the side-by-side table has no factors",
                "add at least one factor with a `name` and one value per option",
            );
        }
        for (i, f) in c.comparison.factors.iter().enumerate() {
            let at = path(&[k("comparison"), k("factors"), Seg::Index(i)]);
            self.text(&[at.clone(), vec![k("name")]].concat(), &f.name);
            let values = [at.clone(), vec![k("values")]].concat();
            for key in f.values.keys() {
                self.option_key(&values, key, options);
            }
            for o in options {
                if !f.values.contains_key(*o) {
                    self.error(
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
                    self.option_key(&[k(section), k("lists")], key, options);
                }
            }
        }
    }

    /// Courses and goals are declared once; a goal's course exists.
    fn courses_and_goals(&mut self, c: &Content, options: &[&str]) {
        let courses: Vec<&str> = c
            .course_fit
            .iter()
            .flat_map(|f| f.courses.iter().map(|c| c.id.as_str()))
            .collect();
        if let Some(f) = &c.course_fit {
            let mut seen = HashSet::new();
            for (i, course) in f.courses.iter().enumerate() {
                let at = path(&[k("course_fit"), k("courses"), Seg::Index(i)]);
                self.id(&[at.clone(), vec![k("id")]].concat(), &course.id);
                if !seen.insert(course.id.as_str()) {
                    self.error(
                        &[at.clone(), vec![k("id")]].concat(),
                        format!("course id `{}` is declared twice", course.id),
                        "give each course its own id",
                    );
                }
                if let Some(o) = &course.option {
                    self.option_ref(&[at, vec![k("option")]].concat(), o, options);
                }
            }
        }
        if let Some(m) = &c.career_mapping {
            let mut seen = HashSet::new();
            for (i, g) in m.goals.iter().enumerate() {
                let at = path(&[k("career_mapping"), k("goals"), Seg::Index(i)]);
                self.id(&[at.clone(), vec![k("id")]].concat(), &g.id);
                if !seen.insert(g.id.as_str()) {
                    self.error(
                        &[at.clone(), vec![k("id")]].concat(),
                        format!("goal id `{}` is declared twice", g.id),
                        "give each goal its own id",
                    );
                }
                self.option_ref(
                    &[at.clone(), vec![k("option")]].concat(),
                    &g.option,
                    options,
                );
                if let Some(course) = &g.course
                    && !courses.contains(&course.as_str())
                {
                    let mut d = self.file.error_at(
                        &[at, vec![k("course")]].concat(),
                        format!(
                            "goal `{}` refers to course `{course}`, which is not declared",
                            g.id
                        ),
                    );
                    d = match did_you_mean(course, &courses) {
                        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                        None => d.with_hint(
                            "declare the course under `course_fit.courses` with this id",
                        ),
                    };
                    self.errors.push(d);
                }
            }
        }
    }
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
            file.warning_at(at, message).with_hint(hint)
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
