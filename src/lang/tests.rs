//! The catalogs: dates, the built-in ones' keys and texts.

use super::*;

/// Every built-in catalog has every email text, with the English
/// text's placeholders.
#[test]
fn built_in_catalogs_have_every_email_text() {
    let builtin = Catalogs::builtin();
    let english = builtin.get(REFERENCE);
    assert!(english.missing_email().is_empty());
    for lang in builtin.languages() {
        let c = builtin.get(lang);
        assert_eq!(c.missing_email(), Vec::<&str>::new(), "{lang}");
        for (key, text) in &english.file.email {
            assert_eq!(
                placeholders(c.email(key)),
                placeholders(text),
                "{lang}: {key}"
            );
        }
        assert_eq!(c.file.email.len(), english.file.email.len(), "{lang}");
    }
}

#[test]
fn every_builtin_catalog_has_every_english_key_and_no_other() {
    let catalogs = Catalogs::load(&LayoutFiles::builtin()).unwrap();
    let langs: Vec<&str> = catalogs.languages().collect();
    assert_eq!(
        langs,
        ["ar", "de", "en", "es", "fr", "hi", "it", "pt", "zh"]
    );
    let english: Vec<&String> = catalogs.get("en").file.labels.keys().collect();
    for lang in langs {
        let c = catalogs.get(lang);
        assert_eq!(c.file.labels.keys().collect::<Vec<_>>(), english, "{lang}");
        assert!(differences(catalogs.get("en"), c).is_empty(), "{lang}");
    }
}

#[test]
fn dates_follow_the_language() {
    let c = Catalogs::builtin();
    for (lang, expected) in [
        ("en", "12 May 2026"),
        ("de", "12. Mai 2026"),
        ("fr", "12 mai 2026"),
        ("es", "12 de mayo de 2026"),
        ("pt", "12 de maio de 2026"),
        ("it", "12 maggio 2026"),
        ("hi", "12 मई 2026"),
        ("ar", "12 مايو 2026"),
        ("zh", "2026年5月12日"),
    ] {
        assert_eq!(c.get(lang).date(2026, 5, 12), expected);
    }
    assert_eq!(c.get("fr").date(2026, 5, 1), "1er mai 2026");
    assert_eq!(c.get("nl").lang, "en");
}

#[test]
fn overrides_replace_labels() {
    let c = Catalogs::builtin().get("de");
    let o = BTreeMap::from([("faq".to_string(), "Ihre Fragen".to_string())]);
    let json: serde_json::Value =
        serde_json::from_slice(&c.json("de", Some(&o), &|_| true)).unwrap();
    assert_eq!(json["labels"]["faq"], "Ihre Fragen");
    assert_eq!(json["labels"]["skills"], "Fähigkeiten");
    assert_eq!(json["hyphenate"], true);
    assert_eq!(json["rtl"], false);
    let persian: serde_json::Value =
        serde_json::from_slice(&Catalogs::builtin().get("fa").json("fa", None, &|_| true)).unwrap();
    assert_eq!(persian["rtl"], true);
    assert_eq!(placeholders("a {b} c {d}"), BTreeSet::from(["b", "d"]));
}
