//! Edits made on the page: one value of a content file written back with
//! every other byte kept, checked as `check` reads the file, refused when
//! the file changed since the editor opened, and undone on request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::content::rewrite;
use crate::diag::Diagnostic;
use crate::fonts::Coverage;

/// The edits kept for undo, per file.
const UNDO_DEPTH: usize = 20;

/// Whether the page may write.
#[derive(Debug, Clone)]
pub enum Writes {
    Allowed,
    /// Why not, as the page shows it.
    Off(String),
}

/// What an edit request asks.
#[derive(serde::Deserialize)]
pub struct EditRequest {
    /// The content file's place in the page's list.
    pub file: usize,
    /// As `faq.entries[2].answer`.
    pub path: String,
    pub value: String,
    /// The file's sha256 when the editor opened.
    pub hash: String,
}

/// What a list request asks: an entry added after, duplicated or removed.
#[derive(serde::Deserialize)]
pub struct ListRequest {
    pub file: usize,
    /// The entry, as `faq.entries[2]`.
    pub path: String,
    pub op: rewrite::ListOp,
    pub hash: String,
}

/// What a label request asks: the label `key` set for this content file.
#[derive(serde::Deserialize)]
pub struct LabelRequest {
    pub file: usize,
    pub key: String,
    pub value: String,
    pub hash: String,
}

/// An answer: its status and JSON.
pub type Answer = (u16, Value);

struct Undo {
    before: Vec<u8>,
    /// The file's hash as the edit left it: undo only then.
    after: String,
}

/// The page's edits: where they may write, and what they can undo.
pub struct Edits {
    pub writes: Writes,
    /// The folders `serve` was given (a file's own folder for a file),
    /// resolved: nothing outside them is written, links or not.
    roots: Vec<PathBuf>,
    /// Each file's undo history; also held from reading a file to writing
    /// it, so that two edits at once (two tabs) cannot both pass the hash
    /// check and one overwrite the other: the second finds it changed.
    undo: Mutex<HashMap<PathBuf, Vec<Undo>>>,
}

