//! The options of email drafts (`build --eml`) and of `handout send`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::email::DraftArgs;
use crate::email::send::TlsMode;

#[derive(Debug, Args)]
#[command(next_help_heading = "Email drafts (with --recipients)")]
pub struct EmailArgs {
    /// Also write `<name>.eml` beside each person's PDF, a draft with the PDF
    /// attached, and list the drafts in `outbox.jsonl` for `handout send`.
    #[arg(long, requires_all = ["recipients", "from"])]
    pub eml: bool,

    #[command(flatten)]
    pub draft: DraftOptions,
}

/// How each draft is written: the options `build --eml` and `serve` (for
/// its campaign panel) share.
#[derive(Debug, Args)]
#[command(next_help_heading = "Email drafts (with --recipients)")]
pub struct DraftOptions {
    /// The sender, e.g. "Northfield Admissions <admissions@northfield.example>".
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,

    /// The subject, with placeholders such as {name} and {title}
    /// [default: "{title}: your personal handout"]
    #[arg(long, value_name = "TEMPLATE")]
    pub subject: Option<String>,

    /// A text file with the message, with placeholders such as {name},
    /// {goal}, {course}, {event.name} and the recipients' columns.
    #[arg(long, value_name = "FILE")]
    pub body: Option<PathBuf>,

    /// An HTML file for the HTML part; {thumbnail} places page 1
    /// [default: made from the text]
    #[arg(long, value_name = "FILE")]
    pub html_body: Option<PathBuf>,

    /// Names this mailing: the same people can be emailed again under a new
    /// name [default: the content's id]
    #[arg(long, value_name = "NAME")]
    pub campaign: Option<String>,

    /// The unsubscribe page, e.g.
    /// https://school.example/unsubscribe?e={email}&t={unsubscribe_token}: each
    /// message gets one-click List-Unsubscribe headers and a line in its
    /// body. The token is an HMAC of the address with
    /// HANDOUT_UNSUBSCRIBE_SECRET.
    #[arg(long, value_name = "URL")]
    pub unsubscribe: Option<String>,

    /// An address that unsubscribes whoever writes to it, in the
    /// List-Unsubscribe header (and the body, without --unsubscribe).
    #[arg(long, value_name = "ADDRESS")]
    pub unsubscribe_mailto: Option<String>,

    /// The messages answer each person's own request, so they need no
    /// unsubscribe: no warning without one.
    #[arg(long)]
    pub transactional: bool,

    /// People not to email (a CSV with an `email`, `e-mail`, `email
    /// address` or `mail` column, or one address a line; `@domain` for a
    /// whole domain): their rows get no draft. A row without an address is
    /// an error.
    #[arg(long, value_name = "FILE")]
    pub suppress: Option<PathBuf>,

    /// Allow addresses whose part before the @ is not ASCII: they need a
    /// mail server that offers SMTPUTF8, and `send` defers them on one
    /// that does not.
    #[arg(long)]
    pub smtputf8: bool,
}

impl EmailArgs {
    pub fn draft_args(&self) -> Option<DraftArgs> {
        self.eml.then(|| self.draft.draft_args())
    }
}

