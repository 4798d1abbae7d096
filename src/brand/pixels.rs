//! How many pixels an image makes whoever decodes it: a raster image by its
//! header, an SVG by every image it embeds, at every depth of SVG inside
//! SVG, found and decoded as usvg (Typst's SVG reader) finds and decodes
//! them. Nothing here decodes a picture.

use std::io::Read;

/// One raster image may have at most this many pixels: a few kilobytes of
/// PNG can claim a size that takes gigabytes to decode. 25 megapixels is
/// 5000 × 5000, far beyond a logo.
pub const MAX_IMAGE_PIXELS: u64 = 25_000_000;
/// Every image a document uses, nested ones included, at most this many.
pub const MAX_TOTAL_PIXELS: u64 = 100_000_000;
/// SVG inside SVG deeper than this is refused.
const MAX_DEPTH: usize = 8;
/// A gzipped SVG is unpacked up to this size.
const MAX_SVG_BYTES: u64 = 16 * 1024 * 1024;

/// Why an image cannot be used, or the pixels its raster images hold.
pub fn pixels(bytes: &[u8], rel: &str) -> Result<u64, String> {
    let mut total = 0;
    walk(bytes, rel, 0, &mut total)?;
    Ok(total)
}

fn walk(bytes: &[u8], rel: &str, depth: usize, total: &mut u64) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "SVG image `{rel}` nests SVG images more than {MAX_DEPTH} deep"
        ));
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut svg = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_SVG_BYTES + 1)
            .read_to_end(&mut svg)
            .map_err(|_| format!("image `{rel}` holds a gzipped SVG that cannot be unpacked"))?;
        if svg.len() as u64 > MAX_SVG_BYTES {
            return Err(format!(
                "image `{rel}` holds a gzipped SVG of more than {} MB",
                MAX_SVG_BYTES / 1024 / 1024
            ));
        }
        return walk(&svg, rel, depth, total);
    }
    if let Ok(size) = imagesize::blob_size(bytes) {
        let count = size.width as u64 * size.height as u64;
        if count > MAX_IMAGE_PIXELS {
            let what = if depth == 0 {
                "is"
            } else {
                "holds an image of"
            };
            return Err(format!(
                "image `{rel}` {what} {} × {} pixels, more than the {} megapixel limit",
                size.width,
                size.height,
                MAX_IMAGE_PIXELS / 1_000_000
            ));
        }
        *total += count;
        if *total > MAX_TOTAL_PIXELS {
            return Err(format!(
                "image `{rel}` holds more than {} megapixels in all",
                MAX_TOTAL_PIXELS / 1_000_000
            ));
        }
        return Ok(());
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    if !text.contains("<svg") {
        return Ok(());
    }
    for uri in data_uris(text) {
        if let Ok(url) = data_url::DataUrl::process(&uri)
            && let Ok((inner, _)) = url.decode_to_vec()
        {
            walk(&inner, rel, depth + 1, total)?;
        }
    }
    Ok(())
}

/// Every attribute value of the SVG that is a data URI, with its entities
/// decoded as usvg's XML parser (the same `roxmltree`) reads them. An SVG
/// that it cannot parse is never drawn, but is searched as text all the
/// same.
fn data_uris(text: &str) -> Vec<String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    if let Ok(doc) = roxmltree::Document::parse_with_options(text, options) {
        return doc
            .descendants()
            .flat_map(|node| node.attributes())
            .map(|attr| attr.value().trim())
            .filter(|v| v.len() > 5 && v[..5].eq_ignore_ascii_case("data:"))
            .map(str::to_string)
            .collect();
    }
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("data:") {
        let start = from + i;
        let end = text[start..]
            .find(['"', '\'', ')', '<', '>'])
            .map_or(text.len(), |e| start + e);
        out.push(text[start..end].to_string());
        from = start + 5;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn svg_with(inner: &[u8], mime: &str) -> Vec<u8> {
        let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="data:{mime};base64,{b64}"/></svg>"#)
            .into_bytes()
    }

    fn header_only(w: u32, h: u32) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend(w.to_be_bytes());
        v.extend(h.to_be_bytes());
        v.extend([8, 0, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    #[test]
    fn nested_svg_is_checked_at_every_depth() {
        let huge = header_only(30_000, 30_000);
        assert!(
            pixels(&huge, "a.png")
                .unwrap_err()
                .contains("30000 × 30000")
        );
        let once = svg_with(&huge, "image/png");
        assert!(pixels(&once, "a.svg").is_err());
        let twice = svg_with(&svg_with(&huge, "image/png"), "image/svg+xml");
        let why = pixels(&twice, "logo.svg").unwrap_err();
        assert!(why.contains("holds an image of 30000 × 30000"), "{why}");
        // Entities, gzip and percent-encoding hide nothing.
        let entity = String::from_utf8(twice.clone())
            .unwrap()
            .replace("data:", "&#100;ata:");
        assert!(pixels(entity.as_bytes(), "e.svg").is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &once).unwrap();
        let zipped = svg_with(&gz.finish().unwrap(), "image/svg+xml");
        assert!(pixels(&zipped, "z.svg").is_err());
        // Small images add up to the document's limit.
        let five = header_only(5000, 4000);
        let many: Vec<u8> = (0..6)
            .map(|_| String::from_utf8(svg_with(&five, "image/png")).unwrap())
            .collect::<String>()
            .replace("</svg><svg xmlns=\"http://www.w3.org/2000/svg\">", "")
            .into_bytes();
        assert!(
            pixels(&many, "m.svg")
                .unwrap_err()
                .contains("100 megapixels in all")
        );
        assert_eq!(
            pixels(&svg_with(&five, "image/png"), "ok.svg"),
            Ok(20_000_000)
        );
        // Deeper than the limit.
        let mut deep = header_only(10, 10);
        for _ in 0..10 {
            deep = svg_with(&deep, "image/svg+xml");
        }
        assert!(
            pixels(&deep, "d.svg")
                .unwrap_err()
                .contains("more than 8 deep")
        );
    }
}
