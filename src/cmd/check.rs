//! `handout check`: read the project as `build` would, without rendering.

use crate::cli::CheckArgs;
use crate::diag::count;
use crate::email::suppress::Suppression;
use crate::error::Error;
use crate::project::{Policy, Project};

pub fn run(args: &CheckArgs) -> Result<(), Error> {
    let mut sources = args.project.sources(args.content.clone());
    args.audience.add_to(&mut sources);
    let policy = Policy {
        deny_warnings: args.deny_warnings,
        warn: true,
        ..Policy::default()
    };
    // Read first: a list that cannot be read is reported even when the
    // content has errors of its own.
    let suppress = match &args.suppress {
        Some(path) => Some((path, Suppression::load(path)?)),
        None => None,
    };
    let project = Project::load(&sources, policy)?;
    for b in &project.brands {
        println!("{}: ok", b.display);
    }
    for c in &project.contents {
        match c.warnings.len() {
            0 => println!("{}: ok", c.name),
            n => println!("{}: ok, with {}", c.name, count(n, "warning", "warnings")),
        }
    }
    if let (Some(path), Some(_)) = (&sources.event, &project.event) {
        println!("{}: ok", path.display());
    }
    if let Some(people) = &project.recipients {
        println!(
            "{}: ok, {}",
            people.file,
            count(people.rows.len(), "recipient", "recipients")
        );
    }
    if let Some((path, list)) = suppress {
        println!(
            "{}: ok, {} and {}",
            path.display(),
            count(list.addresses(), "address", "addresses"),
            count(list.domains(), "domain", "domains")
        );
    }
    Ok(())
}