impl DraftOptions {
    pub fn draft_args(&self) -> DraftArgs {
        DraftArgs {
            from: self.from.clone().unwrap_or_default(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            html_body: self.html_body.clone(),
            campaign: self.campaign.clone(),
            unsubscribe: self.unsubscribe.clone(),
            unsubscribe_mailto: self.unsubscribe_mailto.clone(),
            transactional: self.transactional,
            suppress: self.suppress.clone(),
            smtputf8: self.smtputf8,
        }
    }

    /// The options given, by their flags: for `build`, which takes them
    /// only with --eml.
    pub fn given(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        let set = [
            (self.from.is_some(), "--from"),
            (self.subject.is_some(), "--subject"),
            (self.body.is_some(), "--body"),
            (self.html_body.is_some(), "--html-body"),
            (self.campaign.is_some(), "--campaign"),
            (self.unsubscribe.is_some(), "--unsubscribe"),
            (self.unsubscribe_mailto.is_some(), "--unsubscribe-mailto"),
            (self.transactional, "--transactional"),
            (self.suppress.is_some(), "--suppress"),
            (self.smtputf8, "--smtputf8"),
        ];
        for (on, flag) in set {
            if on {
                given.push(flag);
            }
        }
        given
    }
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The folder a build wrote its drafts and `outbox.jsonl` to.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// List what would be sent, and send nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// A list of people not to email: a CSV with an `email`, `e-mail`,
    /// `email address` or `mail` column, or one address a line (`@domain`
    /// for a whole domain). Drafts to them are skipped and logged as
    /// suppressed. A row without an address is an error.
    #[arg(long, value_name = "FILE")]
    pub suppress: Option<PathBuf>,

    /// Also send the messages a server refused for good (5xx) in an
    /// earlier run, after the address was fixed, say.
    #[arg(long)]
    pub retry_refused: bool,

    /// Also send the messages whose outcome is unknown: an earlier run sent
    /// them but lost the connection before the answer, so they may have
    /// arrived, and the person may get two copies.
    #[arg(long)]
    pub resend_unknown: bool,

    /// Send at most N messages in this run (for a daily limit); a rerun
    /// sends the next ones.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,

    /// Send at most N messages in any 24 hours, counting the ones the send
    /// log shows as sent (Google Workspace allows about 2,000 a day).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_day: Option<u32>,

    /// Print how many messages are sent, pending, refused, deferred,
    /// unknown and suppressed, and send nothing.
    #[arg(long, conflicts_with = "dry_run")]
    pub status: bool,

    /// Write a CSV of the refused and deferred messages, with the server's
    /// reply, to fix and send again.
    #[arg(long, value_name = "FILE")]
    pub failed: Option<PathBuf>,

    /// Print only errors and refusals: no progress and no summary.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub server: ServerOptions,
}

/// Where and how to send: the options `send` and `serve` (for its campaign
/// panel) share. The login comes from the environment, never from here.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Mail server")]
pub struct ServerOptions {
    /// The mail server, as smtp://HOST:PORT (or smtps://HOST:PORT for TLS
    /// from the start). The login comes from HANDOUT_SMTP_USERNAME and
    /// HANDOUT_SMTP_PASSWORD, or HANDOUT_SMTP_OAUTH2_TOKEN for XOAUTH2.
    #[arg(long, value_name = "URL")]
    pub smtp: Option<String>,

    /// How the connection is encrypted [default: starttls, or implicit for
    /// smtps://]
    #[arg(long, value_name = "MODE")]
    pub tls: Option<TlsArg>,

    /// A PEM certificate authority to trust besides the bundled ones, for a
    /// mail server with a private certificate.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// The longest wait, in seconds, for the server to answer a message's
    /// end of data; every other step (greeting, commands) gets half.
    #[arg(long, value_name = "SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u32).range(2..))]
    pub smtp_timeout: u32,

    /// After a temporary refusal (4xx, such as a rate limit), try the
    /// message again this many times in the run before leaving it for the
    /// next run.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// The wait before the first try again, in seconds; each next wait is
    /// twice as long.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = retry_wait)]
    pub retry_wait: f64,

    /// Sign each message with DKIM using this PEM private key (RSA or
    /// Ed25519), for a school that sends through its own server rather
    /// than a relay that signs for it.
    #[arg(long, value_name = "FILE", requires = "dkim_selector")]
    pub dkim_key: Option<PathBuf>,

    /// The DKIM selector: the key's DNS record is at
    /// SELECTOR._domainkey.DOMAIN.
    #[arg(long, value_name = "SELECTOR", requires = "dkim_key")]
    pub dkim_selector: Option<String>,

    /// The signing domain [default: the domain of each message's From].
    #[arg(long, value_name = "DOMAIN", requires = "dkim_key")]
    pub dkim_domain: Option<String>,

    /// Send at most N messages a minute.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate: Option<u32>,
}

/// `--tls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlsArg {
    /// Connect in plain text, then upgrade with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No encryption; only for a server on this machine.
    None,
}

impl From<TlsArg> for TlsMode {
    fn from(t: TlsArg) -> Self {
        match t {
            TlsArg::Starttls => TlsMode::StartTls,
            TlsArg::Implicit => TlsMode::Implicit,
            TlsArg::None => TlsMode::None,
        }
    }
}

/// `--retry-wait`: seconds, at most a day.
fn retry_wait(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=86_400.0).contains(&v) => Ok(v),
        _ => Err("give a number of seconds from 0 to 86400, e.g. 30".into()),
    }
}
