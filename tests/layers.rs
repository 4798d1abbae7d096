//! The modules of `src/` keep the layers CONTRIBUTING.md draws: each
//! imports only modules of the layers below its own, so no two modules
//! import each other, directly or around a circle.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Module name to layer, from the "Layers" table of CONTRIBUTING.md.
fn layers() -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(root().join("CONTRIBUTING.md")).unwrap();
    let table = text
        .split("| Layer | Modules | Does |")
        .nth(1)
        .expect("CONTRIBUTING.md has the layers table");
    let mut out = BTreeMap::new();
    for row in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let layer: usize = cells[1].parse().expect("a layer number");
        for module in cells[2].split(',') {
            out.insert(module.trim().trim_matches('`').to_string(), layer);
        }
    }
    out
}

/// The top-level modules a Rust file names as `crate::module`, outside
/// comments.
fn imports(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        } else {
            out.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_layers_below_its_own() {
    let layers = layers();
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(&own) = layers.get(&module) else {
            wrong.push(format!("{module} is in no layer of CONTRIBUTING.md"));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for import in imports(&text) {
            if import == module || import == "self" {
                continue;
            }
            if let Some(&theirs) = layers.get(&import)
                && theirs >= own
            {
                wrong.push(format!(
                    "{} (layer {own}) imports {import} (layer {theirs})",
                    rel.display()
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
