use std::process::ExitCode;

use clap::Parser;
use handout::cli::{Cli, Command};
use handout::commands;

/// Typst allocates many small, short-lived objects; mimalloc handles that
/// pattern markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Build(args) => commands::build(args),
        Command::Check(args) => commands::check(args),
        Command::Eject(args) => commands::eject(args),
        Command::List(args) => commands::list(args),
        Command::Watch(args) => commands::watch(args),
        Command::New(args) => commands::new(args),
        Command::Schema => commands::schema(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            commands::print_error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
