//! What `diff` prints and writes: a summary for the terminal, and a short
//! Markdown table for a pull-request comment.

use super::{Change, Diff, DocDiff};
use crate::diag::count;

/// "12 of 48 handouts change; 3 gain a page; 36 are identical", then one
/// line per document that is not identical.
pub fn summary(diff: &Diff) -> String {
    let n = |f: fn(&Change) -> bool| diff.documents.iter().filter(|d| f(&d.change)).count();
    let changed = n(|c| matches!(c, Change::Changed { .. }));
    let identical = n(|c| matches!(c, Change::Identical));
    let gain = n(
        |c| matches!(c, Change::Changed { pages_before: Some(a), pages_after: Some(b), .. } if b > a),
    );
    let lose = n(
        |c| matches!(c, Change::Changed { pages_before: Some(a), pages_after: Some(b), .. } if b < a),
    );
    let added = n(|c| matches!(c, Change::Added { .. }));
    let removed = n(|c| matches!(c, Change::Removed { .. }));
    let mut parts = vec![format!(
        "{changed} of {} change",
        count(diff.documents.len(), "handout", "handouts")
    )];
    if gain > 0 {
        parts.push(format!("{gain} gain a page"));
    }
    if lose > 0 {
        parts.push(format!("{lose} lose a page"));
    }
    if added > 0 {
        parts.push(format!("{added} added"));
    }
    if removed > 0 {
        parts.push(format!("{removed} removed"));
    }
    parts.push(if identical == 1 {
        "1 is identical".to_string()
    } else {
        format!("{identical} are identical")
    });
    let mut out = parts.join("; ") + "\n";
    for d in diff
        .documents
        .iter()
        .filter(|d| !matches!(d.change, Change::Identical))
    {
        out.push_str(&format!("  {}: {}\n", d.document, line(d)));
    }
    out
}

fn pages(p: &Option<usize>) -> String {
    p.map_or("?".to_string(), |n| n.to_string())
}

fn line(d: &DocDiff) -> String {
    match &d.change {
        Change::Identical => "identical".into(),
        Change::Added { pages: p } => format!("added ({} pages)", pages(p)),
        Change::Removed { pages: p } => format!("removed ({} pages)", pages(p)),
        Change::Changed {
            pages_before,
            pages_after,
            causes,
            yaml_paths,
            yaml_paths_unknown,
            pages: changed,
        } => {
            let mut s = if pages_before == pages_after {
                format!("changed, {} pages", pages(pages_after))
            } else {
                format!("{} → {} pages", pages(pages_before), pages(pages_after))
            };
            if !changed.is_empty() {
                let list: Vec<String> = changed.iter().map(|p| p.page.to_string()).collect();
                s.push_str(&format!(
                    " ({} {})",
                    if list.len() == 1 { "page" } else { "pages" },
                    list.join(", ")
                ));
            }
            s.push_str(&format!("; {}", causes.join(", ")));
            if let Some(why) = yaml_paths_unknown {
                s.push_str(&format!(" (YAML paths unknown: {why})"));
            } else if !yaml_paths.is_empty() {
                s.push_str(&format!(" ({})", shorten(yaml_paths)));
            }
            s
        }
    }
}

/// The first few paths, and how many more.
fn shorten(paths: &[String]) -> String {
    let shown: Vec<&str> = paths.iter().take(4).map(String::as_str).collect();
    match paths.len() - shown.len() {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// A table of the documents that are not identical, under the summary.
pub fn markdown(diff: &Diff) -> String {
    let summary = summary(diff);
    let first = summary.lines().next().unwrap_or_default();
    let mut out = format!("**Handouts:** {first}\n");
    let rows: Vec<&DocDiff> = diff
        .documents
        .iter()
        .filter(|d| !matches!(d.change, Change::Identical))
        .collect();
    if rows.is_empty() {
        return out;
    }
    out.push_str("\n| Document | Pages | Why | YAML paths |\n| --- | --- | --- | --- |\n");
    for d in rows {
        let (p, why, paths) = match &d.change {
            Change::Changed {
                pages_before,
                pages_after,
                causes,
                yaml_paths,
                yaml_paths_unknown,
                ..
            } => (
                if pages_before == pages_after {
                    pages(pages_after)
                } else {
                    format!("{} → {}", pages(pages_before), pages(pages_after))
                },
                causes.join(", "),
                match yaml_paths_unknown {
                    Some(why) => format!("unknown: {}", why.replace('|', "\\|")),
                    None => yaml_paths
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                },
            ),
            Change::Added { pages: p } => (pages(p), "added".into(), String::new()),
            Change::Removed { pages: p } => (pages(p), "removed".into(), String::new()),
            Change::Identical => continue,
        };
        out.push_str(&format!("| `{}` | {p} | {why} | {paths} |\n", d.document));
    }
    out
}
