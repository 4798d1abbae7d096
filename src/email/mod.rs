//! Email drafts for a mail merge, and sending them from a log so that no
//! one is emailed twice.
//!
//! `build --eml` writes one draft per recipient beside its PDF and lists
//! them in `outbox.jsonl`. `handout send` sends what the outbox lists and
//! appends each accepted message to `sent.jsonl` before the next; a
//! Message-ID already in that log is never sent again.

pub mod address;
pub mod body;
pub mod draft;
pub mod review;
pub mod send;
pub mod suppress;
pub mod template;
pub mod unsubscribe;

use std::path::Path;
use std::sync::Arc;

use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::content::Content;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::output::sanitize;
use template::{FIXED, Source, THUMBNAIL, Template};
use unsubscribe::Unsubscribe;

/// The list of drafts a build made, in `--out-dir`.
pub const OUTBOX: &str = "outbox.jsonl";
/// The messages a server accepted or refused, in `--out-dir`.
pub const SENT_LOG: &str = "sent.jsonl";

/// How each recipient's draft is written; shared by every worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drafts {
    /// The sender as given to `--from`, checked.
    pub from: String,
    /// `None`: the catalog's subject in the content's language.
    pub subject: Option<Template>,
    /// `None`: the built-in body.
    pub body: Option<Template>,
    /// `None`: HTML made from the text body.
    pub html: Option<Template>,
    /// `None`: each content file's id.
    pub campaign: Option<String>,
    /// `None`: no unsubscribe (a warning, unless transactional).
    pub unsubscribe: Option<Unsubscribe>,
}

impl Drafts {
    pub fn campaign<'a>(&'a self, content: &'a Content) -> &'a str {
        self.campaign.as_deref().unwrap_or(&content.id)
    }
}

/// What `build --eml` was given.
#[derive(Debug, Clone, Default)]
pub struct DraftArgs {
    pub from: String,
    pub subject: Option<String>,
    pub body: Option<std::path::PathBuf>,
    pub html_body: Option<std::path::PathBuf>,
    pub campaign: Option<String>,
    pub unsubscribe: Option<String>,
    pub unsubscribe_mailto: Option<String>,
    pub transactional: bool,
    pub suppress: Option<std::path::PathBuf>,
    /// Addresses with a non-ASCII local part are allowed (SMTPUTF8).
    pub smtputf8: bool,
}

/// The subject when none is given.
pub const DEFAULT_SUBJECT: &str = "{title}: your personal handout";

impl DraftArgs {
    /// Reads and checks the templates against the placeholders there will
    /// be values for; reports every problem at once.
    pub fn load(&self, columns: &[&str], event: bool) -> Result<Drafts, Error> {
        let mut errors = Vec::new();
        if let Err(e) = self.from.parse::<Mailbox>() {
            errors.push(
                Diagnostic::error(format!("`{}` is not a sender address: {e}", self.from))
                    .with_hint("write --from as admissions@example.org, or as \"Name <admissions@example.org>\""),
            );
        }
        let mut known: Vec<&str> = FIXED
            .iter()
            .copied()
            .filter(|k| event || !k.starts_with("event."))
            .collect();
        known.extend(columns);
        let unsubscribe = Unsubscribe::new(
            self.unsubscribe.as_deref(),
            self.unsubscribe_mailto.as_deref(),
            std::env::var(unsubscribe::SECRET_VAR).ok(),
        )
        .unwrap_or_else(|e| {
            errors.extend(e);
            None
        });
        if unsubscribe.is_some() {
            known.push(unsubscribe::URL_PLACEHOLDER);
        }
        let subject_text: Arc<str> = self.subject.as_deref().unwrap_or(DEFAULT_SUBJECT).into();
        if subject_text.contains(['\r', '\n']) {
            errors.push(
                Diagnostic::error("the subject holds a line break")
                    .in_file("--subject")
                    .with_hint("a subject is one line"),
            );
        }
        let subject = parse("--subject", subject_text, &known, event, &mut errors);
        let body = match &self.body {
            Some(path) => {
                let text = read(path, "--body")?;
                parse(
                    &path.display().to_string(),
                    text,
                    &known,
                    event,
                    &mut errors,
                )
            }
            None => None,
        };
        let mut html_known = known.clone();
        html_known.push(THUMBNAIL);
        let html = match &self.html_body {
            Some(path) => {
                let text = read(path, "--html-body")?;
                parse(
                    &path.display().to_string(),
                    text,
                    &html_known,
                    event,
                    &mut errors,
                )
            }
            None => None,
        };
        errors.extend(shadowed_columns(
            columns,
            [
                (
                    "--subject",
                    subject.as_ref().filter(|_| self.subject.is_some()),
                ),
                ("--body", body.as_ref()),
                ("--html-body", html.as_ref()),
            ],
        ));
        if let Some(c) = &self.campaign
            && (c.trim().is_empty() || c.chars().any(char::is_control))
        {
            errors.push(
                Diagnostic::error("the campaign name is empty or holds control characters")
                    .with_hint("name it in words, e.g. --campaign open-day-2026"),
            );
        }
        if !errors.is_empty() {
            return Err(Error::Content(errors));
        }
        Ok(Drafts {
            from: self.from.clone(),
            subject: subject.filter(|_| self.subject.is_some()),
            body,
            html,
            campaign: self.campaign.clone(),
            unsubscribe,
        })
    }

