//! `handout diff BEFORE AFTER`: what a change does to every handout.

use crate::cli::DiffArgs;
use crate::diff::{Build, ContentFiles, compare, compare_pages, markdown, summary};
use crate::error::Error;
use crate::output::write_atomic;

/// Compares the two builds; whether the exit status is 1 under
/// `--fail-on`.
pub fn run(args: &DiffArgs) -> Result<bool, Error> {
    let before = Build::read(&args.before)?;
    let after = Build::read(&args.after)?;
    let given = ContentFiles {
        before: args.content_before.clone(),
        after: args.content_after.clone(),
    };
    if let Some(dir) = &args.html {
        std::fs::create_dir_all(dir.join("pages")).map_err(|e| {
            Error::system(
                format!("cannot make {}: {e}", dir.display()),
                "give --html a folder you can write to",
            )
        })?;
    }
    let mut diff = compare(&before, &after, &given)?;
    compare_pages(&mut diff, &before, &after, args.html.as_deref())?;
    if let Some(dir) = &args.html {
        crate::diff::write_html(dir, &diff)?;
    }
    print!("{}", summary(&diff));
    if let Some(path) = &args.json {
        let mut json = serde_json::to_vec_pretty(&diff).unwrap_or_default();
        json.push(b'\n');
        write_atomic(path, &json)?;
    }
    if let Some(path) = &args.markdown {
        write_atomic(path, markdown(&diff).as_bytes())?;
    }
    Ok(diff.fails(args.fail_on))
}
