//! One draft: an RFC 5322 message with a text body, an HTML alternative
//! showing page 1, and the PDF attached. lettre writes the MIME and encodes
//! every header, so no value can add a header or a recipient.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};

use super::address::sendable;
use super::unsubscribe::URL_PLACEHOLDER;
use super::{Drafts, message_id};
use crate::content::{Content, Goal};
use crate::diag::Diagnostic;
use crate::event::Event;
use crate::recipients::Recipient;

/// The inline picture's Content-ID, as `cid:` URLs name it.
const THUMBNAIL_CID: &str = "page-1@handout";

/// What one draft is made of besides the templates.
pub struct Parts<'a> {
    pub content: &'a Content,
    pub goal: Option<&'a Goal>,
    pub recipient: &'a Recipient,
    pub event: Option<&'a Event>,
    pub pdf: &'a [u8],
    /// The attachment's file name.
    pub pdf_name: &'a str,
    /// Page 1 as a JPEG.
    pub preview: &'a [u8],
    /// The words of the content's language.
    pub catalog: &'a crate::lang::Catalog,
    /// The brand's colours and logo, or the handout's.
    pub look: &'a super::body::Look,
}

/// The placeholders' values for one recipient.
pub fn values<'a>(p: &'a Parts) -> BTreeMap<&'a str, String> {
    let c = p.content;
    let course = p
        .goal
        .and_then(|g| g.course.as_deref())
        .and_then(|id| {
            c.course_fit
                .iter()
                .flat_map(|f| &f.courses)
                .find(|k| k.id == id)
        })
        .map(|k| k.name.clone())
        .unwrap_or_default();
    let mut v: BTreeMap<&str, String> = p
        .recipient
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    v.insert("name", p.recipient.name.clone());
    v.insert("email", p.recipient.email.clone().unwrap_or_default());
    v.insert("goal", p.goal.map(|g| g.goal.clone()).unwrap_or_default());
    v.insert("title", c.title.clone());
    v.insert("course", course);
    v.insert(
        "organisation",
        c.organisation
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_default(),
    );
    if let Some(e) = p.event {
        v.insert("event.name", e.name.clone());
        v.insert(
            "event.date",
            p.catalog.date(e.date.year, e.date.month, e.date.day),
        );
    }
    v
}

/// The `<img>` of page 1, linked by Content-ID.
fn thumbnail_tag(title: &str) -> String {
    format!(
        "<img src=\"cid:{THUMBNAIL_CID}\" width=\"300\" alt=\"Page 1 of {}\" style=\"border:1px solid #d0d4d9;max-width:100%;height:auto\">",
        html_escape::encode_double_quoted_attribute(title)
    )
}

/// A draft: the message, and its HTML body, which the review sheet shows
/// as a page of its own.
pub struct Draft {
    pub eml: Vec<u8>,
    /// Its pictures named by Content-ID; [`as_page`] makes it a page.
    pub html: String,
}

/// The draft's bytes and its HTML body.
pub fn build(d: &Drafts, p: &Parts, date: SystemTime) -> Result<Draft, Diagnostic> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Diagnostic::error(format!("cannot write the email draft: {what}: {e}"))
            .with_hint("check --from and the recipient's address")
    };
    let address = p.recipient.email.as_deref().unwrap_or_default();
    // Domains go out in IDNA form, which every server and client reads; a
    // non-ASCII local part stays as it is (SMTPUTF8, checked at `send`).
    let to = Mailbox::new(
        Some(p.recipient.name.clone()),
        sendable(address)
            .parse()
            .map_err(|e| fail("recipient", &e))?,
    );
    let from: Mailbox = d.from.parse().map_err(|e| fail("sender", &e))?;
    let from = Mailbox::new(
        from.name,
        sendable(from.email.as_ref())
            .parse()
            .map_err(|e| fail("sender", &e))?,
    );
    let id = message_id(d.campaign(p.content), &p.content.id, address, &from);
    let Bodies {
        subject,
        text,
        html,
        inline,
    } = bodies(
        d,
        p,
        address,
        (!p.preview.is_empty())
            .then_some(&format!("cid:{THUMBNAIL_CID}"))
            .map(String::as_str),
    );

    // Boundaries come from the Message-ID, so the same draft has the same
    // bytes; none can occur in base64 or in these bodies by chance.
    let seed = format!("{:x}", Sha256::digest(id.as_bytes()));
    let boundary = |kind: &str| format!("handout-{kind}-{}", &seed[..24]);
    let alternative = alternative(d, p, (text, html.clone()), inline, &boundary);
    let mixed = MultiPart::mixed()
        .boundary(boundary("mix"))
        .multipart(alternative)
        .singlepart(Attachment::new(p.pdf_name.to_string()).body(
            p.pdf.to_vec(),
            ContentType::parse("application/pdf").unwrap(),
        ));
    let mut builder = Message::builder().from(from).to(to);
    if let Some(u) = &d.unsubscribe {
        builder = builder.raw_header(raw("List-Unsubscribe", u.header(address)));
        if u.one_click() {
            builder = builder.raw_header(raw(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            ));
        }
    }
    // Text that looks like an encoded word (`=?utf-8?b?…?=`), say from a
    // name, would be decoded by mail clients if it went out as it is: the
    // whole subject is then encoded, so it reads exactly as written.
    let builder = if subject.contains("=?") {
        builder.raw_header(encoded_subject(&subject))
    } else {
        builder.subject(subject)
    };
    let message = builder
        .date(date)
        .message_id(Some(id))
        .multipart(mixed)
        .map_err(|e| fail("message", &e))?;
    Ok(Draft {
        eml: message.formatted(),
        html,
    })
}