    /// What a campaign lacks that the law and mailbox providers ask for.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if self.unsubscribe.is_none() && self.unsubscribe_mailto.is_none() && !self.transactional {
            out.push(
                Diagnostic::warning("the drafts have no way to unsubscribe")
                    .with_hint("marketing email needs one in most countries, and Gmail and Outlook refuse bulk mail without one-click unsubscribe (RFC 8058): give --unsubscribe URL or --unsubscribe-mailto ADDRESS, or --transactional if each message answers the person's own request"),
            );
        }
        out
    }
}

/// Columns named like a built-in placeholder are hidden by it: a template
/// of the user's that uses the name would silently print the built-in
/// value.
fn shadowed_columns(columns: &[&str], mine: [(&str, Option<&Template>); 3]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for column in columns.iter().filter(|c| FIXED.contains(c)) {
        if let Some((option, _)) = mine.iter().find(|(_, t)| t.is_some_and(|t| t.uses(column))) {
            errors.push(
                Diagnostic::error(format!(
                    "the recipients file has a column `{column}`, but {{{column}}} in {option} is the built-in `{column}`"
                ))
                .with_hint(format!(
                    "rename the column (e.g. `my_{column}`) and write {{my_{column}}}; the built-in placeholders always win"
                )),
            );
        }
    }
    errors
}

/// A template, or its problems added to `errors`.
fn parse(
    name: &str,
    text: Arc<str>,
    known: &[&str],
    event: bool,
    errors: &mut Vec<Diagnostic>,
) -> Option<Template> {
    match Template::parse(&Source { name, text: &text }, known) {
        Ok(t) => Some(t),
        Err(mut e) => {
            for d in e
                .iter_mut()
                .filter(|d| !event && d.message.contains("{event."))
            {
                d.hints = vec!["give --event FILE to use the event's name and date".into()];
            }
            errors.extend(e);
            None
        }
    }
}

fn read(path: &Path, option: &str) -> Result<Arc<str>, Error> {
    if let Some(problem) = crate::diag::unreadable_input(path, 1024 * 1024) {
        return Err(Error::Content(vec![
            Diagnostic::error(format!("cannot use this template: {problem}"))
                .in_file(path.display().to_string())
                .with_hint(format!("give {option} a text file")),
        ]));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Content(vec![
            Diagnostic::error(format!(
                "cannot read template: {}",
                crate::diag::io_reason(&e, "file")
            ))
            .in_file(path.display().to_string())
            .with_hint(format!("check the path given to {option}")),
        ])
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Content(vec![
            Diagnostic::error("the template is not valid UTF-8")
                .in_file(path.display().to_string())
                .with_hint("save it as UTF-8"),
        ])
    })?;
    Ok(text
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .into())
}

