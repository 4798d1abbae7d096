//! From the brand file as written to the values layouts receive.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_yaml::{Mapping, Value};

use super::Loader;
use super::colors::{self, MIN_CONTRAST, MIN_GREY_DISTANCE, Rgb, THEME_ACCENTS, WHITE, contrast};
use super::model::*;
use crate::content::{Organisation, is_url};
use crate::diag::Diagnostic;
use crate::diag::{Seg, SourceFile};

/// What layouts read at `/brand.json`. Its shape is documented in
/// docs/brand.md.
#[derive(Debug, Default, Serialize)]
pub struct Tokens {
    /// Colours as `#rrggbb`, by their brand.yml names.
    pub colors: BTreeMap<&'static str, String>,
    pub logo: Option<LogoTokens>,
    pub base: Text,
    pub headings: Text,
}

#[derive(Debug, Default, Serialize)]
pub struct LogoTokens {
    pub cover: Option<LogoImage>,
    pub flyer: Option<LogoImage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogoImage {
    /// For `image()`: `/brand/<path>`.
    pub path: String,
    /// None when the brand gives none; layouts then use the organisation's
    /// name.
    pub alt: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Text {
    pub family: Option<String>,
    pub weight: Option<u16>,
    /// In points.
    pub size: Option<f64>,
    /// Space between lines, in em.
    pub leading: Option<f64>,
    pub color: Option<String>,
}

pub(super) fn k(key: &str) -> Seg {
    Seg::Key(key.to_string())
}

/// Parses the text into the brand file's model, with located errors. When
/// parts of it are broken, returns their errors and the rest of the file,
/// so that the rest is checked in the same run.
pub(super) fn parse(file: &SourceFile) -> Result<(BrandFile, Vec<Diagnostic>), Vec<Diagnostic>> {
    let value: Value =
        serde_yaml::from_str(file.text).map_err(|e| vec![crate::diag::yaml_error(file, &e)])?;
    if value.is_null() {
        return Ok((BrandFile::default(), Vec::new()));
    }
    if !value.is_mapping() {
        return Err(vec![
            file.error_at(
                &[],
                "a brand file is a mapping of `meta`, `logo`, `color` and `typography`",
            )
            .with_hint("see docs/brand.md"),
        ]);
    }
    let deserialize = |v: &Value| serde_path_to_error::deserialize::<_, BrandFile>(v);
    if let Ok(brand) = deserialize(&value) {
        return Ok((brand, Vec::new()));
    }
    // serde stops at the first error: try each entry of each section on
    // its own, and keep the ones that read.
    let mut errors = Vec::new();
    let mut rest = Mapping::new();
    for (key, section) in value.as_mapping().into_iter().flatten() {
        let alone = |v: Value| Value::Mapping(Mapping::from_iter([(key.clone(), v)]));
        let entries = match section {
            Value::Mapping(m) => m.iter().map(|(k, v)| Some((k, v))).collect(),
            _ => vec![None],
        };
        let mut kept = Mapping::new();
        for entry in entries {
            let trial = match entry {
                Some((k, v)) => alone(Value::Mapping(Mapping::from_iter([(k.clone(), v.clone())]))),
                None => alone(section.clone()),
            };
            match deserialize(&trial) {
                Err(e) => errors.push(crate::diag::serde_error(file, &e, "docs/brand.md")),
                Ok(_) => match entry {
                    Some((k, v)) => {
                        kept.insert(k.clone(), v.clone());
                    }
                    None => {
                        rest.insert(key.clone(), section.clone());
                    }
                },
            }
        }
        if section.is_mapping() {
            rest.insert(key.clone(), Value::Mapping(kept));
        }
    }
    // Entries that read alone may still clash together.
    match deserialize(&Value::Mapping(rest)) {
        Ok(brand) => Ok((brand, errors)),
        Err(e) if errors.is_empty() => {
            Err(vec![crate::diag::serde_error(file, &e, "docs/brand.md")])
        }
        Err(_) => Err(errors),
    }
}

const SEMANTIC: [&str; 7] = [
    "foreground",
    "background",
    "primary",
    "secondary",
    "tertiary",
    "light",
    "dark",
];

impl Loader<'_> {
    pub(super) fn resolve(&mut self, b: &BrandFile) -> (Tokens, Option<Organisation>) {
        let mut tokens = Tokens::default();
        if b.defaults.is_some() {
            self.unused.push("defaults".into());
        }
        let organisation = b.meta.as_ref().and_then(|m| self.meta(m));
        if let Some(color) = &b.color {
            self.colors(color, &mut tokens);
        }
        if let Some(logo) = &b.logo {
            tokens.logo = Some(self.logo(logo));
        }
        if let Some(t) = &b.typography {
            let families = self.fonts(t);
            // Families from other sources have had their warning.
            let fetched: Vec<&str> = t
                .fonts
                .iter()
                .filter(|f| f.source.as_deref() != Some("file"))
                .map(|f| f.family.as_str())
                .collect();
            let palette = b.color.clone().unwrap_or_default();
            if let Some(base) = &t.base {
                tokens.base = self.text(base, "base", &families, &fetched, &palette);
            }
            if let Some(headings) = &t.headings {
                tokens.headings = self.text(headings, "headings", &families, &fetched, &palette);
            }
            for (key, v) in [
                ("monospace", &t.monospace),
                ("monospace-inline", &t.monospace_inline),
                ("monospace-block", &t.monospace_block),
                ("link", &t.link),
            ] {
                if v.is_some() {
                    self.unused.push(format!("typography.{key}"));
                }
            }
        }
        self.contrast_warnings(&tokens);
        (tokens, organisation)
    }

    fn meta(&mut self, m: &Meta) -> Option<Organisation> {
        let (name, short_name) = match &m.name {
            Some(Name::Plain(n)) => (Some(n.clone()), None),
            Some(Name::Parts(p)) => (p.full.clone().or(p.short.clone()), p.short.clone()),
            None => (None, None),
        };
        let url = match &m.link {
            Some(MetaLink::Plain(u)) => Some((vec![k("meta"), k("link")], u.clone())),
            Some(MetaLink::Links(l)) => {
                for (key, v) in [
                    ("mastodon", &l.mastodon),
                    ("github", &l.github),
                    ("linkedin", &l.linkedin),
                    ("bluesky", &l.bluesky),
                    ("twitter", &l.twitter),
                    ("facebook", &l.facebook),
                ] {
                    if v.is_some() {
                        self.unused.push(format!("meta.link.{key}"));
                    }
                }
                l.home
                    .clone()
                    .map(|u| (vec![k("meta"), k("link"), k("home")], u))
            }
            None => None,
        };
        if let Some((at, u)) = &url
            && !is_url(u)
        {
            self.errors.push(
                self.file
                    .error_at(at, format!("`{u}` is not a web address"))
                    .with_hint("write the full address, such as https://www.example.edu/"),
            );
        }
        Some(Organisation {
            name: name?,
            short_name,
            url: url.map(|(_, u)| u),
            address: None,
        })
    }

    /// A colour value: hex, a palette name or a semantic name.
    pub(super) fn color(&mut self, at: &[Seg], value: &str, c: &Color) -> Option<Rgb> {
        let mut v = value.trim().to_string();
        let mut chain = vec![v.clone()];
        for _ in 0..8 {
            if let Some(rgb) = Rgb::parse_hex(&v).or_else(|| colors::named(&v)) {
                return Some(rgb);
            }
            let next = c.palette.get(&v).cloned().or_else(|| {
                SEMANTIC
                    .iter()
                    .position(|s| *s == v)
                    .and_then(|i| semantic(c, i).cloned())
            });
            match next {
                Some(n) if chain.contains(&n) => {
                    chain.push(n);
                    self.errors.push(
                        self.file
                            .error_at(
                                at,
                                format!(
                                    "the colour names refer to each other in a circle: {}",
                                    chain.join(" → ")
                                ),
                            )
                            .with_hint("give one of them a colour such as \"#1b4f8a\""),
                    );
                    return None;
                }
                Some(n) => {
                    chain.push(n.clone());
                    v = n;
                }
                None => break,
            }
        }
        let mut names: Vec<&str> = c.palette.keys().map(String::as_str).collect();
        names.extend(SEMANTIC);
        let mut d = self.file.error_at(
            at,
            format!("`{value}` is not a colour: write #rrggbb, or a name from `color.palette`"),
        );
        if let Some(best) = crate::diag::did_you_mean(value, &names) {
            d = d.with_hint(format!("did you mean `{best}`?"));
        } else {
            d = d.with_hint("add it to `color.palette`, such as `brand-blue: \"#1b4f8a\"`");
        }
        self.errors.push(d);
        None
    }

    fn colors(&mut self, c: &Color, tokens: &mut Tokens) {
        for (name, value) in &c.palette {
            let at = [k("color"), k("palette"), k(name)];
            self.color(&at, value, c);
        }
        for (i, name) in SEMANTIC.iter().enumerate() {
            if let Some(value) = semantic(c, i)
                && let Some(rgb) = self.color(&[k("color"), k(name)], value, c)
            {
                tokens.colors.insert(name, rgb.hex());
            }
        }
        for (key, v) in [
            ("success", &c.success),
            ("info", &c.info),
            ("warning", &c.warning),
            ("danger", &c.danger),
        ] {
            if v.is_some() {
                self.unused.push(format!("color.{key}"));
            }
        }
    }

    fn logo(&mut self, logo: &Logo) -> LogoTokens {
        let image = |this: &mut Self, at: Vec<Seg>, img: &Image| {
            let (path, alt) = match img {
                Image::Path(p) => (p.clone(), None),
                Image::WithAlt(i) => (i.path.clone(), i.alt.clone()),
            };
            let mut at = at;
            if matches!(img, Image::WithAlt(_)) {
                at.push(k("path"));
            }
            this.image(&at, &path).map(|p| LogoImage {
                path: format!("/brand/{p}"),
                alt,
            })
        };
        let sizes = match logo {
            Logo::Path(p) => {
                let one = image(self, vec![k("logo")], &Image::Path(p.clone()));
                return LogoTokens {
                    cover: one.clone(),
                    flyer: one,
                };
            }
            Logo::Sizes(s) => s,
        };
        let mut named: BTreeMap<String, LogoImage> = BTreeMap::new();
        for (name, img) in &sizes.images {
            if let Some(i) = image(self, vec![k("logo"), k("images"), k(name)], img) {
                named.insert(name.clone(), i);
            }
        }
        let pick = |this: &mut Self, key: &str, r: &Option<LogoRef>| -> Option<LogoImage> {
            let at = vec![k("logo"), k(key)];
            match r.as_ref()? {
                LogoRef::Name(n) => match named.get(n) {
                    Some(i) => Some(i.clone()),
                    None if sizes.images.contains_key(n) => None,
                    None => image(this, at, &Image::Path(n.clone())),
                },
                LogoRef::WithAlt(i) => image(this, at, &Image::WithAlt(i.clone())),
                LogoRef::Modes(m) => {
                    if m.dark.is_some() {
                        this.unused.push(format!("logo.{key}.dark"));
                    }
                    match (&m.light, &m.dark) {
                        (Some(light), _) => image(this, [at, vec![k("light")]].concat(), light),
                        (None, Some(dark)) => image(this, [at, vec![k("dark")]].concat(), dark),
                        (None, None) => None,
                    }
                }
            }
        };
        let small = pick(self, "small", &sizes.small);
        let medium = pick(self, "medium", &sizes.medium);
        let large = pick(self, "large", &sizes.large);
        LogoTokens {
            cover: medium.clone().or(large.clone()).or(small.clone()),
            flyer: small.or(medium).or(large),
        }
    }

    fn contrast_warnings(&mut self, tokens: &Tokens) {
        let get = |name: &str| tokens.colors.get(name).and_then(|h| Rgb::parse_hex(h));
        let background = get("background").unwrap_or(WHITE);
        let texts = [
            ("foreground", get("foreground").or(get("dark"))),
            (
                "headings",
                tokens.headings.color.as_deref().and_then(Rgb::parse_hex),
            ),
        ];
        for (name, fg) in texts {
            let Some(fg) = fg else { continue };
            let ratio = contrast(fg, background);
            if ratio < MIN_CONTRAST {
                let at = match name {
                    "headings" => vec![k("typography"), k("headings"), k("color")],
                    _ if get("foreground").is_some() => vec![k("color"), k("foreground")],
                    _ => vec![k("color"), k("dark")],
                };
                self.warnings.push(
                    self.file
                        .warning_at(&at, format!("{name} text on the background has a contrast of {ratio:.1}:1, under the 4.5:1 that WCAG AA asks for"))
                        .with_hint("darken the text colour or lighten the background; low contrast is hard to read in print and on screen"),
                );
            }
        }
        let keys = ["primary", "secondary", "tertiary"];
        let accents: Vec<(&str, Rgb, bool)> = keys
            .iter()
            .zip(THEME_ACCENTS)
            .map(|(key, theme)| match get(key) {
                Some(c) => (*key, c, true),
                None => (*key, theme, false),
            })
            .collect();
        for (i, (a, ca, ba)) in accents.iter().enumerate() {
            for (b, cb, bb) in &accents[i + 1..] {
                if (*ba || *bb) && (ca.grey() - cb.grey()).abs() < MIN_GREY_DISTANCE {
                    let key = if *bb { b } else { a };
                    self.warnings.push(
                        self.file
                            .warning_at(&[k("color"), k(key)], format!("the option accents `{a}` ({}) and `{b}` ({}) print as nearly the same grey", ca.hex(), cb.hex()))
                            .with_hint("pick accents that differ in lightness as well as hue, so that options stay apart on a black-and-white printer"),
                    );
                }
            }
        }
    }
}

fn semantic(c: &Color, i: usize) -> Option<&String> {
    [
        &c.foreground,
        &c.background,
        &c.primary,
        &c.secondary,
        &c.tertiary,
        &c.light,
        &c.dark,
    ][i]
        .as_ref()
}
