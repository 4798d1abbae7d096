//! What the page looked at last, so that a save renders it before the page
//! asks, and answers made once: a request for an answer that is being made
//! waits for it instead of making it again on the same two cores.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, OnceLock};

/// The pictures the page asked for last, at most this many, are drawn
/// again on a save: those in view, not the whole document.
const PAGES: usize = 4;

/// Answers of one generation by key, each made by the first who asks.
pub struct Slots<K, V>(HashMap<K, Arc<OnceLock<V>>>);

impl<K: Hash + Eq, V> Slots<K, V> {
    pub fn new() -> Self {
        Self(HashMap::new())
    }

    /// The slot for `key`; fill it with `OnceLock::get_or_init` outside
    /// the lock that guards these slots.
    pub fn slot(&mut self, key: K) -> Arc<OnceLock<V>> {
        self.0.entry(key).or_default().clone()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// The document the page showed last and the pictures it asked for.
#[derive(Default, Clone)]
pub struct Recent {
    /// The query of its last `/api/render`.
    pub query: Option<String>,
    /// The choices in that query, as the answers are keyed.
    key: String,
    /// Page and pixels per point of each picture, oldest first.
    pub pages: Vec<(usize, f32)>,
}

impl Recent {
    /// A document shown; another one's pictures are forgotten.
    pub fn shown(&mut self, query: &str, key: &str) {
        if self.key != key {
            self.pages.clear();
            self.key = key.to_string();
        }
        self.query = Some(query.to_string());
    }

    /// A picture asked for, of the document with choices `key`.
    pub fn asked(&mut self, key: &str, page: usize, scale: f32) {
        if self.key != key {
            return;
        }
        self.pages.retain(|&(p, _)| p != page);
        self.pages.push((page, scale));
        if self.pages.len() > PAGES {
            self.pages.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_pictures_of_the_document_shown_are_remembered() {
        let mut r = Recent::default();
        r.shown("file=0", "a");
        for page in [0, 1, 2, 3, 4, 1] {
            r.asked("a", page, 2.0);
        }
        r.asked("b", 9, 2.0);
        assert_eq!(
            r.pages.iter().map(|p| p.0).collect::<Vec<_>>(),
            [2, 3, 4, 1]
        );
        r.shown("file=0&v=2", "a");
        assert_eq!(r.pages.len(), 4);
        r.shown("file=1", "b");
        assert!(r.pages.is_empty());
        assert_eq!(r.query.as_deref(), Some("file=1"));
    }
}
