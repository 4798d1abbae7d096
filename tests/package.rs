//! The release archive as `scripts/package` makes it on each runner, made
//! here from the test binary: its files, a binary that runs and builds the
//! seed, and checksums that `sha256sum -c` accepts.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::process::Command;

use common::*;

#[test]
fn the_release_archive_holds_a_working_binary_and_its_docs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let target = "x86_64-unknown-linux-gnu";
    let o = Command::new(root().join("scripts/package"))
        .args([target, env!("CARGO_BIN_EXE_handout")])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1796515200")
        .output()
        .unwrap();
    assert_ok(&o);
    let version = env!("CARGO_PKG_VERSION");
    let name = format!("handout-v{version}-{target}");
    let archive = out.join(format!("{name}.tar.gz"));
    let list = Command::new("tar")
        .arg("tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    for file in [
        "handout",
        "README.md",
        "CHANGELOG.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "completions/handout.bash",
        "completions/_handout",
        "completions/handout.fish",
        "completions/_handout.ps1",
        "man/handout.1",
        "man/handout-build.1",
    ] {
        assert!(
            list.lines().any(|l| l == format!("{name}/{file}")),
            "{file} is missing:\n{list}"
        );
    }
    let sums = Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&out)
        .output()
        .unwrap();
    assert_ok(&sums);

    let unpacked = dir.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    assert!(
        Command::new("tar")
            .arg("xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&unpacked)
            .status()
            .unwrap()
            .success()
    );
    let binary = unpacked.join(&name).join("handout");
    let v = Command::new(&binary).arg("--version").output().unwrap();
    assert_ok(&v);
    assert!(String::from_utf8_lossy(&v.stdout).starts_with(&format!("handout {version} (commit ")));
    let pdfs = dir.path().join("pdfs");
    let built = Command::new(&binary)
        .current_dir(root())
        .args(["build", SEED, "-q", "-o"])
        .arg(&pdfs)
        .output()
        .unwrap();
    assert_ok(&built);
    assert!(pdfs.join(format!("{SEED_ID}.pdf")).exists());

    // The same files give the same archive.
    let again = dir.path().join("again");
    let o = Command::new(root().join("scripts/package"))
        .args([target, env!("CARGO_BIN_EXE_handout")])
        .arg(&again)
        .env("SOURCE_DATE_EPOCH", "1796515200")
        .output()
        .unwrap();
    assert_ok(&o);
    assert!(
        std::fs::read(&archive).unwrap()
            == std::fs::read(again.join(format!("{name}.tar.gz"))).unwrap()
    );
}

/// What the GitHub Action runs (`scripts/action.sh`), here with the test
/// binary: the build, its folder as the step's output, and with
/// `diff-against` the job summary naming the YAML path that changed.
#[test]
fn the_action_builds_and_summarises_the_change_against_a_ref() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .current_dir(repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert_ok(&o);
    };
    std::fs::create_dir(repo.join("content")).unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    std::fs::write(repo.join("content/seed.yaml"), &seed).unwrap();
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "seed"]);
    let edited = seed.patched(
        "title: AI Engineer vs ML Engineer\n",
        "title: AI Engineer vs ML Engineer, compared\n",
    );
    std::fs::write(repo.join("content/seed.yaml"), edited).unwrap();
    let (summary, outputs) = (dir.path().join("summary.md"), dir.path().join("outputs"));
    let o = Command::new("bash")
        .arg(root().join("scripts/action.sh"))
        .current_dir(repo)
        .env("HANDOUT_BIN", env!("CARGO_BIN_EXE_handout"))
        .env("HANDOUT_ARGS", "content/ --goal modern-ai-systems -q")
        .env("HANDOUT_DIFF_AGAINST", "HEAD")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    assert_ok(&o);
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), "out-dir=out\n");
    assert!(repo.join("out/report.json").exists());
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("### Handouts changed against `HEAD`"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "| `ai-engineer-vs-ml-engineer--modern-ai-systems.pdf` | 4 | content | `title` |"
        ),
        "{summary}"
    );
}
