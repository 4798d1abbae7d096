//! Every broken section of a content file in one pass.

use super::*;
use crate::diag::{did_you_mean, serde_error};

/// Collects one structural error per top-level section.
///
/// serde stops at the first error. To report every broken section in one
/// run, each top-level key is checked on its own, grafted onto a document
/// whose other sections are known to be valid.
/// Also returns the top-level keys whose sections are broken.
pub(super) fn section_errors(
    file: &SourceFile,
    value: &serde_yaml::Value,
) -> (Vec<Diagnostic>, Vec<serde_yaml::Value>) {
    let mut errors = Vec::new();
    let mut broken = Vec::new();
    let user = value.as_mapping().expect("checked to be a mapping");
    let skeleton: serde_yaml::Value =
        serde_yaml::from_str(SKELETON).expect("the skeleton is valid");
    let required: Vec<&str> = REQUIRED.to_vec();
    for (key, section) in user {
        let mut doc = skeleton.as_mapping().expect("mapping").clone();
        doc.insert(key.clone(), section.clone());
        if let Err(e) = deserialize(&serde_yaml::Value::Mapping(doc)) {
            errors.push(serde_error(file, &e, "docs/content.md"));
            broken.push(key.clone());
        }
    }
    for key in required {
        // A misspelt required key is reported once, as an unknown field.
        let misspelt = user
            .keys()
            .filter_map(|k| k.as_str())
            .any(|k| did_you_mean(k, &REQUIRED) == Some(key));
        if !user.contains_key(key) && !misspelt {
            errors.push(
                file.error_at(&[], format!("missing required field `{key}`"))
                    .with_hint(format!(
                        "add `{key}:` at the top level; see docs/content.md"
                    )),
            );
        }
    }
    if errors.is_empty() {
        // Every section is fine alone; report the whole-document error.
        if let Err(e) = deserialize(value) {
            errors.push(serde_error(file, &e, "docs/content.md"));
        }
    }
    (errors, broken)
}

/// The content without its broken optional sections, so that the checks of
/// ids, references and dates can run on the rest in the same pass. None when
/// a required section is broken or missing: then those checks would only
/// report what follows from it.
pub(super) fn without_sections(
    value: &serde_yaml::Value,
    broken: &[serde_yaml::Value],
) -> Option<Content> {
    if broken
        .iter()
        .any(|k| k.as_str().is_some_and(|k| REQUIRED.contains(&k)))
    {
        return None;
    }
    let mut rest = value.as_mapping()?.clone();
    for key in broken {
        rest.remove(key);
    }
    deserialize(&serde_yaml::Value::Mapping(rest)).ok()
}

/// The required top-level fields, and a minimal valid document built from them.
const REQUIRED: [&str; 4] = ["id", "title", "options", "comparison"];
const SKELETON: &str =
    "id: x\ntitle: x\noptions: [{id: a, name: a}, {id: b, name: b}]\ncomparison: {factors: []}\n";
