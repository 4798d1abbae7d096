//! The body's colours and logo: the brand's, or the handout's own look.
//! Every colour is explicit, background included, so that a client's dark
//! mode cannot leave dark text on a dark ground.

/// The logo's Content-ID, as `cid:` URLs name it.
pub const LOGO_CID: &str = "logo@handout";

/// The logo's height in the body, in CSS pixels; it is drawn at twice that.
const LOGO_HEIGHT: u32 = 40;

#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    /// The header band and the button.
    pub primary: String,
    /// Text on `primary`.
    pub on_primary: String,
    pub ink: String,
    pub muted: String,
    /// The goal's panel.
    pub tint: String,
    pub rule: String,
    /// Around the message.
    pub page: String,
    /// The message itself.
    pub card: String,
    /// The logo as a PNG, with its width at [`LOGO_HEIGHT`].
    pub logo: Option<(Vec<u8>, u32)>,
    /// The logo's alt text.
    pub logo_alt: Option<String>,
}

impl Default for Look {
    /// The handout's theme (`layouts/theme.typ`): ink, muted, tint, rule
    /// and the first option's accent.
    fn default() -> Self {
        Self {
            primary: "#17427f".into(),
            on_primary: "#ffffff".into(),
            ink: "#17202e".into(),
            muted: "#566072".into(),
            tint: "#f3f5f8".into(),
            rule: "#cfd5de".into(),
            page: "#eef1f5".into(),
            card: "#ffffff".into(),
            logo: None,
            logo_alt: None,
        }
    }
}

impl Look {
    /// The look of a brand, from what layouts read of it (`/brand.json`)
    /// and its files (`/brand/<path>`, by `file`).
    pub fn of_brand(data: &[u8], file: impl Fn(&str) -> Option<Vec<u8>>) -> Self {
        let mut look = Self::default();
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
            return look;
        };
        let color = |name: &str| v["colors"][name].as_str().map(str::to_string);
        if let Some(primary) = color("primary") {
            look.on_primary = on(&primary);
            look.primary = primary;
        }
        if let Some(ink) = color("foreground") {
            look.ink = ink;
        }
        if let Some(light) = color("light") {
            look.tint = light;
        }
        let logo = &v["logo"]["cover"];
        if let Some(path) = logo["path"].as_str() {
            look.logo = file(path).and_then(|bytes| png(&bytes));
            look.logo_alt = logo["alt"].as_str().map(str::to_string);
        }
        look
    }
}

/// White or ink, whichever reads better on `background` (`#rrggbb`).
fn on(background: &str) -> String {
    let hex = background.trim_start_matches('#');
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0))
            / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    // Contrast with white against contrast with the ink (luminance 0.014).
    if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.064 {
        "#ffffff".into()
    } else {
        "#17202e".into()
    }
}

/// The logo as a PNG twice [`LOGO_HEIGHT`] high, and its width in CSS
/// pixels, drawn once per process for each logo: every draft of a build
/// has the same.
fn png(bytes: &[u8]) -> Option<(Vec<u8>, u32)> {
    type Drawn = Vec<(Vec<u8>, Option<(Vec<u8>, u32)>)>;
    static DRAWN: std::sync::Mutex<Drawn> = std::sync::Mutex::new(Vec::new());
    let mut drawn = DRAWN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, png)) = drawn.iter().find(|(svg, _)| svg == bytes) {
        return png.clone();
    }
    let png = draw(bytes);
    if drawn.len() >= 8 {
        drawn.remove(0);
    }
    drawn.push((bytes.to_vec(), png.clone()));
    png
}

/// SVG is drawn (mail clients do not show it); PNG is kept.
fn draw(bytes: &[u8]) -> Option<(Vec<u8>, u32)> {
    if bytes.starts_with(b"\x89PNG") {
        let width = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
        let height = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?).max(1);
        return Some((bytes.to_vec(), width * LOGO_HEIGHT / height));
    }
    let tree = resvg::usvg::Tree::from_data(bytes, &resvg::usvg::Options::default()).ok()?;
    let size = tree.size();
    let scale = (2 * LOGO_HEIGHT) as f32 / size.height().max(1.0);
    let width = (size.width() * scale).ceil() as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width.max(1), 2 * LOGO_HEIGHT)?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Some((pixmap.encode_png().ok()?, width.div_ceil(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_dark_is_white_and_on_light_is_ink() {
        assert_eq!(on("#17427f"), "#ffffff");
        assert_eq!(on("#f5e663"), "#17202e");
    }

    #[test]
    fn an_svg_logo_is_drawn_at_twice_its_height() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>"#;
        let (png, width) = png(svg).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!(width, 80);
    }
}
