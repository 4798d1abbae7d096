//! `handout serve`'s requests: arbitrary bytes as one request to a server
//! previewing the seed, through the same head reader, limits, access rule
//! and choice checks as a real connection, half of them with the right
//! token. Never a panic; every answer is a status the server sends.
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use handout::project::Sources;
use handout::render::Settings;
use handout::serve::{Inputs, RunsConfig, State, Writes, status_for};
use libfuzzer_sys::fuzz_target;

static STATE: LazyLock<Arc<State>> = LazyLock::new(|| {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../content/ai-engineer-vs-ml-engineer.yaml");
    let inputs = Inputs {
        // Requests are fuzzed; the seed is never written.
        writes: Writes::Off("fuzzing".into()),
        sources: Sources {
            content: vec![seed],
            ..Sources::default()
        },
        settings: Settings::default(),
        timeout: Duration::from_secs(20),
        // Print runs are off: a fuzzed request never writes.
        runs: RunsConfig::none(),
    };
    Arc::new(State::new(inputs).unwrap())
});

const PORT: u16 = 5050;

fuzz_target!(|data: &[u8]| {
    let state = &*STATE;
    let status = status_for(state, data, PORT);
    assert!(
        matches!(status, 0 | 200 | 400 | 403 | 404 | 405 | 409 | 411 | 413 | 414 | 421 | 422 | 431),
        "{status}"
    );
    // The same bytes as the query of a request that passes the access rule.
    let query: String = data
        .iter()
        .map(|&b| if b.is_ascii_graphic() && b != b'#' { char::from(b) } else { '&' })
        .collect();
    for path in ["/api/render", "/api/page/0"] {
        // The first `token=` counts: the right one goes first.
        let raw = format!(
            "GET {path}?token={}&{query} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n\r\n",
            state.token()
        );
        let status = status_for(state, raw.as_bytes(), PORT);
        assert!(matches!(status, 200 | 400 | 404 | 414), "{status} for {raw:?}");
    }
});
