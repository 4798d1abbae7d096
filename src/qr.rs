//! QR codes for links in the print edition, made as SVG for the layout.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

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
