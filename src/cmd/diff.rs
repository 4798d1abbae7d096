//! `handout diff BEFORE AFTER`: what a change does to every handout.

use crate::cli::DiffArgs;
use crate::diff::{Build, ContentFiles, compare, markdown, summary};
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
    let diff = compare(&before, &after, &given);
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
