//! `handout diff`'s report reader: arbitrary bytes as a build's report in
//! a folder, whose documents may name any content file or output path.
//! Every input must end in a comparison or an error, never in a panic or a
//! hang: paths are read only when they are regular files of a bounded size,
//! and PDFs only inside the folder.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use handout::diff::{Build, ContentFiles, compare, compare_pages, markdown, summary};
use libfuzzer_sys::fuzz_target;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("handout-fuzz-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
});

fuzz_target!(|data: &[u8]| {
    std::fs::write(DIR.join("report.json"), data).unwrap();
    let Ok(build) = Build::read(&DIR) else {
        return;
    };
    let given = ContentFiles {
        before: None,
        after: None,
    };
    if let Ok(mut diff) = compare(&build, &build, &given) {
        let _ = compare_pages(&mut diff, &build, &build, None);
        let _ = summary(&diff);
        let _ = markdown(&diff);
    }
});
