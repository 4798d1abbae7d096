//! What the page asks for: one document's choices, from its query string.

use serde_json::Value;

use crate::render::{Edition, Paper};

/// One document's choices, as the page sends them.
#[derive(Debug, Clone)]
pub struct Choice {
    pub file: usize,
    pub goal: Option<String>,
    pub layout: String,
    pub paper: Paper,
    pub edition: Edition,
    pub recipient: Option<usize>,
}

impl Choice {
    pub fn parse(query: &str) -> Self {
        let mut choice = Choice {
            file: 0,
            goal: None,
            layout: "handout".into(),
            paper: Paper::A4,
            edition: Edition::Print,
            recipient: None,
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = Value::String(v.to_string());
            match k.as_ref() {
                "file" => choice.file = v.parse().unwrap_or(0),
                "goal" if !v.is_empty() => choice.goal = Some(v.to_string()),
                "layout" if !v.is_empty() => choice.layout = v.to_string(),
                "paper" => choice.paper = serde_json::from_value(value).unwrap_or(choice.paper),
                "edition" => {
                    choice.edition = serde_json::from_value(value).unwrap_or(choice.edition)
                }
                "recipient" => choice.recipient = v.parse().ok(),
                _ => {}
            }
        }
        choice
    }
}

/// Pixels per point for a page's picture (`s`): 2 when not given, and
/// within 0.5 to 4 whatever is asked.
pub fn scale(query: &str) -> f32 {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "s")
        .and_then(|(_, v)| v.parse::<f32>().ok())
        .filter(|s| s.is_finite())
        .map_or(2.0, |s| s.clamp(0.5, 4.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_names_the_choices_and_defaults_the_rest() {
        let c =
            Choice::parse("file=1&goal=production-ml&paper=us-letter&edition=email&recipient=2");
        assert_eq!(c.file, 1);
        assert_eq!(c.goal.as_deref(), Some("production-ml"));
        assert_eq!((c.paper, c.edition), (Paper::UsLetter, Edition::Email));
        assert_eq!((c.layout.as_str(), c.recipient), ("handout", Some(2)));
        let d = Choice::parse("paper=folio&goal=");
        assert_eq!((d.paper, d.goal), (Paper::A4, None));
        assert_eq!(
            (scale("s=1.25"), scale(""), scale("s=99"), scale("s=NaN")),
            (1.25, 2.0, 4.0, 2.0)
        );
    }
}
