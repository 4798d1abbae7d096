//! `handout` turns YAML comparison content into PDF handouts by filling
//! Typst layouts with the content as data.
//!
//! The pipeline: [`content`] loads and validates YAML, [`batch`] plans the
//! documents, [`render`] compiles each one in a [`world`] built from the
//! [`layouts`] and the bundled fonts, and [`output`] writes the files.

pub mod batch;
pub mod cli;
pub mod commands;
pub mod content;
pub mod diag;
pub mod error;
pub mod layouts;
pub mod output;
pub mod qr;
pub mod render;
pub mod world;

pub use error::Error;