/// The text and the HTML, with the HTML's pictures (the logo and page 1)
/// beside it when it shows them.
fn alternative(
    d: &Drafts,
    p: &Parts,
    (text, html): (String, String),
    inline: bool,
    boundary: &dyn Fn(&str) -> String,
) -> MultiPart {
    let html_part = SinglePart::html(html);
    let alternative = MultiPart::alternative()
        .boundary(boundary("alt"))
        .singlepart(SinglePart::plain(text));
    let logo = p
        .look
        .logo
        .as_ref()
        .filter(|_| d.html.is_none() && d.body.is_none());
    if !inline && logo.is_none() {
        return alternative.singlepart(html_part);
    }
    let mut related = MultiPart::related()
        .boundary(boundary("rel"))
        .singlepart(html_part);
    if let Some((png, _)) = logo {
        related = related.singlepart(
            Attachment::new_inline(super::body::LOGO_CID.into())
                .body(png.clone(), ContentType::parse("image/png").unwrap()),
        );
    }
    if inline {
        related = related.singlepart(Attachment::new_inline(THUMBNAIL_CID.into()).body(
            p.preview.to_vec(),
            ContentType::parse("image/jpeg").unwrap(),
        ));
    }
    alternative.multipart(related)
}

/// A subject is one line, whatever a recipients column holds.
fn one_line(s: &str) -> String {
    s.replace(|c: char| c.is_control(), " ")
}

/// The placeholders' values with the unsubscribe link, and the link.
fn with_link<'a>(
    mut v: BTreeMap<&'a str, String>,
    d: &Drafts,
    address: &str,
) -> (BTreeMap<&'a str, String>, Option<String>) {
    let link = d.unsubscribe.as_ref().map(|u| {
        u.url_for(address).unwrap_or_else(|| {
            format!(
                "mailto:{}?subject=unsubscribe",
                u.mailto.as_deref().unwrap_or_default()
            )
        })
    });
    if let Some(link) = &link {
        v.insert(URL_PLACEHOLDER, link.clone());
    }
    (v, link)
}

/// The subject of one recipient's draft, as `build` writes it: the
/// user's, or the catalog's in the content's language.
pub fn subject(d: &Drafts, p: &Parts) -> String {
    let address = p.recipient.email.as_deref().unwrap_or_default();
    match &d.subject {
        Some(t) => t.fill(&with_link(values(p), d, address).0, one_line),
        None => one_line(&super::body::fill(
            p.catalog.email("subject"),
            &[("title", &p.content.title)],
        )),
    }
}

/// The HTML body of one draft as a page a browser opens, with page 1's
/// picture at `picture` (a file beside it, or an address) instead of in
/// the message.
pub fn html_page(d: &Drafts, p: &Parts, picture: Option<&str>) -> String {
    let address = p.recipient.email.as_deref().unwrap_or_default();
    as_page(&bodies(d, p, address, picture).html, p.look, picture)
}

/// A message's HTML body as a page: page 1 at `picture`, and the logo
/// carried in the page itself, which has no message around it.
pub fn as_page(html: &str, look: &super::body::Look, picture: Option<&str>) -> String {
    let mut html = html.to_string();
    if let Some(file) = picture {
        html = html.replace(&format!("cid:{THUMBNAIL_CID}"), file);
    }
    match &look.logo {
        Some((png, _)) => {
            use base64::Engine;
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            html.replace(
                &format!("cid:{}", super::body::LOGO_CID),
                &format!("data:image/png;base64,{data}"),
            )
        }
        None => html,
    }
}

/// The text body of one draft, as the review sheet shows it.
pub fn text_body(d: &Drafts, p: &Parts) -> String {
    let address = p.recipient.email.as_deref().unwrap_or_default();
    bodies(d, p, address, None).text
}

