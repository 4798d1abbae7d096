//! Names the build for `handout --version` (its git commit and the Typst
//! version it embeds), and links the `handout` binary with packed relative
//! relocations (`-z pack-relative-relocs`) where the toolchain supports
//! them.
//!
//! Typst's static tables give the position-independent binary about 100,000
//! relocations. In the usual format, the loader reads a 2.4 MB table of them
//! at every start, which is 4 MB of memory and a few milliseconds for a
//! one-document build; packed, the table is 31 KB. The binary stays
//! position-independent. A linker or C library that does not know the
//! option is probed for here, so the build never depends on it.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    version();
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    if native
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && linker_packs_relocations()
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the C toolchain, which rustc links with, links a program with
/// the option and says nothing: GNU ld only warns about a `-z` option it
/// does not know.
fn linker_packs_relocations() -> bool {
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let source = out.join("probe.c");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    // The program that will link: the configured linker (cargo-zigbuild's
    // zig wrapper, which links against an older glibc and knows no such
    // flag), else the C compiler.
    let cc = std::env::var("RUSTC_LINKER")
        .or_else(|_| std::env::var("CC"))
        .unwrap_or_else(|_| "cc".into());
    let linked = Command::new(cc)
        .arg(&source)
        .arg("-o")
        .arg(out.join("probe"))
        .arg("-Wl,-z,pack-relative-relocs")
        .output();
    matches!(linked, Ok(o) if o.status.success() && o.stderr.is_empty())
}

/// `HANDOUT_COMMIT` (12 hex digits, `-dirty` with uncommitted changes,
/// `unknown` outside git) and `HANDOUT_TYPST` (from Cargo.lock).
fn version() {
    for watched in [
        ".git/HEAD",
        ".git/index",
        "Cargo.lock",
        "src",
        "layouts",
        "fonts",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) if !hash.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty { format!("{hash}-dirty") } else { hash }
        }
        _ => "unknown".into(),
    };
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let typst = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"typst\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=HANDOUT_COMMIT={commit}");
    println!("cargo:rustc-env=HANDOUT_TYPST={typst}");
    // The tool's identity for reusing earlier output: the commit, what is
    // uncommitted, and the layouts and fonts the binary embeds. Outside
    // git the binary hashes itself instead (`unknown`).
    let id = if commit == "unknown" {
        "unknown".to_string()
    } else {
        let mut h = std::hash::DefaultHasher::new();
        use std::hash::Hasher;
        h.write(commit.as_bytes());
        if commit.ends_with("-dirty") {
            h.write(
                git(&["diff", "HEAD", "--binary"])
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
        for dir in ["layouts", "fonts"] {
            hash_dir(std::path::Path::new(dir), &mut h);
        }
        format!("{commit}-{:016x}", h.finish())
    };
    println!("cargo:rustc-env=HANDOUT_TOOL_ID={id}");
    // The bundled fonts, hashed once here rather than at every build: they
    // are 2 MB, and part of the binary.
    let mut fonts = std::hash::DefaultHasher::new();
    hash_dir(std::path::Path::new("fonts"), &mut fonts);
    println!(
        "cargo:rustc-env=HANDOUT_FONTS_ID={:016x}",
        std::hash::Hasher::finish(&fonts)
    );
}

/// Every file under `dir`, by path and bytes, in a fixed order.
fn hash_dir(dir: &std::path::Path, h: &mut impl std::hash::Hasher) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            hash_dir(&path, h);
        } else if let Ok(bytes) = std::fs::read(&path) {
            h.write(path.to_string_lossy().as_bytes());
            h.write_usize(bytes.len());
            h.write(&bytes);
        }
    }
}
