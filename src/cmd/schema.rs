//! `handout schema`: the JSON Schema of content files, for editors.

use crate::error::Error;

pub fn run() -> Result<(), Error> {
    print!("{}", crate::content::json_schema());
    Ok(())
}
