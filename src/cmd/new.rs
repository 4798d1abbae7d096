//! `handout new`: a content file with placeholders to fill in.

use crate::cli::NewArgs;
use crate::content::{OPTION_NAMES, option_id};
use crate::error::Error;
use crate::output::{prepare_dir, write_atomic};

pub fn run(args: &NewArgs) -> Result<(), Error> {
    if !crate::content::is_id(&args.id) {
        return Err(Error::usage(
            format!("`{}` is not a valid id", args.id),
            "ids use lowercase letters, digits and single hyphens, e.g. `data-analyst-vs-data-scientist`",
        ));
    }
    let names = option_names(args)?;
    let path = args.dir.join(format!("{}.yaml", args.id));
    if path.exists() {
        return Err(Error::usage(
            format!("{} already exists", path.display()),
            "choose another id, or edit the existing file",
        ));
    }
    prepare_dir(&args.dir, "--dir")?;
    let text = crate::content::scaffold(&args.id, &names);
    write_atomic(&path, text.as_bytes())?;
    println!("wrote {}", path.display());
    println!(
        "fill in the placeholders, then run: handout check {}",
        path.display()
    );
    Ok(())
}

/// The options' names: from --option, or placeholders for --options N.
fn option_names(args: &NewArgs) -> Result<Vec<String>, Error> {
    if args.option_names.is_empty() {
        let n = usize::from(args.options);
        return Ok(OPTION_NAMES[..n].iter().map(|s| s.to_string()).collect());
    }
    let names: Vec<String> = args
        .option_names
        .iter()
        .map(|n| n.trim().to_string())
        .collect();
    if !(2..=3).contains(&names.len()) {
        return Err(Error::usage(
            format!(
                "{} options were named; a comparison has two or three",
                names.len()
            ),
            "give --option two or three times, e.g. --option \"UX Designer\" --option \"Product Manager\"",
        ));
    }
    let ids: Vec<String> = names.iter().map(|n| option_id(n)).collect();
    for (name, id) in names.iter().zip(&ids) {
        if id.is_empty() {
            return Err(Error::usage(
                format!("`{name}` gives no id"),
                "an option's name needs at least one letter or digit",
            ));
        }
    }
    if let Some(i) = (1..ids.len()).find(|&i| ids[..i].contains(&ids[i])) {
        return Err(Error::usage(
            format!("two options would both have the id `{}`", ids[i]),
            "give the options names that differ in more than punctuation or case",
        ));
    }
    Ok(names)
}
