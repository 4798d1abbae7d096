//! Handouts in the content's language: the layouts' own words and the dates
//! come from the language's catalog, content can replace any label, and a
//! language without a catalog falls back to English with a warning.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};

use common::*;

const GERMAN: &str = "examples/languages/ai-engineer-vs-ml-engineer.de.yaml";
const SPANISH: &str = "examples/languages/ai-engineer-vs-ml-engineer.es.yaml";
const FRENCH: &str = "tests/fixtures/languages/fr.yaml";
const HINDI: &str = "examples/languages/ai-engineer-vs-ml-engineer.hi.yaml";
const ARABIC: &str = "examples/languages/ai-engineer-vs-ml-engineer.ar.yaml";

/// The catalog of `lang`, as the layouts read it.
fn catalog(lang: &str) -> serde_yaml::Value {
    let path = root().join(format!("layouts/lang/{lang}.yaml"));
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The English words of every label that `lang` translates: the longest
/// piece between placeholders, lower-cased.
fn english_words(lang: &str) -> Vec<(String, String)> {
    let (en, other) = (catalog("en"), catalog(lang));
    let mut out = Vec::new();
    for (key, text) in en["labels"].as_mapping().unwrap() {
        let key = key.as_str().unwrap();
        let english = text.as_str().unwrap();
        let translated = other["labels"][key].as_str().unwrap().to_lowercase();
        let piece = english
            .split(['{', '}'])
            .step_by(2)
            .map(str::trim)
            .max_by_key(|p| p.len())
            .unwrap()
            .to_lowercase();
        if piece.len() >= 4 && !translated.contains(&piece) {
            out.push((key.to_string(), piece));
        }
    }
    out
}

fn build(out: &Path, content: &str, extra: &[&str]) {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"build", &content, &"-o", &out, &"-q"];
    for e in extra {
        args.push(e);
    }
    assert_ok(&handout(&args));
}

fn find(dir: &Path, suffix: &str) -> PathBuf {
    pdfs_in(dir)
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {}", dir.display()))
}

#[test]
fn german_french_and_spanish_handouts_are_wholly_in_their_language() {
    for (content, lang, goal, date) in [
        (GERMAN, "de", "modern-ai-systems", "12. Mai 2026"),
        (SPANISH, "es", "modern-ai-systems", "12 de mayo de 2026"),
        (FRENCH, "fr", "decisions", "1er mai 2026"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        build(
            dir.path(),
            content,
            &[
                "--all-goals",
                "-l",
                "handout,flyer-duplex",
                "-e",
                "print,email",
            ],
        );
        let generic = pdfs_in(dir.path())
            .into_iter()
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                !name.contains("--")
            })
            .unwrap();
        assert_all_strings_present(&root().join(content), &generic);
        let english = english_words(lang);
        assert!(english.len() > 40, "{lang}: {}", english.len());
        for pdf in pdfs_in(dir.path()) {
            // Web addresses keep their own words.
            let text: String = pdf_text(&pdf, None)
                .split_whitespace()
                .filter(|w| !w.contains('/'))
                .collect();
            let text = squash_hyphens(&text).to_lowercase();
            let found: Vec<_> = english
                .iter()
                .filter(|(_, words)| text.contains(&squash_hyphens(words)))
                .collect();
            assert!(
                found.is_empty(),
                "{}: English text {found:?}",
                pdf.display()
            );
            for month in ["january", "may", "december"] {
                assert!(!text.contains(&format!("{month}2026")), "{}", pdf.display());
            }
        }
        // The meta block, the footer and the review's line.
        let variant = find(dir.path(), &format!("--{goal}.pdf"));
        let text = squash_hyphens(&pdf_text(&variant, None));
        assert!(
            text.matches(&squash_hyphens(date)).count() >= 3,
            "{lang}: {date}\n{text}"
        );
    }
}

