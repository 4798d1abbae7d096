//! `handout list`: the options and goals of a content file, and the layouts.

use std::io::Write;

use crate::cli::ListArgs;
use crate::error::Error;
use crate::project::{Policy, Project};

pub fn run(args: &ListArgs) -> Result<(), Error> {
    let paths = crate::project::expand_inputs(std::slice::from_ref(&args.content))?;
    if paths.is_empty() {
        return Err(Error::usage(
            format!("{} holds no content files", args.content.display()),
            "pass a YAML file, or a folder that holds some",
        ));
    }
    let sources = args.project.sources(vec![args.content.clone()]);
    let project = Project::load(&sources, Policy::default())?;
    let mut text = String::new();
    for loaded in &project.contents {
        if project.contents.len() > 1 {
            text += &format!("{}: ", loaded.name);
        }
        describe(&loaded.content, &mut text);
        let brand = project.brand_of(loaded);
        text += &format!(
            "\nbrand: {}\n",
            brand.map_or("the built-in theme", |b| b.display.as_str())
        );
        let lang = crate::content::language_of(&loaded.content);
        let words = if project.catalogs.has(&lang) {
            "the layouts' words in it"
        } else {
            "no layout texts in it: English words"
        };
        let direction = if crate::locale::is_rtl(&lang) {
            ", right to left"
        } else {
            ""
        };
        text += &format!("language: {lang} ({words}{direction})\n\n");
    }
    text += "layouts (for --layout):\n";
    for name in project.layouts.names() {
        text += &format!("  {name}\n");
    }
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

/// The title, options and goals of one content file.
fn describe(c: &crate::content::Content, text: &mut String) {
    *text += &format!("{} ({})\n\noptions:\n", c.title, c.id);
    for o in &c.options {
        *text += &format!("  {:<24} {}\n", o.id, o.name);
    }
    *text += "\ngoals (for --goal):\n";
    let goals: Vec<_> = c.goals().collect();
    if goals.is_empty() {
        *text += "  (none)\n";
    }
    for g in goals {
        *text += &format!("  {:<24} {} -> {}\n", g.id, g.goal, g.option);
    }
}
