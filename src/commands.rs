//! The subcommands, on top of the pipeline modules.

use std::io::Write;
use std::sync::Mutex;

use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::batch::{self, Goals};
use crate::cli::{BuildArgs, CheckArgs, ListArgs};
use crate::diag::{Diagnostic, Severity};
use crate::error::Error;
use crate::layouts::LayoutFiles;
use crate::world::Env;

/// Prints diagnostics to stderr, with colour on a terminal.
pub fn emit(diags: &[Diagnostic]) {
    let choice = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
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
    let paths = batch::expand_inputs(&args.content);
    if paths.is_empty() {
        return Err(Error::Usage(vec![
            Diagnostic::error("no content files found")
                .with_hint("pass YAML files, or folders that hold them"),
        ]));
    }
    let contents = batch::load_all(&paths)?;
    let layouts = layouts(args.layout.layouts.as_deref())?;
    if !layouts.names().contains(&args.layout.layout.as_str()) {
        return Err(Error::Usage(vec![
            Diagnostic::error(format!("there is no layout named `{}`", args.layout.layout))
                .with_hint(format!("the layouts are: {}", layouts.names().join(", "))),
        ]));
    }
    let goals = match (&args.goal, args.all_goals) {
        (Some(g), _) => Goals::One(g.clone()),
        (None, true) => Goals::All,
        (None, false) => Goals::Generic,
    };
    let docs = batch::plan(
        &contents,
        &goals,
        &args.paper,
        &args.layout.layout,
        &args.out_dir,
    )?;
    crate::output::prepare_dir(&args.out_dir)?;
    let env = Env::new(layouts);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));

    let total = docs.len();
    let printed = Mutex::new(0usize);
    let quiet = args.quiet;
    let on_done = |done: &batch::Done| {
        let doc = &docs[done.planned];
        let mut n = printed.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        match &done.result {
            Ok(w) => {
                let warnings: Vec<_> = w
                    .warnings
                    .iter()
                    .filter(|d| d.severity == Severity::Warning)
                    .cloned()
                    .collect();
                emit(&warnings);
                if !quiet {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(
                        out,
                        "[{}/{total}] wrote {} ({} pages, {} KB, {} ms)",
                        *n,
                        doc.output.display(),
                        w.pages,
                        w.bytes.div_ceil(1024),
                        done.millis
                    );
                }
            }
            Err(diags) => {
                eprintln!("[{}/{total}] failed {}", *n, doc.output.display());
                emit(diags);
            }
        }
    };
    let results = batch::run(&env, &contents, &docs, jobs, false, &on_done)?;
    let failed = results.iter().filter(|d| d.result.is_err()).count();
    if failed > 0 {
        // A layout error is the user's to fix, like a content error.
        return Err(Error::Failed { failed, total });
    }
    Ok(())
}

pub fn check(args: &CheckArgs) -> Result<(), Error> {
    let paths = batch::expand_inputs(&args.content);
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
