//! Hashes of what each document is made from, for the report: `diff`
//! compares them to say why a document changed (its content, the layouts,
//! the brand, the fonts, the recipient, the event or the tool itself).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::batch::{Planned, Work};

/// A document's inputs, each as a short sha256 (16 hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Inputs {
    pub content: String,
    pub layouts: String,
    pub brand: Option<String>,
    pub fonts: String,
    pub recipient: Option<String>,
    pub event: Option<String>,
    pub handout: String,
}

/// The inputs every document of a build shares, hashed once.
pub struct Hasher<'a> {
    work: &'a Work,
    layouts: String,
    fonts: String,
    event: Option<String>,
    contents: HashMap<usize, String>,
    brands: HashMap<usize, String>,
}

impl<'a> Hasher<'a> {
    pub fn new(work: &'a Work) -> Self {
        let layouts = work.env.layouts();
        let layouts = short(layouts.paths().flat_map(|p| {
            let bytes = layouts
                .get(p)
                .map(|f| f.bytes.as_slice())
                .unwrap_or_default();
            [p.as_bytes(), bytes]
        }));
        let bundled = crate::fonts::FONTS.iter().map(|(name, _)| name.as_bytes());
        let extra: Vec<Vec<u8>> = work
            .font_files
            .iter()
            .map(|p| std::fs::read(p).unwrap_or_default())
            .collect();
        let fonts = short(bundled.chain(extra.iter().map(Vec::as_slice)));
        let event = work.settings.event.as_ref().map(json);
        Self {
            work,
            layouts,
            fonts,
            event,
            contents: HashMap::new(),
            brands: HashMap::new(),
        }
    }

    pub fn inputs(&mut self, doc: &Planned) -> Inputs {
        let work = self.work;
        let content = self
            .contents
            .entry(doc.content)
            .or_insert_with(|| {
                let loaded = &work.contents[doc.content];
                // The file as read; the parsed content if it is gone.
                match std::fs::read(&loaded.path) {
                    Ok(bytes) => short([bytes.as_slice()]),
                    Err(_) => json(&loaded.content),
                }
            })
            .clone();
        let brand = doc.brand.map(|i| {
            self.brands
                .entry(i)
                .or_insert_with(|| {
                    let b = &work.brands[i];
                    let files = b.files.iter().chain(&b.fonts);
                    short(
                        std::iter::once(b.data.as_slice())
                            .chain(files.flat_map(|(p, d)| [p.as_bytes(), d.as_slice()])),
                    )
                })
                .clone()
        });
        Inputs {
            content,
            layouts: self.layouts.clone(),
            brand,
            fonts: self.fonts.clone(),
            recipient: doc.recipient.as_ref().map(json),
            event: self.event.clone(),
            handout: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Each part's length goes in first, so that parts cannot run together.
fn short<'b>(parts: impl IntoIterator<Item = &'b [u8]>) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn json(value: &impl Serialize) -> String {
    short([serde_json::to_vec(value).unwrap_or_default().as_slice()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_do_not_run_together() {
        assert_ne!(short([&b"ab"[..], b"c"]), short([&b"a"[..], b"bc"]));
        assert_eq!(short([&b"x"[..]]).len(), 16);
    }
}
