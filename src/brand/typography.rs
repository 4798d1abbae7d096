//! The brand's typography: its font files, and the text styles of body
//! and headings.

use serde_yaml::Value;

use super::Loader;
use super::colors::Rgb;
use super::model::*;
use super::resolve::{Text, k};
use crate::diag::Seg;

impl Loader<'_> {
    /// Loads the `source: file` fonts; returns the families they hold.
    pub(super) fn fonts(&mut self, t: &Typography) -> Vec<String> {
        let mut families = Vec::new();
        for (i, font) in t.fonts.iter().enumerate() {
            let at = vec![k("typography"), k("fonts"), Seg::Index(i)];
            let source = font.source.as_deref().unwrap_or("google");
            if font.display.is_some() {
                self.unused.push(format!("typography.fonts[{i}].display"));
            }
            match source {
                "file" => {}
                "google" | "bunny" | "system" => {
                    let mut at = at.clone();
                    at.push(k(if font.source.is_some() {
                        "source"
                    } else {
                        "family"
                    }));
                    self.warnings.push(
                        self.file
                            .warning_at(
                                &at,
                                format!(
                                    "font `{}` comes from `{source}`, which is never fetched or read from this machine; the built-in fonts stand in",
                                    font.family
                                ),
                            )
                            .with_hint("download the font's .ttf or .otf files into the brand's folder and list them with `source: file` and `files:`"),
                    );
                    continue;
                }
                other => {
                    self.errors.push(
                        self.file
                            .error_at(
                                &[at.clone(), vec![k("source")]].concat(),
                                format!("unknown font source `{other}`"),
                            )
                            .with_hint(
                                "use `source: file` with the font files in the brand's folder",
                            ),
                    );
                    continue;
                }
            }
            if font.files.is_empty() {
                self.errors.push(
                    self.file
                        .error_at(
                            &at,
                            format!("font `{}` has `source: file` but no `files`", font.family),
                        )
                        .with_hint(
                            "list the font's files, such as `files: [fonts/School-Regular.otf]`",
                        ),
                );
            }
            let mut found = Vec::new();
            for (j, f) in font.files.iter().enumerate() {
                let mut at = [at.clone(), vec![k("files"), Seg::Index(j)]].concat();
                let path = match f {
                    FontFile::Path(p) => p,
                    FontFile::Described(d) => {
                        at.push(k("path"));
                        &d.path
                    }
                };
                found.extend(self.font(&at, path));
            }
            if !found.is_empty() && !found.iter().any(|f| f.eq_ignore_ascii_case(&font.family)) {
                found.sort();
                found.dedup();
                self.warnings.push(
                    self.file
                        .warning_at(&[at, vec![k("family")]].concat(), format!("the files of `{}` hold the family {}", font.family, found.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")))
                        .with_hint("write the family name the font files give, so that `base` and `headings` find them"),
                );
            }
            families.extend(found);
        }
        families
    }

    pub(super) fn text(
        &mut self,
        style: &TextStyle,
        key: &'static str,
        families: &[String],
        fetched: &[&str],
        palette: &Color,
    ) -> Text {
        let at = |field: &str| vec![k("typography"), k(key), k(field)];
        let parts = style.parts();
        let mut text = Text::default();
        if let Some(family) = &parts.family {
            let at = match style {
                TextStyle::Family(_) => vec![k("typography"), k(key)],
                TextStyle::Styled(_) => at("family"),
            };
            match families.iter().find(|f| f.eq_ignore_ascii_case(family)) {
                Some(f) => text.family = Some(f.clone()),
                None if fetched.iter().any(|f| f.eq_ignore_ascii_case(family)) => {}
                None => self.warnings.push(
                    self.file
                        .warning_at(&at, format!("font family `{family}` is not among the brand's font files; the built-in fonts stand in"))
                        .with_hint("add it under `typography.fonts` with `source: file` and its files"),
                ),
            }
        }
        if let Some(w) = &parts.weight {
            text.weight = self.weight(&at("weight"), w);
        }
        if let Some(size) = &parts.size {
            text.size = self.size(&at("size"), key, size);
        }
        if let Some(lh) = &parts.line_height {
            text.leading = self.line_height(&at("line-height"), lh);
        }
        if let Some(c) = &parts.color {
            text.color = self.color(&at("color"), c, palette).map(Rgb::hex);
        }
        for (field, v) in [
            ("style", &parts.style),
            ("background-color", &parts.background_color),
            ("decoration", &parts.decoration),
        ] {
            if v.is_some() {
                self.unused.push(format!("typography.{key}.{field}"));
            }
        }
        text
    }

    fn weight(&mut self, at: &[Seg], v: &Value) -> Option<u16> {
        let w = match v {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => {
                match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
                    "thin" | "hairline" => Some(100),
                    "extralight" | "ultralight" => Some(200),
                    "light" => Some(300),
                    "normal" | "regular" => Some(400),
                    "medium" => Some(500),
                    "semibold" | "demibold" => Some(600),
                    "bold" => Some(700),
                    "extrabold" | "ultrabold" => Some(800),
                    "black" | "heavy" => Some(900),
                    n => n.parse().ok(),
                }
            }
            _ => None,
        };
        match w {
            Some(w @ 100..=900) => Some(w),
            _ => {
                self.errors.push(
                    self.file
                        .error_at(at, "a font weight is 100 to 900, or a name such as `bold`")
                        .with_hint("use a number such as 400 or 700, or thin, light, normal, medium, semi-bold, bold, extra-bold or black"),
                );
                None
            }
        }
    }

    fn size(&mut self, at: &[Seg], key: &str, v: &Value) -> Option<f64> {
        let s = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        match s
            .strip_suffix("pt")
            .and_then(|n| n.trim().parse::<f64>().ok())
        {
            Some(pt) if (6.0..=16.0).contains(&pt) => Some(pt),
            Some(_) => {
                self.errors.push(
                    self.file
                        .error_at(at, format!("`{s}` is outside 6pt to 16pt"))
                        .with_hint("handouts read well at 9pt to 11pt"),
                );
                None
            }
            // Screen sizes (`16px`, `1rem`) are for the web.
            None => {
                self.unused.push(format!("typography.{key}.size ({s})"));
                None
            }
        }
    }

    fn line_height(&mut self, at: &[Seg], v: &Value) -> Option<f64> {
        let n = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        match n {
            // Typst's leading is the gap between a line's baseline and the
            // next line's cap height, about 0.75em less than CSS's.
            Some(lh) if (1.0..=2.5).contains(&lh) => Some(((lh - 0.75) * 100.0).round() / 100.0),
            _ => {
                self.errors.push(
                    self.file
                        .error_at(at, "a line height is a number from 1 to 2.5, such as 1.5")
                        .with_hint("give it without a unit, as a multiple of the font size"),
                );
                None
            }
        }
    }
}
