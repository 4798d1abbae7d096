//! Email templates: arbitrary text parsed as a subject or body template,
//! checked against the placeholders, and filled in with hostile values,
//! escaped and not. Never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use handout::email::template::{FIXED, Source, Template};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text: Arc<str> = text.into();
    let mut known: Vec<&str> = FIXED.to_vec();
    known.extend(["city", "company", "thumbnail"]);
    let source = Source { name: "fuzz.txt", text: &text };
    let Ok(template) = Template::parse(&source, &known) else {
        return;
    };
    let values: BTreeMap<&str, String> = known
        .iter()
        .map(|k| (*k, format!("{{{k}}} <b>&\u{202e}=?utf-8?b?QQ==?=\r\nBcc: x@y")))
        .collect();
    let _ = template.fill(&values, |s| s.to_string());
    let _ = template.fill(&values, |s| s.replace('<', "&lt;"));
    let _ = template.fields().count();
});
