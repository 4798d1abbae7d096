//! The outbox and the send log as `handout send` reads them: arbitrary
//! lines as `outbox.jsonl`, then as `sent.jsonl`. Every input must end in
//! entries or in diagnostics, never in a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use handout::email::send::{Log, read_outbox};
use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("handout-fuzz-outbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
});

fuzz_target!(|data: &[u8]| {
    std::fs::write(DIR.join("outbox.jsonl"), data).unwrap();
    let _ = read_outbox(&DIR);
    std::fs::write(DIR.join("sent.jsonl"), data).unwrap();
    if let Ok(log) = Log::open(&DIR) {
        let _ = log.has_sent("<a@b>");
        let _ = log.is_unknown("<a@b>");
    }
});
