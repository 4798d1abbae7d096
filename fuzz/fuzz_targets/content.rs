//! Feeds arbitrary bytes through loading, validation and rendering.
//!
//! Any panic, hang or crash is a bug: every input must end in content or in
//! diagnostics. Valid content is also rendered with the built-in handout
//! layout, so the data path into Typst is exercised too.
#![no_main]

use std::sync::{Arc, LazyLock};

use handout::content;
use handout::lang::Catalogs;
use handout::layouts::LayoutFiles;
use handout::render::{self, Document, Edition, Paper, Settings};
use handout::world::Env;
use libfuzzer_sys::fuzz_target;

static ENV: LazyLock<Env> =
    LazyLock::new(|| Env::new(LayoutFiles::builtin(), Catalogs::builtin().clone(), &[], &[]));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text: Arc<str> = text.into();
    let Ok((content, _warnings)) = content::parse("fuzz.yaml", &text, &Default::default()) else {
        return;
    };
    let settings = Settings::default();
    let goals: Vec<_> = content.goals().take(1).collect();
    for goal in std::iter::once(None).chain(goals.into_iter().map(Some)) {
        let document = Document {
            content: &content,
            goal,
            paper: Paper::A4,
            edition: Edition::Print,
            layout: "handout",
            settings: &settings,
            brand: None,
            recipient: None,
        };
        let _ = render::render(&ENV, &document);
        typst::comemo::evict(10);
    }
});
