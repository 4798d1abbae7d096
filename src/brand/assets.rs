//! The files a brand names: logos and fonts. Every one is read once, from
//! inside the brand file's folder, and checked before any document uses it.

use std::path::{Component, Path, PathBuf};

use crate::diag::Seg;

use super::Loader;

/// Images larger than this are refused: a logo needs far less.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Font files larger than this are refused.
pub const MAX_FONT_BYTES: u64 = 32 * 1024 * 1024;

impl Loader<'_> {
    /// Reads `rel`, a path relative to the brand file, refusing paths that
    /// leave its folder. Returns the path with forward slashes and the bytes.
    pub(super) fn read(
        &mut self,
        at: &[Seg],
        rel: &str,
        max: u64,
        what: &str,
    ) -> Option<(String, Vec<u8>)> {
        let path = Path::new(rel);
        // `a/../logo.svg` stays inside; only a path that climbs above the
        // folder leaves it.
        let inside = normal_parts(path);
        let leaves = path.is_absolute() || rel.starts_with('/') || rel.starts_with('\\');
        let Some(parts) = inside.filter(|_| !leaves && !rel.contains("://")) else {
            self.errors.push(
                self.file
                    .error_at(at, format!("`{rel}` is outside the brand file's folder"))
                    .with_hint("keep the brand's files in its folder or below, and give paths relative to it, such as `logos/logo.svg`"),
            );
            return None;
        };
        let full = self.dir.join(parts.join("/"));
        let real = match full.canonicalize() {
            Ok(real) => real,
            Err(e) => {
                self.errors.push(
                    self.file
                        .error_at(
                            at,
                            format!(
                                "cannot read {what} `{rel}`: {}",
                                crate::diag::io_reason(&e, "file")
                            ),
                        )
                        .with_hint(format!(
                            "paths are relative to {}; check the name",
                            self.dir_display()
                        )),
                );
                return None;
            }
        };
        if !real.starts_with(&self.real_dir) {
            self.errors.push(
                self.file
                    .error_at(
                        at,
                        format!("`{rel}` links to a file outside the brand file's folder"),
                    )
                    .with_hint("copy the file into the brand's folder instead of linking to it"),
            );
            return None;
        }
        let meta = std::fs::metadata(&real);
        // A pipe or a device would block or never end: refused unread.
        if meta.as_ref().is_ok_and(|m| !m.is_file()) {
            self.errors.push(
                self.file
                    .error_at(at, format!("{what} `{rel}` is not a regular file"))
                    .with_hint("give the path of a file, not of a pipe, a device or a folder"),
            );
            return None;
        }
        let size = meta.map(|m| m.len()).unwrap_or(0);
        if size > max {
            self.errors.push(
                self.file
                    .error_at(at, format!("{what} `{rel}` is {:.1} MB, more than the {} MB limit", size as f64 / 1048576.0, max / 1048576))
                    .with_hint(if what == "font" {
                        "use the font's own .ttf or .otf file; a font for a brand is rarely over a few MB"
                    } else {
                        "export a smaller file; a logo prints sharply as SVG or as a PNG of about 1000 pixels across"
                    }),
            );
            return None;
        }
        match std::fs::read(&real) {
            Ok(bytes) => {
                self.read_paths.push(real);
                Some((parts.join("/"), bytes))
            }
            Err(e) => {
                self.errors.push(self.file.error_at(
                    at,
                    format!(
                        "cannot read {what} `{rel}`: {}",
                        crate::diag::io_reason(&e, "file")
                    ),
                ));
                None
            }
        }
    }

    fn dir_display(&self) -> String {
        match self.dir.as_os_str().is_empty() {
            true => "the current folder".into(),
            false => self.dir.display().to_string(),
        }
    }

    /// Reads and checks an image; returns its path inside the brand folder.
    pub(super) fn image(&mut self, at: &[Seg], rel: &str) -> Option<String> {
        if let Some(done) = self.images.iter().find(|(r, _)| r == rel) {
            return Some(done.1.clone());
        }
        let (clean, bytes) = self.read(at, rel, MAX_IMAGE_BYTES, "image")?;
        let problem = match image_kind(&bytes) {
            Some(ImageKind::Svg) => svg_reference(&bytes).map(|r| {
                (
                    format!("SVG image `{rel}` refers to `{r}`, outside the image"),
                    "nothing is ever fetched or read beside an image: embed what the SVG shows in it, or export it as PNG",
                )
            }),
            Some(_) => None,
            None => Some((
                format!("`{rel}` is not a PNG, JPEG or SVG image"),
                "export the logo as SVG (best for print) or PNG",
            )),
        };
        if let Some((message, hint)) = problem {
            self.errors
                .push(self.file.error_at(at, message).with_hint(hint));
            return None;
        }
        let count = super::pixels::pixels(&bytes, rel).and_then(|n| {
            self.pixels += n;
            if self.pixels > super::pixels::MAX_TOTAL_PIXELS {
                Err(format!(
                    "with `{rel}`, the brand's images hold more than {} megapixels in all",
                    super::pixels::MAX_TOTAL_PIXELS / 1_000_000
                ))
            } else {
                Ok(n)
            }
        });
        if let Err(message) = count {
            self.errors.push(self.file.error_at(at, message).with_hint(
                "export a smaller image: about 1000 pixels across prints a logo sharply",
            ));
            return None;
        }
        self.files.push((clean.clone(), bytes));
        self.images.push((rel.to_string(), clean.clone()));
        Some(clean)
    }

    /// Reads and checks a font file; returns the families it holds.
    pub(super) fn font(&mut self, at: &[Seg], rel: &str) -> Vec<String> {
        let Some((clean, bytes)) = self.read(at, rel, MAX_FONT_BYTES, "font") else {
            return Vec::new();
        };
        let faces: Vec<_> = typst::text::FontInfo::iter(&bytes).collect();
        if faces.is_empty() {
            self.errors.push(
                self.file
                    .error_at(at, format!("font `{rel}` does not parse as a font"))
                    .with_hint("use the .ttf or .otf file; web fonts (.woff, .woff2) cannot be embedded in PDFs"),
            );
            return Vec::new();
        }
        // Every face of a collection, not only the first.
        let count = ttf_parser::fonts_in_collection(&bytes).unwrap_or(1);
        for face in (0..count).filter_map(|i| ttf_parser::Face::parse(&bytes, i).ok()) {
            let restricted = matches!(
                face.permissions(),
                Some(ttf_parser::Permissions::Restricted)
            );
            if restricted || !face.is_subsetting_allowed() {
                self.errors.push(
                    self.file
                        .error_at(at, format!("the licence of font `{rel}` forbids embedding it in a PDF"))
                        .with_hint("PDF/UA-1 and PDF/A need every font embedded; choose a font licensed for embedding, such as one under the SIL Open Font License"),
                );
                return Vec::new();
            }
        }
        let families = faces.iter().map(|f| f.family.clone()).collect();
        let name = clean.rsplit('/').next().unwrap_or(&clean).to_string();
        self.fonts.push((name, bytes));
        families
    }
}

