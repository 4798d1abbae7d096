//! `handout check`: validate content files without rendering.

use crate::batch;
use crate::cli::CheckArgs;
use crate::error::Error;
use crate::terminal::emit;

pub fn run(args: &CheckArgs) -> Result<(), Error> {
    let paths = batch::expand_inputs(&args.content)?;
    let contents = batch::load_all(&paths)?;
    for c in &contents {
        emit(&c.warnings);
    }
    for c in &contents {
        match c.warnings.len() {
            0 => println!("{}: ok", c.name),
            n => println!(
                "{}: ok, with {n} warning{}",
                c.name,
                if n == 1 { "" } else { "s" }
            ),
        }
    }
    Ok(())
}
