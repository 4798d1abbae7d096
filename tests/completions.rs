//! Shell completions and the manual page, as bash and `man` read them.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::process::Command;

use common::*;

fn completions(shell: &str) -> String {
    let o = handout(&[&"completions", &shell]);
    assert_ok(&o);
    String::from_utf8(o.stdout).unwrap()
}

/// bash accepts the script, and it completes `handout bu` to `build` and
/// `handout build --pa` to `--paper`.
#[test]
fn bash_completes_commands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("handout.bash");
    std::fs::write(&script, completions("bash")).unwrap();
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let probe = format!(
            "source {}; complete -p handout >/dev/null || exit 9; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}; _handout handout '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            words.join(" "),
            words.len() - 1,
            line.len(),
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let o = Command::new("bash").arg("-c").arg(probe).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    assert_eq!(complete("handout bu").trim(), "build");
    assert!(
        complete("handout build --pa")
            .lines()
            .any(|l| l == "--paper")
    );
}

/// Every shell clap knows gets a script.
#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(completions(shell).contains("handout"), "{shell}");
    }
}

/// `man -l` renders `handout.1` with every command, and each command's page
/// with its options.
#[test]
fn the_manual_page_lists_every_command() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&handout(&[&"man", &"-o", &dir.path()]));
    let render = |name: &str| {
        let o = match Command::new("man")
            .arg("-l")
            .arg(dir.path().join(name))
            .env("MANWIDTH", "100")
            .output()
        {
            Ok(o) if o.status.success() => o,
            _ => return None,
        };
        Some(String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let Some(page) = render("handout.1") else {
        return not_checked("man is not installed");
    };
    for command in [
        "build",
        "check",
        "eject",
        "list",
        "watch",
        "serve",
        "new",
        "schema",
        "send",
        "diff",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("handout-{command}(1)")),
            "{command} is missing:\n{page}"
        );
        assert!(
            dir.path().join(format!("handout-{command}.1")).exists(),
            "{command}"
        );
    }
    assert!(!page.contains("__worker"));
    let build = render("handout-build.1").unwrap();
    assert!(
        build.contains("--paper") && build.contains("--all-goals"),
        "{build}"
    );
}
