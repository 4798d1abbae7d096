//! What users see, pinned: the full error output for bad inputs, the help
//! of every subcommand, `list` on the seed, and the data and brand layouts
//! receive.
//!
//! Refresh after an intended change with
//! `INSTA_UPDATE=always cargo test --test snapshots`, then review the diff of
//! `tests/snapshots/`.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::*;

/// Exit code and stderr of a run, as one snapshot.
fn failure(args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let o = handout(args);
    format!("exit: {:?}\n{}", o.status.code(), stderr(&o))
}

/// A folder under `target/` with a fixed relative name, so paths printed
/// in messages are the same on every machine.
fn scratch(name: &str) -> String {
    let rel = format!("target/snapshot-out/{name}");
    let _ = std::fs::remove_dir_all(root().join(&rel));
    rel
}

#[test]
fn bad_content_errors() {
    for (name, file) in [
        ("unknown_key", "unknown-key.yaml"),
        ("wrong_type", "wrong-type.yaml"),
        ("duplicate_key", "duplicate-key.yaml"),
        ("bad_date", "bad-date.yaml"),
        ("unknown_option_id", "dangling-id.yaml"),
        ("invalid_utf8", "invalid-utf8.yaml"),
        ("yaml_syntax", "syntax.yaml"),
        ("missing_field", "missing-field.yaml"),
        ("structure_and_references", "structure-and-references.yaml"),
    ] {
        let path = format!("tests/fixtures/broken/{file}");
        let out = scratch(name);
        insta::assert_snapshot!(name, failure(&[&"build", &path, &"-o", &out]));
        assert!(!root().join(&out).exists(), "{name}: output was written");
    }
}

#[test]
fn bad_arguments_and_layouts() {
    let out = scratch("unknown-goal");
    insta::assert_snapshot!(
        "unknown_goal",
        failure(&[&"build", &SEED, &"--goal", &"modern-ai-system", &"-o", &out])
    );
    insta::assert_snapshot!(
        "unknown_layout",
        failure(&[&"build", &SEED, &"--layout", &"poster", &"-o", &out])
    );
    let out = scratch("layout-error");
    insta::assert_snapshot!(
        "layout_error",
        failure(&[
            &"build",
            &"tests/fixtures/minimal.yaml",
            &"-o",
            &out,
            &"--layouts",
            &"tests/fixtures/bad-layout",
        ])
    );
    insta::assert_snapshot!(
        "unwritable_output_folder",
        failure(&[
            &"build",
            &"tests/fixtures/minimal.yaml",
            &"-o",
            &"tests/fixtures/minimal.yaml",
        ])
    );
    insta::assert_snapshot!(
        "missing_content_file",
        failure(&[&"build", &"content/no-such-page.yaml", &"-o", &out])
    );
}

#[test]
fn help_of_every_subcommand() {
    for sub in [
        None,
        Some("build"),
        Some("check"),
        Some("eject"),
        Some("list"),
        Some("watch"),
        Some("serve"),
        Some("new"),
        Some("schema"),
        Some("send"),
        Some("diff"),
        Some("completions"),
        Some("man"),
    ] {
        let o = match sub {
            Some(s) => handout(&[&s, &"--help"]),
            None => handout(&[&"--help"]),
        };
        assert_ok(&o);
        let name = format!("help_{}", sub.unwrap_or("handout"));
        insta::assert_snapshot!(name, String::from_utf8_lossy(&o.stdout));
    }
}

/// `--version` names the version, the commit (hidden here: it changes
/// with every commit) and the Typst it embeds.
#[test]
fn version_names_the_commit_and_typst() {
    let o = handout(&[&"--version"]);
    assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let (_, rest) = text.split_once("(commit ").expect("a commit");
    let commit = rest.split(',').next().unwrap().trim_end_matches("-dirty");
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{text}"
    );
    insta::assert_snapshot!(hide_commit(&text));
}

/// The bash completion script, as shells load it.
#[test]
fn completions_for_bash() {
    let o = handout(&[&"completions", &"bash"]);
    assert_ok(&o);
    insta::assert_snapshot!(String::from_utf8_lossy(&o.stdout));
}

/// The manual page's source, as `man` reads it.
#[test]
fn man_page() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[&"man", &"-o", &dir.path()]));
    let page = std::fs::read_to_string(dir.path().join("handout.1")).unwrap();
    insta::assert_snapshot!(hide_commit(&page));
}

/// Every `(commit X,` made `(commit COMMIT,`.
fn hide_commit(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("(commit ") {
        out.push_str(&rest[..i + "(commit ".len()]);
        rest = &rest[i + "(commit ".len()..];
        let end = rest.find(',').unwrap_or(rest.len());
        out.push_str("COMMIT");
        rest = &rest[end..];
    }
    out + rest
}

#[test]
fn list_on_the_seed() {
    let o = handout(&[&"list", &SEED]);
    assert_ok(&o);
    insta::assert_snapshot!(String::from_utf8_lossy(&o.stdout));
}

/// Every problem of a brand file at once, each with its place.
#[test]
fn bad_brand_errors() {
    let out = scratch("bad-brand");
    insta::assert_snapshot!(failure(&[
        &"build",
        &"tests/fixtures/minimal.yaml",
        &"--brand",
        &"tests/fixtures/broken/brand/_brand.yml",
        &"-o",
        &out
    ]));
    assert!(!root().join(&out).exists());
}

/// The brand contract: the example brand as layouts receive it at
/// `/brand.json`.
#[test]
fn example_brand_as_layouts_receive_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    assert_ok(&handout(&[
        &"eject",
        &SEED,
        &"--brand",
        &"examples/brand/_brand.yml",
        &"--out",
        &project,
    ]));
    let data = std::fs::read_to_string(project.join("brand.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&data).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
}

/// The layout contract: the seed's data as a layout receives it at
/// `/data.json`, for the generic handout and for a goal's variant.
#[test]
fn seed_data_as_layouts_receive_it() {
    for (name, extra) in [
        ("data_json_generic", &[][..]),
        (
            "data_json_variant_email",
            &["--goal", "predictive-models", "--edition", "email"][..],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"eject", &SEED, &"--out"];
        let project = dir.path().join("p");
        args.push(&project);
        for a in extra {
            args.push(a);
        }
        assert_ok(&handout(&args));
        let data = std::fs::read_to_string(Path::new(&project).join("data.json")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&data).unwrap();
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&value).unwrap());
    }
}

#[test]
fn email_template_and_send_errors() {
    let out = scratch("email-typos");
    insta::assert_snapshot!(
        "email_template_typos",
        failure(&[
            &"build",
            &SEED,
            &"--recipients",
            &"tests/fixtures/email/people.csv",
            &"--eml",
            &"--from",
            &"Admissions <admissions@example.org>",
            &"--body",
            &"tests/fixtures/email/typos.txt",
            &"--subject",
            &"{titel}",
            &"-o",
            &out,
        ])
    );
    assert!(!root().join(&out).exists());
    let empty = scratch("no-drafts");
    std::fs::create_dir_all(root().join(&empty)).unwrap();
    insta::assert_snapshot!(
        "send_without_drafts",
        failure(&[&"send", &empty, &"--smtp", &"smtp://localhost:2525"])
    );
}
