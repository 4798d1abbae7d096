//! `handout diff`: two builds compared by their reports. Documents pair by
//! output file name; a pair whose PDFs have the same sha256 is identical.
//! For the others, the hashes of their inputs say why they changed, and
//! with both content files at hand, which YAML paths did.

mod changes;
mod html;
mod images;
mod out;
pub mod pages;
mod yaml;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use changes::compare_pages;
pub use html::write as write_html;
pub use out::{markdown, summary};

use crate::error::Error;
use crate::fingerprint::Inputs;

/// The part of a build's report that `diff` reads.
#[derive(Debug, Deserialize)]
struct ReportFile {
    handout_version: String,
    documents: Vec<Entry>,
    #[serde(default)]
    content_files: Vec<crate::fingerprint::ContentText>,
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
    /// The folder its PDFs are read from: the one given, or the report's.
    dir: PathBuf,
    version: String,
    docs: BTreeMap<String, Entry>,
    /// The content files' texts the reports keep, by their hash.
    texts: HashMap<String, String>,
}

/// A report larger than this is refused unread.
const MAX_REPORT_BYTES: u64 = 64 * 1024 * 1024;

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
        let mut texts = HashMap::new();
        for report in &reports {
            if let Some(why) = crate::diag::unreadable_input(report, MAX_REPORT_BYTES) {
                return Err(Error::system(
                    format!("cannot read the report {}: {why}", report.display()),
                    "give the output folder of a build that wrote --report, or the report itself",
                ));
            }
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
            texts.extend(file.content_files.into_iter().map(|c| (c.sha256, c.text)));
            for d in file.documents.into_iter().filter(|d| d.status == "ok") {
                let name = file_name(&d.output);
                if docs.insert(name.clone(), d).is_some() {
                    return Err(Error::system(
                        format!(
                            "{name} is listed twice in the reports of {}",
                            path.display()
                        ),
                        "each document once: give the folder of one build, or its report",
                    ));
                }
            }
        }
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().unwrap_or(Path::new(".")).to_path_buf()
        };
        Ok(Self {
            report: reports[0].clone(),
            dir,
            version,
            docs,
            texts,
        })
    }
}

/// The reports in `dir`; else the one a build keeps there for reuse.
fn find_reports(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found = reports_in(dir);
    if found.is_empty() {
        found = reports_in(&dir.join(crate::output::KEPT_DIR));
    }
    if found.is_empty() {
        return Err(Error::system(
            format!("{} has no build report", dir.display()),
            "give the output folder of a build, or the report that --report wrote",
        ));
    }
    Ok(found)
}

fn reports_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        // A pipe or a huge file is never read: it is not a report.
        .filter(|p| crate::diag::unreadable_input(p, MAX_REPORT_BYTES).is_none())
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| serde_json::from_str::<ReportFile>(&t).is_ok())
        })
        .collect();
    found.sort();
    found
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
        /// Why the content changed but its paths cannot be named.
        #[serde(skip_serializing_if = "Option::is_none")]
        yaml_paths_unknown: Option<String>,
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

