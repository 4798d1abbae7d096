//! The built-in message body: what it says, in the reader's language
//! ([`Facts`]), then the same facts as plain text and as HTML made for
//! mail clients (`html.rs`, from an MJML layout), in the brand's look
//! (`look.rs`).

mod html;
mod look;
pub mod plain;

pub use html::html;
pub use look::{LOGO_CID, Look};

use crate::content::{Content, Goal, resolve_urls};
use crate::event::Event;
use crate::lang::Catalog;
use crate::recipients::Recipient;

/// Everything one body says, every fixed word already in the reader's
/// language, no value escaped yet.
pub struct Facts {
    pub lang: String,
    pub rtl: bool,
    pub subject: String,
    /// The line inboxes show beside the subject.
    pub preheader: String,
    pub organisation: String,
    pub prepared_for: String,
    pub title: String,
    /// The greeting and what the message is.
    pub intro: String,
    /// For a reader with a goal: their goal, the recommendation and why.
    pub goal: Option<GoalFacts>,
    /// For the generic handout: the short answer.
    pub short_answer: Option<(String, String)>,
    /// The button: its words and address.
    pub button: Option<(String, String)>,
    pub event: Option<EventFacts>,
    /// The picture of page 1: its address in the HTML and its alt text.
    pub picture: Option<(String, String)>,
    pub attachment: String,
    pub sign_off: String,
    pub team: String,
    /// The unsubscribe sentence around its link, and the address.
    pub unsubscribe: Option<Unsubscribe>,
    pub postal: Option<String>,
}

pub struct GoalFacts {
    pub label: String,
    pub goal: String,
    pub recommended: String,
    pub why: Option<String>,
}

pub struct EventFacts {
    pub label: String,
    pub name: String,
    pub date: String,
    pub place: String,
}

pub struct Unsubscribe {
    /// The sentence before and after the link's words.
    pub before: String,
    pub link_text: String,
    pub after: String,
    pub url: String,
    /// The plain-text sentence, with the address.
    pub text: String,
}

/// What a body is made from.
pub struct Inputs<'a> {
    pub content: &'a Content,
    pub goal: Option<&'a Goal>,
    pub recipient: &'a Recipient,
    pub event: Option<&'a Event>,
    pub catalog: &'a Catalog,
    pub pdf_name: &'a str,
    /// Where the HTML finds page 1's picture (`cid:` in a message, a file
    /// name beside a preview); none without a picture.
    pub picture: Option<&'a str>,
    pub unsubscribe: Option<&'a str>,
    pub postal: Option<String>,
    pub subject: String,
}

/// `{key}` in `text` replaced by each value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

impl Facts {
    pub fn new(i: &Inputs) -> Self {
        let c = i.content;
        let cat = i.catalog;
        let lang = crate::content::language_of(c);
        let label = |key: &str| cat.label(key).unwrap_or_default().to_string();
        let title = c.title.as_str();
        let option_name = |id: &str| {
            c.options
                .iter()
                .find(|o| o.id == id)
                .map_or(id.to_string(), |o| o.name.clone())
        };
        let goal = i.goal.map(|g| GoalFacts {
            label: label("your_goal"),
            goal: g.goal.clone(),
            recommended: fill(
                &label("recommended_option"),
                &[("option", &option_name(&g.option))],
            ),
            why: g.advice.as_deref().map(first_sentence),
        });
        let short_answer = match i.goal {
            None => c.quick_take.as_ref().and_then(|q| {
                let text = q.main_takeaway.clone()?;
                Some((
                    q.heading.clone().unwrap_or_else(|| label("quick_take")),
                    text,
                ))
            }),
            Some(_) => None,
        };
        let name = i.recipient.name.as_str();
        let greeting = fill(cat.email("greeting"), &[("name", name)]);
        let intro = match i.event {
            Some(e) => fill(
                cat.email("intro_event"),
                &[("event", &e.name), ("title", title)],
            ),
            None => fill(cat.email("intro"), &[("title", title)]),
        };
        let preheader = match i.goal {
            Some(g) => fill(
                cat.email("preheader_goal"),
                &[("goal", &g.goal), ("option", &option_name(&g.option))],
            ),
            None => fill(cat.email("preheader"), &[("title", title)]),
        };
        let organisation = c.organisation.as_ref().map(|o| o.name.clone());
        Facts {
            rtl: crate::locale::is_rtl(&lang),
            lang,
            subject: i.subject.clone(),
            preheader,
            organisation: organisation.clone().unwrap_or_default(),
            prepared_for: fill(&label("prepared_for"), &[("name", name)]),
            title: title.to_string(),
            intro: format!("{greeting} {intro}"),
            goal,
            short_answer,
            button: button(i),
            event: i.event.map(|e| EventFacts::new(e, cat)),
            picture: i.picture.map(|src| {
                (
                    src.to_string(),
                    fill(cat.email("picture_alt"), &[("title", title)]),
                )
            }),
            attachment: fill(cat.email("attachment"), &[("file", i.pdf_name)]),
            sign_off: cat.email("sign_off").to_string(),
            team: organisation.unwrap_or_else(|| cat.email("team").to_string()),
            unsubscribe: i.unsubscribe.map(|url| Unsubscribe::new(url, cat)),
            postal: i.postal.clone(),
        }
    }

