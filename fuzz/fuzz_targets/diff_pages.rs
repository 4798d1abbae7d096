//! `handout diff`'s page hashing and drawing on hostile PDFs, with hayro:
//! every input ends in pages or in nothing, never a panic, and no page is
//! drawn larger than the pixel cap.
#![no_main]

use handout::diff::pages;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(pdf) = pages::open(data.to_vec()) else {
        return;
    };
    let _ = pages::fingerprints(&pdf);
    // The first pages, as a changed document's are drawn.
    let wanted: Vec<bool> = (0..pdf.pages().len()).map(|i| i < 3).collect();
    if pages::oversized_image(&pdf, Some(&wanted)).is_some() {
        return;
    }
    for page in pages::draw(&pdf, Some(&wanted)).iter().flatten() {
        assert!(page.drawn.width * page.drawn.height <= 4_000_000 + 16_000);
        assert_eq!(page.drawn.rgba.len(), page.drawn.width * page.drawn.height * 4);
    }
});
