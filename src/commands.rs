//! The subcommands, on top of the pipeline modules.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::batch::{self, Goals};
use crate::cli::{BuildArgs, CheckArgs, EjectArgs, ListArgs, NewArgs};
use crate::diag::{Diagnostic, Severity};
use crate::error::Error;
use crate::layouts::LayoutFiles;
use crate::output::{Report, ReportEntry, Totals, UnusableEntry};
use crate::render::Settings;
use crate::world::Env;

/// Prints diagnostics to stderr, with colour on a terminal.
pub fn emit(diags: &[Diagnostic]) {
    let choice = if std::io::stderr().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut out = StandardStream::stderr(choice);
    for d in diags {
        if d.emit(&mut out).is_err() {
            eprintln!("{d}");
        }
    }
}

fn layouts(dir: Option<&std::path::Path>) -> Result<LayoutFiles, Error> {
    match dir {
        Some(dir) => Ok(LayoutFiles::with_overrides(dir)?),
        None => Ok(LayoutFiles::builtin()),
    }
}

pub fn build(args: &BuildArgs) -> Result<(), Error> {
    let paths = batch::expand_inputs(&args.content)?;
    if paths.is_empty() {
        return Err(Error::Usage(vec![
            Diagnostic::error("no content files found")
                .with_hint("pass YAML files, or folders that hold them"),
        ]));
    }
    let (contents, unusable) = usable_content(&paths, args.deny_warnings, args.keep_going)?;
    let layouts = layouts(args.layout.layouts.as_deref())?;
    for name in &args.layout.layout {
        check_layout(&layouts, name)?;
    }
    let goals = match (&args.goal, args.all_goals) {
        (Some(g), _) => Goals::One(g.clone()),
        (None, true) => Goals::All,
        (None, false) => Goals::Generic,
    };
    let axes = batch::Axes {
        goals: &goals,
        papers: &args.paper,
        editions: &args.edition,
        layouts: &args.layout.layout,
        format: args.format,
    };
    let mut docs = batch::plan(&contents, &axes, &args.out_dir)?;
    if let Some(shard) = args.shard {
        docs = docs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % shard.n == shard.k - 1)
            .map(|(_, d)| d)
            .collect();
    }
    crate::output::prepare_dir(&args.out_dir, "--out-dir")?;
    if let Some(report) = &args.report {
        crate::output::prepare_report(report)?;
    }
    let env = Env::new(layouts);
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );

    let total = docs.len();
    let progress = Progress::new(total, args.quiet);
    let on_done = |done: &batch::Done| progress.done(&docs[done.planned], done);
    let start = Instant::now();
    let settings = Settings {
        bleed: args.bleed,
        standards: args.pdf_standard.clone(),
        format: args.format,
        ppi: args.ppi,
        thumbnail: args.thumbnail,
    };
    let write_report = |results: Vec<batch::Done>, wall: std::time::Duration| match &args.report {
        Some(path) => report(
            &contents,
            &unusable,
            &docs,
            results,
            wall.as_millis() as u64,
            jobs,
            args.shard,
        )
        .write(path),
        None => Ok(()),
    };
    let on_timeout = |results: Vec<batch::Done>| {
        progress.finish();
        if let Err(e) = write_report(results, start.elapsed()) {
            emit(&[e]);
        }
        // Typst cannot be interrupted: end the process. Files are written
        // atomically, so nothing half-written is left behind.
        std::process::exit(1);
    };
    let opts = batch::RunOptions {
        jobs,
        keep_going: args.keep_going,
        deny_warnings: args.deny_warnings,
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        on_done: &on_done,
        on_timeout: &on_timeout,
    };
    let results = batch::run(&env, &settings, &contents, &docs, &opts)?;
    let wall = start.elapsed();
    progress.finish();

    let failed = results.iter().filter(|d| d.result.is_err()).count();
    let skipped = total - results.len();
    let unreadable = unusable.len();
    write_report(results, wall)?;
    if failed > 0 || unreadable > 0 {
        if skipped > 0 {
            let was = if skipped == 1 {
                "document was"
            } else {
                "documents were"
            };
            eprintln!(
                "stopped after a failure; {skipped} {was} not rendered (use --keep-going to render them)"
            );
        }
        return Err(Error::Failed {
            failed,
            total,
            unreadable,
        });
    }
    if !args.quiet {
        let s = if total == 1 { "" } else { "s" };
        eprintln!(
            "rendered {total} document{s} in {:.2} s",
            wall.as_secs_f64()
        );
    }
    Ok(())
}

