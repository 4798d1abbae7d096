//! `handout check`: validate content files without rendering.

use crate::batch;
use crate::cli::CheckArgs;
use crate::error::Error;
use crate::terminal::emit;

pub fn run(args: &CheckArgs) -> Result<(), Error> {
    // Fonts first: content warnings say what the build's fonts cannot show.
    crate::fonts::load(&args.font_dir)?;
    let paths = batch::expand_inputs(&args.content)?;
    let mut contents = batch::load_all(&paths)?;
    // A language without texts in the built-in layouts falls back to English.
    let fallbacks = crate::lang::fallback_warnings(&contents, crate::lang::Catalogs::builtin());
    for c in &mut contents {
        let name = c.name.clone();
        c.warnings.extend(
            fallbacks
                .iter()
                .filter(|w| w.file.as_deref() == Some(&name))
                .cloned(),
        );
        emit(&c.warnings);
    }
    crate::lang::check_fonts(&contents, crate::lang::Catalogs::builtin())?;
    let brands = crate::brand::for_contents(args.brand.as_deref(), &mut contents, false, false)?;
    for b in &brands {
        println!("{}: ok", b.display);
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
