//! `handout diff`: two builds compared by their reports. Documents pair by
//! output file name; a pair whose PDFs have the same sha256 is identical.
//! For the others, the hashes of their inputs say why they changed, and
//! with both content files at hand, which YAML paths did.

mod html;
mod out;
pub mod pages;
mod yaml;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use html::write as write_html;
pub use out::{markdown, summary};

use crate::error::Error;
use crate::fingerprint::Inputs;

/// The part of a build's report that `diff` reads.
#[derive(Debug, Deserialize)]
struct ReportFile {
    handout_version: String,
    documents: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
struct Entry {
    content: String,
    output: String,
    status: String,
    pages: Option<usize>,
    sha256: Option<String>,
    #[serde(default)]
    inputs: Option<Inputs>,
}

/// A build as `diff` sees it: where its report is, and its documents by
/// output file name.
pub struct Build {
    pub report: PathBuf,
    version: String,
    docs: BTreeMap<String, Entry>,
}

impl Build {
    /// Reads the report in `path`: a report file, or the output folder a
    /// build wrote it into: the JSON files there that are reports, all of
    /// them when shards of one build (`--shard`) each wrote their own.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let reports = if path.is_dir() {
            find_reports(path)?
        } else {
            vec![path.to_path_buf()]
        };
        let mut version = String::new();
        let mut docs = BTreeMap::new();
        for report in &reports {
            let text = std::fs::read_to_string(report).map_err(|e| {
                Error::system(
                    format!("cannot read {}: {e}", report.display()),
                    "give the output folder of a build that wrote --report, or the report itself",
                )
            })?;
            let file: ReportFile = serde_json::from_str(&text).map_err(|e| {
                Error::system(
                    format!("{} is not a handout report: {e}", report.display()),
                    "give the report that `handout build --report FILE` wrote",
                )
            })?;
            if version.is_empty() {
                version = file.handout_version;
            }
            docs.extend(
                file.documents
                    .into_iter()
                    .filter(|d| d.status == "ok")
                    .map(|d| (file_name(&d.output), d)),
            );
        }
        Ok(Self {
            report: reports[0].clone(),
            version,
            docs,
        })
    }
}

fn find_reports(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| serde_json::from_str::<ReportFile>(&t).is_ok())
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(Error::system(
            format!("{} has no build report", dir.display()),
            "build with --report FILE inside the output folder, e.g. `--report out/report.json`, or give the report's path",
        ));
    }
    Ok(found)
}

fn file_name(output: &str) -> String {
    Path::new(output)
        .file_name()
        .map_or(output.to_string(), |n| n.to_string_lossy().into_owned())
}

/// What became of one document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum Change {
    Identical,
    Changed {
        pages_before: Option<usize>,
        pages_after: Option<usize>,
        /// Which inputs differ: content, layout, brand, fonts, recipient,
        /// event, tool.
        causes: Vec<&'static str>,
        /// YAML paths whose values differ, when both content files were
        /// at hand.
        yaml_paths: Vec<String>,
        /// The pages that differ, where, and their words.
        pages: Vec<PageChange>,
    },
    Added {
        pages: Option<usize>,
    },
    Removed {
        pages: Option<usize>,
    },
}

#[derive(Debug, Serialize)]
pub struct DocDiff {
    pub document: String,
    #[serde(flatten)]
    pub change: Change,
}

/// The whole comparison, as `--json` writes it.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub before: String,
    pub after: String,
    pub documents: Vec<DocDiff>,
}

/// One page that differs between the two PDFs of a document.
#[derive(Debug, Serialize)]
pub struct PageChange {
    /// From 1.
    pub page: usize,
    /// The page's width and height after the change (before, when it went
    /// away), in points.
    pub size: (f64, f64),
    /// Where it differs, in points from the page's top left; the whole page
    /// when it is only in one of them.
    pub regions: Vec<pages::Region>,
    pub words_removed: Vec<String>,
    pub words_added: Vec<String>,
    /// The pictures `--html` wrote, relative to its folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<(String, String)>,
}

