//! QR codes for links in the print edition, made as SVG for the layout.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// QR codes already made, by text. A batch prints the same few addresses on
/// every document, and choosing the best mask pattern is not cheap.
fn cache() -> &'static Mutex<HashMap<String, Arc<[u8]>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<[u8]>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The SVG QR code for `text`, made once per process.
pub fn svg_cached(text: &str) -> Option<Arc<[u8]>> {
    if let Some(hit) = cache().lock().get(text) {
        return Some(hit.clone());
    }
    let made: Arc<[u8]> = svg(text)?.into_bytes().into();
    let mut cache = cache().lock();
    // Bounded: a batch with very many distinct addresses starts afresh.
    if cache.len() >= 4096 {
        cache.clear();
    }
    cache.insert(text.to_string(), made.clone());
    Some(made)
}

/// An SVG QR code for `text`, with the standard four-module quiet zone.
///
/// Error correction level M survives smudges and low-quality printers while
/// keeping codes for typical URLs small.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .quiet_zone(true)
            .module_dimensions(4, 4)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn makes_svg() {
        let s = super::svg("https://example.com/courses/mlops").unwrap();
        assert!(s.starts_with("<?xml") && s.ends_with("</svg>"));
    }
}
