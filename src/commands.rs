//! The subcommands, on top of the pipeline modules.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::batch::{self, Goals};
use crate::cli::{BuildArgs, CheckArgs, EjectArgs, ListArgs};
use crate::diag::{Diagnostic, Severity};
use crate::error::Error;
use crate::layouts::LayoutFiles;
use crate::output::{Report, ReportEntry, Totals};
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
    let contents = batch::load_all(&paths)?;
    let layouts = layouts(args.layout.layouts.as_deref())?;
    check_layout(&layouts, &args.layout.layout)?;
    let goals = match (&args.goal, args.all_goals) {
        (Some(g), _) => Goals::One(g.clone()),
        (None, true) => Goals::All,
        (None, false) => Goals::Generic,
    };
    let axes = batch::Axes {
        goals: &goals,
        papers: &args.paper,
        editions: &args.edition,
        layout: &args.layout.layout,
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
    crate::output::prepare_dir(&args.out_dir)?;
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
    let results = batch::run(
        &env,
        &settings,
        &contents,
        &docs,
        jobs,
        args.keep_going,
        &on_done,
    )?;
    let wall = start.elapsed();
    progress.finish();

    let failed = results.iter().filter(|d| d.result.is_err()).count();
    let skipped = total - results.len();
    if let Some(path) = &args.report {
        let report = report(
            &contents,
            &docs,
            results,
            wall.as_millis() as u64,
            jobs,
            args.shard,
        );
        report.write(path)?;
    }
    if failed > 0 {
        if skipped > 0 {
            eprintln!(
                "stopped after a failure; {skipped} documents were not rendered (use --keep-going to render them)"
            );
        }
        return Err(Error::Failed { failed, total });
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
        pages: documents.iter().filter_map(|d| d.pages).sum(),
        bytes: documents.iter().filter_map(|d| d.bytes).sum(),
        ms,
        jobs,
        shard: shard.map(|s| s.to_string()),
    };
    Report {
        format: 1,
        handout_version: env!("CARGO_PKG_VERSION"),
        documents,
        totals,
    }
}

pub fn check(args: &CheckArgs) -> Result<(), Error> {
    let paths = batch::expand_inputs(&args.content)?;
    let contents = batch::load_all(&paths)?;
    for c in &contents {
        println!("{}: ok", c.name);
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
    let goals: Vec<_> = c.career_mapping.iter().flat_map(|m| &m.goals).collect();
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
        layout,
        format: crate::render::Format::Pdf,
    };
    let doc = batch::plan(contents, &axes, &args.out)?.remove(0);
    let settings = Settings {
        bleed: args.bleed,
        ..Settings::default()
    };
    let goal = doc.goal.as_ref().and_then(|id| {
        loaded
            .content
            .career_mapping
            .as_ref()?
            .goals
            .iter()
            .find(|g| &g.id == id)
    });
    let job = crate::render::Job {
        content: &loaded.content,
        goal,
        paper: doc.paper,
        edition: doc.edition,
        layout,
        settings: &settings,
    };

    let out = &args.out;
    crate::output::prepare_dir(out)?;
    let write = |rel: &str, bytes: &[u8]| -> Result<(), Error> {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            crate::output::prepare_dir(dir)?;
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