/// The parts of a relative path with `.` and `..` resolved, or none when
/// it climbs above where it starts.
fn normal_parts(path: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then_some(parts)
}

#[derive(Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Svg,
}

/// What the bytes are, by their signature rather than their name.
pub fn image_kind(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ImageKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ImageKind::Jpeg);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with('<') && text.contains("<svg")).then_some(ImageKind::Svg)
}

/// The first thing an SVG would load from outside itself: a link, a
/// stylesheet, an entity or a `url()` that is not a fragment or a data URI.
pub fn svg_reference(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let lower = text.to_ascii_lowercase();
    for marker in ["<!entity", "@import", "<?xml-stylesheet"] {
        if let Some(i) = lower.find(marker) {
            return Some(snippet(&text[i..]));
        }
    }
    let external = |value: &str| {
        let v = value.trim().trim_matches(['"', '\'']).trim();
        !(v.is_empty() || v.starts_with('#') || v.to_ascii_lowercase().starts_with("data:"))
    };
    // href="…", xlink:href='…', src="…"
    for attr in ["href", "src"] {
        let mut rest = lower.as_str();
        let mut offset = 0;
        while let Some(i) = rest.find(attr) {
            let after = rest[i + attr.len()..].trim_start();
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start();
                if let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
                    let start = text.len() - value.len() + 1;
                    let end = text[start..].find(q).map_or(text.len(), |e| start + e);
                    if external(&text[start..end]) {
                        return Some(text[start..end].to_string());
                    }
                }
            }
            offset += i + attr.len();
            rest = &lower[offset..];
        }
    }
    let mut rest = lower.as_str();
    let mut offset = 0;
    while let Some(i) = rest.find("url(") {
        let start = offset + i + 4;
        let end = text[start..].find(')').map_or(text.len(), |e| start + e);
        if external(&text[start..end]) {
            return Some(text[start..end].trim().to_string());
        }
        offset = start;
        rest = &lower[offset..];
    }
    None
}

fn snippet(s: &str) -> String {
    let end = s.find(['\n', ';', '>']).map_or(s.len(), |i| i + 1);
    s[..end].trim_end().chars().take(60).collect()
}

/// Where a brand's files are read from.
pub fn folder_of(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\nrest"), Some(ImageKind::Png));
        assert_eq!(image_kind(b"\xFF\xD8\xFF\xE0"), Some(ImageKind::Jpeg));
        assert_eq!(
            image_kind(b"<?xml version='1.0'?>\n<svg/>"),
            Some(ImageKind::Svg)
        );
        assert_eq!(image_kind(b"GIF89a"), None);
    }

    #[test]
    fn svg_references_are_found() {
        let ok = br##"<svg><defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use href="#a"/><image href="data:image/png;base64,AAAA"/></svg>"##;
        assert_eq!(svg_reference(ok), None);
        let cases: [(&[u8], &str); 5] = [
            (br#"<svg><image href="logo.png"/></svg>"#, "logo.png"),
            (
                br#"<svg><image xlink:href='https://x.org/a.png'/></svg>"#,
                "https://x.org/a.png",
            ),
            (
                br#"<svg><rect style="fill: url(pattern.svg#p)"/></svg>"#,
                "pattern.svg#p",
            ),
            (
                br#"<svg><style>@import url(x.css);</style></svg>"#,
                "@import url(x.css);",
            ),
            (
                b"<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg/>",
                "<!ENTITY x SYSTEM \"file:///etc/passwd\">",
            ),
        ];
        for (svg, found) in cases {
            assert_eq!(svg_reference(svg).as_deref(), Some(found));
        }
    }
}
