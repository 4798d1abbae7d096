//! `handout completions` and `handout man`: what shells and `man` read,
//! written from the same clap definitions that parse the command line.

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::Error;

pub fn completions(args: &CompletionsArgs) -> Result<(), Error> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "handout", &mut out);
    print!("{}", String::from_utf8_lossy(&out));
    Ok(())
}

/// Writes `handout.1`, which lists every command, and `handout-COMMAND.1`
/// with each command's options, as git's pages are split.
pub fn man(args: &ManArgs) -> Result<(), Error> {
    crate::output::prepare_dir(&args.out_dir, "--out-dir")?;
    let command = Cli::command();
    let mut pages = vec![("handout".to_string(), command.clone())];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("handout-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name.clone()).bin_name(name)));
    }
    for (name, command) in pages {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut page)
            .map_err(|e| Error::Internal(format!("cannot render the manual page {name}: {e}")))?;
        let path = args.out_dir.join(format!("{name}.1"));
        crate::output::write_atomic(&path, &page).map_err(|d| Error::Content(vec![d]))?;
    }
    println!("wrote {}", args.out_dir.join("handout.1").display());
    Ok(())
}
