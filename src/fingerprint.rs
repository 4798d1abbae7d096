//! Hashes of what each document is made from. A build reuses a document
//! whose hashes equal the earlier build's, and `diff` compares them to say
//! why a document changed (its content, the layouts, the brand, the fonts,
//! the recipient, the event, the options or the tool itself).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::batch::{Planned, Work};

/// A document's inputs, each as a short sha256 (16 hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Inputs {
    pub content: String,
    /// The layout files and catalogs the document read; every layout file
    /// when it was not rendered.
    pub layouts: String,
    pub brand: Option<String>,
    pub fonts: String,
    pub recipient: Option<String>,
    pub event: Option<String>,
    pub handout: String,
    /// Everything else that can change its bytes: its variant, paper,
    /// edition and layout, the build's render settings, the draft settings
    /// for a recipient's document, `--deny-warnings` and `SOURCE_DATE_EPOCH`.
    #[serde(default)]
    pub options: String,
    /// The build of handout: its commit and the layouts and fonts it embeds.
    #[serde(default)]
    pub tool: String,
}

/// The inputs every document of a build shares, hashed once.
pub struct Hasher<'a> {
    work: &'a Work,
    /// Every layout file, for documents not rendered.
    all_layouts: String,
    /// Each layout file's own hash.
    layout_files: HashMap<String, String>,
    fonts: String,
    event: Option<String>,
    /// The build's options as JSON, and the drafts'.
    settings: Value,
    drafts: Value,
    deny_warnings: bool,
    /// Each content file's hash, and its text as hashed.
    contents: HashMap<usize, (String, Option<String>)>,
    brands: HashMap<usize, String>,
}

/// A content file's text as a build read it, so that `diff` can name the
/// YAML paths of an edit made in place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContentText {
    pub content: String,
    /// As `inputs.content` gives it.
    pub sha256: String,
    pub text: String,
}

impl<'a> Hasher<'a> {
    pub fn new(work: &'a Work, deny_warnings: bool) -> Self {
        let layouts = work.env.layouts();
        let layout_files: HashMap<String, String> = layouts
            .paths()
            .map(|p| {
                let bytes = layouts
                    .get(p)
                    .map(|f| f.bytes.as_slice())
                    .unwrap_or_default();
                (p.to_string(), short([bytes]))
            })
            .collect();
        let mut names: Vec<&String> = layout_files.keys().collect();
        names.sort();
        let all_layouts = short(
            names
                .iter()
                .flat_map(|p| [p.as_bytes(), layout_files[*p].as_bytes()]),
        );
        // Bundled fonts by their bytes, hashed when the binary was built: a
        // font updated under the same name changes the documents.
        let bundled = std::iter::once(env!("HANDOUT_FONTS_ID").as_bytes());
        let extra: Vec<Vec<u8>> = work
            .font_files
            .iter()
            .map(|p| std::fs::read(p).unwrap_or_default())
            .collect();
        let fonts = short(bundled.chain(extra.iter().map(Vec::as_slice)));
        let event = work.settings.event.as_ref().map(json);
        let drafts = match &work.drafts {
            Some(d) => keyed_secret(serde_json::to_value(d).unwrap_or_default()),
            None => Value::Null,
        };
        Self {
            work,
            all_layouts,
            layout_files,
            fonts,
            event,
            settings: serde_json::to_value(&work.settings).unwrap_or_default(),
            drafts,
            deny_warnings,
            contents: HashMap::new(),
            brands: HashMap::new(),
        }
    }