pub fn compare(before: &Build, after: &Build, given: &ContentFiles) -> Result<Diff, Error> {
    let mut paths = PathCache::default();
    let mut names: Vec<&String> = before.docs.keys().chain(after.docs.keys()).collect();
    names.sort();
    names.dedup();
    let documents = names
        .into_iter()
        .map(|name| -> Result<DocDiff, Error> {
            let change = match (before.docs.get(name), after.docs.get(name)) {
                (Some(a), Some(b)) if a.sha256.is_some() && a.sha256 == b.sha256 => {
                    Change::Identical
                }
                (Some(a), Some(b)) => {
                    let causes = causes(a, b, before, after);
                    let (yaml_paths, yaml_paths_unknown) = if causes.contains(&"content") {
                        paths.get(a, b, (before, after), given)?
                    } else {
                        (Vec::new(), None)
                    };
                    Change::Changed {
                        pages_before: a.pages,
                        pages_after: b.pages,
                        causes,
                        yaml_paths,
                        yaml_paths_unknown,
                        pages: Vec::new(),
                    }
                }
                (Some(a), None) => Change::Removed { pages: a.pages },
                (None, Some(b)) => Change::Added { pages: b.pages },
                (None, None) => Change::Identical,
            };
            Ok(DocDiff {
                document: name.clone(),
                change,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Diff {
        before: before.report.display().to_string(),
        after: after.report.display().to_string(),
        documents,
    })
}

/// The inputs whose hashes differ; "tool" when none does, or when the
/// handout versions differ.
fn causes(a: &Entry, b: &Entry, before: &Build, after: &Build) -> Vec<&'static str> {
    let mut causes = Vec::new();
    if let (Some(x), Some(y)) = (&a.inputs, &b.inputs) {
        // Reports from before a field was kept leave it empty.
        let differ = |p: &str, q: &str| !p.is_empty() && !q.is_empty() && p != q;
        let pairs: [(&'static str, bool); 8] = [
            ("content", x.content != y.content),
            ("layout", x.layouts != y.layouts),
            ("brand", x.brand != y.brand),
            ("fonts", x.fonts != y.fonts),
            ("recipient", x.recipient != y.recipient),
            ("event", x.event != y.event),
            ("options", differ(&x.options, &y.options)),
            ("tool", differ(&x.tool, &y.tool)),
        ];
        causes.extend(pairs.iter().filter(|p| p.1).map(|p| p.0));
    } else {
        causes.push("unknown (a report without input hashes)");
    }
    if (before.version != after.version || causes.is_empty()) && !causes.contains(&"tool") {
        causes.push("tool");
    }
    causes
}

/// YAML paths per pair of content texts, found once.
#[derive(Default)]
struct PathCache(HashMap<(String, String), (Vec<String>, Option<String>)>);

impl PathCache {
    /// The YAML paths that differ between the content of `a` and of `b`:
    /// from the texts the reports keep, else from the files given or
    /// named, else why they cannot be named.
    fn get(
        &mut self,
        a: &Entry,
        b: &Entry,
        (x, y): (&Build, &Build),
        given: &ContentFiles,
    ) -> Result<(Vec<String>, Option<String>), Error> {
        let kept = |build: &Build, e: &Entry| {
            let hash = &e.inputs.as_ref()?.content;
            Some((hash.clone(), build.texts.get(hash)?.clone()))
        };
        if given.before.is_none()
            && given.after.is_none()
            && let (Some((ha, ta)), Some((hb, tb))) = (kept(x, a), kept(y, b))
        {
            let found = self
                .0
                .entry((ha, hb))
                .or_insert_with(|| (changed_in(&ta, &tb), None));
            return Ok(found.clone());
        }
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
            return Ok((
                Vec::new(),
                Some(format!(
                    "{} was edited in place and the earlier report keeps no copy of it (a report from before copies were kept); give --content-before",
                    before.display()
                )),
            ));
        }
        // A pipe would never end, as for every other command.
        for p in [&before, &after] {
            if let Some(why) = crate::diag::unreadable_input(p, crate::content::MAX_CONTENT_BYTES) {
                return Err(Error::system(
                    format!("cannot read the content file {}: {why}", p.display()),
                    "give --content-before and --content-after the YAML files of the two builds",
                ));
            }
        }
        let key = (before.display().to_string(), after.display().to_string());
        let found = self.0.entry(key).or_insert_with(|| {
            match (
                std::fs::read_to_string(&before),
                std::fs::read_to_string(&after),
            ) {
                (Ok(x), Ok(y)) => (changed_in(&x, &y), None),
                _ => (
                    Vec::new(),
                    Some(format!(
                        "cannot read {} or {}",
                        before.display(),
                        after.display()
                    )),
                ),
            }
        });
        Ok(found.clone())
    }
}

/// The YAML paths whose values differ between two texts.
fn changed_in(before: &str, after: &str) -> Vec<String> {
    let read = |t: &str| serde_yaml::from_str::<serde_yaml::Value>(t).ok();
    match (read(before), read(after)) {
        (Some(x), Some(y)) => yaml::changed_paths(&x, &y),
        _ => Vec::new(),
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
    /// Where a document's PDF is: in the folder given, never elsewhere
    /// (the report's `output` may name the other build's file), with the
    /// sha256 its report gives.
    fn pdf(&self, name: &str) -> (PathBuf, Option<&str>) {
        (
            self.dir.join(name),
            self.docs.get(name).and_then(|d| d.sha256.as_deref()),
        )
    }
}
