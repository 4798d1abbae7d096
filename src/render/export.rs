//! Exporting a compiled document: PDF (compacted for the email edition),
//! PNG or SVG pages, and the pictures of page 1 for thumbnails and drafts.

use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::{Document, Edition, Format, OutFile, Standard, THUMBNAIL_WIDTH, convert};
use crate::diag::Diagnostic;
use crate::world::DocWorld;

/// The files of a document: the main one first.
pub(super) fn files(
    world: &DocWorld,
    doc: &PagedDocument,
    document: &Document,
    date: Option<Datetime>,
) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    match document.settings.format {
        Format::Pdf => {
            let pdf = typst_pdf::pdf(doc, &pdf_options(document, date)?)
                .map_err(|errors| convert(world, &errors))?;
            let pdf = match document.edition {
                Edition::Email => compact(pdf),
                Edition::Print => pdf,
            };
            files.push(OutFile {
                suffix: String::new(),
                ext: "pdf",
                bytes: pdf,
            });
        }
        Format::Png => {
            for (i, page) in doc.pages().iter().enumerate() {
                let png = png(page, document.settings.ppi / 72.0)?;
                files.push(OutFile {
                    suffix: format!("-{}", i + 1),
                    ext: "png",
                    bytes: png,
                });
            }
        }
        Format::Svg => {
            for (i, page) in doc.pages().iter().enumerate() {
                let svg = typst_svg::svg(page, &Default::default());
                files.push(OutFile {
                    suffix: format!("-{}", i + 1),
                    ext: "svg",
                    bytes: svg.into_bytes(),
                });
            }
        }
    }
    if document.settings.thumbnail
        && let Some(first) = doc.pages().first()
    {
        let scale = THUMBNAIL_WIDTH / first.frame.width().to_pt() as f32;
        files.push(OutFile {
            suffix: ".thumb".into(),
            ext: "png",
            bytes: png(first, scale)?,
        });
    }
    // A draft shows page 1 in its HTML body; a JPEG is a third the size of
    // the PNG there, and the PDF is attached for reading.
    if document.settings.preview
        && document.recipient.is_some()
        && let Some(first) = doc.pages().first()
    {
        let scale = THUMBNAIL_WIDTH / first.frame.width().to_pt() as f32;
        files.push(OutFile {
            suffix: PREVIEW.into(),
            ext: "jpg",
            bytes: jpeg(first, scale)?,
        });
    }
    Ok(files)
}

/// The suffix of the picture of page 1 that a draft embeds.
pub const PREVIEW: &str = ".preview";

/// The top half of a page (the title, the reader's name and the first
/// section: what a message shows), as a JPEG. The quality and tables were
/// chosen by measuring the seed's page 1 at 600 pixels (standard tables:
/// 25.0 KB at 45, 23.4 at 40, 21.9 at 35; ImageMagick's: 22.6, 21.3 and
/// 19.7): at 40 with ImageMagick's, text stays crisp at twice the slot's
/// pixels.
fn jpeg(page: &typst_layout::Page, pixel_per_pt: f32) -> Result<Vec<u8>, Vec<Diagnostic>> {
    const QUALITY: u8 = 40;
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(f64::from(pixel_per_pt)),
        render_bleed: false,
    };
    let pixmap = typst_render::render(page, &options);
    let (width, height) = (pixmap.width(), pixmap.height().div_ceil(2));
    // Premultiplied RGBA over white.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .take((width * height) as usize)
        .flat_map(|p| {
            let white = 255 - p[3];
            [
                p[0].saturating_add(white),
                p[1].saturating_add(white),
                p[2].saturating_add(white),
            ]
        })
        .collect();
    // jpeg-encoder without its SIMD paths: several times faster than
    // image's encoder, and the same bytes on every machine.
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, QUALITY);
    // ImageMagick's tables: a tenth smaller than the standard ones at the
    // same quality on these pages.
    let tables = jpeg_encoder::QuantizationTableType::ImageMagick;
    encoder.set_quantization_tables(tables.clone(), tables);
    encoder.set_optimized_huffman_tables(true);
    let size = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    encoder
        .encode(
            &rgb,
            size(width),
            size(height),
            jpeg_encoder::ColorType::Rgb,
        )
        .map_err(|e| vec![Diagnostic::error(format!("cannot encode JPEG: {e}"))])?;
    Ok(out)
}

/// The same PDF with its objects in compressed object streams (PDF 1.5),
/// for the email edition, where size matters: the structure tree that
/// makes it accessible is otherwise uncompressed, and is about half of a
/// tagged handout. Byte for byte reproducible; the original is kept if the
/// rewrite fails.
fn compact(pdf: Vec<u8>) -> Vec<u8> {
    let Ok(mut doc) = lopdf::Document::load_mem(&pdf) else {
        return pdf;
    };
    let mut out = Vec::with_capacity(pdf.len() / 2);
    match doc.save_modern(&mut out) {
        Ok(()) if out.len() < pdf.len() => out,
        _ => pdf,
    }
}

fn png(page: &typst_layout::Page, pixel_per_pt: f32) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(f64::from(pixel_per_pt)),
        render_bleed: false,
    };
    typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| vec![Diagnostic::error(format!("cannot encode PNG: {e}"))])
}

fn pdf_options(document: &Document, date: Option<Datetime>) -> Result<PdfOptions, Vec<Diagnostic>> {
    let paper: &str = document.paper.into();
    let edition: &str = document.edition.into();
    let ident = match document.goal {
        Some(goal) => format!(
            "{}/{}/{paper}/{edition}/{}",
            document.content.id, goal.id, document.layout
        ),
        None => format!(
            "{}/{paper}/{edition}/{}",
            document.content.id, document.layout
        ),
    };
    let list: Vec<PdfStandard> = document
        .settings
        .standards
        .iter()
        .map(|s| match s {
            Standard::Ua1 => PdfStandard::Ua_1,
            Standard::A2b => PdfStandard::A_2b,
            Standard::A3b => PdfStandard::A_3b,
        })
        .collect();
    let standards = PdfStandards::new(&list).map_err(|e| {
        vec![
            Diagnostic::error(format!(
                "cannot combine these PDF standards: {}",
                e.message()
            ))
            .with_hint("give at most one PDF/A standard, e.g. --pdf-standard ua-1,a-2b"),
        ]
    })?;
    Ok(PdfOptions {
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some(format!("handout {}", env!("CARGO_PKG_VERSION")))),
        timestamp: date.map(Timestamp::new_utc),
        page_ranges: None,
        standards,
        // A booklet's pages are out of reading order; tags would lie.
        tagged: !document.settings.booklet,
        pretty: false,
    })
}
