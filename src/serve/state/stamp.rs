//! Which answers a save leaves as they are. An answer is kept while what
//! it was made from is the same: its content file's text and what every
//! document shares (layouts and catalogs, brands, fonts, the event and the
//! recipients, whose lines the page's traces name), so saving one of
//! twelve files renders only what shows that file.

use super::super::choice::Choice;
use super::super::ready::Ready;
use crate::fingerprint::short;

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
