//! `handout watch`: build, then rebuild whenever a content file, a layout
//! file, or a brand file or one of its logos and fonts changes. Errors are printed and watching goes on; the last good
//! output stays, since files are only replaced by successful builds.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{Event, EventKind, RecursiveMode, Watcher};

use crate::brand;
use crate::cli::BuildArgs;
use crate::config::BuildConfig;
use crate::error::Error;
use crate::project::{Sources, expand_inputs};
use crate::signal::Cancel;
use crate::terminal::{Effect, print_error};

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    let config = BuildConfig::new(args)?;
    let cancel = Cancel::signals().map_err(|e| {
        Error::system(
            format!("cannot handle ctrl-c: {e}"),
            "this system refuses signal handlers; use `handout build` instead",
        )
    })?;
    let (_watcher, rx, scope) = watch(&config.sources)?;

    loop {
        match super::build::build(&config) {
            Ok(()) => {}
            Err(err @ Error::Interrupted(_)) => return Err(err),
            Err(err) => print_error(&err, Effect::Writes),
        }
        match scope.missing.iter().find(|p| !p.exists()) {
            Some(path) => eprintln!(
                "waiting for {} to appear, and for other changes (Ctrl-C to stop)",
                path.display()
            ),
            None => eprintln!("watching for changes (Ctrl-C to stop)"),
        }
        wait_for_change(&rx, &scope, &cancel, Duration::from_millis(150))?;
        if !config.quiet {
            eprintln!("change detected; rebuilding");
        }
    }
}

/// Starts watching what `sources` reads: the watcher (watching while it
/// lives), its events, and which of them matter.
pub(super) fn watch(
    sources: &Sources,
) -> Result<(notify::RecommendedWatcher, Receiver<Event>, Scope), Error> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        if let Ok(event) = event {
            let _ = tx.send(event);
        }
    })
    .map_err(|e| {
        Error::system(
            format!("cannot start watching files: {e}"),
            "the system's file watcher is unavailable; run `handout build` after each change instead",
        )
    })?;
    let scope = Scope::new(sources)?;
    for (dir, mode) in &scope.watched {
        watcher.watch(dir, *mode).map_err(|e| {
            Error::system(
                format!("cannot watch {}: {e}", dir.display()),
                "check that the folder exists and can be read; on Linux, raising \
                 fs.inotify.max_user_watches helps when the limit is reached",
            )
        })?;
    }

    Ok((watcher, rx, scope))
}

/// The folders to watch and the files in them that matter: the content
/// files, new YAML files in content folders, and the layout folder; not the
/// output, logs or editor swap files.
pub(super) struct Scope {
    watched: Vec<(PathBuf, RecursiveMode)>,
    /// Content files that do not exist yet.
    missing: Vec<PathBuf>,
    files: Vec<PathBuf>,
    folders: Vec<PathBuf>,
    layouts: Option<PathBuf>,
}

impl Scope {
    fn new(sources: &Sources) -> Result<Self, Error> {
        let inputs = expand_inputs(&sources.content)?;
        // Editors often save by replacing a file, so watch the folders.
        // The brand files in use and what they read, as the build finds them.
        let mut brand_files = Vec::new();
        let brands = sources
            .brand
            .iter()
            .cloned()
            .chain(inputs.iter().filter_map(|p| brand::find_for(p)));
        for path in brands {
            if let Ok((b, _)) = brand::load(&path) {
                brand_files.extend(b.sources);
            }
            brand_files.push(path);
        }
        // The recipients and event files are read by every build too.
        brand_files.extend(sources.recipients.iter().chain(&sources.event).cloned());
        let mut dirs: Vec<PathBuf> = inputs
            .iter()
            .chain(&sources.content)
            .chain(&brand_files)
            .map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            })
            .map(|d| {
                if d.as_os_str().is_empty() {
                    ".".into()
                } else {
                    d
                }
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        let mut watched: Vec<_> = dirs
            .into_iter()
            .map(|d| (d, RecursiveMode::NonRecursive))
            .collect();
        if let Some(layouts) = &sources.layouts {
            watched.push((layouts.clone(), RecursiveMode::Recursive));
        }
        for (dir, _) in &watched {
            if !dir.is_dir() {
                return Err(Error::usage(
                    format!("there is no folder {}", dir.display()),
                    "check the path; watch waits for a missing file, but its folder must exist",
                ));
            }
        }
        let canon = |p: &Path| absolute(p);
        Ok(Self {
            watched,
            missing: inputs.iter().filter(|p| !p.exists()).cloned().collect(),
            files: inputs
                .iter()
                .chain(&brand_files)
                .map(|p| canon(p))
                .collect(),
            folders: sources
                .content
                .iter()
                .filter(|p| p.is_dir())
                .map(|p| canon(p))
                .collect(),
            layouts: sources.layouts.as_deref().map(canon),
        })
    }

    fn matters(&self, event: &Event) -> bool {
        use EventKind::{Create, Modify, Remove};
        let changed = matches!(
            event.kind,
            Create(_)
                | Remove(_)
                | Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
        );
        changed && event.paths.iter().any(|p| self.relevant(p))
    }

    fn relevant(&self, path: &Path) -> bool {
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        // A brand file may appear beside content at any time.
        let brand = path.file_name().is_some_and(|n| n == brand::BRAND_FILE);
        self.files.iter().any(|f| f == path)
            || brand
            || (yaml
                && path
                    .parent()
                    .is_some_and(|d| self.folders.iter().any(|f| f == d)))
            || self.layouts.as_ref().is_some_and(|l| path.starts_with(l))
    }
}

/// Waits for a relevant change, then lets a burst of saves settle: until
/// `quiet` passes without another one, and at most 2 s. Other events
/// (reads, logs, the output) are ignored throughout.
pub(super) fn wait_for_change(
    rx: &Receiver<Event>,
    scope: &Scope,
    cancel: &Cancel,
    quiet: Duration,
) -> Result<(), Error> {
    let tick = Duration::from_millis(100);
    loop {
        if let Some(signal) = cancel.get() {
            return Err(Error::Interrupted(signal));
        }
        match rx.recv_timeout(tick) {
            Ok(event) if scope.matters(&event) => break,
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Error::system(
                    "the file watcher stopped",
                    "start `handout watch` again",
                ));
            }
        }
    }
    let settle = Instant::now() + Duration::from_secs(2);
    let mut quiet_until = Instant::now() + quiet;
    while let Some(wait) = quiet_until
        .min(settle)
        .checked_duration_since(Instant::now())
    {
        match rx.recv_timeout(wait) {
            Ok(event) if scope.matters(&event) => quiet_until = Instant::now() + quiet,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// The absolute path of `p`, also when it does not exist yet, as file
/// events name it.
fn absolute(p: &Path) -> PathBuf {
    if let Ok(real) = p.canonicalize() {
        return real;
    }
    let parent = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (parent.canonicalize(), p.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => p.to_path_buf(),
    }
}
