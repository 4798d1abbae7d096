//! What the preview serves: the project as last read, and each document
//! rendered on request, as JSON for the page.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use serde_json::json;
use typst_layout::PagedDocument;

use super::answer::{pages_json, texts};
mod access;
mod edits;
mod message;
mod overview;
mod stamp;

use super::choice::{self, Choice};
use super::edit::{Edits, Writes};
use super::ready::Ready;
use super::runs::{Runs, RunsConfig};
use super::warm::{Recent, Slots};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::project::{Policy, Project, Sources};
use crate::render::preview::{page_png, preview};
use crate::render::{self, Document, Format, Settings};
use crate::world::Env;

/// A page's picture, shared by the requests that asked for it.
type Png = Arc<[u8]>;

/// Rendered answers kept at once: each holds its laid-out document too.
const MAX_ANSWERS: usize = 16;
/// Bytes of answers' JSON, with 1 MB counted for each document.
const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;
const DOCUMENT_BYTES: usize = 1024 * 1024;
/// Bytes of pages' pictures.
const MAX_PICTURE_BYTES: usize = 64 * 1024 * 1024;

/// What the server was started with.
pub struct Inputs {
    /// Whether the page may write edits into the content files.
    pub writes: Writes,
    pub sources: Sources,
    pub settings: Settings,
    /// The longest a document may take to render.
    pub timeout: Duration,
    /// What print runs and campaigns from the page start from.
    pub runs: RunsConfig,
}

struct Inner {
    /// Counts the reads of the inputs; the page asks again when it grows.
    generation: u64,
    ready: Option<Arc<Ready>>,
    /// The problems of the last read; the last good project stays.
    errors: Vec<Diagnostic>,
    /// Rendered answers, by choice: of this generation, or of an earlier
    /// one whose inputs this one has too.
    answers: Slots<String, Arc<Answer>>,
    /// What each answer was made from, to keep it across a save.
    stamps: std::collections::HashMap<String, (Choice, String)>,
    /// Pages drawn in this generation, by choice, page and scale.
    pictures: Slots<(String, usize, u32), Option<Png>>,
    /// What the page showed last, drawn again after a save.
    recent: Recent,
}

pub struct State {
    inputs: Inputs,
    /// Print runs and campaigns started from the page.
    pub runs: Runs,
    edits: Edits,
    /// The secret every request but the page itself must carry.
    token: String,
    inner: Mutex<Inner>,
    changed: Condvar,
}

/// One document as the page gets it: JSON of its pages (or its errors),
/// and the document, to draw its pages from.
pub struct Answer {
    pub json: String,
    doc: Option<PagedDocument>,
}

impl State {
    pub fn new(mut inputs: Inputs) -> Result<Self, Error> {
        let mut secret = [0u8; 16];
        getrandom::getrandom(&mut secret).map_err(|e| {
            Error::system(
                format!("cannot make the preview's secret token: {e}"),
                "this system gives no random numbers; run handout on another machine",
            )
        })?;
        let state = Self {
            runs: Runs::new(std::mem::replace(&mut inputs.runs, RunsConfig::none())),
            edits: Edits::new(inputs.writes.clone(), &inputs.sources.content),
            inputs,
            token: secret.iter().map(|b| format!("{b:02x}")).collect(),
            inner: Mutex::new(Inner {
                generation: 0,
                ready: None,
                errors: Vec::new(),
                answers: Slots::new(MAX_ANSWERS, MAX_ANSWER_BYTES),
                stamps: std::collections::HashMap::new(),
                pictures: Slots::new(usize::MAX, MAX_PICTURE_BYTES),
                recent: Recent::default(),
            }),
            changed: Condvar::new(),
        };
        state.read();
        Ok(state)
    }

    /// Reads every input again, and renders what the page showed last
    /// while the page is told to ask for it, so that its questions find
    /// the answers made or under way.
    pub fn reload(self: &Arc<Self>) {
        self.read();
        let recent = self.inner.lock().recent.clone();
        let Some(query) = recent.query else { return };
        let state = self.clone();
        std::thread::spawn(move || {
            let _ = state.render(&query);
            std::thread::scope(|s| {
                for (page, scale) in recent.pages {
                    let state = &state;
                    let query = &query;
                    s.spawn(move || state.picture(query, page, scale));
                }
            });
        });
    }

