//! `handout serve`'s options: the preview, and what its print runs and
//! campaigns start from.

use std::path::PathBuf;

use clap::Args;

use super::{AudienceArgs, DraftOptions, ProjectArgs, ServerOptions, parse_pages};
use crate::render::Pages;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Content files or folders; a folder's new files appear as they are
    /// saved.
    #[arg(required = true, value_name = "CONTENT")]
    pub content: Vec<PathBuf>,

    /// The port to listen on; a free one when it is taken or 0.
    #[arg(long, value_name = "N", default_value_t = 5050)]
    pub port: u16,

    /// The address to listen on. Any other than 127.0.0.1 lets anyone on the
    /// network read the content.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,

    /// Open the preview in the default browser.
    #[arg(long)]
    pub open: bool,

    #[command(flatten)]
    pub audience: AudienceArgs,

    /// The most pages a layout that can fit itself may take, or `none`, as
    /// for `build`.
    #[arg(long, value_name = "N|none", default_value = "layout", hide_default_value = true, value_parser = parse_pages)]
    pub pages: Pages,

    /// Give up on a document after this many seconds, e.g. when a layout
    /// never finishes; the server goes on.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,

    /// Turn off editing, print runs and sending on the page: the preview
    /// writes and sends nothing.
    #[arg(long)]
    pub read_only: bool,

    /// With --host other than this machine, allow edits and print runs
    /// from the page (off by default there: the token travels unencrypted).
    #[arg(long, conflicts_with = "read_only")]
    pub allow_edits: bool,

    /// With --host other than this machine, allow the campaign panel to
    /// send (off by default there).
    #[arg(long, conflicts_with = "read_only")]
    pub allow_remote_send: bool,

    #[command(flatten)]
    pub project: ProjectArgs,

    /// What the campaign panel starts from (with --recipients).
    #[command(flatten)]
    pub drafts: DraftOptions,

    /// The campaign panel sends with these, never with settings from the
    /// page.
    #[command(flatten)]
    pub server: ServerOptions,
}
