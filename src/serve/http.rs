//! The HTTP side: routes, the Host check, and the stream of change events.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tiny_http::{Header, Request, Response, StatusCode};

use super::assets;
use super::state::State;

/// Answers one request.
pub fn handle(state: &Arc<State>, request: Request, port: u16) {
    if !host_allowed(&request, port) {
        let _ = request.respond(text(
            421,
            "this preview answers only to its own address, such as http://127.0.0.1:PORT/",
        ));
        return;
    }
    if !matches!(
        request.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    ) {
        let _ = request.respond(text(405, "the preview is read-only"));
        return;
    }
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let response = match path {
        "/" => asset("text/html; charset=utf-8", assets::INDEX),
        "/app.js" => asset("text/javascript; charset=utf-8", assets::SCRIPT),
        "/app.css" => asset("text/css; charset=utf-8", assets::STYLE),
        "/api/overview" => json(state.overview()),
        "/api/render" => json(state.render(query).json.clone()),
        _ if path.starts_with("/api/page/") => {
            let page = path["/api/page/".len()..].parse().ok();
            match page.and_then(|n| state.page(query, n)) {
                // The address names the generation, so it never goes stale.
                Some(png) => Response::from_data(png.to_vec())
                    .with_header(header("Content-Type", "image/png"))
                    .with_header(header("Cache-Control", "private, max-age=3600")),
                None => text(404, "no such page"),
            }
        }
        "/api/pdf" => match state.pdf(query) {
            Ok((bytes, name)) => Response::from_data(bytes)
                .with_header(header("Content-Type", "application/pdf"))
                .with_header(header(
                    "Content-Disposition",
                    &format!("attachment; filename=\"{name}\""),
                ))
                .with_header(header("Cache-Control", "no-store")),
            Err(why) => text(409, &why),
        },
        "/events" => return events(state, request),
        _ => text(404, "not found"),
    };
    let _ = request.respond(response);
}

/// A DNS name that resolves to this machine must not reach the preview:
/// only `localhost` and addresses written as numbers are answered.
fn host_allowed(request: &Request, port: u16) -> bool {
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
    else {
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
fn events(state: &Arc<State>, request: Request) {
    let mut out = request.into_writer();
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

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

fn asset(kind: &str, body: &'static str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body.as_bytes().to_vec())
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
}

fn json(body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body.into_bytes())
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("Cache-Control", "no-store"))
}

fn text(code: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(format!("{body}\n").into_bytes())
        .with_status_code(StatusCode(code))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}
