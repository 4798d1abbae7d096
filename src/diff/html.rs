//! `--html DIR`: a page a reviewer opens in a browser, with each changed
//! page before and after side by side, the changed regions outlined and
//! the word diff beneath. Self-contained: the pictures lie beside it, and
//! nothing is fetched from elsewhere, so it works as a CI artifact.

use std::fmt::Write as _;
use std::path::Path;

use super::pages::{Drawn, PageOf};
use super::{Change, Diff};
use crate::error::Error;
use crate::output::write_atomic;

/// Writes page `page`'s two pictures under `dir/pages/`; their paths
/// relative to `dir` ("" for a page one side lacks).
pub fn pictures(
    dir: &Path,
    name: &str,
    page: usize,
    before: Option<&PageOf>,
    after: Option<&PageOf>,
) -> Result<(String, String), Error> {
    let stem = name.trim_end_matches(".pdf");
    let one = |side: &str, p: Option<&PageOf>| -> Result<String, Error> {
        let Some(p) = p else { return Ok(String::new()) };
        let rel = format!("pages/{stem}-p{page}-{side}.png");
        write_atomic(&dir.join(&rel), &png(&p.drawn))?;
        Ok(rel)
    };
    Ok((one("before", before)?, one("after", after)?))
}

fn png(d: &Drawn) -> Vec<u8> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    let _ = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub)
        .write_image(
            &d.rgba,
            d.width as u32,
            d.height as u32,
            image::ExtendedColorType::Rgba8,
        );
    out
}

/// The page, `index.html` in `dir`.
pub fn write(dir: &Path, diff: &Diff) -> Result<(), Error> {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Handouts: what the change does</h1>\n<p class=summary>{}</p>\n",
        esc(super::summary(diff).lines().next().unwrap_or_default())
    );
    for d in &diff.documents {
        let Change::Changed {
            causes,
            yaml_paths,
            yaml_paths_unknown,
            pages,
            pages_before,
            pages_after,
        } = &d.change
        else {
            continue;
        };
        let _ = write!(
            body,
            "<section><h2>{}</h2>\n<p>{} → {} pages · why: {}{}</p>\n",
            esc(&d.document),
            pages_before.unwrap_or(0),
            pages_after.unwrap_or(0),
            esc(&causes.join(", ")),
            match yaml_paths_unknown {
                Some(why) => format!(" · YAML paths unknown: {}", esc(why)),
                None if yaml_paths.is_empty() => String::new(),
                None => format!(" · <code>{}</code>", esc(&yaml_paths.join(", "))),
            }
        );
        for p in pages {
            let _ = write!(body, "<h3>Page {}</h3>\n<div class=pair>", p.page);
            if let Some((before, after)) = &p.images {
                for (label, src) in [("Before", before), ("After", after)] {
                    let _ = write!(body, "<figure><figcaption>{label}</figcaption>");
                    if src.is_empty() {
                        body.push_str("<p class=none>No such page</p>");
                    } else {
                        let _ = write!(
                            body,
                            "<div class=page><img src=\"{}\" alt=\"{label}, page {}\">",
                            esc(&url_path(src)),
                            p.page
                        );
                        for r in &p.regions {
                            let (w, h) = (p.size.0.max(1.0), p.size.1.max(1.0));
                            let _ = write!(
                                body,
                                "<span class=region style=\"left:{:.2}%;top:{:.2}%;width:{:.2}%;height:{:.2}%\"></span>",
                                r.x / w * 100.0,
                                r.y / h * 100.0,
                                r.width / w * 100.0,
                                r.height / h * 100.0
                            );
                        }
                        body.push_str("</div>");
                    }
                    body.push_str("</figure>");
                }
            }
            body.push_str("</div>\n<p class=words>");
            for w in &p.words_removed {
                let _ = write!(body, "<del>{}</del> ", esc(w));
            }
            for w in &p.words_added {
                let _ = write!(body, "<ins>{}</ins> ", esc(w));
            }
            body.push_str("</p>\n");
        }
        body.push_str("</section>\n");
    }
    let page = format!(
        "<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n<title>Handouts diff</title>\n<style>{STYLE}</style>\n<body>\n{body}</body>\n</html>\n"
    );
    write_atomic(&dir.join("index.html"), page.as_bytes())?;
    Ok(())
}

const STYLE: &str = "body{font:15px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2533}\
.pair{display:flex;gap:1.5rem;flex-wrap:wrap}figure{margin:0}.page{position:relative;display:inline-block;box-shadow:0 1px 4px #0003}\
.page img{display:block;width:min(46vw,620px);height:auto}figure{flex:1 1 0;min-width:0}.region{position:absolute;outline:2px solid #d0342c;background:#d0342c1a}\
del{color:#a4221b;background:#fde8e6}ins{color:#16623a;background:#e3f5ea;text-decoration:none}.none{color:#777}";

/// A relative path as an address: a file name with `#`, `%`, `?` or a
/// space would otherwise name another file, or none.
fn url_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn picture_addresses_are_percent_encoded() {
        assert_eq!(
            super::url_path("pages/a#1 %b?é-p1-before.png"),
            "pages/a%231%20%25b%3F%C3%A9-p1-before.png"
        );
    }
}
