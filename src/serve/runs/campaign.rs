//! The campaign panel: drafts built with `handout build --eml`, reviewed in
//! the page, a test message to staff, then the send, by `email::send::run`
//! with the mail server of `serve`'s own command line and environment. The
//! page names only folders, files inside the project folder, and the
//! drafts' wording; never a server, a login or a key.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Answer, Runs, RunsConfig, view};
use crate::cli::{DraftOptions, SendArgs, ServerOptions};
use crate::email::send::holder::{Holder, Lock};
use crate::email::send::status::Standing;

/// What the campaign panel starts from, as `serve` was given it.
pub struct CampaignConfig {
    /// `--recipients FILE` (with `--delimiter`, `--event`) as build takes them.
    pub audience: Vec<String>,
    /// The panel's fields before staff change them.
    pub defaults: CampaignRequest,
    pub server: ServerOptions,
    /// Why sending is off, when it is.
    pub off: Option<String>,
}

/// The campaign panel's fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CampaignRequest {
    /// The drafts' folder, inside the project folder.
    pub dir: String,
    pub from: String,
    pub subject: String,
    pub campaign: String,
    pub unsubscribe: String,
    pub unsubscribe_mailto: String,
    pub suppress: String,
    pub transactional: bool,
    pub body: String,
    pub html_body: String,
    pub layout: String,
    pub paper: String,
}

impl CampaignRequest {
    /// The fields as `serve`'s options fill them.
    pub fn from_options(d: &DraftOptions) -> Self {
        let path = |p: &Option<PathBuf>| {
            p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        };
        Self {
            dir: "out/campaign".into(),
            from: d.from.clone().unwrap_or_default(),
            subject: d.subject.clone().unwrap_or_default(),
            campaign: d.campaign.clone().unwrap_or_default(),
            unsubscribe: d.unsubscribe.clone().unwrap_or_default(),
            unsubscribe_mailto: d.unsubscribe_mailto.clone().unwrap_or_default(),
            suppress: path(&d.suppress),
            transactional: d.transactional,
            body: path(&d.body),
            html_body: path(&d.html_body),
            layout: "handout".into(),
            paper: "a4".into(),
        }
    }
}

/// `{…fields, file, to}` of a test send; `{…fields, confirm}` of a send.
#[derive(Debug, Default)]
struct SendRequest {
    fields: CampaignRequest,
    file: String,
    to: String,
    confirm: Option<usize>,
}

/// The fields a request gives, over `serve`'s own: a script may send only
/// the folder.
fn request(c: &CampaignConfig, body: &[u8]) -> Result<SendRequest, Answer> {
    let bad = |e: &dyn std::fmt::Display| {
        (
            400,
            json!({"errors": [format!("the request cannot be read: {e}")]}),
        )
    };
    let given: serde_json::Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| bad(&e))?;
    let mut fields = serde_json::to_value(&c.defaults).map_err(|e| bad(&e))?;
    let mut out = SendRequest::default();
    for (key, value) in given {
        match key.as_str() {
            "file" => out.file = value.as_str().unwrap_or_default().to_string(),
            "to" => out.to = value.as_str().unwrap_or_default().to_string(),
            "confirm" => out.confirm = value.as_u64().map(|n| n as usize),
            _ => {
                fields[key] = value;
            }
        }
    }
    out.fields = serde_json::from_value(fields).map_err(|e| bad(&e))?;
    Ok(out)
}

impl RunsConfig {
    /// `handout build … --eml` for the panel's fields.
    fn drafts_argv(
        &self,
        c: &CampaignConfig,
        r: &CampaignRequest,
    ) -> Result<Vec<String>, Vec<String>> {
        let mut argv: Vec<String> = vec!["handout".into(), "build".into()];
        argv.extend(self.base.iter().cloned());
        argv.extend(c.audience.iter().cloned());
        argv.push("--eml".into());
        let mut errors = Vec::new();
        let mut path = |value: &str, what: &str, flag: &str, argv: &mut Vec<String>| {
            if value.trim().is_empty() {
                return;
            }
            match self.root.inside(value, what) {
                Ok(p) => argv.extend([flag.to_string(), p.display().to_string()]),
                Err(why) => errors.push(why),
            }
        };
        let dir = if r.dir.is_empty() {
            "out/campaign"
        } else {
            &r.dir
        };
        path(dir, "the drafts folder", "--out-dir", &mut argv);
        path(&r.suppress, "the suppression file", "--suppress", &mut argv);
        path(&r.body, "the body file", "--body", &mut argv);
        path(&r.html_body, "the HTML body file", "--html-body", &mut argv);
        for (flag, value) in [
            ("--from", &r.from),
            ("--subject", &r.subject),
            ("--campaign", &r.campaign),
            ("--unsubscribe", &r.unsubscribe),
            ("--unsubscribe-mailto", &r.unsubscribe_mailto),
        ] {
            if !value.trim().is_empty() {
                argv.extend([flag.to_string(), value.trim().to_string()]);
            }
        }
        if r.transactional {
            argv.push("--transactional".into());
        }
        if !r.layout.is_empty() && r.layout != "handout" {
            argv.extend(["--layout".into(), r.layout.clone()]);
        }
        if !r.paper.is_empty() && r.paper != "a4" {
            argv.extend(["--paper".into(), r.paper.clone()]);
        }
        if errors.is_empty() {
            Ok(argv)
        } else {
            Err(errors)
        }
    }

