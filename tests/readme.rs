//! The README speaks to staff first: installing comes before anything for
//! developers, and the commands of "Your first handout" work as written.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use common::*;

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

#[test]
fn installing_comes_first_and_developer_material_lives_elsewhere() {
    let text = readme();
    let install = text.find("## Install").expect("an Install section");
    let first = text
        .find("## Your first handout")
        .expect("a first-handout section");
    let checkout = text
        .find("## From a checkout")
        .expect("the set-up commands");
    assert!(install < first && first < checkout);
    // Everything for staff comes before the set-up for developers.
    assert!(
        !text[checkout + 1..].contains("\n## "),
        "the developer set-up is the README's last section"
    );
    // Timings live in CONTRIBUTING alone, where the benchmark writes them.
    assert!(!text.contains(" ms "), "the README quotes a timing");
    assert!(text.contains("cargo install --locked --path ."));
    // The two set-up commands stay.
    assert!(text.contains("cargo run --locked -- build content/ --all-goals"));
    assert!(text.contains("./scripts/test"));
    for developer_only in [
        "## Fuzzing",
        "## Benchmark",
        "### Benchmark",
        "INSTA_UPDATE",
    ] {
        assert!(
            !text.contains(developer_only),
            "{developer_only} is in the README"
        );
    }
    let contributing = std::fs::read_to_string(root().join("CONTRIBUTING.md")).unwrap();
    assert!(contributing.contains("## Fuzzing") && contributing.contains("## Benchmark"));
}

#[test]
fn the_first_handout_commands_work_as_written() {
    let text = readme();
    let section = text.split("## Your first handout").nth(1).unwrap();
    let block = section
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for line in block.lines() {
        let command = line.split(" #").next().unwrap().trim();
        let Some(args) = command.strip_prefix("handout ") else {
            continue;
        };
        // Quoted arguments, as a shell splits them.
        let mut words = Vec::new();
        for (i, part) in args.split('"').enumerate() {
            if i % 2 == 1 {
                words.push(part.to_string());
            } else {
                words.extend(part.split_whitespace().map(str::to_string));
            }
        }
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_handout"))
            .current_dir(dir.path())
            .args(&words)
            .output()
            .unwrap();
        assert!(o.status.success(), "`{command}` failed:\n{}", stderr(&o));
        ran += 1;
    }
    assert!(ran >= 4, "only {ran} commands");
    assert!(pdfs_in(&dir.path().join("out")).len() >= 5);
}