/// Content files given on the command line, for every changed document.
pub struct ContentFiles {
    pub before: Option<PathBuf>,
    pub after: Option<PathBuf>,
}

pub fn compare(before: &Build, after: &Build, given: &ContentFiles) -> Diff {
    let mut paths = PathCache::default();
    let mut names: Vec<&String> = before.docs.keys().chain(after.docs.keys()).collect();
    names.sort();
    names.dedup();
    let documents = names
        .into_iter()
        .map(|name| {
            let change = match (before.docs.get(name), after.docs.get(name)) {
                (Some(a), Some(b)) if a.sha256.is_some() && a.sha256 == b.sha256 => {
                    Change::Identical
                }
                (Some(a), Some(b)) => {
                    let causes = causes(a, b, before, after);
                    let yaml_paths = if causes.contains(&"content") {
                        paths.get(a, b, given)
                    } else {
                        Vec::new()
                    };
                    Change::Changed {
                        pages_before: a.pages,
                        pages_after: b.pages,
                        causes,
                        yaml_paths,
                        pages: Vec::new(),
                    }
                }
                (Some(a), None) => Change::Removed { pages: a.pages },
                (None, Some(b)) => Change::Added { pages: b.pages },
                (None, None) => Change::Identical,
            };
            DocDiff {
                document: name.clone(),
                change,
            }
        })
        .collect();
    Diff {
        before: before.report.display().to_string(),
        after: after.report.display().to_string(),
        documents,
    }
}

/// The inputs whose hashes differ; "tool" when none does, or when the
/// handout versions differ.
fn causes(a: &Entry, b: &Entry, before: &Build, after: &Build) -> Vec<&'static str> {
    let mut causes = Vec::new();
    if let (Some(x), Some(y)) = (&a.inputs, &b.inputs) {
        let pairs: [(&'static str, bool); 6] = [
            ("content", x.content != y.content),
            ("layout", x.layouts != y.layouts),
            ("brand", x.brand != y.brand),
            ("fonts", x.fonts != y.fonts),
            ("recipient", x.recipient != y.recipient),
            ("event", x.event != y.event),
        ];
        causes.extend(pairs.iter().filter(|p| p.1).map(|p| p.0));
    } else {
        causes.push("unknown (a report without input hashes)");
    }
    if before.version != after.version || causes.is_empty() {
        causes.push("tool");
    }
    causes
}

/// YAML paths per pair of content files, read once.
#[derive(Default)]
struct PathCache(HashMap<(PathBuf, PathBuf), Vec<String>>);

impl PathCache {
    fn get(&mut self, a: &Entry, b: &Entry, given: &ContentFiles) -> Vec<String> {
        let before = given
            .before
            .clone()
            .unwrap_or_else(|| PathBuf::from(&a.content));
        let after = given
            .after
            .clone()
            .unwrap_or_else(|| PathBuf::from(&b.content));
        // One file named by both reports was overwritten by the change: its
        // earlier text is gone.
        if before == after && given.before.is_none() {
            return Vec::new();
        }
        self.0
            .entry((before.clone(), after.clone()))
            .or_insert_with(|| {
                let read = |p: &Path| {
                    std::fs::read_to_string(p)
                        .ok()
                        .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
                };
                match (read(&before), read(&after)) {
                    (Some(x), Some(y)) => yaml::changed_paths(&x, &y),
                    _ => Vec::new(),
                }
            })
            .clone()
    }
}

impl Diff {
    /// Whether the exit status is 1 under `--fail-on`.
    pub fn fails(&self, fail_on: crate::cli::FailOn) -> bool {
        use crate::cli::FailOn;
        self.documents.iter().any(|d| match (&d.change, fail_on) {
            (_, FailOn::None) | (Change::Identical, _) => false,
            (
                Change::Changed {
                    pages_before,
                    pages_after,
                    ..
                },
                FailOn::Pages,
            ) => pages_before != pages_after,
            _ => true,
        })
    }
}

