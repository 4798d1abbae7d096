//! What a new staff member runs into: regional languages, editions side by
//! side, placeholders, and first-run friction.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// `minimal.yaml` with `extra` lines added, written into `dir`.
fn minimal_with(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixture("minimal.yaml")).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("{text}{extra}")).unwrap();
    path
}

#[test]
fn languages_with_a_region_render() {
    let dir = tempfile::tempdir().unwrap();
    for tag in ["en-GB", "pt-BR", "zh-Hant-TW"] {
        let file = minimal_with(dir.path(), "page.yaml", &format!("lang: {tag}\n"));
        let out = dir.path().join(tag);
        assert_ok(&handout(&[&"check", &file]));
        assert_ok(&handout(&[&"build", &file, &"-q", &"-o", &out]));
        assert_eq!(pdfs_in(&out).len(), 1, "{tag}");
    }
}

#[test]
fn a_language_the_layouts_cannot_use_fails_check_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let file = minimal_with(dir.path(), "page.yaml", "lang: es-419\n");
    let o = handout(&[&"check", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert_stderr_has(&o, "page.yaml:15:");
    assert_stderr_has(&o, "two-letter country code");
}
