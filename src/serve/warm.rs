//! What the page looked at last, so that a save renders it before the page
//! asks, and answers made once: a request for an answer that is being made
//! waits for it instead of making it again on the same two cores.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, OnceLock};

/// The pictures the page asked for last, at most this many, are drawn
/// again on a save: those in view, not the whole document.
const PAGES: usize = 4;

/// Answers of one generation by key, each made by the first who asks, and
/// bounded: past `max_count` slots or `max_bytes` of filled ones, the
/// least recently asked are dropped (a request still waiting on one keeps
/// its own handle), so no run of distinct requests can grow the cache.
pub struct Slots<K, V> {
    map: HashMap<K, Entry<V>>,
    max_count: usize,
    max_bytes: usize,
    bytes: usize,
    clock: u64,
}

struct Entry<V> {
    slot: Arc<OnceLock<V>>,
    bytes: usize,
    used: u64,
}

impl<K: Hash + Eq + Clone, V> Slots<K, V> {
    pub fn new(max_count: usize, max_bytes: usize) -> Self {
        Self {
            map: HashMap::new(),
            max_count,
            max_bytes,
            bytes: 0,
            clock: 0,
        }
    }

    /// The slot for `key`; fill it with `OnceLock::get_or_init` outside
    /// the lock that guards these slots, then `charge` what it holds.
    pub fn slot(&mut self, key: K) -> Arc<OnceLock<V>> {
        self.clock += 1;
        let clock = self.clock;
        let entry = self.map.entry(key.clone()).or_insert_with(|| Entry {
            slot: Arc::default(),
            bytes: 0,
            used: clock,
        });
        entry.used = clock;
        let slot = entry.slot.clone();
        self.evict(&key);
        slot
    }

    /// Records the size of what `key`'s slot now holds, and drops the
    /// least recently asked slots while over the limit.
    pub fn charge(&mut self, key: &K, bytes: usize) {
        if let Some(entry) = self.map.get_mut(key) {
            self.bytes = self.bytes - entry.bytes + bytes;
            entry.bytes = bytes;
        }
        self.evict(key);
    }

    fn evict(&mut self, keep: &K) {
        while self.map.len() > self.max_count || self.bytes > self.max_bytes {
            let Some(oldest) = self
                .map
                .iter()
                .filter(|(k, _)| *k != keep)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                return;
            };
            if let Some(gone) = self.map.remove(&oldest) {
                self.bytes -= gone.bytes;
            }
        }
    }

    /// Bytes held by filled slots, as charged.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// What `key`'s slot holds, if it is filled.
    pub fn filled(&self, key: &K) -> Option<V>
    where
        V: Clone,
    {
        self.map.get(key)?.slot.get().cloned()
    }

    /// Keeps only the slots whose keys pass `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        self.map.retain(|k, _| keep(k));
        self.bytes = self.map.values().map(|e| e.bytes).sum();
    }

    pub fn clear(&mut self) {
        self.map.clear();
        self.bytes = 0;
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
    fn slots_keep_to_their_count_and_bytes_dropping_the_least_recent() {
        let mut slots: Slots<u32, Vec<u8>> = Slots::new(3, 100);
        for k in 0..3 {
            let slot = slots.slot(k);
            slot.get_or_init(|| vec![0; 30]);
            slots.charge(&k, 30);
        }
        assert_eq!(slots.bytes(), 90);
        // 0 is asked again, so 1 is the least recent.
        let _ = slots.slot(0);
        let big = slots.slot(9);
        big.get_or_init(|| vec![0; 60]);
        slots.charge(&9, 60);
        assert!(slots.bytes() <= 100, "{}", slots.bytes());
        assert!(slots.map.contains_key(&0) && slots.map.contains_key(&9));
        assert!(!slots.map.contains_key(&1));
        // One answer bigger than the limit is kept alone, for its askers.
        slots.charge(&9, 500);
        assert_eq!(slots.map.len(), 1);
    }

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