pub fn hash(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn refused(status: u16, message: impl Into<String>) -> Answer {
    (status, json!({ "error": message.into() }))
}

impl Edits {
    pub fn new(writes: Writes, content: &[PathBuf]) -> Self {
        let roots = content
            .iter()
            .filter_map(|p| {
                let dir = if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                };
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir
                };
                std::fs::canonicalize(dir).ok()
            })
            .collect();
        Self {
            writes,
            roots,
            undo: Mutex::new(HashMap::new()),
        }
    }

    /// The file a content file's path resolves to, if `serve` may write it:
    /// writes are on, and it lies inside the folders given.
    fn target(&self, path: &Path) -> Result<PathBuf, Answer> {
        if let Writes::Off(why) = &self.writes {
            return Err(refused(403, why.clone()));
        }
        let real = std::fs::canonicalize(path)
            .map_err(|e| refused(409, format!("cannot find {}: {e}", path.display())))?;
        if !self.roots.iter().any(|r| real.starts_with(r)) {
            return Err(refused(
                403,
                format!(
                    "{} leads outside the folders the preview was given; edit it in a text editor",
                    path.display()
                ),
            ));
        }
        Ok(real)
    }

    /// The value at `path` of the file, its hash, and whether the page may
    /// edit it (and why not).
    pub fn value(&self, file: &Path, name: &str, path: &str) -> Answer {
        let Ok(bytes) = std::fs::read(file) else {
            return refused(409, format!("cannot read {name}"));
        };
        let text = String::from_utf8_lossy(&bytes);
        let Some(segs) = rewrite::parse_path(path) else {
            return refused(400, format!("`{path}` is not a path"));
        };
        let why = match (&self.writes, rewrite::scalars(&text)) {
            (Writes::Off(why), _) => Some(why.clone()),
            (_, Err(e)) => Some(e.0),
            (_, Ok(all)) => match all.iter().find(|s| s.path == segs) {
                None => Some(format!(
                    "`{path}` is not written in {name} itself (an alias or a default); edit it in a text editor"
                )),
                Some(s) => s.locked.map(|w| {
                    format!("this value cannot be edited on the page: {w}; edit line {} of {name} in a text editor", s.line)
                }),
            },
        };
        (
            200,
            json!({
                "value": rewrite::value(&text, &segs),
                "hash": hash(&bytes),
                "editable": why.is_none(),
                "why": why,
            }),
        )
    }

    /// Writes one value: refused when the file changed since `req.hash`,
    /// when the rewrite does not read back, or when the file would gain
    /// errors; new warnings are returned with the new hash.
    pub fn edit(&self, file: &Path, name: &str, req: &EditRequest, coverage: &Coverage) -> Answer {
        let Some(segs) = rewrite::parse_path(&req.path) else {
            return refused(400, format!("`{}` is not a path", req.path));
        };
        self.apply(file, name, &req.hash, coverage, |text| {
            rewrite::set(text, &segs, &req.value)
        })
    }

    /// Adds, duplicates or removes one entry of a list, as `edit` writes.
    pub fn list(&self, file: &Path, name: &str, req: &ListRequest, coverage: &Coverage) -> Answer {
        let Some(segs) = rewrite::parse_path(&req.path) else {
            return refused(400, format!("`{}` is not a path", req.path));
        };
        self.apply(file, name, &req.hash, coverage, |text| {
            rewrite::list_op(text, &segs, req.op)
        })
    }

    /// Sets a label in the file's `labels:` section: the catalogs
    /// themselves are never written.
    pub fn label(
        &self,
        file: &Path,
        name: &str,
        req: &LabelRequest,
        coverage: &Coverage,
    ) -> Answer {
        self.apply(file, name, &req.hash, coverage, |text| {
            rewrite::set_label(text, &req.key, &req.value)
        })
    }

    /// The file's hash and whether the page may write it, for an editor
    /// of something other than one of its values (a label).
    pub fn writable(&self, file: &Path) -> Answer {
        let hash = std::fs::read(file).map(|b| hash(&b)).unwrap_or_default();
        let why = self
            .target(file)
            .err()
            .map(|(_, v)| v["error"].as_str().unwrap_or_default().to_string());
        (
            200,
            json!({ "hash": hash, "editable": why.is_none(), "why": why }),
        )
    }

    /// One change of a file: refused when the file changed since `hash`,
    /// when the change cannot be made, or when the file would gain errors;
    /// new warnings are returned with the new hash.
    fn apply(
        &self,
        file: &Path,
        name: &str,
        expected: &str,
        coverage: &Coverage,
        change: impl FnOnce(&str) -> Result<String, rewrite::Refusal>,
    ) -> Answer {
        let target = match self.target(file) {
            Ok(t) => t,
            Err(answer) => return answer,
        };
        let mut undo = self.undo.lock();
        let Ok(bytes) = std::fs::read(&target) else {
            return refused(409, format!("cannot read {name}"));
        };
        if hash(&bytes) != expected {
            return refused(
                409,
                format!(
                    "{name} changed on disk since the editor opened (saved elsewhere?); nothing was written, and the page now shows the file as it is"
                ),
            );
        }
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            return refused(409, format!("{name} is not UTF-8"));
        };
        let new = match change(&text) {
            Ok(new) => new,
            Err(why) => return refused(422, why.0),
        };
        let checked: std::sync::Arc<str> = new.as_str().into();
        let warnings = match crate::content::parse(name, &checked, coverage) {
            Ok((_, warnings)) => warnings,
            Err(errors) => {
                return refused(422, format!("not written: {}", texts(&errors).join("\n")));
            }
        };
        if let Err(e) = write_keeping_mode(&target, new.as_bytes()) {
            return refused(500, format!("cannot write {name}: {e}"));
        }
        let after = hash(new.as_bytes());
        let stack = undo.entry(target).or_default();
        stack.push(Undo {
            before: bytes,
            after: after.clone(),
        });
        if stack.len() > UNDO_DEPTH {
            stack.remove(0);
        }
        (200, json!({ "hash": after, "warnings": texts(&warnings) }))
    }

    /// Puts back the bytes before the last edit of the file, if the file
    /// is still as that edit left it.
    pub fn undo(&self, file: &Path, name: &str) -> Answer {
        let target = match self.target(file) {
            Ok(t) => t,
            Err(answer) => return answer,
        };
        let mut undo = self.undo.lock();
        let Some(last) = undo.get(&target).and_then(|s| s.last()) else {
            return refused(409, format!("there is no edit of {name} to undo"));
        };
        let now = std::fs::read(&target).map(|b| hash(&b)).unwrap_or_default();
        if now != last.after {
            return refused(
                409,
                format!(
                    "{name} changed since the last edit on the page; undo would lose that change, so nothing was written"
                ),
            );
        }
        if let Err(e) = write_keeping_mode(&target, &last.before) {
            return refused(500, format!("cannot write {name}: {e}"));
        }
        let restored = hash(&last.before);
        if let Some(stack) = undo.get_mut(&target) {
            stack.pop();
        }
        (200, json!({ "hash": restored }))
    }
}

/// Atomically, with the file's permissions as they were.
fn write_keeping_mode(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mode = std::fs::metadata(path).map(|m| m.permissions()).ok();
    crate::output::write_atomic(path, bytes).map_err(|d| d.message)?;
    if let Some(mode) = mode {
        let _ = std::fs::set_permissions(path, mode);
    }
    Ok(())
}

fn texts(diags: &[Diagnostic]) -> Vec<String> {
    super::answer::texts(diags)
}
