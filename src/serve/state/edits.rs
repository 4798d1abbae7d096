//! The page's edits, as the state answers them: the content file a
//! request names, found in the project as last read.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use super::State;
use crate::serve::edit::{EditRequest, LabelRequest, ListRequest};
use crate::serve::ready::Ready;

impl State {
    /// The content file the page lists at `file`, with its name, and the
    /// fonts' coverage its text is checked against.
    fn content_file(&self, file: usize) -> Result<(PathBuf, String, Arc<Ready>), (u16, Value)> {
        let ready = self.inner.lock().ready.clone();
        let gone = || {
            (
                409,
                json!({"error": "the content has errors; fix them first"}),
            )
        };
        let ready = ready.ok_or_else(gone)?;
        let i = ready.content(file).map_err(|_| {
            (
                409,
                json!({"error": "this file has errors; fix them in a text editor first"}),
            )
        })?;
        let loaded = &ready.project.contents[i];
        Ok((loaded.path.clone(), loaded.name.clone(), ready.clone()))
    }

    /// A JSON body read as `R`, and the content file it names, handed to
    /// `then`; 400 or the file's refusal otherwise.
    fn with_body<R: serde::de::DeserializeOwned + HasFile>(
        &self,
        body: &[u8],
        not: &str,
        then: impl FnOnce(&Self, &R, (PathBuf, String, Arc<Ready>)) -> (u16, Value),
    ) -> (u16, Value) {
        let Ok(req) = serde_json::from_slice::<R>(body) else {
            return (400, json!({ "error": not }));
        };
        match self.content_file(req.file()) {
            Ok(found) => then(self, &req, found),
            Err(answer) => answer,
        }
    }

    /// `GET /api/value?file=N&path=P`: the value, the file's hash, and
    /// whether the page may edit it.
    pub fn value(&self, query: &str) -> (u16, Value) {
        let get = |k: &str| param(query, k);
        let Ok(file) = get("file").parse() else {
            return (400, json!({"error": "`file` must be a number"}));
        };
        match self.content_file(file) {
            Ok((path, name, _)) => self.edits.value(&path, &name, &get("path")),
            Err(answer) => answer,
        }
    }

    /// `POST /api/edit`: one value written into its content file.
    pub fn edit(&self, body: &[u8]) -> (u16, Value) {
        self.with_body::<EditRequest>(
            body,
            "the body is not an edit",
            |state, req, (path, name, ready)| {
                state.edits.edit(&path, &name, req, &ready.project.coverage)
            },
        )
    }

    /// `POST /api/list`: an entry of a list added after, duplicated or
    /// removed.
    pub fn list(&self, body: &[u8]) -> (u16, Value) {
        self.with_body::<ListRequest>(
            body,
            "the body is not a list change",
            |state, req, (path, name, ready)| {
                state.edits.list(&path, &name, req, &ready.project.coverage)
            },
        )
    }

    /// `GET /api/label?file=N&key=K`: the label's text for this content
    /// file (its own `labels:` entry, or the catalog's, placeholders as
    /// they are), and whether the page may write it.
    pub fn label_value(&self, query: &str) -> (u16, Value) {
        let get = |k: &str| param(query, k);
        let Ok(file) = get("file").parse() else {
            return (400, json!({"error": "`file` must be a number"}));
        };
        let key = get("key");
        match self.content_file(file) {
            Ok((path, _, ready)) => {
                let Ok(i) = ready.content(file) else {
                    return (409, json!({"error": "this file has errors"}));
                };
                let content = &ready.project.contents[i].content;
                let lang = crate::content::language_of(content);
                let catalog = ready.project.catalogs.get(&lang);
                let own = content.labels.as_ref().and_then(|l| l.get(&key)).cloned();
                let Some(value) = own.or_else(|| catalog.label(&key).map(str::to_string)) else {
                    return (404, json!({"error": format!("there is no label `{key}`")}));
                };
                let (status, mut answer) = self.edits.writable(&path);
                answer["value"] = json!(value);
                (status, answer)
            }
            Err(answer) => answer,
        }
    }

    /// `POST /api/label`: a label set in the content file's `labels:`.
    pub fn label(&self, body: &[u8]) -> (u16, Value) {
        self.with_body::<LabelRequest>(
            body,
            "the body is not a label",
            |state, req, (path, name, ready)| {
                state
                    .edits
                    .label(&path, &name, req, &ready.project.coverage)
            },
        )
    }

    /// `POST /api/undo`: the last edit of a file undone.
    pub fn undo(&self, body: &[u8]) -> (u16, Value) {
        self.with_body::<UndoRequest>(
            body,
            "the body names no file",
            |state, _, (path, name, _)| state.edits.undo(&path, &name),
        )
    }
}

/// One value of a query string, empty when absent.
fn param(query: &str, name: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// What an undo request asks: the last edit of a file undone.
#[derive(serde::Deserialize)]
struct UndoRequest {
    file: usize,
}

/// A request that names a content file by its place in the page's list.
trait HasFile {
    fn file(&self) -> usize;
}

macro_rules! has_file {
    ($($t:ty),*) => {$(
        impl HasFile for $t {
            fn file(&self) -> usize {
                self.file
            }
        }
    )*};
}

has_file!(EditRequest, ListRequest, LabelRequest, UndoRequest);
