//! `--event FILE`: the event a print run or a mail merge is for, shown on
//! the flyer and on the handout's cover.

use std::path::Path;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::content::parse_date;
use crate::diag::Diagnostic;
use crate::diag::{Seg, SourceFile};
use crate::error::Error;
use crate::recipients::is_email;

/// The event file as written.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventFile {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub venue: String,
    pub room: Option<String>,
    pub contact: Option<Contact>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// What layouts receive as `data.event`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub name: String,
    pub date: crate::locale::DateParts,
    pub venue: String,
    pub room: Option<String>,
    pub contact: Option<Contact>,
    pub note: Option<String>,
}

/// Reads and checks an event file, reporting every problem at its place.
pub fn load(path: &Path) -> Result<Event, Error> {
    let name = path.display().to_string();
    if let Some(problem) = crate::diag::unreadable_input(path, 1024 * 1024) {
        return Err(Error::Content(vec![
            Diagnostic::error(format!("cannot use this event file: {problem}"))
                .in_file(name.clone())
                .with_hint("give --event a YAML file of a few lines"),
        ]));
    }
    let text: Arc<str> = std::fs::read_to_string(path)
        .map_err(|e| {
            Error::Content(vec![
                Diagnostic::error(format!(
                    "cannot read event file: {}",
                    crate::diag::io_reason(&e, "file")
                ))
                .in_file(name.clone())
                .with_hint("check the path given to --event"),
            ])
        })?
        .trim_start_matches('\u{feff}')
        .into();
    let file = SourceFile::new(&name, &text);
    let value: serde_yaml::Value = serde_yaml::from_str(&text)
        .map_err(|e| Error::Content(vec![crate::diag::yaml_error(&file, &e)]))?;
    let e: EventFile = serde_path_to_error::deserialize(&value).map_err(|e| {
        Error::Content(vec![crate::diag::serde_error(
            &file,
            &e,
            "the README (\"Events\")",
        )])
    })?;
    let key = |k: &str| vec![Seg::Key(k.to_string())];
    let mut errors = Vec::new();
    for (field, value) in [("name", &e.name), ("venue", &e.venue)] {
        if value.trim().is_empty() {
            errors.push(
                file.error_at(&key(field), format!("`{field}` is empty"))
                    .with_hint("write it as it should print"),
            );
        }
    }
    // Year 0 and the like parse as dates, but no event is that old.
    let date = parse_date(&e.date).filter(|(year, ..)| (1000..=9999).contains(year));
    if date.is_none() {
        errors.push(
            file.error_at(&key("date"), format!("`{}` is not a date", e.date))
                .with_hint("write the date as YYYY-MM-DD, such as 2026-12-05"),
        );
    }
    if let Some(email) = e.contact.as_ref().and_then(|c| c.email.as_deref())
        && !is_email(email)
    {
        let at = vec![Seg::Key("contact".into()), Seg::Key("email".into())];
        errors.push(
            file.error_at(&at, format!("`{email}` is not an email address"))
                .with_hint("write it as name@example.org"),
        );
    }
    if !errors.is_empty() {
        return Err(Error::Content(errors));
    }
    let (year, month, day) = date.unwrap_or((1970, 1, 1));
    Ok(Event {
        name: e.name,
        date: crate::locale::DateParts { year, month, day },
        venue: e.venue,
        room: e.room,
        contact: e.contact,
        note: e.note,
    })
}