    /// The plain-text part: the same facts, in the same order.
    pub fn text(&self) -> String {
        let mut blocks: Vec<String> = vec![self.intro.clone()];
        if let Some(g) = &self.goal {
            let mut b = format!("{}: {}\n{}", g.label, g.goal, g.recommended);
            if let Some(why) = &g.why {
                b.push('\n');
                b.push_str(why);
            }
            blocks.push(b);
        }
        if let Some((label, text)) = &self.short_answer {
            blocks.push(format!("{label}\n{text}"));
        }
        if let Some((words, url)) = &self.button {
            blocks.push(format!("{words}: {url}"));
        }
        if let Some(e) = &self.event {
            blocks.push(format!("{}: {}\n{}\n{}", e.label, e.name, e.date, e.place));
        }
        blocks.push(self.attachment.clone());
        blocks.push(format!("{}\n{}", self.sign_off, self.team));
        let mut out = blocks.join("\n\n");
        out.push('\n');
        let foot: Vec<&str> = self
            .unsubscribe
            .as_ref()
            .map(|u| u.text.as_str())
            .into_iter()
            .chain(self.postal.as_deref())
            .collect();
        if !foot.is_empty() {
            out.push_str(&format!("\n-- \n{}\n", foot.join("\n")));
        }
        out
    }
}

/// The button: to the recommended course's page, the address the
/// handout's QR code gives; for the generic handout, to the comparison's
/// page.
fn button(i: &Inputs) -> Option<(String, String)> {
    let c = i.content;
    let urls = resolve_urls(c);
    let Some(goal) = i.goal else {
        let url = urls.next_step.or(urls.organisation)?;
        return Some((i.catalog.email("page_button").to_string(), url));
    };
    let id = goal.course.as_deref()?;
    let course = c
        .course_fit
        .iter()
        .flat_map(|f| &f.courses)
        .find(|k| k.id == id)?;
    let url = urls.courses.into_iter().find(|(k, _)| k == id)?.1;
    let words = i.catalog.label("start_with_course").unwrap_or_default();
    Some((fill(words, &[("course", &course.name)]), url))
}

impl EventFacts {
    fn new(e: &Event, cat: &Catalog) -> Self {
        Self {
            label: cat.label("event").unwrap_or_default().to_string(),
            name: e.name.clone(),
            date: cat.date(e.date.year, e.date.month, e.date.day),
            place: std::iter::once(e.venue.as_str())
                .chain(e.room.as_deref())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

impl Unsubscribe {
    fn new(url: &str, cat: &Catalog) -> Self {
        let sentence = cat.email("unsubscribe");
        let (before, after) = sentence.split_once("{link}").unwrap_or((sentence, ""));
        Self {
            before: before.to_string(),
            link_text: cat.email("unsubscribe_link").to_string(),
            after: after.to_string(),
            url: url.to_string(),
            text: fill(cat.email("unsubscribe_text"), &[("url", url)]),
        }
    }
}

/// The first sentence of a text: what fits one line of "why".
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '。' | '।' | '؟')
                && text[i + c.len_utf8()..].starts_with([' ', '\n'])
        })
        .map_or(text.len(), |(i, c)| i + c.len_utf8());
    text[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("No end"), "No end");
    }

    #[test]
    fn fills_every_placeholder() {
        assert_eq!(
            fill("{a} and {b}, {a}", &[("a", "x"), ("b", "y")]),
            "x and y, x"
        );
    }
}
