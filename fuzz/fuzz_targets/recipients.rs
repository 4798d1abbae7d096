//! Recipients files: arbitrary bytes as CSV, as YAML and as JSON, checked
//! with and without email addresses required. Every input must end in rows
//! or in diagnostics, never in a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use handout::fonts::Coverage;
use handout::recipients::{Rules, load};
use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("handout-fuzz-people-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
});
static COVERAGE: LazyLock<Coverage> = LazyLock::new(Coverage::bundled);

fuzz_target!(|data: &[u8]| {
    let goals = ["modern-ai-systems", "predictive-models"];
    for (ext, delimiter, email) in [("csv", None, false), ("csv", Some(b';'), true), ("yaml", None, false), ("json", None, true)] {
        let path = DIR.join(format!("people.{ext}"));
        std::fs::write(&path, data).unwrap();
        let rules = Rules {
            delimiter,
            goals: &goals,
            keep_going: email,
            require_email: email,
            smtputf8: delimiter.is_some(),
            coverage: &COVERAGE,
        };
        let _ = load(&path, rules);
    }
});
