//! `handout serve`: a live preview of the documents in the browser, drawn
//! again as the inputs are saved, and edited on the page. The page, its
//! script and its style are in the binary; nothing is fetched from
//! elsewhere, and only an edit made on the page writes (`edit.rs`).

mod answer;
mod choice;
mod edit;
mod http;
mod ready;
mod runs;
mod state;
mod trace;
mod warm;
mod wire;

use std::net::IpAddr;
use std::sync::Arc;

pub use edit::Writes;
pub use http::TOKEN_HEADER;
pub use runs::{CampaignConfig, CampaignRequest, Root, RunsConfig};
pub use state::{Inputs, State};

use crate::error::Error;

/// The page, its script and its style.
mod assets {
    pub const INDEX: &str = include_str!("assets/index.html");
    pub const SCRIPT: &str = include_str!("assets/app.js");
    pub const RUNS: &str = include_str!("assets/runs.js");
    pub const CAMPAIGN: &str = include_str!("assets/campaign.js");
    pub const STYLE: &str = include_str!("assets/app.css");
}

/// The status the server answers to the raw bytes of one request, with
/// every check and limit of a real connection but without one, and with
/// streams (change events) cut short: for fuzzing and tests.
pub fn status_for(state: &Arc<State>, raw: &[u8], port: u16) -> u16 {
    let mut buf = Vec::new();
    match wire::read_head(&mut std::io::Cursor::new(raw), &mut buf) {
        Ok(Some(request)) => match http::handle(state, &request, port) {
            wire::Reply::Full(response) => response.status,
            wire::Reply::Stream(_) => 200,
        },
        // An incomplete request: the client is still sending.
        Ok(None) => 0,
        Err(refusal) => refusal.status,
    }
}

/// A running preview server.
pub struct Server {
    pub state: Arc<State>,
    /// Where it listens, such as `http://127.0.0.1:5050/`.
    pub url: String,
}

impl Server {
    /// Listens on `host:port`, or on a free port when that one is taken or
    /// `port` is 0, and answers on threads of its own.
    pub fn start(inputs: Inputs, host: IpAddr, port: u16) -> Result<Self, Error> {
        let listener = std::net::TcpListener::bind((host, port))
            .or_else(|_| std::net::TcpListener::bind((host, 0)))
            .map_err(|e| {
                Error::system(
                    format!("cannot listen on {host}: {e}"),
                    "give --host an address of this machine, such as 127.0.0.1",
                )
            })?;
        let port = listener.local_addr().map_or(port, |a| a.port());
        let state = Arc::new(State::new(inputs)?);
        let shared = state.clone();
        let handler: wire::Handler = Arc::new(move |request| http::handle(&shared, request, port));
        std::thread::spawn(move || wire::serve(listener, handler));
        let shown = match host {
            IpAddr::V6(a) => format!("[{a}]"),
            IpAddr::V4(a) if a.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V4(a) => a.to_string(),
        };
        Ok(Self {
            url: format!("http://{shown}:{port}/?token={}", state.token()),
            state,
        })
    }
}
