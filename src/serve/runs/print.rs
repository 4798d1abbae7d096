//! A print run's choices from the page, turned into the `handout build`
//! command line they stand for and checked by the same parser and the same
//! config as that command: a choice the command line refuses, the page
//! refuses with the same message.

use std::path::PathBuf;

use clap::Parser;
use serde::Deserialize;

use super::RunsConfig;
use crate::cli::{Cli, Command};
use crate::config::BuildConfig;

/// The print panel's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrintRequest {
    /// `generic`, `all`, or `some` (then `goal_ids`).
    pub goals: String,
    pub goal_ids: Vec<String>,
    pub papers: Vec<String>,
    pub layouts: Vec<String>,
    pub editions: Vec<String>,
    /// `--pages`: empty for the layout's own.
    pub pages: String,
    pub booklet: bool,
    /// `--bleed`: empty for none.
    pub bleed: String,
    /// One of the events the panel offers; empty for none.
    pub event: String,
    /// The output folder, inside the project folder.
    pub out: String,
}

impl RunsConfig {
    /// The command line of a print run and its checked config, or every
    /// reason it cannot run.
    pub(super) fn print_args(
        &self,
        body: &[u8],
    ) -> Result<(Vec<String>, BuildConfig), Vec<String>> {
        let request: PrintRequest = serde_json::from_slice(body)
            .map_err(|e| vec![format!("the print run's request cannot be read: {e}")])?;
        let argv = self.print_argv(&request)?;
        let config = checked(&argv)?;
        Ok((argv, config))
    }

    fn print_argv(&self, r: &PrintRequest) -> Result<Vec<String>, Vec<String>> {
        let mut argv: Vec<String> = vec!["handout".into(), "build".into()];
        argv.extend(self.base.iter().cloned());
        let mut errors = Vec::new();
        let out = self.root.inside(
            if r.out.is_empty() { "out" } else { &r.out },
            "the output folder",
        );
        match out {
            Ok(out) => {
                argv.extend(["--out-dir".into(), path_arg(&out)]);
                argv.extend(["--report".into(), path_arg(&out.join("report.json"))]);
            }
            Err(why) => errors.push(why),
        }
        match r.goals.as_str() {
            "" | "generic" => {}
            "all" => argv.push("--all-goals".into()),
            "some" if r.goal_ids.is_empty() => {
                errors.push("no goal is chosen: tick one or more, or choose generic or all".into())
            }
            "some" => argv.extend(["--goal".into(), r.goal_ids.join(",")]),
            other => errors.push(format!(
                "`{other}` is not a choice of goals: generic, some or all"
            )),
        }
        // The command line leaves out what is its default.
        let lists = [
            ("--paper", &r.papers, "a4"),
            ("--layout", &r.layouts, "handout"),
            ("--edition", &r.editions, "print"),
        ];
        for (flag, values, default) in lists {
            if !values.is_empty() && values.as_slice() != [default] {
                argv.extend([flag.to_string(), values.join(",")]);
            }
        }
        if !r.pages.trim().is_empty() {
            argv.extend(["--pages".into(), r.pages.trim().into()]);
        }
        if r.booklet {
            argv.extend(["--imposition".into(), "booklet".into()]);
        }
        if !r.bleed.trim().is_empty() {
            argv.extend(["--bleed".into(), r.bleed.trim().into()]);
        }
        if !r.event.is_empty() {
            match self.events().into_iter().find(|e| *e == r.event) {
                Some(event) => argv.extend(["--event".into(), event]),
                None => errors.push(format!(
                    "`{}` is not one of the events: give `serve --event`, or put a `_NAME.yaml` event file in the content folder",
                    r.event
                )),
            }
        }
        if errors.is_empty() {
            Ok(argv)
        } else {
            Err(errors)
        }
    }

    /// The events a run may name: `serve --event`, and the `_*.yaml` files
    /// of the content folders that read as events.
    pub(super) fn events(&self) -> Vec<String> {
        let mut events: Vec<String> = self.event.iter().map(|p| path_arg(p)).collect();
        for folder in self.content_folders() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    name.starts_with('_') && (name.ends_with(".yaml") || name.ends_with(".yml"))
                })
                .filter(|p| crate::event::load(p).is_ok())
                .collect();
            found.sort();
            events.extend(found.iter().map(|p| path_arg(p)));
        }
        events.dedup();
        events
    }

    fn content_folders(&self) -> Vec<PathBuf> {
        self.base
            .iter()
            .take_while(|a| !a.starts_with("--"))
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .collect()
    }
}

/// A `handout build` command line, parsed and checked as the command
/// parses and checks it.
pub fn checked(argv: &[String]) -> Result<BuildConfig, Vec<String>> {
    let args = match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::Build(args),
        }) => args,
        Ok(_) => return Err(vec!["internal error: not a build".into()]),
        Err(e) => return Err(vec![e.render().to_string().trim_end().to_string()]),
    };
    let mut config = BuildConfig::new(&args).map_err(|e| super::view::error_texts(&e))?;
    // The page shows the progress; the server's terminal stays quiet.
    config.quiet = true;
    Ok(config)
}

fn path_arg(path: &std::path::Path) -> String {
    path.display().to_string()
}

/// The command line, quoted for a POSIX shell.
pub fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shlex::try_quote(a).map_or_else(|_| a.clone(), |q| q.into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}
