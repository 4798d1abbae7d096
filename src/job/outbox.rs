//! What `build --eml` writes beside the drafts: the outbox that `send`
//! reads, and the review sheet a person reads first.

use std::path::Path;

use crate::batch::{self, Done, Work, Written};
use crate::diag::Diagnostic;
use crate::email::review::{self, Left, Row};
use crate::email::{Drafts, OutboxEntry, draft};
use crate::recipients::{SetAside, Suppressed};

/// The documents that were written, in plan order.
fn written(done: &[Done]) -> Vec<(usize, &Written)> {
    let mut out: Vec<(usize, &Written)> = done
        .iter()
        .filter_map(|d| Some((d.planned, d.result.as_ref().ok()?)))
        .collect();
    out.sort_unstable_by_key(|(i, _)| *i);
    out
}

/// The drafts that were written, in plan order, for `handout send`.
pub fn entries(work: &Work, drafts: &Drafts, done: &[Done]) -> Vec<OutboxEntry> {
    // Checked when the templates were read.
    let Ok(sender) = drafts.from.parse::<lettre::message::Mailbox>() else {
        return Vec::new();
    };
    let from = sender.email.to_string();
    written(done)
        .into_iter()
        .filter_map(|(i, w)| {
            let sha256 = w.draft_sha256.clone();
            let doc = &work.docs[i];
            let person = doc.recipient.as_ref()?;
            let address = person.email.as_deref()?;
            let content = &work.contents[doc.content].content;
            let campaign = drafts.campaign(content);
            Some(OutboxEntry {
                file: batch::file_path(&doc.stem, "", "eml")
                    .file_name()?
                    .to_string_lossy()
                    .into_owned(),
                message_id: crate::email::message_id(campaign, &content.id, address, &sender),
                recipient: crate::email::address::sendable(address),
                from: from.clone(),
                campaign: campaign.to_string(),
                sha256,
            })
        })
        .collect()
}

/// The recipients who get no draft, and why.
pub fn left(set_aside: &[SetAside], suppressed: &[Suppressed]) -> Vec<Left> {
    let mut out: Vec<Left> = set_aside
        .iter()
        .map(|s| Left {
            line: s.line,
            name: s.name.clone(),
            reason: s
                .errors
                .first()
                .map_or_else(|| "set aside".into(), |d| d.message.clone()),
        })
        .chain(suppressed.iter().map(|s| Left {
            line: s.line,
            name: s.name.clone(),
            reason: format!("{} is on the suppression list", s.email),
        }))
        .collect();
    out.sort_by_key(|l| l.line);
    out
}

/// Writes `outbox.html` (`outbox.K-of-N.html` for a shard): a row per
/// written draft, in plan order.
pub fn write_review(
    dir: &Path,
    shard: Option<(usize, usize)>,
    work: &Work,
    drafts: &Drafts,
    done: &[Done],
    left: &[Left],
) -> Result<(), Diagnostic> {
    let name = |path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let rows: Vec<Row> = written(done)
        .into_iter()
        .filter_map(|(i, _)| {
            let doc = &work.docs[i];
            let person = doc.recipient.as_ref()?;
            let content = &work.contents[doc.content].content;
            let catalog = work
                .env
                .catalogs()
                .get(&crate::content::language_of(content));
            let parts = draft::Parts {
                content,
                goal: doc.goal.as_deref().and_then(|id| content.goal(id)),
                recipient: person,
                event: work.settings.event.as_ref(),
                pdf: &[],
                pdf_name: "",
                preview: &[],
                catalog,
                look: &crate::email::body::Look::default(),
            };
            let picture = batch::file_path(&doc.stem, crate::render::PREVIEW, "jpg");
            Some(Row {
                name: person.name.clone(),
                address: person.email.clone()?,
                subject: draft::subject(drafts, &parts),
                body: draft::text_body(drafts, &parts),
                pdf: name(&doc.output),
                eml: name(&batch::file_path(&doc.stem, "", "eml")),
                html: name(&batch::file_path(&doc.stem, "", "html")),
                picture: picture.exists().then(|| name(&picture)),
            })
        })
        .collect();
    let title = work
        .contents
        .first()
        .map(|c| format!("Email drafts: {}", c.content.title))
        .unwrap_or_else(|| "Email drafts".into());
    let file = match shard {
        Some((k, n)) => format!("outbox.{k}-of-{n}.html"),
        None => "outbox.html".into(),
    };
    crate::output::write_atomic(
        &dir.join(file),
        review::html(&title, &rows, left).as_bytes(),
    )
}