    /// The drafts' folder of a request, checked.
    fn drafts_dir(&self, r: &CampaignRequest) -> Result<PathBuf, Vec<String>> {
        let dir = if r.dir.is_empty() {
            "out/campaign"
        } else {
            &r.dir
        };
        self.root
            .inside(dir, "the drafts folder")
            .map_err(|e| vec![e])
    }

    /// `handout send` for a request: what the panel's Send runs, with the
    /// server's settings from `serve`'s command line.
    fn send_args(&self, c: &CampaignConfig, r: &CampaignRequest) -> Result<SendArgs, Vec<String>> {
        let dir = self.drafts_dir(r)?;
        let suppress = match r.suppress.trim() {
            "" => None,
            s => Some(
                self.root
                    .inside(s, "the suppression file")
                    .map_err(|e| vec![e])?,
            ),
        };
        Ok(SendArgs {
            dir,
            dry_run: false,
            suppress,
            retry_refused: false,
            resend_unknown: false,
            limit: None,
            per_day: None,
            status: false,
            failed: None,
            quiet: true,
            server: c.server.clone(),
        })
    }

    /// The send's command line, as staff would type it: the login stays in
    /// the environment, so it is never in it.
    fn send_line(&self, c: &CampaignConfig, r: &CampaignRequest) -> String {
        let Ok(args) = self.send_args(c, r) else {
            return String::new();
        };
        let mut argv = vec![
            "handout".to_string(),
            "send".into(),
            args.dir.display().to_string(),
        ];
        if let Some(smtp) = &c.server.smtp {
            argv.extend(["--smtp".into(), smtp.clone()]);
        }
        if let Some(s) = &args.suppress {
            argv.extend(["--suppress".into(), s.display().to_string()]);
        }
        if let Some(key) = &c.server.dkim_key {
            argv.extend(["--dkim-key".into(), key.display().to_string()]);
            if let Some(sel) = &c.server.dkim_selector {
                argv.extend(["--dkim-selector".into(), sel.clone()]);
            }
        }
        super::print::shell_line(&argv)
    }
}

impl Runs {
    fn campaign(&self) -> Result<&CampaignConfig, Answer> {
        self.config.campaign.as_ref().ok_or((
            404,
            json!({"errors": ["there is no campaign: start `handout serve` with --recipients"]}),
        ))
    }

    /// The commands a campaign's fields stand for, or why they cannot run.
    pub fn campaign_command(&self, body: &[u8]) -> Answer {
        let c = match self.campaign() {
            Ok(c) => c,
            Err(a) => return a,
        };
        let r = match request(c, body) {
            Ok(r) => r.fields,
            Err(a) => return a,
        };
        match self.config.drafts_argv(c, &r) {
            Ok(argv) => (
                200,
                json!({"build": super::print::shell_line(&argv), "send": self.config.send_line(c, &r)}),
            ),
            Err(errors) => (400, json!({"errors": errors})),
        }
    }

    /// Builds the drafts, as `handout build --eml` does.
    pub fn build_drafts(&self, body: &[u8]) -> Answer {
        let c = match self.campaign() {
            Ok(c) => c,
            Err(a) => return a,
        };
        if let Some(why) = &self.config.print_off {
            return (403, json!({"errors": [why]}));
        }
        let r = match request(c, body) {
            Ok(r) => r.fields,
            Err(a) => return a,
        };
        let argv = match self.config.drafts_argv(c, &r) {
            Ok(argv) => argv,
            Err(errors) => return (400, json!({"errors": errors})),
        };
        match super::print::checked(&argv) {
            Ok(config) => self.start_build("drafts", argv, config),
            Err(errors) => (400, json!({"errors": errors})),
        }
    }

