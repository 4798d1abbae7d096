//! `handout build`: render every planned document, then report.

use crate::cli::BuildArgs;
use crate::config::BuildConfig;
use crate::error::Error;
use crate::progress::Progress;
use crate::signal::Cancel;

pub fn run(args: &BuildArgs) -> Result<(), Error> {
    build(&BuildConfig::new(args)?)
}

/// One build on the terminal. Ctrl-C and SIGTERM stop it cleanly from the
/// first call on.
pub fn build(config: &BuildConfig) -> Result<(), Error> {
    let cancel = Cancel::signals().map_err(|e| {
        Error::system(
            format!("cannot handle ctrl-c: {e}"),
            "this system refuses signal handlers; run handout on another machine",
        )
    })?;
    crate::job::build(config, cancel, &mut Progress::new(config.quiet))?.result
}
