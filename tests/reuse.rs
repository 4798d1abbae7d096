//! A build into a folder that holds an earlier build reuses every document
//! whose inputs, options and files are unchanged, and renders the rest:
//! each kind of input is changed alone here, and the documents that depend
//! on it are the ones rendered.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// A project: the seed under a school folder with a brand (`school/`), a
/// French comparison beside it (`plain/`), a layouts folder that overrides
/// nothing yet, and an event.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for d in ["school/content", "school/fonts", "plain", "layouts"] {
            std::fs::create_dir_all(p.join(d)).unwrap();
        }
        let example = root().join("examples/brand");
        for f in [
            "_brand.yml",
            "logo.svg",
            "fonts/LibertinusSerif-Bold.otf",
            "fonts/LibertinusSerif-Regular.otf",
        ] {
            std::fs::copy(example.join(f), p.join("school").join(f)).unwrap();
        }
        std::fs::copy(root().join(SEED), p.join("school/content/seed.yaml")).unwrap();
        std::fs::copy(fixture("languages/fr.yaml"), p.join("plain/fr.yaml")).unwrap();
        std::fs::copy(fixture("recipients/event.yaml"), p.join("event.yaml")).unwrap();
        Self { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs `handout` in the project with `args` and the environment given.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
        cmd.current_dir(self.dir.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("HANDOUT_UNSUBSCRIBE_SECRET")
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Builds both comparisons, every goal, with the extra arguments.
    fn build(&self, extra: &[&str], env: &[(&str, &str)]) -> Output {
        let mut args = vec![
            "build",
            "school/content",
            "plain",
            "-o",
            "out",
            "--all-goals",
            "--layouts",
            "layouts",
        ];
        args.extend(extra);
        let o = self.run(&args, env);
        assert_ok(&o);
        o
    }

    /// Builds the school's comparison alone, every goal.
    fn build_school_only(&self) -> Output {
        let o = self.run(
            &[
                "build",
                "school/content",
                "-o",
                "out",
                "--all-goals",
                "--layouts",
                "layouts",
            ],
            &[],
        );
        assert_ok(&o);
        o
    }

    /// The documents of the last build, rendered and reused, by file name.
    fn last(&self) -> (BTreeSet<String>, BTreeSet<String>) {
        let report = read_json(&self.path("out/.handout/report.json"));
        let mut rendered = BTreeSet::new();
        let mut reused = BTreeSet::new();
        for d in report["documents"].as_array().unwrap() {
            let name = Path::new(d["output"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            assert_eq!(d["status"], "ok", "{d}");
            if d["reused"] == true {
                assert_eq!(d["ms"], 0);
                reused.insert(name);
            } else {
                rendered.insert(name);
            }
        }
        (rendered, reused)
    }

    /// Asserts that the last build rendered exactly the documents whose
    /// names start with one of `prefixes` and reused the others.
    #[track_caller]
    fn rendered_only(&self, prefixes: &[&str], what: &str) {
        let (rendered, reused) = self.last();
        let expected = |n: &String| prefixes.iter().any(|p| n.starts_with(p));
        let wrong: Vec<&String> = rendered
            .iter()
            .filter(|n| !expected(n))
            .chain(reused.iter().filter(|n| expected(n)))
            .collect();
        assert!(
            wrong.is_empty() && !rendered.is_empty() || prefixes.is_empty() && rendered.is_empty(),
            "after {what}: rendered {rendered:?}, reused {reused:?}"
        );
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

const SEED_DOCS: &str = "ai-engineer-vs-ml-engineer";
const FR_DOCS: &str = "analyste-ou-data-scientist";

fn mtimes(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    let mut out: Vec<_> = pdfs_in(dir)
        .into_iter()
        .map(|p| {
            let t = std::fs::metadata(&p).unwrap().modified().unwrap();
            (p, t)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn an_unchanged_rebuild_reuses_every_document_and_touches_no_file() {
    let p = Project::new();
    p.build(&["--paper", "a4,us-letter"], &[]);
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "the first build");
    let before = mtimes(&p.path("out"));
    let o = p.build(&["--paper", "a4,us-letter"], &[]);
    p.rendered_only(&[], "nothing changed");
    let (_, reused) = p.last();
    assert_stderr_has(
        &o,
        &format!("reused {} unchanged, rendered 0", reused.len()),
    );
    assert_eq!(
        mtimes(&p.path("out")),
        before,
        "reused files are left as they were"
    );
    let report = read_json(&p.path("out/.handout/report.json"));
    assert_eq!(report["totals"]["reused"], reused.len());

    // --force renders every one, and gives the same bytes.
    let sums: Vec<Vec<u8>> = before
        .iter()
        .map(|(f, _)| std::fs::read(f).unwrap())
        .collect();
    p.build(&["--paper", "a4,us-letter", "--force"], &[]);
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "--force");
    let again: Vec<Vec<u8>> = before
        .iter()
        .map(|(f, _)| std::fs::read(f).unwrap())
        .collect();
    assert!(sums == again, "a full build gives the reused bytes");
}

#[test]
fn each_input_renders_only_the_documents_that_depend_on_it() {
    let p = Project::new();
    p.build(&[], &[]);
    // The content file.
    p.edit(
        "school/content/seed.yaml",
        "answer: >-\n",
        "answer: >-\n        Yes and no.\n",
    );
    p.build(&[], &[]);
    p.rendered_only(&[SEED_DOCS], "a content edit");
    // The brand, which only the school's comparison has.
    p.edit(
        "school/_brand.yml",
        "pine: \"#1f5c4a\"",
        "pine: \"#1f5c4b\"",
    );
    p.build(&[], &[]);
    p.rendered_only(&[SEED_DOCS], "a brand edit");
    // A layout file every document reads.
    let theme = std::fs::read_to_string(root().join("layouts/theme.typ")).unwrap();
    std::fs::write(
        p.path("layouts/theme.typ"),
        format!("{theme}\n// overridden\n"),
    )
    .unwrap();
    p.build(&[], &[]);
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "a theme override");
    // A catalog that only the French comparison reads.
    std::fs::create_dir_all(p.path("layouts/lang")).unwrap();
    let fr = std::fs::read_to_string(root().join("layouts/lang/fr.yaml")).unwrap();
    std::fs::write(
        p.path("layouts/lang/fr.yaml"),
        format!("{fr}\n# overridden\n"),
    )
    .unwrap();
    p.build(&[], &[]);
    p.rendered_only(&[FR_DOCS], "a French catalog override");
    // The event, fonts and the environment reach every document.
    p.build(&["--event", "event.yaml"], &[]);
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "adding an event");
    p.edit("event.yaml", "Hall B", "Hall C");
    p.build(&["--event", "event.yaml"], &[]);
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "an event edit");
    p.build(
        &["--event", "event.yaml"],
        &[("SOURCE_DATE_EPOCH", "1796515200")],
    );
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "SOURCE_DATE_EPOCH");
    let fonts = p.path("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::copy(
        root().join("examples/brand/fonts/LibertinusSerif-Regular.otf"),
        fonts.join("extra.otf"),
    )
    .unwrap();
    let env = [("SOURCE_DATE_EPOCH", "1796515200")];
    p.build(&["--event", "event.yaml", "--font-dir", "fonts"], &env);
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "a font folder");
    p.build(&["--event", "event.yaml", "--font-dir", "fonts"], &env);
    p.rendered_only(&[], "nothing changed");
}

#[test]
fn every_option_that_changes_bytes_renders_again() {
    let p = Project::new();
    p.build(&[], &[]);
    // Options that keep the file names: each changes every document.
    let mut args: Vec<&str> = Vec::new();
    for more in [
        &["--pages", "6"][..],
        &["--bleed", "3mm"],
        &["--pdf-standard", "a-2b"],
        &["--thumbnail"],
    ] {
        args.extend(more);
        p.build(&args, &[]);
        p.rendered_only(&[SEED_DOCS, FR_DOCS], &args.join(" "));
        p.build(&args, &[]);
        p.rendered_only(&[], &format!("{} again", args.join(" ")));
    }
    // A thumbnail that is no longer asked for goes with the next build.
    p.build(&[], &[]);
    assert!(pdfs_in(&p.path("out")).len() > 1);
    let pngs = std::fs::read_dir(p.path("out"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .count();
    assert_eq!(pngs, 0, "the thumbnails of the earlier build are removed");
}

#[test]
fn a_deleted_or_edited_output_is_rendered_again_and_a_bad_report_is_ignored() {
    let p = Project::new();
    p.build(&[], &[]);
    let one = p.path(&format!("out/{FR_DOCS}.pdf"));
    std::fs::remove_file(&one).unwrap();
    p.build(&[], &[]);
    p.rendered_only(&[&format!("{FR_DOCS}.pdf")], "deleting one output");
    // Same size, other bytes, and an older time: still found out.
    let mut bytes = std::fs::read(&one).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 1;
    std::fs::write(&one, &bytes).unwrap();
    p.build(&[], &[]);
    p.rendered_only(&[&format!("{FR_DOCS}.pdf")], "editing one output");

    std::fs::write(p.path("out/.handout/report.json"), "{\"documents\": [").unwrap();
    let o = p.build(&[], &[]);
    assert_stderr_has(&o, "warning: ignoring the earlier build's report");
    p.rendered_only(&[SEED_DOCS, FR_DOCS], "a corrupted report");
}

#[test]
fn outputs_no_longer_planned_are_removed_unless_changed_since() {
    // A build of fewer files keeps the others' outputs.
    let p = Project::new();
    p.build(&[], &[]);
    let all = pdfs_in(&p.path("out")).len();
    p.build_school_only();
    assert_eq!(pdfs_in(&p.path("out")).len(), all);

    let p = Project::new();
    p.build(&[], &[]);
    let fr: Vec<PathBuf> = pdfs_in(&p.path("out"))
        .into_iter()
        .filter(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(FR_DOCS)
        })
        .collect();
    assert!(fr.len() >= 2);
    // One of them was replaced by hand: it is someone's, and stays.
    std::fs::write(&fr[0], b"kept").unwrap();
    // The content file is deleted.
    std::fs::remove_file(p.path("plain/fr.yaml")).unwrap();
    let o = p.build_school_only();
    assert_stderr_has(
        &o,
        &format!(
            "removed {} this build no longer makes",
            if fr.len() == 2 {
                "1 file".to_string()
            } else {
                format!("{} files", fr.len() - 1)
            }
        ),
    );
    assert!(fr[0].exists());
    assert!(fr[1..].iter().all(|f| !f.exists()));
    let report = read_json(&p.path("out/.handout/report.json"));
    assert_eq!(report["removed"].as_array().unwrap().len(), fr.len() - 1);
}

#[test]
fn a_failed_document_is_never_reused() {
    let p = Project::new();
    let args = ["--pages", "1", "--keep-going"];
    let run = || {
        let mut all = vec![
            "build",
            "school/content",
            "plain",
            "-o",
            "out",
            "--layouts",
            "layouts",
        ];
        all.extend(args);
        let o = p.run(&all, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        read_json(&p.path("out/.handout/report.json"))
    };
    run();
    let report = run();
    let failed: Vec<&serde_json::Value> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "failed")
        .collect();
    assert!(!failed.is_empty());
    for d in failed {
        assert_eq!(d["reused"], false);
        assert!(d["ms"].as_u64().is_some());
    }
}

#[test]
fn shards_reuse_from_their_own_reports() {
    let p = Project::new();
    for shard in ["1/2", "2/2"] {
        p.build(&["--shard", shard], &[]);
    }
    let all = pdfs_in(&p.path("out")).len();
    let o = p.build(&["--shard", "1/2"], &[]);
    assert_stderr_has(&o, "rendered 0");
    assert!(p.path("out/.handout/report.1-of-2.json").exists());
    assert!(p.path("out/.handout/report.2-of-2.json").exists());
    // The other shard's documents are its own: none is removed.
    assert_eq!(pdfs_in(&p.path("out")).len(), all);
}

#[test]
fn reused_drafts_keep_their_bytes_ids_and_seals() {
    let p = Project::new();
    std::fs::write(
        p.path("people.csv"),
        "name,email,goal,city\nZoë Ñúñez,zoe@example.org,modern-ai-systems,Bilbao\n\"O'Brien, Seán\",sean@example.org,,Cork\nOlga,olga@example.org,production-ml,Riga\n",
    )
    .unwrap();
    let args = [
        "build",
        "school/content",
        "-o",
        "out",
        "--recipients",
        "people.csv",
        "--eml",
        "--from",
        "Admissions <admissions@example.org>",
        "--unsubscribe",
        "https://example.org/u/{unsubscribe_token}",
    ];
    let secret = [(
        "HANDOUT_UNSUBSCRIBE_SECRET",
        "0123456789abcdef0123456789abcdef",
    )];
    assert_ok(&p.run(&args, &secret));
    let outbox = std::fs::read(p.path("out/outbox.jsonl")).unwrap();
    let emls = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
            .collect();
        v.sort();
        v
    };
    let first = emls(&p.path("out"));
    assert!(first.len() >= 2);
    let o = p.run(&args, &secret);
    assert_ok(&o);
    assert_stderr_has(&o, "rendered 0");
    assert_eq!(std::fs::read(p.path("out/outbox.jsonl")).unwrap(), outbox);
    assert_eq!(emls(&p.path("out")), first);
    // One row changed: only that person's draft is made again.
    let people = std::fs::read_to_string(p.path("people.csv")).unwrap();
    std::fs::write(p.path("people.csv"), people.replacen("Cork", "Galway", 1)).unwrap();
    let o = p.run(&args, &secret);
    assert_ok(&o);
    assert_stderr_has(&o, "reused 2 unchanged, rendered 1");
    // A draft option changes every draft.
    let mut subject = args.to_vec();
    subject.extend(["--subject", "Your handout, {name}"]);
    let o = p.run(&subject, &secret);
    assert_ok(&o);
    assert_stderr_has(&o, "rendered 3 documents");
    // A new secret changes every unsubscribe link.
    let other = [(
        "HANDOUT_UNSUBSCRIBE_SECRET",
        "fedcba9876543210fedcba9876543210",
    )];
    let o = p.run(&args, &other);
    assert_ok(&o);
    assert_stderr_has(&o, &format!("rendered {}", first.len()));
    let report = std::fs::read_to_string(p.path("out/.handout/report.json")).unwrap();
    assert!(
        !report.contains("fedcba9876543210"),
        "the secret never reaches a report"
    );
}

#[test]
fn diff_names_the_yaml_path_of_an_in_place_edit_from_the_reports_alone() {
    let p = Project::new();
    let build = |out: &str| {
        assert_ok(&p.run(&["build", "school/content", "-o", out, "-q"], &[]));
    };
    build("before");
    p.edit(
        "school/content/seed.yaml",
        "answer: >-\n",
        "answer: >-\n        Yes and no.\n",
    );
    build("after");
    let o = p.run(&["diff", "before", "after"], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("content (faq.entries[0].answer)"), "{out}");

    // A report without the texts (from before they were kept): diff says
    // why it cannot name the paths.
    let kept = p.path("before/.handout/report.json");
    let mut json = read_json(&kept);
    json.as_object_mut().unwrap().remove("content_files");
    std::fs::write(&kept, json.to_string()).unwrap();
    let o = p.run(&["diff", "before", "after"], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("YAML paths unknown: school/content/seed.yaml was edited in place"),
        "{out}"
    );
}

/// The kept report is an aid: when it cannot be written, the build still
/// succeeds, says so, and the next build renders everything.
#[test]
fn a_report_that_cannot_be_kept_is_a_warning_and_reuse_starts_over() {
    let p = Project::new();
    std::fs::create_dir_all(p.path("out")).unwrap();
    // A file where the folder would go.
    std::fs::write(p.path("out/.handout"), b"in the way").unwrap();
    let o = p.build(&[], &[]);
    assert_stderr_has(
        &o,
        "warning: cannot keep this build's report for the next one",
    );
    std::fs::remove_file(p.path("out/.handout")).unwrap();
    p.build(&[], &[]);
    p.rendered_only(
        &[SEED_DOCS, FR_DOCS],
        "a build after one that kept no report",
    );
    p.build(&[], &[]);
    p.rendered_only(&[], "nothing changed");
}

/// A reused document's warnings are said again, so that a cached build
/// does not hide them, and the report keeps them as the earlier one had.
#[test]
fn a_reused_documents_warnings_are_said_again() {
    let p = Project::new();
    let handout = std::fs::read_to_string(root().join("layouts/handout.typ")).unwrap();
    std::fs::write(
        p.path("layouts/handout.typ"),
        format!("{handout}\n#text(font: \"NoSuchFontAtAll\")[x]\n"),
    )
    .unwrap();
    let first = p.build(&[], &[]);
    assert_stderr_has(&first, "unknown font family: nosuchfontatall");
    let before = read_json(&p.path("out/.handout/report.json"));
    let again = p.build(&[], &[]);
    p.rendered_only(&[], "nothing changed");
    assert_stderr_has(&again, "unknown font family: nosuchfontatall");
    let after = read_json(&p.path("out/.handout/report.json"));
    for (a, b) in before["documents"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["documents"].as_array().unwrap())
    {
        assert_eq!(a["warnings"], b["warnings"]);
    }
}