    /// Reads every input again; the page is told to ask for its document.
    fn read(&self) {
        let policy = Policy {
            quiet: true,
            set_aside_content: true,
            ..Policy::default()
        };
        let event = self.inputs.sources.event.as_deref();
        let read = Project::load(&self.inputs.sources, policy).map(|p| Ready::new(p, event));
        let mut inner = self.inner.lock();
        inner.generation += 1;
        let kept = match &read {
            Ok(ready) => stamp::keep_unchanged(&mut inner, ready),
            Err(_) => Vec::new(),
        };
        inner.answers.clear();
        inner
            .pictures
            .retain(|(key, ..)| kept.iter().any(|(k, _)| k == key));
        for (key, answer) in kept {
            let again = Arc::new(answer.again(inner.generation));
            let bytes = again.bytes();
            let _ = inner.answers.slot(key.clone()).set(again);
            inner.answers.charge(&key, bytes);
        }
        match read {
            Ok(ready) => {
                inner.ready = Some(Arc::new(ready));
                inner.errors.clear();
            }
            Err(Error::Content(diags) | Error::Usage(diags)) => inner.errors = diags,
            Err(Error::System(d)) => inner.errors = vec![*d],
            Err(other) => inner.errors = vec![Diagnostic::error(other.to_string())],
        }
        typst::comemo::evict(10);
        self.changed.notify_all();
    }

    pub fn generation(&self) -> u64 {
        self.inner.lock().generation
    }

    /// Waits up to `limit` for a generation after `seen`; the newest one.
    pub fn wait_for_change(&self, seen: u64, limit: Duration) -> u64 {
        let mut inner = self.inner.lock();
        if inner.generation <= seen {
            self.changed.wait_for(&mut inner, limit);
        }
        inner.generation
    }

    /// The pages of one document, or the errors that stop it.
    pub fn render(&self, query: &str) -> Result<Arc<Answer>, String> {
        let (choice, key) = self.choose(query)?;
        Ok(self.render_chosen(query, &choice, &key))
    }

    /// The answer for choices already checked, keyed by `key`.
    fn render_chosen(&self, query: &str, choice: &Choice, key: &str) -> Arc<Answer> {
        let (generation, ready, errors, slot) = {
            let mut inner = self.inner.lock();
            inner.recent.shown(query, key);
            (
                inner.generation,
                inner.ready.clone(),
                texts(&inner.errors),
                inner.answers.slot(key.to_string()),
            )
        };
        let answer = slot
            .get_or_init(|| {
                if let Some(ready) = ready.as_ref().filter(|_| errors.is_empty())
                    && let Some(stamp) = stamp::stamp(ready, choice)
                {
                    let mut inner = self.inner.lock();
                    if inner.generation == generation {
                        inner
                            .stamps
                            .insert(key.to_string(), (choice.clone(), stamp));
                    }
                }
                let answer = Arc::new(self.answer(generation, ready, errors, choice));
                // Typst's caches would otherwise keep every variant asked
                // for until the next save.
                crate::batch::evict_caches();
                answer
            })
            .clone();
        let bytes = answer.bytes();
        let mut inner = self.inner.lock();
        if inner.generation == generation {
            inner.answers.charge(&key.to_string(), bytes);
        }
        answer
    }

    fn answer(
        &self,
        generation: u64,
        ready: Option<Arc<Ready>>,
        errors: Vec<String>,
        choice: &Choice,
    ) -> Answer {
        match ready {
            Some(ready) if errors.is_empty() && ready.content(choice.file).is_err() => Answer {
                json: json!({
                    "generation": generation,
                    "errors": texts(ready.content(choice.file).err().unwrap_or_default()),
                })
                .to_string(),
                doc: None,
            },
            Some(ready) if errors.is_empty() => match self.in_time(&ready, choice, preview) {
                Ok(p) => Answer {
                    json: pages_json(
                        generation,
                        &ready,
                        ready.content(choice.file).unwrap_or(0),
                        &p,
                    )
                    .to_string(),
                    doc: Some(p.doc),
                },
                Err(diags) => Answer {
                    json: json!({"generation": generation, "errors": texts(&diags)}).to_string(),
                    doc: None,
                },
            },
            _ => Answer {
                json: json!({"generation": generation, "errors": errors}).to_string(),
                doc: None,
            },
        }
    }

    /// Page `index` of the document, as a PNG at the query's pixels per
    /// point: the page asks for what its screen shows.
    pub fn page(&self, query: &str, index: usize) -> Result<Option<Png>, String> {
        let scale = choice::scale(query);
        let (choice, key) = self.choose(query)?;
        self.inner.lock().recent.asked(&key, index, scale);
        Ok(self.picture_chosen(query, &choice, key, index, scale))
    }

