//! The message the chosen recipient would get, beside the pages: the
//! built-in body of `build --eml` for their row, with page 1 from the
//! preview. The sender and unsubscribe link are the campaign's business,
//! so the foot shows the postal address only.

use super::State;
use crate::email::body::Look;
use crate::email::{Drafts, draft};

impl State {
    /// The HTML body for the recipient the query chooses.
    pub fn message(&self, query: &str) -> Result<String, String> {
        let (choice, _) = self.choose(query)?;
        let ready = self
            .inner
            .lock()
            .ready
            .clone()
            .ok_or("the content has errors; fix them first")?;
        let i = ready
            .content(choice.file)
            .map_err(|_| "this content file has errors; fix them first".to_string())?;
        let loaded = &ready.project.contents[i];
        let person = choice
            .recipient
            .and_then(|r| ready.project.recipients.as_ref()?.rows.get(r))
            .ok_or("choose a recipient to see their message")?;
        let content = &loaded.content;
        let goal = person
            .goal
            .clone()
            .or(choice.goal.clone())
            .and_then(|id| content.goal(&id));
        let look = match loaded
            .brand
            .and_then(|b| Some((b, ready.env.brand_data(b)?)))
        {
            Some((b, data)) => Look::of_brand(data, |path| ready.env.brand_file(b, path)),
            None => Look::default(),
        };
        let drafts = Drafts {
            from: "preview@localhost".into(),
            subject: None,
            body: None,
            html: None,
            campaign: None,
            unsubscribe: None,
        };
        let pdf_name = format!("{}.pdf", content.id);
        let parts = draft::Parts {
            content,
            goal,
            recipient: person,
            event: ready.project.event.as_ref(),
            pdf: &[],
            pdf_name: &pdf_name,
            preview: &[],
            catalog: ready
                .env
                .catalogs()
                .get(&crate::content::language_of(content)),
            look: &look,
        };
        // Page 1 as the preview draws it, at one pixel per point.
        let picture = format!("/api/page/0?{query}&s=1");
        Ok(draft::html_page(&drafts, &parts, Some(&picture)))
    }
}
