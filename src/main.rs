use std::process::ExitCode;

use handout::cli::{Cli, Command};
use handout::cmd;
use handout::terminal::Effect;

/// Typst allocates many small, short-lived objects; mimalloc handles that
/// pattern markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::from_args();
    let result = match &cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Eject(args) => cmd::eject::run(args),
        Command::List(args) => cmd::list::run(args),
        Command::Watch(args) => cmd::watch::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::New(args) => cmd::new::run(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Send(args) => cmd::send::run(args),
        // As `diff` has it: 1 when something changed, 2 on an error.
        Command::Diff(args) => {
            return match cmd::diff::run(args) {
                Ok(changed) => ExitCode::from(u8::from(changed)),
                Err(err) => {
                    handout::terminal::print_error(&err, Effect::Reads);
                    ExitCode::from(2)
                }
            };
        }
        Command::Completions(args) => cmd::docs::completions(args),
        Command::Man(args) => cmd::docs::man(args),
        Command::Worker => cmd::worker::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let effect = match cli.command {
                Command::Check(_)
                | Command::List(_)
                | Command::Schema(_)
                | Command::Serve(_)
                | Command::Completions(_) => Effect::Reads,
                Command::Send(_) => Effect::Sends,
                _ => Effect::Writes,
            };
            handout::terminal::print_error(&err, effect);
            ExitCode::from(err.exit_code())
        }
    }
}