/// Loads the content files and prints their warnings. A file that fails to
/// load, or has warnings under `deny`, fails the build before anything is
/// rendered; with `keep_going`, it is set aside and the rest are rendered.
fn usable_content(
    paths: &[std::path::PathBuf],
    deny: bool,
    keep_going: bool,
) -> Result<(Vec<crate::content::Loaded>, Vec<batch::Unusable>), Error> {
    let (loaded, mut unusable) = batch::load_each(paths);
    let mut contents = Vec::new();
    for c in loaded {
        if c.warnings.is_empty() {
            contents.push(c);
        } else if !deny {
            emit(&c.warnings);
            contents.push(c);
        } else {
            let mut errors = c.warnings;
            for w in &mut errors {
                w.severity = Severity::Error;
                w.hints
                    .push("--deny-warnings turns warnings into errors".into());
            }
            unusable.push(batch::Unusable {
                name: c.name,
                errors,
            });
        }
    }
    if unusable.is_empty() {
        return Ok((contents, unusable));
    }
    if !keep_going || contents.is_empty() {
        return Err(Error::Content(
            unusable.into_iter().flat_map(|u| u.errors).collect(),
        ));
    }
    unusable.sort_by(|a, b| a.name.cmp(&b.name));
    for u in &unusable {
        emit(&u.errors);
    }
    let s = if unusable.len() == 1 { "" } else { "s" };
    eprintln!(
        "{} content file{s} set aside; rendering the rest (--keep-going)",
        unusable.len()
    );
    Ok((contents, unusable))
}

/// Prints the content files' warnings.
fn content_warnings(contents: &[crate::content::Loaded]) {
    for c in contents {
        emit(&c.warnings);
    }
}

fn check_layout(layouts: &LayoutFiles, name: &str) -> Result<(), Error> {
    if layouts.names().contains(&name) {
        return Ok(());
    }
    Err(Error::Usage(vec![
        Diagnostic::error(format!("there is no layout named `{name}`"))
            .with_hint(format!("the layouts are: {}", layouts.names().join(", "))),
    ]))
}

