//! The HTTP side: routes, the access rule, and the stream of change events.
//!
//! The access rule (docs/serve.md): the `Host` must be this machine's, by
//! number or as `localhost`; every request but the page and its script and
//! style must carry the server's secret token (`?token=` or the
//! `X-Handout-Token` header; a write, a POST, in the header only), and is
//! refused when its `Origin` is another origin or its `Sec-Fetch-Site` is
//! `cross-site` or `same-site`. A GET never writes.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use super::assets;
use super::state::State;
use super::wire::{Reply, Request, Response};

/// The header a client may carry the token in instead of the query.
pub const TOKEN_HEADER: &str = "X-Handout-Token";

/// Answers one request.
pub fn handle(state: &Arc<State>, request: &Request, port: u16) -> Reply {
    Reply::Full(match refusal(state, request, port) {
        Some(refused) => refused,
        None => return route(state, request),
    })
}

/// Why a request is not answered, as the answer; `None` to answer it.
fn refusal(state: &State, request: &Request, port: u16) -> Option<Response> {
    if !host_allowed(request, port) {
        return Some(Response::text(
            421,
            "this preview answers only to its own address, such as http://127.0.0.1:PORT/",
        ));
    }
    let write = matches!(
        request.path(),
        "/api/edit"
            | "/api/list"
            | "/api/label"
            | "/api/undo"
            | "/api/print/command"
            | "/api/print/start"
            | "/api/job/cancel"
            | "/api/campaign/command"
            | "/api/campaign/drafts"
            | "/api/campaign/test"
            | "/api/campaign/send"
    );
    match (request.method.as_str(), write) {
        ("GET" | "HEAD", false) | ("POST", true) => {}
        ("GET" | "HEAD", true) => {
            return Some(Response::text(405, "an edit is a POST; a GET never writes"));
        }
        _ => {
            return Some(Response::text(
                405,
                "the preview answers GET, and POST for edits",
            ));
        }
    }
    if matches!(
        request.path(),
        "/" | "/app.js" | "/runs.js" | "/campaign.js" | "/app.css"
    ) {
        return None;
    }
    if !same_origin(request) {
        return Some(Response::text(
            403,
            "the preview answers only its own page, not pages of other sites",
        ));
    }
    // A write carries the token in its header, which only the page's own
    // script can set (a form of another site cannot).
    let token = if write {
        request
            .header(TOKEN_HEADER)
            .unwrap_or_default()
            .trim()
            .to_string()
    } else {
        token_of(request)
    };
    if !state.token_matches(&token) {
        return Some(Response::text(
            403,
            "this request lacks the preview's token: open the address `handout serve` printed, with its ?token=",
        ));
    }
    None
}

fn route(state: &Arc<State>, request: &Request) -> Reply {
    let query = request.query();
    let response = match request.path() {
        "/" => asset("text/html; charset=utf-8", assets::INDEX),
        "/app.js" => asset("text/javascript; charset=utf-8", assets::SCRIPT),
        "/app.css" => asset("text/css; charset=utf-8", assets::STYLE),
        "/runs.js" => asset("text/javascript; charset=utf-8", assets::RUNS),
        "/campaign.js" => asset("text/javascript; charset=utf-8", assets::CAMPAIGN),
        "/api/overview" => json(state.overview()),
        "/api/render" => match state.render(query) {
            Ok(answer) => json(answer.json.clone()),
            Err(why) => Response::text(400, &why),
        },
        path if path.starts_with("/api/page/") => {
            let page = path["/api/page/".len()..].parse().ok();
            match page.map(|n| state.page(query, n)) {
                // The address names the generation, so it never goes stale.
                Some(Ok(Some(png))) => Response::new(200, "image/png", png.to_vec())
                    .with("Cache-Control", "private, max-age=3600"),
                Some(Err(why)) => Response::text(400, &why),
                Some(Ok(None)) | None => Response::text(404, "no such page"),
            }
        }
        "/api/message" => message(state, query),
        "/api/pdf" => match state.pdf(query) {
            Ok((bytes, name)) => Response::new(200, "application/pdf", bytes)
                .with(
                    "Content-Disposition",
                    format!("attachment; filename=\"{name}\""),
                )
                .with("Cache-Control", "no-store"),
            Err(why) => Response::text(409, &why),
        },
        "/api/value" => answer(state.value(query)),
        "/api/label-value" => answer(state.label_value(query)),
        "/api/edit" => answer(state.edit(&request.body)),
        "/api/list" => answer(state.list(&request.body)),
        "/api/label" if request.method == "POST" => answer(state.label(&request.body)),
        "/api/undo" => answer(state.undo(&request.body)),
        "/api/runs" => answer((200, state.runs.overview())),
        "/api/print/command" => answer(state.runs.print_command(&request.body)),
        "/api/print/start" => answer(state.runs.start_print(&request.body)),
        "/api/job/cancel" => answer(state.runs.cancel()),
        "/api/campaign/command" => answer(state.runs.campaign_command(&request.body)),
        "/api/campaign/drafts" => answer(state.runs.build_drafts(&request.body)),
        "/api/campaign/status" => answer(state.runs.campaign_status(query)),
        "/api/campaign/test" => answer(state.runs.test_send(&request.body)),
        "/api/campaign/send" => answer(state.runs.send(&request.body)),
        path if path.starts_with("/review/") => match path["/review/".len()..].split_once('/') {
            Some((_, name)) => match state.runs.review_file(name) {
                // The sheet and the drafts run no script here.
                Ok((bytes, kind)) => Response::new(200, kind, bytes)
                    .with(
                        "Content-Security-Policy",
                        "script-src 'none'; frame-ancestors 'self'",
                    )
                    .with("Cache-Control", "no-store"),
                Err((status, why)) => Response::text(status, &why),
            },
            None => Response::text(404, "not found"),
        },
        "/api/file" => job_file(state, query),
        "/api/zip" => match state.runs.zip() {
            Ok(bytes) => Response::new(200, "application/zip", bytes)
                .with(
                    "Content-Disposition",
                    "attachment; filename=\"handouts.zip\"",
                )
                .with("Cache-Control", "no-store"),
            Err((status, why)) => Response::text(status, &why),
        },
        "/events" => {
            let state = state.clone();
            return Reply::Stream(Box::new(move |out| events(&state, out)));
        }
        _ => Response::text(404, "not found"),
    };
    Reply::Full(response)
}