/// A draft's subject and bodies.
struct Bodies {
    subject: String,
    text: String,
    html: String,
    /// Whether the HTML shows page 1, attached inline.
    inline: bool,
}

/// Fills the user's templates for one recipient, or writes the built-in
/// body, and adds the unsubscribe line where the templates do not place it
/// themselves.
fn bodies(d: &Drafts, p: &Parts, address: &str, picture: Option<&str>) -> Bodies {
    let plain = |s: &str| s.to_string();
    let unsubscribe = d.unsubscribe.as_ref();
    let (v, link) = with_link(values(p), d, address);
    let subject = subject(d, p);
    // A template that places the link itself gets no second one.
    let placed =
        |t: &Option<super::template::Template>| t.as_ref().is_some_and(|t| t.uses(URL_PLACEHOLDER));
    let postal = postal_line(p.content);
    let facts = super::body::Facts::new(&super::body::Inputs {
        content: p.content,
        goal: p.goal,
        recipient: p.recipient,
        event: p.event,
        catalog: p.catalog,
        pdf_name: p.pdf_name,
        picture,
        unsubscribe: link.as_deref(),
        postal: postal.clone(),
        subject: subject.clone(),
    });
    let written = d.body.as_ref().map(|t| t.fill(&v, plain));
    let text = match &written {
        Some(text) => {
            let lines: Vec<String> = unsubscribe
                .filter(|_| !placed(&d.body))
                .map(|u| u.line(address))
                .into_iter()
                .chain(postal.clone())
                .collect();
            if lines.is_empty() {
                text.clone()
            } else {
                format!("{}\n\n-- \n{}\n", text.trim_end(), lines.join("\n"))
            }
        }
        None => facts.text(),
    };
    let (html, inline) = match &d.html {
        Some(t) => {
            let mut v = v.clone();
            for value in v.values_mut() {
                *value = html_escape::encode_text(value).into_owned();
            }
            v.insert(super::template::THUMBNAIL, thumbnail_tag(&p.content.title));
            // Values were escaped above; the thumbnail tag is ours.
            let footer = super::body::plain::html_footer(
                link.as_deref().filter(|_| !placed(&d.html)),
                postal.as_deref(),
            );
            (
                super::body::plain::with_footer(&t.fill(&v, plain), &footer),
                t.uses(super::template::THUMBNAIL),
            )
        }
        // The user's text, in HTML too.
        None if written.is_some() => {
            let footer = super::body::plain::html_footer(
                link.as_deref().filter(|_| !placed(&d.body)),
                postal.as_deref(),
            );
            let tag = picture
                .map(|_| thumbnail_tag(&p.content.title))
                .unwrap_or_default();
            let page = super::body::plain::text_page(
                &facts.lang,
                &subject,
                written.as_deref().unwrap_or_default(),
                &tag,
                &footer,
            );
            (page, picture.is_some())
        }
        None => (super::body::html(&facts, p.look), picture.is_some()),
    };
    Bodies {
        subject,
        text,
        html,
        inline,
    }
}

/// A header of ASCII text that lettre has no type for.
fn raw(name: &'static str, value: String) -> lettre::message::header::HeaderValue {
    use lettre::message::header::{HeaderName, HeaderValue};
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// The organisation's name and postal address, on one line, when the
/// content gives the address: anti-spam laws ask for it in every message.
fn postal_line(content: &Content) -> Option<String> {
    let o = content.organisation.as_ref()?;
    let address: Vec<&str> = o
        .address
        .as_deref()?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    Some(format!("{}, {}", o.name, address.join(", ")))
}

/// A Subject header with `subject` as RFC 2047 base64 encoded words, folded
/// so that no line runs past 78 characters.
fn encoded_subject(subject: &str) -> lettre::message::header::HeaderValue {
    use base64::Engine;
    use lettre::message::header::{HeaderName, HeaderValue};
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in subject.chars() {
        // 45 bytes make 60 base64 characters: a word of 72 with its frame.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    let encoded: Vec<String> = words
        .iter()
        .map(|w| {
            format!(
                "=?utf-8?b?{}?=",
                base64::engine::general_purpose::STANDARD.encode(w)
            )
        })
        .collect();
    HeaderValue::dangerous_new_pre_encoded(
        HeaderName::new_from_ascii_str("Subject"),
        subject.to_string(),
        encoded.join("\r\n "),
    )
}

/// The draft's Date: the document's date, so that the same build gives the
/// same bytes. `handout send` replaces it with the sending time.
pub fn draft_date(content: &Content) -> SystemTime {
    let secs = crate::render::document_date(content)
        .and_then(|d| {
            let date = time::Date::from_calendar_date(
                d.year()?,
                time::Month::try_from(d.month()?).ok()?,
                d.day()?,
            )
            .ok()?;
            Some(date.midnight().assume_utc().unix_timestamp())
        })
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}
