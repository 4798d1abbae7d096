//! What the layouts' words in a content file's language mean for it: a
//! language without words falls back to English, and words the fonts
//! cannot show stop the build.

use std::collections::BTreeSet;

use crate::content::{Loaded, language_of};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::fonts::Coverage;
use crate::lang::Catalogs;

/// A warning when the layouts have no words in the content's language:
/// its labels and dates are English.
pub(super) fn fallback_warning(loaded: &Loaded, catalogs: &Catalogs) -> Option<Diagnostic> {
    let lang = language_of(&loaded.content);
    if catalogs.has(&lang) {
        return None;
    }
    Some(
        Diagnostic::warning(format!(
            "the layouts have no texts in `{lang}`; its labels and dates will be in English"
        ))
        .in_file(loaded.name.clone())
        .with_hint(format!(
            "add lang/{lang}.yaml to a --layouts folder, translated from layouts/lang/en.yaml (see docs/languages.md)"
        )),
    )
}

/// An error for each language whose catalog the build's fonts cannot
/// show, such as Chinese without a CJK font: its labels would print as
/// blank boxes, which PDF/UA-1 refuses.
pub(super) fn check_fonts(
    contents: &[Loaded],
    catalogs: &Catalogs,
    coverage: &Coverage,
) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    let mut errors = Vec::new();
    for loaded in contents {
        let catalog = catalogs.get(&language_of(&loaded.content));
        if !seen.insert(catalog.lang.clone()) {
            continue;
        }
        if let Some(missing) = coverage.missing(&catalog.words()) {
            errors.push(
                Diagnostic::error(format!(
                    "the layouts' words in `{}` need fonts the build does not have: {}",
                    catalog.lang,
                    missing
                        .message
                        .trim_start_matches("the bundled fonts cannot show ")
                ))
                .in_file(loaded.name.clone())
                .with_hint(
                    missing
                        .hint
                        .split("; --pdf-standard")
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                ),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Content(errors))
    }
}