/// One file a job of the page wrote (`?n=K`), shown or, with
/// `download=1`, saved.
fn job_file(state: &State, query: &str) -> Response {
    match state.runs.file(query) {
        Ok((bytes, name)) => {
            let kind = if name.ends_with(".pdf") {
                "application/pdf"
            } else {
                "application/octet-stream"
            };
            let disposition = if query.contains("download=1") {
                "attachment"
            } else {
                "inline"
            };
            Response::new(200, kind, bytes)
                .with(
                    "Content-Disposition",
                    format!("{disposition}; filename=\"{name}\""),
                )
                .with("Cache-Control", "no-store")
        }
        Err((status, why)) => Response::text(status, &why),
    }
}

/// The chosen recipient's message, for the Message tab.
fn message(state: &State, query: &str) -> Response {
    match state.message(query) {
        // The message runs no script, and reads only this server.
        Ok(html) => Response::new(200, "text/html; charset=utf-8", html.into_bytes())
            .with(
                "Content-Security-Policy",
                "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'",
            )
            .with("Cache-Control", "no-store"),
        Err(why) => Response::text(400, &why),
    }
}

fn token_of(request: &Request) -> String {
    // The review sheet's relative links keep the token in the path.
    if let Some(rest) = request.path().strip_prefix("/review/") {
        return rest.split('/').next().unwrap_or_default().to_string();
    }
    if let Some(token) = request.header(TOKEN_HEADER) {
        return token.trim().to_string();
    }
    url::form_urlencoded::parse(request.query().as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A page of another site may make the browser ask (an `<img>`, a form, a
/// `fetch`); the browser then says so in `Origin` or `Sec-Fetch-Site`.
/// Clients that send neither (curl, scripts) are judged by the token alone.
fn same_origin(request: &Request) -> bool {
    if let Some(site) = request.header("sec-fetch-site")
        && matches!(
            site.trim().to_ascii_lowercase().as_str(),
            "cross-site" | "same-site"
        )
    {
        return false;
    }
    match (request.header("origin"), request.header("host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .trim()
            .eq_ignore_ascii_case(&format!("http://{}", host.trim())),
        (Some(_), None) => false,
    }
}

/// A DNS name that resolves to this machine must not reach the preview:
/// only `localhost` and addresses written as numbers are answered.
fn host_allowed(request: &Request, port: u16) -> bool {
    let Some(host) = request.header("host").map(str::to_ascii_lowercase) else {
        return false;
    };
    let (name, given_port) = match host.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) => {
            (n.to_string(), p.parse::<u16>().ok())
        }
        _ => (host.clone(), None),
    };
    if given_port.is_some_and(|p| p != port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost" || name.parse::<std::net::IpAddr>().is_ok()
}

/// Server-sent events: the generation of the inputs each time they are
/// read again, and a comment every 15 s so that proxies keep it open.
fn events(state: &Arc<State>, out: &mut TcpStream) {
    // The stream may be quiet for long; only writes are bounded.
    let _ = out.set_read_timeout(None);
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    let mut seen = state.generation();
    if out
        .write_all(format!("{head}retry: 500\ndata: {seen}\n\n").as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let now = state.wait_for_change(seen, Duration::from_secs(15));
        let message = if now > seen {
            seen = now;
            format!("data: {now}\n\n")
        } else {
            ": still here\n\n".to_string()
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

fn asset(kind: &str, body: &'static str) -> Response {
    Response::new(200, kind, body.as_bytes().to_vec()).with("Cache-Control", "no-store")
}

fn answer((status, body): (u16, serde_json::Value)) -> Response {
    Response::new(status, "application/json", body.to_string().into_bytes())
        .with("Cache-Control", "no-store")
}

fn json(body: String) -> Response {
    Response::new(200, "application/json", body.into_bytes()).with("Cache-Control", "no-store")
}
