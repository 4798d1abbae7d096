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