#[test]
fn a_label_from_the_content_replaces_the_catalogs_and_an_unknown_one_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let fr = std::fs::read_to_string(root().join(FRENCH)).unwrap();
    let with_labels = dir.path().join("labels.yaml");
    std::fs::write(
        &with_labels,
        format!("{fr}\nlabels:\n  faq: Vos questions, nos réponses\n  start_with_course: \"Votre première étape : {{course}}\"\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    build(
        &out,
        with_labels.to_str().unwrap(),
        &["--goal", "decisions"],
    );
    let text = squash(&pdf_text(&pdfs_in(&out)[0], None));
    assert!(text.contains(&squash("Vos questions, nos réponses")));
    assert!(text.contains(&squash(
        "Votre première étape : Formation Analyse de données"
    )));
    assert!(!text.contains(&squash("Questions fréquentes")));

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        format!("{fr}\nlabels:\n  experiance_note: Vécu\n  skills: \"Compétences {{course}}\"\n"),
    )
    .unwrap();
    let o = handout(&[&"build", &bad, &"-o", &dir.path().join("bad-out")]);
    assert_eq!(o.status.code(), Some(1));
    let line = fr.lines().count() + 3;
    assert_stderr_has(&o, &format!("bad.yaml:{line}:3"));
    assert_stderr_has(&o, "there is no label `experiance_note`");
    assert_stderr_has(&o, "did you mean `experience_note`?");
    assert_stderr_has(&o, "the label `skills` has no placeholder `{course}`");
    assert!(!dir.path().join("bad-out").exists());
}

