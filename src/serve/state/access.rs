//! What the state accepts: the server's secret token, which every
//! request but the page itself carries, and choices the project has.

use super::State;
use crate::serve::choice::Choice;

impl State {
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Compares in time that does not depend on where they differ.
    pub fn token_matches(&self, given: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The choices of a query, checked against the project: an unknown
    /// goal, layout or recipient is refused before anything renders.
    pub(super) fn choose(&self, query: &str) -> Result<(Choice, String), String> {
        let mut choice = Choice::parse(query)?;
        if let Some(ready) = self.inner.lock().ready.clone() {
            choice.file = ready.clamp(choice.file);
            if let Ok(i) = ready.content(choice.file)
                && let Some(goal) = &choice.goal
                && ready.project.contents[i].content.goal(goal).is_none()
            {
                let loaded = &ready.project.contents[i];
                return Err(format!("{} has no goal `{goal}`", loaded.name));
            }
            if !ready
                .project
                .layouts
                .names()
                .contains(&choice.layout.as_str())
            {
                return Err(format!("there is no layout `{}`", choice.layout));
            }
            let people = ready
                .project
                .recipients
                .as_ref()
                .map_or(0, |r| r.rows.len());
            if choice.recipient.is_some_and(|i| i >= people) {
                return Err("there is no such recipient".into());
            }
        }
        let key = format!("{choice:?}");
        Ok((choice, key))
    }
}