impl Build {
    /// Where a document's PDF is: beside the report, or where the report
    /// says it was written.
    fn pdf(&self, name: &str) -> PathBuf {
        let beside = self.report.parent().unwrap_or(Path::new(".")).join(name);
        match self.docs.get(name) {
            Some(d) if !beside.exists() => PathBuf::from(&d.output),
            _ => beside,
        }
    }
}

/// Fills in the pages of every changed document, on every core, and with
/// `html`, writes their pictures there.
pub fn compare_pages(
    diff: &mut Diff,
    before: &Build,
    after: &Build,
    html: Option<&Path>,
) -> Result<(), Error> {
    let jobs: Vec<(&String, &mut Vec<PageChange>, bool)> = diff
        .documents
        .iter_mut()
        .filter_map(|d| match &mut d.change {
            // Fonts, brand, layouts or the tool may draw the same page
            // stream differently: then every page is drawn.
            Change::Changed { pages, causes, .. } => {
                let all = causes
                    .iter()
                    .any(|c| !matches!(*c, "content" | "recipient" | "event"));
                Some((&d.document, pages, all))
            }
            _ => None,
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = jobs.len().div_ceil(threads).max(1);
    let mut jobs = jobs;
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks_mut(per)
            .map(|chunk| {
                s.spawn(move || -> Result<(), Error> {
                    for (name, pages, all) in chunk.iter_mut() {
                        **pages =
                            page_changes(name, &before.pdf(name), &after.pdf(name), html, *all)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join().unwrap_or_else(|_| {
                Err(Error::system(
                    "comparing pages failed",
                    "this is a bug in handout; please report it",
                ))
            })
        })
    })
}

fn page_changes(
    name: &str,
    before: &Path,
    after: &Path,
    html: Option<&Path>,
    all: bool,
) -> Result<Vec<PageChange>, Error> {
    let unreadable = |p: &Path| {
        Error::system(
            format!("cannot read the PDF {}", p.display()),
            "diff the folders a build wrote, with their PDFs beside the report",
        )
    };
    let open = |p: &Path| {
        std::fs::read(p)
            .ok()
            .and_then(pages::open)
            .ok_or_else(|| unreadable(p))
    };
    let (x, y) = (open(before)?, open(after)?);
    let (fa, fb) = (pages::fingerprints(&x), pages::fingerprints(&y));
    // A page is drawn when its stream or images differ (or cannot be
    // told apart), or it is only in one.
    let wanted: Vec<bool> = (0..fa.len().max(fb.len()))
        .map(|i| all || fa.get(i) != fb.get(i) || fa.get(i) == Some(&None))
        .collect();
    let (a, b) = (
        pages::draw(&x, Some(&wanted)),
        pages::draw(&y, Some(&wanted)),
    );
    let mut out = Vec::new();
    for i in 0..a.len().max(b.len()) {
        let (pa, pb) = (
            a.get(i).and_then(Option::as_ref),
            b.get(i).and_then(Option::as_ref),
        );
        let regions = match (pa, pb) {
            (Some(x), Some(y)) => pages::regions(&x.drawn, &y.drawn),
            (_, Some(p)) | (Some(p), None) => pages::regions(
                &pages::Drawn {
                    width: 0,
                    height: 0,
                    rgba: Vec::new(),
                },
                &p.drawn,
            ),
            (None, None) => Vec::new(),
        };
        let none = Vec::new();
        let (removed, added) = pages::word_diff(
            pa.map_or(&none, |p| &p.words),
            pb.map_or(&none, |p| &p.words),
        );
        if regions.is_empty() && removed.is_empty() && added.is_empty() {
            continue;
        }
        let images = match html {
            Some(dir) => Some(html::pictures(dir, name, i + 1, pa, pb)?),
            None => None,
        };
        let shown = pb.or(pa).map_or((0.0, 0.0), |p| {
            let pt = |px: usize| px as f64 / f64::from(pages::SCALE);
            (pt(p.drawn.width), pt(p.drawn.height))
        });
        out.push(PageChange {
            page: i + 1,
            size: shown,
            regions,
            words_removed: removed,
            words_added: added,
            images,
        });
    }
    Ok(out)
}