    fn picture(&self, query: &str, index: usize, scale: f32) -> Result<Option<Png>, String> {
        let (choice, key) = self.choose(query)?;
        Ok(self.picture_chosen(query, &choice, key, index, scale))
    }

    /// Page `index` of the document for choices already checked.
    fn picture_chosen(
        &self,
        query: &str,
        choice: &Choice,
        key: String,
        index: usize,
        scale: f32,
    ) -> Option<Png> {
        let answer = self.render_chosen(query, choice, &key);
        let key = (key, index, scale.to_bits());
        let (generation, slot) = {
            let mut inner = self.inner.lock();
            (inner.generation, inner.pictures.slot(key.clone()))
        };
        let png = slot
            .get_or_init(|| page_png(answer.doc.as_ref()?, index, scale).map(Arc::from))
            .clone();
        let mut inner = self.inner.lock();
        if inner.generation == generation {
            inner
                .pictures
                .charge(&key, png.as_ref().map_or(0, |p| p.len()));
        }
        png
    }

    /// The PDF `build` writes for the same choices, and its file name.
    pub fn pdf(&self, query: &str) -> Result<(Vec<u8>, String), String> {
        let (_, ready, errors) = self.snapshot();
        let Some(ready) = ready.filter(|_| errors.is_empty()) else {
            return Err("the content has errors; fix them first".into());
        };
        let (choice, _) = self.choose(query)?;
        if let Err(errors) = ready.content(choice.file) {
            return Err(texts(errors).join("\n"));
        }
        let rendered = self
            .in_time(&ready, &choice, render::render)
            .map_err(|d| texts(&d).join("\n"))?;
        let content = &ready.project.contents[ready.content(choice.file).unwrap_or(0)];
        let name = format!("{}.pdf", content.content.id);
        Ok((
            rendered
                .files
                .into_iter()
                .next()
                .map(|f| f.bytes)
                .unwrap_or_default(),
            name,
        ))
    }

    fn snapshot(&self) -> (u64, Option<Arc<Ready>>, Vec<String>) {
        let inner = self.inner.lock();
        (inner.generation, inner.ready.clone(), texts(&inner.errors))
    }

    /// Renders on a thread of its own, so that a layout that never finishes
    /// is reported after the timeout and the server goes on.
    fn in_time<T: Send + 'static>(
        &self,
        ready: &Arc<Ready>,
        choice: &Choice,
        make: fn(&Env, &Document) -> Result<T, Vec<Diagnostic>>,
    ) -> Result<T, Vec<Diagnostic>> {
        let (tx, rx) = std::sync::mpsc::channel();
        let ready = ready.clone();
        let settings = Settings {
            format: Format::Pdf,
            event: ready.project.event.clone(),
            ..self.inputs.settings.clone()
        };
        let choice = choice.clone();
        std::thread::Builder::new()
            .stack_size(64 * 1024 * 1024)
            .spawn(move || {
                let Some(loaded) = ready
                    .content(choice.file)
                    .ok()
                    .and_then(|i| ready.project.contents.get(i))
                else {
                    return;
                };
                let person = choice.recipient.and_then(|i| {
                    ready
                        .project
                        .recipients
                        .as_ref()
                        .and_then(|r| r.rows.get(i))
                });
                let goal = person
                    .and_then(|p| p.goal.clone())
                    .or(choice.goal)
                    .and_then(|id| loaded.content.goal(&id));
                let document = Document {
                    content: &loaded.content,
                    goal,
                    paper: choice.paper,
                    edition: choice.edition,
                    layout: &choice.layout,
                    settings: &settings,
                    brand: loaded.brand,
                    recipient: person,
                };
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    make(&ready.env, &document)
                }))
                .unwrap_or_else(|_| {
                    Err(vec![
                        Diagnostic::error("internal error while rendering").with_hint(
                            "this is a bug in handout; please report it with the content file",
                        ),
                    ])
                });
                let _ = tx.send(result);
            })
            .map_err(|e| vec![Diagnostic::error(format!("cannot start rendering: {e}"))])?;
        let limit = self.inputs.timeout;
        rx.recv_timeout(limit).unwrap_or_else(|_| {
            Err(vec![
                Diagnostic::error(format!(
                    "the document took longer than {} s to render; stopped",
                    limit.as_secs()
                ))
                .with_hint(
                    "the layout may never finish, e.g. a loop without end; raise --timeout if it is just slow",
                ),
            ])
        })
    }
}
