//! `handout schema`: the JSON Schema of content files or brand files, for
//! editors.

use crate::cli::{SchemaArgs, SchemaKind};
use crate::error::Error;

pub fn run(args: &SchemaArgs) -> Result<(), Error> {
    match args.kind {
        SchemaKind::Content => print!("{}", crate::content::json_schema()),
        SchemaKind::Brand => print!("{}", crate::brand::json_schema()),
    }
    Ok(())
}
