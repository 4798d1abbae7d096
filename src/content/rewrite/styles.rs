//! The ways to write a new text in place of a scalar: its own style when
//! it can hold the text, then the simplest that reads back to it.

use saphyr_parser::ScalarStyle;

use super::Scalar;

/// The ways to write `new` in place of `s`, its own style first.
pub(super) fn candidates(text: &str, s: &Scalar, new: &str) -> Vec<String> {
    let indent = block_indent(text, s);
    let newline = new.trim_end_matches('\n').contains('\n') || new.ends_with('\n');
    let mut out = Vec::new();
    match s.style {
        ScalarStyle::Plain if !newline => out.push(new.to_string()),
        ScalarStyle::SingleQuoted if !newline => out.push(single(new)),
        ScalarStyle::DoubleQuoted => out.push(double(new)),
        ScalarStyle::Literal => out.extend(literal(new, &indent)),
        ScalarStyle::Folded => {
            let width = wrap_width(&text[s.start..s.end]);
            out.extend(folded(new, &indent, width));
        }
        _ => {}
    }
    if newline {
        out.extend(literal(new, &indent));
    } else {
        out.push(new.to_string());
        out.push(single(new));
    }
    out.push(double(new));
    out
}

/// The indentation of a block scalar's lines: the block's own, or two
/// spaces more than the line the value starts on.
fn block_indent(text: &str, s: &Scalar) -> String {
    let line_start = text[..s.start].rfind('\n').map_or(0, |i| i + 1);
    match s.style {
        ScalarStyle::Literal | ScalarStyle::Folded => text[line_start..s.start].to_string(),
        _ => {
            let line = &text[line_start..];
            let lead = line.len() - line.trim_start_matches(' ').len();
            " ".repeat(lead + 2)
        }
    }
}

pub(super) fn single(new: &str) -> String {
    format!("'{}'", new.replace('\'', "''"))
}

pub(super) fn double(new: &str) -> String {
    let mut out = String::from("\"");
    for c in new.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The chomping indicator that keeps `new`'s final line breaks.
fn chomping(new: &str) -> &'static str {
    match new.len() - new.trim_end_matches('\n').len() {
        0 => "-",
        1 => "",
        _ => "+",
    }
}

fn literal(new: &str, indent: &str) -> Option<String> {
    let body = new.trim_end_matches('\n');
    if body.is_empty()
        || body.starts_with([' ', '\t'])
        || body.lines().any(|l| l.ends_with([' ', '\t']))
    {
        return None;
    }
    let mut out = format!("|{}\n", chomping(new));
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..(new.len() - body.len()) {
        out.push('\n');
    }
    Some(out)
}

/// A folded block, wrapped at `width`: each line break of `new` is an empty
/// line, and lines break only at single spaces.
fn folded(new: &str, indent: &str, width: usize) -> Option<String> {
    let body = new.trim_end_matches('\n');
    if body.is_empty()
        || body.contains("  ")
        || body.contains(['\t'])
        || body
            .split('\n')
            .any(|p| p.is_empty() || p.starts_with(' ') || p.ends_with(' '))
    {
        return None;
    }
    let mut out = format!(">{}\n", chomping(new));
    for (n, paragraph) in body.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut line = String::new();
        for word in paragraph.split(' ') {
            if !line.is_empty()
                && indent.len() + line.chars().count() + 1 + word.chars().count() > width
            {
                out.push_str(&format!("{indent}{line}\n"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&format!("{indent}{line}\n"));
    }
    for _ in 1..(new.len() - body.len()) {
        out.push('\n');
    }
    Some(out)
}

/// A folded block's wrap width: its longest line, or 80 columns.
fn wrap_width(block: &str) -> usize {
    block
        .lines()
        .map(|l| l.trim_end().chars().count())
        .max()
        .filter(|&w| w >= 40)
        .unwrap_or(80)
}
