//! Which characters the build's fonts can show, as a value: the loader
//! builds it from the bundled fonts and `--font-dir`, and content,
//! recipients and catalogs are checked against it.

use std::sync::{Arc, OnceLock};

use typst::text::FontInfo;

use super::{FONTS, FontFile};

/// The regular face of each bundled family: every style of a family covers
/// the same characters.
const COVERAGE_FACES: [&str; 3] = [
    "Inter-Regular.otf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansArabic-Regular.ttf",
];

/// The characters a build's fonts have glyphs for.
#[derive(Clone)]
pub struct Coverage {
    fonts: Arc<Vec<FontInfo>>,
}

impl Default for Coverage {
    fn default() -> Self {
        Self::bundled()
    }
}

impl std::fmt::Debug for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Coverage({} fonts)", self.fonts.len())
    }
}

impl Coverage {
    /// The bundled fonts alone.
    pub fn bundled() -> Self {
        static BUNDLED: OnceLock<Arc<Vec<FontInfo>>> = OnceLock::new();
        let fonts = BUNDLED.get_or_init(|| {
            Arc::new(
                FONTS
                    .iter()
                    .filter(|(name, _)| COVERAGE_FACES.contains(name))
                    .filter_map(|(_, data)| FontInfo::new(data, 0))
                    .collect(),
            )
        });
        Self {
            fonts: fonts.clone(),
        }
    }

    /// The bundled fonts and `extra` (`--font-dir`).
    pub fn with(extra: &[FontFile]) -> Self {
        let mut fonts = Self::bundled().fonts.as_ref().clone();
        fonts.extend(extra.iter().flat_map(|f| FontInfo::iter(&f.data)));
        Self {
            fonts: Arc::new(fonts),
        }
    }

    /// Whether any of the fonts has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        let c = c as u32;
        self.fonts.iter().any(|info| info.coverage.contains(c))
    }

    /// "the bundled fonts cannot show …", naming the characters of `s` that the
    /// fonts lack and their script; none when they have them all.
    pub fn missing(&self, s: &str) -> Option<Missing> {
        let mut missing: Vec<char> = s
            .chars()
            .filter(|&c| !invisible(c) && !self.covers(c))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return None;
        }
        let shown: Vec<String> = missing
            .iter()
            .take(8)
            .map(|c| format!("{c} (U+{:04X})", *c as u32))
            .collect();
        let more = if missing.len() > 8 {
            format!(" and {} more", missing.len() - 8)
        } else {
            String::new()
        };
        let mut scripts: Vec<(&str, &str)> = missing.iter().filter_map(|&c| script_of(c)).collect();
        scripts.dedup();
        let (named, hint) = match scripts.first() {
            Some((script, font)) => (
                format!(" ({script} script)"),
                format!(
                    "add a folder with {font} using --font-dir{}; the bundled fonts cover Latin, Greek, Cyrillic, Devanagari and Arabic",
                    if *font == "Noto Sans CJK" {
                        " (Debian's fonts-noto-cjk puts it in /usr/share/fonts/opentype/noto)"
                    } else {
                        " (Debian's fonts-noto-core puts it in /usr/share/fonts/truetype/noto)"
                    }
                ),
            ),
            None => (
                String::new(),
                "replace these characters, or add a font that has them with --font-dir; the bundled fonts cover Latin, Greek, Cyrillic, Devanagari and Arabic".into(),
            ),
        };
        Some(Missing {
            message: format!(
                "the bundled fonts cannot show {}{more}{named}",
                shown.join(", ")
            ),
            hint: format!(
                "{hint}; --pdf-standard none prints blank boxes instead (the default PDF/UA-1 export refuses them)"
            ),
        })
    }
}

/// Text the fonts cannot show: the message names the characters and their
/// script, the hint says which font to add.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    pub message: String,
    pub hint: String,
}

/// Scripts the bundled fonts lack, with the font that covers them. Fonts
/// named "Noto Sans …" are in Debian's fonts-noto-core, CJK in fonts-noto-cjk.
const SCRIPTS: &[(u32, u32, &str, &str)] = &[
    (0x0530, 0x058F, "Armenian", "Noto Sans Armenian"),
    (0x0590, 0x05FF, "Hebrew", "Noto Sans Hebrew"),
    (0x0980, 0x09FF, "Bengali", "Noto Sans Bengali"),
    (0x0A00, 0x0A7F, "Gurmukhi", "Noto Sans Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati", "Noto Sans Gujarati"),
    (0x0B80, 0x0BFF, "Tamil", "Noto Sans Tamil"),
    (0x0C00, 0x0C7F, "Telugu", "Noto Sans Telugu"),
    (0x0C80, 0x0CFF, "Kannada", "Noto Sans Kannada"),
    (0x0D00, 0x0D7F, "Malayalam", "Noto Sans Malayalam"),
    (0x0E00, 0x0E7F, "Thai", "Noto Sans Thai"),
    (0x10A0, 0x10FF, "Georgian", "Noto Sans Georgian"),
    (0x1200, 0x137F, "Ethiopic", "Noto Sans Ethiopic"),
    (0x1100, 0x11FF, "Korean", "Noto Sans CJK"),
    (
        0x2E80,
        0x9FFF,
        "Chinese, Japanese or Korean",
        "Noto Sans CJK",
    ),
    (0xAC00, 0xD7AF, "Korean", "Noto Sans CJK"),
    (
        0xF900,
        0xFAFF,
        "Chinese, Japanese or Korean",
        "Noto Sans CJK",
    ),
    (
        0xFF00,
        0xFFEF,
        "Chinese, Japanese or Korean",
        "Noto Sans CJK",
    ),
    (0x1F300, 0x1FAFF, "emoji", "Noto Emoji"),
    (
        0x20000,
        0x3FFFF,
        "Chinese, Japanese or Korean",
        "Noto Sans CJK",
    ),
];

fn script_of(c: char) -> Option<(&'static str, &'static str)> {
    let c = c as u32;
    SCRIPTS
        .iter()
        .find(|(from, to, ..)| (*from..=*to).contains(&c))
        .map(|&(_, _, script, font)| (script, font))
}

/// Characters that take no glyph: whitespace, controls and joiners.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}' | '\u{200B}'
                ..='\u{200F}' | '\u{2060}' | '\u{FE0E}' | '\u{FE0F}' | '\u{FEFF}'
        )
}
