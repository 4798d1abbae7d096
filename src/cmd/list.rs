//! `handout list`: the options and goals of a content file, and the layouts.

use std::io::Write;

use crate::cli::ListArgs;
use crate::error::Error;

pub fn run(args: &ListArgs) -> Result<(), Error> {
    let loaded = crate::content::load(&args.content).map_err(Error::Content)?;
    let layouts = super::layouts(args.layouts.as_deref())?;
    let c = &loaded.content;
    let mut text = format!("{} ({})\n\noptions:\n", c.title, c.id);
    for o in &c.options {
        text += &format!("  {:<24} {}\n", o.id, o.name);
    }
    text += "\ngoals (for --goal):\n";
    let goals: Vec<_> = c.goals().collect();
    if goals.is_empty() {
        text += "  (none)\n";
    }
    for g in goals {
        text += &format!("  {:<24} {} -> {}\n", g.id, g.goal, g.option);
    }
    text += "\nlayouts (for --layout):\n";
    for name in layouts.names() {
        text += &format!("  {name}\n");
    }
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}
