//! Checking each row of a recipients file: names, addresses, goals, and
//! unique file names.

use std::collections::{BTreeMap, HashMap};

use super::{Recipient, Recipients, Row, Rules, SetAside, is_email, slug};
use crate::diag::{Diagnostic, Span, did_you_mean};

/// What the rows seen so far tell about the next one.
pub(super) struct Checker<'a> {
    rules: Rules<'a>,
    emails: HashMap<String, usize>,
    slugs: HashMap<String, usize>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(rules: Rules<'a>) -> Self {
        Self {
            rules,
            emails: HashMap::new(),
            slugs: HashMap::new(),
        }
    }

    /// Checks one row: it joins the rows, or is set aside with its problems.
    pub(super) fn row(&mut self, row: Row, out: &mut Recipients) {
        let mut problems = Vec::new();
        let mut recipient = Recipient {
            line: row.line,
            name: String::new(),
            email: None,
            goal: None,
            fields: BTreeMap::new(),
            slug: String::new(),
        };
        let mut has_name = false;
        for (column, value, span) in row.cells {
            match column.as_str() {
                "name" => {
                    has_name = true;
                    self.name(&value, &span, &mut problems, out);
                    recipient.name = value.trim().to_string();
                }
                "email" if !value.trim().is_empty() => {
                    let email = value.trim();
                    self.email(email, row.line, &span, &mut problems);
                    recipient.email = Some(email.to_string());
                }
                "goal" if !value.trim().is_empty() => {
                    let goal = value.trim();
                    self.goal(goal, &span, &mut problems);
                    recipient.goal = Some(goal.to_string());
                }
                "email" | "goal" => {}
                _ => {
                    recipient.fields.insert(column, value);
                }
            }
        }
        if !has_name {
            problems.push(at(&row.span, "the row has no name", "add a `name` column"));
        }
        if self.rules.require_email && recipient.email.is_none() {
            problems.push(at(
                &row.span,
                format!("{} has no email address", if recipient.name.is_empty() { "the row" } else { &recipient.name }),
                "--eml writes an email to every person: add the address, or remove the row (--keep-going sets it aside)",
            ));
        }
        if problems.is_empty() {
            recipient.slug = self.unique_slug(&recipient.name, row.line);
            out.rows.push(recipient);
        } else {
            out.set_aside.push(SetAside {
                line: row.line,
                name: recipient.name,
                errors: problems,
            });
        }
    }

    /// A file name part for the person, unique in the file: the name's
    /// slug, else with the row's line, else with a count as well, so that
    /// `Jose`, `Jose` and `Jose 3` never share a file.
    fn unique_slug(&mut self, name: &str, line: usize) -> String {
        let base = slug(name);
        let mut candidate = base.clone();
        let mut n = 1;
        while self.slugs.contains_key(&candidate) {
            candidate = match n {
                1 => format!("{base}-{line}"),
                _ => format!("{base}-{line}-{n}"),
            };
            n += 1;
        }
        self.slugs.insert(candidate.clone(), line);
        candidate
    }

    fn name(&self, value: &str, span: &Span, problems: &mut Vec<Diagnostic>, out: &mut Recipients) {
        if value.trim().is_empty() {
            problems.push(at(
                span,
                "the name is empty",
                "every row needs the person's name",
            ));
        } else if value.contains(['\r', '\n']) {
            problems.push(at(
                span,
                "the name holds a line break",
                "write the name on one line",
            ));
        }
        if let Some(missing) = self.rules.coverage.missing(value) {
            out.warnings.push(
                Diagnostic::warning(missing.message)
                    .with_span(span.clone())
                    .with_hint(missing.hint),
            );
        }
    }

    fn email(&mut self, email: &str, line: usize, span: &Span, problems: &mut Vec<Diagnostic>) {
        if email.contains(['\r', '\n']) {
            problems.push(at(
                span,
                "the email address holds a line break",
                "an address is one line; a line break could add mail headers",
            ));
        } else if !is_email(email)
            || (self.rules.require_email && email.parse::<lettre::Address>().is_err())
        {
            problems.push(at(
                span,
                format!("`{email}` is not an email address"),
                "write it as name@example.org",
            ));
        } else if self.rules.require_email
            && !self.rules.smtputf8
            && email
                .rsplit_once('@')
                .is_some_and(|(local, _)| !local.is_ascii())
        {
            problems.push(at(
                span,
                format!("`{email}` has non-ASCII letters before the @, which only a mail server with SMTPUTF8 accepts"),
                "give --smtputf8 if your mail server offers SMTPUTF8 (`send` defers this address on one that does not), or use the person's ASCII address",
            ));
        } else if let Some(first) = self.emails.insert(email.to_lowercase(), line) {
            problems.push(at(
                span,
                format!("`{email}` is also on line {first}"),
                "each person once: remove the repeated row",
            ));
        }
    }

    fn goal(&self, goal: &str, span: &Span, problems: &mut Vec<Diagnostic>) {
        let goals = self.rules.goals;
        if goals.contains(&goal) {
            return;
        }
        let hint = match did_you_mean(goal, goals) {
            Some(best) => format!("did you mean `{best}`?"),
            None if goals.is_empty() => "the content declares no goals; leave `goal` empty".into(),
            None => format!(
                "the goals are: {}; leave it empty for the generic handout",
                goals.join(", ")
            ),
        };
        problems.push(at(span, format!("there is no goal `{goal}`"), &hint));
    }
}

fn at(span: &Span, message: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic::error(message)
        .with_span(span.clone())
        .with_hint(hint)
}
