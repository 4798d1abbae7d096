//! `handout serve`: the preview server, read again whenever an input is
//! saved, until Ctrl-C.

use std::time::Duration;

use crate::cli::ServeArgs;
use crate::error::Error;
use crate::render::Settings;
use crate::serve::{CampaignConfig, CampaignRequest, Inputs, Root, RunsConfig, Server, Writes};
use crate::signal::Cancel;

pub fn run(args: &ServeArgs) -> Result<(), Error> {
    let mut sources = args.project.sources(args.content.clone());
    args.audience.add_to(&mut sources);
    let cancel = Cancel::signals().map_err(|e| {
        Error::system(
            format!("cannot handle ctrl-c: {e}"),
            "this system refuses signal handlers; use `handout watch` instead",
        )
    })?;
    let (_watcher, rx, scope) = super::watch::watch(&sources)?;
    let writes = if args.read_only {
        Writes::Off(
            "the preview was started with --read-only: edit the YAML in a text editor".into(),
        )
    } else if !args.host.is_loopback() && !args.allow_edits {
        Writes::Off("the preview listens on the network, where edits are off: restart it with --allow-edits, or edit the YAML in a text editor".into())
    } else {
        Writes::Allowed
    };
    let runs = RunsConfig {
        root: Root::of_content(&args.content),
        base: base_args(args),
        event: args.audience.event.clone(),
        print_off: print_off(args),
        campaign: campaign(args),
    };
    let inputs = Inputs {
        runs,
        writes,
        sources,
        settings: Settings {
            pages: args.pages,
            ..Settings::default()
        },
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let server = Server::start(inputs, args.host, args.port)?;
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine on the network, with the address and its token, can read the content{}; the token travels unencrypted",
            args.host,
            if args.allow_edits {
                " and edit it (--allow-edits)"
            } else {
                ""
            }
        );
    }
    println!("previewing at {} (Ctrl-C to stop)", server.url);
    if args.open && webbrowser::open(&server.url).is_err() {
        eprintln!("could not open a browser; open {} yourself", server.url);
    }
    loop {
        // A much shorter settling time than `watch`'s: a redraw costs less
        // than rewriting files, and staff wait for it. A file caught half
        // saved shows its error until the next event, a few ms later.
        let changed =
            super::watch::wait_for_change(&rx, &scope, &cancel, Duration::from_millis(10));
        if let Err(stop) = changed {
            // A print run or a send from the page stops as its command
            // would: the document or message under way is finished first.
            if server.state.runs.stop(Duration::from_secs(60)) {
                eprintln!("stopped the job started from the page; its log and files are complete");
            }
            return Err(stop);
        }
        server.state.reload();
    }
}

/// What every build from the page starts with: the content and the project
/// options, as `serve` was given them.
fn base_args(args: &ServeArgs) -> Vec<String> {
    let mut base: Vec<String> = args
        .content
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let project = &args.project;
    if let Some(dir) = &project.layouts {
        base.extend(["--layouts".into(), dir.display().to_string()]);
    }
    if let Some(file) = &project.brand {
        base.extend(["--brand".into(), file.display().to_string()]);
    }
    for dir in &project.font_dir {
        base.extend(["--font-dir".into(), dir.display().to_string()]);
    }
    base
}

/// Why print runs from the page are off, when they are.
fn print_off(args: &ServeArgs) -> Option<String> {
    if args.read_only {
        Some("the preview was started with --read-only: print runs are off; run `handout build` instead".into())
    } else if !args.host.is_loopback() && !args.allow_edits {
        Some("the preview listens on the network, where print runs are off: restart it with --allow-edits, or run `handout build`".into())
    } else {
        None
    }
}

/// The campaign panel, when `serve` has `--recipients`.
fn campaign(args: &ServeArgs) -> Option<CampaignConfig> {
    let recipients = args.audience.recipients.as_ref()?;
    let mut audience = vec!["--recipients".to_string(), recipients.display().to_string()];
    if let Some(d) = args.audience.delimiter {
        audience.extend(["--delimiter".into(), (d as char).to_string()]);
    }
    if let Some(event) = &args.audience.event {
        audience.extend(["--event".into(), event.display().to_string()]);
    }
    let off = if args.read_only {
        Some("the preview was started with --read-only: sending is off; use `handout send`".into())
    } else if !args.host.is_loopback() && !args.allow_remote_send {
        Some("the preview listens on the network, where sending is off: restart it with --allow-remote-send, or use `handout send`".into())
    } else if args.server.smtp.is_none() {
        Some("no mail server: restart `handout serve` with --smtp smtp://HOST:PORT (the login from HANDOUT_SMTP_USERNAME and HANDOUT_SMTP_PASSWORD)".into())
    } else {
        None
    };
    Some(CampaignConfig {
        audience,
        defaults: CampaignRequest::from_options(&args.drafts),
        server: args.server.clone(),
        off,
    })
}