/// A progress bar on a terminal, one line per document otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    count: Mutex<usize>,
    total: usize,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template(
                "{bar:32.cyan/blue} {pos}/{len} {msg} [{elapsed}, {eta} left]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            quiet,
            count: Mutex::new(0),
            total,
        }
    }

    fn done(&self, doc: &batch::Planned, done: &batch::Done) {
        let mut n = self.count.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        let (warnings, errors) = match &done.result {
            Ok(w) => (w.warnings.clone(), Vec::new()),
            Err(diags) => diags
                .iter()
                .cloned()
                .partition(|d| d.severity == Severity::Warning),
        };
        let print = |diags: &[Diagnostic]| match &self.bar {
            Some(bar) => bar.suspend(|| emit(diags)),
            None => emit(diags),
        };
        let name = doc.output.display();
        match &done.result {
            Ok(w) => {
                print(&warnings);
                let line = format!(
                    "wrote {name} ({} pages, {} KB, {} ms)",
                    w.pages,
                    w.bytes.div_ceil(1024),
                    done.millis
                );
                match &self.bar {
                    Some(bar) => {
                        bar.set_message(name.to_string());
                        bar.inc(1);
                    }
                    None if !self.quiet => {
                        let _ =
                            writeln!(std::io::stdout().lock(), "[{}/{}] {line}", *n, self.total);
                    }
                    None => {}
                }
            }
            Err(_) => {
                let line = format!("[{}/{}] failed {name}", *n, self.total);
                match &self.bar {
                    Some(bar) => {
                        bar.suspend(|| eprintln!("{line}"));
                        bar.inc(1);
                    }
                    None => eprintln!("{line}"),
                }
                print(&errors);
                print(&warnings);
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn report(
    contents: &[crate::content::Loaded],
    unusable: &[batch::Unusable],
    docs: &[batch::Planned],
    results: Vec<batch::Done>,
    ms: u64,
    jobs: usize,
    shard: Option<crate::cli::Shard>,
) -> Report {
    let mut by_doc: Vec<Option<batch::Done>> = (0..docs.len()).map(|_| None).collect();
    for done in results {
        let i = done.planned;
        by_doc[i] = Some(done);
    }
    let plain = |d: &Diagnostic| d.to_string();
    let documents: Vec<ReportEntry> = docs
        .iter()
        .zip(by_doc)
        .map(|(doc, done)| {
            let loaded = &contents[doc.content];
            let mut entry = ReportEntry {
                content: loaded.name.clone(),
                id: loaded.content.id.clone(),
                goal: doc.goal.clone(),
                paper: doc.paper.name(),
                edition: doc.edition.name(),
                layout: doc.layout.clone(),
                output: doc.output.display().to_string(),
                status: "skipped",
                pages: None,
                bytes: None,
                sha256: None,
                warnings: Vec::new(),
                errors: Vec::new(),
                ms: None,
            };
            if let Some(done) = done {
                entry.ms = Some(done.millis);
                match done.result {
                    Ok(w) => {
                        entry.status = "ok";
                        entry.pages = Some(w.pages);
                        entry.bytes = Some(w.bytes);
                        entry.sha256 = Some(w.sha256);
                        entry.warnings = w.warnings.iter().map(plain).collect();
                    }
                    Err(diags) => {
                        entry.status = "failed";
                        for d in &diags {
                            match d.severity {
                                Severity::Error => entry.errors.push(plain(d)),
                                Severity::Warning => entry.warnings.push(plain(d)),
                            }
                        }
                    }
                }
            }
            entry
        })
        .collect();
    let count = |s: &str| documents.iter().filter(|d| d.status == s).count();
    let totals = Totals {
        documents: documents.len(),
        ok: count("ok"),
        failed: count("failed"),
        skipped: count("skipped"),
        unusable_content: unusable.len(),
        pages: documents.iter().filter_map(|d| d.pages).sum(),
        bytes: documents.iter().filter_map(|d| d.bytes).sum(),
        ms,
        jobs,
        shard: shard.map(|s| s.to_string()),
    };
    let unusable_content = unusable
        .iter()
        .map(|u| UnusableEntry {
            content: u.name.clone(),
            errors: u.errors.iter().map(plain).collect(),
        })
        .collect();
    Report {
        format: 1,
        handout_version: env!("CARGO_PKG_VERSION"),
        documents,
        unusable_content,
        totals,
    }
}

pub fn check(args: &CheckArgs) -> Result<(), Error> {
    let paths = batch::expand_inputs(&args.content)?;
    let contents = batch::load_all(&paths)?;
    content_warnings(&contents);
    for c in &contents {
        let n = c.warnings.len();
        match n {
            0 => println!("{}: ok", c.name),
            _ => println!(
                "{}: ok, with {n} warning{}",
                c.name,
                if n == 1 { "" } else { "s" }
            ),
        }
    }
    Ok(())
}

pub fn list(args: &ListArgs) -> Result<(), Error> {
    let loaded = crate::content::load(&args.content).map_err(Error::Content)?;
    let layouts = layouts(args.layouts.as_deref())?;
    let c = &loaded.content;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{} ({})", c.title, c.id);
    let _ = writeln!(out, "\noptions:");
    for o in &c.options {
        let _ = writeln!(out, "  {:<24} {}", o.id, o.name);
    }
    let _ = writeln!(out, "\ngoals (for --goal):");
    let goals: Vec<_> = c.goals().collect();
    if goals.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for g in goals {
        let _ = writeln!(out, "  {:<24} {} -> {}", g.id, g.goal, g.option);
    }
    let _ = writeln!(out, "\nlayouts (for --layout):");
    for name in layouts.names() {
        let _ = writeln!(out, "  {name}");
    }
    Ok(())
}

/// Writes the layout files, the document's data and the bundled fonts as a
/// plain Typst project that `typst compile` renders to the same pages.
pub fn eject(args: &EjectArgs) -> Result<(), Error> {
    let loaded = crate::content::load(&args.content).map_err(Error::Content)?;
    let layouts = layouts(args.layout.layouts.as_deref())?;
    let layout = args.layout.layout.as_str();
    check_layout(&layouts, layout)?;
    let goals = args.goal.clone().map_or(Goals::Generic, Goals::One);
    let contents = std::slice::from_ref(&loaded);
    let axes = batch::Axes {
        goals: &goals,
        papers: &[args.paper],
        editions: &[args.edition],
        layouts: std::slice::from_ref(&args.layout.layout),
        format: crate::render::Format::Pdf,
    };
    let doc = batch::plan(contents, &axes, &args.out)?.remove(0);
    let settings = Settings {
        bleed: args.bleed,
        ..Settings::default()
    };
    let goal = doc.goal.as_deref().and_then(|id| loaded.content.goal(id));
    let job = crate::render::Job {
        content: &loaded.content,
        goal,
        paper: doc.paper,
        edition: doc.edition,
        layout,
        settings: &settings,
    };

    let out = &args.out;
    crate::output::prepare_dir(out, "--out")?;
    let write = |rel: &str, bytes: &[u8]| -> Result<(), Error> {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            crate::output::prepare_dir(dir, "--out")?;
        }
        Ok(crate::output::write_atomic(&path, bytes)?)
    };
    for path in layouts.paths() {
        let file = layouts.get(path).expect("listed path");
        write(path, file.bytes.as_slice())?;
    }
    let (data, qr) = crate::render::document_files(&job);
    write("data.json", &data)?;
    for (i, svg) in qr.iter().enumerate() {
        write(&format!("qr/{i}.svg"), svg)?;
    }
    let main = format!(
        "// Renders {} with the data in data.json.\n// typst compile --font-path fonts --ignore-system-fonts main.typ\n#include \"{layout}.typ\"\n",
        doc.output
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    write("main.typ", main.as_bytes())?;
    for (name, bytes) in crate::world::FONTS {
        write(&format!("fonts/{name}"), bytes)?;
    }
    write("fonts/OFL.txt", crate::world::FONT_LICENSE)?;
    println!("wrote a Typst project to {}", out.display());
    println!(
        "render it with: typst compile --font-path {0}/fonts --ignore-system-fonts {0}/main.typ",
        out.display()
    );
    Ok(())
}

/// Prints an error the way the command line reports it.
pub fn print_error(err: &Error) {
    match err {
        Error::Content(diags) | Error::Usage(diags) => {
            emit(diags);
            let errors = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            if errors > 1 {
                eprintln!("{errors} errors; nothing was written");
            }
        }
        Error::Failed {
            failed,
            total,
            unreadable,
        } => {
            if *unreadable > 0 {
                let s = if *unreadable == 1 { " was" } else { "s were" };
                eprintln!("{unreadable} content file{s} not rendered because of errors");
            }
            if *failed > 0 || *unreadable == 0 {
                eprintln!("{failed} of {total} documents failed");
            }
        }
        Error::Internal(message) => {
            emit(&[Diagnostic::error(format!("internal error: {message}"))
                .with_hint("this is a bug in handout; please report it with the command you ran")])
        }
    }
}

pub fn schema() -> Result<(), Error> {
    print!("{}", crate::content::json_schema());
    Ok(())
}

pub fn new(args: &NewArgs) -> Result<(), Error> {
    if !crate::content::is_id(&args.id) {
        return Err(Error::Usage(vec![Diagnostic::error(format!("`{}` is not a valid id", args.id))
            .with_hint("ids use lowercase letters, digits and single hyphens, e.g. `data-analyst-vs-data-scientist`")]));
    }
    let path = args.dir.join(format!("{}.yaml", args.id));
    if path.exists() {
        return Err(Error::Usage(vec![
            Diagnostic::error(format!("{} already exists", path.display()))
                .with_hint("choose another id, or edit the existing file"),
        ]));
    }
    crate::output::prepare_dir(&args.dir, "--dir")?;
    crate::output::write_atomic(
        &path,
        crate::content::scaffold(&args.id, usize::from(args.options)).as_bytes(),
    )?;
    println!("wrote {}", path.display());
    println!(
        "fill in the placeholders, then run: handout check {}",
        path.display()
    );
    Ok(())
}

/// Builds, then rebuilds whenever a content file or a layout file changes.
/// Errors are printed and watching goes on; the last good output stays,
/// since files are only replaced by successful builds.
pub fn watch(args: &BuildArgs) -> Result<(), Error> {
    use notify::{RecursiveMode, Watcher};
    use std::time::Duration;

    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = tx.send(event);
        }
    })
    .map_err(|e| Error::Internal(format!("cannot watch files: {e}")))?;

    // Editors often save by replacing a file, so watch the folders.
    let inputs = batch::expand_inputs(&args.content)?;
    let mut dirs: Vec<std::path::PathBuf> = inputs
        .iter()
        .chain(&args.content)
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(|d| d.to_path_buf()).unwrap_or_default()
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
    let watch_errors = |path: &std::path::Path, e: notify::Error| {
        Error::Content(vec![Diagnostic::error(format!(
            "cannot watch {}: {e}",
            path.display()
        ))])
    };
    for dir in &dirs {
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(|e| watch_errors(dir, e))?;
    }
    if let Some(layouts) = &args.layout.layouts {
        watcher
            .watch(layouts, RecursiveMode::Recursive)
            .map_err(|e| watch_errors(layouts, e))?;
    }
    // Only the content files, new YAML files in content folders, and the
    // layout folder matter; not the output, logs or editor swap files.
    let canon = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let files: Vec<_> = inputs.iter().map(|p| canon(p)).collect();
    let folders: Vec<_> = args
        .content
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| canon(p))
        .collect();
    let layouts = args.layout.layouts.as_deref().map(canon);
    let relevant = |path: &std::path::Path| {
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        files.iter().any(|f| f == path)
            || (yaml
                && path
                    .parent()
                    .is_some_and(|d| folders.iter().any(|f| f == d)))
            || layouts.as_ref().is_some_and(|l| path.starts_with(l))
    };

    loop {
        if let Err(err) = build(args) {
            print_error(&err);
        }
        eprintln!("watching for changes (Ctrl-C to stop)");
        // Wait for a relevant change, then let a burst of saves settle:
        // until 150 ms pass without another one, and at most 2 s. Other
        // events (reads, logs, the output) are ignored throughout.
        use notify::EventKind::{Create, Modify, Remove};
        use notify::event::ModifyKind;
        let matters = |event: &notify::Event| {
            let changed = matches!(
                event.kind,
                Create(_)
                    | Remove(_)
                    | Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            );
            changed && event.paths.iter().any(|p| relevant(p))
        };
        loop {
            let event = rx
                .recv()
                .map_err(|_| Error::Internal("the file watcher stopped".into()))?;
            if matters(&event) {
                break;
            }
        }
        let settle = std::time::Instant::now() + Duration::from_secs(2);
        let mut quiet_until = std::time::Instant::now() + Duration::from_millis(150);
        while let Some(wait) = quiet_until
            .min(settle)
            .checked_duration_since(std::time::Instant::now())
        {
            match rx.recv_timeout(wait) {
                Ok(event) if matters(&event) => {
                    quiet_until = std::time::Instant::now() + Duration::from_millis(150)
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        if !args.quiet {
            eprintln!("change detected; rebuilding");
        }
    }
}