    /// The document's inputs; `layout_files` are those it read when it was
    /// rendered, if it was.
    pub fn inputs(&mut self, doc: &Planned, layout_files: Option<&[String]>) -> Inputs {
        let work = self.work;
        let content = self
            .contents
            .entry(doc.content)
            .or_insert_with(|| {
                let loaded = &work.contents[doc.content];
                // The file as read; the parsed content if it is gone.
                match std::fs::read(&loaded.path) {
                    Ok(bytes) => (short([bytes.as_slice()]), String::from_utf8(bytes).ok()),
                    Err(_) => (json(&loaded.content), None),
                }
            })
            .0
            .clone();
        // The whole brand as the build read it, so that a field added to it
        // later is in the hash too.
        let brand = doc.brand.map(|i| {
            self.brands
                .entry(i)
                .or_insert_with(|| json(&work.brands[i]))
                .clone()
        });
        let layouts = match layout_files {
            Some(files) => short(files.iter().flat_map(|p| {
                let hash = self.layout_files.get(p).map_or("missing", String::as_str);
                [p.as_bytes(), hash.as_bytes()]
            })),
            None => self.all_layouts.clone(),
        };
        Inputs {
            content,
            layouts,
            brand,
            fonts: self.fonts.clone(),
            recipient: doc.recipient.as_ref().map(json),
            event: self.event.clone(),
            handout: env!("CARGO_PKG_VERSION").to_string(),
            options: self.options(doc),
            tool: tool().to_string(),
        }
    }

    /// The text of every content file hashed so far, in the build's order.
    pub fn content_files(&self) -> Vec<ContentText> {
        let mut seen: Vec<(&usize, &(String, Option<String>))> = self.contents.iter().collect();
        seen.sort_by_key(|(i, _)| **i);
        seen.into_iter()
            .filter_map(|(i, (sha256, text))| {
                Some(ContentText {
                    content: self.work.contents[*i].name.clone(),
                    sha256: sha256.clone(),
                    text: text.clone()?,
                })
            })
            .collect()
    }

    /// Every field of the planned document and of the build's settings, so
    /// that an option added later is in the hash without being listed here.
    /// Indices into this build's lists and the recipient (hashed on its
    /// own) are left out; paths are reduced to file names.
    fn options(&self, doc: &Planned) -> String {
        let mut planned = serde_json::to_value(doc).unwrap_or_default();
        if let Value::Object(map) = &mut planned {
            for index in ["content", "brand", "recipient"] {
                map.remove(index);
            }
            for path in ["stem", "output"] {
                if let Some(Value::String(p)) = map.get_mut(path) {
                    let name = std::path::Path::new(p.as_str())
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    *p = name;
                }
            }
        }
        let all = serde_json::json!({
            "document": planned,
            "settings": self.settings,
            // Drafts are written only for recipients.
            "drafts": if doc.recipient.is_some() { &self.drafts } else { &Value::Null },
            "deny_warnings": self.deny_warnings,
            "source_date_epoch": std::env::var("SOURCE_DATE_EPOCH").ok(),
        });
        json(&all)
    }
}

/// The unsubscribe secret replaced by a hash keyed with it: a new secret
/// changes every draft's links, and the secret itself never reaches a
/// report.
fn keyed_secret(mut drafts: Value) -> Value {
    use hmac::{Hmac, Mac};
    if let Some(Value::String(secret)) = drafts.pointer_mut("/unsubscribe/secret")
        && let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
    {
        mac.update(b"handout reuse fingerprint");
        let tag = mac.finalize().into_bytes();
        *secret = tag.iter().map(|b| format!("{b:02x}")).collect();
    }
    drafts
}

/// The build of handout: its commit, uncommitted changes and embedded
/// layouts and fonts, or, outside git, a hash of the program itself.
pub fn tool() -> &'static str {
    static TOOL: OnceLock<String> = OnceLock::new();
    TOOL.get_or_init(|| {
        let id = env!("HANDOUT_TOOL_ID");
        if id != "unknown" {
            return short([id.as_bytes()]);
        }
        match std::env::current_exe().and_then(std::fs::read) {
            Ok(bytes) => short([bytes.as_slice()]),
            // Never equal to another build's: nothing is reused.
            Err(_) => format!("{:016x}", std::process::id()),
        }
    })
}

/// Each part's length goes in first, so that parts cannot run together.
pub fn short<'b>(parts: impl IntoIterator<Item = &'b [u8]>) -> String {
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

    #[test]
    fn the_secret_is_keyed_and_never_kept() {
        let drafts = serde_json::json!({"unsubscribe": {"secret": "a-long-secret-0123456789"}});
        let kept = keyed_secret(drafts.clone()).to_string();
        assert!(!kept.contains("a-long-secret"));
        let other =
            keyed_secret(serde_json::json!({"unsubscribe": {"secret": "another-secret-0123456"}}));
        assert_ne!(kept, other.to_string());
    }
}
