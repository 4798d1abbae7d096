//! The small value formats of content: ids, addresses, dates and language
//! tags, with what is wrong with a value that does not parse.

/// Lowercase ASCII letters and digits in hyphen-separated words.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// An absolute http(s) address with a host and no spaces.
pub fn is_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        host.contains('.') && !url.chars().any(char::is_whitespace) && url.len() <= 2000
    })
}

/// A valid calendar date written as `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<(i32, u8, u8)> {
    // `[year]` also takes a leading sign; content dates are plain.
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, format).ok()?;
    Some((d.year(), d.month().into(), d.day()))
}

/// What is wrong with a date that does not parse, and how to fix it.
pub(super) fn date_problem(s: &str) -> (String, String) {
    let layout = "write the date as YYYY-MM-DD, for example 2026-05-12";
    let parts: Vec<&str> = s.split('-').collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    let shaped = parts.len() == 3
        && [4, 2, 2]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_digit()));
    let (Some(n), true) = (numbers, shaped) else {
        return ("it is not in the form YYYY-MM-DD".into(), layout.into());
    };
    let (year, month, day) = (n[0], n[1], n[2]);
    let Ok(m) = time::Month::try_from(month as u8) else {
        return (
            format!("month {month} does not exist"),
            "months run from 01 to 12; the form is YYYY-MM-DD".into(),
        );
    };
    let days = m.length(year as i32);
    (
        format!("{m} {year} has {days} days, not {day}"),
        format!("give a day from 01 to {days}"),
    )
}

/// The language and region of a BCP 47 tag, as Typst takes them: `en-GB`
/// gives `("en", Some("GB"))`. A script subtag (`zh-Hant-TW`) and variants
/// are left out, since Typst has no place for them.
pub fn language(tag: &str) -> Result<(String, Option<String>), String> {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or_default();
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err("the language must be a two- or three-letter code such as `en`".into());
    }
    let mut region = None;
    for part in parts {
        let alpha = part.chars().all(|c| c.is_ascii_alphabetic());
        match part.len() {
            // The script, e.g. `Hant`.
            4 if alpha && region.is_none() => {}
            2 if alpha && region.is_none() => region = Some(part.to_ascii_uppercase()),
            3 if part.chars().all(|c| c.is_ascii_digit()) && region.is_none() => {
                return Err(format!(
                    "the region `{part}` is a number; give a two-letter country code instead"
                ));
            }
            // Variants and extensions, e.g. `1996`.
            1..=8 if part.chars().all(|c| c.is_ascii_alphanumeric()) => {}
            _ => return Err(format!("`{part}` is not a part of a language tag")),
        }
    }
    Ok((lang.to_ascii_lowercase(), region))
}

/// The content's language code without region: `de` for `de-CH`.
pub fn language_of(c: &super::Content) -> String {
    c.lang
        .as_deref()
        .and_then(|tag| language(tag).ok())
        .map_or_else(|| "en".into(), |(lang, _)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_id("ml-engineer"));
        assert!(is_id("a1"));
        for bad in ["", "ML", "a--b", "-a", "a-", "../../x", "a b", "a_b"] {
            assert!(!is_id(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(is_url("https://example.com/"));
        assert!(is_url("http://a.b/c?d#e"));
        for bad in [
            "example.com",
            "ftp://x.y",
            "https://",
            "https://x y.com",
            "https://localhost",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-05-12"), Some((2026, 5, 12)));
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("12 May 2026"), None);
        for odd in [
            "+2026-05-12",
            "2026-5-12",
            "26-05-12",
            "2026-05-12 ",
            "2026-13-01",
            "2026-00-10",
        ] {
            assert_eq!(parse_date(odd), None, "{odd}");
        }
    }

    #[test]
    fn date_problems_name_the_bad_part() {
        assert_eq!(date_problem("2026-13-40").0, "month 13 does not exist");
        assert_eq!(
            date_problem("2026-02-30").0,
            "February 2026 has 28 days, not 30"
        );
        assert_eq!(
            date_problem("2028-02-30").0,
            "February 2028 has 29 days, not 30"
        );
        assert_eq!(
            date_problem("12/05/2026").0,
            "it is not in the form YYYY-MM-DD"
        );
    }

    #[test]
    fn language_tags_split_into_language_and_region() {
        assert_eq!(language("en"), Ok(("en".into(), None)));
        assert_eq!(language("en-GB"), Ok(("en".into(), Some("GB".into()))));
        assert_eq!(language("pt_br"), Ok(("pt".into(), Some("BR".into()))));
        assert_eq!(language("zh-Hant-TW"), Ok(("zh".into(), Some("TW".into()))));
        assert_eq!(language("de-CH-1996"), Ok(("de".into(), Some("CH".into()))));
        for bad in ["english", "e", "es-419", "en-", "en-GB-x!"] {
            assert!(language(bad).is_err(), "{bad}");
        }
    }
}
