use std::process::ExitCode;

use clap::Parser;
use handout::cli::{Cli, Command};
use handout::commands;
use handout::diag::Diagnostic;
use handout::error::Error;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Build(args) => commands::build(args),
        Command::Check(args) => commands::check(args),
        Command::Eject(args) => commands::eject(args),
        Command::List(args) => commands::list(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match &err {
                Error::Content(diags) | Error::Usage(diags) => {
                    commands::emit(diags);
                    let n = diags.len();
                    if n > 1 {
                        eprintln!("{n} errors; nothing was written");
                    }
                }
                Error::Failed { failed, total } => {
                    eprintln!("{failed} of {total} documents failed");
                }
                Error::Internal(message) => {
                    commands::emit(&[Diagnostic::error(format!("internal error: {message}"))
                        .with_hint(
                            "this is a bug in handout; please report it with the command you ran",
                        )]);
                }
            }
            ExitCode::from(err.exit_code())
        }
    }
}
