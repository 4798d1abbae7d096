//! `handout new`: a content file with placeholders to fill in.

use crate::cli::NewArgs;
use crate::error::Error;
use crate::output::{prepare_dir, write_atomic};

pub fn run(args: &NewArgs) -> Result<(), Error> {
    if !crate::content::is_id(&args.id) {
        return Err(Error::usage(
            format!("`{}` is not a valid id", args.id),
            "ids use lowercase letters, digits and single hyphens, e.g. `data-analyst-vs-data-scientist`",
        ));
    }
    let path = args.dir.join(format!("{}.yaml", args.id));
    if path.exists() {
        return Err(Error::usage(
            format!("{} already exists", path.display()),
            "choose another id, or edit the existing file",
        ));
    }
    prepare_dir(&args.dir, "--dir")?;
    let text = crate::content::scaffold(&args.id, usize::from(args.options));
    write_atomic(&path, text.as_bytes())?;
    println!("wrote {}", path.display());
    println!(
        "fill in the placeholders, then run: handout check {}",
        path.display()
    );
    Ok(())
}
