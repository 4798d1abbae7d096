//! Event files: arbitrary YAML as `--event`. Every input must end in an
//! event or in diagnostics, never in a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("handout-fuzz-event-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
});

fuzz_target!(|data: &[u8]| {
    let path = DIR.join("event.yaml");
    std::fs::write(&path, data).unwrap();
    let _ = handout::event::load(&path);
});
