//! A document as the page gets it: its pages, their text runs traced to
//! the content, and its warnings, as JSON.

use serde_json::{Value, json};

use super::ready::Ready;
use crate::diag::Diagnostic;
use crate::render::preview::Preview;

/// Diagnostics as the command line prints them, without colour.
pub(super) fn texts(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
            let _ = d.emit(&mut out);
            String::from_utf8_lossy(&out.into_inner())
                .trim_end()
                .to_string()
        })
        .collect()
}

/// `content`: the file's place among the loaded ones.
pub(super) fn pages_json(generation: u64, ready: &Ready, content: usize, p: &Preview) -> Value {
    let index = &ready.indexes[content];
    let runs: Vec<&str> = p
        .pages
        .iter()
        .flat_map(|page| page.runs.iter().map(|r| r.text.as_str()))
        .collect();
    let traced = index.trace(&runs);
    let mut origins: Vec<usize> = traced.iter().flatten().copied().collect();
    origins.sort_unstable();
    origins.dedup();
    let mut traced = traced.into_iter();
    let pages: Vec<Value> = p
        .pages
        .iter()
        .map(|page| {
            let runs: Vec<Value> = page
                .runs
                .iter()
                .map(|r| {
                    let src = traced
                        .next()
                        .flatten()
                        .and_then(|i| origins.binary_search(&i).ok());
                    json!([round(r.x), round(r.y), round(r.w), round(r.h), r.text, src])
                })
                .collect();
            json!({
                "width": round(page.width),
                "height": round(page.height),
                "fill": round(page.fill),
                "runs": runs,
            })
        })
        .collect();
    let origins: Vec<_> = origins.iter().map(|&i| index.origin(i)).collect();
    json!({
        "generation": generation,
        "pages": pages,
        "origins": origins,
        // The content file's own (placeholders left, say), then the layout's.
        "warnings": texts(&ready.project.contents[content].warnings.iter().chain(&p.warnings).cloned().collect::<Vec<_>>()),
    })
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
