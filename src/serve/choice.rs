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
    /// The choices of a query; a value that names no paper, edition or
    /// number is refused, not guessed, so that no request renders what was
    /// not asked for.
    pub fn parse(query: &str) -> Result<Self, String> {
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
            let number = || {
                v.parse::<usize>()
                    .map_err(|_| format!("`{k}` must be a number, not `{v}`"))
            };
            match k.as_ref() {
                "file" => choice.file = number()?,
                "goal" if !v.is_empty() => choice.goal = Some(v.to_string()),
                "layout" if !v.is_empty() => choice.layout = v.to_string(),
                "paper" => choice.paper = serde_json::from_value(value).map_err(|_| {
                    format!(
                        "there is no paper `{v}`: the papers are a4, us-letter, a5 and half-letter"
                    )
                })?,
                "edition" => {
                    choice.edition = serde_json::from_value(value).map_err(|_| {
                        format!("there is no edition `{v}`: the editions are print and email")
                    })?
                }
                "recipient" if !v.is_empty() => choice.recipient = Some(number()?),
                _ => {}
            }
        }
        Ok(choice)
    }
}

/// The pixels per point a picture is drawn at: a few steps, so that
/// requests with every possible scale draw at most this many pictures of a
/// page.
const SCALES: [f32; 9] = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0];

/// Pixels per point for a page's picture (`s`): 2 when not given, and
/// otherwise the step at or just above what is asked, up to 4.
pub fn scale(query: &str) -> f32 {
    let asked = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "s")
        .and_then(|(_, v)| v.parse::<f32>().ok())
        .filter(|s| s.is_finite())
        .unwrap_or(2.0);
    SCALES
        .into_iter()
        .find(|&s| s >= asked - 1e-3)
        .unwrap_or(SCALES[SCALES.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_names_the_choices_and_defaults_the_rest() {
        let c =
            Choice::parse("file=1&goal=production-ml&paper=us-letter&edition=email&recipient=2")
                .unwrap();
        assert_eq!(c.file, 1);
        assert_eq!(c.goal.as_deref(), Some("production-ml"));
        assert_eq!((c.paper, c.edition), (Paper::UsLetter, Edition::Email));
        assert_eq!((c.layout.as_str(), c.recipient), ("handout", Some(2)));
        let d = Choice::parse("goal=&recipient=").unwrap();
        assert_eq!((d.paper, d.goal, d.recipient), (Paper::A4, None, None));
        for bad in ["paper=folio", "edition=fax", "file=x", "recipient=-1"] {
            assert!(Choice::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            (scale("s=1.25"), scale(""), scale("s=99"), scale("s=NaN")),
            (1.25, 2.0, 4.0, 2.0)
        );
        assert_eq!(
            (scale("s=1.2600001"), scale("s=0.1"), scale("s=1.7")),
            (1.5, 0.5, 2.0)
        );
    }
}