/// A Message-ID that depends only on the campaign, the content id and the
/// recipient's address: rebuilding or editing the text keeps it, so the
/// send log still knows who was emailed; a new campaign changes it. The
/// sender's domain is only its right-hand side, which the log ignores
/// (`log_key`).
pub fn message_id(campaign: &str, content_id: &str, address: &str, from: &Mailbox) -> String {
    let mut hash = Sha256::new();
    for part in [campaign, content_id, &address::hash_form(address)] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let hex = format!("{:x}", hash.finalize());
    format!(
        "<{}.{}@{}>",
        sanitize(campaign),
        &hex[..32],
        address::ascii_domain(from.email.domain())
    )
}

/// What the send log knows a message by: its Message-ID's left-hand side,
/// `<campaign>.<hash of campaign, content id and address>`. The sender's
/// domain on the right is left out, so a school that moves to another
/// sending domain does not email anyone twice. Every version has built the
/// left-hand side this way, so log lines written by earlier ones map by
/// the same rule.
pub fn log_key(message_id: &str) -> &str {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    id.rsplit_once('@').map_or(id, |(left, _)| left)
}

/// One line of `outbox.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The draft, relative to the outbox's folder.
    pub file: String,
    pub message_id: String,
    /// The recipient's address: the only one the message is sent to.
    pub recipient: String,
    /// The envelope sender.
    pub from: String,
    pub campaign: String,
    /// The draft's sha256 as built: `send` refuses a draft changed since.
    /// Absent in outboxes of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Writes the outbox atomically, one JSON object per line.
/// `shard`, as `K/N`, names the outbox of one part of a build split with
/// `--shard`, so that the parts built into one folder keep every draft.
pub fn write_outbox(
    dir: &Path,
    shard: Option<(usize, usize)>,
    entries: &[OutboxEntry],
) -> Result<(), Diagnostic> {
    let mut text = String::new();
    for e in entries {
        // Plain strings always serialise.
        text.push_str(&serde_json::to_string(e).unwrap_or_default());
        text.push('\n');
    }
    let name = match shard {
        Some((k, n)) => format!("outbox.{k}-of-{n}.jsonl"),
        None => OUTBOX.to_string(),
    };
    crate::output::write_atomic(&dir.join(name), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_ignore_case_and_follow_the_campaign() {
        let from: Mailbox = "School <hello@school.example>".parse().unwrap();
        let a = message_id("spring", "x-vs-y", "Ana@Example.org", &from);
        assert_eq!(a, message_id("spring", "x-vs-y", "ana@example.org", &from));
        assert_ne!(a, message_id("autumn", "x-vs-y", "ana@example.org", &from));
        assert!(a.starts_with("<spring.") && a.ends_with("@school.example>"));
        // How the sender's domain is typed changes nothing.
        let upper: Mailbox = "School <hello@School.EXAMPLE>".parse().unwrap();
        assert_eq!(a, message_id("spring", "x-vs-y", "ana@example.org", &upper));
        // A non-ASCII domain gives an ASCII ID.
        let idn: Mailbox = "admissions@école.example".parse().unwrap();
        let id = message_id("spring", "x-vs-y", "ana@example.org", &idn);
        assert!(
            id.is_ascii() && id.ends_with("@xn--cole-9oa.example>"),
            "{id}"
        );
        // The log matches on the left-hand side only.
        let moved: Mailbox = "School <hello@mail.school.example>".parse().unwrap();
        let other = message_id("spring", "x-vs-y", "ana@example.org", &moved);
        assert_ne!(a, other);
        assert_eq!(log_key(&a), log_key(&other));
        assert!(log_key(&a).starts_with("spring.") && !log_key(&a).contains('@'));
    }
}