    /// Where the campaign in `dir` stands: the counts of `send --status`,
    /// who holds the send lock, and the drafts.
    pub fn campaign_status(&self, query: &str) -> Answer {
        let c = match self.campaign() {
            Ok(c) => c,
            Err(a) => return a,
        };
        let dir = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "dir")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let r = CampaignRequest {
            dir,
            ..CampaignRequest::default()
        };
        let dir = match self.config.drafts_dir(&r) {
            Ok(d) => d,
            Err(errors) => return (400, json!({"errors": errors})),
        };
        *self.review_dir.lock() = Some(dir.clone());
        let holder = |h: Option<Holder>| h.map(|h| h.to_string());
        let lock = match Holder::current(&dir) {
            Lock::Held(h) => json!({"held": true, "by": holder(h)}),
            Lock::Free { stale } => json!({"held": false, "stale": holder(stale)}),
        };
        let standing = if dir.join(crate::email::OUTBOX).exists() {
            Standing::read(&dir).ok()
        } else {
            None
        };
        let drafts: Vec<Value> = standing
            .iter()
            .flat_map(|s| &s.entries)
            .map(|(e, last)| {
                json!({"file": e.file, "to": e.recipient, "state": last.as_ref().map(|l| l.status)})
            })
            .collect();
        let counts: serde_json::Map<String, Value> = standing
            .as_ref()
            .map(|s| {
                s.counts()
                    .iter()
                    .map(|(k, n)| (k.to_string(), json!(n)))
                    .collect()
            })
            .unwrap_or_default();
        (
            200,
            json!({
                "off": c.off,
                "server": c.server.smtp.as_deref().map(shown_server),
                "defaults": c.defaults,
                "drafts": drafts,
                "counts": counts,
                "review": dir.join("outbox.html").exists(),
                "lock": lock,
            }),
        )
    }

    /// Sends one draft to a staff address, marked as a test.
    pub fn test_send(&self, body: &[u8]) -> Answer {
        let (r, args) = match self.send_request(body) {
            Ok(x) => x,
            Err(a) => return a,
        };
        let result = crate::email::send::read_outbox(&args.dir).and_then(|outbox| {
            let entry = outbox
                .into_iter()
                .find(|e| e.file == r.file)
                .ok_or_else(|| {
                    crate::error::Error::usage(
                        format!("`{}` is not one of the drafts", r.file),
                        "choose a draft from the list",
                    )
                })?;
            let opts = crate::job::send::options(&args, crate::signal::Cancel::new())?;
            crate::email::send::trial::send_test(&opts, &entry, &r.to)
        });
        match result {
            Ok(sent) => (200, json!({"sent": sent})),
            Err(e) => (400, json!({"errors": view::error_texts(&e)})),
        }
    }

    /// Sends every draft not yet sent, after the page confirmed how many.
    pub fn send(&self, body: &[u8]) -> Answer {
        let (r, args) = match self.send_request(body) {
            Ok(x) => x,
            Err(a) => return a,
        };
        // While a job runs the counts move: it is named first.
        if let Some(busy) = self.busy() {
            return busy;
        }
        let to_send = Standing::read(&args.dir).map(|s| {
            let n = s.counts();
            n[1].1 + n[3].1
        });
        match (to_send, r.confirm) {
            (Err(e), _) => return (400, json!({"errors": view::error_texts(&e)})),
            (Ok(n), Some(confirmed)) if n == confirmed => {}
            (Ok(n), _) => {
                return (
                    409,
                    json!({"errors": [format!("{n} messages are waiting, not the number confirmed: look again, then confirm")], "waiting": n}),
                );
            }
        }
        let line = match self.campaign() {
            Ok(c) => self.config.send_line(c, &r.fields),
            Err(a) => return a,
        };
        self.start_send(line, args)
    }

    /// A test send's or a send's request, with `send`'s options for it.
    fn send_request(&self, body: &[u8]) -> Result<(SendRequest, SendArgs), Answer> {
        let c = self.campaign()?;
        if let Some(why) = &c.off {
            return Err((403, json!({"errors": [why]})));
        }
        let r = request(c, body)?;
        let args = self
            .config
            .send_args(c, &r.fields)
            .map_err(|errors| (400, json!({"errors": errors})))?;
        Ok((r, args))
    }
}

/// `smtp://host:port` without anything else a URL could carry.
fn shown_server(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap_or_default(),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "the server given to serve".into(),
    }
}
