//! HTTP/1.1 on the preview's own sockets, parsed by `httparse`, with every
//! request bounded: a request line of at most 8 KB, a head of at most
//! 64 KB, no body, a pause of at most 30 s between two reads, and at most
//! 256 connections at once. A client that sends more is answered and
//! dropped, so no request can make the server hold more than its limit.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The longest request line (method, target, version).
pub const MAX_LINE: usize = 8 * 1024;
/// The longest head: the request line and every header.
pub const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;
const MAX_CONNECTIONS: usize = 256;
/// The largest body a request may carry: an edit of one value.
pub const MAX_BODY: usize = 256 * 1024;
/// A client that sends nothing for this long is dropped, halfway through a
/// request or between two.
const IDLE: Duration = Duration::from_secs(30);

/// One request: its head, and the body of a POST.
pub struct Request {
    pub method: String,
    /// The path and query, as sent.
    pub target: String,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of this name, in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }
}

/// An answer with its whole body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, kind: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", kind.to_string())],
            body,
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn text(status: u16, body: &str) -> Self {
        Self::new(
            status,
            "text/plain; charset=utf-8",
            format!("{body}\n").into_bytes(),
        )
    }
}

/// What a handler answers: a whole response, or a stream that writes to
/// the connection until it ends (server-sent events), after which the
/// connection closes.
pub enum Reply {
    Full(Response),
    Stream(Box<dyn FnOnce(&mut TcpStream) + Send>),
}

pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// Answers every connection of `listener` on a thread of its own.
pub fn serve(listener: TcpListener, handler: Handler) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            let _ = write(
                &mut stream,
                &Response::text(503, "too many connections"),
                false,
                false,
            );
            continue;
        }
        let handler = handler.clone();
        // Counted off when the connection ends, however it ends (a thread
        // that cannot start drops its closure, and the count with it).
        let counted = Counted(open.clone());
        let _ = std::thread::Builder::new().spawn(move || {
            let _counted = counted;
            connection(stream, &handler);
        });
    }
}

/// One open connection in the count, until dropped.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Requests on one connection, kept alive while the client asks.
fn connection(mut stream: TcpStream, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(IDLE));
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        let request = match read_head(&mut stream, &mut buf) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(refusal) => {
                let _ = write(&mut stream, &refusal, false, false);
                return;
            }
        };
        let head_only = request.method == "HEAD";
        let keep = keep_alive(&request);
        match handler(&request) {
            Reply::Full(response) => {
                if write(&mut stream, &response, head_only, keep).is_err() || !keep {
                    return;
                }
            }
            Reply::Stream(body) => {
                body(&mut stream);
                return;
            }
        }
    }
}

/// Reads one request's head from `buf` and the stream; `None` when the
/// client closed or went quiet between requests, a response to send before
/// closing when the request breaks a limit.
pub(super) fn read_head(
    stream: &mut impl Read,
    buf: &mut Vec<u8>,
) -> Result<Option<Request>, Response> {
    // Where the search for the end of the head goes on from: a client that
    // sends a byte at a time costs a byte's search each time.
    let mut searched = 0;
    let mut line_ends = false;
    let end = loop {
        if let Some(at) = find(&buf[searched..], b"\r\n\r\n") {
            break searched + at + 4;
        }
        searched = buf.len().saturating_sub(3);
        line_ends = line_ends || find(&buf[..buf.len().min(MAX_LINE + 2)], b"\r\n").is_some();
        if !line_ends && buf.len() > MAX_LINE {
            return Err(Response::text(414, "the request line is longer than 8 KB"));
        }
        if buf.len() >= MAX_HEAD {
            return Err(Response::text(
                431,
                "the request's headers are longer than 64 KB",
            ));
        }
        let mut chunk = [0u8; 8192];
        let room = (MAX_HEAD - buf.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    if find(&buf[..end], b"\r\n").is_some_and(|line| line > MAX_LINE) {
        return Err(Response::text(414, "the request line is longer than 8 KB"));
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&buf[..end]) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Response::text(431, "the request has more than 100 headers"));
        }
        _ => return Err(Response::text(400, "this is not an HTTP request")),
    }
    let request = Request {
        method: parsed.method.unwrap_or_default().to_string(),
        target: parsed.path.unwrap_or_default().to_string(),
        headers: parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .chain(std::iter::once((
                ":version".to_string(),
                parsed.version.unwrap_or(1).to_string(),
            )))
            .collect(),
        body: Vec::new(),
    };
    buf.drain(..end);
    let mut request = request;
    if request.header("transfer-encoding").is_some() {
        return Err(Response::text(
            411,
            "give the body's length in Content-Length",
        ));
    }
    let length = match request
        .header("content-length")
        .map(|n| n.trim().parse::<usize>())
    {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err(Response::text(400, "Content-Length is not a number")),
    };
    if length > 0 && request.method != "POST" {
        return Err(Response::text(413, "only a POST carries a body"));
    }
    if length > MAX_BODY {
        return Err(Response::text(413, "the body is longer than 256 KB"));
    }
    while buf.len() < length {
        let mut chunk = [0u8; 8192];
        let room = (length - buf.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    request.body = buf.drain(..length).collect();
    Ok(Some(request))
}

fn keep_alive(request: &Request) -> bool {
    let connection = request
        .header("connection")
        .unwrap_or_default()
        .to_ascii_lowercase();
    match request.header(":version") {
        Some("1") => !connection.contains("close"),
        _ => connection.contains("keep-alive"),
    }
}

fn write(
    stream: &mut TcpStream,
    response: &Response,
    head_only: bool,
    keep: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        response.body.len(),
        if keep { "keep-alive" } else { "close" }
    ));
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        422 => "Unprocessable Content",
        413 => "Content Too Large",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
