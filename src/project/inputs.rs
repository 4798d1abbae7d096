//! Content files from what was given: files, folders and globs.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Expands folders into the `.yaml` and `.yml` files they hold, and globs
/// (for shells that pass them through quoted) into the files they match.
/// Each group is sorted, so the plan does not depend on directory order.
/// Files named `_…`, such as `_brand.yml`, are not content and are skipped.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_yaml(p) && !is_hidden(p))
                .collect();
            found.sort();
            out.extend(found);
        } else if !input.exists() && text.contains(['*', '?', '[']) {
            let bad = |m: String| Error::usage(m, "quote globs like 'content/*.yaml'");
            let mut found: Vec<PathBuf> = glob::glob(&text)
                .map_err(|e| bad(format!("invalid pattern `{text}`: {}", e.msg)))?
                .filter_map(Result::ok)
                .filter(|p| p.is_file() && !is_hidden(p))
                .collect();
            if found.is_empty() {
                return Err(bad(format!("no content files match `{text}`")));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('_') || n.starts_with('.'))
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}