#[test]
fn a_language_without_texts_falls_back_to_english_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let dutch = dir.path().join("nl.yaml");
    std::fs::write(&dutch, seed.patched("lang: en", "lang: nl-BE")).unwrap();
    let out = dir.path().join("out");
    let o = handout(&[&"build", &dutch, &"-o", &out]);
    assert_ok(&o);
    assert_stderr_has(&o, "the layouts have no texts in `nl`");
    assert_stderr_has(&o, "add lang/nl.yaml to a --layouts folder");
    let text = squash(&pdf_text(&pdfs_in(&out)[0], None));
    for english in [
        "Best fit when",
        "Main takeaway",
        "Last updated on 12 May 2026.",
    ] {
        assert!(text.contains(&squash(english)), "{english}");
    }
    let o = handout(&[&"build", &dutch, &"-o", &out, &"--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1));

    // A catalog added with --layouts is used, and then there is no warning.
    let layouts = dir.path().join("layouts");
    std::fs::create_dir_all(layouts.join("lang")).unwrap();
    let en = std::fs::read_to_string(root().join("layouts/lang/en.yaml")).unwrap();
    std::fs::write(
        layouts.join("lang/nl.yaml"),
        en.patched("Best fit when", "Past het best als"),
    )
    .unwrap();
    let o = handout(&[&"build", &dutch, &"-o", &out, &"--layouts", &layouts]);
    assert_ok(&o);
    assert!(!stderr(&o).contains("no texts in"));
    let text = squash(&pdf_text(&pdfs_in(&out)[0], None));
    assert!(text.contains(&squash("Past het best als")));
}

/// `check` reads the project as `build` does: with the same `--layouts`, it
/// says the same about a language whose words come from that folder.
#[test]
fn check_and_build_say_the_same_about_a_language_from_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let dutch = dir.path().join("nl.yaml");
    std::fs::write(&dutch, seed.patched("lang: en", "lang: nl")).unwrap();
    let layouts = dir.path().join("layouts");
    std::fs::create_dir_all(layouts.join("lang")).unwrap();
    let en = std::fs::read_to_string(root().join("layouts/lang/en.yaml")).unwrap();
    let out = dir.path().join("out");
    // The diagnostics of a run: its stderr without what only `build` adds
    // ("rendered …", "; nothing was written").
    let diagnostics = |o: &std::process::Output| -> String {
        stderr(o)
            .lines()
            .filter(|l| !l.starts_with("rendered "))
            .map(|l| l.trim_end_matches("; nothing was written"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let both = |extra: &[&dyn AsRef<std::ffi::OsStr>]| {
        let mut check: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"check", &dutch];
        check.extend_from_slice(extra);
        let mut build: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"build", &dutch, &"-q", &"-o", &out];
        build.extend_from_slice(extra);
        (handout(&check), handout(&build))
    };

    // Without the catalog, both warn that the words fall back to English.
    let (check, build) = both(&[]);
    assert_ok(&check);
    assert_ok(&build);
    assert_stderr_has(&check, "the layouts have no texts in `nl`");
    assert_eq!(diagnostics(&check), diagnostics(&build));

    // With it in --layouts, neither warns.
    std::fs::write(
        layouts.join("lang/nl.yaml"),
        en.patched("Best fit when", "Past het best als"),
    )
    .unwrap();
    let (check, build) = both(&[&"--layouts", &layouts]);
    assert_ok(&check);
    assert_ok(&build);
    assert!(
        !stderr(&check).contains("no texts in"),
        "{}",
        stderr(&check)
    );
    assert_eq!(diagnostics(&check), diagnostics(&build));
    assert!(String::from_utf8_lossy(&check.stdout).contains("nl.yaml: ok"));

    // A broken catalog there is the same error from both, with exit 1.
    std::fs::write(
        layouts.join("lang/nl.yaml"),
        en.patched("\n  faq:", "\n  faqs:"),
    )
    .unwrap();
    let (check, build) = both(&[&"--layouts", &layouts]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(build.status.code(), Some(1));
    assert_stderr_has(&check, "there is no label `faqs`");
    assert_eq!(diagnostics(&check), diagnostics(&build));
}

#[test]
fn each_sample_language_gives_the_same_bytes_at_any_job_count() {
    for content in [GERMAN, SPANISH, FRENCH, HINDI, ARABIC] {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        let args = ["--all-goals", "-l", "handout,flyer"];
        build(&one, content, &[&args[..], &["-j", "1"]].concat());
        build(&two, content, &[&args[..], &["-j", "2"]].concat());
        let (a, b) = (pdfs_in(&one), pdfs_in(&two));
        assert!(a.len() >= 6 && a.len() == b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.file_name(), y.file_name());
            assert_eq!(
                std::fs::read(x).unwrap(),
                std::fs::read(y).unwrap(),
                "{x:?}"
            );
        }
    }
}

#[test]
fn german_titles_and_headings_break_between_words_only() {
    let dir = tempfile::tempdir().unwrap();
    let title = "Backendentwicklerin oder Datenbankadministratorin: Berufsbilder im Vergleich";
    let heading = "Die Werkzeugsammlungen, denen Sie bei Softwaredienstleistern begegnen";
    let yaml = std::fs::read_to_string(root().join(GERMAN))
        .unwrap()
        .replacen(
            "title: AI Engineer oder ML Engineer?",
            &format!("title: \"{title}\""),
            1,
        )
        .replacen(
            "heading: Die Werkzeuge, denen Sie eher begegnen",
            &format!("heading: {heading}"),
            1,
        );
    let content = dir.path().join("de.yaml");
    std::fs::write(&content, yaml).unwrap();
    let out = dir.path().join("out");
    build(&out, content.to_str().unwrap(), &["-p", "a4,a5"]);
    for pdf in pdfs_in(&out) {
        let text = pdf_text(&pdf, None);
        let words: Vec<&str> = text.split_whitespace().collect();
        // Each long word whole, with neither a hyphen nor a break inside.
        for word in title.split(' ').chain(heading.split([' ', ','])) {
            if word.len() > 12 {
                assert!(
                    words
                        .iter()
                        .any(|w| w.trim_end_matches([',', ':']) == word.trim_end_matches(':')),
                    "{}: `{word}` is broken\n{text}",
                    pdf.display()
                );
            }
        }
    }
}
