//! `handout` turns YAML comparison content into PDF handouts by filling
//! Typst layouts with the content as data.
//!
//! The pipeline: [`content`] loads and validates YAML, [`batch`] plans the
//! documents and runs them in parallel, [`render`] compiles each one in a
//! [`world`] built from the [`layouts`] and the bundled fonts, [`output`]
//! writes the files, [`email`] drafts and sends personal copies, and [`report`] records the build. [`cmd`] holds one entry
//! point per subcommand, over a [`config::BuildConfig`] that [`cli`]
//! resolves from the command line.

// `println!`, `print!` and `eprintln!` that never panic: output into a
// pipe that closed early (`handout list … | head -3`) ends the output, not
// the program. Defined before the modules, so they replace std's in all.
macro_rules! println {
    ($($arg:tt)*) => {
        $crate::terminal::write_out(false, format_args!("{}\n", format_args!($($arg)*)))
    };
}
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::terminal::write_out(false, format_args!($($arg)*))
    };
}
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::terminal::write_out(true, format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub mod batch;
pub mod brand;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diag;
pub mod diff;
pub mod email;
pub mod error;
pub mod event;
pub mod fingerprint;
pub mod fonts;
pub mod job;
pub mod lang;
pub mod layouts;
pub mod locale;
pub mod output;
pub mod progress;
pub mod project;
pub mod qr;
pub mod recipients;
pub mod render;
pub mod report;
pub mod serve;
pub mod signal;
pub mod terminal;
pub mod world;

pub use error::Error;
