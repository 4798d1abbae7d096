//! Which answers a save leaves as they are. An answer is kept while what
//! it was made from is the same: its content file's text and what every
//! document shares (layouts and catalogs, brands, fonts, the event and the
//! recipients, whose lines the page's traces name), so saving one of
//! twelve files renders only what shows that file.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::choice::Choice;
use super::super::ready::Ready;
use super::{Answer, DOCUMENT_BYTES, Inner};
use crate::fingerprint::short;

impl Answer {
    /// What it counts for against the cache's limit.
    pub(super) fn bytes(&self) -> usize {
        self.json.len() + self.doc.as_ref().map_or(0, |_| DOCUMENT_BYTES)
    }

    /// The same answer in a later generation, which has the same inputs.
    pub(super) fn again(&self, generation: u64) -> Self {
        let json = match serde_json::from_str::<Value>(&self.json) {
            Ok(mut v) => {
                // The generation it was made in, for tests and tracing.
                if v.get("made").is_none() {
                    v["made"] = v["generation"].clone();
                }
                v["generation"] = json!(generation);
                v.to_string()
            }
            Err(_) => self.json.clone(),
        };
        Self {
            json,
            doc: self.doc.clone(),
        }
    }
}

/// The answers whose inputs `ready` has unchanged, with their keys; every
/// other answer's stamp is forgotten.
pub(super) fn keep_unchanged(inner: &mut Inner, ready: &Ready) -> Vec<(String, Arc<Answer>)> {
    let stamps = std::mem::take(&mut inner.stamps);
    let mut kept = Vec::new();
    for (key, (choice, old)) in stamps {
        let same = stamp(ready, &choice).is_some_and(|new| new == old);
        let answer = inner.answers.filled(&key);
        if let (true, Some(answer)) = (same, answer)
            && answer.doc.is_some()
        {
            inner.stamps.insert(key.clone(), (choice, old));
            kept.push((key, answer));
        }
    }
    kept
}

/// What the answer for `choice` is made from, as one hash; none when the
/// choice names no loaded file.
pub(super) fn stamp(ready: &Ready, choice: &Choice) -> Option<String> {
    let i = ready.content(choice.file).ok()?;
    let loaded = ready.project.contents.get(i)?;
    let text = std::fs::read(&loaded.path).ok()?;
    Some(short([
        shared(ready).as_bytes(),
        loaded.name.as_bytes(),
        text.as_slice(),
    ]))
}

/// What every answer of `ready` shares, hashed once.
fn shared(ready: &Ready) -> &str {
    ready.stamp.get_or_init(|| {
        let p = &ready.project;
        let mut parts: Vec<Vec<u8>> = Vec::new();
        for path in p.layouts.paths() {
            parts.push(path.as_bytes().to_vec());
            parts.push(
                p.layouts
                    .get(path)
                    .map(|f| f.bytes.to_vec())
                    .unwrap_or_default(),
            );
        }
        for font in &p.fonts {
            parts.push(font.data.to_vec());
        }
        parts.push(json(&p.brands));
        parts.push(json(&p.event));
        parts.push(json(&p.recipients.as_ref().map(|r| (&r.file, &r.rows))));
        short(parts.iter().map(Vec::as_slice))
    })
}

fn json(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}
